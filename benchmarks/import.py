"""Importing long item responses: the store's importer against raw ``sqlite3`` ``executemany``.

    python benchmarks/import.py [--rows 1000000] [--compare 250000] [--repeat 1]

Writes a CSV of long BARC-10 responses (``--rows`` answers: rows/10 administrations of ten items,
five time points per participant, about 2% declined) in a temporary folder, then, each in a fresh
process so peak memory is its own:

- **store**: ``Store.import_csv("responses", ...)``: checks every cell, groups answers into
  administrations, stores every item, computes and stores the scores, writes an audit entry per
  administration, all in one transaction;
- **raw**: the floor: the same CSV read with the ``csv`` module and the same administrations and
  answers inserted with ``executemany`` into the same tables (same schema, indexes and settings:
  WAL, synchronous=FULL, foreign keys on), in one transaction, with no checking, scoring or audit.

Both start from a fresh database holding the participants (registered before timing starts).
It prints the time of each, the ratio (target: within 1.5x) and peak memory: the process's peak
resident set size (ru_maxrss) less what it was before the import began, so the interpreter and
imports do not count. ``--compare`` repeats the store import on a smaller file to show memory does
not grow with the file's size. ``--repeat N`` runs each measurement N times, alternating, and keeps
the fastest (on a busy machine the fastest run is the least disturbed one).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ITEMS = [f"q{i}" for i in range(1, 11)]
TIMEPOINTS = ["intake", "programme_end", "release", "post_release_4w", "post_release_12w"]
CHUNK = 20_000


def peak_kib() -> int:
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage // 1024 if sys.platform == "darwin" else usage  # bytes on macOS, KiB on Linux


def current_kib() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except OSError:
        return peak_kib()


def write_files(folder: Path, rows: int, seed: int = 1) -> tuple[Path, Path]:
    """A participants file and a long responses file of ``rows`` answers."""
    rng = random.Random(seed)
    administrations = rows // len(ITEMS)
    people = max(1, administrations // len(TIMEPOINTS))
    participants = folder / "participants.csv"
    with participants.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["participant", "site", "cohort"])
        for p in range(people):
            out.writerow([f"ALT-{p:06d}", f"site{p % 4}", f"c{p % 10}"])
    responses = folder / "responses.csv"
    with responses.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(
            [
                "participant",
                "timepoint",
                "instrument",
                "item",
                "value",
                "missing_reason",
                "administered_at",
            ]
        )
        for a in range(administrations):
            code = f"ALT-{a // len(TIMEPOINTS) % people:06d}"
            tp = TIMEPOINTS[a % len(TIMEPOINTS)]
            day = f"2025-{1 + a % len(TIMEPOINTS) * 2:02d}-{1 + a // (len(TIMEPOINTS) * people) % 28:02d}"
            for item in ITEMS:
                if rng.random() < 0.02:
                    out.writerow([code, tp, "barc10", item, "", "declined", day])
                else:
                    out.writerow([code, tp, "barc10", item, rng.randint(1, 6), "", day])
    return participants, responses


def prepare(db: Path, participants: Path) -> None:
    from recoverycap.store import Store

    with Store.open(db, actor="benchmark") as store:
        store.import_csv("participants", participants)


def run_store(db: Path, responses: Path) -> dict[str, float]:
    from recoverycap.store import Store

    store = Store.open(db, actor="benchmark")
    store.library.get("barc10")  # load the instrument library before timing
    before = current_kib()
    start = time.perf_counter()
    report = store.import_csv("responses", responses)
    seconds = time.perf_counter() - start
    store.close()
    return {"seconds": seconds, "peak_kib": peak_kib() - before, "answers": report.answers}


def run_raw(db: Path, responses: Path) -> dict[str, float]:
    import sqlite3
    import uuid

    from recoverycap.store.db import connect

    conn = connect(db)  # the store's settings: WAL, synchronous=FULL, foreign keys, cache size
    before = current_kib()
    start = time.perf_counter()
    ids = dict(conn.execute("SELECT code, id FROM participants"))
    admins: dict[tuple[str, str, str, str], str] = {}
    now = "2025-01-01T00:00:00.000000+00:00"
    conn.execute("BEGIN IMMEDIATE")
    with responses.open(newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        adm_rows: list[tuple[object, ...]] = []
        answer_rows: list[tuple[object, ...]] = []
        for code, tp, inst, item, value, missing, when in reader:
            key = (code, inst, tp, when)
            adm = admins.get(key)
            if adm is None:
                adm = admins[key] = uuid.uuid4().hex
                adm_rows.append((adm, ids[code], inst, "2017", tp, when, now, "raw", now))
            answer_rows.append(
                (adm, item, uuid.uuid4().hex, int(value) if value else None, missing or None, now)
            )
            if len(answer_rows) >= CHUNK:
                _flush(conn, adm_rows, answer_rows)
        _flush(conn, adm_rows, answer_rows)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    count = conn.execute("SELECT count(*) FROM answers").fetchone()[0]
    conn.close()
    assert isinstance(conn, sqlite3.Connection)
    return {"seconds": seconds, "peak_kib": peak_kib() - before, "answers": count}


def _flush(conn, adm_rows: list, answer_rows: list) -> None:  # type: ignore[no-untyped-def,type-arg]
    conn.executemany(
        "INSERT INTO administrations (id, subject_type, participant_id, instrument, version, timepoint, "
        "administered_at, status, recorded_at, recorded_by, completed_at) "
        "VALUES (?, 'participant', ?, ?, ?, ?, ?, 'complete', ?, ?, ?)",
        adm_rows,
    )
    conn.executemany(
        "INSERT INTO answers (administration_id, item, id, value, missing_reason, answered_at) VALUES (?, ?, ?, ?, ?, ?)",
        answer_rows,
    )
    adm_rows.clear()
    answer_rows.clear()


def phase(name: str, folder: Path, rows: int) -> dict[str, float]:
    """Run one measurement in a fresh Python process and return what it printed."""
    out = subprocess.run(
        [sys.executable, __file__, "--phase", name, "--folder", str(folder), "--rows", str(rows)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def child(name: str, folder: Path) -> None:
    db = folder / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    prepare(db, folder / "participants.csv")
    result = (
        run_store(db, folder / "responses.csv")
        if name == "store"
        else run_raw(db, folder / "responses.csv")
    )
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows", type=int, default=1_000_000, help="answers in the file (default 1,000,000)"
    )
    parser.add_argument(
        "--compare",
        type=int,
        default=250_000,
        help="a smaller file for the memory comparison (0: none)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each measurement; the fastest is kept"
    )
    parser.add_argument("--phase", choices=("store", "raw"), help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        child(args.phase, args.folder)
        return
    sizes = [args.rows] + ([args.compare] if args.compare and args.compare < args.rows else [])
    results = {}
    for rows in sizes:
        with tempfile.TemporaryDirectory(prefix="recoverycap-bench-") as tmp:
            folder = Path(tmp)
            start = time.perf_counter()
            _, responses = write_files(folder, rows)
            print(
                f"{rows:,} answers: wrote {responses.stat().st_size / 1e6:.1f} MB CSV in {time.perf_counter() - start:.1f} s"
            )
            stores, raws = [], []
            for _ in range(max(1, args.repeat)):
                stores.append(phase("store", folder, rows))
                if rows == args.rows:
                    raws.append(phase("raw", folder, rows))
            store = min(stores, key=lambda r: r["seconds"])
            raw = min(raws, key=lambda r: r["seconds"]) if raws else None
            if len(stores) > 1:
                print(
                    "  importer runs: "
                    + ", ".join(f"{r['seconds']:.2f}s" for r in stores)
                    + (
                        "; raw runs: " + ", ".join(f"{r['seconds']:.2f}s" for r in raws)
                        if raws
                        else ""
                    )
                )
            results[rows] = (store, raw)
            assert raw is None or store["answers"] == raw["answers"], (store, raw)
    print()
    print(
        f"{'answers':>10}  {'importer':>9}  {'raw executemany':>15}  {'ratio':>6}  {'importer peak':>13}  {'raw peak':>9}"
    )
    for rows, (store, raw) in results.items():
        line = f"{rows:>10,}  {store['seconds']:>8.2f}s  "
        if raw is not None:
            line += f"{raw['seconds']:>14.2f}s  {store['seconds'] / raw['seconds']:>5.2f}x  "
        else:
            line += f"{'':>15}  {'':>6}  "
        line += f"{store['peak_kib'] / 1024:>10.1f} MB"
        if raw is not None:
            line += f"  {raw['peak_kib'] / 1024:>6.1f} MB"
        print(line)
    print(
        "\nTarget: the importer within 1.5x of raw executemany; importer memory flat as the file grows."
    )


if __name__ == "__main__":
    main()
