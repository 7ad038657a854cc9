"""Output files (exports, backups): written beside the target, then put in place, never
replacing an existing file unless asked to."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import StoreError


def exists_error(path: Path, what: str, error: type[StoreError] = StoreError) -> StoreError:
    """The error for an output file that exists already, naming it."""
    return error(
        f"{path} exists already, so the {what} was not written; give another file name, or "
        "add --force to replace it"
    )


def refuse_existing(
    path: Path, what: str, overwrite: bool, error: type[StoreError] = StoreError
) -> None:
    """Raise ``error`` naming ``path`` if it exists and ``overwrite`` is false (checked before
    any work is done, so the person hears at once)."""
    if not overwrite and (path.exists() or path.is_symlink()):
        raise exists_error(path, what, error)


def put_in_place(
    tmp: Path,
    path: Path,
    what: str,
    overwrite: bool,
    error: type[StoreError] = StoreError,
) -> None:
    """Move the finished temporary file ``tmp`` to ``path``.

    With ``overwrite`` an existing file is replaced (atomically). Without it, the file is linked
    into place, which fails if a file of that name appeared meanwhile (so nothing is ever
    replaced); where hard links are not available (e.g. a FAT-formatted memory stick) the name is
    checked just before the rename.

    Raises:
        ``error``: ``path`` exists and ``overwrite`` is false (``tmp`` is left for the caller to
            remove).
    """
    if overwrite:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise exists_error(path, what, error) from None
    except OSError:  # no hard links on this file system
        if path.exists() or path.is_symlink():
            raise exists_error(path, what, error) from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)
