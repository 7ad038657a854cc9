"""The reference numbers R printed (``analysis_reference.txt``), and a comparison at the precision
R printed them, so the analysis tests need no R to run.

Each line of the file is ``key value`` (comment lines start with ``#``). R printed each value to a
fixed number of significant digits (``signif``, no scientific notation), so the last digit printed
sets the tolerance: a Python value agrees with R when it is within half a unit of that digit.
"""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).parent
REFERENCE = HERE / "analysis_reference.txt"


def load(path: Path = REFERENCE) -> dict[str, str]:
    """The printed values by key, as the strings R printed."""
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition(" ")
        values[key] = value.strip()
    return values


def half_unit(printed: str) -> float:
    """Half a unit of the last digit of a number as printed (``"0.5198631"`` -> 5e-8)."""
    exponent = Decimal(printed).as_tuple().exponent
    assert isinstance(exponent, int)
    return 0.5 * 10.0**exponent


def agrees(python_value: float, printed: str) -> bool:
    """Whether ``python_value`` rounds to what R printed (within half a unit of its last digit)."""
    r = float(printed)
    if math.isnan(r):
        return math.isnan(python_value)
    return abs(python_value - r) <= half_unit(printed) * (1 + 1e-9) + 1e-15


R = load()
