"""Suite-wide settings: hypothesis's profiles, slow tests first, no_cover tests untraced.

And in a file marked ``undrawn``, figures laid out but not drawn (``tests/undrawn.py``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

# The suite is a gate: the same code passes or fails it every time, on every machine. So by
# default hypothesis draws the same examples on each run (derandomized, seeded from each
# test) and keeps no database of earlier failures. To search for new counterexamples, run
# ``pytest --hypothesis-profile=explore``: fresh examples each run, failures kept in
# .hypothesis/ and replayed first next time. Commit what it finds as an ``@example``.
# No deadline: an example's time says how busy the machine is, not whether the code is right
# (a 30 ms example took 275 ms on two cores shared with the suite's subprocesses, and failed).
settings.register_profile("suite", derandomize=True, database=None, print_blob=True,
                          deadline=None)
settings.register_profile("explore", print_blob=True)
settings.load_profile("suite")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put tests marked slow first, so that on several workers none is left alone at the end.

    The notebooks count as slow: each starts a kernel and runs its tutorial, 15 to 30 s, and
    collected after tests/ they came last.
    """
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
    _refuse_undrawn_below_a_file(items)


def _refuse_undrawn_below_a_file(items: list[pytest.Item]) -> None:
    """``undrawn`` marks a whole file: on a test or a class it would silently draw anyway.

    Its fixture is module-scoped (so the file's module fixtures are laid out too), and sees
    only the file's marks.
    """
    misplaced = [item.nodeid for item in items
                 if item.get_closest_marker("undrawn") is not None
                 and (module := item.getparent(pytest.Module)) is not None
                 and module.get_closest_marker("undrawn") is None]
    if misplaced:
        raise pytest.UsageError("the undrawn mark lays out a whole file's figures: set "
                                "pytestmark = pytest.mark.undrawn at the top of the file, not "
                                "on a test or class (" + ", ".join(misplaced[:3]) + ")")


@pytest.fixture(autouse=True, scope="module")
def undrawn_figures(request: pytest.FixtureRequest) -> Iterator[None]:
    """In a file marked ``undrawn``, each figure is laid out, not drawn, its fixtures' too.

    Imported here, not at the top: ``sim/`` is measured from the session's start, after this
    file is read.
    """
    if request.node.get_closest_marker("undrawn") is None:
        yield
        return
    from sim.figures import files
    from tests.undrawn import laid_out

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(files, "_draw", laid_out)
        yield


# Under xdist, each worker had three measurements where it needs one: coverage's own, started
# as the worker process starts (the controller's measurement asks it of every subprocess),
# the controller's, which pytest-cov 7 starts in a worker given --dist loadfile as make test
# is, and the worker's own. Coverage resumes the one beneath whenever the worker's pauses, so
# the tests marked no_cover (a thousand random worlds, some 430 runs of the bundled
# scenarios) ran traced all the same, at about three times their time. The two hooks below
# leave the worker's own: it starts the subprocesses' measurement again for the tests.


COVERAGE_ENVIRONMENT = ("COVERAGE_PROCESS_CONFIG", "COVERAGE_PROCESS_START")
"""What tells a new Python process to measure itself (set while a measurement runs)."""


def pytest_xdist_setupnodes() -> None:
    """In the controller, before the workers start: they need not measure from their start."""
    for name in COVERAGE_ENVIRONMENT:
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


class UntracedNotebooks:
    """The notebooks' kernels start without coverage's environment, so they run untraced.

    The tutorials call gridqueue's API, which the tests measure: traced, their three kernels
    took 25 s of the suite instead of 15. The few lines only they reached have tests of their
    own (a Scenario and a Results given to compare, a pair one of which connected nobody). A
    plugin of its own: this file's hooks reach only the items below tests/.
    """

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Iterator[None]:
        if item.path.suffix != ".ipynb":
            yield
            return
        kept = {name: os.environ.pop(name) for name in COVERAGE_ENVIRONMENT
                if name in os.environ}
        try:
            yield
        finally:
            os.environ.update(kept)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(UntracedNotebooks(), "untraced-notebooks")
