"""Pointwise intervals of the time-to-connection curve across replications.

The figure's curve pools every replication (:func:`sim.runs.incidence.incidence_by_group`):
one estimate, with no word on how sure it is. Here each replication gets its own
Aalen-Johansen curve of the share connected, with the same late entry of a waiting list and
the same competing withdrawal, and the curves are summarised point by point as any key
figure is: their mean with a 95% Student-t interval across replications, on the logit scale
so that it stays between 0 and 1 (as the shares connected within 1, 2 or 5 years,
:mod:`sim.runs.stats`). Replications are independent, so the interval needs no model of how
the applicants of one replication depend on each other.

A replication's curve is known up to the longest wait it observes, or beyond if nobody was
still waiting then (it stays flat). Past the shortest such reach among the replications the
mean would count only those that follow a wait that long, a biased subset, so the interval
stops there, as a 10-year mean wait is left empty unless every replication knows it
(:attr:`sim.runs.metrics.Metric.every_replication`). A replication in which the group had
nobody has no curve and is not counted, as it is not counted against that figure either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping

import numpy as np
import pandas as pd
from scipy import special

from sim.runs.incidence import IncidenceCurve, entry_years, incidence_curve
from sim.runs.stats import CONFIDENCE, t_quantile

__all__ = ["BAND_COLUMNS", "BAND_STEP_YEARS", "DIFFERENCE_COLUMNS", "Curves", "GroupCurves",
           "connection_band", "connection_difference", "replication_curves"]

BAND_STEP_YEARS = 1 / 12
"""Spacing of the years since request at which the interval is worked out: a month, finer
than a figure shows, and a band of a few hundred points however many applicants."""

BAND_COLUMNS = ("time_years", "replications", "mean", "ci_low", "ci_high")
"""Columns of :func:`connection_band` after the group's: the mean share connected across
``replications`` from ``time_years`` on (to the next row), and its 95% interval."""

DIFFERENCE_COLUMNS = ("time_years", "replications", "difference", "ci_low", "ci_high",
                      "band_low", "band_high")
"""Columns of :func:`connection_difference` after the group's: the mean over ``replications``
of the variant's share connected minus the reference's, its paired 95% interval at that wait
alone, and the paired 95% band that holds at every wait of the grid at once."""


Curves = dict[int, IncidenceCurve]
"""A group's curve in each replication that has any of its applicants, by replication."""

GroupCurves = Mapping[str, Curves]
"""Each group's :data:`Curves`, by group (:func:`replication_curves`)."""


def connection_band(
    applicants: pd.DataFrame | GroupCurves, start: dt.date | None = None, by: str = "category",
    step_years: float = BAND_STEP_YEARS, confidence: float = CONFIDENCE,
) -> pd.DataFrame:
    """The mean share connected across replications and its 95% interval, by years since request.

    One row per group and point of a grid ``step_years`` apart, from 0 to the longest wait
    every replication of the group follows (that reach itself the last point). A group with
    applicants in fewer than two replications has no interval and no rows. ``start`` is the
    run's start date: a waiting list enters at the wait it had then, as in the pooled curve.
    ``applicants`` may instead be the curves :func:`replication_curves` made of them.
    """
    parts = []
    for group, curves in _curves(applicants, start, by).items():
        if len(curves) < 2:
            continue
        times = _grid(_reach(curves.values()), step_years)
        values = np.array([_share_at(curve, times) for curve in curves.values()])
        mean, low, high = _logit_intervals(values, confidence)
        parts.append(pd.DataFrame({by: group, "time_years": times,
                                   "replications": len(curves), "mean": mean,
                                   "ci_low": low, "ci_high": high}))
    return _joined(parts, [by, *BAND_COLUMNS])


def connection_difference(
    variant: pd.DataFrame | GroupCurves, reference: pd.DataFrame | GroupCurves,
    starts: tuple[dt.date | None, dt.date | None] = (None, None), by: str = "category",
    step_years: float = BAND_STEP_YEARS, confidence: float = CONFIDENCE,
) -> pd.DataFrame:
    """The variant's share connected minus the reference's, paired by replication.

    For scenarios that draw the same applicants in replication *i* (common random numbers):
    each replication both ran, with applicants of the group in both, gives one difference of
    the two curves, and the differences get a plain Student-t interval at each wait, as a
    paired key figure's do (:mod:`sim.analysis.differences`), and a band that holds at every
    wait at once (:func:`_simultaneous_half_widths`): over a grid of a hundred waits or more,
    intervals of one wait each would leave out zero somewhere by chance alone. The grid stops
    at the shorter of the two
    scenarios' reaches; a group with fewer than two such replications has no rows.
    ``starts`` are the variant's and the reference's start dates. Either scenario may be
    given as the curves :func:`replication_curves` made of its applicants.
    """
    theirs = _curves(reference, starts[1], by)
    parts = []
    for group, mine in _curves(variant, starts[0], by).items():
        shared = sorted(mine.keys() & theirs.get(group, {}).keys())
        if len(shared) < 2:
            continue
        pairs = [(mine[r], theirs[group][r]) for r in shared]
        times = _grid(min(_reach(mine[r] for r in shared),
                          _reach(theirs[group][r] for r in shared)), step_years)
        values = np.array([_share_at(a, times) - _share_at(b, times) for a, b in pairs])
        mean = values.mean(axis=0)
        half = t_quantile(confidence, len(shared) - 1) * values.std(axis=0, ddof=1) \
            / np.sqrt(len(shared))
        wide = _simultaneous_half_widths(values, confidence)
        parts.append(pd.DataFrame({by: group, "time_years": times,
                                   "replications": len(shared), "difference": mean,
                                   "ci_low": mean - half, "ci_high": mean + half,
                                   "band_low": mean - wide, "band_high": mean + wide}))
    return _joined(parts, [by, *DIFFERENCE_COLUMNS])


def _simultaneous_half_widths(values: np.ndarray, confidence: float) -> np.ndarray:
    """Half-widths of a band around the mean of the rows of ``values`` that holds at every column.

    Bonferroni's: the Student-t interval of each column at the level that leaves the
    ``1 - confidence`` to share over the columns whose rows differ. It needs no model of how
    the columns depend on each other, which few replications cannot estimate: a sup-t band
    from a multiplier bootstrap left out zero somewhere in 25% of made-up comparisons of 10
    replications with no difference, and in 55% with 4. Columns in which every row is the
    same (all 0 at the start) have width 0.
    """
    n = values.shape[0]
    spread: np.ndarray = values.std(axis=0, ddof=1) / np.sqrt(n)
    tested = max(int(np.count_nonzero(spread > 0)), 1)
    return t_quantile(1 - (1 - confidence) / tested, n - 1) * spread


def replication_curves(
    applicants: pd.DataFrame, start: dt.date | None = None, by: str = "category"
) -> dict[str, Curves]:
    """Each group's curve of connection in every replication with any of its applicants.

    Made once, they serve a scenario's band and each of its paired differences.
    """
    return dict(_curves_by_group(applicants, start, by))


def _curves(
    applicants: pd.DataFrame | GroupCurves, start: dt.date | None, by: str
) -> GroupCurves:
    if isinstance(applicants, pd.DataFrame):
        return replication_curves(applicants, start, by)
    return applicants


def _curves_by_group(
    applicants: pd.DataFrame, start: dt.date | None, by: str
) -> Iterator[tuple[str, Curves]]:
    if applicants.empty:
        return
    waits = applicants["wait_years"].to_numpy(dtype=float)
    entry = entry_years(applicants, start)
    connected = (applicants["outcome"] == "connected").to_numpy(dtype=bool)
    withdrawn = (applicants["outcome"] == "withdrawn").to_numpy(dtype=bool)
    # Speed: codes rather than text (a category column would be converted row by row).
    codes, names = pd.factorize(applicants[by], sort=False)
    replications = applicants["replication"].to_numpy()
    # One stable sort into runs of (group, replication), each in its rows' order: a mask per
    # group and replication would read every row once per replication.
    order = np.lexsort((replications, codes))
    keys = np.stack([codes[order], replications[order]])
    starts = np.flatnonzero(np.r_[True, (keys[:, 1:] != keys[:, :-1]).any(axis=0)])
    runs = np.split(order, starts[1:])
    for code, group in enumerate(names):
        curves = {int(replications[rows[0]]): incidence_curve(
                      waits[rows], connected[rows], withdrawn[rows], entry[rows])
                  for rows in runs if codes[rows[0]] == code}
        yield str(group), curves


def _reach(curves: Iterable[IncidenceCurve]) -> float:
    """The longest wait every curve is known at: each to its longest wait, or on if complete.

    A curve whose last wait left nobody waiting stays flat after it, known for ever; if every
    curve is so, the reach is the longest wait any of them observes. One whose risk set
    emptied before a waiting-list applicant entered it is known up to that wait only
    (:attr:`sim.runs.incidence.IncidenceCurve.known_until`): the estimate after it would
    rest on nobody, and stay at the share it had, whoever is connected later.
    """
    listed = list(curves)
    reach = min(c.known_until for c in listed)
    return max(float(c.time_years[-1]) for c in listed) if np.isinf(reach) else reach


def _grid(reach: float, step_years: float) -> np.ndarray:
    """Years since request from 0 by ``step_years``, ending at ``reach`` itself."""
    times = np.arange(0.0, reach, step_years) if reach > 0 else np.zeros(0)
    return np.append(times, reach)


def _share_at(curve: IncidenceCurve, times: np.ndarray) -> np.ndarray:
    """The curve's share connected at each of ``times`` (a step function, 0 before any)."""
    if not len(curve.time_years):  # no wait ended before the curve stops: nobody connected
        return np.zeros(len(times))
    index = np.searchsorted(curve.time_years, times, side="right") - 1
    return np.where(index >= 0, curve.cif_connected[np.maximum(index, 0)], 0.0)


def _logit_intervals(
    values: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`sim.runs.stats.logit_interval` of each column of ``values``, at once.

    The mean of the rows and the t interval on the logit scale of it, taken back: inside
    [0, 1], and the mean itself where every row has one value (all 0 at the start, say).
    """
    n = values.shape[0]
    mean = values.mean(axis=0)
    half = t_quantile(confidence, n - 1) * values.std(axis=0, ddof=1) / np.sqrt(n)
    low = np.clip(mean - half, 0.0, 1.0)
    high = np.clip(mean + half, 0.0, 1.0)
    inside = (half > 0) & (mean > 0) & (mean < 1)
    share = mean[inside]
    centre = special.logit(share)
    spread = half[inside] / (share * (1 - share))
    # Taking the logit and back may move the mean's own end by a rounding error.
    low[inside] = np.minimum(special.expit(centre - spread), share)
    high[inside] = np.maximum(special.expit(centre + spread), share)
    return mean, low, high


def _joined(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)
