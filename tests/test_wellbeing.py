"""Peer-worker wellbeing: "high" read from the instruments, the private result, and team
summaries that never show a group of fewer than five (including by subtraction)."""

from __future__ import annotations

import datetime as dt

import pytest

from recoverycap.errors import ProblemsError
from recoverycap.privacy import MIN_GROUP, secondary_suppression
from recoverycap.scoring import score
from recoverycap.wellbeing import (
    PersonalResult,
    ScaleLine,
    WellbeingError,
    check_timepoint,
    high_rule,
    is_concern,
    is_high,
)
from recoverycap.wellbeing_summary import WorkerScores, summarise

# -- hand-scored answers ----------------------------------------------------------------------
# CBI (Kristensen et al. 2005; PUMA scoring 100/75/50/25/0, mean of items, w7 reversed).
CBI_HIGH = {  # personal: all "Often" (75) -> 75; work: all code 2 (50; w7 reversed 2 -> 2) -> 50;
    **{f"p{i}": 3 for i in range(1, 7)},  # client: all "To a low degree"/"Seldom" (25) -> 25
    **{f"w{i}": 2 for i in range(1, 8)},
    **{f"c{i}": 1 for i in range(1, 7)},
}
CBI_LOW = {  # personal 25; work: six items at 25, w7 code 1 reversed to 3 (75): (6*25 + 75)/7 = 32.14
    **{f"p{i}": 1 for i in range(1, 7)},
    **{f"w{i}": 1 for i in range(1, 8)},
    **{f"c{i}": 1 for i in range(1, 7)},
}
# ProQOL 5: all "Sometimes" (3): each scale sums ten items of 3 = 30 (moderate, 23-41); the
# reversed burnout items (1, 4, 15, 17, 29) become 6 - 3 = 3.
PROQOL_MIDDLE = {f"q{i}": 3 for i in range(1, 31)}
# Burnout high: direct burnout items (8, 10, 19, 21, 26) at 5 and reversed ones (1, 4, 15, 17, 29)
# at 1 (6 - 1 = 5): 10 x 5 = 50, "high" (42 or more).
PROQOL_BURNOUT = {
    **PROQOL_MIDDLE,
    **{f"q{i}": 5 for i in (8, 10, 19, 21, 26)},
    **{f"q{i}": 1 for i in (1, 4, 15, 17, 29)},
}


@pytest.fixture(scope="module")
def cbi(library):
    return library.get("cbi")


@pytest.fixture(scope="module")
def proqol(library):
    return library.get("proqol5")


def lines_for(inst, answers):
    sheet = score(inst, answers)
    return [ScaleLine(inst, s, sheet[s.id]) for s in inst.scales if s.report]


def test_hand_scored_examples(cbi, proqol):
    """The answers above score as worked out by hand."""
    high = score(cbi, CBI_HIGH)
    assert (high["personal"].score, high["work"].score, high["client"].score) == (75, 50, 25)
    assert score(cbi, CBI_LOW)["work"].score == pytest.approx(225 / 7)
    mid = score(proqol, PROQOL_MIDDLE)
    assert [
        mid[s].score for s in ("compassion_satisfaction", "burnout", "secondary_traumatic_stress")
    ] == [30, 30, 30]
    assert score(proqol, PROQOL_BURNOUT)["burnout"].score == 50


# -- "high" from the instrument files -----------------------------------------------------------
def test_cbi_high_is_50_or_more(cbi):
    """CBI: the cut-off of 50 (PUMA) decides; 50 itself is high, 49.9 is not."""
    personal = next(s for s in cbi.scales if s.id == "personal")
    assert is_high(personal, 50) and not is_high(personal, 49.9)
    assert is_concern(personal, 50)
    assert high_rule(personal) == "50 or more"


def test_proqol_high_is_the_top_band(proqol):
    """ProQOL 5: no cut-off, so the top band ("high", 42 or more) decides."""
    scales = {s.id: s for s in proqol.scales}
    assert is_high(scales["burnout"], 42) and not is_high(scales["burnout"], 41)
    assert is_concern(scales["secondary_traumatic_stress"], 42)
    # high compassion satisfaction is good news, not a concern
    assert is_high(scales["compassion_satisfaction"], 45)
    assert not is_concern(scales["compassion_satisfaction"], 45)
    assert high_rule(scales["burnout"]) == "42 or more"
    assert not is_high(scales["burnout"], None)


def test_check_timepoint_is_the_quarter():
    assert check_timepoint(dt.date(2025, 1, 1)) == "check_2025_q1"
    assert check_timepoint(dt.date(2025, 6, 30)) == "check_2025_q2"
    assert check_timepoint(dt.date(2025, 12, 31)) == "check_2025_q4"


# -- the private result --------------------------------------------------------------------------
def test_private_result_suggests_supervision_when_cbi_is_high(cbi, proqol):
    """CBI personal 75 and work 50 are high: supervision is suggested, naming the scales."""
    result = PersonalResult(
        "PW-03",
        tuple(lines_for(cbi, CBI_HIGH) + lines_for(proqol, PROQOL_MIDDLE)),
        dt.date(2025, 5, 12),
    )
    assert result.suggest_supervision
    assert [c.scale.id for c in result.concerns] == ["personal", "work"]
    text = result.text()
    assert (
        "Personal burnout: 75 on a 0–100 scale, where higher means more personal burnout." in text
    )
    assert "50 or more: high burnout (PUMA)." in text
    assert "Client-related burnout: 25 on a 0–100 scale" in text
    assert "Under 50: below the PUMA level for high burnout." in text
    assert "Burnout: 30 on a 10–50 scale" in text and "Between 23 and 41: moderate." in text
    assert (
        "CBI personal burnout 75 (50 or more is high); CBI work-related burnout 50 (50 or more is high)"
        in text
    )
    assert "supervision" in text and "it is not sent to anyone" in text
    assert "only on this" in text


def test_private_result_suggests_supervision_when_proqol_burnout_is_high(cbi, proqol):
    """Low CBI but ProQOL burnout 50 (high): supervision is suggested for that scale alone."""
    result = PersonalResult(
        "PW-03",
        tuple(lines_for(cbi, CBI_LOW) + lines_for(proqol, PROQOL_BURNOUT)),
        dt.date(2025, 5, 12),
    )
    assert [c.scale.id for c in result.concerns] == ["burnout"]
    assert "ProQOL 5 burnout 50 (42 or more is high)" in result.text()


def test_private_result_without_concerns(cbi, proqol):
    """Nothing high: no suggestion beyond supervision being available."""
    result = PersonalResult(
        "PW-03",
        tuple(lines_for(cbi, CBI_LOW) + lines_for(proqol, PROQOL_MIDDLE)),
        dt.date(2025, 5, 12),
    )
    assert not result.suggest_supervision
    text = result.text()
    assert "None of your burnout or stress scores is in the high range" in text
    assert "Work-related burnout: 32.1 on a 0–100 scale" in text


@pytest.mark.parametrize("width", [40, 60, 100])
def test_private_result_wraps_to_the_width_given(cbi, proqol, width):
    """text(width): no line wider than width; the words, and each scale's indentation, kept."""
    result = PersonalResult(
        "PW-03",
        tuple(lines_for(cbi, CBI_HIGH) + lines_for(proqol, PROQOL_MIDDLE)),
        dt.date(2025, 5, 12),
    )
    wrapped = result.text(width)
    assert max(len(line) for line in wrapped.splitlines()) <= width
    assert wrapped.split() == result.text().split()  # the same words, only re-broken
    personal = next(i for i, x in enumerate(wrapped.splitlines()) if "Personal burnout:" in x)
    assert wrapped.splitlines()[personal].startswith("  Personal burnout:")
    assert wrapped.splitlines()[personal + 1].startswith("    ")


def test_private_result_unscored_scale_and_change(cbi):
    """Too few answers: "not scored"; a previous check gives the change in words."""
    answers = {**CBI_LOW, "c1": None, "c2": None, "c3": None, "c4": None}
    sheet = score(cbi, {k: v for k, v in answers.items() if v is not None})
    client = next(s for s in cbi.scales if s.id == "client")
    line = ScaleLine(cbi, client, sheet["client"])
    assert line.lines() == [
        "Client-related burnout: not scored (2 of 6 questions answered; at least 3 needed)."
    ]
    personal = next(s for s in cbi.scales if s.id == "personal")
    changed = ScaleLine(
        cbi, personal, sheet["personal"], previous=50.0, previous_timepoint="check_2025_q1"
    )
    assert changed.lines()[-1] == "At check 2025 q1 it was 50: down 25 (better)."


# -- secondary suppression -------------------------------------------------------------------------
def test_small_site_and_its_complement_are_hidden():
    """Sites A (8) and B (3): B is small; A is hidden too, since the total (11) minus A is B."""
    primary, secondary = secondary_suppression({("A", "mentor"): 8, ("B", "mentor"): 3}, 5)
    assert ("site", "B") in primary and ("site", "A") in secondary
    assert ("all",) not in primary | secondary


def test_two_small_sites_protect_each_other():
    """A 6, B 3, C 4: B and C together are 7, so A can be shown."""
    counts = {("A", "m"): 6, ("B", "m"): 3, ("C", "m"): 4}
    primary, secondary = secondary_suppression(counts, 5)
    assert {("site", "B"), ("site", "C")} <= primary
    assert ("site", "A") not in primary | secondary


def test_small_role_within_a_site():
    """Site A: 6 mentors and 2 leads; site B: 7 mentors. The leads (2) are small at A and overall;
    A's mentors are hidden too (site A minus them is its leads), and so are all mentors (the total
    minus them is the leads). Checked relation by relation: nothing hidden can be worked out from
    one total and the groups shown under it."""
    counts = {("A", "mentor"): 6, ("A", "lead"): 2, ("B", "mentor"): 7}
    primary, secondary = secondary_suppression(counts, 5)
    hidden = primary | secondary
    assert {("cell", "A", "lead"), ("role", "lead")} <= primary
    assert {("cell", "A", "mentor"), ("role", "mentor")} <= secondary
    # every relation: a shown total never has hidden groups under it adding to 1-4 workers, and a
    # hidden total never has all its groups shown
    n = {
        ("all",): 15,
        ("site", "A"): 8,
        ("site", "B"): 7,
        ("role", "mentor"): 13,
        ("role", "lead"): 2,
        ("cell", "A", "mentor"): 6,
        ("cell", "A", "lead"): 2,
        ("cell", "B", "mentor"): 7,
    }
    relations = [
        (("all",), [("site", "A"), ("site", "B")]),
        (("all",), [("role", "mentor"), ("role", "lead")]),
        (("site", "A"), [("cell", "A", "mentor"), ("cell", "A", "lead")]),
        (("site", "B"), [("cell", "B", "mentor")]),
        (("role", "mentor"), [("cell", "A", "mentor"), ("cell", "B", "mentor")]),
        (("role", "lead"), [("cell", "A", "lead")]),
    ]
    for parent, kids in relations:
        gone = sum(n[k] for k in kids if k in hidden)
        if parent in hidden:
            assert any(k in hidden for k in kids), parent
        else:
            assert gone == 0 or gone >= 5, (parent, gone)


def test_fewer_than_five_in_total_hides_everything():
    primary, _ = secondary_suppression({("A", "m"): 2, ("B", "m"): 2}, 5)
    assert ("all",) in primary


# -- team summaries --------------------------------------------------------------------------------
def workers(n, site="A", role="mentor", personal=(10, 20, 30, 40, 50, 60, 70, 80, 90, 100)):
    return [WorkerScores(site, role, {("cbi", "personal"): float(personal[i])}) for i in range(n)]


def group(summary, scale_id, label):
    scale = next(s for s in summary.scales if s.scale.id == scale_id)
    return next(g for g in scale.groups if g.group == label)


def test_summary_of_four_workers_is_suppressed(cbi):
    """Four workers: nothing is shown, with the reason."""
    summary = summarise(workers(4), [cbi])
    g = group(summary, "personal", "all workers")
    assert (g.suppressed, g.n, g.mean) == ("small", None, None)
    text = summary.render()
    assert "fewer than 5" in text
    for value in ("25", "10", "40"):  # the four scores and their mean are nowhere
        assert f" {value} " not in text.replace("(", " ").replace(")", " ")


def test_summary_of_five_workers_is_shown(cbi):
    """Five workers scoring 10, 20, 30, 40, 50: mean 30, median 30, 20% at 50 or more."""
    summary = summarise(workers(5), [cbi])
    g = group(summary, "personal", "all workers")
    assert (g.n, g.mean, g.median, g.pct_high, g.suppressed) == (5, 30, 30, 20, "")
    assert "PW-" not in summary.render()


def test_summary_by_site_with_secondary_suppression(cbi):
    """A has 6 workers, B 3: B is not shown, and A is not shown either (11 - 6 = B); the total is."""
    people = workers(6, "A") + workers(3, "B", personal=(100, 100, 100))
    summary = summarise(people, [cbi], by="site")
    assert group(summary, "personal", "B").suppressed == "small"
    assert group(summary, "personal", "A").suppressed == "secondary"
    total = group(summary, "personal", "all workers")
    assert total.n == 9 and total.mean == pytest.approx((10 + 20 + 30 + 40 + 50 + 60 + 300) / 9)
    text = summary.render()
    assert "would let a group of fewer than 5 be worked out by subtraction" in text
    # the site slice is consistent: asking for site A alone does not reveal it either
    only_a = summarise(people, [cbi], site="A")
    assert group(only_a, "personal", "A: all").suppressed == "secondary"


def test_summary_by_role_shows_groups_of_five(cbi):
    """Roles of 5 and 6: both shown; the total too."""
    people = workers(5, role="mentor") + workers(6, role="lead", personal=(50, 50, 50, 50, 50, 50))
    summary = summarise(people, [cbi], by="role")
    assert group(summary, "personal", "mentor").mean == 30
    assert group(summary, "personal", "lead").pct_high == 100
    assert group(summary, "personal", "all workers").n == 11


def test_min_group_is_never_below_five(cbi):
    """A configured min_group below 5 is raised to 5; a higher one is used."""
    assert MIN_GROUP == 5
    assert summarise(workers(5), [cbi], min_group=3).min_group == 5
    summary = summarise(workers(5), [cbi], min_group=6)
    assert group(summary, "personal", "all workers").suppressed == "small"


def test_unknown_grouping_is_refused(cbi):
    with pytest.raises(WellbeingError, match="split by site or role; got 'team'"):
        summarise(workers(5), [cbi], by="team")
    assert issubclass(WellbeingError, ValueError) and not issubclass(WellbeingError, ProblemsError)


# -- with a store ----------------------------------------------------------------------------------
@pytest.fixture
def store(tmp_path, library):
    from recoverycap.store import Store

    s = Store.open(tmp_path / "rc.db", library=library, actor="test")
    yield s
    s.close()


def test_complete_check_stores_a_worker_check_and_returns_the_private_result(store, library):
    """The library call runs the battery through a survey session and gives the same result."""
    from recoverycap.wellbeing import complete_check

    store.add_worker("PW-03", site="HMP Altcourse", role="mentor")
    result = complete_check(
        store,
        library,
        "PW-03",
        {"cbi": CBI_HIGH, "proqol5": PROQOL_MIDDLE},
        on=dt.date(2025, 5, 12),
    )
    assert [c.scale.id for c in result.concerns] == ["personal", "work"]
    adms = store.administrations(subject="PW-03", subject_type="worker")
    assert {(a.instrument, a.status, a.timepoint, a.administered_at) for a in adms} == {
        ("cbi", "complete", "check_2025_q2", "2025-05-12"),
        ("proqol5", "complete", "check_2025_q2", "2025-05-12"),
    }
    # a second check, next quarter, is compared with this one
    later = complete_check(
        store, library, "PW-03", {"cbi": CBI_LOW, "proqol5": PROQOL_MIDDLE}, on=dt.date(2025, 8, 1)
    )
    personal = next(line for line in later.lines if line.scale.id == "personal")
    assert personal.lines()[-1] == "At check 2025 q2 it was 75: down 50 (better)."


def test_unknown_worker(store, library):
    from recoverycap.wellbeing import complete_check

    with pytest.raises(WellbeingError, match="no peer worker with code 'PW-77'"):
        complete_check(store, library, "PW-77", {})


def test_team_summary_uses_each_active_workers_latest_check(store, library):
    """Five workers; one checked twice (75, then 25): only the latest counts. A sixth who has left
    is not counted. --since drops checks before it."""
    from recoverycap.wellbeing import complete_check
    from recoverycap.wellbeing_summary import team_summary

    for i in range(6):
        store.add_worker(f"PW-{i}", site="A", role="mentor")
        complete_check(
            store,
            library,
            f"PW-{i}",
            {"cbi": CBI_LOW, "proqol5": PROQOL_MIDDLE},
            on=dt.date(2025, 2, 1),
        )
    complete_check(
        store, library, "PW-0", {"cbi": CBI_HIGH, "proqol5": PROQOL_MIDDLE}, on=dt.date(2025, 5, 1)
    )
    complete_check(
        store, library, "PW-0", {"cbi": CBI_LOW, "proqol5": PROQOL_MIDDLE}, on=dt.date(2025, 8, 1)
    )
    store.set_worker_status("PW-5", "left")
    g = group(team_summary(store, library), "personal", "all workers")
    assert (g.n, g.mean, g.pct_high) == (5, 25, 0)
    recent = group(
        team_summary(store, library, since=dt.date(2025, 4, 1)), "personal", "all workers"
    )
    assert recent.suppressed == "small"  # only PW-0 checked since April


def test_survey_modules_do_not_import_pandas():
    """The wellbeing check and the schedule commands start without pandas or other heavy libraries."""
    import subprocess
    import sys

    code = (
        "import sys, recoverycap.wellbeing, recoverycap.wellbeing_summary, recoverycap.schedule, recoverycap.due, recoverycap.followup, "
        "recoverycap.cli.wellbeing, "
        "recoverycap.cli.schedule; heavy = [m for m in ('pandas', 'pingouin', 'statsmodels', 'matplotlib') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
