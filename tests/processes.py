"""Starting real gridqueue processes from the tests, as a terminal would."""

from __future__ import annotations

import signal
from pathlib import Path

__all__ = ["ctrl_c_as_in_a_terminal", "is_running"]


def ctrl_c_as_in_a_terminal() -> None:
    """Give Ctrl-C (SIGINT) back its default action in a child process about to start.

    A shell starts background commands with SIGINT ignored, and children inherit that:
    Python then sets up no KeyboardInterrupt, and a test's Ctrl-C would go unheard. Passed
    as ``preexec_fn``, this makes such tests independent of how the suite itself was started.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def is_running(pid: int) -> bool:
    """Whether a process of that id still exists and is not a zombie (reads Linux's /proc)."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return status.rpartition(")")[2].split()[0] != "Z"
