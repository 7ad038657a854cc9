"""The audit log: append-only in the database itself, and a faithful record of every change."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from recoverycap import Missing
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
