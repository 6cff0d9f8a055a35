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

import numpy as np
import pandas as pd

from sim.inputs.scenario import DAYS_PER_YEAR

__all__ = ["INCIDENCE_COLUMNS", "cumulative_incidence", "incidence_by_group"]

INCIDENCE_COLUMNS = (
    "time_years", "at_risk", "connected", "withdrawn", "censored",
    "still_waiting", "cif_connected", "cif_withdrawn",
)
"""Columns of an incidence table: one row per distinct time at which a wait ended or was
censored; the estimates hold from that time on."""


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
        event time count as at risk at that time.
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
    distinct, index = np.unique(times, return_inverse=True)
    size = len(distinct)
    connected = np.bincount(index, weights=outcome == "connected", minlength=size)
    withdrawn = np.bincount(index, weights=outcome == "withdrawn", minlength=size)
    censored = np.bincount(index, weights=outcome == "waiting", minlength=size)
    ended_before = np.concatenate(([0.0], np.cumsum(connected + withdrawn + censored)[:-1]))
    entered = np.searchsorted(np.sort(entry), distinct, side="right")
    at_risk = entered - ended_before
    hazard = (connected + withdrawn) / at_risk
    still_waiting = np.cumprod(1.0 - hazard)
    before = np.concatenate(([1.0], still_waiting[:-1]))
    return pd.DataFrame({
        "time_years": distinct,
        "at_risk": at_risk.astype(np.int64),
        "connected": connected.astype(np.int64),
        "withdrawn": withdrawn.astype(np.int64),
        "censored": censored.astype(np.int64),
        "still_waiting": still_waiting,
        "cif_connected": np.cumsum(before * connected / at_risk),
        "cif_withdrawn": np.cumsum(before * withdrawn / at_risk),
    }, columns=list(INCIDENCE_COLUMNS))


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
    entry = np.zeros(len(applicants))
    if start is not None:
        before = (pd.Timestamp(start) - applicants["request_date"]).dt.days.to_numpy(float)
        entry = np.minimum(np.clip(before / DAYS_PER_YEAR, 0.0, None), waits)
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
