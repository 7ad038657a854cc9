"""Where recoverycap keeps its files, and creating files readable by their owner only."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO, Any

DB_ENV = "RECOVERYCAP_DB"
CONFIG_ENV = "RECOVERYCAP_CONFIG"
DB_NAME = "recoverycap.db"


def data_dir() -> Path:
    """The user's data folder for recoverycap (XDG on Linux, AppData on Windows)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "recoverycap"


def config_dir() -> Path:
    """The user's configuration folder for recoverycap."""
    if sys.platform == "win32" or sys.platform == "darwin":
        return data_dir()
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "recoverycap"


def default_db_path() -> Path:
    """``RECOVERYCAP_DB`` if set, else ``recoverycap.db`` in the user's data folder."""
    env = os.environ.get(DB_ENV)
    return Path(env) if env else data_dir() / DB_NAME


def default_config_path() -> Path:
    env = os.environ.get(CONFIG_ENV)
    return Path(env) if env else config_dir() / "config.toml"


def private_dir(folder: Path) -> Path:
    """Create ``folder`` and every missing folder above it, each readable by its owner only
    (0700); folders that exist already are left as they are."""
    missing = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:  # made meanwhile by another program
            continue
        os.chmod(path, 0o700)  # whatever the umask
    return folder


def touch_private(path: str | os.PathLike[str]) -> None:
    """Create ``path`` if needed and make it readable and writable by its owner only (0600)."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def open_private(path: str | os.PathLike[str], mode: str = "w", **kwargs: Any) -> IO[Any]:
    """Open a new file for writing, created with owner-only permissions (0600)."""
    flags = os.O_CREAT | os.O_WRONLY | os.O_TRUNC
    fd = os.open(path, flags, 0o600)
    os.chmod(path, 0o600)
    return os.fdopen(fd, mode, **kwargs)
