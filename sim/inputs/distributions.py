"""Sampling specifications, written the same way everywhere in a scenario file.

A distribution is a mapping with ``dist`` naming the family and named parameters, for example
``{dist: lognormal, median: 1.2, sigma: 0.9}``; a plain number means that fixed value. Each
knows its analytic mean, so the engine can be checked against queueing theory, and samples in
blocks from an explicit numpy ``Generator`` (no global random state).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import types
import typing
from abc import ABC, abstractmethod
from typing import Annotated, Any, Literal, TypedDict

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

__all__ = [
    "Distribution",
    "Empirical",
    "Exponential",
    "Fixed",
    "Lognormal",
    "Triangular",
    "Uniform",
    "Weibull",
]


class FiniteField(TypedDict):
    """Keyword arguments of ``Field`` shared by several fields, typed so the calls are checked."""

    allow_inf_nan: bool


class ProbabilityField(FiniteField):
    """Keyword arguments of ``Field`` for a probability: finite, from 0 to 1."""

    ge: float
    le: float


_FINITE: FiniteField = {"allow_inf_nan": False}


def _not_a_number(value: Any) -> Any:
    """Refuse a number given as a date: pydantic would read 1704067200 as Unix seconds.

    It reads the same number quoted as text ('1704067200') so too.
    """
    if isinstance(value, (bool, int, float)) or (isinstance(value, str) and _numeric(value)):
        raise ValueError(f"expected an ISO date such as 2029-01-01, got {value!r}")
    return value


def _numeric(text: str) -> bool:
    """Whether ``text`` reads as a number, such as '1704067200' or '2.5e9'."""
    try:
        float(text)
    except ValueError:
        return False
    return True


Date = Annotated[dt.date, BeforeValidator(_not_a_number)]
"""A calendar date, from a date or ISO text; never from a number. Every date of a scenario
file (and of its observations) has this type."""


def refuse_booleans_as_numbers(model: type[BaseModel], value: Any, field_name: str) -> Any:
    """Refuse true/false where a number belongs (pydantic would read true as 1).

    ``value`` is what a field of ``model`` was given: a number itself, or the values of a
    mapping or list of numbers (``priority_uptake``, ``weights``). Used as a ``before``
    validator of every field of the scenario's models, so it runs for every value a scenario
    is given, and again for each model built from one (a policy's regimes): only a boolean,
    mapping or list can be refused, and what a field holds is worked out once per field.
    """
    if not isinstance(value, bool | dict | list):
        return value
    number, numbers_by_key, numbers_in_list = _number_kinds(model, field_name)
    if number and isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    if numbers_by_key and isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, bool):
                raise ValueError(f"expected a number for {key}, got {item!r}")
    if numbers_in_list and isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, bool):
                raise ValueError(f"expected a number at position {index}, got {item!r}")
    return value


@functools.cache
def _number_kinds(model: type[BaseModel], field_name: str) -> tuple[bool, bool, bool]:
    """Whether a field of ``model`` holds a number, a mapping of numbers, a list of numbers.

    ``field_name`` is the field's name or its alias; a name the model lacks holds none.
    """
    field = model.model_fields.get(field_name) or next(
        (f for f in model.model_fields.values() if f.alias == field_name), None)
    if field is None:
        return False, False, False
    annotation = _unwrap(field.annotation)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    return (_holds_numbers(annotation),
            origin is dict and len(args) == 2 and _holds_numbers(_unwrap(args[1])),
            origin is list and bool(args) and _holds_numbers(_unwrap(args[0])))


def _unwrap(annotation: Any) -> Any:
    """The type inside ``Annotated[...]`` and ``X | None``, where there is one."""
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [m for m in typing.get_args(annotation) if m is not type(None)]
        if len(members) == 1:
            return _unwrap(members[0])
    return annotation


def _holds_numbers(annotation: Any) -> bool:
    """Whether a type is a number (int or float, perhaps optional), never a boolean."""
    members = typing.get_args(annotation) if typing.get_origin(annotation) in (
        typing.Union, types.UnionType) else (annotation,)
    kinds = {_unwrap(m) for m in members if m is not type(None)}
    return bool(kinds) and kinds <= {int, float}


class _Spec(BaseModel, ABC):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _no_boolean_for_a_number(cls, data: Any) -> Any:
        # A model validator: pydantic allows no field validator on the discriminator ``dist``.
        if isinstance(data, dict):
            for name, value in data.items():
                refuse_booleans_as_numbers(cls, value, str(name))
        return data

    @abstractmethod
    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` values as a float array."""

    @property
    @abstractmethod
    def mean(self) -> float:
        """The analytic mean."""

    @property
    def upper_bound(self) -> float:
        """The largest value the family can draw (infinite for unbounded families)."""
        return math.inf

    @property
    def lower_bound(self) -> float:
        """The smallest value the family can draw (0 for families that start at zero)."""
        return 0.0


class Fixed(_Spec):
    """Always the same value."""

    dist: Literal["fixed"] = "fixed"
    value: float = Field(ge=0, description="The value.", **_FINITE)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return np.full(size, self.value, dtype=float)

    @property
    def mean(self) -> float:
        return self.value

    @property
    def upper_bound(self) -> float:
        return self.value

    @property
    def lower_bound(self) -> float:
        return self.value


class Exponential(_Spec):
    """Exponential with the given mean (memoryless: a constant hazard of 1/mean)."""

    dist: Literal["exponential"]
    mean_value: float = Field(alias="mean", gt=0, description="The mean.", **_FINITE)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.exponential(self.mean_value, size)

    @property
    def mean(self) -> float:
        return self.mean_value


class Uniform(_Spec):
    """Uniform between ``low`` and ``high``."""

    dist: Literal["uniform"]
    low: float = Field(ge=0, **_FINITE)
    high: float = Field(ge=0, **_FINITE)

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError(f"expected low <= high, got low {self.low:g}, high {self.high:g}")
        return self

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, size)

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    @property
    def upper_bound(self) -> float:
        return self.high

    @property
    def lower_bound(self) -> float:
        return self.low


class Triangular(_Spec):
    """Triangular from ``low`` through the most likely ``mode`` to ``high``."""

    dist: Literal["triangular"]
    low: float = Field(ge=0, **_FINITE)
    mode: float = Field(ge=0, **_FINITE)
    high: float = Field(ge=0, **_FINITE)

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.low <= self.mode <= self.high:
            raise ValueError(f"expected low <= mode <= high, got low {self.low:g}, "
                             f"mode {self.mode:g}, high {self.high:g}")
        return self

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        if self.low == self.high:
            return np.full(size, self.low, dtype=float)
        return rng.triangular(self.low, self.mode, self.high, size)

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    @property
    def upper_bound(self) -> float:
        return self.high

    @property
    def lower_bound(self) -> float:
        return self.low


class Lognormal(_Spec):
    """Lognormal given by its ``median`` (or ``mean``) and the ``sigma`` of its logarithm."""

    dist: Literal["lognormal"]
    median: float | None = Field(default=None, gt=0, **_FINITE)
    mean_value: float | None = Field(default=None, alias="mean", gt=0, **_FINITE)
    sigma: float = Field(ge=0, le=5, description="Standard deviation of log(x).", **_FINITE)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _one_location(self) -> Lognormal:
        if (self.median is None) == (self.mean_value is None):
            raise ValueError("give exactly one of median or mean, with sigma")
        return self

    @property
    def mu(self) -> float:
        """The mean of log(x)."""
        if self.median is not None:
            return math.log(self.median)
        assert self.mean_value is not None
        return math.log(self.mean_value) - self.sigma**2 / 2

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.lognormal(self.mu, self.sigma, size)

    @property
    def mean(self) -> float:
        """The stated mean if there is one (worked out from ``mu`` it can round past a limit)."""
        if self.mean_value is not None:
            return self.mean_value
        return math.exp(self.mu + self.sigma**2 / 2)


class Weibull(_Spec):
    """Weibull with ``shape`` k and ``scale`` lambda (shape < 1: early give-ups dominate)."""

    dist: Literal["weibull"]
    shape: float = Field(gt=0, **_FINITE)
    scale: float = Field(gt=0, **_FINITE)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return self.scale * rng.weibull(self.shape, size)

    @property
    def mean(self) -> float:
        return self.scale * math.gamma(1 + 1 / self.shape)


class Empirical(_Spec):
    """A list of ``values`` drawn with the given ``weights`` (equal weights by default)."""

    dist: Literal["empirical"]
    values: list[Annotated[float, Field(ge=0, **_FINITE)]] = Field(min_length=1)
    weights: list[Annotated[float, Field(ge=0, **_FINITE)]] | None = None

    @model_validator(mode="after")
    def _weights_match(self) -> Empirical:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(f"expected one weight per value, {len(self.values)} "
                                 f"weight{'' if len(self.values) == 1 else 's'}; "
                                 f"got {len(self.weights)}")
            if sum(self.weights) <= 0:
                raise ValueError("weights must not all be zero")
        return self

    def _probabilities(self) -> np.ndarray:
        weights = np.ones(len(self.values)) if self.weights is None else np.array(self.weights)
        probabilities: np.ndarray = weights / weights.sum()
        return probabilities

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.choice(np.array(self.values, dtype=float), size=size, p=self._probabilities())

    @property
    def mean(self) -> float:
        return float(np.dot(self.values, self._probabilities()))

    @property
    def upper_bound(self) -> float:
        return max(self.values)

    @property
    def lower_bound(self) -> float:
        return min(v for v, p in zip(self.values, self._probabilities(), strict=True) if p > 0)


def _number_means_fixed(value: Any) -> Any:
    """Let a plain number stand for ``{dist: fixed, value: number}``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"dist": "fixed", "value": value}
    return value


class _NumberOrFamilySchema:
    """Writes a distribution's JSON Schema as a plain number or a family, as files give it.

    The number (``_number_means_fixed``) is turned into a family before validation, so
    pydantic's schema would list the families only, and editors would mark ``jobs: 0`` wrong.
    """

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler
                                     ) -> JsonSchemaValue:
        fixed = {"type": "number", "minimum": 0}  # the bounds of Fixed.value
        return {"anyOf": [fixed, handler(schema)]}


Distribution = Annotated[
    Fixed | Exponential | Uniform | Triangular | Lognormal | Weibull | Empirical,
    Field(discriminator="dist"),
    BeforeValidator(_number_means_fixed),
    _NumberOrFamilySchema(),
]
"""Any of the families above, chosen by the ``dist`` key; a plain number means fixed."""

FAMILY_NAMES: tuple[str, ...] = tuple(
    typing.get_args(family.model_fields["dist"].annotation)[0]
    for family in typing.get_args(typing.get_args(Distribution)[0]))
"""Each family's ``dist`` name, in the union's order: error messages take a family added to
the union from here, with nothing else to edit."""
