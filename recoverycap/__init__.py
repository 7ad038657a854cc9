"""recoverycap: validated questionnaires, an offline survey CLI, storage and outcome analysis for
peer-led recovery organisations working in prisons and through the gate.

The package imports nothing heavy: pandas, pingouin and matplotlib load only in the modules that
analyse or report (``recoverycap.vectorised``, ``recoverycap.analysis``), so administering a survey
starts at once. ``score_frame`` is loaded on first use.
"""

from __future__ import annotations

from typing import Any

from .errors import (
    ConfigError,
    ImportProblems,
    InstrumentError,
    InvalidResponse,
    NotFound,
    Problem,
    ProblemsError,
    RecoveryCapError,
    ScheduleError,
    StoreError,
    SuppressedError,
    UnknownBattery,
    UnknownInstrument,
    WordingNotAvailable,
)
from .instrument import MISSING_REASONS, Alert, Band, Instrument, Item, Option, ResponseScale, Scale
from .lint import lint_file
from .registry import Battery, Library
from .scoring import AlertHit, Missing, ScaleScore, ScoreSheet, score

__version__ = "0.1.0"

__all__ = [
    "MISSING_REASONS",
    "Alert",
    "AlertHit",
    "Band",
    "Battery",
    "ConfigError",
    "ImportProblems",
    "Instrument",
    "InstrumentError",
    "InvalidResponse",
    "Item",
    "Library",
    "Missing",
    "NotFound",
    "Option",
    "Problem",
    "ProblemsError",
    "RecoveryCapError",
    "ResponseScale",
    "Scale",
    "ScaleScore",
    "ScheduleError",
    "ScoreSheet",
    "StoreError",
    "SuppressedError",
    "UnknownBattery",
    "UnknownInstrument",
    "WordingNotAvailable",
    "__version__",
    "lint_file",
    "score",
    "score_frame",
]


def __getattr__(name: str) -> Any:
    if name == "score_frame":
        from .vectorised import score_frame

        return score_frame
    raise AttributeError(f"module 'recoverycap' has no attribute {name!r}")
