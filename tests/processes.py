"""Starting real gridqueue processes from the tests, as a terminal would."""

from __future__ import annotations

import signal

__all__ = ["ctrl_c_as_in_a_terminal"]


def ctrl_c_as_in_a_terminal() -> None:
    """Give Ctrl-C (SIGINT) back its default action in a child process about to start.

    A shell starts background commands with SIGINT ignored, and children inherit that:
    Python then sets up no KeyboardInterrupt, and a test's Ctrl-C would go unheard. Passed
    as ``preexec_fn``, this makes such tests independent of how the suite itself was started.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
