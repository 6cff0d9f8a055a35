"""Building a replication's tables: calendar steps, coded text columns, grouped figures."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sim.replication import add_months


@pytest.mark.parametrize("start", [dt.date(2000, 1, 31), dt.date(2024, 2, 29),
                                   dt.date(1999, 12, 15), dt.date(2023, 3, 1)])
def test_add_months_agrees_with_pandas(start):
    """Month steps land where pandas' DateOffset puts them, the 31st and 29 February too."""
    for months in range(0, 60):
        expected = (pd.Timestamp(start) + pd.DateOffset(months=months)).date()
        assert add_months(start, months) == expected
