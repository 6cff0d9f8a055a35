"""The unit of a scenario key, read from its name, as the schema names its fields.

Units are in the field names: ``grid.capacity_mw`` is in MW, ``grid.upgrades.8.delay_years``
in years, ``streams.storage.rate_per_year`` in requests per year, ``onsite_generation.share``
a share from 0 to 1. The suffixes say it; the few keys without one are named here. A
distribution's parameter (``delay_years.high``), an item of a list (``upgrades.8``) and a
category of a mapping (``priority_uptake.basic_needs``) are in the unit of the key they belong
to. The words are those of the Unit column of docs/scenario-reference.md, which a test keeps
in step.
"""

from __future__ import annotations

from sim.inputs.applicants import CATEGORIES

__all__ = ["FRACTIONS", "key_unit"]

SUFFIXES = (
    ("rate_per_year", "requests per year"),
    ("_per_year", "per year"),
    ("_mw", "MW"),
    ("_years", "years"),
    ("_months", "months"),
    ("_share", "share"),
)
"""The unit of a key whose name ends so, the first that fits."""

NAMED = {
    "share": "share",
    "priority_uptake": "share",
    "cover": "fraction",
    "self_supply": "fraction",
    "uncertainty": "fraction",
    "jobs": "jobs",
    "homes_per_request": "homes",
    "count": "applicants",
    "replications": "count",
    "efficiency": "score",
    "mix": "weight",
}
"""The unit of each key whose name says it by no suffix."""

IN_THE_KEYS_UNIT = ("low", "high", "mode", "mean", "median", "scale", "value", "values")
"""A distribution's parameters that are in the unit of its key (``sigma`` and ``shape`` are
not: they have none)."""

FRACTIONS = ("share", "fraction")
"""Units written as a number from 0 to 1 (0.2 for 20%)."""


def key_unit(key: str) -> str | None:
    """The unit of a key path as ``--set`` takes it; None where its name says none.

    None for a date, a name, a policy and the like, and for a key this schema does not know.
    """
    for part in reversed(key.split(".")):
        unit = NAMED.get(part) or next(
            (unit for suffix, unit in SUFFIXES if part.endswith(suffix)), None)
        if unit is not None:
            return unit
        if not (part.isdigit() or part in IN_THE_KEYS_UNIT or part in CATEGORIES):
            return None
    return None
