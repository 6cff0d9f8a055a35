"""Output tables as CSV formatted by Arrow: the bytes pandas' ``to_csv`` writes, many times faster.

pandas formats a million values a second or so, one at a time through Python's ``csv`` module;
writing ``applicants.csv`` took longer than simulating it. Here each column becomes Arrow text
in a few vectorised steps, the columns are joined into lines, and the lines go to the file as
one buffer. The text is exactly what ``DataFrame.to_csv(index=False, date_format="%Y-%m-%d")``
writes with newline (LF) line ends, so earlier results compare byte for byte:

- Floats: Python's shortest round-trip ``repr`` (``0.1``, ``1.0``, ``1e-05``, ``1e+16``), as
  pandas writes them. Arrow finds the same shortest digits but writes ``1`` for ``1.0`` and
  switches to exponents at other magnitudes, so integral values get their ``.0`` and values
  outside ``[1e-4, 1e10)`` (rare in these tables) are formatted by Python. Missing: empty.
- Booleans ``True``/``False``; dates ``YYYY-MM-DD``; missing values of any type empty.
- Text quoted only where Python's ``csv`` module quotes it (a comma, a double quote, a line
  break), with ``""`` for a double quote inside.

A table with a column of any other kind (objects other than text, a date with a time of day)
is written by pandas, so the bytes are the same either way; only the speed differs.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterable
from typing import IO, Any

import numpy as np
import pandas as pd

__all__ = ["CSV_DATE_FORMAT", "csv_header", "csv_lines", "write_csv"]

CSV_DATE_FORMAT = "%Y-%m-%d"
"""How dates are written in the output tables."""

LINE_END = "\n"
"""Every output table ends its lines so, on every platform."""

SLICE_ROWS = 100_000
"""Rows formatted at a time: Arrow text arrays hold at most 2 GB, and memory stays small."""

ARROW_FLOAT_RANGE = (1e-4, 1e10)
"""Magnitudes whose Arrow text, with ``.0`` added to integral values, is Python's ``repr``."""


def write_csv(file: IO[bytes], parts: Iterable[pd.DataFrame | Any]) -> None:
    """Write tables (DataFrames or Arrow record batches) one after the other as one CSV.

    The first part gives the header line; the others must have the same columns.
    """
    first = True
    for part in parts:
        if first:
            file.write(csv_header(list(part.columns) if isinstance(part, pd.DataFrame)
                                  else part.schema.names))
        first = False
        for chunk in csv_lines(part):
            file.write(chunk)


def csv_header(names: list[str]) -> bytes:
    """The header line, quoted as pandas quotes it."""
    text = io.StringIO()
    csv.writer(text, lineterminator=LINE_END).writerow(names)
    return text.getvalue().encode("utf-8")


def csv_lines(part: pd.DataFrame | Any) -> Iterable[Any]:
    """The rows of a DataFrame or record batch as CSV lines, in buffers (no header)."""
    import pyarrow as pa

    if isinstance(part, pd.DataFrame):
        table = None
        if len(part.columns) >= 2 and _objects_are_text(part):
            # A lone empty field is quoted: tables of one column are left to pandas.
            try:
                table = pa.Table.from_pandas(part, preserve_index=False, nthreads=1)
            except (pa.ArrowException, TypeError, ValueError):  # e.g. mixed types in a column
                pass
        if table is None:
            yield _pandas_lines(part)
            return
    else:
        table = pa.Table.from_batches([part])
    for start in range(0, table.num_rows, SLICE_ROWS):
        lines = _arrow_lines(table.slice(start, SLICE_ROWS).combine_chunks())
        if lines is not None:
            yield lines
        elif isinstance(part, pd.DataFrame):
            yield _pandas_lines(part.iloc[start:start + SLICE_ROWS])
        else:
            yield _pandas_lines(part.slice(start, SLICE_ROWS).to_pandas())


def _objects_are_text(frame: pd.DataFrame) -> bool:
    """Whether every column of Python objects holds text (or nothing).

    Arrow would turn other objects into one type, e.g. ``1`` into ``1.0`` beside ``2.5``,
    where pandas writes each object as it is.
    """
    return all(pd.api.types.infer_dtype(frame[name], skipna=True) in ("string", "empty")
               for name, dtype in frame.dtypes.items() if dtype == np.dtype(object))


def _arrow_lines(table: Any) -> Any:
    """The rows as one buffer of CSV lines, or None if a column is of a kind left to pandas."""
    import pyarrow.compute as pc

    texts = []
    for column in table.columns:
        text = _column_text(column.combine_chunks())
        if text is None:
            return None
        texts.append(text)
    texts[-1] = pc.binary_join_element_wise(texts[-1], LINE_END, "", null_handling="replace",
                                            null_replacement="")
    lines = pc.binary_join_element_wise(*texts, ",", null_handling="replace",
                                        null_replacement="")
    _, offsets, data = lines.buffers()
    bounds = np.frombuffer(offsets, dtype=np.int32)[[lines.offset, lines.offset + len(lines)]]
    return data[int(bounds[0]):int(bounds[1])]


def _column_text(values: Any) -> Any:
    """One column as Arrow text as pandas writes it (nulls stay null), or None."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = values.type
    if pa.types.is_integer(kind):
        return pc.cast(values, pa.string())
    if pa.types.is_boolean(kind):
        return pc.if_else(values, "True", "False")
    if pa.types.is_float64(kind):
        return _float_text(values)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return _quoted(pc.cast(values, pa.string()))
    if pa.types.is_dictionary(kind) and (pa.types.is_string(kind.value_type)
                                         or pa.types.is_large_string(kind.value_type)):
        labels = _quoted(pc.cast(values.dictionary, pa.string()))
        return labels.take(values.indices)
    if (pa.types.is_timestamp(kind) and kind.tz is None) or pa.types.is_date32(kind):
        return _date_text(values)
    return None


def _float_text(values: Any) -> Any:
    """Floats as Python's ``repr`` writes them (see the module docstring)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    numbers = values.to_numpy(zero_copy_only=False)  # nulls become NaN, written empty
    text = pc.cast(values, pa.string())
    integral = np.equal(np.floor(numbers), numbers)  # False for NaN and infinities
    text = pc.if_else(pa.array(integral), pc.binary_join_element_wise(text, ".0", ""), text)
    low, high = ARROW_FLOAT_RANGE
    size = np.abs(numbers)
    elsewhere = ((size < low) & (numbers != 0)) | (size >= high)  # False for NaN
    if not _arrow_floats_are_python_repr():
        elsewhere = ~np.isnan(numbers)
    if elsewhere.any():
        replacements = pa.array(numbers[elsewhere].astype(str), pa.string())
        text = pc.replace_with_mask(text, pa.array(elsewhere), replacements)
    return text


@functools.cache
def _arrow_floats_are_python_repr() -> bool:
    """Whether this Arrow writes floats inside :data:`ARROW_FLOAT_RANGE` as assumed.

    Checked once per process on values that tell the formats apart, so another Arrow version
    that formats differently costs speed, never a changed byte.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    probe = np.array([0.0, -0.0, 1.0, -2.0, 1e-4, 1.5e-4, 0.1, 1 / 3, 2.5, 123456.789,
                      9999999999.999998, 1234567890.0, 0.30000000000000004])
    text = pc.cast(pa.array(probe), pa.string()).to_pylist()
    fixed = [t + ".0" if v == np.floor(v) else t for v, t in zip(probe, text, strict=True)]
    return fixed == [repr(float(v)) for v in probe]


def _quoted(text: Any) -> Any:
    """Text quoted where Python's ``csv`` module would quote it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    needs = pc.match_substring_regex(text, _QUOTE_PATTERN)
    if not pc.any(needs).as_py():
        return text
    doubled = pc.replace_substring(text, '"', '""')
    quoted = pc.binary_join_element_wise('"', doubled, '"', "")
    return pc.if_else(needs, quoted, text).cast(pa.string())


def _date_text(values: Any) -> Any:
    """Dates as ``YYYY-MM-DD``; None if one has a time of day."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        days = pc.cast(values, pa.date32())  # a safe cast: refuses to drop a time of day
    except pa.ArrowInvalid:
        return None
    return pc.cast(days, pa.string())


def _pandas_lines(frame: pd.DataFrame) -> bytes:
    """The rows as pandas writes them: the reference the Arrow path matches."""
    return frame.to_csv(header=False, index=False, date_format=CSV_DATE_FORMAT,
                        lineterminator=LINE_END).encode("utf-8")


def _quote_pattern() -> str:
    """A regular expression for the characters that make Python's ``csv`` module quote a field.

    A line break quotes a field only in some Python versions, so the module itself is asked.
    """
    def quotes(character: str) -> bool:
        text = io.StringIO()
        csv.writer(text, lineterminator=LINE_END).writerow([f"a{character}b", "c"])
        return text.getvalue().startswith('"')

    special = [c for c in ',"\n\r' if quotes(c)]
    return "[" + "".join({"\n": "\\n", "\r": "\\r"}.get(c, c) for c in special) + "]"


_QUOTE_PATTERN = _quote_pattern()
