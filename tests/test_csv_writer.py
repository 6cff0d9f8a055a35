"""The Arrow CSV writer writes the bytes pandas writes, for every kind of column it meets."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.runs import csv_writer
from sim.runs.csv_writer import CSV_DATE_FORMAT, write_csv
from sim.runs.spool import encode_rows

AWKWARD_FLOATS = [
    0.0, -0.0, 1.0, -1.0, 100.0, 1e-4, 9.9e-5, 1e-5, 1e-7, 0.1, 1 / 3, 2.5, 0.30000000000000004,
    123456789.125, 1234567890.0, 9999999999.999998, 1e10, 1e15, 9999999999999998.0, 1e16,
    1.2345e16, 1e22, 1e300, 5e-324, 1e-320, np.inf, -np.inf, np.nan, -12345.5, 2.0**53,
]


def pandas_bytes(frame: pd.DataFrame) -> bytes:
    """The reference: what pandas writes for the table."""
    return frame.to_csv(index=False, date_format=CSV_DATE_FORMAT,
                        lineterminator="\n").encode("utf-8")


def written(*parts: object) -> bytes:
    file = io.BytesIO()
    write_csv(file, parts)
    return file.getvalue()


def every_kind(rows: int = len(AWKWARD_FLOATS)) -> pd.DataFrame:
    """A table with each kind of column the output tables have, and awkward values in each."""
    rng = np.random.default_rng(3)
    text = ["plain", "a,b", 'say "hi"', "two\nlines", "cr\ronly", "", " space", "é ü"]
    dates = np.array(["2022-11-17", "NaT", "2036-12-31", "2024-02-29"], dtype="M8[s]")
    return pd.DataFrame({
        "replication": np.arange(rows, dtype=np.int64),
        "name": pd.array([text[k % len(text)] for k in range(rows)], dtype="str"),
        "maybe": pd.array([None if k % 5 == 0 else "x" for k in range(rows)], dtype="str"),
        "category": pd.Categorical([("basic_needs", "other", None)[k % 3]
                                    for k in range(rows)]),
        "flag": rng.random(rows) < 0.5,
        "value": np.array(AWKWARD_FLOATS * (rows // len(AWKWARD_FLOATS) + 1))[:rows],
        "date": dates[np.arange(rows) % len(dates)],
        "jobs": rng.integers(-5, 10**12, rows),
    })


def test_every_kind_of_column_is_written_as_pandas_writes_it() -> None:
    """Floats at every magnitude, quoted text, missing values, categories, dates, booleans."""
    frame = every_kind()
    assert written(frame) == pandas_bytes(frame)


def test_floats_outside_arrows_range_are_not_left_to_arrow() -> None:
    """Values Arrow writes in another notation (1e-05, 1e+15, 1.0) are the ones that need care."""
    frame = pd.DataFrame({"x": AWKWARD_FLOATS, "y": 0})
    text = written(frame).decode()
    for line in ("\n1e-05,", "\n1000000000000000.0,", "\n1.0,", "\n-0.0,", "\n1e+16,", "\n,"):
        assert line in text
    assert text == pandas_bytes(frame).decode()


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=200))
def test_any_floats_are_written_as_pandas_writes_them(values: list[float]) -> None:
    """Shortest round-trip repr, whatever the value."""
    frame = pd.DataFrame({"x": np.array(values, dtype=float), "n": np.arange(len(values))})
    assert written(frame) == pandas_bytes(frame)


def test_this_arrow_formats_floats_as_assumed() -> None:
    """The probe finds this Arrow's floats as the writer assumes (else it would be slow)."""
    assert csv_writer._arrow_floats_are_python_repr()


def test_another_arrow_float_format_costs_speed_not_bytes(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the probe finds Arrow's floats formatted otherwise, Python formats all of them.

    A range too wide for this Arrow stands in for an Arrow that formats otherwise.
    """
    monkeypatch.setattr(csv_writer, "_arrow_floats_are_python_repr", lambda: False)
    monkeypatch.setattr(csv_writer, "ARROW_FLOAT_RANGE", (1e-9, 1e20))
    frame = every_kind()
    assert written(frame) == pandas_bytes(frame)


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"x": ["", "a"]}),  # one column: a lone empty field is quoted
    pd.DataFrame({"t": pd.to_datetime(["2024-01-01 12:30", None]), "n": [1, 2]}),  # a time
    pd.DataFrame({"t": np.array(["0999-01-01", "12000-01-01"], dtype="M8[s]"),
                  "n": [1, 2]}),  # years of three and five digits
    pd.DataFrame({"mixed": [1, "a"], "n": [1, 2]}),  # mixed types in a column
    pd.DataFrame({"numbers": pd.Series([1, 2.5, None], dtype=object), "n": [1, 2, 3]}),
    pd.DataFrame({"text": pd.Series(["a", None, "b,c"], dtype=object), "n": [1, 2, 3]}),
    pd.DataFrame({"small": np.array([0.1, 1.0], dtype=np.float32), "n": [1, 2]}),
    pd.DataFrame({"x": pd.Series([], dtype=float), "y": pd.Series([], dtype="str")}),
], ids=["one-column", "time-of-day", "odd-years", "mixed", "object-numbers", "object-text",
     "float32", "no-rows"])
def test_unusual_tables_are_written_as_pandas_writes_them(frame: pd.DataFrame) -> None:
    """Unusual tables, most of them left to pandas, come out the same."""
    assert written(frame) == pandas_bytes(frame)


def test_parts_and_slices_join_into_one_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts given as DataFrames or record batches, cut into slices, make one table's bytes."""
    monkeypatch.setattr(csv_writer, "SLICE_ROWS", 7)
    frame = every_kind(100)
    parts = [frame.iloc[:30], frame.iloc[30:31], frame.iloc[31:]]
    import pyarrow as pa

    batch = pa.ipc.open_stream(encode_rows(parts[2].reset_index(drop=True)).data).read_next_batch()
    assert written(parts[0], parts[1], batch) == pandas_bytes(frame)
