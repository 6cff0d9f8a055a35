"""Suite-wide settings: the slow tests start first; tests marked no_cover run untraced."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put tests marked slow first, so that on several workers none is left alone at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


# Under xdist, each worker had three measurements where it needs one: coverage's own, started
# as the worker process starts (the controller's measurement asks it of every subprocess),
# the controller's, which pytest-cov 7 starts in a worker given --dist loadfile as make test
# is, and the worker's own. Coverage resumes the one beneath whenever the worker's pauses, so
# the tests marked no_cover (a thousand random worlds, some 430 runs of the bundled
# scenarios) ran traced all the same, at about three times their time. The two hooks below
# leave the worker's own: it starts the subprocesses' measurement again for the tests.


def pytest_xdist_setupnodes() -> None:
    """In the controller, before the workers start: they need not measure from their start."""
    for name in ("COVERAGE_PROCESS_CONFIG", "COVERAGE_PROCESS_START"):
        os.environ.pop(name, None)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """In a worker, stop the controller's measurement before pytest-cov starts the worker's."""
    if getattr(session.config, "workerinput", None) is None:
        return  # the controller, or a run without xdist: one measurement only
    plugin = session.config.pluginmanager.get_plugin("_cov")
    controller = getattr(plugin, "cov_controller", None)
    if controller is not None and type(controller).__name__ == "DistMaster":
        controller.cov.stop()
