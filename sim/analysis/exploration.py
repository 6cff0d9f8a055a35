"""The model as a plain function, for the exploration tools analysts already use.

``key_figures(path, parameters, seed)`` runs a scenario file with some parameters changed and
returns scalar key figures: what the EMA workbench, SALib or a notebook loop expects of a
model. Parameters are dotted keys as ``--set`` takes them, or the spanning ones of
:mod:`sim.analysis.parameters`. The seed replaces the scenario's, so the same seed under two
parameter sets gives common random numbers. A worked example with the EMA workbench::

    import numpy as np
    from ema_workbench import RealParameter, ReplicatorModel, ScalarOutcome, perform_experiments
    from sim.analysis.exploration import KEY_FIGURES, ema_function

    model = ReplicatorModel("flevoland", function=ema_function("scenarios/flevoland/base.yaml"))
    model.replications = [{"seed": seed} for seed in (1, 2, 3)]
    model.uncertainties = [RealParameter("arrivals.rate_scale", 0.8, 1.2),
                           RealParameter("withdrawal.hazard_scale", 0.5, 2.0)]
    model.outcomes = [ScalarOutcome(name, function=np.mean) for name in KEY_FIGURES]
    experiments, outcomes = perform_experiments(model, scenarios=20)

Its sampling, scenario discovery (PRIM) and sensitivity analysis (SALib) then work on the
returned tables. docs/calibration.md has the example in full.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sim.analysis.parameters import load_with_parameters
from sim.runs.metrics import ALL, HEADLINE_METRICS
from sim.runs.replication import run_replication

__all__ = ["KEY_FIGURES", "ema_function", "key_figures"]

KEY_FIGURES = (*(f"{ALL}.{m}" for m in HEADLINE_METRICS),
               *(f"basic_needs.{m}" for m in HEADLINE_METRICS))
"""A short list of outcomes to name in an exploration: the headline figures overall and for
basic needs, as ``<group>.<metric>``. :func:`key_figures` returns these among every key figure
of every group, and ``observed.<i>`` for each of the scenario's observations."""


def key_figures(
    path: str | Path, parameters: Mapping[str, Any], seed: int, replication: int = 0
) -> dict[str, float]:
    """Scalar key figures of one replication of a scenario file with ``parameters`` set.

    Args:
        path: the scenario file.
        parameters: dotted keys (``grid.upgrades.8.add_mw``) or spanning parameters
            (``arrivals.rate_scale``) and their values.
        seed: the root seed (replaces the scenario's); same seed, same applicant draws.
        replication: which replication of that seed.

    Returns:
        ``<group>.<metric>`` for every key figure of every group (``all`` and each category,
        NaN where a figure has no value, e.g. a mean wait with nobody connected; a share such
        as ``withdrawn_share`` from 0 to 1, not in percent), and
        ``observed.<i>``: the simulated value of the scenario's observation ``i``.
    """
    scenario = load_with_parameters(path, {**parameters, "seed": seed})
    output = run_replication(scenario, replication)
    figures = {f"{row.group}.{row.metric}": float(row.value)  # type: ignore[arg-type]  # a float column
               for row in output.metrics.itertuples(index=False)}
    figures.update({f"observed.{i}": float(v) for i, v in enumerate(output.observed)})
    return figures


def ema_function(path: str | Path) -> Callable[..., dict[str, float]]:
    """A model function for the EMA workbench: keyword parameters and ``seed`` in, figures out.

    The workbench passes each uncertainty by name (a dotted key is a valid name) and, for a
    ``ReplicatorModel``, the keys of each replication (here ``seed``).
    """

    def function(seed: int = 1, **parameters: Any) -> dict[str, float]:
        return key_figures(path, parameters, int(seed))

    return function
