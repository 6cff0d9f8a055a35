"""gridqueue: a discrete-event simulator of businesses waiting for a grid connection.

The public API::

    from sim import load_scenario, run
    scenario = load_scenario("scenarios/flevoland/social_priority.yaml", {"replications": 5})
    results = run(scenario)
    results.summary            # key figures with 95% confidence intervals

Scenarios side by side, parameter grids, and parameters fitted to published observations::

    from sim import FitParameter, calibrate, compare, sweep
    comparison = compare(["fifo.yaml", "social_priority.yaml"])   # .table, .*_figure()
    grid = sweep("fifo.yaml", {"grid.capacity_mw": [4, 8, 16]})  # .table, .figure()
    fit = calibrate("base.yaml", [FitParameter("arrivals.rate_scale", 0.5, 2)])  # .estimates

A wrong argument is a :class:`GridqueueError` naming it as given: ``replications=1``, where
the ``gridqueue`` command says ``--replications 1``.

Queue policies are small classes; see :class:`QueuePolicy` to write your own.
"""

import importlib
from typing import TYPE_CHECKING, Any

from sim._version import __version__
from sim.errors import GridqueueError, GridqueueWarning, InputError

if TYPE_CHECKING:  # what the names are, for type checkers and editors; imported on first use
    from sim.analysis.calibration import FitParameter, calibrate
    from sim.analysis.comparison import Comparison, compare
    from sim.analysis.sweeps import Sweep, sweep
    from sim.inputs.applicants import CATEGORIES, Applicant, ApplicantTable
    from sim.inputs.loading import load_scenario
    from sim.inputs.scenario import Scenario
    from sim.policies import POLICIES, QueuePolicy, register_policy
    from sim.runs.metrics import METRICS
    from sim.runs.results import Results
    from sim.runs.runner import run

_ON_FIRST_USE = {
    "CATEGORIES": "sim.inputs.applicants", "Applicant": "sim.inputs.applicants",
    "ApplicantTable": "sim.inputs.applicants", "load_scenario": "sim.inputs.loading",
    "Scenario": "sim.inputs.scenario", "POLICIES": "sim.policies",
    "QueuePolicy": "sim.policies", "register_policy": "sim.policies",
    "METRICS": "sim.runs.metrics", "Results": "sim.runs.results", "run": "sim.runs.runner",
    "Comparison": "sim.analysis.comparison", "compare": "sim.analysis.comparison",
    "Sweep": "sim.analysis.sweeps", "sweep": "sim.analysis.sweeps",
    "FitParameter": "sim.analysis.calibration", "calibrate": "sim.analysis.calibration",
}
"""Where each name of the API lives, imported on first use: ``import sim`` (and so the
``gridqueue`` command before it parses its arguments) loads neither pandas nor pydantic nor
matplotlib, so ``--help`` is quick and a Ctrl-C at the start stops with a message, not a
traceback from inside an import."""


def __getattr__(name: str) -> Any:
    """A name of the API, imported on first use and kept."""
    if name in _ON_FIRST_USE:
        value = getattr(importlib.import_module(_ON_FIRST_USE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The module's names, those loaded on first use included, so tab completion offers them."""
    return sorted({*__all__, *(name for name in globals() if name.startswith("__"))})


__all__ = [
    "CATEGORIES",
    "METRICS",
    "POLICIES",
    "Applicant",
    "ApplicantTable",
    "Comparison",
    "FitParameter",
    "GridqueueError",
    "GridqueueWarning",
    "InputError",
    "QueuePolicy",
    "Results",
    "Scenario",
    "Sweep",
    "__version__",
    "calibrate",
    "compare",
    "load_scenario",
    "register_policy",
    "run",
    "sweep",
]
