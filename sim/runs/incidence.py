"""Time to connection as cumulative incidence, with withdrawal as a competing outcome.

An applicant's wait ends in connection, in withdrawal, or not at all before the end of the run.
Treating those still waiting as if their wait were over, or withdrawals as if the applicant
might still connect later, biases the share connected. The Aalen-Johansen estimator handles
both: withdrawal is a competing event and those still waiting are right-censored at the end.
Applicants already waiting when the run starts enter late (left truncation), at the wait they
had then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from sim.inputs.scenario import DAYS_PER_YEAR

__all__ = [
    "INCIDENCE_COLUMNS", "IncidenceCurve", "cumulative_incidence", "entry_years",
    "incidence_by_group", "incidence_curve", "restricted_mean_wait", "time_to_share_connected",
]

INCIDENCE_COLUMNS = (
    "time_years", "at_risk", "connected", "withdrawn", "censored",
    "still_waiting", "cif_connected", "cif_withdrawn",
)
"""Columns of an incidence table: one row per distinct time at which a wait ended or was
censored; the estimates hold from that time on."""


@dataclass(frozen=True)
class IncidenceCurve:
    """The Aalen-Johansen estimate as arrays, one entry per distinct time a wait ended.

    The columns of :data:`INCIDENCE_COLUMNS`, before they become a table: the key figures of
    every replication read quantiles and areas from it without building a DataFrame.
    """

    time_years: np.ndarray
    at_risk: np.ndarray
    connected: np.ndarray
    withdrawn: np.ndarray
    censored: np.ndarray
    still_waiting: np.ndarray
    cif_connected: np.ndarray
    cif_withdrawn: np.ndarray
    known_until: float = np.inf
    """The longest wait the curve is known at: for ever once nobody is left waiting, else its
    last wait, or the wait at which the risk set emptied before a later entry (where the
    arrays stop, see :func:`incidence_curve`); NaN without applicants, known nowhere."""


def incidence_curve(
    wait_years: np.ndarray, connected: np.ndarray, withdrawn: np.ndarray, entry_years: np.ndarray,
    order: np.ndarray | None = None,
) -> IncidenceCurve:
    """Aalen-Johansen estimate from plain arrays: waits, boolean outcomes, delayed entries.

    Rows neither connected nor withdrawn are still waiting, censored at their wait. Where
    everyone at risk ends at a wait before a delayed entry, the curve stops before that wait
    (:func:`_before_the_risk_set_empties`), so it ends still waiting: not known beyond. The
    arguments are trusted (see :func:`cumulative_incidence` for the checked version); no rows
    give empty arrays. ``order``, if the caller has it, lists the rows by wait: it spares the
    sort (the order of rows with the same wait does not matter).
    """
    if not len(wait_years):
        return IncidenceCurve(**dict.fromkeys(INCIDENCE_COLUMNS, np.empty(0)),
                              known_until=np.nan)
    if order is None:
        order = np.argsort(wait_years, kind="stable")
    waits = wait_years[order]
    # The last row of each distinct time; counts up to it, differenced, are counts at it.
    # Speed: twice as fast as np.unique with bincounts, and the same counts.
    last = np.flatnonzero(np.concatenate((waits[1:] != waits[:-1], [True])))
    distinct = waits[last]
    ended_by = last + 1.0
    ended_before = np.concatenate(([0.0], ended_by[:-1]))
    connections = _counts_by_time(connected, order, last)
    withdrawals = _counts_by_time(withdrawn, order, last)
    ended = ended_by - ended_before
    entered: np.ndarray | int
    if entry_years.any():
        entered = np.searchsorted(np.sort(entry_years), distinct, side="right")
    else:  # everyone observed from the request: the usual case, spared a sort
        entered = len(waits)
    at_risk = entered - ended_before
    still_waiting = np.cumprod(1.0 - (connections + withdrawals) / at_risk)
    before = np.concatenate(([1.0], still_waiting[:-1]))
    curve = IncidenceCurve(
        time_years=distinct,
        at_risk=at_risk,
        connected=connections,
        withdrawn=withdrawals,
        censored=ended - connections - withdrawals,
        still_waiting=still_waiting,
        cif_connected=np.cumsum(before * connections / at_risk),
        cif_withdrawn=np.cumsum(before * withdrawals / at_risk),
    )
    return _before_the_risk_set_empties(curve)


def _before_the_risk_set_empties(curve: IncidenceCurve) -> IncidenceCurve:
    """The curve up to before the wait at which everyone at risk ended, if some entered later.

    With delayed entries, the few waiting-list applicants at risk at a short wait may all
    connect (or withdraw) there, before one who had waited longer at the start enters: the
    estimate then says nobody is still waiting, and stays so whoever connects later (one
    connection of the only one at risk read as 'everyone connected at 0.085 years'). That
    step rests on a risk set the later entries show incomplete, so the curve is known only
    up to it (``known_until``): a figure that needs it there is unknown, as beyond the
    longest wait observed. The emptying can only come before the last time where someone
    enters later. Otherwise the curve is known to its last wait, or for ever if nobody is
    left waiting then.
    """
    emptied = np.flatnonzero(curve.still_waiting <= 0)
    if not len(emptied) or emptied[0] == len(curve.time_years) - 1:
        return replace(curve, known_until=np.inf if len(emptied)
                       else float(curve.time_years[-1]))
    cut = int(emptied[0])
    return IncidenceCurve(**{column: getattr(curve, column)[:cut] for column in INCIDENCE_COLUMNS},
                          known_until=float(curve.time_years[cut]))


def _counts_by_time(flags: np.ndarray, order: np.ndarray, last: np.ndarray) -> np.ndarray:
    """How many rows flagged end at each distinct time: ``last`` is each time's last row.

    Speed: where no row is flagged (nobody withdrew, say) the counts are zeros without a
    running total over every row in order of wait.
    """
    if not flags.any():
        return np.zeros(len(last))
    return _counts_at(np.cumsum(flags[order])[last])


def _counts_at(running: np.ndarray) -> np.ndarray:
    """Counts at each time from running totals up to it."""
    counts = running.astype(float)
    counts[1:] -= running[:-1]
    return counts


def cumulative_incidence(
    wait_years: np.ndarray, outcome: np.ndarray, entry_years: np.ndarray | None = None
) -> pd.DataFrame:
    """Aalen-Johansen estimate of the cumulative share connected and withdrawn.

    Args:
        wait_years: years from request to connection, withdrawal or the end of the run.
        outcome: ``connected``, ``withdrawn`` or ``waiting`` (censored at ``wait_years``).
        entry_years: years from request to when the applicant came under observation (delayed
            entry): positive for those already waiting when the run started, who could not
            have connected or withdrawn earlier. None: everyone from their request.

    Returns:
        One row per distinct time at which a wait ended or was censored: the number at risk
        then (under observation and still waiting just before it), the connections,
        withdrawals and censorings at it, and from it on the estimated share still waiting
        (``still_waiting``: neither outcome yet) and the cumulative incidence of connection
        and of withdrawal. The three shares add up to one. Those censored or entering at an
        event time count as at risk at that time. Where everyone at risk ends at a wait
        before someone enters, the table stops before that wait (see
        :func:`incidence_curve`): it is not known there.
    """
    times = np.asarray(wait_years, dtype=float)
    outcome = np.asarray(outcome).astype(str)
    entry = np.zeros(len(times)) if entry_years is None else np.asarray(entry_years, float)
    if not len(times) == len(outcome) == len(entry):
        raise ValueError("wait_years, outcome and entry_years must have the same length")
    unknown = sorted(set(outcome) - {"connected", "withdrawn", "waiting"})
    if unknown:
        raise ValueError(f"unknown outcome '{unknown[0]}'; expected connected, withdrawn or "
                         "waiting")
    if np.isnan(times).any() or np.isnan(entry).any() or (entry > times).any():
        raise ValueError("wait_years and entry_years must be numbers, entry before the end")
    curve = incidence_curve(times, outcome == "connected", outcome == "withdrawn", entry)
    counts = ("at_risk", "connected", "withdrawn", "censored")
    return pd.DataFrame({
        column: getattr(curve, column).astype(np.int64) if column in counts
        else getattr(curve, column)
        for column in INCIDENCE_COLUMNS
    }, columns=list(INCIDENCE_COLUMNS))


def time_to_share_connected(curve: IncidenceCurve, share: float) -> float:
    """Years from request by which ``share`` of the applicants are connected; inf if never.

    The first time the cumulative incidence of connection reaches ``share`` (the generalised
    inverse of a step function, as for any distribution's quantile). If the curve stays below
    it up to the longest wait observed, because too many withdraw or are still waiting at the
    end, the share is not reached and the answer is ``inf``. A tolerance of 1e-12 keeps a
    curve that reaches ``share`` exactly from missing it by rounding. NaN without applicants.
    """
    if not len(curve.time_years):  # no applicants, or a curve known only before its first wait
        return np.nan if np.isnan(curve.known_until) else np.inf
    first = int(np.searchsorted(curve.cif_connected, share - 1e-12, side="left"))
    return float(curve.time_years[first]) if first < len(curve.time_years) else np.inf


def restricted_mean_wait(curve: IncidenceCurve, window_years: float) -> float:
    """Mean years not yet connected within ``window_years`` of the request, counting everyone.

    The area under the not-connected curve (one minus the cumulative incidence of
    connection) from 0 to ``window_years``: the restricted mean of the time to connection.
    Withdrawal is a competing outcome, so one who withdraws counts as not connected for the
    rest of the window: giving up is not a shorter wait. NaN without applicants, or if the
    curve is not known that far (``known_until``: the longest wait observed is shorter and
    someone was still waiting at it, or the risk set emptied before a later entry).
    """
    times = curve.time_years
    if not curve.known_until >= window_years:  # NaN too: no applicants
        return np.nan
    knots = np.minimum(times, window_years)
    widths = np.diff(knots, append=window_years)
    # numpy's own sum, not np.dot: BLAS splits a long dot product among its threads, and the
    # last digit would then depend on how many it has (one in a Dask worker, say).
    return float(window_years - np.add.reduce(curve.cif_connected * widths))


def entry_years(applicants: pd.DataFrame, start: dt.date | None) -> np.ndarray:
    """Years from each applicant's request to the run's ``start`` (0 for a later request).

    The wait at which an applicant of a waiting list comes under observation, to the day, at
    most its whole wait; zeros without a ``start``.
    """
    waits = applicants["wait_years"].to_numpy(dtype=float)
    if start is None:
        return np.zeros(len(applicants))
    before = (pd.Timestamp(start) - applicants["request_date"]).dt.days.to_numpy(float)
    entry: np.ndarray = np.minimum(np.clip(before / DAYS_PER_YEAR, 0.0, None), waits)
    return entry


def incidence_by_group(
    applicants: pd.DataFrame, start: dt.date | None = None, by: str = "category"
) -> pd.DataFrame:
    """:func:`cumulative_incidence` for each value of column ``by`` of an applicants table.

    With the run's ``start``, applicants who asked before it (a waiting list) enter at the
    wait they already had then (to the day), so the years before the run are not counted as
    years in which they could not connect. Replications are pooled: each is an independent
    sample of the same process, so pooling estimates the same curve with more data. Groups
    without applicants are left out.
    """
    waits = applicants["wait_years"].to_numpy(dtype=float)
    entry = entry_years(applicants, start)
    parts = []
    for group, rows in pd.Series(np.arange(len(applicants))).groupby(
            applicants[by].astype(str).to_numpy(), sort=False):
        mine = rows.to_numpy()
        table = cumulative_incidence(waits[mine], applicants["outcome"].to_numpy()[mine],
                                     entry[mine])
        table.insert(0, by, group)
        parts.append(table)
    if not parts:
        return pd.DataFrame(columns=[by, *INCIDENCE_COLUMNS])
    return pd.concat(parts, ignore_index=True)
