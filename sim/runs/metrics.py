"""Key figures of one replication, per category and overall. Pure functions over tables."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from sim.inputs.applicants import CATEGORIES
from sim.inputs.scenario import DAYS_PER_YEAR
from sim.runs.incidence import incidence_curve, restricted_mean_wait, time_to_share_connected
from sim.runs.records import CATEGORY_DTYPE, OUTCOME_DTYPE, OUTCOMES

__all__ = [
    "ALL",
    "AREA_CHANGED",
    "BESIDE_HEADLINE",
    "BY_AREA",
    "CATEGORY_CHANGED",
    "DRAWN_DIFFERENTLY",
    "COMPARED",
    "EVERY_APPLICANT",
    "EVERY_REPLICATION",
    "HEADLINE_METRICS",
    "IN_BOTH",
    "LEAD_METRICS",
    "METRICS",
    "ONLY_IN_REFERENCE",
    "ONLY_IN_VARIANT",
    "PERIODS_DIFFER",
    "POPULATIONS",
    "QUARTER_FOR_HALF",
    "SHORTER_WINDOW",
    "SHORTER_YEARS",
    "STREAMS_DIFFER",
    "TABLE_METRICS",
    "WAITING_LIST",
    "Metric",
    "figures_of",
    "incomplete_figures",
    "metric_columns",
    "replication_metrics",
    "rows_of",
]

ALL = "all"
"""The group name of figures over every applicant."""

WAITING_LIST = "the waiting list"
"""How a population names a waiting list set apart as a whole, where every stream differs
(:func:`sim.analysis.populations.question_populations`)."""

EVERY_APPLICANT, IN_BOTH, ONLY_IN_VARIANT, CATEGORY_CHANGED, DRAWN_DIFFERENTLY, STREAMS_DIFFER = (
    "every_applicant", "in_both", "only_in_variant", "category_changed", "drawn_differently",
    "streams_differ")
ONLY_IN_REFERENCE, PERIODS_DIFFER, BY_AREA = "only_in_reference", "periods_differ", "by_area"
AREA_CHANGED = "area_changed"
POPULATIONS = (EVERY_APPLICANT, IN_BOTH, ONLY_IN_VARIANT, ONLY_IN_REFERENCE, CATEGORY_CHANGED,
               DRAWN_DIFFERENTLY, STREAMS_DIFFER, PERIODS_DIFFER, BY_AREA, AREA_CHANGED)
"""Which applicants a row of a comparison table counts, in both scenarios alike:
``every_applicant`` when both have the same streams and projects, drawn alike, in the same
categories. Otherwise ``in_both``, the applicants of the streams and projects both scenarios
have, drawn alike and in the same categories (a category none of them holds has no
difference: nobody of it is in both), and, set apart, one stream or project (``origin``)
that only the variant has (``only_in_variant``: its own figures, nothing to compare with),
that only the reference has (``only_in_reference``: the variant removed it; the reference's
figures of it, group ``all``, nothing to compare with, so a reader sees who the comparison
leaves out), that changes category between the two, or changes it on another date
(``category_changed``: its applicants compared as one group) or that the variant draws
differently (``drawn_differently``: another rate, say; its applicants compared as one group,
unpaired, as they are not the same ones).
When no stream or project of both is drawn alike (each stream's rate split over areas, say):
``streams_differ``, every applicant of each, as none can be matched with its counterpart,
but for a waiting list only one has or that differs between them, set apart as one group
(``only_in_variant``, ``only_in_reference`` or ``drawn_differently``, named
:data:`WAITING_LIST` with its size), and a named project only one has (``only_in_variant``
or ``only_in_reference``), as their applicants are people the other never has;
``origin`` then lists the streams and projects that differ. When the runs start or end on
different dates: ``periods_differ``, every applicant of each, not like with like (the longer
run counts requests the other never sees, and follows the others longer); ``origin`` says
how the periods differ. Beside ``every_applicant`` in a grid of the same several areas in
both, every stream and project asking in the same areas: ``by_area``, all the applicants of
the area ``origin`` names (group ``all``; the same applicants in both, as everyone is).
A stream that asks in other areas of two grids of several areas, drawn alike and in the
same categories: ``area_changed``, its applicants in both (group ``all``, paired), who are
also counted in their categories above: a move changes where they wait, not who they are (a
named project moved is left to its connection dates)."""

COMPARED = (EVERY_APPLICANT, IN_BOTH, STREAMS_DIFFER, PERIODS_DIFFER)
"""The populations whose rows compare categories, like with like."""


@dataclass(frozen=True)
class Metric:
    """A key figure: its unit, what it counts, its label, and how replications summarise it."""

    unit: str
    """count, years, share, jobs, job-years, MW or MW-years. A share is a fraction from 0 to 1
    in every table (summary.csv, replication_metrics.csv, comparison.csv, sweep.csv); the
    terminal, the report and the figures show it in percent and its differences in
    percentage points."""
    description: str
    label: str
    """Plain words with the unit, for tables and figures, e.g. 'Mean wait, connected (years)'."""
    depends_on_end: bool
    """Whether the figure of the same applicants changes with where the run stops: counts at
    the end, waits cut off by it, totals over the run. Figures read within a fixed window of
    each request do not; but every figure counts the requests made before the end, so a later
    end adds later requests to it (a comparison of runs that end apart is not like with
    like), and a window figure moves with them where waits change over the run."""
    bounds: tuple[float, float] = (0.0, np.inf)
    """The values the figure can take; its interval across replications stays inside them."""
    estimator: Literal["mean", "median"] = "mean"
    """``mean`` across replications, or ``median`` for a figure that may be not reached
    (``inf``) in some replications, whose mean would say nothing."""
    every_replication: bool = False
    """Whether the figure has a value across replications only if it has one in every
    replication whose group had applicants. A replication may not know a restricted mean
    wait (nobody in it was seen that long after a request while some still waited), and
    which replications do depends on how they turned out: the mean of the others would
    answer another question (how long the wait is when the queue empties early, say)."""
    shared: bool = False
    """Whether a group's value holds more than its own applicants' share of the whole: the
    capacity left idle while anyone of the group waited is free to every group waiting then,
    and ``all``'s MW freed also counts users connected before the run. See
    :attr:`categories_add_up`."""

    @property
    def categories_add_up(self) -> bool:
        """Whether the categories' values add up to ``all``'s, in each replication and mean.

        Totals over applicants do (counts, jobs, MW, job- and MW-years); times, shares and
        the :attr:`shared` figures do not: summing ``idle_mw_years`` over the categories
        counts the same free MW once for each category that waited beside another.
        """
        return self.unit not in ("years", "share") and not self.shared


WITHIN_YEARS = (1, 2, 5)
RMST_YEARS = (10, 5)
"""The windows of the restricted mean time to connection, in years after each request: ten
years sees a reinforcement years away (the Flevopolder's is 2033 or later), five years is known
in shorter runs too."""
CONNECT_SHARES = {"connect_p25_years": 0.25, "connect_median_years": 0.5}
"""Time-to-connection quantiles: the share of the group's applicants connected by then."""


def _years(n: int) -> str:
    """'1 year', '2 years': a window's length in words."""
    return f"{n} year{'s' if n > 1 else ''}"


METRICS: dict[str, Metric] = {
    "applicants": Metric("count", "applicants who asked for a connection before the end of "
                         "the run", "Applicants who asked by the end of the run",
                         depends_on_end=True),
    "connected": Metric("count", "applicants connected by the end of the run: whole, in part "
                        "or by a non-firm right (see waiting)",
                        "Applicants connected by the end of the run", depends_on_end=True),
    "withdrawn": Metric("count", "applicants who gave up and withdrew before the end of the "
                        "run", "Applicants withdrawn by the end of the run",
                        depends_on_end=True),
    "withdrawn_share": Metric(
        "share", "share of the group's applicants who asked before the end of the run "
        "(applicants) that withdrew by the end of the run (withdrawn): withdrawn over "
        "applicants in each replication; empty where the group had no applicants. Not read "
        "within a window of each request, as connected_within_* are: a late request has had "
        "less time to give up", "Gave up by the end of the run, of those who asked (%)",
        depends_on_end=True, bounds=(0.0, 1.0)),
    "waiting": Metric("count", "applicants still waiting at the end of the run without any "
                      "connection; one connected in part or holding a non-firm right counts as "
                      "connected, though it may still wait for firm MW (timeseries.csv's "
                      "queue counts it)",
                      "Applicants still waiting at the end of the run, without any connection",
                      depends_on_end=True),
    "connect_median_years": Metric(
        "years", "years from request by which half of the group's applicants are connected, "
        "counting everyone (withdrawn as never connected, still waiting censored at the end), "
        "read from the cumulative incidence of connection; inf (not reached) where fewer than "
        "half connect within the longest wait the run observes. Median across replications",
        "Median time to connection, everyone (years)", depends_on_end=True,
        estimator="median"),
    "connect_p25_years": Metric(
        "years", "years from request by which a quarter of the group's applicants are "
        "connected, counting everyone, as connect_median_years; inf (not reached) where fewer "
        "than a quarter connect within the longest wait the run observes. Median across "
        "replications",
        "Time to connect the first quarter, everyone (years)", depends_on_end=True,
        estimator="median"),
    **{
        f"wait_rmst_{n}y_years": Metric(
            "years", f"mean years waited within the first {_years(n)} after the request, "
            "counting everyone: the area under the not-connected curve (restricted mean time "
            f"to connection) from 0 to {n} years; withdrawn count as not connected for the "
            "rest of the window, still waiting are censored",
            f"Mean wait in the first {_years(n)}, everyone (years)",
            depends_on_end=False, bounds=(0.0, float(n)), every_replication=True)
        for n in RMST_YEARS
    },
    "wait_to_end_years": Metric(
        "years", "mean years without a connection from the request (or the start of the run, "
        "for the waiting list) to the first connection or the end of the run, counting "
        "everyone: withdrawn count as without one to the end of the run. Known in every "
        "replication and sees a change at any date in the run, but depends on where the run "
        "ends; the answers' stand-in where the mean within 10 years is not known",
        "Mean years without a connection, to the end of the run, everyone (years)",
        depends_on_end=True),
    "wait_firm_rmst_10y_years": Metric(
        "years", "mean years waited for a firm connection of the whole request within the first "
        "10 years after the request, counting everyone: as wait_rmst_10y_years, but neither a "
        "partial connection nor a non-firm right ends the wait (one who holds only a right is "
        "not connected firm, to the end of the run)",
        "Mean wait for a full firm connection in the first 10 years, everyone (years)",
        depends_on_end=False, bounds=(0.0, 10.0), every_replication=True),
    "wait_mean_years": Metric(
        "years", "mean wait of those connected by the end of the run, request to connection; "
        "leaves out those withdrawn and still waiting (name kept for compatibility)",
        "Mean wait of those connected by the end of the run (years)", depends_on_end=True),
    "wait_median_years": Metric(
        "years", "median wait of those connected by the end of the run; leaves out those "
        "withdrawn and still waiting (name kept for compatibility)",
        "Median wait of those connected by the end of the run (years)", depends_on_end=True),
    "wait_p90_years": Metric(
        "years", "90th percentile of the wait of those connected by the end of the run; leaves "
        "out those withdrawn and still waiting (name kept for compatibility)",
        "90th percentile wait of those connected by the end of the run (years)",
        depends_on_end=True),
    **{
        f"connected_within_{n}y": Metric(
            "share",
            f"share connected within {_years(n)} of the request; denominator: applicants who "
            f"asked at least {_years(n)} before the end of the run (observed {_years(n)})",
            f"Connected within {_years(n)}, of those observed {_years(n)} (%)",
            depends_on_end=False, bounds=(0.0, 1.0))
        for n in WITHIN_YEARS
    },
    "jobs_connected": Metric("jobs", "jobs of the applicants connected by the end of the run",
                             "Jobs connected by the end of the run", depends_on_end=True),
    "jobs_withdrawn": Metric("jobs", "jobs lost to withdrawal before the end of the run",
                             "Jobs lost to withdrawal by the end of the run",
                             depends_on_end=True),
    "jobs_waiting": Metric("jobs", "jobs of the applicants still waiting at the end of the "
                           "run without any connection (see waiting)",
                           "Jobs still waiting at the end of the run, without any connection",
                           depends_on_end=True),
    "job_years_waiting": Metric(
        "job-years", "jobs times years without a connection in the run, to the first "
        "connection or the end of the run: withdrawn count to the end of the run, as their "
        "jobs never came (giving up does not end the years they are held back); a waiting "
        "list's years before the start are not counted (the run cannot change them), as in "
        "wait_to_end_years (name kept for compatibility)",
        "Job-years held back in the run",
        depends_on_end=True),
    "mw_connected": Metric("MW", "firm grid MW held by the applicants connected by the end of "
                           "the run, at the end or when their connection ended (their "
                           "requests after on-site generation, less what was not connected "
                           "or taken back; non-firm rights are in mw_non_firm)",
                           "Firm MW held by those connected in the run (at the end, or when it "
                           "ended)",
                           depends_on_end=True),
    "mw_withdrawn": Metric("MW", "grid MW withdrawn before the end of the run",
                           "MW withdrawn by the end of the run", depends_on_end=True),
    "mw_waiting": Metric("MW", "grid MW still waited for in the firm queue at the end of the "
                         "run: the whole request of those without any connection (see "
                         "waiting), and the rest of those connected in part or holding a "
                         "non-firm right beside their firm place. For all applicants it is "
                         "the MW of timeseries.csv's queue at the end; by category only where "
                         "nobody still waiting changed category, as a group holds the category "
                         "of the request and the queue the one in force",
                         "MW still waiting for a firm connection at the end of the run",
                         depends_on_end=True),
    "mw_years_waiting": Metric(
        "MW-years", "grid MW requested times years without a connection in the run, to the "
        "first connection or the end of the run (withdrawn to the end); a waiting list's "
        "years before the start are not counted, as in job_years_waiting. Where the grid is "
        "full, any order of the queue leaves about the same: who waits changes, not how many "
        "MW (name kept for compatibility)",
        "MW-years held back in the run",
        depends_on_end=True),
    "idle_mw_years": Metric(
        "MW-years", "capacity left free while an applicant of the group waited in its area, "
        "over the run; free to every group waiting then, so the categories' figures overlap "
        "and do not add up to all's", "MW-years left idle while someone waited, over the run",
        depends_on_end=True, shared=True),
    "mw_freed": Metric(
        "MW", "MW the capacity releases (use-it-or-lose-it, capacity-limiting contracts) freed "
        "by the end of the run: taken back from the group's connected applicants; in all, also "
        "what users connected before the run released (so all's may exceed the categories' "
        "sum)", "MW freed by capacity releases by the end of the run", depends_on_end=True,
        shared=True),
    "connected_in_part": Metric(
        "count", "applicants whose first connection was a part of their request (a partial "
        "offer), by the end of the run: they count as connected, though those not connected "
        "in full by then still wait for the rest. One that got a non-firm right on the day of "
        "its first connection counts in non_firm_connected instead, with or without a part "
        "connected firm",
        "Applicants connected first in part by the end of the run", depends_on_end=True),
    "non_firm_connected": Metric(
        "count", "applicants who got a non-firm transport right by the end of the run (they "
        "count as connected from then on)",
        "Applicants given a non-firm right by the end of the run",
        depends_on_end=True),
    "mw_non_firm": Metric("MW", "MW of the non-firm rights granted by the end of the run",
                          "MW of non-firm rights granted by the end of the run",
                          depends_on_end=True),
    "jobs_non_firm": Metric("jobs", "jobs of the applicants who got a non-firm right by the "
                            "end of the run", "Jobs with a non-firm right by the end of the run",
                            depends_on_end=True),
    "moved_to_firm": Metric("count", "applicants who held a non-firm right and then got a "
                            "firm connection, by the end of the run",
                            "Applicants moved from non-firm to firm by the end of the run",
                            depends_on_end=True),
    "non_firm_usable_share": Metric(
        "share", "share of the MW-hours of their non-firm rights that holders could use "
        "(the hours their right allows, less what sharing an oversubscribed pool took), "
        "weighted by MW; empty where nobody held one",
        "Usable share of non-firm rights, by the end of the run (%)",
        depends_on_end=True, bounds=(0.0, 1.0)),
    "non_firm_hours_share": Metric(
        "share", "share of the hours of a year in which holders could use their non-firm "
        "rights at all, weighted by MW: the right's hours, less the turns an oversubscribed "
        "pool took under rotation; with non_firm_mw_share, how non_firm_usable_share reached "
        "them (its product, holder by holder). Empty where nobody held one",
        "Hours in which non-firm rights could be used, by the end of the run (%)",
        depends_on_end=True, bounds=(0.0, 1.0)),
    "non_firm_mw_share": Metric(
        "share", "share of their rights' MW that holders could use in those hours, weighted "
        "by MW: less than all where proportional sharing cut an oversubscribed pool's rights. "
        "Rotation and proportional sharing give the same usable MW-hours, one in fewer hours, "
        "the other in fewer MW: these two figures tell them apart. Empty where nobody held one",
        "MW of non-firm rights usable in those hours, by the end of the run (%)",
        depends_on_end=True, bounds=(0.0, 1.0)),
}
"""Every key figure of ``summary.csv``, in the order it is reported."""

HEADLINE_METRICS: tuple[str, ...] = (
    "wait_rmst_10y_years", "connect_median_years", "connected_within_2y",
    "withdrawn", "jobs_withdrawn", "jobs_waiting", "job_years_waiting", "mw_years_waiting",
)
"""The key figures a reader sees first: the terminal summary, the report's answers and the
differences figure lead with these. The first three count everyone who asked. The report's
one-line answers use the first the comparison can tell apart, which is the first in a long
run: the mean wait within ten years of each request counts everyone, cuts no wait short at the
end of the run (a later end adds later requests, as it does to every figure), sees a
reinforcement years away, and its difference between scenarios has a
paired interval (a median time to connection is often not reached, and then has none)."""

BESIDE_HEADLINE: dict[str, tuple[str, ...]] = {"withdrawn": ("withdrawn_share",),
                                                 "jobs_waiting": ("mw_waiting",)}
"""Figures the tables of key figures show right after a headline figure, though they are not
headline figures themselves: the share of those who asked that withdrew, beside how many did,
so that a reader need not divide by the applicants; the MW still waited for at the end beside
the jobs still waiting, so that what is held back at the end is read in jobs and in MW. The
differences figure, the answers' lead and an exploration's outcomes keep to the headline
figures."""

TABLE_METRICS: tuple[str, ...] = tuple(
    name for headline in HEADLINE_METRICS
    for name in (headline, *BESIDE_HEADLINE.get(headline, ())))
"""The columns of the report's tables of key figures, and the first rows of the table
``gridqueue run`` prints: the headline figures, each followed by those
:data:`BESIDE_HEADLINE` it."""

SHORTER_YEARS = min(RMST_YEARS)
"""The years of the shorter restricted-mean window: known in shorter runs too, but blind to
a change more than that many years after a request (so not the stand-in for the longer)."""

SHORTER_WINDOW = {"wait_rmst_10y_years": "wait_to_end_years"}
"""A mean wait within a window that some replication may not know, and the figure that
stands in for it where a group lacks it: in the answers, the report's tables and the table
of ``gridqueue run`` (see :attr:`Metric.every_replication`). The mean years without a
connection to the end of the run, which every replication knows and which sees a change at
any date in the run (the mean within 5 years stood in before, and could not see a
reinforcement more than 5 years after a request)."""

QUARTER_FOR_HALF = {"connect_median_years": "connect_p25_years"}
"""A median time to connection, and the time to a quarter connected that the report's tables
and the differences figure show, marked, where the median is never reached."""

LEAD_METRICS: tuple[str, ...] = ("wait_rmst_10y_years", "wait_to_end_years",
                                 "wait_rmst_5y_years", *HEADLINE_METRICS[1:])
"""The figures the one-line answers may lead with, in this order: the headline figures, with
the mean years without a connection to the end of the run after the mean wait within ten
years, for a run in which some replication cannot see ten years after the requests (see
:attr:`Metric.every_replication`), and the mean within five years for a ``comparison.csv``
written before the years to the end of the run were a key figure."""

EVERY_REPLICATION = tuple(name for name, metric in METRICS.items() if metric.every_replication)
"""The figures that need a value in every replication whose group had applicants."""


def incomplete_figures(per_replication: pd.DataFrame) -> set[tuple[str, str]]:
    """(group, metric) of each figure of :data:`EVERY_REPLICATION` that some replication lacks.

    ``per_replication`` is a tidy table (``replication, group, metric, value``, as
    ``replication_metrics.csv``); a replication in which the group had no applicants lacks
    every figure and is not counted against it.
    """
    table = per_replication
    # Speed: a merge of the needed figures with the counts of applicants took 15-30 ms, and
    # a comparison's table of differences asks twice per pair. Few rows lack a value, and
    # the groups that had applicants are a set to look them up in.
    needed = table[table["metric"].isin(EVERY_REPLICATION) & table["value"].isna()]
    if needed.empty:
        return set()
    counts = table[table["metric"] == "applicants"]
    asked = set(zip(counts["replication"][counts["value"] > 0],
                    counts["group"][counts["value"] > 0], strict=True))
    return {(group, metric) for replication, group, metric in zip(
        needed["replication"], needed["group"], needed["metric"], strict=True)
        if (replication, group) in asked}


def replication_metrics(
    applicants: pd.DataFrame,
    request_time: np.ndarray,
    horizon_years: float,
    idle_by_category: dict[str, float],
    idle_overall: float,
    freed: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Key figures of one replication as tidy rows: ``group``, ``metric``, ``value``.

    ``applicants`` holds one replication's rows of ``applicants.csv``; ``request_time`` is
    their request time in years since the start, in the same order, to the day as
    ``applicants.csv`` dates it (:func:`sim.runs.records.dated_years`), so that the figures
    of part of the applicants, worked out from that table, are the run's own. Applicants who asked
    before the start (a waiting list) enter the time-to-connection curve late, at the wait
    they already had at the start. ``freed``: the MW the capacity releases freed, by group
    (:func:`sim.runs.replication.freed_mw`); not known (NaN) if not given, as for part of the
    applicants, whose rows of applicants.csv do not say it.
    """
    return figures_of(metric_columns(applicants, request_time, horizon_years), horizon_years,
                      idle_by_category, idle_overall, freed)


def metric_columns(applicants: pd.DataFrame, request_time: np.ndarray,
                   horizon_years: float) -> dict[str, np.ndarray]:
    """What the key figures count, applicant by applicant (:func:`replication_metrics`).

    Worked out once for a replication's rows, then counted by :func:`figures_of` for all of
    them or, taken at some rows (:func:`rows_of`), for some (an area's).
    """
    request_time = np.asarray(request_time, dtype=float)
    wait = applicants["wait_years"].to_numpy(dtype=float)
    outcome = _codes(applicants["outcome"], OUTCOME_DTYPE)
    # One array per outcome, shared by every column that needs it (taken once per group).
    outcomes = {name: outcome == k for k, name in enumerate(OUTCOMES)}
    connected = outcomes["connected"]
    return {
        "category": _codes(applicants["category"], CATEGORY_DTYPE),
        "wait": wait,
        "jobs": applicants["jobs"].to_numpy(dtype=float),
        "mw": applicants["requested_mw"].to_numpy(dtype=float),
        "held_mw": _held_mw(applicants),
        "waiting_mw": _waiting_mw(applicants, outcomes["waiting"]),
        **outcomes,
        "request_time": request_time,
        "entry": (entry := np.clip(-request_time, 0.0, wait)),
        "without": _years_without(wait, connected, request_time, entry, horizon_years),
        **_non_firm_columns(applicants),
        **_firm_columns(applicants, wait, connected, horizon_years - request_time),
    }


def rows_of(columns: dict[str, np.ndarray], rows: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`metric_columns` at ``rows`` only; a column shared by two names stays shared."""
    taken: dict[int, np.ndarray] = {}
    for column in columns.values():
        if id(column) not in taken:
            taken[id(column)] = column[rows]
    return {name: taken[id(column)] for name, column in columns.items()}


def figures_of(
    columns: dict[str, np.ndarray], horizon_years: float, idle_by_category: dict[str, float],
    idle_overall: float, freed: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """The key figures of the applicants of ``columns`` (:func:`metric_columns`), tidy."""
    rows: list[tuple[str, str, float]] = []
    figures = {name: column for name, column in columns.items() if name != "category"}
    for group, group_columns, orders in _by_category(columns["category"], figures,
                                                      _orders(figures)):
        idle = idle_overall if group == ALL else idle_by_category.get(group, 0.0)
        values = _figures(group_columns, horizon_years, idle, orders)
        values["mw_freed"] = math.nan if freed is None else float(freed.get(group, 0.0))
        rows.extend((group, metric, values[metric]) for metric in METRICS)
    return pd.DataFrame(rows, columns=["group", "metric", "value"])


def _held_mw(applicants: pd.DataFrame) -> np.ndarray:
    """The firm MW each applicant held last: at the end, or when its connection ended.

    Less than its request if only part of it was connected, or a mechanism took some back;
    none for a non-firm right alone. What those still connected hold never exceeds the grid,
    which their requests can (MW taken back from one user and connected to another count
    twice there). Tables without ``connected_mw`` (written before it existed) held their
    whole requests.
    """
    if "connected_mw" not in applicants:
        return applicants["requested_mw"].to_numpy(dtype=float)
    return applicants["connected_mw"].to_numpy(dtype=float)


def _waiting_mw(applicants: pd.DataFrame, waiting: np.ndarray) -> np.ndarray:
    """The MW each applicant still waited for in the firm queue at the end of the run.

    The whole request of one without any connection, and the rest of one connected in part
    or holding a non-firm right beside its firm place. Tables without ``waiting_mw``
    (written before it existed) give the requests of those without any connection only.
    """
    if "waiting_mw" not in applicants:
        return np.where(waiting, applicants["requested_mw"].to_numpy(dtype=float), 0.0)
    return applicants["waiting_mw"].to_numpy(dtype=float)


def _non_firm_columns(applicants: pd.DataFrame) -> dict[str, np.ndarray]:
    """MW of each applicant's non-firm right, the share it could use, whether it moved to firm.

    Tables of runs without the non-firm columns (written before they existed, or built by
    hand) count as nobody holding a right, as do those of runs in which nobody held one.
    """
    if "non_firm_mw" not in applicants or not applicants["non_firm_mw"].notna().any():
        none = np.zeros(len(applicants))
        return {"non_firm_mw": none, "non_firm_usable": none, "non_firm_hours": none,
                "non_firm_mw_cut": none,
                "moved_to_firm": np.zeros(len(applicants), dtype=bool)}
    hours = applicants["non_firm_hours_share"].to_numpy(dtype=float)
    mw_share = applicants["non_firm_mw_share"].to_numpy(dtype=float)
    return {"non_firm_mw": _nan_as_zero(applicants["non_firm_mw"].to_numpy(dtype=float)),
            "non_firm_usable": _nan_as_zero(hours * mw_share),
            "non_firm_hours": _nan_as_zero(hours), "non_firm_mw_cut": _nan_as_zero(mw_share),
            "moved_to_firm": applicants["moved_to_firm"].to_numpy(dtype=bool)}


def _firm_columns(
    applicants: pd.DataFrame, wait: np.ndarray, connected: np.ndarray, to_end: np.ndarray
) -> dict[str, np.ndarray]:
    """The wait for a full firm connection, who got one, and who was connected first in part.

    The same as the wait to a first connection, except for one whose first connection was
    partial or a non-firm right: its wait runs on to its full firm connection (the days
    between the two dates), or, never connected firm in full, to the end of the run. Tables
    without ``full_connect_date`` have connections that are whole and firm.
    """
    if "full_connect_date" not in applicants or applicants["full_connect_date"].equals(
            applicants["connect_date"]):  # every first connection whole and firm
        return {"firm_wait": wait, "firm_connected": connected,
                "in_part": np.zeros(len(wait), dtype=bool)}
    full = pd.to_datetime(applicants["full_connect_date"]).to_numpy()
    first = pd.to_datetime(applicants["connect_date"]).to_numpy()
    firm = ~np.isnat(full)
    later = (full - first) / np.timedelta64(1, "D") / DAYS_PER_YEAR
    firm_wait = np.where(firm, wait + _nan_as_zero(later), np.where(connected, to_end, wait))
    return {"firm_wait": firm_wait, "firm_connected": firm,
            "in_part": _first_in_part(applicants, connected, first, full)}


def _first_in_part(applicants: pd.DataFrame, connected: np.ndarray, first: np.ndarray,
                   full: np.ndarray) -> np.ndarray:
    """Whether each applicant's first connection (``first``) was a part of its request, firm.

    Connected, not first by a non-firm right (a right granted on the day of its first
    connection), and not connected in full (``full``) that day: later, or not by the end of
    the run.
    """
    later = np.isnat(full) | (full > first)
    if "non_firm_date" in applicants:
        later &= pd.to_datetime(applicants["non_firm_date"]).to_numpy() != first
    return np.asarray(connected & later, dtype=bool)


def _nan_as_zero(values: np.ndarray) -> np.ndarray:
    """``values`` with 0 for NaN.

    Speed: ``np.nan_to_num`` also looks for infinities, which these columns never hold, and
    took twice as long.
    """
    return np.where(np.isnan(values), 0.0, values)


def _orders(columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every row in order of ``wait``, and of ``firm_wait`` where that differs.

    Speed: the order of the firm wait is sorted once here and grouped by category with the
    other, which spared sorting each category's firm waits again (5 sorts, 15 ms with every
    mechanism on).
    """
    orders = {"wait": np.argsort(columns["wait"], kind="stable")}
    if columns["firm_wait"] is not columns["wait"]:
        orders["firm_wait"] = np.argsort(columns["firm_wait"], kind="stable")
    return orders


def _by_category(
    category: np.ndarray, columns: dict[str, np.ndarray], orders: dict[str, np.ndarray]
) -> Iterator[tuple[str, dict[str, np.ndarray], dict[str, np.ndarray]]]:
    """Each category's rows of ``columns`` (by ``category``'s codes), then every row as ALL.

    With each group come its rows in each of ``orders`` (positions in the group's columns),
    from ``orders``, every row in that order (e.g. of wait).

    Speed: one stable sort by category puts each category's rows together in their own
    order, so a group is a slice of the sorted columns instead of a boolean mask applied to
    every column. The rows, and so every sum over them, are the same either way. A group's
    order is the whole order sorted stably by category (small integers: a radix sort),
    which spares sorting each group's values again.
    """
    order = np.argsort(category, kind="stable")
    starts = np.searchsorted(category[order], np.arange(len(CATEGORIES) + 1)).tolist()
    by_category = rows_of(columns, order)  # a column shared by two names is taken once
    place = np.empty(len(order), dtype=np.intp)  # each row's position in category order
    place[order] = np.arange(len(order))
    grouped = {name: place[rows][np.argsort(category[rows], kind="stable")]
               for name, rows in orders.items()}
    for code, group in enumerate(CATEGORIES):
        rows = slice(starts[code], starts[code + 1])
        yield (group, {name: column[rows] for name, column in by_category.items()},
               {name: in_order[rows] - starts[code] for name, in_order in grouped.items()})
    yield ALL, columns, orders


def _codes(column: pd.Series, dtype: pd.CategoricalDtype) -> np.ndarray:
    """Each value's position in ``dtype``'s categories (-1 if absent): cheap for its own type."""
    return pd.Categorical(column, dtype=dtype).codes


def _figures(
    c: dict[str, np.ndarray], horizon_years: float, idle: float, orders: dict[str, np.ndarray]
) -> dict[str, float]:
    """Every key figure of one group of applicants: its columns ``c``, its rows by wait.

    Speed: rows are counted with ``count_nonzero``, many times faster than summing booleans
    and exact all the same.
    """
    connected, withdrawn, waiting = c["connected"], c["withdrawn"], c["waiting"]
    figures = {
        "applicants": float(len(connected)),
        "connected": float(np.count_nonzero(connected)),
        "withdrawn": float(np.count_nonzero(withdrawn)),
        "waiting": float(np.count_nonzero(waiting)),
        # of those who asked; a group nobody of which asked has no share
        "withdrawn_share": (np.count_nonzero(withdrawn) / len(withdrawn) if len(withdrawn)
                            else np.nan),
        **_connection_figures(c, orders),
        **_wait_figures(c["wait"][connected]),
        "jobs_connected": float(c["jobs"][connected].sum()),
        "jobs_withdrawn": float(c["jobs"][withdrawn].sum()),
        "jobs_waiting": float(c["jobs"][waiting].sum()),
        "wait_to_end_years": float(c["without"].mean()) if len(c["without"]) else math.nan,
        "job_years_waiting": float((c["jobs"] * c["without"]).sum()),
        "mw_connected": float(c["held_mw"][connected].sum()),
        "mw_withdrawn": float(c["mw"][withdrawn].sum()),
        # Summed over the rows in line only: where nobody waits for a rest, the very sum of
        # the requests of those waiting that it was before waiting_mw, bit for bit (over
        # every row, zeros too, numpy's pairwise sum groups otherwise: fifo's 951.581112247797
        # read 951.5811122477971, and every such folder failed to reproduce).
        "mw_waiting": float(c["waiting_mw"][waiting | (c["waiting_mw"] > 0)].sum()),
        "mw_years_waiting": float((c["mw"] * c["without"]).sum()),
        "idle_mw_years": float(idle),
        "connected_in_part": float(np.count_nonzero(c["in_part"])),
        **_non_firm_figures(c),
    }
    for years in WITHIN_YEARS:
        # Only applicants observed for the full window count, so the end does not censor.
        observed = c["request_time"] <= horizon_years - years
        within = connected & (c["wait"] <= years) & observed
        count = np.count_nonzero(observed)
        figures[f"connected_within_{years}y"] = (
            np.count_nonzero(within) / count if count else np.nan
        )
    return figures


def _years_without(wait: np.ndarray, connected: np.ndarray, request_time: np.ndarray,
                   entry: np.ndarray, horizon_years: float) -> np.ndarray:
    """Each applicant's years without a connection in the run: to connection, else its end.

    One who withdraws stays without a connection to the end of the run (giving up is not a
    shorter wait); the years a waiting list waited before the start are not counted. Worked
    out once per replication; each group's figure is the mean of its rows.
    """
    without = np.where(connected, wait, horizon_years - request_time)
    without -= entry
    return without


def _non_firm_figures(c: dict[str, np.ndarray]) -> dict[str, float]:
    """How many got non-firm rights, of how many MW and jobs, and how much they could use."""
    mw = c["non_firm_mw"]
    held = mw > 0
    total = float(mw.sum())
    return {
        "non_firm_connected": float(np.count_nonzero(held)),
        "mw_non_firm": total,
        "jobs_non_firm": float(c["jobs"][held].sum()),
        "moved_to_firm": float(np.count_nonzero(c["moved_to_firm"])),
        **{name: float((mw * c[column]).sum() / total) if total else np.nan
           for name, column in (("non_firm_usable_share", "non_firm_usable"),
                                ("non_firm_hours_share", "non_firm_hours"),
                                ("non_firm_mw_share", "non_firm_mw_cut"))},
    }


def _connection_figures(
    c: dict[str, np.ndarray], orders: dict[str, np.ndarray]
) -> dict[str, float]:
    """Figures of the time to connection that count everyone, from one incidence curve.

    ``orders`` holds the group's rows in order of ``wait``, and of ``firm_wait`` where the
    two differ.
    """
    curve = incidence_curve(c["wait"], c["connected"], c["withdrawn"], c["entry"],
                            orders["wait"])
    figures = {
        **{name: time_to_share_connected(curve, share) for name, share in CONNECT_SHARES.items()},
        **{f"wait_rmst_{n}y_years": restricted_mean_wait(curve, n) for n in RMST_YEARS},
    }
    firm_wait, firm = c["firm_wait"], c["firm_connected"]
    if np.array_equal(firm_wait, c["wait"]) and np.array_equal(firm, c["connected"]):
        figures["wait_firm_rmst_10y_years"] = figures["wait_rmst_10y_years"]
    else:  # someone's first connection was partial or non-firm
        firm_curve = incidence_curve(firm_wait, firm, c["withdrawn"], c["entry"],
                                     orders.get("firm_wait"))
        figures["wait_firm_rmst_10y_years"] = restricted_mean_wait(firm_curve, 10)
    return figures


def _wait_figures(waits: np.ndarray) -> dict[str, float]:
    """Mean, median and 90th percentile of the waits of those connected (NaN if none).

    ``waits`` must be the caller's own copy. Speed: the median and the percentile may reorder
    it in place (``overwrite_input``), which spares copying it twice; they depend only on the
    sorted values, so the result is the same. The mean, whose rounding depends on the order,
    is taken first.
    """
    if not len(waits):
        return dict.fromkeys(("wait_mean_years", "wait_median_years", "wait_p90_years"), np.nan)
    mean = float(waits.mean())
    return {
        "wait_mean_years": mean,
        "wait_median_years": float(np.median(waits, overwrite_input=True)),
        "wait_p90_years": float(np.quantile(waits, 0.9, overwrite_input=True)),
    }
