"""Opening the store for a command: the audit log names the person at the keyboard
(``RECOVERYCAP_USER`` if it is a code, else the login name); commands that write create the
database and every missing folder above it owner-only (0700), and commands that only read refuse
a database that does not exist rather than creating an empty one."""

from __future__ import annotations

import getpass
import os
from typing import TYPE_CHECKING

import click

from recoverycap.errors import InvalidRecord
from recoverycap.paths import private_dir

from .context import AppContext

if TYPE_CHECKING:  # pragma: no cover
    from recoverycap.store import Store

USER_ENV = "RECOVERYCAP_USER"


def _login_name() -> str:
    try:
        return getpass.getuser() or "unknown"
    except (KeyError, OSError):  # no login name (e.g. in a container without a passwd entry)
        return "unknown"


def current_actor() -> str:
    """Who is using recoverycap, for the audit log: ``RECOVERYCAP_USER``, else the login name.

    ``RECOVERYCAP_USER`` must be a pseudonymous code like a worker code (letters, digits, ``-``
    and ``_``; no spaces, not a prison number); anything else (e.g. a full name) is not written to
    the audit log: the login name is used instead, with a one-line warning on standard error.
    """
    from recoverycap.store.fields import check_code

    name = os.environ.get(USER_ENV, "").strip()
    if not name:
        return _login_name()
    try:
        return check_code(name, USER_ENV)
    except InvalidRecord:
        login = _login_name()
        click.echo(
            f"Warning: {USER_ENV} is not a code like a worker code (letters, digits, '-' and '_', "
            f"no spaces, e.g. PW-03), so the audit log names the login name {login!r} instead",
            err=True,
        )
        return login


def open_store(app: AppContext, actor: str | None = None, create: bool = True) -> Store:
    """Open the database named by ``--db`` (or the default).

    Args:
        app: The command's context.
        actor: Who is at the keyboard (default: :func:`current_actor`).
        create: For commands that write: create the database, and its folders owner-only, if
            it does not exist. False for commands that only read: a missing database is an
            error naming the path, and nothing is created.
    """
    from recoverycap.store import Store

    path = app.db_path
    if create and str(path) != ":memory:":
        private_dir(path.parent)
    return Store.open(path, library=app.library, actor=actor or current_actor(), create=create)
