"""The audit log: append-only in the database itself, and a faithful record of every change."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from recoverycap import Missing
from recoverycap.errors import NotFound
from recoverycap.store import Store
from recoverycap.store.audit import decode, encode

pytest_plugins = ["store_fixtures"]


@pytest.fixture
def logged(file_store: Store, db_path: Path) -> Path:
    """A database file with some audit entries."""
    file_store.add_participant("ALT-1", site="HMP A")
    file_store.set_release_date("ALT-1", "2025-06-01", "parole board")
    return db_path


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_log SET actor = 'someone else'",
        "UPDATE audit_log SET new_value = NULL WHERE action = 'insert'",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)",
    ],
)
def test_database_refuses_update_and_delete_on_the_audit_log(logged: Path, sql: str) -> None:
    """Even a plain sqlite3 connection (no recoverycap code) cannot change or remove entries."""
    conn = sqlite3.connect(logged)
    before = conn.execute("SELECT * FROM audit_log ORDER BY seq").fetchall()
    with pytest.raises(sqlite3.IntegrityError, match="audit_log is append-only"):
        conn.execute(sql)
    conn.rollback()
    assert conn.execute("SELECT * FROM audit_log ORDER BY seq").fetchall() == before
    conn.close()


def test_appending_is_allowed(logged: Path) -> None:
    """INSERT still works: the log only grows."""
    conn = sqlite3.connect(logged)
    n = conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    conn.execute(
        "INSERT INTO audit_log (id, at, actor, action, table_name) VALUES ('e', '2025-01-01T00:00:00+00:00', 'x', 'insert', 't')"
    )
    conn.commit()
    assert conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == n + 1
    conn.close()


def test_entries_say_who_what_when_and_why(mem_store: Store) -> None:
    """Inserts hold the new record; changes hold old and new values and the reason."""
    p = mem_store.add_participant("ALT-1", site="HMP A", by="PW-3")
    mem_store.update_participant("ALT-1", cohort="2025-spring", reason="joined cohort", by="PW-4")
    [insert, update] = mem_store.history("participants", p.id)
    assert (insert.action, insert.actor, insert.new_value["site"], insert.new_value["code"]) == (
        "insert",
        "PW-3",
        "HMP A",
        "ALT-1",
    )
    assert (
        update.action,
        update.actor,
        update.field,
        update.old_value,
        update.new_value,
        update.reason,
    ) == ("update", "PW-4", "cohort", None, "2025-spring", "joined cohort")
    assert insert.at <= update.at


@pytest.mark.parametrize(
    "value", [3, 3.5, "3", "héllo\nworld", None, Missing("declined"), {"a": [1, "b"]}]
)
def test_values_keep_their_kind_in_the_log(value: object) -> None:
    """A code, a number, text and a missing answer stay distinct when logged."""
    assert decode(encode(value)) == value
    assert type(decode(encode(value))) is type(value)


def test_filters(mem_store: Store) -> None:
    mem_store.add_participant("ALT-1", by="PW-1")
    mem_store.add_participant("ALT-2", by="PW-2")
    assert [
        e.new_value["code"] for e in mem_store.audit_log(table="participants", actor="PW-2")
    ] == ["ALT-2"]
    assert [
        e.new_value["code"]
        for e in mem_store.audit_log(table="participants", newest_first=True, limit=1)
    ] == ["ALT-2"]
    assert mem_store.audit_log(since="2999-01-01") == []


# -- whose values an entry holds; a person's entries -------------------------------------------------
def give(
    store: Store, code: str, subject_type: str = "participant", day: str = "2025-01-02"
) -> str:
    """A completed tiny administration (a1 = 1 raises the a1_always alert); its id."""
    adm = store.start_administration(
        code, "tiny", "intake", subject_type=subject_type, administered_at=day
    )
    store.record_answer(adm.id, "a1", 1)
    store.complete_administration(adm.id)
    store.correct_answer(adm.id, "a2", 4, "typed in late")
    return adm.id


@pytest.fixture
def people(mem_store: Store) -> Store:
    mem_store.add_participant("ALT-1", release_date="2025-06-01")
    mem_store.add_participant("ALT-2")
    mem_store.add_worker("PW-07")
    mem_store.enrol("ALT-1", "ttg", "2025-01-01")
    mem_store.add_activity("ALT-1", "one_to_one", "2025-02-01")
    give(mem_store, "ALT-1")
    give(mem_store, "ALT-2")
    give(mem_store, "PW-07", "worker")
    return mem_store


def test_each_entry_says_whose_answer_and_score_values_it_holds(people: Store) -> None:
    """Answers, scores and alerts of a worker's administration are ``worker``; a participant's
    are ``participant``; entries with no answer or score values (a status change, the alert's
    acknowledgement, a registration) are None."""
    worker_adm = people.administrations(subject_type="worker")[0].id
    [alert] = people.alerts(worker_adm)
    people.acknowledge_alert(alert.id, by="PW-01")
    whose = {(e.table, e.field, e.values_of) for e in people.audit_log()}
    worker_answers = {
        e.values_of
        for e in people.audit_log(table="answers")
        if people.conn.execute(
            "SELECT a.subject_type FROM answers x JOIN administrations a ON a.id = x.administration_id WHERE x.id = ?",
            (e.record_id,),
        ).fetchone()[0]
        == "worker"
    }
    assert worker_answers == {"worker"}
    assert ("answers", "a1", "participant") in whose and ("answers", "a1", "worker") in whose
    assert ("scores", "sum", "worker") in whose and ("scores", "sum", "participant") in whose
    assert ("alerts", None, "worker") in whose and ("alerts", None, "participant") in whose
    assert ("alerts", "acknowledged_by", None) in whose
    assert {e.values_of for e in people.audit_log(table="administrations")} == {None}
    assert {e.values_of for e in people.audit_log(table="participants")} == {None}


def test_entries_of_a_deleted_administration_are_still_traced(people: Store) -> None:
    """Deleting a worker's administration removes its records, but its earlier entries (and the
    deletion's own, which holds the answers and scores) are still known to be a worker's, and
    still found by worker=."""
    adm = people.administrations(subject_type="worker")[0].id
    before = {e.id for e in people.audit_log(worker="PW-07") if e.table == "answers"}
    assert before
    people.delete_administration(adm, "entered for the wrong worker")
    entries = people.audit_log(worker="PW-07")
    assert before <= {e.id for e in entries}
    assert {e.values_of for e in entries if e.table in ("answers", "scores", "alerts")} == {
        "worker"
    }
    [deletion] = [e for e in entries if e.action == "delete"]
    assert deletion.values_of == "worker" and deletion.old_value["answers"]["a1"] == 1


def test_values_that_cannot_be_traced_are_marked_unknown(people: Store) -> None:
    """An administration deleted by recoverycap 0.1.0 (whose deletion entry did not list its
    records' ids): the entries of its answers cannot be traced, so they say ``unknown``."""
    adm = people.administrations(subject="ALT-2")[0].id
    answer_entries = [
        e.id
        for e in people.audit_log(table="answers")
        if e.record_id
        in {
            r[0]
            for r in people.conn.execute(
                "SELECT id FROM answers WHERE administration_id = ?", (adm,)
            )
        }
    ]
    with people.transaction():  # what 0.1.0's delete_administration did
        for table in ("alerts", "scores", "answers"):
            people.conn.execute(f"DELETE FROM {table} WHERE administration_id = ?", (adm,))
        people.conn.execute("DELETE FROM administrations WHERE id = ?", (adm,))
        people._audit(
            "delete",
            "administrations",
            adm,
            old={"subject_type": "participant", "subject": "ALT-2", "answers": {}, "scores": {}},
            reason="old deletion",
        )
    whose = {e.id: e.values_of for e in people.audit_log(table="answers")}
    assert {whose[i] for i in answer_entries} == {"unknown"}
    assert [e.values_of for e in people.audit_log(action="delete")] == ["participant"]


def test_a_participants_entries(people: Store) -> None:
    """participant= finds the entries of every record of theirs: the participant, release
    dates, enrolments, activities, administrations, answers, scores and alerts, and nobody
    else's."""
    entries = people.audit_log(participant="alt-1")
    pid = people.participant("ALT-1").id
    assert {e.table for e in entries} == {
        "participants",
        "release_dates",
        "enrolments",
        "activities",
        "administrations",
        "answers",
        "scores",
        "alerts",
    }
    mine = {pid} | {
        r[0]
        for sql in (
            "SELECT id FROM release_dates WHERE participant_id = ?",
            "SELECT id FROM enrolments WHERE participant_id = ?",
            "SELECT id FROM activities WHERE participant_id = ?",
            "SELECT id FROM administrations WHERE participant_id = ?",
            "SELECT x.id FROM answers x JOIN administrations a ON a.id = x.administration_id WHERE a.participant_id = ?",
            "SELECT x.id FROM scores x JOIN administrations a ON a.id = x.administration_id WHERE a.participant_id = ?",
            "SELECT x.id FROM alerts x JOIN administrations a ON a.id = x.administration_id WHERE a.participant_id = ?",
        )
        for r in people.conn.execute(sql, (pid,))
    }
    assert {e.record_id for e in entries} == mine
    assert [e for e in people.audit_log() if e.record_id in mine] == entries
    assert {e.values_of for e in entries} <= {None, "participant"}


def test_a_workers_entries_and_unknown_codes(people: Store) -> None:
    entries = people.audit_log(worker="PW-07")
    assert {e.table for e in entries} == {
        "workers",
        "administrations",
        "answers",
        "scores",
        "alerts",
    }
    with pytest.raises(NotFound, match="no participant with code 'PW-07'"):
        people.audit_log(participant="PW-07")
    with pytest.raises(NotFound, match="no peer worker with code 'ALT-1'"):
        people.audit_log(worker="ALT-1")
