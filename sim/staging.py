"""Writing an output directory atomically: fill a staging directory, then move it into place.

Every output (a run's results, a comparison, a sweep) is written this way: an interrupted or
failed write never leaves half an output or damages an earlier one, and an existing output is
replaced only when asked to.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sim.errors import OutputError

__all__ = ["check_writable", "partial_directory", "resumable_directory", "staged_directory"]


def check_writable(target: Path, force: bool) -> None:
    """Refuse early, before any work, to overwrite a directory without ``force``."""
    if target.exists() and not force:
        raise OutputError(f"{target}: already exists; choose another output directory or "
                          "pass --force to replace it")
    if target.exists() and not target.is_dir():
        raise OutputError(f"{target}: exists and is not a directory")


def _replace(staging: Path, target: Path) -> None:
    """Move the finished staging directory into place; the old one goes only after."""
    if not target.exists():
        os.replace(staging, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    os.replace(target, old / "results")
    try:
        os.replace(staging, target)
    except BaseException:  # even Ctrl-C between the two renames puts the old results back
        os.replace(old / "results", target)
        raise
    shutil.rmtree(old, ignore_errors=True)


@contextmanager
def staged_directory(
    target: str | Path, force: bool = False, what: str = "output"
) -> Iterator[Path]:
    """Yield an empty staging directory beside ``target``; on success it becomes ``target``.

    Refuses to replace an existing ``target`` unless ``force``. If the block raises, the
    staging directory is removed and ``target`` is left as it was.
    """
    target = Path(target)
    check_writable(target, force)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    except OSError as exc:  # e.g. a parent is a file, or the folder is read-only
        reason = (f"{exc.filename} is a file, not a folder"
                  if isinstance(exc, (FileExistsError, NotADirectoryError))
                  else exc.strerror or str(exc))
        raise OutputError(f"{target}: could not create the {what} there ({reason}); "
                          "nothing was changed") from None
    try:
        staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; outputs are shared
        yield staging
        _replace(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"{target}: could not write the {what} ({exc.strerror or exc}); "
                          "nothing was changed") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def partial_directory(target: str | Path) -> Path:
    """Where a resumable output collects its finished parts until it is complete."""
    target = Path(target)
    return target.parent / f".{target.name}.partial"


@contextmanager
def resumable_directory(target: str | Path, force: bool = False,
                        resume: bool = False) -> Iterator[Path]:
    """Like :func:`staged_directory`, but the staging directory survives a failure.

    What it holds stays when the block fails or is interrupted, so a later call with
    ``resume`` continues in it.

    Without ``resume`` an unfinished staging directory is refused (or, with ``force``,
    discarded), so finished work is never thrown away by accident.
    """
    target = Path(target)
    check_writable(target, force)
    partial = partial_directory(target)
    if partial.exists() and not resume:
        if not force:
            raise OutputError(f"{target}: an unfinished run is kept in {partial}; pass --resume "
                              "to continue it or --force to start again")
        shutil.rmtree(partial)
    try:
        partial.mkdir(parents=True, exist_ok=True)
        yield partial
        _replace(partial, target)
    except OSError as exc:
        _drop_if_empty(partial)
        raise OutputError(f"{target}: could not write the output ({exc.strerror or exc}); "
                          "finished parts, if any, are kept for --resume") from None
    except BaseException:
        _drop_if_empty(partial)
        raise


def _drop_if_empty(folder: Path) -> None:
    """Remove a staging directory that kept nothing worth resuming."""
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


def _umask() -> int:
    """The process's file-mode creation mask (reading it means setting it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
