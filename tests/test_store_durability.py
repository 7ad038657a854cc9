"""Never losing an answer: a killed process loses nothing it saved, a killed import leaves nothing
half-done, and two programs writing at once lose no rows and never see "database is locked"."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from store_helpers import DATA, write_csv

from recoverycap import Library, Missing, score
from recoverycap.store import Store

pytest_plugins = ["store_fixtures"]

PRELUDE = f"""
import os, signal, sys, time
from recoverycap import Library, Missing
from recoverycap.store import Store
library = Library([{str(DATA)!r}], include_env=False)
"""


def run_child(body: str, *args: str) -> subprocess.CompletedProcess[str]:
    code = PRELUDE + textwrap.dedent(body)
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_killed_administration_resumes_with_every_answer(db_path: Path, lib: Library) -> None:
    """A process records four answers and is killed (SIGKILL, no clean-up); the next one finds
    the administration in progress with all four answers, finishes it and scores it."""
    with Store.open(db_path, library=lib) as store:
        store.add_participant("ALT-1")
    child = run_child(
        """
        store = Store.open(sys.argv[1], library=library, actor="PW-1")
        adm = store.start_administration("ALT-1", "tiny", "intake", mode="read_aloud")
        for item, value in [("a1", 2), ("a2", "4"), ("a3", Missing("declined")), ("note", "said: ça va 👍")]:
            store.record_answer(adm.id, item, value)
        print(adm.id, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """,
        str(db_path),
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    adm_id = child.stdout.strip()
    with Store.open(db_path, library=lib) as store:
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        [unfinished] = store.in_progress("ALT-1")
        assert (unfinished.id, unfinished.mode) == (adm_id, "read_aloud")
        expected = {"a1": 2, "a2": 4, "a3": Missing("declined"), "note": "said: ça va 👍"}
        assert store.answers(adm_id) == expected
        store.record_answer(adm_id, "days", 5)
        sheet = store.complete_administration(adm_id)
        assert sheet == score(lib.get("tiny"), expected | {"days": 5})


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_killed_import_leaves_nothing(db_path: Path, lib: Library, tmp_path: Path) -> None:
    """An import killed halfway (after several chunks were written in its transaction) leaves the
    database exactly as it was."""
    with Store.open(db_path, library=lib) as store:
        for p in range(30):
            store.add_participant(f"ALT-{p}")
        before = store.counts()
    rows = [
        [
            "participant",
            "timepoint",
            "instrument",
            "item",
            "value",
            "missing_reason",
            "administered_at",
        ]
    ]
    rows += [
        [f"ALT-{p}", "intake", "barc10", f"q{i}", 3, "", "2025-01-01"]
        for p in range(30)
        for i in range(1, 11)
    ]
    path = write_csv(tmp_path / "r.csv", rows)
    child = run_child(
        """
        from recoverycap.store import import_responses
        import_responses.CHUNK_ROWS = 20
        store = Store.open(sys.argv[1], library=library)

        def progress(rows):
            if rows > 150:
                os.kill(os.getpid(), signal.SIGKILL)

        store.import_csv("responses", sys.argv[2], progress=progress)
        """,
        str(db_path),
        str(path),
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    with Store.open(db_path, library=lib) as store:
        assert store.counts() == before
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


WRITER = """
store = Store.open(sys.argv[1], library=library, actor=f"writer-{sys.argv[2]}")
go = sys.argv[3]
while not os.path.exists(go):
    time.sleep(0.005)
for i in range(int(sys.argv[4])):
    code = f"P{sys.argv[2]}-{i:03d}"
    store.add_participant(code)
    adm = store.start_administration(code, "tiny", "intake")
    for item, value in (("a1", 1 + i % 5), ("a2", 2), ("a3", 3), ("days", i % 8), ("note", f"n{i}")):
        store.record_answer(adm.id, item, value)
    store.complete_administration(adm.id)
print("done", flush=True)
"""


def test_two_programs_writing_at_once_lose_nothing(
    db_path: Path, lib: Library, tmp_path: Path
) -> None:
    """Two processes each register 100 participants and record 500 answers at the same time:
    every row arrives, and neither sees "database is locked"."""
    Store.open(db_path, library=lib).close()
    go = tmp_path / "go"
    per_writer = 100
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                PRELUDE + WRITER,
                str(db_path),
                str(k),
                str(go),
                str(per_writer),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in (1, 2)
    ]
    time.sleep(0.5)  # both are open and waiting
    go.touch()
    results = [p.communicate(timeout=180) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0 and out.strip() == "done", err
        assert "locked" not in err
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM participants").fetchone()[0] == 2 * per_writer
    assert conn.execute("SELECT count(*) FROM answers").fetchone()[0] == 2 * per_writer * 5
    assert (
        conn.execute("SELECT count(*) FROM administrations WHERE status = 'complete'").fetchone()[0]
        == 2 * per_writer
    )
    assert conn.execute("SELECT count(*) FROM scores").fetchone()[0] == 2 * per_writer * 2
    for k in (1, 2):  # each writer's own answers, all there
        got = conn.execute(
            "SELECT count(*) FROM answers x JOIN administrations a ON a.id = x.administration_id "
            "JOIN participants p ON p.id = a.participant_id WHERE p.code LIKE ?",
            (f"P{k}-%",),
        ).fetchone()[0]
        assert got == per_writer * 5
    spans = [
        conn.execute(
            "SELECT min(created_at), max(created_at) FROM participants WHERE code LIKE ?",
            (f"P{k}-%",),
        ).fetchone()
        for k in (1, 2)
    ]
    assert spans[0][0] < spans[1][1] and spans[1][0] < spans[0][1], spans  # they really did overlap
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
