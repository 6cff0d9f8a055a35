"""Reading a user's input file safely: regular files only, and never more than a limit.

A named pipe (FIFO) would block the read forever and a device such as ``/dev/zero`` would
fill the memory; a file that is far too large would do the same more slowly. Each is refused
before reading, so the reader can say which file is wrong.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["NotARegularFile", "TooLarge", "read_limited"]


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


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them.

    Raises:
        FileNotFoundError, IsADirectoryError, PermissionError: as ``open`` would.
        NotARegularFile: a pipe, device or socket (checked before opening it, as opening a
            pipe blocks until someone writes to it).
        TooLarge: more than ``limit`` bytes (also when the file grows while being read).
    """
    mode = os.stat(path).st_mode
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
