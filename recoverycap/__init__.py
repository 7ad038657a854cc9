"""recoverycap: validated questionnaires, an offline survey CLI, storage and outcome analysis for
peer-led recovery organisations working in prisons and through the gate.

The package imports nothing heavy: pandas, pingouin and matplotlib load only in the modules that
analyse or report (``recoverycap.vectorised``, ``recoverycap.analysis``), so administering a survey
starts at once. ``score_frame`` is loaded on first use.
"""

from __future__ import annotations

from typing import Any

from .administer import SurveySession, enter_paper_form
from .config import Config, load_config
from .due import DueItem, compute_due
from .errors import (
    AnalysisError,
    BackupError,
    ConfigError,
    ImportProblems,
    InstrumentError,
    InvalidRecord,
    InvalidResponse,
    NotFound,
    Problem,
    ProblemsError,
    RecoveryCapError,
    RecoveryCapWarning,
    ScheduleError,
    ScheduleFileError,
    SchemaVersionError,
    SessionError,
    StoreError,
    SuppressedError,
    UnknownBattery,
    UnknownInstrument,
    WellbeingError,
    WordingNotAvailable,
)
from .followup import due_list, log_followup
from .instrument import MISSING_REASONS, Alert, Band, Instrument, Item, Option, ResponseScale, Scale
from .lint import lint_file
from .registry import Battery, Library
from .schedule import Schedule, TimePoint, check_known_timepoint, known_timepoints
from .scoring import AlertHit, Missing, ScaleScore, ScoreSheet, score
from .store import Store

__version__ = "0.1.0"

__all__ = [
    "MISSING_REASONS",
    "Alert",
    "AlertHit",
    "AnalysisError",
    "BackupError",
    "Band",
    "Battery",
    "Config",
    "ConfigError",
    "DueItem",
    "ImportProblems",
    "Instrument",
    "InstrumentError",
    "InvalidRecord",
    "InvalidResponse",
    "Item",
    "Library",
    "Missing",
    "NotFound",
    "Option",
    "Problem",
    "ProblemsError",
    "RecoveryCapError",
    "RecoveryCapWarning",
    "ResponseScale",
    "Scale",
    "ScaleScore",
    "Schedule",
    "ScheduleError",
    "ScheduleFileError",
    "SchemaVersionError",
    "ScoreSheet",
    "SessionError",
    "Store",
    "StoreError",
    "SuppressedError",
    "SurveySession",
    "TimePoint",
    "UnknownBattery",
    "UnknownInstrument",
    "WellbeingError",
    "WordingNotAvailable",
    "__version__",
    "check_known_timepoint",
    "compute_due",
    "due_list",
    "enter_paper_form",
    "known_timepoints",
    "lint_file",
    "load_config",
    "log_followup",
    "score",
    "score_frame",
]


def __getattr__(name: str) -> Any:
    if name == "score_frame":
        from .vectorised import score_frame

        return score_frame
    raise AttributeError(f"module 'recoverycap' has no attribute {name!r}")
