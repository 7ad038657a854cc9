"""Vectorised scoring against a hand-written NumPy floor, in the same run.

    python benchmarks/scoring.py [--rows 1000000] [--repeat 3]

For BARC-10 (a plain sum) and the CBI (three means of recoded items, one reversed, minimum items
answered), with about 5% of answers missing, it times `recoverycap.vectorised.score_frame` on a
DataFrame of N administrations and a NumPy floor that computes the same scores with no validation,
no bands and no bookkeeping, checks the two agree, and prints the ratio. Target: within 2x.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from recoverycap import Library
from recoverycap.vectorised import score_frame


def make_frame(
    instrument, rows: int, rng: np.random.Generator, missing: float = 0.05
) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    cols = {}
    for item in instrument.items:
        if not item.scored:
            continue
        codes = [o.code for o in instrument.options(item)]
        values = rng.choice(np.array(codes, dtype=np.float64), size=rows)
        values[rng.random(rows) < missing] = np.nan
        cols[item.id] = values
    return pd.DataFrame(cols)


def floor_barc10(frame: pd.DataFrame) -> np.ndarray:
    arr = frame.to_numpy(dtype=np.float64)
    total = np.nansum(arr, axis=1)
    total[np.isnan(arr).any(axis=1)] = np.nan
    return total


def floor_cbi(frame: pd.DataFrame, instrument) -> dict[str, np.ndarray]:  # type: ignore[no-untyped-def]
    """Per scale: reverse (lo + hi - x), recode through a table, mean of answered, minimum answered."""
    out = {}
    for scale in instrument.scales:
        recode = scale.recode
        lut = np.full(max(recode) + 2, np.nan)
        for code, value in recode.items():
            lut[code] = value
        arr = frame[list(scale.items)].to_numpy(dtype=np.float64, copy=True)
        for j, item_id in enumerate(scale.items):
            item = instrument.item(item_id)
            if item.reverse:
                lo, hi = instrument.value_range(item)
                arr[:, j] = lo + hi - arr[:, j]
        vals = lut[np.nan_to_num(arr, nan=len(lut) - 1).astype(np.intp)]
        count = (~np.isnan(vals)).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.nansum(vals, axis=1) / count
        mean[count < scale.min_answered] = np.nan
        out[scale.id] = mean
    return out


def best_of(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    lib = Library(include_env=False)
    rng = np.random.default_rng(2026)
    print(f"{args.rows:,} administrations, ~5% of answers missing, best of {args.repeat}")
    print(f"{'instrument':<10} {'recoverycap':>12} {'numpy floor':>12} {'ratio':>7}")

    barc = lib.get("barc10")
    frame = make_frame(barc, args.rows, rng)
    ours = score_frame(barc, frame)["barc10_total"].to_numpy()
    assert np.array_equal(ours, floor_barc10(frame), equal_nan=True)
    t_ours = best_of(lambda: score_frame(barc, frame), args.repeat)
    t_floor = best_of(lambda: floor_barc10(frame), args.repeat)
    print(f"{'barc10':<10} {t_ours:>11.3f}s {t_floor:>11.3f}s {t_ours / t_floor:>6.2f}x")

    if "cbi" in lib.ids():
        cbi = lib.get("cbi")
        frame = make_frame(cbi, args.rows, rng)
        ours_df = score_frame(cbi, frame)
        floor = floor_cbi(frame, cbi)
        for sid, values in floor.items():
            assert np.allclose(
                ours_df[f"cbi_{sid}"].to_numpy(), values, equal_nan=True, rtol=0, atol=1e-9
            )
        t_ours = best_of(lambda: score_frame(cbi, frame), args.repeat)
        t_floor = best_of(lambda: floor_cbi(frame, cbi), args.repeat)
        print(f"{'cbi':<10} {t_ours:>11.3f}s {t_floor:>11.3f}s {t_ours / t_floor:>6.2f}x")


if __name__ == "__main__":
    main()
