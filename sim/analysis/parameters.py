"""Scenario parameters by name: dotted keys as ``--set`` takes them, plus a few that span streams.

Calibration and exploration tools vary a handful of numbers. Most are one key of the file
(``grid.upgrades.8.add_mw``); some questions need a number that moves every stream at once:

- ``arrivals.rate_scale``: multiplies every stream's ``rate_per_year``;
- ``arrivals.<category>.rate_scale``: the same for the streams of one category (a category mix);
- ``arrivals.growth_per_year``: sets every stream's ``growth_per_year`` (but of one of rate
  0, which draws nobody whatever its growth);
- ``withdrawal.hazard_scale``: multiplies every stream's withdrawal hazard, i.e. divides the
  mean of each exponential ``patience_years`` (streams that wait forever stay so).

Each is turned into plain ``--set`` overrides of the scenario it is applied to, so the
scenario written with fitted values says in its own keys what changed.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sim.errors import GridqueueError, InputError, nearest
from sim.inputs.applicants import CATEGORIES
from sim.inputs.distributions import Exponential
from sim.inputs.loading import as_overrides, load_variant
from sim.inputs.scenario import Scenario
from sim.inputs.yaml_source import Override, read_scenario_source

__all__ = ["REPLACES", "SPANNING", "ParameterisedScenario", "load_with_parameters",
           "stream_overrides"]

SPANNING: dict[str, str] = {
    "arrivals.rate_scale": "multiplies every stream's rate_per_year",
    **{f"arrivals.{c}.rate_scale": f"multiplies the rate_per_year of every {c} stream"
       for c in CATEGORIES},
    "arrivals.growth_per_year": "sets every stream's growth_per_year (but of one of rate 0)",
    "withdrawal.hazard_scale": "multiplies every stream's withdrawal hazard (divides the mean "
    "of each exponential patience_years)",
}
"""The parameters that span streams, with what each does."""

REPLACES: dict[str, str] = {"arrivals.growth_per_year": "streams.*.growth_per_year"}
"""The stream keys a spanning parameter replaces (``*``: every stream); the others scale them."""

Changes = Sequence[str | Override] | Mapping[str, Any]
"""A caller's own changes: ``key.path=value`` text (as ``--set`` takes it) or a mapping."""


def load_with_parameters(path: str | Path, parameters: Mapping[str, Any],
                         given: Changes = ()) -> Scenario:
    """The scenario file with ``given``, then ``parameters`` (see ParameterisedScenario.load)."""
    return ParameterisedScenario(path).load(parameters, given)


class ParameterisedScenario:
    """A scenario file read once, loaded with many sets of parameters."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.source = read_scenario_source(self.path)

    def load(self, parameters: Mapping[str, Any], given: Changes = ()) -> Scenario:
        """The scenario with ``given``, then ``parameters``: dotted keys first, then spanning ones.

        ``given`` are the caller's own changes (``--set`` text, or a mapping from Python),
        named in messages as given; ``parameters`` are values the caller never typed (a
        candidate's), named ``override key=value``.
        """
        changes = [*as_overrides(given), *as_overrides(dict(parameters))]
        for change in changes:
            _check_spanning(change)
        plain = [change for change in changes if change.key_path not in SPANNING]
        spanning = {c.key_path: c.value for c in changes if c.key_path in SPANNING}
        scenario = load_variant(self.source, plain)
        if not spanning:
            return scenario
        streams = as_overrides(stream_overrides(scenario, spanning))
        given_as = {c.key_path: c for c in changes if c.key_path in SPANNING}  # the last wins
        said = {stream.shown: " and ".join(
            given_as[key].shown for key in _set_by(scenario, stream.path, spanning))
            for stream in streams}
        with _said_as(said):
            return load_variant(self.source, [*plain, *streams])


def _set_by(scenario: Scenario, path: tuple[str, ...], spanning: Mapping[str, Any]
            ) -> list[str]:
    """The spanning parameters that gave a stream key of :func:`stream_overrides` its value."""
    _, name, field = path
    if field == "rate_per_year":
        category = scenario.streams[name].category
        return [key for key in ("arrivals.rate_scale", f"arrivals.{category}.rate_scale")
                if key in spanning]
    return ["arrivals.growth_per_year" if field == "growth_per_year"
            else "withdrawal.hazard_scale"]


@contextmanager
def _said_as(said: Mapping[str, str]) -> Iterator[None]:
    """Warnings naming a stream override name the spanning parameters that gave it instead.

    ``said``: each stream override as messages name it (``override
    streams.a.rate_per_year=0.0``), and its parameters as the user gave them. The per-stream
    overrides are how a spanning parameter reaches the scenario; a warning whose cause is one
    of them (a category scaled to nobody, leaving its priority uptake nobody to act on)
    named a key and value the user never typed. Several streams set by one parameter
    ('override streams.a.rate_per_year=0.0 and override streams.b.rate_per_year=0.0') name
    it once. What the overrides do, and errors, which name the key refused, are unchanged.
    """
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as recorded:
            warnings.simplefilter("always")
            caught = recorded
            yield
    finally:  # also those given before a refusal, as they were without this
        for warning in caught:
            text = str(warning.message)
            for shown in sorted(said, key=len, reverse=True):
                text = text.replace(shown, said[shown])
            for instead in set(said.values()):
                while f"{instead} and {instead}" in text:
                    text = text.replace(f"{instead} and {instead}", instead)
            warnings.warn_explicit(text, warning.category, warning.filename, warning.lineno)


def _check_spanning(change: Override) -> None:
    """Refuse a misspelt spanning parameter, suggesting the nearest, as --set does a key.

    The loader would take ``arrivals.rate_scal`` for a scenario key and say only that the
    scenario has no ``arrivals``. A key that starts as a spanning one does, or that is no
    scenario key and is near one, is named against the spanning parameters instead.
    """
    key = change.key_path
    top = change.path[0]
    hint = nearest(key, SPANNING)
    if key in SPANNING or not (top in ("arrivals", "withdrawal")
                               or (hint and top not in Scenario.model_fields)):
        return
    raise InputError(change.shown, key, f"unknown parameter{hint}; expected a scenario key or "
                     f"one of {', '.join(SPANNING)}")


def stream_overrides(scenario: Scenario, spanning: Mapping[str, Any]) -> dict[str, Any]:
    """The per-stream ``--set`` overrides that the spanning parameters stand for."""
    overrides: dict[str, Any] = {}
    scale = float(spanning.get("withdrawal.hazard_scale", 1.0))
    if scale <= 0:
        raise GridqueueError(f"withdrawal.hazard_scale={scale:g}: expected a number above 0")
    for name, stream in scenario.streams.items():
        rate = stream.rate_per_year * float(spanning.get("arrivals.rate_scale", 1.0))
        rate *= float(spanning.get(f"arrivals.{stream.category}.rate_scale", 1.0))
        if rate != stream.rate_per_year:
            overrides[f"streams.{name}.rate_per_year"] = rate
        if "arrivals.growth_per_year" in spanning and rate > 0:
            overrides[f"streams.{name}.growth_per_year"] = float(
                spanning["arrivals.growth_per_year"])
        if scale != 1.0 and stream.patience_years is not None:
            if not isinstance(stream.patience_years, Exponential):
                raise GridqueueError(
                    f"withdrawal.hazard_scale={scale:g}: expected exponential patience_years "
                    f"in every stream that withdraws; stream '{name}' has "
                    f"{stream.patience_years.dist}")
            overrides[f"streams.{name}.patience_years"] = {
                "dist": "exponential", "mean": stream.patience_years.mean / scale}
    return overrides
