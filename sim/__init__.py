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
from typing import Any

from sim._version import __version__
from sim.errors import GridqueueError, GridqueueWarning, InputError
from sim.inputs.applicants import CATEGORIES, Applicant, ApplicantTable
from sim.inputs.loading import load_scenario
from sim.inputs.scenario import Scenario
from sim.policies import POLICIES, QueuePolicy, register_policy
from sim.runs.metrics import METRICS
from sim.runs.results import Results
from sim.runs.runner import run

_PLOTTING = {"Comparison": "sim.analysis.comparison", "compare": "sim.analysis.comparison",
             "Sweep": "sim.analysis.sweeps", "sweep": "sim.analysis.sweeps",
             "FitParameter": "sim.analysis.calibration", "calibrate": "sim.analysis.calibration"}
"""Loaded on first use: they import matplotlib, which ``gridqueue run`` does not need."""


def __getattr__(name: str) -> Any:
    """The comparison, sweep and calibration API, imported on first use."""
    if name in _PLOTTING:
        return getattr(importlib.import_module(_PLOTTING[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The module's names, those loaded on first use included, so tab completion offers them."""
    return sorted({*globals(), *__all__})


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
