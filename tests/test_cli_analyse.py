"""`recoverycap analyse ...` on a real database built through the store API."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from recoverycap import Library
from recoverycap.analysis import CHANGE_COLUMNS, paired_change, reliable_change
from recoverycap.analysis.attrition import FOLLOWED_COLUMNS
from recoverycap.analysis.growth import GROWTH_COLUMNS
from recoverycap.analysis.reliability import RELIABILITY_COLUMNS
from recoverycap.analysis.reliable import PEOPLE_COLUMNS
from recoverycap.cli import main
from recoverycap.store import Store

REF = Path(__file__).parent / "reference"
TWO_PROGRAMMES = ["ALT-0302", "ALT-0305", "ALT-0306", "ALT-0307", "ALT-0311"]
"""On ttg (2024-01-01 to 2024-02-28), then twelve_step (from 2024-03-01)."""
RELEASED = "2024-04-10"
NO_RELEASE = ("ALT-0308", "ALT-0309")
LATE_RELEASE = ("ALT-0310", "2024-06-20")


def items_for(total: int, rng: np.random.Generator) -> list[int]:
    """Ten BARC-10 answers (1–6) that sum to ``total``, varied so the items correlate imperfectly."""
    values = np.full(10, total // 10)
    values[rng.choice(10, total - int(values.sum()), replace=False)] += 1
    for _ in range(4):
        i, j = rng.choice(10, 2, replace=False)
        if values[i] < 6 and values[j] > 1:
            values[i] += 1
            values[j] -= 1
    assert values.sum() == total and values.min() >= 1 and values.max() <= 6
    return values.tolist()


@pytest.fixture(scope="module")
def scores() -> pd.DataFrame:
    """The growth dataset checked against R (40 people, up to four time points)."""
    return pd.read_csv(REF / "growth.csv")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, scores: pd.DataFrame) -> Path:
    """A database holding the growth dataset as BARC-10 answers, two programmes (with
    ``TWO_PROGRAMMES`` on both), release dates (none for ``NO_RELEASE``, a late one for
    ``LATE_RELEASE``) and follow-up outcomes, written through the store's import API."""
    folder = tmp_path_factory.mktemp("analyse")
    rng = np.random.default_rng(11)
    people = scores.drop_duplicates("subject")
    participants = folder / "participants.csv"
    listed = people.rename(columns={"subject": "participant"})[["participant", "site", "cohort"]]
    listed = listed.assign(
        release_date=[
            "" if p in NO_RELEASE else LATE_RELEASE[1] if p == LATE_RELEASE[0] else RELEASED
            for p in listed["participant"]
        ]
    )
    listed.to_csv(participants, index=False)
    enrolments = folder / "enrolments.csv"
    pd.concat(
        [
            pd.DataFrame(
                {
                    "participant": people["subject"],
                    "programme": [
                        "ttg" if s < "ALT-0320" else "twelve_step" for s in people["subject"]
                    ],
                    "started": "2024-01-01",
                    "ended": "2024-02-28",
                    "outcome": "completed",
                }
            ),
            pd.DataFrame(
                {
                    "participant": TWO_PROGRAMMES,
                    "programme": "twelve_step",
                    "started": "2024-03-01",
                    "ended": "",
                    "outcome": "ongoing",
                }
            ),
        ]
    ).to_csv(enrolments, index=False)
    responses = folder / "responses.csv"
    wide = pd.DataFrame(
        [
            {
                "participant": r.subject,
                "timepoint": r.timepoint,
                "administered_at": r.administered_at,
                **{f"q{i + 1}": v for i, v in enumerate(items_for(int(r.score), rng))},
            }
            for r in scores.itertuples()
        ]
    )
    wide.to_csv(responses, index=False)
    activities = folder / "activities.csv"
    pd.DataFrame(
        {
            "participant": ["ALT-0301", "ALT-0303"],
            "activity": "followup_attempt",
            "date": ["2024-06-01", "2024-06-02"],
            "result": ["recalled", "uncontactable"],
            "timepoint": "post_release_12w",
        }
    ).to_csv(activities, index=False)
    path = folder / "recoverycap.db"
    with Store.open(path, library=Library(include_env=False), actor="tester") as store:
        store.import_csv("participants", participants)
        store.import_csv("enrolments", enrolments)
        store.import_csv("responses", responses, instrument="barc10")
        store.import_csv("activities", activities)
    return path


@pytest.fixture
def run(db: Path) -> Iterator:  # type: ignore[type-arg]
    def invoke(*args: str, code: int = 0):  # type: ignore[no-untyped-def]
        result = CliRunner().invoke(
            main,
            ["--db", str(db), *args],
            env={"RECOVERYCAP_INSTRUMENTS": "", "RECOVERYCAP_USER": "tester"},
        )
        assert result.exit_code == code, (result.output, result.exception)
        return result

    yield invoke


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_help_lists_every_command(run) -> None:  # type: ignore[no-untyped-def]
    """`analyse --help` names the five commands."""
    out = run("analyse", "--help").output
    for name in ("change", "trajectory", "reliability", "attrition", "plot"):
        assert name in out


def test_change_table(run, barc10, scores: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    """The table says what changed, in words, and which reliability and SD were used."""
    out = run(
        "analyse", "change", "--instrument", "barc10", "--from", "intake", "--to", "release"
    ).output
    expected = paired_change(scores, before="intake", after="release")
    assert f"Everyone: {expected.n_pairs} people were scored on BARC-10 recovery capital" in out
    assert "instrument file: Cronbach's α 0.90" in out
    assert "sample: SD of the intake scores, n = 40" in out
    assert "recovered" in out and "deteriorated" in out


def test_change_csv_matches_the_library(run, scores: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    """CSV has the stable columns, and the numbers the library gives on the same scores (the
    stored answers sum to the dataset's scores)."""
    rows = _csv(
        run(
            "analyse",
            "change",
            "--instrument",
            "barc10",
            "--from",
            "intake",
            "--to",
            "release",
            "--format",
            "csv",
        ).output
    )
    assert list(rows[0]) == list(CHANGE_COLUMNS)
    expected = paired_change(scores, before="intake", after="release")
    assert int(rows[0]["n_pairs"]) == expected.n_pairs
    assert float(rows[0]["t"]) == pytest.approx(expected.t)
    assert float(rows[0]["p_wilcoxon"]) == pytest.approx(expected.p_wilcoxon)


def test_change_by_programme(run) -> None:  # type: ignore[no-untyped-def]
    """--by programme adds a row per programme from the enrolments; the five people on two
    programmes count in both programmes' rows and once in "all", which is the same as without
    --by; one note says so (and none about duplicated scores)."""
    args = ["analyse", "change", "--instrument", "barc10", "--from", "intake", "--to", "release"]
    result = run(*args, "--by", "programme", "--format", "csv")
    rows = _csv(result.stdout)
    assert [r["group"] for r in rows] == ["all", "ttg", "twelve_step"]
    alone = _csv(run(*args, "--format", "csv").stdout)
    assert rows[0] == alone[0]
    both = sum(1 for _ in TWO_PROGRAMMES)
    assert sum(int(r["n_pairs"]) for r in rows[1:]) > int(rows[0]["n_pairs"])
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert notes == [
        f"note: {both} people are listed under more than one programme (e.g. enrolled on two "
        "programmes): each programme's results include them, and the 'all' results count them "
        "once"
    ]
    categories = _csv(
        run(*args, "--by", "programme", "--table", "categories", "--format", "csv").stdout
    )
    everyone = {r["category"]: r["n"] for r in categories if r["group"] == "all"}
    assert everyone == {
        r["category"]: r["n"]
        for r in _csv(run(*args, "--table", "categories", "--format", "csv").stdout)
    }
    text = run(*args, "--by", "programme").output
    unpaired = run(*args).output.split("people were scored at only one of")[0].splitlines()[-1]
    assert unpaired in text  # the same count of people left out, not one per programme


def test_change_people_sentences(run, barc10, scores: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    """--table people gives one row per person with their sentence, as the library says it."""
    rows = _csv(
        run(
            "analyse",
            "change",
            "--instrument",
            "barc10",
            "--from",
            "intake",
            "--to",
            "release",
            "--table",
            "people",
            "--format",
            "csv",
        ).output
    )
    assert list(rows[0]) == list(PEOPLE_COLUMNS)
    expected = reliable_change(scores, before="intake", after="release", instrument=barc10)
    assert [r["sentence"] for r in rows] == expected.people["sentence"].tolist()
    text = run(
        "analyse",
        "change",
        "--instrument",
        "barc10",
        "--from",
        "intake",
        "--to",
        "release",
        "--table",
        "people",
    ).output
    assert expected.people["sentence"].iloc[0] in text


def test_change_json_names_sources(run) -> None:  # type: ignore[no-untyped-def]
    """JSON holds every table, the inputs and their sources; NaN is null."""
    doc = json.loads(
        run(
            "analyse",
            "change",
            "--instrument",
            "barc10",
            "--from",
            "intake",
            "--to",
            "release",
            "--format",
            "json",
        ).output
    )
    assert set(doc) >= {"change", "categories", "people", "reliable_change_inputs", "notes"}
    assert doc["reliable_change_inputs"]["reliability"] == 0.9
    assert doc["reliable_change_inputs"]["sd_source"].startswith("sample: SD")
    assert {c["category"] for c in doc["categories"]} == {
        "recovered",
        "improved",
        "unchanged",
        "deteriorated",
    }


def test_change_user_values_and_sample(run) -> None:  # type: ignore[no-untyped-def]
    """--reliability/--sd are used as given; --sample computes α from the stored item answers."""
    doc = json.loads(
        run(
            "analyse",
            "change",
            "--instrument",
            "barc10",
            "--from",
            "intake",
            "--to",
            "release",
            "--reliability",
            "0.8",
            "--sd",
            "7",
            "--format",
            "json",
        ).output
    )
    assert doc["reliable_change_inputs"]["reliability_source"] == "given by the user"
    assert doc["reliable_change_inputs"]["sd"] == 7
    doc = json.loads(
        run(
            "analyse",
            "change",
            "--instrument",
            "barc10",
            "--from",
            "intake",
            "--to",
            "release",
            "--sample",
            "--format",
            "json",
        ).output
    )
    assert (
        doc["reliable_change_inputs"]["reliability_source"]
        == "sample: Cronbach's α of the intake item answers, n = 40"
    )
    assert 0 < doc["reliable_change_inputs"]["reliability"] < 1


def test_change_errors_are_plain(run) -> None:  # type: ignore[no-untyped-def]
    """A time point with no scores and conflicting options give messages, not tracebacks."""
    out = run(
        "analyse",
        "change",
        "--instrument",
        "barc10",
        "--from",
        "intake",
        "--to",
        "post_release_26w",
        code=1,
    ).output
    assert "Error:" in out and "post_release_26w" in out and "Traceback" not in out
    out = run(
        "analyse",
        "change",
        "--instrument",
        "barc10",
        "--from",
        "intake",
        "--to",
        "release",
        "--sample",
        "--sd",
        "5",
        code=2,
    ).output
    assert "either --sample or --reliability/--sd" in out
    out = run(
        "analyse", "change", "--instrument", "nosuch", "--from", "intake", "--to", "release", code=1
    ).output
    assert "no instrument with id 'nosuch'" in out


def test_change_names_every_time_point_the_data_hold(run) -> None:  # type: ignore[no-untyped-def]
    """A misspelt --to: the error lists the time points in the data (not only the one that
    matched) and suggests the closest."""
    out = run(
        "analyse",
        "change",
        "--instrument",
        "barc10",
        "--from",
        "intake",
        "--to",
        "programme-end",
        code=1,
    ).output
    assert (
        "Error: --to: no scores at time point 'programme-end' (did you mean 'programme_end'?); "
        "the data hold: intake, programme_end, release, post_release_12w"
    ) in out
    out = run(
        "analyse",
        "plot",
        "jacobson",
        "--instrument",
        "barc10",
        "--from",
        "intak",
        "--to",
        "release",
        "-o",
        "/nonexistent/j.png",
        code=1,
    ).output
    assert "'intak' (did you mean 'intake'?)" in out


def test_an_instrument_nobody_answered_says_so(run) -> None:  # type: ignore[no-untyped-def]
    """K10 is in the library but not in this database: a plain message naming it and the
    filters, not "the data hold: none"."""
    out = run(
        "analyse", "change", "--instrument", "k10", "--from", "intake", "--to", "release", code=1
    ).output
    assert "no participant has answered K10 (k10) in this database, so there is nothing" in out
    out = run("analyse", "reliability", "--instrument", "k10", "--site", "north", code=1).output
    assert "K10 (k10) in this database with --site north" in out


@pytest.mark.parametrize(
    "args",
    [
        ["change", "--from", "intake", "--to", "release"],
        ["trajectory"],
        ["reliability"],
        ["attrition"],
        ["plot", "trajectory", "-o", "/nonexistent/t.png"],
    ],
    ids=lambda a: a[0],
)
def test_worker_questionnaires_point_to_the_team_summary(run, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    """The CBI is a peer-worker questionnaire: every analysis says outcome analysis is of
    participants and worker wellbeing is reported for teams only, instead of "no scores"."""
    out = run("analyse", *args, "--instrument", "cbi", code=1).output
    assert "peer-worker questionnaire" in out
    assert "covers participants only" in out and "recoverycap wellbeing summary" in out
    assert "the data hold: none" not in out


def test_trajectory_by_programme_counts_each_person_once_in_all(run) -> None:  # type: ignore[no-untyped-def]
    """The "all" rows of the summary and the growth model are those without --by."""
    args = ["analyse", "trajectory", "--instrument", "barc10", "--format", "csv"]
    for table in ("summary", "growth", "tests"):
        alone = _csv(run(*args, "--table", table).stdout)
        rows = _csv(run(*args, "--table", table, "--by", "programme").stdout)
        assert [r for r in rows if r["group"] == "all"] == alone, table
        assert {r["group"] for r in rows} == {"all", "ttg", "twelve_step"}


def test_trajectory_checks_time_points_against_all_the_data(run) -> None:  # type: ignore[no-untyped-def]
    """--timepoints with a misspelt one lists every time point the data hold."""
    out = run(
        "analyse",
        "trajectory",
        "--instrument",
        "barc10",
        "--timepoints",
        "intake,programme-end",
        code=1,
    ).output
    assert "'programme-end' (did you mean 'programme_end'?)" in out
    assert "the data hold: intake, programme_end, release, post_release_12w" in out


def test_trajectory(run) -> None:  # type: ignore[no-untyped-def]
    """Means, complete-case tests, pairwise tests and the growth model, in words and as CSV."""
    out = run("analyse", "trajectory", "--instrument", "barc10").output
    assert "intake > programme_end > release > post_release_12w" in out
    assert "Pairwise (Holm-corrected)" in out
    assert "BARC-10 recovery capital rose on average by" in out
    assert "Too few people had repeated scores" not in out
    rows = _csv(
        run(
            "analyse",
            "trajectory",
            "--instrument",
            "barc10",
            "--table",
            "growth",
            "--format",
            "csv",
        ).output
    )
    assert list(rows[0]) == list(GROWTH_COLUMNS)
    assert rows[1]["term"] == "time" and float(rows[1]["estimate"]) > 0


def test_reliability(run) -> None:  # type: ignore[no-untyped-def]
    """α per scale from the stored answers, with item statistics on request. Each person counts
    once by default (their first questionnaire: 40 people, not their 119 questionnaires), and
    the output says which questionnaires were used."""
    rows = _csv(run("analyse", "reliability", "--instrument", "barc10", "--format", "csv").stdout)
    assert list(rows[0]) == list(RELIABILITY_COLUMNS)
    assert rows[0]["scale"] == "total" and int(rows[0]["n"]) == 40
    assert 0 < float(rows[0]["alpha"]) < 1
    text = run("analyse", "reliability", "--instrument", "barc10").output
    assert "Using one questionnaire per person, their first: 40 people." in text
    every = _csv(
        run(
            "analyse",
            "reliability",
            "--instrument",
            "barc10",
            "--all-administrations",
            "--format",
            "csv",
        ).stdout
    )
    assert int(every[0]["n"]) == 119
    doc = json.loads(
        run(
            "analyse",
            "reliability",
            "--instrument",
            "barc10",
            "--timepoint",
            "release",
            "--format",
            "json",
        ).stdout
    )
    assert doc["scales"][0]["n"] == 25 and doc["administrations"] == "first per person"
    assert doc["used"] == "one questionnaire per person, their first at release: 25 people"
    items = _csv(
        run(
            "analyse",
            "reliability",
            "--instrument",
            "barc10",
            "--items",
            "--listwise",
            "--format",
            "csv",
        ).stdout
    )
    assert [r["item"] for r in items] == [f"q{i}" for i in range(1, 11)]


def test_reliability_first_questionnaire_is_each_persons_intake(run, barc10, scores) -> None:  # type: ignore[no-untyped-def]
    """Everyone's first questionnaire here is their intake, so α by default equals α of the
    intake answers alone."""
    default = _csv(
        run("analyse", "reliability", "--instrument", "barc10", "--format", "csv").stdout
    )
    intake = _csv(
        run(
            "analyse",
            "reliability",
            "--instrument",
            "barc10",
            "--timepoint",
            "intake",
            "--format",
            "csv",
        ).stdout
    )
    assert default == intake
    assert scores.groupby("subject")["timepoint"].first().eq("intake").all()


def test_reliability_by_programme_counts_each_person_once_in_all(run) -> None:  # type: ignore[no-untyped-def]
    """With --by programme the "all" row is the same as without it."""
    alone = _csv(run("analyse", "reliability", "--instrument", "barc10", "--format", "csv").stdout)
    rows = _csv(
        run(
            "analyse",
            "reliability",
            "--instrument",
            "barc10",
            "--by",
            "programme",
            "--format",
            "csv",
        ).stdout
    )
    assert [r["group"] for r in rows] == ["all", "ttg", "twelve_step"]
    assert rows[0] == alone[0]
    assert int(rows[1]["n"]) + int(rows[2]["n"]) == 40 + len(TWO_PROGRAMMES)


def test_attrition(run) -> None:  # type: ignore[no-untyped-def]
    """Follow-up counts and the reasons logged with `followup`."""
    rows = _csv(run("analyse", "attrition", "--format", "csv").stdout)
    assert [r["timepoint"] for r in rows] == ["programme_end", "release", "post_release_12w"]
    assert rows[0]["n_baseline"] == "40"
    assert list(rows[0]) == list(FOLLOWED_COLUMNS)
    reasons = _csv(run("analyse", "attrition", "--table", "reasons", "--format", "csv").stdout)
    week12 = {r["reason"] for r in reasons if r["timepoint"] == "post_release_12w"}
    assert {"recalled", "uncontactable"} <= week12


def test_attrition_counts_only_people_due(run, scores: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    """As of 2024-08-15 the 12-week window (release 2024-04-10: due 3 July, closed 17 July) has
    closed for everyone released on 10 April; the two with no release date are unscheduled and
    the one released on 20 June is not yet due, so neither counts as lost: 19 of 37 followed up,
    not 19 of 40. ALT-0301's recall closed the time point, which gives the reason."""
    followed_12w = set(scores.loc[scores["timepoint"] == "post_release_12w", "subject"])
    assert not followed_12w & {*NO_RELEASE, LATE_RELEASE[0]}
    result = run("analyse", "attrition", "--as-of", "2024-08-15", "--format", "json")
    doc = json.loads(result.stdout)
    assert doc["as_of"] == "2024-08-15"
    row = next(r for r in doc["followed"] if r["timepoint"] == "post_release_12w")
    assert row["n_baseline"] == 40
    assert (row["n_unscheduled"], row["n_not_yet_due"]) == (len(NO_RELEASE), 1)
    assert row["n_due"] == 40 - len(NO_RELEASE) - 1
    assert row["n_followed"] == len(followed_12w) == 19
    assert row["n_lost"] == row["n_due"] - row["n_followed"]
    assert row["percent_followed"] == pytest.approx(100 * 19 / 37)
    reasons = {r["reason"]: r["n"] for r in doc["reasons"] if r["timepoint"] == "post_release_12w"}
    assert reasons["recalled"] == 1 and reasons["uncontactable"] == 1
    assert sum(reasons.values()) == row["n_lost"]
    later = json.loads(run("analyse", "attrition", "--format", "json").stdout)
    row = next(r for r in later["followed"] if r["timepoint"] == "post_release_12w")
    assert (row["n_unscheduled"], row["n_not_yet_due"]) == (len(NO_RELEASE), 0)  # window closed
    text = run("analyse", "attrition", "--as-of", "2024-08-15").output
    assert "due as of 2024-08-15" in text and "not counted as lost" in text
    out = run("analyse", "attrition", "--as-of", "15/08/2024", code=1).output
    assert "--as-of" in out and "YYYY-MM-DD" in out


@pytest.mark.parametrize(
    ("kind", "extra", "suffix"),
    [
        ("jacobson", ["--from", "intake", "--to", "release"], "png"),
        ("profile", ["--participant", "ALT-0302"], "svg"),
        ("trajectory", ["--by", "site"], "png"),
    ],
)
def test_plot(run, tmp_path: Path, kind: str, extra: list[str], suffix: str) -> None:  # type: ignore[no-untyped-def]
    """Each plot kind writes a non-empty file."""
    path = tmp_path / f"{kind}.{suffix}"
    out = run("analyse", "plot", kind, "--instrument", "barc10", *extra, "-o", str(path)).output
    assert f"Wrote {path}" in out
    assert path.stat().st_size > 5000


def test_plot_needs_png_or_svg(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Another extension is a usage error naming the file."""
    out = run(
        "analyse",
        "plot",
        "trajectory",
        "--instrument",
        "barc10",
        "-o",
        str(tmp_path / "t.pdf"),
        code=2,
    ).output
    assert "t.pdf" in out


def test_change_without_a_reliability_still_shows_the_change(db: Path, tmp_path: Path) -> None:
    """An instrument file with no reliability (here BARC-10 with its reliability line removed,
    given with --instruments-dir): the change is shown and reliable change says why it is not."""
    from recoverycap.registry import bundled_dir

    text = (bundled_dir() / "barc10.toml").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("reliability = ")]
    assert len(lines) == len(text.splitlines()) - 1
    folder = tmp_path / "instruments"
    folder.mkdir()
    (folder / "barc10.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = [
        "--db",
        str(db),
        "--instruments-dir",
        str(folder),
        "analyse",
        "change",
        "--instrument",
        "barc10",
        "--from",
        "intake",
        "--to",
        "release",
    ]
    result = CliRunner().invoke(main, args, env={"RECOVERYCAP_INSTRUMENTS": ""})
    assert result.exit_code == 0, result.output
    assert "Everyone: 25 people" in result.output
    assert "Not computed: no reliability for total" in result.output
    result = CliRunner().invoke(
        main, [*args, "--table", "people", "--format", "csv"], env={"RECOVERYCAP_INSTRUMENTS": ""}
    )
    assert result.exit_code == 1 and "no reliability" in result.output
