"""Building a replication's tables: calendar steps, coded text columns, grouped figures."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sim.inputs.applicants import CATEGORIES, ApplicantTable, Labels
from sim.inputs.scenario import add_months
from sim.runs.incidence import incidence_curve
from sim.runs.metrics import ALL, _by_category, _wait_figures
from sim.runs.records import _text, to_dates


@pytest.mark.parametrize("start", [dt.date(2000, 1, 31), dt.date(2024, 2, 29),
                                   dt.date(1999, 12, 15), dt.date(2023, 3, 1)])
def test_add_months_agrees_with_pandas(start):
    """Month steps land where pandas' DateOffset puts them, the 31st and 29 February too."""
    for months in range(0, 60):
        expected = (pd.Timestamp(start) + pd.DateOffset(months=months)).date()
        assert add_months(start, months) == expected


def test_labels_round_trip_in_first_seen_order():
    """Encoding keeps each row's text and lists the values in the order they first occur."""
    labels = Labels.encode(["b", "a", "b", "c"])
    assert labels.values == ("b", "a", "c")
    assert labels.decode().tolist() == ["b", "a", "b", "c"]
    assert labels.codes_in(("a", "b", "c")).tolist() == [1, 0, 1, 2]
    assert labels.matches("b").tolist() == [True, False, True, False]
    assert not labels.matches("d").any()


def test_labels_join_merges_values_and_puts_rows_in_place():
    """Joined parts keep their rows' text though each part coded it its own way."""
    joined = Labels.join(
        [Labels.encode(["x", "y"]), Labels.repeat("y", 2), Labels.encode([])],
        [np.array([3, 0]), np.array([1, 2]), np.array([], dtype=np.intp)],
    )
    assert joined.values == ("x", "y")
    assert joined.decode().tolist() == ["y", "y", "y", "x"]


def small_table(names: list[str], times: list[float]) -> ApplicantTable:
    """A table of applicants with these names, in stream ``s`` of category safety."""
    n = len(names)
    return ApplicantTable.from_columns(
        name=names, source=["stream"] * n, stream=["s"] * n, category=["safety"] * n,
        area=["main"] * n, request_time=np.array(times, dtype=float), demand_mw=np.ones(n),
        requested_mw=np.ones(n), self_supply=np.zeros(n), jobs=np.zeros(n, dtype=np.int64),
        priority_requested=np.zeros(n, dtype=bool), patience_years=np.full(n, np.inf),
        lifetime_years=np.full(n, np.inf),
    )


def test_tables_read_their_coded_text_as_plain_strings():
    """Joined tables sort by time, ties in part order; text reads as plain ``str``."""
    table = ApplicantTable.concat_sorted([small_table(["late", "later"], [2.0, 3.0]),
                                          small_table(["early", "tied"], [1.0, 2.0])])
    assert table.name.dtype == object
    assert table.name.tolist() == ["early", "late", "tied", "later"]
    assert table.request_time.tolist() == [1.0, 2.0, 2.0, 3.0]
    assert table.category_code.tolist() == [CATEGORIES.index("safety")] * 4
    rows = list(table)
    assert rows[0] == table.applicant(0)
    assert type(rows[3].name) is str and rows[3].name == "later" and rows[3].area == "main"


@pytest.mark.parametrize("texts", [["a", "", "a", "b"], []])
def test_text_columns_are_what_pandas_makes_of_the_strings(texts):
    """A coded column becomes the same column, and dtype, as the object array it stands for."""
    expected = pd.DataFrame({"text": np.array(texts, dtype=object)})
    made = pd.DataFrame({"text": _text(Labels.encode(texts))})
    assert made["text"].dtype == expected["text"].dtype
    pd.testing.assert_frame_equal(made, expected)


def test_category_groups_hold_the_same_rows_as_masks():
    """Each category's slice of the sorted columns is its boolean mask's rows, in order."""
    rng = np.random.default_rng(5)
    category = rng.choice([0, 1, 3], size=500).astype(np.int8)  # one category has nobody
    columns = {"x": rng.random(500), "flag": rng.random(500) < 0.5}
    by_x = np.argsort(columns["x"], kind="stable")
    groups = {name: group for name, group, _ in _by_category(category, columns, {"x": by_x})}
    assert list(groups) == [*CATEGORIES, ALL]
    for code, name in enumerate(CATEGORIES):
        for column, values in columns.items():
            np.testing.assert_array_equal(groups[name][column], values[category == code])
    assert groups[ALL] is columns


@pytest.mark.parametrize("seed", range(5))
def test_each_category_is_given_its_rows_in_order_of_wait(seed):
    """Each per-category order, derived from one sort of every row, sorts each group.

    Ties (many waits of zero) may come in any order; each group must be its own rows, every
    one once, with the waits ascending, so that its incidence curve is the one its own sort
    would give. Two orders (of the wait and of the firm wait) are grouped alike.
    """
    rng = np.random.default_rng(seed)
    n = 500
    category = rng.integers(0, len(CATEGORIES), n).astype(np.int8)
    wait = np.where(rng.random(n) < 0.5, 0.0, rng.choice([0.1, 0.25, 1.0, 2.0], n))
    columns = {"wait": wait, "firm_wait": wait + rng.choice([0.0, 0.5], n),
               "connected": rng.random(n) < 0.7}
    orders = {name: np.argsort(columns[name], kind="stable") for name in ("wait", "firm_wait")}
    groups = list(_by_category(category, columns, orders))
    assert [g for g, _, _ in groups] == [*CATEGORIES, ALL]
    for _, c, group_orders in groups:
        for name, in_order in group_orders.items():
            assert sorted(in_order.tolist()) == list(range(len(c[name])))
            assert np.all(np.diff(c[name][in_order]) >= 0)
            own = incidence_curve(c[name], c["connected"], ~c["connected"], np.zeros(len(c[name])))
            given = incidence_curve(c[name], c["connected"], ~c["connected"],
                                    np.zeros(len(c[name])), in_order)
            for field in ("time_years", "at_risk", "connected", "cif_connected"):
                np.testing.assert_array_equal(getattr(own, field), getattr(given, field))


def test_wait_figures_match_numpy_on_an_untouched_copy():
    """Working on the waits in place gives numpy's median and percentile exactly."""
    waits = np.random.default_rng(6).exponential(size=1000)  # even: the median averages two
    expected = (float(waits.mean()), float(np.median(waits)), float(np.quantile(waits, 0.9)))
    assert tuple(_wait_figures(waits.copy()).values()) == expected
    assert all(np.isnan(v) for v in _wait_figures(np.zeros(0)).values())


def test_dates_round_down_to_the_day_and_nan_is_nat():
    """Simulation times become whole days after the start, in seconds; NaN becomes NaT."""
    dates = to_dates(dt.date(2024, 1, 1), np.array([0.0, 1.0, 0.5, np.nan]))
    assert dates.dtype == np.dtype("datetime64[s]")
    assert dates.astype("datetime64[D]").astype(str).tolist() == [
        "2024-01-01", "2024-12-31", "2024-07-01", "NaT"]
