"""``python -m sim`` and the ``gridqueue`` command: load the command line, then run it.

Loading the command's modules takes about a twentieth of a second, during which a Ctrl-C
raised ``KeyboardInterrupt`` inside an import and printed its traceback before
:func:`sim.cli.main` could catch it. Nothing has been read or written by then.
"""

from __future__ import annotations

import sys
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


if __name__ == "__main__":
    raise SystemExit(main())
