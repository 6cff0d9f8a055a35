"""Writing an output directory atomically: fill a staging directory, then move it into place.

The same guarantee as :meth:`sim.results.Results.write` (whose checks and final move this
reuses), for outputs made of many files such as a comparison or a sweep: an interrupted or
failed write never leaves half an output or damages an earlier one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sim.errors import OutputError
from sim.results import _replace, check_writable

__all__ = ["staged_directory"]


@contextmanager
def staged_directory(target: str | Path, force: bool = False) -> Iterator[Path]:
    """Yield an empty staging directory beside ``target``; on success it becomes ``target``.

    Refuses to replace an existing ``target`` unless ``force``. If the block raises, the
    staging directory is removed and ``target`` is left as it was.
    """
    target = Path(target)
    check_writable(target, force)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    try:
        staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; outputs are shared
        yield staging
        _replace(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"{target}: could not write the output ({exc.strerror or exc}); "
                          "nothing was changed") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _umask() -> int:
    """The process's file-mode creation mask (reading it means setting it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
