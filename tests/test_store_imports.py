"""Imports: all or nothing, every problem reported, idempotent, streamed in chunks."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from store_helpers import make_library, write_csv

from recoverycap import Library, Missing, score
from recoverycap.errors import ImportProblems
from recoverycap.store import Store
from recoverycap.store import import_responses as imports_module
from recoverycap.store.administrations import BulkScorer, check_answer

pytest_plugins = ["store_fixtures"]

LONG = [
    "participant",
    "timepoint",
    "instrument",
    "item",
    "value",
    "missing_reason",
    "administered_at",
]


def barc_rows(code: str, tp: str, day: str, values: list[Any]) -> list[list[Any]]:
    return [
        [
            code,
            tp,
            "barc10",
            f"q{i}",
            v if not isinstance(v, Missing) else "",
            v.reason if isinstance(v, Missing) else "",
            day,
        ]
        for i, v in enumerate(values, 1)
    ]


def register(store: Store, *codes: str) -> None:
    for code in codes:
        store.add_participant(code)


# -- all or nothing ---------------------------------------------------------------------------------
BAD_ROW_CASES = {
    "participants": (
        ["participant", "site", "cohort", "release_date"],
        lambda i: [f"ALT-{i}", "HMP A", "c1", "2025-06-01"],
        ["ALT-X", "HMP A", "c1", "31/06/2025"],
        "release_date",
    ),
    "enrolments": (
        ["participant", "programme", "started", "ended", "outcome", "reason", "substance_outcome"],
        lambda i: [
            f"ALT-{i}",
            "ttg",
            "2025-01-01",
            "2025-03-01",
            "not_completed",
            "released",
            "abstinent",
        ],
        ["ALT-X", "ttg", "2025-01-01", "2025-03-01", "completed", "released", ""],
        "reason",
    ),
    "activities": (
        ["participant", "programme", "activity", "date", "result"],
        lambda i: [f"ALT-{i}", "ttg", "gate_pickup", "2025-06-01", "successful"],
        ["ALT-X", "ttg", "gate_pickup", "2025-06-01", "late"],
        "result",
    ),
    "responses": (
        LONG,
        lambda i: [
            f"ALT-{i // 10}",
            "intake",
            "barc10",
            f"q{i % 10 + 1}",
            1 + i % 6,
            "",
            "2025-01-01",
        ],
        ["ALT-1", "programme_end", "barc10", "q3", "7", "", "2025-03-01"],
        "value",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_ROW_CASES))
def test_one_bad_row_in_the_middle_writes_nothing(
    file_store: Store, tmp_path: Path, kind: str
) -> None:
    """A single invalid row halfway through: ImportProblems names the file, row and column, and
    no table changes at all."""
    header, good, bad, column = BAD_ROW_CASES[kind]
    register(file_store, *[f"ALT-{i}" for i in range(5)])
    rows = [good(i) for i in range(40)]
    rows.insert(20, bad)
    path = write_csv(tmp_path / f"{kind}.csv", [header, *rows])
    before = file_store.counts()
    with pytest.raises(ImportProblems) as caught:
        file_store.import_csv(kind, path)
    assert file_store.counts() == before
    [problem] = caught.value.problems
    assert (problem.where, problem.field) == (f"{kind}.csv row 22", column)
    assert "nothing was imported" in str(caught.value)


def test_every_problem_is_listed(mem_store: Store, tmp_path: Path) -> None:
    """Each bad cell is reported with its row, column, what is allowed and what was given."""
    register(mem_store, "ALT-1")
    path = write_csv(
        tmp_path / "r.csv",
        [
            LONG,
            ["ALT-1", "intake", "barc10", "q1", "7", "", "2025-01-01"],
            ["ALT-1", "Intake Week", "barc10", "q2", "3", "", "2025-01-01"],
            ["ALT-1", "intake", "barc11", "q3", "3", "", "2025-01-01"],
            ["ALT-1", "intake", "barc10", "q44", "3", "", "2025-01-01"],
            ["ALT-1", "intake", "barc10", "q5", "3", "refused", "2025-01-01"],
            ["ALT-1", "intake", "barc10", "q6", "", "maybe", "2025-01-01"],
            ["John Smith", "intake", "barc10", "q7", "3", "", "2025-01-01"],
            ["ALT-1", "intake", "barc10", "q8", "3", "", "01/01/2025"],
            ["ALT-2", "intake", "barc10", "q9", "3", "", "2025-01-01"],
        ],
    )
    with pytest.raises(ImportProblems) as caught:
        mem_store.import_csv("responses", path)
    found = {(p.where.split()[-1], p.field): p.message for p in caught.value.problems}
    assert set(found) == {
        ("2", "value"),
        ("3", "timepoint"),
        ("4", "instrument"),
        ("5", "item"),
        ("6", "value"),
        ("7", "missing_reason"),
        ("8", "participant"),
        ("9", "administered_at"),
        ("10", "participant"),
    }
    assert "7 is not one of 1–6" in found[("2", "value")]
    assert "no instrument with id 'barc11'" in found[("4", "instrument")]
    assert "not both" in found[("6", "value")]
    assert "'maybe' is not one of declined" in found[("7", "missing_reason")]
    assert "looks like a name" in found[("8", "participant")]
    assert "ALT-2 is not registered" in found[("10", "participant")]
    assert mem_store.counts()["answers"] == 0


@pytest.mark.parametrize(
    ("rows", "says"),
    [
        ([], "the file is empty"),
        ([["participant", "item"]], "required column(s) missing"),
        ([[*LONG, "colour"]], "unknown column(s)"),
        ([[*LONG, "item"]], "appears twice"),
    ],
)
def test_header_problems(
    mem_store: Store, tmp_path: Path, rows: list[list[str]], says: str
) -> None:
    path = write_csv(tmp_path / "r.csv", rows)
    with pytest.raises(ImportProblems, match=said(says)):
        mem_store.import_csv("responses", path)


def said(text: str) -> str:
    import re

    return re.escape(text)


def test_not_utf8_and_ragged_rows(mem_store: Store, tmp_path: Path) -> None:
    """A file saved in another encoding, and a row with more cells than columns, are reported."""
    path = tmp_path / "latin.csv"
    path.write_bytes("participant,site\nALT-1,Wandsworth caf\xe9\n".encode("latin-1"))
    with pytest.raises(ImportProblems, match="not UTF-8"):
        mem_store.import_csv("participants", path)
    path = write_csv(
        tmp_path / "ragged.csv", [["participant", "site"], ["ALT-1", "HMP A", "extra"]]
    )
    with pytest.raises(ImportProblems, match="3 cells but the header has 2"):
        mem_store.import_csv("participants", path)


# -- idempotent ---------------------------------------------------------------------------------------
def test_participants_import_and_reimport(mem_store: Store, tmp_path: Path) -> None:
    """Importing twice changes nothing; a changed file updates and logs each change."""
    rows = [
        ["participant", "site", "cohort", "release_date"],
        ["ALT-1", "HMP A", "c1", "2025-06-01"],
        ["ALT-2", "HMP B", "", ""],
        ["", "", "", ""],
    ]
    path = write_csv(tmp_path / "p.csv", rows)
    first = mem_store.import_csv("participants", path)
    assert (first.rows, first.created, first.updated, first.unchanged) == (2, 2, 0, 0)
    snapshot = mem_store.counts()
    again = mem_store.import_csv("participants", path)
    assert (again.created, again.updated, again.unchanged, again.import_id) == (0, 0, 2, None)
    assert mem_store.counts() == snapshot
    rows[1] = ["ALT-1", "Community North", "c1", "2025-05-01"]
    changed = mem_store.import_csv("participants", write_csv(tmp_path / "p2.csv", rows))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    p = mem_store.participant("ALT-1")
    assert (p.site, str(p.release_date)) == ("Community North", "2025-05-01")
    [site_change] = [e for e in mem_store.audit_log(table="participants") if e.field == "site"]
    assert (site_change.old_value, site_change.reason) == ("HMP A", "imported from p2.csv row 2")
    assert [str(h.release_date) for h in mem_store.release_history("ALT-1")] == [
        "2025-06-01",
        "2025-05-01",
    ]


def test_enrolments_register_new_codes_and_reimport(mem_store: Store, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "e.csv",
        [
            [
                "participant",
                "programme",
                "started",
                "ended",
                "outcome",
                "reason",
                "substance_outcome",
            ],
            ["ALT-1", "ttg", "2025-01-01", "", "", "", ""],
            [
                "ALT-2",
                "twelve_step",
                "2024-09-01",
                "2024-12-01",
                "not_completed",
                "transferred",
                "none",
            ],
        ],
    )
    report = mem_store.import_csv("enrolments", path)
    assert (report.created, report.registered) == (2, 2)
    assert [p.code for p in mem_store.participants()] == ["ALT-1", "ALT-2"]
    snapshot = mem_store.counts()
    assert mem_store.import_csv("enrolments", path).unchanged == 2
    assert mem_store.counts() == snapshot
    ended = write_csv(
        tmp_path / "e2.csv",
        [
            ["participant", "programme", "started", "ended", "outcome"],
            ["ALT-1", "ttg", "2025-01-01", "2025-04-01", "completed"],
        ],
    )
    assert mem_store.import_csv("enrolments", ended).updated == 1
    assert mem_store.enrolments(participant="ALT-1")[0].outcome == "completed"


def test_activities_identical_rows_are_kept_and_not_duplicated_on_reimport(
    mem_store: Store, tmp_path: Path
) -> None:
    """Two identical follow-up attempts on one day are two attempts; importing again adds none."""
    path = write_csv(
        tmp_path / "a.csv",
        [
            ["participant", "activity", "date", "result", "mode"],
            ["ALT-1", "followup_attempt", "2025-07-01", "no_answer", "phone"],
            ["ALT-1", "followup_attempt", "2025-07-01", "no_answer", "phone"],
            ["", "recovery_pack", "2025-07-02", "", ""],
        ],
    )
    report = mem_store.import_csv("activities", path)
    assert (report.created, report.registered) == (3, 1)
    snapshot = mem_store.counts()
    assert mem_store.import_csv("activities", path).unchanged == 3
    assert mem_store.counts() == snapshot
    assert [a.result for a in mem_store.activities(kind="followup_attempt")] == [
        "no_answer",
        "no_answer",
    ]


def test_responses_complete_scored_and_idempotent(
    mem_store: Store, tmp_path: Path, lib: Library
) -> None:
    """Each administration is complete, unlisted items are not_asked, scores equal
    recoverycap.score; a second import writes nothing."""
    register(mem_store, "ALT-1", "ALT-2")
    a1 = [6, 5, 4, 5, 6, 5, 4, 6, 5, 5]
    a2 = [1, 2, Missing("declined"), 2, 1, 2, 3, 1, 2]  # q10 not in the file
    path = write_csv(
        tmp_path / "r.csv",
        [
            LONG,
            *barc_rows("ALT-1", "intake", "2025-01-02", a1),
            *barc_rows("ALT-2", "intake", "2025-01-03T10:00:00+00:00", a2),
        ],
    )
    report = mem_store.import_csv("responses", path)
    assert (report.rows, report.created, report.answers) == (19, 2, 20)
    barc = lib.get("barc10")
    [adm1] = mem_store.administrations(subject="ALT-1")
    [adm2] = mem_store.administrations(subject="ALT-2")
    assert (adm1.status, adm1.administered_at, adm1.mode) == ("complete", "2025-01-02", None)
    assert mem_store.answers(adm2.id)["q10"] == Missing("not_asked")
    assert mem_store.answers(adm2.id)["q3"] == Missing("declined")
    assert mem_store.scores(adm1.id) == score(barc, {f"q{i}": v for i, v in enumerate(a1, 1)})
    assert mem_store.scores(adm2.id) == score(barc, {f"q{i}": v for i, v in enumerate(a2, 1)})
    assert mem_store.scores(adm1.id)["total"].score == 51  # 6+5+4+5+6+5+4+6+5+5, summed by hand
    snapshot = mem_store.counts()
    again = mem_store.import_csv("responses", path)
    assert (again.created, again.updated, again.unchanged, again.answers) == (0, 0, 2, 0)
    assert mem_store.counts() == snapshot


def test_a_changed_response_file_corrects_logs_and_rescores(
    mem_store: Store, tmp_path: Path, lib: Library
) -> None:
    register(mem_store, "ALT-1")
    values = [3] * 10
    mem_store.import_csv(
        "responses",
        write_csv(tmp_path / "r.csv", [LONG, *barc_rows("ALT-1", "intake", "2025-01-02", values)]),
    )
    values[3] = 6
    report = mem_store.import_csv(
        "responses",
        write_csv(tmp_path / "r2.csv", [LONG, *barc_rows("ALT-1", "intake", "2025-01-02", values)]),
    )
    assert (report.created, report.updated) == (0, 1)
    [adm] = mem_store.administrations(subject="ALT-1")
    assert mem_store.scores(adm.id)["total"].score == 33
    [entry] = mem_store.audit_log(action="correct")
    assert (entry.field, entry.old_value, entry.new_value, entry.reason) == (
        "q4",
        3,
        6,
        "imported from r2.csv row 5",
    )


def test_rows_of_one_administration_far_apart_are_merged(
    mem_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lib: Library
) -> None:
    """An administration's rows need not be together, even across chunks; a second copy of an
    item in the file is still reported."""
    monkeypatch.setattr(imports_module, "CHUNK_ROWS", 7)
    register(mem_store, "ALT-1", "ALT-2")
    one = barc_rows("ALT-1", "intake", "2025-01-02", [1, 2, 3, 4, 5, 6, 1, 2, 3, 4])
    two = barc_rows("ALT-2", "intake", "2025-01-02", [2] * 10)
    rows = [r for pair in zip(one, two, strict=True) for r in pair]
    mem_store.import_csv("responses", write_csv(tmp_path / "r.csv", [LONG, *rows]))
    [adm] = mem_store.administrations(subject="ALT-1")
    assert mem_store.answers(adm.id) == {
        f"q{i}": v for i, v in enumerate([1, 2, 3, 4, 5, 6, 1, 2, 3, 4], 1)
    }
    assert mem_store.scores(adm.id) == score(lib.get("barc10"), mem_store.answers(adm.id))
    register(mem_store, "ALT-3")
    dup = barc_rows("ALT-3", "intake", "2025-01-02", [1] * 10)
    rows = dup[:5] + two[:3] + dup[5:] + [dup[2]]
    before = mem_store.counts()
    with pytest.raises(ImportProblems, match="given twice"):
        mem_store.import_csv("responses", write_csv(tmp_path / "dup.csv", [LONG, *rows]))
    assert mem_store.counts() == before


def test_chunk_size_does_not_change_the_result(tmp_path: Path) -> None:
    """Small chunks and one chunk store the same answers and scores."""
    rng = random.Random(5)
    rows = [LONG]
    for p in range(12):
        for tp, day in (("intake", "2025-01-01"), ("release", "2025-04-01")):
            rows += barc_rows(
                f"ALT-{p}",
                tp,
                day,
                [rng.choice([1, 2, 3, 4, 5, 6, Missing("dont_know")]) for _ in range(10)],
            )
    path = write_csv(tmp_path / "r.csv", rows)
    frames = []
    for size in (3, 100_000):
        imports_module.CHUNK_ROWS, old = size, imports_module.CHUNK_ROWS
        try:
            with Store.open(":memory:", library=make_library()) as store:
                register(store, *[f"ALT-{p}" for p in range(12)])
                store.import_csv("responses", path)
                frames.append(store.scores_frame().drop(columns="administration_id"))
        finally:
            imports_module.CHUNK_ROWS = old
    assert frames[0].equals(frames[1])


def test_in_progress_administration_blocks_an_import_of_the_same(
    mem_store: Store, tmp_path: Path
) -> None:
    register(mem_store, "ALT-1")
    mem_store.start_administration("ALT-1", "barc10", "intake", administered_at="2025-01-02")
    with pytest.raises(ImportProblems, match="in progress in the database"):
        mem_store.import_csv(
            "responses",
            write_csv(
                tmp_path / "r.csv", [LONG, *barc_rows("ALT-1", "intake", "2025-01-02", [3] * 10)]
            ),
        )


def test_dry_run_counts_and_writes_nothing(file_store: Store, tmp_path: Path) -> None:
    register(file_store, "ALT-1")
    path = write_csv(
        tmp_path / "r.csv", [LONG, *barc_rows("ALT-1", "intake", "2025-01-02", [3] * 10)]
    )
    before = file_store.counts()
    report = file_store.import_csv("responses", path, dry_run=True)
    assert (report.dry_run, report.created, report.answers, report.import_id) == (True, 1, 10, None)
    assert file_store.counts() == before
    assert "dry run, nothing written" in report.summary()


def test_progress_is_reported(
    mem_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports_module, "CHUNK_ROWS", 10)
    register(mem_store, *[f"ALT-{i}" for i in range(5)])
    rows = [LONG] + [
        r for i in range(5) for r in barc_rows(f"ALT-{i}", "intake", "2025-01-02", [2] * 10)
    ]
    seen: list[int] = []
    mem_store.import_csv("responses", write_csv(tmp_path / "r.csv", rows), progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 50 and len(seen) >= 3


# -- wide ---------------------------------------------------------------------------------------------
def test_wide_responses_with_missing_columns_and_ignored_columns(
    mem_store: Store, tmp_path: Path
) -> None:
    register(mem_store, "ALT-1")
    header = [
        "participant",
        "timepoint",
        "administered_at",
        "mode",
        "notes",
        *[f"q{i}" for i in range(1, 11)],
        "q2_missing",
    ]
    path = write_csv(
        tmp_path / "w.csv",
        [
            header,
            [
                "ALT-1",
                "intake",
                "2025-02-01",
                "paper",
                "x",
                4,
                "",
                4,
                4,
                4,
                4,
                4,
                4,
                4,
                4,
                "declined",
            ],
        ],
    )
    report = mem_store.import_csv("responses", path, instrument="barc10")
    assert report.ignored_columns == ("notes",)
    [adm] = mem_store.administrations(subject="ALT-1")
    assert adm.mode == "paper"
    assert mem_store.answers(adm.id)["q2"] == Missing("declined")
    assert mem_store.scores(adm.id)["total"].answered == 9


def test_wide_export_imports_back_unchanged(mem_store: Store, tmp_path: Path) -> None:
    """A wide export (barc10_q1, barc10_q1_missing, ...) imported into another database gives the
    same answers and scores; into the same database it changes nothing."""
    register(mem_store, "ALT-1", "ALT-2")
    mem_store.import_csv(
        "responses",
        write_csv(
            tmp_path / "r.csv",
            [
                LONG,
                *barc_rows(
                    "ALT-1",
                    "intake",
                    "2025-01-02",
                    [1, 2, 3, 4, 5, 6, Missing("declined"), 2, 3, 4],
                ),
                *barc_rows("ALT-2", "release", "2025-03-02", [6] * 10),
            ],
        ),
    )
    out = tmp_path / "wide.csv"
    mem_store.export("responses", out, wide=True)
    snapshot = mem_store.counts()
    assert mem_store.import_csv("responses", out, instrument="barc10").unchanged == 2
    assert mem_store.counts() == snapshot
    with Store.open(":memory:", library=make_library()) as other:
        register(other, "ALT-1", "ALT-2")
        other.import_csv("responses", out, instrument="barc10")
        mine = mem_store.answers_frame().drop(columns="administration_id")
        theirs = other.answers_frame().drop(columns="administration_id")
        assert mine.equals(theirs)


# -- the bulk scorer is the scoring engine --------------------------------------------------------
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_bulk_scoring_equals_recoverycap_score_for_every_instrument(
    lib: Library, data: st.DataObject
) -> None:
    """The importer's fast scorer gives exactly recoverycap.score's sheet on every instrument."""
    inst = data.draw(st.sampled_from(list(lib)))
    answers = {}
    for item in inst.items:
        if item.kind == "text":
            choice = st.one_of(st.just("some text"), st.just(Missing("declined")))
        elif inst.options(item):
            choice = st.one_of(
                st.sampled_from([o.code for o in inst.options(item)]),
                st.sampled_from([Missing("declined"), Missing("not_asked")]),
            )
        else:
            lo, hi = inst.value_range(item)
            number = (
                st.floats(lo, hi, allow_nan=False)
                if item.kind == "number"
                else st.integers(int(lo), int(hi))
            )
            choice = st.one_of(number, st.just(Missing("dont_know")))
        answers[item.id] = check_answer(inst, item.id, data.draw(choice))
    assert BulkScorer(inst).sheet(answers) == score(inst, answers)


# -- the same rules as the library, row by row ------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "header", "row", "column", "says"),
    [
        (
            "enrolments",
            ["participant", "programme", "started", "ended", "outcome", "reason"],
            ["ALT-1", "ttg", "2025-01-01", "2025-03-01", "not_completed", ""],
            "reason",
            "an enrolment that was not completed needs a reason for non-completion",
        ),
        (
            "activities",
            ["participant", "activity", "date"],
            ["ALT-1", "one_to_one", "2030-01-01"],
            "date",
            "the date 2030-01-01 is in the future; record an activity once it has happened",
        ),
        (
            "activities",
            ["participant", "activity", "date", "notes"],
            ["ALT-1", "one_to_one", "2025-01-01", "was A1234BC on B wing"],
            "notes",
            "'A1234BC' (character 5) looks like a prison number",
        ),
    ],
)
def test_rows_breaking_a_record_rule_are_listed_with_row_and_column(
    mem_store: Store,
    tmp_path: Path,
    kind: str,
    header: list[str],
    row: list[str],
    column: str,
    says: str,
) -> None:
    """A not_completed enrolment without a reason, an activity dated in the future and notes
    holding a prison number are refused as the library refuses them; nothing is written."""
    good = {"enrolments": ["ALT-2", "ttg", "2025-01-01", "2025-03-01", "completed", ""]}.get(
        kind, ["ALT-2", "one_to_one", "2025-01-01"] + [""] * (len(header) - 3)
    )
    path = write_csv(tmp_path / f"{kind}.csv", [header, good, row])
    before = mem_store.counts()
    with pytest.raises(ImportProblems) as caught:
        mem_store.import_csv(kind, path)
    [problem] = caught.value.problems
    assert (problem.where, problem.field) == (f"{kind}.csv row 3", column)
    assert says in problem.message
    assert mem_store.counts() == before


def test_imported_alerts_are_logged_once(mem_store: Store, tmp_path: Path) -> None:
    """Each alert an imported administration raises is stored with its audit entry (who
    imported it, the file and row); importing the file again adds neither; a re-import that
    corrects an answer into raising an alert logs that alert once."""
    register(mem_store, "ALT-1", "ALT-2")

    def phq9(code: str, q9: int) -> list[list[Any]]:
        return [
            [code, "intake", "phq9", f"q{i}", q9 if i == 9 else 1, "", "2025-01-02"]
            for i in range(1, 10)
        ]

    path = write_csv(tmp_path / "r.csv", [LONG, *phq9("ALT-1", 2), *phq9("ALT-2", 0)])
    mem_store.import_csv("responses", path, by="PW-3")
    [alert] = mem_store.alerts()
    [entry] = mem_store.audit_log(table="alerts")
    assert (alert.subject, alert.item, alert.value) == ("ALT-1", "q9", 2)
    assert (entry.record_id, entry.actor, entry.reason) == (
        alert.id,
        "PW-3",
        "imported from r.csv row 2",
    )
    mem_store.import_csv("responses", path, by="PW-3")
    assert len(mem_store.alerts()) == 1 and len(mem_store.audit_log(table="alerts")) == 1
    fixed = write_csv(tmp_path / "r2.csv", [LONG, *phq9("ALT-1", 2), *phq9("ALT-2", 1)])
    assert mem_store.import_csv("responses", fixed, by="PW-4").updated == 1
    assert [a.subject for a in mem_store.alerts()] == ["ALT-1", "ALT-2"]
    assert [e.actor for e in mem_store.audit_log(table="alerts")] == ["PW-3", "PW-4"]
