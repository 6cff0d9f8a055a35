"""Figures worked out by hand from ``applicants.csv``, with code of the tests' own.

Shared by the tests that check the run's key figures against the definitions in the docs
(docs/model.md 4.3): the whole run's (tests/test_independent_figures.py) and each area's
(tests/test_areas.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DAYS_PER_YEAR = 365.25


def restricted_mean(table: pd.DataFrame, window: float, start: pd.Timestamp) -> float:
    """Area under one minus the Aalen-Johansen incidence of connection, 0 to ``window``.

    Withdrawal competes, those still waiting are censored at their wait, and a waiting
    list's applicants enter at the wait they had at the start. Empty where the curve is not
    known up to the window (nobody observed that long while someone still waited).
    """
    time = table["wait_years"].to_numpy()
    event = np.select([table["outcome"] == "connected", table["outcome"] == "withdrawn"],
                      [1, 2], 0)
    # at risk from the wait it had at the start (known to the day), or from its request; one
    # connected at the very start is at risk at its own wait
    before = table["request_date"] < start
    entry = np.where(before, (start - table["request_date"]).dt.days / DAYS_PER_YEAR, 0.0)
    entry = np.minimum(entry, time)
    survival, incidence, last, area = 1.0, 0.0, 0.0, 0.0
    for t in np.unique(time[event > 0]):
        if t >= window:
            break
        at_risk = np.count_nonzero((entry <= t) & (time >= t))
        if at_risk == 0:
            continue
        area += (1 - incidence) * (t - last)
        connected = np.count_nonzero((time == t) & (event == 1))
        left = np.count_nonzero((time == t) & (event > 0))
        incidence += survival * connected / at_risk
        survival *= 1 - left / at_risk
        last = t
    if time.max() < window and survival > 0:
        return float("nan")
    return area + (1 - incidence) * (window - last)


def years_without(table: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
    """Each applicant's years without a connection in the run, from the dates as a reader has them.

    From the request date, or the start for one who asked before it, to the connection, or
    the end of the run for one who withdrew or still waits (giving up is not a shorter wait).
    A connection's date is to the day; its wait is exact, so the connection is at request
    plus wait, which for one of the waiting list connected at the start can fall on the day
    before it (its request dated to the start of its day): none of its years count.
    """
    day = pd.Timedelta(days=1)
    begin = table["request_date"].where(table["request_date"] > start, start)
    requested = (table["request_date"] - start) / day / DAYS_PER_YEAR
    connected = table["outcome"] == "connected"
    ends = (end - start) / day / DAYS_PER_YEAR
    until = np.where(connected, requested + table["wait_years"], ends)
    return np.maximum(until - (begin - start) / day / DAYS_PER_YEAR, 0.0)
