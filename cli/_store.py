"""Opening the store for a command: the database folder is created owner-only (0700) and the
audit log names the person at the keyboard (``RECOVERYCAP_USER``, else the login name)."""

from __future__ import annotations

import getpass
import os
from typing import TYPE_CHECKING

from recoverycap.paths import private_dir

from .context import AppContext

if TYPE_CHECKING:  # pragma: no cover
    from recoverycap.store import Store

USER_ENV = "RECOVERYCAP_USER"


def current_actor() -> str:
    """Who is using recoverycap, for the audit log: ``RECOVERYCAP_USER``, else the login name."""
    name = os.environ.get(USER_ENV, "").strip()
    if name:
        return name
    try:
        return getpass.getuser() or "unknown"
    except (KeyError, OSError):  # no login name (e.g. in a container without a passwd entry)
        return "unknown"


def open_store(app: AppContext, actor: str | None = None) -> Store:
    """Open the database named by ``--db`` (or the default), creating its folder owner-only."""
    from recoverycap.store import Store

    path = app.db_path
    if str(path) != ":memory:":
        private_dir(path.parent)
    return Store.open(path, library=app.library, actor=actor or current_actor())
