"""Reading a user's input file safely: regular files only, and never more than a limit.

A named pipe (FIFO) would block the read forever and a device such as ``/dev/zero`` would
fill the memory; a file that is far too large would do the same more slowly. Each is refused
before reading, so the reader can say which file is wrong. A path that runs into a loop of
symbolic links leads nowhere: :func:`resolved` says so, naming the link.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

__all__ = ["LOOP", "NotARegularFile", "SymlinkLoop", "TooLarge", "not_found", "read_limited",
           "resolved"]

LOOP = "a symbolic link that points back to itself"
"""How a message names a link that leads, directly or through other links, back to itself."""


class NotARegularFile(OSError):
    """The path is a pipe, device or socket: something that is not a file to read once."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(f"'{path}' is a {kind}, not a regular file")
        self.kind = kind


class TooLarge(OSError):
    """The file holds more than the reader accepts."""

    def __init__(self, path: Path, limit: int) -> None:
        super().__init__(f"'{path}' is larger than {limit} bytes")
        self.limit = limit


class SymlinkLoop(OSError):
    """A path that runs into a loop of symbolic links, so it names no file or folder.

    An OSError (``ELOOP``), as the system's own refusal of such a path is: the command line
    says ``PATH: MESSAGE``, and a reader that words its files' errors words this one too.
    """

    def __init__(self, path: str | Path, link: Path) -> None:
        what = "is" if link == Path(path) else f"goes through {link}, which is"
        super().__init__(errno.ELOOP, f"{what} {LOOP} (directly or through other links): "
                         "it leads to no file or folder", str(path))


def not_found(path: Path) -> str:
    """Why ``path`` was not found, in words: a link whose target is gone is there to see.

    "is a symbolic link to 'TARGET', which was not found" for such a link, which a listing
    of its folder shows, so that "was not found" alone would leave the reader puzzled; else
    "was not found".
    """
    try:
        if path.is_symlink():
            return f"is a symbolic link to '{os.readlink(path)}', which was not found"
    except OSError:
        pass
    return "was not found"


def resolved(path: str | Path) -> Path:
    """``path`` made absolute, with every symbolic link followed (:meth:`Path.resolve`).

    A loop of links has no end to follow: :meth:`Path.resolve` raises RuntimeError for it
    (Python 3.11 and 3.12) or OSError (``ELOOP``, later versions), as a traceback to the
    user. Here it raises :class:`SymlinkLoop`, naming the path and the link where it loops.
    """
    try:
        return Path(path).resolve()
    except RuntimeError:
        raise SymlinkLoop(path, _looping_link(Path(path))) from None
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        raise SymlinkLoop(path, _looping_link(Path(path))) from None


def _looping_link(path: Path) -> Path:
    """The first part of ``path`` (``a``, ``a/b``, ...) that cannot be followed to its end."""
    for length in range(1, len(path.parts) + 1):
        part = Path(*path.parts[:length])
        try:
            part.resolve()
        except (RuntimeError, OSError):
            return part
    return path


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them.

    Raises:
        FileNotFoundError, IsADirectoryError, PermissionError: as ``open`` would.
        SymlinkLoop: a loop of symbolic links.
        NotARegularFile: a pipe, device or socket (checked before opening it, as opening a
            pipe blocks until someone writes to it).
        TooLarge: more than ``limit`` bytes (also when the file grows while being read).
    """
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        raise SymlinkLoop(path, _looping_link(Path(path))) from None
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(f"'{path}' is a directory")
    if not stat.S_ISREG(mode):
        raise NotARegularFile(path, _kind(mode))
    with open(path, "rb") as file:
        data = file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(path, limit)
    return data


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"
