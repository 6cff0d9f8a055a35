"""Published observations a scenario is set beside: what was counted, when, where, by whom.

A scenario's ``observations:`` key holds a list of them, or the name of a YAML file (relative
to the file naming it) whose ``observations:`` key holds the list, so a family of scenarios
can share one file. Each observation is a count the model also produces: applicants or MW
waiting on a date, requests received or connections made over a period, or the share of those
waiting when a period began who left the list (connected or withdrew) by its end. An observation
with ``relative_to`` is compared as growth: its value divided by the value at an earlier
date, e.g. a national list whose level is not the scenario's but whose growth may be. An
observation with ``bound`` (upper or lower) is a bound, not a point value: e.g. a figure of a
wider area from which the scenario's can differ only one way.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import ErrorDetails

from sim.errors import InputError, SchemaProblem, nearest
from sim.inputs.distributions import Date
from sim.inputs.yaml_source import read_scenario_source

__all__ = ["GROWTH", "GROWTH_UNIT", "QUANTITIES", "UNITS", "Observation", "Quantity",
           "ReferencePoint", "read_observations"]

Quantity = Literal["applicants_waiting", "mw_waiting", "requests_received", "connections_made",
                   "share_leaving"]
QUANTITIES: dict[str, str] = {
    "applicants_waiting": "applicants waiting",
    "mw_waiting": "MW waiting",
    "requests_received": "requests received",
    "connections_made": "connections made",
    "share_leaving": "share leaving the list",
}
"""Each quantity an observation may count, with the words a reader sees."""
UNITS: dict[str, str] = {
    "applicants_waiting": "applicants",
    "mw_waiting": "MW",
    "requests_received": "requests",
    "connections_made": "connections",
    "share_leaving": "% of those waiting when the period began",
}
"""The unit of each quantity, as an axis names it (a share in %, as the sentences say it)."""
GROWTH_UNIT = "times its value at the earlier date"
"""The unit of a growth observation (one with ``relative_to``): a ratio."""
GROWTH = "growth of "
"""How the label of a growth observation (one with ``relative_to``) begins."""
FLOWS = ("requests_received", "connections_made", "share_leaving")
"""Quantities counted over a period (``since`` to ``date``), not on a date."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReferencePoint(_Model):
    """The earlier value a growth observation is divided by."""

    date: Date = Field(description="Date of the earlier value.")
    value: float = Field(gt=0, allow_inf_nan=False, description="The earlier published value.")


class Observation(_Model):
    """One published figure the model can be set beside."""

    date: Date = Field(description="Date the figure refers to (the end of a period).")
    quantity: Quantity = Field(
        description="What was counted: applicants_waiting, mw_waiting, requests_received, "
        "connections_made, or share_leaving (of those waiting when the period began, the share "
        "connected or withdrawn by its end). Waiting: on the list until the whole request is "
        "connected firm, as the queue of timeseries.csv counts it."
    )
    value: float = Field(ge=0, allow_inf_nan=False, description="The published value; a share "
                         "(share_leaving) from 0 to 1: 0.2 for 20%.")
    source: str = Field(min_length=1, description="Where it was published (outlet, date).")
    area: str | None = Field(
        default=None, description="Grid area it counts. None: the whole scenario."
    )
    since: Date | None = Field(
        default=None,
        description="Start of the period of a count of requests received or connections made "
        "(required for those, refused for counts on a date).",
    )
    relative_to: ReferencePoint | None = Field(
        default=None,
        description="Compare growth, not level: value / relative_to.value against the "
        "simulated quantity at date divided by the same at relative_to.date.",
    )
    uncertainty: float = Field(
        default=0.0,
        ge=0,
        lt=1,
        allow_inf_nan=False,
        description="Relative uncertainty of the published figure, plus or minus: 0.1 reads "
        "'about 150' as 135 to 165. 0: taken as exact.",
    )
    bound: Literal["upper", "lower"] | None = Field(
        default=None,
        description="The published figure bounds the simulated one rather than estimating it: "
        "upper (the simulated value should be at most the figure, give or take its "
        "uncertainty), lower (at least). None: a point value.",
    )
    note: str = Field(default="", description="What exactly was counted, in plain words.")

    @model_validator(mode="after")
    def _period(self) -> Observation:
        if self.quantity in FLOWS and self.since is None:
            raise ValueError(f"{self.quantity} counts a period: give since (its first date)")
        if self.quantity not in FLOWS and self.since is not None:
            raise ValueError(f"{self.quantity} is counted on a date: leave since out")
        if self.since is not None and self.since >= self.date:
            raise ValueError(f"expected since before date ({self.date}), got {self.since}")
        if self.relative_to is not None and self.relative_to.date >= self.date:
            raise ValueError(f"expected relative_to.date before date ({self.date}), got "
                             f"{self.relative_to.date}")
        if (self.relative_to is not None and self.since is not None
                and self.relative_to.date < self.since):
            raise ValueError(f"expected relative_to.date on or after since ({self.since}), got "
                             f"{self.relative_to.date}: the growth divides the figure from "
                             "since to date by the same from since to relative_to.date, "
                             "which would count no day")
        self._share_is_a_fraction()
        return self

    def _share_is_a_fraction(self) -> None:
        """Refuse a share leaving above 1: a percentage (20 for 20%) no simulation can reach.

        The key path is the observation's own (``value``, ``relative_to.value``): the loader
        puts the observation's place in front of it.
        """
        if self.quantity != "share_leaving":
            return
        given = {"value": self.value,
                 "relative_to.value": self.relative_to.value if self.relative_to else 0.0}
        for key, value in given.items():
            if value > 1:
                raise SchemaProblem(key, f"expected a share from 0 to 1 (0.2 for 20%), got "
                                    f"{value:g}")

    @property
    def observed(self) -> float:
        """The figure compared: the value, or its ratio to the reference for growth."""
        if self.relative_to is None:
            return self.value
        return self.value / self.relative_to.value

    @property
    def published_range(self) -> tuple[float | None, float | None]:
        """The range a simulated band must meet to agree; None on a bound's open side.

        The compared figure less and plus its uncertainty; an upper bound has no lower end, a
        lower bound no upper one. Worked out in decimals, as the figures are written, and
        rounded once: 0.2 plus half of it is 0.3, where binary floats give
        0.30000000000000004.
        """
        value = Fraction(repr(self.value))
        if self.relative_to is not None:
            value /= Fraction(repr(self.relative_to.value))
        spread = value * Fraction(repr(self.uncertainty))
        low = None if self.bound == "upper" else float(value - spread)
        high = None if self.bound == "lower" else float(value + spread)
        return low, high

    @property
    def label(self) -> str:
        """Plain words for tables and figures, e.g. 'applicants waiting, 2023-10-15'."""
        what = QUANTITIES[self.quantity]
        where = f" in {self.area}" if self.area else ""
        if self.relative_to is not None:
            return f"{GROWTH}{what}{where}, {self.relative_to.date} to {self.date}"
        if self.since is not None:
            return f"{what}{where}, {self.since} to {self.date}"
        return f"{what}{where}, {self.date}"


class _ObservationFile(_Model):
    observations: list[Observation] = Field(description="The observations.")


def read_observations(path: Path, shown_as: str) -> list[dict[str, Any]]:
    """The observations of a file, checked, as plain mappings for the scenario to take in.

    A problem names the file, line and key path, as for scenario files.
    """
    try:
        source = read_scenario_source(path)
    except InputError as exc:
        if exc.key_path or not exc.expected.endswith("at the top level, got list"):
            raise
        # A list of observations alone: what a scenario's own observations: key holds.
        raise InputError(shown_as, "", "expected observations: at the top level, with the list "
                         "of observations under it (the file holds the list alone)",
                         line=1) from None
    try:
        checked = _ObservationFile.model_validate(source.data)
    except pydantic.ValidationError as exc:
        errors = exc.errors(include_url=False)
        # A misspelt key also makes the real key look missing: report the misspelling.
        error = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        loc = tuple(error["loc"])
        problem = (error.get("ctx") or {}).get("error")
        if isinstance(problem, SchemaProblem):  # a key inside the observation
            loc = (*loc, *problem.key_path.split("."))
        _, line = source.locate(loc)
        expected = problem.expected if isinstance(problem, SchemaProblem) else _expected(
            error, loc)
        raise InputError(shown_as, ".".join(map(str, loc)), expected, line=line) from None
    return [o.model_dump(mode="json", exclude_defaults=True) for o in checked.observations]


def _expected(error: ErrorDetails, loc: tuple[str | int, ...]) -> str:
    """What was expected at ``loc``, in the words of the scenario messages."""
    if error["type"] == "extra_forbidden":
        allowed = (list(Observation.model_fields) if len(loc) == 3
                   else list(ReferencePoint.model_fields) if len(loc) == 4
                   else list(_ObservationFile.model_fields))
        return f"unknown key{nearest(str(loc[-1]), allowed)}; expected one of {', '.join(allowed)}"
    if error["type"] == "missing":
        return "missing: this key is required"
    ctx = error.get("ctx") or {}
    if error["type"] == "value_error":
        return str(ctx.get("error", error["msg"]))
    value = error.get("input")
    got = f", got {value!r}" if not isinstance(value, (dict, list)) else ""
    message = error["msg"].removeprefix("Input should be ")
    return f"expected {message[0].lower()}{message[1:]}{got}"
