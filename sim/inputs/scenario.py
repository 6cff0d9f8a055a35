"""The scenario schema: the only place a user's scenario is judged.

Units are in the field names (``_mw``, ``_years``, ``_per_year``); dates are ISO dates.
Simulation time is measured in years from ``start``. Every field carries a description, which
``gridqueue schema`` writes into the JSON Schema and ``docs/scenario-reference.md`` repeats.
Unknown keys are refused everywhere, so a misspelt key never silently falls back to a default.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import math
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sim.errors import SchemaProblem, nearest
from sim.inputs.applicants import CATEGORIES, PRIORITY_CATEGORIES, Category
from sim.inputs.distributions import (
    Date,
    Distribution,
    Fixed,
    ProbabilityField,
    refuse_booleans_as_numbers,
)
from sim.inputs.observations import Observation

__all__ = [
    "Area",
    "CapacityRelease",
    "CategoryChange",
    "Expansion",
    "Grid",
    "OnsiteGeneration",
    "OnsiteDefaults",
    "PartialOffer",
    "Policy",
    "PolicyChange",
    "Period",
    "Project",
    "Rounds",
    "Scenario",
    "Stream",
    "Upgrade",
    "WaitingList",
    "LAYERED",
    "SET_ASIDE",
    "add_months",
    "asking_by",
    "asking_chance",
    "ranked_in",
    "categories_held",
    "holds_priority",
    "queued_in",
    "integrated_rate",
    "DEFAULT_AREA",
    "MAX_REPLICATIONS",
    "MAX_SEED",
]

DEFAULT_AREA = "main"
"""The name of the one grid area of a scenario that does not declare ``grid.areas``."""

DAYS_PER_YEAR = 365.25
"""Simulation years are Julian years: 365.25 days, so leap years need no special case."""

DAY_ROUNDING = 1e-6
"""A time within this many days of midnight is dated the day that starts there: times worked
out from dates (``days / 365.25``) fall a rounding error short of it."""

def addressable_names(names: Iterable[str], what: str) -> None:
    """Refuse a name of a stream, area or right that key paths and random draws cannot tell.

    ``--set streams.NAME.rate_per_year=...`` joins names with dots, so a name with one could
    not be named; the random draws of sources key by ``kind:name`` (``project:NAME``,
    ``waiting_list:csv``), so a name with a colon could share another source's numbers.
    """
    for name in names:
        if not name.strip() or any(c in name for c in ".:") or any(ord(c) < 32 for c in name):
            raise ValueError(f"expected {what} names without '.' (a key path joins names with "
                             "dots) or ':' (kept for gridqueue's own keys, such as project:NAME),"
                             f" not blank, without control characters; got {name!r}")


# Upper bounds far beyond any real case: they turn a typo (an extra zero, 1e300) into a clear
# message before a run, instead of an overflow or an out-of-memory error inside one.
MAX_MW = 1_000_000.0
"""Largest capacity or upgrade of a grid area, in MW (the Dutch peak load is about 20 GW)."""
MAX_REQUEST_MW = 10_000.0
"""Largest (mean) request of one applicant, in MW."""
MAX_JOBS = 1_000_000
"""Largest (mean) number of jobs behind one request."""
MAX_YEARS = 1_000.0
"""Largest (mean) patience, lifetime or upgrade delay, in years."""
MAX_HOMES = 100_000
"""Largest (mean) number of homes in one housing request."""
MAX_SCORE = 1e9
"""Largest (mean) efficiency score: scores only rank, so this bounds a typo, not a scale."""
MAX_ARRIVALS = 10_000_000
"""Largest expected number of requests of one stream in one replication."""
MAX_REPLICATIONS = 100_000
"""Most replications of one run (a scenario's, or those a results folder's run.json lists)."""
MAX_SEED = 2**63 - 1
"""Largest root seed a scenario (and ``gridqueue run --seed``) takes: a signed 64-bit integer."""
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2200, 12, 31)
"""Simulated periods lie between these dates."""
LAYERED = "layered"
"""Validation context key: the scenario comes from files and options, whose checks judge
what the schema cannot, such as who gave a setting that another layer left doing nothing."""
SET_ASIDE = "set_aside"
"""Validation context key: the key paths of efficiency scores set aside when it was loaded."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_boolean_for_a_number(cls, value: Any, info: ValidationInfo) -> Any:
        return refuse_booleans_as_numbers(cls, value, info.field_name or "")


_PROBABILITY: ProbabilityField = {"ge": 0.0, "le": 1.0, "allow_inf_nan": False}

EFFICIENCY_TEXT = ("Efficiency score of a congestion reliever's offer (location against the "
                   "bottleneck, MW it controls, when and how long, price), higher is better; "
                   "a policy with within_category efficiency ranks by it.")
"""What an efficiency score is, for every key that gives one."""


def add_months(date: dt.date, months: int) -> dt.date:
    """``date`` moved by whole calendar months, the day clipped to the month's last.

    The same dates as ``pandas.DateOffset(months=...)``, at a hundredth of its cost: a
    twenty-year monthly timeseries took several milliseconds per replication that way.
    """
    year, month = divmod(date.year * 12 + date.month - 1 + months, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(date.day, last_day))


class Upgrade(_Model):
    """A planned capacity increase: a new substation, a transformer, a released reservation."""

    name: str = Field(description="What the upgrade is, e.g. 'Almere 150 kV station'.")
    date: Date = Field(description="Planned date it comes into service (ISO date).")
    add_mw: float = Field(
        gt=0, le=MAX_MW, allow_inf_nan=False, description="Capacity it adds, in MW."
    )
    delay_years: Distribution | None = Field(
        default=None,
        description="Delay after the planned date, in years, drawn once per replication. "
        "None: on time.",
    )
    same_delay_as: str | None = Field(
        default=None,
        description="The name of another upgrade whose delay this one takes in every "
        "replication, after its own date: the parts of one station in several areas, or its "
        "local and its upstream room. Instead of delay_years.",
    )

    @field_validator("delay_years")
    @classmethod
    def _plausible_delay(cls, value: Any) -> Any:
        return _bounded_mean(value, MAX_YEARS, "years")

    @model_validator(mode="after")
    def _one_delay(self) -> Upgrade:
        if self.delay_years is not None and self.same_delay_as is not None:
            raise SchemaProblem("same_delay_as", "expected delay_years or same_delay_as, not "
                                "both: an upgrade sharing another's delay has none of its own "
                                "(to give it one, set same_delay_as to null as well)")
        return self


class Area(_Model):
    """One grid area (or the shared upstream limit): capacity at the start and upgrades."""

    capacity_mw: float = Field(
        ge=0, le=MAX_MW, allow_inf_nan=False, description="Free capacity at the start, in MW."
    )
    upgrades: list[Upgrade] = Field(default=[], description="Capacity added later.")


class Grid(_Model):
    """The grid: either one area (``capacity_mw`` and ``upgrades``) or several ``areas``."""

    capacity_mw: float | None = Field(
        default=None,
        ge=0,
        le=MAX_MW,
        allow_inf_nan=False,
        description="Free capacity at the start, in MW, of the one area of a single-area grid.",
    )
    upgrades: list[Upgrade] = Field(default=[], description="Upgrades of a single-area grid.")
    areas: dict[str, Area] | None = Field(
        default=None, description="Several areas by name, each with its own capacity."
    )
    upstream: Area | None = Field(
        default=None,
        description="A shared upstream limit (e.g. the regional high-voltage grid) that every "
        "area's connections also count against. None: no shared limit.",
    )

    @model_validator(mode="after")
    def _one_layout(self) -> Grid:
        if self.areas is None and self.capacity_mw is None:
            raise ValueError("give either capacity_mw (one area) or areas (several)")
        if self.areas is not None and (self.capacity_mw is not None or self.upgrades):
            raise ValueError(
                "give either capacity_mw and upgrades (one area) or areas (several), not both"
            )
        if self.areas is not None and not self.areas:
            raise ValueError("areas must name at least one area")
        return self

    @field_validator("areas")
    @classmethod
    def _area_names(cls, value: dict[str, Area] | None) -> dict[str, Area] | None:
        addressable_names(value or {}, "area")
        return value

    @property
    def resolved_areas(self) -> dict[str, Area]:
        """The areas by name; a single-area grid has one area called ``main``."""
        if self.areas is not None:
            return dict(self.areas)
        assert self.capacity_mw is not None
        return {DEFAULT_AREA: Area(capacity_mw=self.capacity_mw, upgrades=self.upgrades)}


class OnsiteGeneration(_Model):
    """Partial on-site generation: who adopts it and how much of their demand it covers."""

    share: float = Field(
        description="Share of applicants who adopt on-site generation (0 to 1).", **_PROBABILITY
    )
    cover: Distribution = Field(
        description="Fraction of demand covered on site (0 to below 1); the grid request is "
        "demand_mw * (1 - cover)."
    )

    @model_validator(mode="before")
    @classmethod
    def _cover_with_share(cls, data: Any) -> Any:
        # No default cover: it would be a number no source gives, entering results unseen.
        if isinstance(data, dict) and "share" in data and "cover" not in data:
            raise ValueError(
                "expected cover next to share: the fraction of demand that adopters cover on "
                "site, e.g. cover: {dist: uniform, low: 0.0, high: 0.4} (it has no default); "
                "or start from a file that has it, such as social_priority_onsite.yaml"
            )
        return data

    @field_validator("cover")
    @classmethod
    def _cover_below_one(cls, value: Any) -> Any:
        # Say what was given: a cover written in percent (high: 40) reads as a typo at once.
        if value.upper_bound >= 1:
            got = (f"values up to {value.upper_bound:g} ({value.dist})"
                   if math.isfinite(value.upper_bound)
                   else f"{value.dist}, which has no upper bound")
            raise ValueError(
                f"expected a fraction of demand below 1 (0.4 for 40%), got {got}; use a "
                "bounded family (fixed, uniform, triangular or empirical) with values below 1"
            )
        return value


class OnsiteDefaults(OnsiteGeneration):
    """Scenario-wide on-site generation, with optional overrides per category."""

    by_category: dict[Category, OnsiteGeneration] = Field(
        default={}, description="Overrides for some categories; a stream's own setting wins."
    )


class Period(_Model):
    """When a stream's requests arrive: from ``start`` (inclusive) to ``end`` (exclusive)."""

    start: Date | None = Field(
        default=None, description="First day requests may arrive. None: the scenario start."
    )
    end: Date | None = Field(
        default=None, description="First day no more requests arrive. None: the scenario end."
    )


class CategoryChange(_Model):
    """From ``date`` on, requests count in another category: the definitions changed."""

    date: Date = Field(description="Date the new category applies, to those already "
                          "waiting and to later requests.")
    category: Category = Field(description="The category from that date on.")


class PartialOffer(_Model):
    """Partial offers: when part of a request fits, the applicant may take it now."""

    min_share: float = Field(
        gt=0, lt=1, allow_inf_nan=False,
        description="Smallest share of the request the applicant takes as a partial connection "
        "(0 to below 1); it takes what is free and waits for the rest.",
    )
    accept_share: float = Field(
        default=1.0, description="Share of applicants who accept a partial offer (drawn per "
        "applicant); the others wait for their whole request.", **_PROBABILITY,
    )


class Expansion(_Model):
    """Expansions: requests of more MW for a connection already in place."""

    share: float = Field(
        description="Share of requests that expand an existing connection (drawn per "
        "applicant).", **_PROBABILITY,
    )
    existing_mw: Distribution = Field(
        description="MW of the connection already in place (not part of the free capacity)."
    )

    @field_validator("existing_mw")
    @classmethod
    def _plausible_existing(cls, value: Any) -> Any:
        return _bounded_mean(value, MAX_REQUEST_MW, "MW")


class NonFirmRight(_Model):
    """A kind of non-firm transport right: the share of the hours of a year it may be used.

    ACM (Staatscourant 2024-23594) allows, since 1 Apr 2025, fully variable rights, rights firm
    for at least 85% of the hours of a year, and rights firm only in agreed time blocks.
    """

    hours_share: float = Field(
        gt=0, le=1, allow_inf_nan=False,
        description="Share of the hours of a year the right may be used (0.85 for a right "
        "firm for 85% of the hours; an assumption for variable and time-block rights).",
    )


class NonFirmPool(_Model):
    """Capacity of one area offered as non-firm rights, beside (not part of) the firm capacity."""

    capacity_mw: float = Field(
        ge=0, le=MAX_MW, allow_inf_nan=False,
        description="MW available outside the peak for non-firm rights at the start.",
    )
    upgrades: list[Upgrade] = Field(
        default=[], description="MW added to the pool later (e.g. found by a new study)."
    )


class NonFirm(_Model):
    """Non-firm transport rights: a pool per area, the kinds of right, the order of offers."""

    rights: dict[str, NonFirmRight] = Field(
        min_length=1, description="The kinds of right on offer, by name (e.g. firm_85, "
        "time_blocks, variable).",
    )
    pools: dict[str, NonFirmPool] = Field(
        min_length=1, description="The non-firm pool of each area, by area name (a "
        "single-area grid's area is 'main').",
    )
    order: Literal["policy", "rotation", "proportional"] = Field(
        default="policy",
        description="How the pool is shared. policy: offered in the queue policy's order, "
        "while the request fits what is left of the pool. rotation or proportional: every "
        "applicant who accepts gets a right at once and the pool is shared; when more is "
        "connected than the pool holds, rotation cuts the hours each may use and proportional "
        "the MW, in proportion.",
    )

    @field_validator("rights")
    @classmethod
    def _right_names(cls, value: dict[str, NonFirmRight]) -> dict[str, NonFirmRight]:
        addressable_names(value, "right")
        return value


class NonFirmOffer(_Model):
    """Which applicants accept a non-firm right while they wait, and whether they stay in line."""

    right: str = Field(min_length=1, description="The kind of right offered (a name in "
                       "non_firm.rights).")
    accept_share: float = Field(
        description="Share of applicants who accept a non-firm right (drawn per applicant).",
        **_PROBABILITY,
    )
    keep_firm_place_share: float = Field(
        default=1.0,
        description="Share of those who accept who keep their place in the firm queue and "
        "move to a firm connection when it comes (drawn per applicant); the others leave the "
        "firm queue when connected non-firm.",
        **_PROBABILITY,
    )


class Stream(_Model):
    """A sector whose requests arrive as a Poisson process."""

    category: Category = Field(description="Category under the prioritisation framework.")
    area: str | None = Field(
        default=None, description="Grid area of its requests (may be left out with one area)."
    )
    rate_per_year: float = Field(
        ge=0, allow_inf_nan=False, description="Requests per year at the start."
    )
    growth_per_year: float = Field(
        default=0.0,
        gt=-1,
        le=10,
        allow_inf_nan=False,
        description="Relative growth of the rate per year: 0.05 means 5% more each year.",
    )
    demand_mw: Distribution = Field(description="Demand of one request, in MW.")
    jobs: Distribution = Field(
        default=Fixed(value=0), description="Jobs behind one request (rounded)."
    )
    patience_years: Distribution | None = Field(
        default=None,
        description="Time after the request at which the applicant withdraws if still waiting, "
        "in years. None: waits forever.",
    )
    lifetime_years: Distribution | None = Field(
        default=None,
        description="How long a connection holds its capacity, in years. None: permanent.",
    )
    onsite_generation: OnsiteGeneration | None = Field(
        default=None, description="On-site generation in this stream (overrides the defaults)."
    )
    period: Period | None = Field(
        default=None,
        description="When the stream's requests arrive; rate_per_year is then the rate at the "
        "period's start. None: over the whole scenario.",
    )
    homes_per_request: Distribution | None = Field(
        default=None,
        description="Each request is a block of this many homes (rounded, at least 1) and "
        "demand_mw is the demand of one home (about 0.002 MW). None: not homes.",
    )
    category_changes: list[CategoryChange] = Field(
        default=[],
        description="Later categories of this stream's requests, in date order (e.g. a "
        "sector added to a category by a new framework).",
    )
    partial_offer: PartialOffer | None = Field(
        default=None, description="Partial offers to this stream's applicants. None: a "
        "request is connected whole or not at all.",
    )
    expansion: Expansion | None = Field(
        default=None, description="Share of requests that expand an existing connection. "
        "None: all are new connections.",
    )
    non_firm: NonFirmOffer | None = Field(
        default=None, description="Non-firm rights offered to this stream's applicants "
        "while they wait (needs non_firm at the top level). None: no offer.",
    )
    efficiency: Distribution | None = Field(
        default=None, description=EFFICIENCY_TEXT + " Drawn per applicant. None: no score.",
    )

    @field_validator("demand_mw", "jobs", "patience_years", "lifetime_years",
                     "homes_per_request", "efficiency")
    @classmethod
    def _plausible_mean(cls, value: Any, info: ValidationInfo) -> Any:
        limit, unit = _STREAM_LIMITS[info.field_name or ""]
        if info.field_name == "demand_mw" and value.mean <= 0:
            raise ValueError("expected a demand above 0 MW")
        if info.field_name == "homes_per_request" and value is not None and value.mean < 1:
            raise ValueError("expected a mean of at least 1 home: a request is a block of at "
                             "least 1, so a smaller one would be taken as 1")
        _check_patience(value, info)
        return _bounded_mean(value, limit, unit)

    def expected_arrivals(self, horizon_years: float) -> float:
        """Expected number of requests in ``horizon_years``: the integral of the growing rate."""
        return integrated_rate(self.rate_per_year, self.growth_per_year, horizon_years)


def _check_patience(value: Any, info: ValidationInfo) -> None:
    """Refuse a patience of none at all, as a project's is: every applicant would withdraw.

    A withdrawal due at the request instant comes before that instant's allocation pass, so
    with a patience of 0 everyone withdrew, with capacity free and none connected.
    """
    if info.field_name == "patience_years" and value is not None and value.mean <= 0:
        raise ValueError("expected a patience above 0 years (leave patience_years out, or "
                         "null, for applicants who wait forever)")


def integrated_rate(rate_per_year: float, growth_per_year: float, years: float) -> float:
    """The integral of ``rate * (1 + growth) ** t`` over [0, years): expected arrivals."""
    log_growth = math.log1p(growth_per_year)
    if abs(log_growth) < 1e-12:
        return rate_per_year * years
    try:
        return rate_per_year * math.expm1(log_growth * years) / log_growth
    except OverflowError:
        return math.inf


_INVISIBLE = {"Cc", "Cf", "Zl", "Zp"}
"""Unicode categories a scenario name may not hold: controls, format characters (zero-width
spaces, right-to-left marks) and line or paragraph separators."""

_STREAM_LIMITS = {
    "homes_per_request": (MAX_HOMES, "homes"),
    "demand_mw": (MAX_REQUEST_MW, "MW"),
    "jobs": (MAX_JOBS, "jobs"),
    "patience_years": (MAX_YEARS, "years"),
    "lifetime_years": (MAX_YEARS, "years"),
    "efficiency": (MAX_SCORE, "as a score"),
}


def _bounded_mean(value: Any, limit: float, unit: str) -> Any:
    """Refuse a distribution whose mean is beyond ``limit`` (or overflows)."""
    if value is None:
        return value
    try:
        mean = value.mean
    except OverflowError:
        mean = math.inf
    if not mean <= limit:
        raise ValueError(f"expected a mean of at most {limit:g} {unit}, got {mean:.3g}")
    return value


class WaitingList(_Model):
    """Applicants already waiting at the start: read from a CSV file or generated."""

    csv: str | None = Field(
        default=None,
        description="CSV file of the waiting list, relative to the scenario file naming "
        "it. Columns: "
        "request_date, category, demand_mw (required); name, stream, area, jobs, "
        "priority_requested, self_supply, efficiency (optional).",
    )
    count: int | None = Field(
        default=None, ge=0, le=10_000_000, description="Number of applicants to generate."
    )
    earliest: Date | None = Field(
        default=None, description="Earliest request date of generated applicants."
    )
    latest: Date | None = Field(
        default=None,
        description="Latest request date of generated applicants (default: the start).",
    )
    mix: dict[str, Annotated[float, Field(ge=0, le=MAX_ARRIVALS, allow_inf_nan=False)]] | None \
        = Field(
        default=None,
        description="Relative weight of each stream among generated applicants "
        "(default: the streams' arrival rates).",
    )
    patience_years: Distribution | None = Field(
        default=None,
        description="Patience of CSV rows that name no stream, counted from the start. "
        "None: they wait forever.",
    )

    efficiency: Distribution | None = Field(
        default=None, description=EFFICIENCY_TEXT + " For CSV rows that give none and name "
        "no stream that draws one. None: no score.",
    )
    partial_offer: PartialOffer | None = Field(
        default=None, description="Partial offers to CSV rows that name no stream (a row "
        "naming a stream takes the stream's). None: they connect whole or not at all.",
    )
    non_firm: NonFirmOffer | None = Field(
        default=None, description="Non-firm rights offered to CSV rows that name no stream "
        "(a row naming a stream takes the stream's offer; needs non_firm at the top level). "
        "None: no offer.",
    )

    @field_validator("patience_years", "efficiency")
    @classmethod
    def _plausible_mean(cls, value: Any, info: ValidationInfo) -> Any:
        limit, unit = _STREAM_LIMITS[info.field_name or ""]
        _check_patience(value, info)
        return _bounded_mean(value, limit, unit)

    @model_validator(mode="after")
    def _one_source(self) -> WaitingList:
        if (self.csv is None) == (self.count is None):
            raise ValueError("give either csv (a file) or count (generated), not both")
        if self.count is not None and self.earliest is None:
            raise ValueError("a generated waiting list needs earliest (first request date)")
        # A key that cannot act is refused rather than ignored.
        csv_only = [key for key in ("patience_years", "efficiency", "partial_offer", "non_firm")
                    if getattr(self, key) is not None]
        if self.count is not None and csv_only:
            raise ValueError(f"{', '.join(csv_only)}: apply only to rows of a csv waiting list "
                             "that name no stream; a generated list (count) draws each "
                             "applicant from a stream, which gives its own; remove it")
        generated_only = [key for key in ("earliest", "latest", "mix")
                          if getattr(self, key) is not None]
        if self.csv is not None and generated_only:
            raise ValueError(f"{', '.join(generated_only)}: apply only to a generated waiting "
                             "list (count); the csv file gives each row's request date and "
                             "stream; remove it")
        if self.mix is not None and sum(self.mix.values()) <= 0:
            raise ValueError("mix weights must not all be zero")
        return self


class Project(_Model):
    """A named project with a fixed request date, e.g. a high-tech campus."""

    name: str = Field(min_length=1, description="Name shown in the outputs; no other project "
                      "and no stream may have it.")
    date: Date = Field(description="Request date.")
    category: Category = Field(default="other", description="Category.")
    area: str | None = Field(default=None, description="Grid area.")
    demand_mw: float = Field(
        gt=0, le=MAX_REQUEST_MW, allow_inf_nan=False, description="Demand, in MW."
    )
    self_supply: float = Field(
        default=0.0,
        ge=0,
        lt=1,
        allow_inf_nan=False,
        description="Fraction of demand generated on site (0 to below 1).",
    )
    jobs: int = Field(
        default=0, ge=0, le=MAX_JOBS, description="Jobs it brings when connected."
    )
    priority_requested: bool = Field(
        default=True, description="Whether it asks for priority under its category."
    )
    patience_years: float | None = Field(
        default=None, gt=0, le=MAX_YEARS, allow_inf_nan=False,
        description="Patience. None: waits forever.",
    )
    lifetime_years: float | None = Field(
        default=None, gt=0, le=MAX_YEARS, allow_inf_nan=False,
        description="Lifetime. None: permanent.",
    )
    category_changes: list[CategoryChange] = Field(
        default=[], description="Later categories of the project, in date order."
    )
    partial_min_share: float | None = Field(
        default=None, gt=0, lt=1, allow_inf_nan=False,
        description="Smallest share of the request the project takes as a partial connection. "
        "None: connected whole or not at all.",
    )
    existing_mw: float = Field(
        default=0.0, ge=0, le=MAX_REQUEST_MW, allow_inf_nan=False,
        description="MW of a connection already in place that this request expands.",
    )
    non_firm_right: str | None = Field(
        default=None, description="The kind of non-firm right (a name in non_firm.rights) the "
        "project accepts while it waits. None: it waits for a firm connection only.",
    )
    keep_firm_place: bool = Field(
        default=True, description="Whether, connected non-firm, it keeps its place in the "
        "firm queue.",
    )
    efficiency: float | None = Field(
        default=None, ge=0.0, le=MAX_SCORE, allow_inf_nan=False,
        description=EFFICIENCY_TEXT + " None: no score.",
    )


class CapacityRelease(_Model):
    """Capacity taken back from connected users by a mechanism, at a stated frequency.

    Use-it-or-lose-it takes back firm capacity that users leave largely unused; a
    capacity-limiting contract frees part of a user's MW at the peak in exchange for payment.
    At each date, every connected user not yet reviewed by this mechanism who has been
    connected at least ``after_years`` (by the calendar: :meth:`connected_by`) is reviewed: a
    share ``user_share`` of them (drawn per applicant) give up ``mw_share`` of their MW, which
    becomes free for those waiting.
    """

    name: str = Field(min_length=1, description="What the mechanism is, e.g. 'use-it-or-lose-it'.")
    area: str | None = Field(
        default=None, description="The grid area it applies in. None: every area."
    )
    start: Date = Field(description="Date of the first review.")
    every_months: int = Field(
        default=12, ge=1, le=120, description="Calendar months between reviews."
    )
    user_share: float = Field(
        description="Share of the users reviewed who give up part of their MW (drawn per "
        "applicant).", **_PROBABILITY,
    )
    mw_share: float = Field(
        gt=0, le=1, allow_inf_nan=False,
        description="Share of such a user's connected MW that is freed.",
    )
    after_years: float = Field(
        default=0.0, ge=0, le=MAX_YEARS, allow_inf_nan=False,
        description="Years a user must have been connected before it is reviewed (use-it-or-"
        "lose-it looks back 12 months: 1), counted back from each review by the calendar: a "
        "user connected on or before the review's date that many years earlier is reviewed.",
    )
    existing_mw: float = Field(
        default=0.0, ge=0, le=MAX_MW, allow_inf_nan=False,
        description="MW of users connected before the start (not applicants of the run) that "
        "the mechanism also reviews, once, at its first review: user_share * mw_share of it "
        "is freed then (split evenly over the areas if no area is named). It raises the "
        "areas' capacity only, not a shared upstream limit.",
    )

    @field_validator("after_years")
    @classmethod
    def _a_day_or_more(cls, value: float) -> float:
        """A lookback counts whole calendar days: one shorter than half a day would be none."""
        if 0 < value * DAYS_PER_YEAR < 0.5:
            raise ValueError(f"expected 0 (connected any time) or at least half a day "
                             f"({0.5 / DAYS_PER_YEAR:.5f} years), which counts as one: reviews "
                             f"look back by calendar days, and {value:g} years is "
                             f"{value * DAYS_PER_YEAR:.2g} of a day")
        return value

    def review_dates(self, end: dt.date) -> list[dt.date]:
        """The dates of its reviews before ``end``: from ``start``, every ``every_months``."""
        dates: list[dt.date] = []
        while (date := add_months(self.start, len(dates) * self.every_months)) < end:
            dates.append(date)
        return dates

    def lookback(self) -> tuple[int, int]:
        """``after_years`` as calendar months and days: 12 times it in whole months, then days.

        The rest of a month in days of an average month (30.44), to the nearest day: 0.5 is 6
        months and no days, 1.01 is 12 months and 4 days.
        """
        months = 12 * self.after_years
        whole = math.floor(months + 1e-9)  # 12 * 0.1 is 1.2000000000000002, 1.4 not 1.39999...
        return whole, round((months - whole) * DAYS_PER_YEAR / 12)

    def connected_by(self, review: dt.date) -> dt.date:
        """The last connection date a review on ``review`` finds connected long enough.

        ``after_years`` back by the calendar (:meth:`lookback`), as a planner counts: 1 is the
        same day a year earlier (1 Jan 2027 for a review on 1 Jan 2028, 365 days), 0.5 six
        months earlier; a day the earlier month lacks is clipped to its last. The days go back
        no further than one more month would, so a longer ``after_years`` never reaches a later
        date (1.99 months before 31 March is 31 January, as 2 months are, not 29 January).
        """
        months, days = self.lookback()
        return max(add_months(review, -months) - dt.timedelta(days=days),
                   add_months(review, -months - 1))


class Rounds(_Model):
    """Allocation in rounds: capacity is offered at fixed dates, not continuously."""

    dates: list[Date] = Field(
        min_length=1, description="Dates of the rounds, in order (e.g. a 2027 round)."
    )
    fit: Literal["strict", "first_fit"] = Field(
        default="first_fit",
        description="How each round serves the line: strict (stop at the first request that "
        "does not fit) or first_fit (everyone, in policy order, whose request fits).",
    )
    between_rounds: list[Category] = Field(
        default=[],
        description="Categories whose applicants with priority are also served between "
        "rounds, as they come (the same fit rule); everyone else waits for a round.",
    )

    @field_validator("between_rounds")
    @classmethod
    def _prioritised(cls, value: list[str]) -> list[str]:
        for category in value:
            if category not in PRIORITY_CATEGORIES:
                raise ValueError(f"'{category}' has no priority; expected categories from "
                                 f"{', '.join(PRIORITY_CATEGORIES)}")
        return value


WithinCategory = Literal["request_date", "efficiency"]
"""How a category is ordered inside: first come first served, or by efficiency score."""


class _Regime(_Model):
    order: str = Field(
        default="fifo",
        description="Queue policy: fifo, social_priority, another registered name, or "
        "'module:Class' for your own (runs your code).",
    )
    allocation: Literal["strict", "first_fit", "rounds"] = Field(
        default="strict",
        description="strict: serve in policy order and stop at the first request that does "
        "not fit (head-of-line blocking). first_fit: connect everyone, in policy order, whose "
        "request fits what is left. rounds: serve only at the dates of rounds.",
    )
    rounds: Rounds | None = Field(
        default=None, description="The rounds, with allocation: rounds (and only then)."
    )
    category_order: list[Category] = Field(
        default=list(CATEGORIES),
        description="Categories from highest to lowest priority (used by social_priority).",
    )
    within_category: dict[Category, WithinCategory] = Field(
        default={},
        description="How social_priority orders a category inside: request_date (first come, "
        "first served) or efficiency (highest efficiency score first, request date breaking "
        "ties; those without a score last). Categories left out: request_date.",
    )
    params: dict[str, Any] = Field(default={}, description="Parameters of a custom policy.")

    @field_validator("category_order")
    @classmethod
    def _all_categories_once(cls, value: list[str]) -> list[str]:
        return _each_category_once(value)


def _each_category_once(value: list[str]) -> list[str]:
    """A category order must list every category exactly once."""
    if sorted(value) != sorted(CATEGORIES):
        raise ValueError(f"must list each of {', '.join(CATEGORIES)} exactly once")
    return value


class PolicyChange(_Model):
    """From ``date`` on, another policy applies; fields left out stay as they were."""

    date: Date = Field(description="Date the change takes effect.")
    order: str | None = Field(default=None, description="New queue policy.")
    allocation: Literal["strict", "first_fit", "rounds"] | None = Field(
        default=None, description="New allocation rule."
    )
    rounds: Rounds | None = Field(default=None, description="New rounds.")
    category_order: list[Category] | None = Field(
        default=None, description="New category order."
    )
    within_category: dict[Category, WithinCategory] | None = Field(
        default=None, description="New order within categories (e.g. congestion_relief: "
        "efficiency from 2026-01-01)."
    )
    params: dict[str, Any] | None = Field(default=None, description="New custom parameters.")

    @field_validator("category_order")
    @classmethod
    def _all_categories_once(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _each_category_once(value)


class Policy(_Regime):
    """The queue policy in force at the start and, optionally, later changes to it."""

    changes: list[PolicyChange] = Field(
        default=[],
        description="Later changes in date order, e.g. social priority from 2024-10-01.",
    )
    imports: list[str] | None = Field(
        default=None,
        alias="import",
        description="Python modules to import before the policies are looked up, from the "
        "folder of the scenario file naming them or the Python path, so the policies they "
        "register can be named "
        "(runs their code). None: none.",
    )

    @field_validator("imports")
    @classmethod
    def _module_names(cls, value: list[str] | None) -> list[str] | None:
        for name in value or []:
            if not all(part.isidentifier() for part in name.split(".")):
                raise ValueError(f"expected Python module names (such as mypolicies), got "
                                 f"{name!r}")
        return value

    def regimes(self) -> list[tuple[dt.date | None, _Regime]]:
        """The regimes in force over time: (start date or None for the start, regime)."""
        current = _Regime(
            order=self.order,
            allocation=self.allocation,
            rounds=self.rounds,
            category_order=self.category_order,
            within_category=self.within_category,
            params=self.params,
        )
        timeline: list[tuple[dt.date | None, _Regime]] = [(None, current)]
        for change in self.changes:
            updates = change.model_dump(exclude={"date"}, exclude_none=True)
            if updates.get("allocation", "rounds") != "rounds":
                updates.setdefault("rounds", None)  # leaving rounds ends them
            current = _Regime.model_validate({**current.model_dump(), **updates})
            timeline.append((change.date, current))
        return timeline

    def restated(self) -> list[bool]:
        """For each change, whether it restates the rules in force before it: it changes nothing.

        A family's file may restate them at a date its children change (social_priority.yaml
        at the 2026 decision), so a change is not always a change.
        """
        rules = [regime for _, regime in self.regimes()]
        return [before == after for before, after in itertools.pairwise(rules)]


def _list_or_file(schema: dict[str, Any]) -> None:
    """In a file, observations may also be a file name (the loader reads it in)."""
    listed = {key: schema.pop(key) for key in ("type", "items")}
    schema["anyOf"] = [listed, {"type": "string"}]


class Scenario(_Model):
    """A whole scenario: the world (grid, applicants) and the policy applied to it."""

    name: str = Field(
        default="scenario",
        description="Short name used in tables, plots and the default output folder "
        "results/<name>: a name, not a path (no / or \\, not starting with a dot). A scenario "
        "file without one is named after the file that was loaded (its stem); 'scenario' is "
        "the default only of a Scenario built in Python.",
    )
    description: str = Field(default="", description="What this scenario represents.")
    start: Date = Field(description="Start of the simulated period (ISO date).")
    end: Date = Field(description="End of the simulated period (ISO date), after start.")
    seed: int = Field(default=1, ge=0, lt=MAX_SEED + 1,
                      description="Root seed of all random draws.")
    replications: int = Field(
        default=10, ge=1, le=MAX_REPLICATIONS, description="Independent replications to run."
    )
    timestep_months: int = Field(
        default=1, ge=1, le=120, description="Months between rows of timeseries.csv."
    )
    grid: Grid = Field(description="Grid capacity and upgrades.")
    streams: dict[str, Stream] = Field(default={}, description="Arrival streams by sector.")
    waiting_list: WaitingList | None = Field(
        default=None, description="Applicants already waiting at the start."
    )
    projects: list[Project] = Field(default=[], description="Named projects.")
    policy: Policy = Field(default=Policy(), description="Queue policy and allocation rule.")
    priority_uptake: dict[Category, Annotated[float, Field(**_PROBABILITY)]] = Field(
        default={c: 1.0 for c in PRIORITY_CATEGORIES},
        description="Share of each eligible category's applicants who ask for priority "
        "(priority is granted on request only). Categories left out: 1.",
    )
    onsite_generation: OnsiteDefaults | None = Field(
        default=None, description="On-site generation for all streams, unless they say else."
    )
    capacity_releases: list[CapacityRelease] = Field(
        default=[], description="Capacity taken back from connected users by mechanisms "
        "(use-it-or-lose-it, capacity-limiting contracts)."
    )
    non_firm: NonFirm | None = Field(
        default=None, description="Non-firm transport rights: pools beside the firm capacity "
        "and how they are offered. None: firm connections only.",
    )
    observations: list[Observation] = Field(
        default=[],
        description="Published figures to set the results beside (observations.csv), or the "
        "name of a YAML file holding them under observations: (relative to the file naming it).",
        json_schema_extra=_list_or_file,
    )

    _source_path: Path | None = PrivateAttr(default=None)
    _source_files: tuple[Path, ...] = PrivateAttr(default=())
    _chain_files: tuple[Path, ...] = PrivateAttr(default=())
    _loaded_in: Path | None = PrivateAttr(default=None)
    """The working folder it was loaded in, which its relative file names are relative to."""
    _options: tuple[tuple[tuple[str, ...], str, str], ...] = PrivateAttr(default=())
    """The key path of each option it was loaded with, how a message names the option (as
    typed: ``--set 2:replications=5``) and the change it made (``--set replications=5``)."""
    _scores_set_aside: frozenset[str] = PrivateAttr(default=frozenset())
    """Key paths of efficiency scores no rules rank by that its files' checks let through: a
    parent's, set aside with a warning, so checking it again (:data:`SET_ASIDE`) keeps them."""

    def option_giving(self, key_path: str) -> str | None:
        """The last option (``--set key=value``) giving ``key_path``, a key around it or in it.

        None where no option does (a file gives it, or a default): an error found during a
        run names the option that chose what failed, not a file that names something else.
        """
        path = tuple(key_path.split("."))
        for given, shown, _ in reversed(self._options):
            if given[:len(path)] == path or path[:len(given)] == given:
                return shown
        return None

    @property
    def options_given(self) -> tuple[str, ...]:
        """The options it was loaded with (``--set grid.capacity_mw=20``), in order.

        What a report names beside the file, which alone would pass for the whole scenario:
        the change this file got, without the ``2:`` that aimed it at one input of a compare.
        """
        return tuple(applied for _, _, applied in self._options)

    @property
    def source_path(self) -> Path | None:
        """The file this scenario was loaded from, as the user named it (None if built in code)."""
        return self._source_path

    @property
    def extends_chain(self) -> tuple[Path, ...]:
        """The file this scenario was loaded from, then each file it ``extends``, in order.

        Empty for a scenario built in code. ``gridqueue compare`` follows it to tell which
        input another one extends, however far up; ``run.json`` records it.
        """
        return tuple(self._anchored(path) for path in self._chain_files)

    @property
    def input_files(self) -> tuple[Path, ...]:
        """Every file this scenario was read from: its YAML files and its waiting-list CSV.

        An output must never overwrite one of these (:func:`sim.runs.staging.check_writable`).
        """
        csv = self.waiting_list.csv if self.waiting_list else None
        return (*(self._anchored(path) for path in self._source_files),
                *([self.base_dir / csv] if csv else []))

    @property
    def base_dir(self) -> Path:
        """The loaded file's folder, where readers look up the waiting-list CSV and policies.

        A CSV a parent file in another folder names is stored by its absolute path; a parent's
        policy modules are imported from its folder when the scenario is loaded.
        """
        if self._source_path is None:
            return Path.cwd()
        return self._anchored(self._source_path).resolve().parent

    def _anchored(self, path: Path) -> Path:
        """A file it was loaded from, as named then while the working folder is the same.

        Once the folder changed (``os.chdir`` in a notebook, or in a policy module as it is
        imported), a relative name is taken from the folder it was loaded in: from the new one
        it named another file, so a run read another folder's waiting list of the same name,
        or said it was missing, and run.json recorded scenario files that were not its own.
        """
        if path.is_absolute() or self._loaded_in is None:
            return path
        try:
            if Path.cwd() == self._loaded_in:
                return path
        except OSError:  # the working folder was deleted
            pass
        return self._loaded_in / path

    @field_validator("name")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        # Blank, padded or invisible characters make a folder results/<name> one cannot see
        # or type: 'results/  ', or 'valid' followed by a no-break space.
        if not value or value.startswith(".") or value != value.strip() or any(
                c in "/\\" or unicodedata.category(c) in _INVISIBLE for c in value):
            raise ValueError("expected a name, not a path: no / or \\, no control or invisible "
                             "characters, no spaces at either end, not starting with a dot "
                             f"(got {value!r})")
        return value

    @field_validator("streams")
    @classmethod
    def _stream_names(cls, value: dict[str, Stream]) -> dict[str, Stream]:
        addressable_names(value, "stream")
        return value

    @field_validator("priority_uptake")
    @classmethod
    def _uptake(cls, value: dict[str, float]) -> dict[str, float]:
        for category in value:
            if category not in PRIORITY_CATEGORIES:
                raise ValueError(f"'{category}' has no priority to ask for; expected "
                                 f"categories from {', '.join(PRIORITY_CATEGORIES)}")
        return {**{c: 1.0 for c in PRIORITY_CATEGORIES}, **value}

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        problems = _cross_field_problems(self)
        if problems:
            key_path, expected = problems[0]
            other = _bound_moved_past(key_path, self)
            if (key_path == "end" and self.end <= self.start  # or is it start that is late?
                    and EARLIEST_DATE <= self.end <= LATEST_DATE):
                other = ("start", f"expected a date before end ({self.end}), got {self.start}")
            raise SchemaProblem(key_path, expected, other)
        return self

    @model_validator(mode="after")
    def _scores_ranked(self, info: ValidationInfo) -> Scenario:
        """Refuse efficiency scores no rules rank by, unless the files judge them later.

        Read from files (:data:`LAYERED`), they are judged with the files and options, so a
        parent's scores that a child's policy leaves unranked are set aside, not refused;
        checked again, those set aside then (:data:`SET_ASIDE`) stay so.
        """
        context = info.context or {}
        if not context.get(LAYERED):
            for key_path, expected, why, advice in unranked_scores(self):
                if key_path not in context.get(SET_ASIDE, ()):
                    raise SchemaProblem(key_path, f"{expected}: {why}; {advice}")
        return self

    @model_validator(mode="after")
    def _observations_fit(self) -> Scenario:
        for i, observation in enumerate(self.observations):
            path = f"observations.{i}"
            if observation.area is not None and observation.area not in self.area_names:
                raise SchemaProblem(f"{path}.area", f"unknown area '{observation.area}'"
                                    f"{nearest(observation.area, self.area_names)}, expected "
                                    f"one of {', '.join(self.area_names)}")
            dates = {"date": observation.date, "since": observation.since,
                     "relative_to.date": observation.relative_to.date if observation.relative_to
                     else None}
            for key, date in dates.items():  # a day of the run: it ends as end begins
                if date is not None and not self.start <= date < self.end:
                    raise SchemaProblem(f"{path}.{key}", f"expected a date from start "
                                        f"({self.start}) to the day before end ({self.end}), "
                                        f"got {date}{_END_DAY if date == self.end else ''}",
                                        _observation_outside(f"{path}.{key}", date, self))
        return self

    @property
    def horizon_years(self) -> float:
        """Length of the simulated period in years."""
        return self.years_since_start(self.end)

    def years_since_start(self, date: dt.date) -> float:
        """Simulation time of a date: years (of 365.25 days) since ``start``."""
        return (date - self.start).days / DAYS_PER_YEAR

    def day_end_years(self, date: dt.date) -> float:
        """Simulation time at which ``date`` ends: a time before it is dated ``date`` or earlier.

        Dated as the outputs date times (:data:`DAY_ROUNDING`): a user whose ``connect_date``
        in ``applicants.csv`` is ``date`` or earlier connected before this time.
        """
        return ((date - self.start).days + 1 - DAY_ROUNDING) / DAYS_PER_YEAR

    def date_at(self, years: float) -> dt.date:
        """The calendar date at a simulation time (rounded down to the day)."""
        return self.start + dt.timedelta(days=int(years * DAYS_PER_YEAR))

    @property
    def area_names(self) -> list[str]:
        """Names of the grid areas, in file order."""
        return list(self.grid.resolved_areas)

    @property
    def changes_categories(self) -> bool:
        """Whether a stream or project changes category on a date (rows of a waiting list too).

        Its figures by category (the category of the request) and its queue (the one in
        force) then group a moved request apart.
        """
        return any(s.category_changes for s in self.streams.values()) or any(
            p.category_changes for p in self.projects)

    def upgrade_lists(self) -> list[tuple[str, str, list[Upgrade]]]:
        """Every list of upgrades: (its key path, its owner, the upgrades).

        The owner names the upgrades' random streams of delays
        (:func:`sim.inputs.rng.upgrade_keys`): an area's name, 'upstream' or
        'non_firm:<area>'; a grid of one area is area 'main'.
        """
        if self.grid.areas is None:
            lists = [("grid.upgrades", DEFAULT_AREA, self.grid.upgrades)]
        else:
            lists = [(f"grid.areas.{name}.upgrades", name, area.upgrades)
                     for name, area in self.grid.areas.items()]
        if self.grid.upstream is not None:
            lists.append(("grid.upstream.upgrades", "upstream", self.grid.upstream.upgrades))
        if self.non_firm is not None:
            lists += [(f"non_firm.pools.{name}.upgrades", f"non_firm:{name}", pool.upgrades)
                      for name, pool in self.non_firm.pools.items()]
        return lists

    def delay_of(self, upgrade: Upgrade) -> Distribution | None:
        """The distribution of an upgrade's delay: its own, or the one it shares."""
        if upgrade.same_delay_as is None:
            return upgrade.delay_years
        return next(other.delay_years for _, _, upgrades in self.upgrade_lists()
                    for other in upgrades if other.name == upgrade.same_delay_as)

    def earliest(self, upgrade: Upgrade) -> dt.date:
        """The first day an upgrade can come, its shortest delay included."""
        delay = self.delay_of(upgrade)
        years = 0.0 if delay is None else delay.lower_bound
        return upgrade.date + dt.timedelta(days=years * DAYS_PER_YEAR)


def _shared_delay_problems(s: Scenario, upgrade: Upgrade) -> list[str]:
    """What is wrong with the upgrade an upgrade's ``same_delay_as`` names, if anything."""
    name = upgrade.same_delay_as
    others = [other for _, _, upgrades in s.upgrade_lists() for other in upgrades]
    named = [other for other in others if other.name == name]
    if not named:
        return [f"unknown upgrade '{name}'{nearest(str(name), [o.name for o in others])}, "
                "expected the name of another upgrade of the grid or a non-firm pool"]
    if len(named) > 1:
        return [f"'{name}' names {len(named)} upgrades; expected a name given once"]
    other = named[0]
    if other is upgrade:
        return [f"expected another upgrade than '{name}' itself"]
    if other.same_delay_as is not None:
        return [f"'{name}' shares the delay of '{other.same_delay_as}' itself; expected the "
                "name of the upgrade that has the delay_years"]
    if other.delay_years is None:
        return [f"'{name}' has no delay_years to share, so this upgrade would come on time "
                "as it is: expected an upgrade with a delay (or leave same_delay_as out)"]
    return []


_END_DAY = ": the run stops as its end date begins, so nothing of that day is simulated"
"""Why an observation may not count the end date: its requests would read as none."""


def _observation_outside(key_path: str, date: dt.date, s: Scenario) -> tuple[str, str]:
    """The start or end that leaves an observation's date outside the run, and what it needs.

    Named where an option moved it (``--set start=...`` on a file whose observations came
    with it): the message then says whose date it passed, and the way out. ``{where}`` and
    ``{set}`` are filled in by the loader: where the observation was given, and ``--set``.
    """
    bound, need, move = ("start", "on or before", "an earlier start") if date < s.start \
        else ("end", "after", "a later end")
    return (bound, f"expected a date {need} {date}, that of {key_path} ({{where}}): an "
                   f"observation is set beside the run, so it must fall within it; give "
                   f"{move}, or run without the observations: {{set}} observations=null")


def _bound_moved_past(key_path: str, s: Scenario) -> tuple[str, str] | None:
    """The start or end that leaves the date at ``key_path`` outside the run, and what it needs.

    Named where an option moved it (``--set end=2022-12-01`` before a file's upgrade): the
    loader then blames the option, not the line of the file it made wrong. ``{where}`` is
    filled in by the loader: where the date was given. None where the key holds no date
    outside the run (nor for ``start`` and ``end`` themselves).
    """
    if key_path in ("start", "end"):
        return None
    value: Any = s
    for part in key_path.split("."):
        try:
            value = (value[int(part)] if isinstance(value, list) else value[part]
                     if isinstance(value, dict) else getattr(value, part))
        except (AttributeError, IndexError, KeyError, ValueError):
            return None
    if not isinstance(value, dt.date) or s.start < value < s.end:
        return None
    bound, need, move = (("start", "before", "an earlier start") if value <= s.start
                         else ("end", "after", "a later end"))
    return (bound, f"expected a date {need} {value}, that of {key_path} ({{where}}), which "
                   f"must fall within the run: give {move}, or leave "
                   f"{key_path.rsplit('.', 1)[0]} out")


def _cross_field_problems(s: Scenario) -> list[tuple[str, str]]:
    """Checks that span several fields, as (key path, what was expected) pairs."""
    problems: list[tuple[str, str]] = []
    for key, date in (("start", s.start), ("end", s.end)):
        if not EARLIEST_DATE <= date <= LATEST_DATE:
            problems.append((key, f"expected a date from {EARLIEST_DATE} to {LATEST_DATE}, "
                             f"got {date}"))
    if s.end <= s.start:
        problems.append(("end", f"expected a date after start ({s.start}), got {s.end}"))
    areas = s.area_names

    def check_area(path: str, area: str | None) -> None:
        if area is None and len(areas) > 1:
            problems.append((f"{path}.area", f"expected one of {', '.join(areas)}"))
        elif area is not None and area not in areas:
            hint = nearest(area, areas)
            problems.append((f"{path}.area", f"unknown area '{area}'{hint}, expected one of "
                             f"{', '.join(areas)}"))

    for name, spec in s.streams.items():
        check_area(f"streams.{name}", spec.area)
        arrivals = spec.expected_arrivals(max(s.horizon_years, 0.0))
        if not arrivals <= MAX_ARRIVALS:
            # the growth, where the rate alone would fit: the error names what gave the growth
            key = ("growth_per_year" if spec.rate_per_year * s.horizon_years <= MAX_ARRIVALS
                   else "rate_per_year")
            problems.append((f"streams.{name}.{key}", f"expected at most "
                             f"{MAX_ARRIVALS} requests per replication, got about "
                             f"{arrivals:.3g} (lower rate_per_year or growth_per_year, or "
                             "shorten the period)"))
    for i, project in enumerate(s.projects):
        check_area(f"projects.{i}", project.area)
        if not s.start <= project.date < s.end:
            problems.append((f"projects.{i}.date", f"expected a date from start ({s.start}) "
                             f"to before end ({s.end}), got {project.date}"))
    for path, _, upgrades in s.upgrade_lists():
        for i, upgrade in enumerate(upgrades):
            if not s.start < upgrade.date < s.end and not path.startswith("non_firm"):
                why = (" (capacity present at the start belongs in capacity_mw)"
                       if upgrade.date <= s.start else " (an upgrade after the end changes "
                       "nothing in the run: leave it out, or move end)")
                problems.append((f"{path}.{i}.date", f"expected a date after start "
                                 f"({s.start}) and before end ({s.end}), got {upgrade.date}"
                                 + why))
            if upgrade.same_delay_as is not None:
                problems += [(f"{path}.{i}.same_delay_as", expected)
                             for expected in _shared_delay_problems(s, upgrade)]
    previous = s.start
    for i, change in enumerate(s.policy.changes):
        if not previous < change.date < s.end:
            why = ("" if s.start < change.date < s.end else
                   " (a change on or before the start is in force from the start: give its "
                   "policy as policy.order, which in a child file or --set replaces the "
                   "inherited policy.changes, or give an earlier start)"
                   if change.date <= s.start else " (a change on or after the end changes "
                   "nothing in the run: leave it out, or move end)")
            problems.append((f"policy.changes.{i}.date", f"expected a date after {previous} "
                             f"and before end ({s.end}), got {change.date}{why}"))
        previous = change.date
    waiting = s.waiting_list
    if waiting is not None and waiting.count is not None:
        latest = waiting.latest or s.start
        if waiting.earliest is not None and not waiting.earliest <= latest <= s.start:
            problems.append(("waiting_list", f"expected earliest <= latest <= start "
                             f"({s.start}), got earliest {waiting.earliest}, latest {latest}"))
        for stream, weight in (waiting.mix or {}).items():
            if stream not in s.streams:
                problems.append((f"waiting_list.mix.{stream}", f"unknown stream "
                                 f"'{stream}'{nearest(stream, s.streams)}, expected one of "
                                 f"{', '.join(s.streams) or '(no streams defined)'}"))
            elif weight and starts_later(s, s.streams[stream]):
                problems.append((f"waiting_list.mix.{stream}", "expected 0 for a stream whose "
                                 "period starts after start: it has nobody on the list"))
        rates = sum(stream.rate_per_year for stream in s.streams.values()
                    if not starts_later(s, stream))
        if waiting.mix is None and waiting.count and rates <= 0:
            problems.append(("waiting_list.mix", "expected stream weights (no stream has a "
                             "positive rate_per_year to take the mix from)"))
    return problems + _dated_rule_problems(s)


def starts_later(s: Scenario, stream: Stream) -> bool:
    """Whether a stream's period starts after the scenario's start."""
    return stream.period is not None and stream.period.start is not None and \
        stream.period.start > s.start


def _dated_rule_problems(s: Scenario) -> list[tuple[str, str]]:
    """Checks of the rules that change on a date: periods, category changes, rounds."""
    problems: list[tuple[str, str]] = []
    for name, stream in s.streams.items():
        period = stream.period
        if period is not None:
            first, last = period.start or s.start, period.end or s.end
            if not s.start <= first < last <= s.end:
                problems.append((f"streams.{name}.period", f"expected start ({s.start}) <= "
                                 f"period start < period end <= end ({s.end}), got {first} to "
                                 f"{last}"))
        problems += _category_change_problems(f"streams.{name}", stream.category,
                                              stream.category_changes, s)
        if stream.partial_offer is not None and stream.lifetime_years is not None:
            problems.append((f"streams.{name}.partial_offer", "expected no lifetime_years with "
                             "partial offers (a partly connected applicant holds its MW for "
                             "good)"))
    names = [p.name for p in s.projects]
    for i, project in enumerate(s.projects):
        problems += _category_change_problems(f"projects.{i}", project.category,
                                              project.category_changes, s)
        if not project.priority_requested and not any(
                category in PRIORITY_CATEGORIES for category in categories_held(project)):
            problems.append((f"projects.{i}.priority_requested", f"expected it left out: "
                             f"'{project.category}' has no priority to ask for, so declining "
                             f"it would do nothing"))
        if project.partial_min_share is not None and project.lifetime_years is not None:
            problems.append((f"projects.{i}.partial_min_share", "expected no lifetime_years "
                             "with a partial connection (a partly connected applicant holds "
                             "its MW for good)"))
        if names.index(project.name) < i:
            problems.append((f"projects.{i}.name", f"expected a name no other project has "
                             f"(the outputs follow each project by name), got "
                             f"'{project.name}', the name of projects.{names.index(project.name)}"))
        if project.name in s.streams:
            problems.append((f"projects.{i}.name", f"expected a name no stream has (a "
                             f"comparison tells applicants apart by their stream or project, "
                             f"and would take the project's for the stream's), got "
                             f"'{project.name}', the name of streams.{project.name}"))
    areas = s.area_names
    for i, release in enumerate(s.capacity_releases):
        if release.area is not None and release.area not in areas:
            problems.append((f"capacity_releases.{i}.area", f"unknown area '{release.area}'"
                             f"{nearest(release.area, areas)}, expected one of "
                             f"{', '.join(areas)}"))
        if not s.start <= release.start < s.end:
            problems.append((f"capacity_releases.{i}.start", f"expected a date from start "
                             f"({s.start}) to before end ({s.end}), got {release.start}"))
    problems += _non_firm_problems(s)
    for index, (_, regime) in enumerate(s.policy.regimes()):
        path = "policy" if index == 0 else f"policy.changes.{index - 1}"
        if regime.allocation == "rounds" and regime.rounds is None:
            problems.append((f"{path}.rounds", "expected the rounds (dates) with allocation "
                             "rounds"))
        elif regime.allocation != "rounds" and regime.rounds is not None:
            problems.append((f"{path}.allocation", f"expected allocation rounds where rounds "
                             f"are given (they would do nothing with {regime.allocation})"))
        elif regime.rounds is not None:
            previous = None
            for j, date in enumerate(regime.rounds.dates):
                if not s.start <= date < s.end or (previous is not None and date <= previous):
                    after = f"after {previous}" if previous is not None else f"from {s.start}"
                    problems.append((f"{path}.rounds.dates.{j}", f"expected a date {after} "
                                     f"and before end ({s.end}), got {date}"))
                previous = date
    return problems + _rounds_out_of_force(s)


def _rounds_out_of_force(s: Scenario) -> list[tuple[str, str]]:
    """Round dates that fall where no rules holding those rounds are in force.

    Rounds given with a change last until a change of allocation ends them (a change of order
    alone keeps them); a date outside that span would hold no round, silently.
    """
    timeline = s.policy.regimes()
    bounds = [start or s.start for start, _ in timeline] + [s.end]
    spans: dict[int, list[tuple[dt.date, dt.date]]] = {}  # by the regime that gave the rounds
    origin = -1
    for index, (_, regime) in enumerate(timeline):
        if regime.rounds is None:
            continue
        if index == 0 or timeline[index - 1][1].rounds != regime.rounds:
            origin = index
        spans.setdefault(origin, []).append((bounds[index], bounds[index + 1]))
    problems = []
    for index, held in spans.items():
        rounds = timeline[index][1].rounds
        assert rounds is not None
        path = "policy" if index == 0 else f"policy.changes.{index - 1}"
        first, last = held[0][0], held[-1][1]
        for j, date in enumerate(rounds.dates):
            if s.start <= date < s.end and not any(a <= date < b for a, b in held):
                problems.append((f"{path}.rounds.dates.{j}", f"expected a date while these "
                                 f"rounds are in force, from {first} to before {last}, got "
                                 f"{date}: no round would be held then"))
    return problems


def efficiency_ranked_at(s: Scenario) -> list[tuple[tuple[str | int, ...], list[Category]]]:
    """The ``within_category`` key of each policy regime that ranks by efficiency score.

    Each with the categories it ranks so.
    """
    ranked = []
    for index, (_, regime) in enumerate(s.policy.regimes()):
        prefix: tuple[str | int, ...] = ("policy",) if index == 0 else ("policy", "changes",
                                                                         index - 1)
        categories = [category for category, how in regime.within_category.items()
                      if how == "efficiency"]
        if categories:
            ranked.append(((*prefix, "within_category"), categories))
    return ranked


def scores_drawn(s: Scenario) -> bool:
    """Whether a stream, a project or the waiting list's default gives efficiency scores."""
    waiting = s.waiting_list
    return (any(stream.efficiency is not None for stream in s.streams.values())
            or any(project.efficiency is not None for project in s.projects)
            or (waiting is not None and waiting.efficiency is not None))


def categories_held(giver: Stream | Project) -> dict[str, None]:
    """The categories a stream's or project's applicants hold over time, first to last."""
    return dict.fromkeys([giver.category, *(c.category for c in giver.category_changes)])


def holds_priority(giver: Stream | Project) -> bool:
    """Whether a stream's or project's applicants ever hold a category with priority to ask."""
    return any(category in PRIORITY_CATEGORIES for category in categories_held(giver))


def asking_by(held: Mapping[str, None]) -> str | None:
    """The category whose ``priority_uptake`` an applicant holding ``held`` asks by.

    The first it holds with priority, as the applicants are drawn (whether one asks is drawn
    once); None: it never holds a category with priority.
    """
    return next((category for category in held if category in PRIORITY_CATEGORIES), None)


def queued_in(held: Mapping[str, None], chance: float) -> set[str]:
    """The categories an applicant holding ``held`` queues in, asking for priority by ``chance``.

    Who asks queues in each category it holds; who does not queues as ``other`` (priority
    is granted on request only), so with a chance of 0 (an uptake of 0, a project that
    declines) only ``other`` ranks or orders it.
    """
    queued = {category for category in held if category == "other" or chance > 0}
    if chance < 1 and asking_by(held) is not None:
        queued.add("other")
    return queued


def ranked_in(s: Scenario, held: Mapping[str, None], chance: float) -> set[str]:
    """The categories whose ranking within a category can reach an applicant holding ``held``.

    Under gridqueue's ``social_priority`` those it queues in (:func:`queued_in`): who does
    not ask for priority is ranked in other. A policy of the user's that ranks within a
    category may rank by the applicant's own category, asked or not, so with one in force
    every category it holds counts too: a score refused there would change outcomes.
    """
    queued = queued_in(held, chance)
    by_asking = all(regime.order == SOCIAL_PRIORITY for _, regime in s.policy.regimes()
                    if regime.within_category)
    return queued if by_asking else queued | set(held)


SOCIAL_PRIORITY = "social_priority"
"""The built-in policy that ranks within a category, queuing who does not ask as other."""


def asking_chance(s: Scenario, giver: Stream | Project) -> float:
    """How likely an applicant of a stream (its uptake) or a project (1 or 0) asks for priority."""
    if isinstance(giver, Project):
        return 1.0 if giver.priority_requested else 0.0
    by = asking_by(categories_held(giver))
    return 0.0 if by is None else s.priority_uptake.get(by, 1.0)  # type: ignore[call-overload]


def unranked_scores(s: Scenario) -> list[tuple[str, str, str, str]]:
    """Efficiency scores of a stream, project or the waiting list that no rules would rank by.

    Each as (key path, what was expected, why, advice). Only a category ranked by efficiency
    (``within_category``) in some period reads them, for those who queue in it
    (:func:`queued_in`); scores of applicants never in such a category, or who hold one only
    without asking for priority, would do nothing, silently. The waiting list's default scores
    CSV rows whose categories are known only from the file, so it needs some category ranked.
    """
    ranked = {category for _, regime in s.policy.regimes()
              for category, how in regime.within_category.items() if how == "efficiency"}
    givers: list[tuple[str, Stream | Project]] = [
        *((f"streams.{name}", stream) for name, stream in s.streams.items()),
        *((f"projects.{i}", project) for i, project in enumerate(s.projects))]
    expected = "expected no efficiency scores here"
    problems = []
    for path, giver in givers:
        held = categories_held(giver)
        if giver.efficiency is None or ranked.intersection(ranked_in(s, held, asking_chance(
                s, giver))):
            continue
        if not ranked.intersection(held):
            problems.append((f"{path}.efficiency", expected, f"no rules in force rank "
                             f"{' or '.join(held)} by efficiency (policy.within_category), so "
                             "they would do nothing", "rank the category by efficiency there, "
                             "or leave the scores out"))
            continue
        declines, advice = (("the project does not ask for priority (priority_requested is "
                             "false), so it queues", "let it ask for priority")
                            if isinstance(giver, Project) else
                            (f"nobody in {' or '.join(c for c in held if c != 'other')} asks "
                             "for priority "
                             f"(priority_uptake.{asking_by(held)} is 0), and who does not "
                             "queues", "raise the uptake"))
        problems.append((f"{path}.efficiency", expected, f"{declines} in other, which no rules "
                         "in force rank by efficiency (policy.within_category), so they would "
                         "do nothing", f"{advice}, or leave the scores out"))
    waiting = s.waiting_list
    if waiting is not None and waiting.efficiency is not None and not ranked:
        problems.append(("waiting_list.efficiency", expected, "no rules in force rank any "
                         "category by efficiency (policy.within_category), so they would do "
                         "nothing", "rank a category by efficiency there, or leave the scores "
                         "out"))
    return problems


def _category_change_problems(
    path: str, category: str, changes: list[CategoryChange], s: Scenario
) -> list[tuple[str, str]]:
    """Category changes must be dated in order inside the period and each change something."""
    problems: list[tuple[str, str]] = []
    previous_date, previous = s.start, category
    for i, change in enumerate(changes):
        key = f"{path}.category_changes.{i}"
        if not previous_date < change.date < s.end:
            problems.append((f"{key}.date", f"expected a date after {previous_date} and before "
                             f"end ({s.end}), got {change.date}"))
        if change.category == previous:
            problems.append((f"{key}.category", f"expected a category other than "
                             f"'{previous}', which applies already (a change that changes "
                             "nothing)"))
        previous_date, previous = change.date, change.category
    return problems


def _non_firm_problems(s: Scenario) -> list[tuple[str, str]]:
    """Non-firm rights: pools in known areas, offers of known rights where a pool exists.

    An offer without a pool would do nothing: it is refused. Pools and rights nobody can be
    offered are judged with who draws applicants, and where each was given, in
    :mod:`sim.inputs.inert`.
    """
    problems: list[tuple[str, str]] = []
    offers: list[tuple[str, str, str | None]] = [
        (f"streams.{name}.non_firm", stream.non_firm.right, stream.area)
        for name, stream in s.streams.items() if stream.non_firm is not None]
    waiting = s.waiting_list
    if waiting is not None and waiting.non_firm is not None:
        offers.append(("waiting_list.non_firm", waiting.non_firm.right, None))
    offers += [(f"projects.{i}.non_firm_right", right, project.area)
               for i, project in enumerate(s.projects)
               if (right := project.non_firm_right) is not None]
    if s.non_firm is None:
        return [(path, "expected non_firm at the top level (its pools and rights) for a "
                 "non-firm offer") for path, _, _ in offers]
    areas = s.area_names
    for area, pool in s.non_firm.pools.items():
        if area not in areas:
            problems.append((f"non_firm.pools.{area}", f"unknown area '{area}'"
                             f"{nearest(area, areas)}, expected one of {', '.join(areas)}"))
        if not pool.capacity_mw and not any(upgrade.add_mw for upgrade in pool.upgrades):
            problems.append((f"non_firm.pools.{area}.capacity_mw", "expected some MW, at the "
                             "start or from an upgrade: a pool of 0 MW that never grows "
                             "grants no right (leave the pool out)"))
        for i, upgrade in enumerate(pool.upgrades):
            if not s.start < upgrade.date < s.end:
                problems.append((f"non_firm.pools.{area}.upgrades.{i}.date", f"expected a date "
                                 f"after start ({s.start}) and before end ({s.end}), got "
                                 f"{upgrade.date}"))
    rights = s.non_firm.rights
    for path, right, offer_area in offers:
        key = path if path.endswith("non_firm_right") else f"{path}.right"
        if right not in rights:
            problems.append((key, f"unknown right '{right}'{nearest(right, rights)}, expected "
                             f"one of {', '.join(rights)}"))
        if not path.startswith("waiting_list") and \
                (offer_area or areas[0]) not in s.non_firm.pools:  # CSV rows name their areas
            problems.append((path, f"expected a pool for area '{offer_area or areas[0]}' in "
                             "non_firm.pools (without one the offer does nothing)"))
    return problems
