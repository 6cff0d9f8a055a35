"""``python -m sim`` and the ``gridqueue`` command: load the command line, then run it.

Loading the command's modules takes about a twentieth of a second, during which a Ctrl-C
raised ``KeyboardInterrupt`` inside an import and printed its traceback before
:func:`sim.cli.main` could catch it. Nothing has been read or written by then.

Once the command has returned, Python takes a tenth of a second or more to end (freeing the
modules of the figures and tables), with the default actions of Ctrl-C and SIGTERM back in
place: a signal then killed the process without a word, turning a command whose output was
complete into one that seemed killed (exit status -2 or -15). So the script (:func:`script`)
ignores both once the command is over, and its own exit code stands; :func:`main`, which a
program may call in-process, leaves that program's signals as they were.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Sequence

EXIT_INTERRUPTED = 130
"""The exit code of a command stopped by Ctrl-C (``sim.cli.EXIT_INTERRUPTED``)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Load the command line and run it; return the exit code."""
    try:
        from sim.cli import main as command
    except KeyboardInterrupt:
        print("gridqueue: interrupted while starting; nothing was read or written",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    return command(argv)


def script(argv: Sequence[str] | None = None) -> int:
    """The ``gridqueue`` script and ``python -m sim``: :func:`main`, then the process ends.

    Ending takes a moment in which there is nothing left to stop: Ctrl-C and SIGTERM are
    ignored from then on (only the main thread may set handlers).
    """
    code = main(argv)
    if threading.current_thread() is threading.main_thread():
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, signal.SIG_IGN)
    _forget_caught_interrupt()
    return code


def _forget_caught_interrupt() -> None:
    """Let the exit code stand after a Ctrl-C that was caught inside code run by ``exec``.

    CPython notes a ``KeyboardInterrupt`` that leaves code given to ``exec`` as text (as
    dataclasses and pydantic build their methods) as unhandled, even once the command caught
    it, and ``python -m`` then ends the process by SIGINT rather than with exit code 130.
    Running any text anew clears that note.
    """
    exec("")  # noqa: S102 - no input: an empty text, run only to clear the note


if __name__ == "__main__":
    raise SystemExit(script())
