"""Reading a planner's waiting list from CSV, row by row, with errors that name the line.

Both the international form (comma-separated, decimal points, ISO dates) and what Excel saves
with Dutch settings (semicolon-separated, decimal commas such as ``0,5``, dates such as
``31-05-2023``, ``WAAR``/``ONWAAR``, often a UTF-8 byte-order mark) are read. The separator is
taken from the header line; decimal commas and day-first dates are read only in
semicolon-separated files, where they cannot be confused with the separator.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.errors import InputError, nearest
from sim.inputs.applicants import CATEGORIES, PRIORITY_CATEGORIES, Category
from sim.inputs.files import NotARegularFile, TooLarge, not_found, read_limited
from sim.inputs.scenario import EARLIEST_DATE, MAX_JOBS, MAX_REQUEST_MW

__all__ = ["WaitingRows", "read_waiting_list", "repeats_message"]

REQUIRED = ("request_date", "category", "demand_mw")
OPTIONAL = ("name", "stream", "area", "jobs", "priority_requested", "self_supply",
            "efficiency")
_TRUE = {"true", "yes", "1", "y", "waar", "ja", "j"}
_FALSE = {"false", "no", "0", "n", "", "onwaar", "nee"}
NUMBER_COLUMNS = ("demand_mw", "jobs", "self_supply", "efficiency")
_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+|[+-]?\d+,?")
_DAY_FIRST = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_ISO_SHAPE = re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")
"""A date written as an ISO date is, with a month and a day in range (not that it exists)."""
MAX_SCORE = 1e9
"""Largest efficiency score in a file (only the order of scores matters)."""
MAX_FILE_BYTES = 200_000_000
"""Largest waiting-list file read (about two million rows)."""


@dataclass(frozen=True)
class WaitingRows:
    """The rows of a waiting-list file; missing optional values are None (or NaN)."""

    name: list[str]
    stream: list[str | None]
    category: list[Category]
    area: list[str | None]
    request_date: list[dt.date]
    demand_mw: np.ndarray
    jobs: np.ndarray
    priority_requested: list[bool | None]
    self_supply: np.ndarray
    efficiency: np.ndarray
    """Each row's score; -inf where the row gives none."""
    repeats: tuple[tuple[int, int], ...] = ()
    """Rows equal in every column to an earlier one: (line, the earlier row's line)."""

    def __len__(self) -> int:
        return len(self.category)

    @property
    def scored(self) -> bool:
        """Whether any row gives an efficiency score."""
        return bool(np.any(np.isfinite(self.efficiency)))


def read_waiting_list(
    path: Path,
    start: dt.date,
    streams: list[str],
    areas: list[str],
    shown_as: str | None = None,
    stream_areas: Mapping[str, str | None] | None = None,
    stream_moves: Mapping[str, list[str]] | None = None,
) -> WaitingRows:
    """Read and check a waiting-list CSV; raise :class:`InputError` at the first bad row.

    With several areas a row without an area takes its stream's (``stream_areas``, by stream
    name); one that names neither is refused rather than put in the first area. A row that
    asks for priority must hold a category with priority, now or after one of its stream's
    category changes (``stream_moves``: the categories each stream moves into).
    """
    label = os.path.normpath(shown_as or path)  # flev/../list.csv shown as list.csv
    text = _read_text(path, label)
    delimiter = _delimiter(text)
    records = _records(text, label, delimiter)
    if not records or not any(cell.strip() for cell in records[0][1]):
        raise InputError(label, "", f"expected a header row with {', '.join(REQUIRED)}; "
                         "the file is empty", line=1)
    header = [cell.strip() for cell in records[0][1]]
    _check_header(label, header)
    rows = WaitingRows([], [], [], [], [], np.zeros(0), np.zeros(0), [], np.zeros(0),
                       np.zeros(0))
    demand, jobs, self_supply, efficiency = [], [], [], []
    first_seen: dict[tuple[str, ...], int] = {}
    named: dict[str, int] = {}  # each name's line: a name says when that one request connects
    repeats: list[tuple[int, int]] = []
    for line_number, cells in records[1:]:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            hint = ("; a decimal comma in a comma-separated file? Save it with semicolons "
                    "(Excel: CSV with list separator) or use decimal points"
                    if delimiter == "," and len(cells) > len(header) else "")
            raise InputError(label, "", f"expected {len(header)} columns like the header, "
                             f"got {len(cells)}{hint}", line=line_number)
        row = dict(zip(header, (cell.strip() for cell in cells), strict=True))
        written = dict(row)  # quoted back as written, before a Dutch file's rewriting
        earlier = first_seen.setdefault(tuple(written.values()), line_number)
        if earlier != line_number:
            repeats.append((line_number, earlier))
        if delimiter == ";":
            _read_dutch(row)

        def fail(column: str, expected: str, _line: int = line_number,
                 _row: dict[str, str] = written) -> InputError:
            return InputError(label, column, f"{expected}, got {_row[column]!r}", line=_line)

        rows.request_date.append(_date(row, fail, start))
        category = row["category"]
        if category not in CATEGORIES:
            raise fail("category", f"expected one of {', '.join(CATEGORIES)}"
                       f"{nearest(category, CATEGORIES)}")
        rows.category.append(category)
        demand.append(_number(row, "demand_mw", fail, MAX_REQUEST_MW, positive=True))
        name = row.get("name", "")
        if name and named.setdefault(name, line_number) != line_number:
            raise InputError(label, "name", f"expected each name once: {name!r} is also on line "
                             f"{named[name]}; projects.csv gives one line per name, so give "
                             "each request its own name (or leave one empty)",
                             line=line_number)
        rows.name.append(name)
        rows.stream.append(_known(row, "stream", streams, fail))
        area = _known(row, "area", areas, fail)
        stream = rows.stream[-1]
        if area is None and len(areas) > 1:
            area = (stream_areas or {}).get(stream or "")
            if area is None:
                raise InputError(label, "area", "expected an area of the scenario ("
                                 f"{', '.join(areas)}): it has several, and this row names "
                                 + ("none, nor does its stream" if stream else "none"),
                                 line=line_number)
        rows.area.append(area)
        jobs.append(_number(row, "jobs", fail, MAX_JOBS, default=0.0) if "jobs" in row
                    else 0.0)
        asked = _flag(row, fail)
        moves = (stream_moves or {}).get(stream or "", [])
        if asked and not any(c in PRIORITY_CATEGORIES for c in (category, *moves)):
            raise fail("priority_requested", f"expected false or empty: '{category}' has no "
                       "priority to ask for" + (f", nor has any category stream '{stream}' "
                                                "moves into" if moves else "")
                       + ", so asking would do nothing")
        rows.priority_requested.append(asked)
        share = _number(row, "self_supply", fail, 1.0, default=math.nan) \
            if "self_supply" in row else math.nan
        if not math.isnan(share) and not 0 <= share < 1:
            raise fail("self_supply", "expected a fraction from 0 to below 1")
        self_supply.append(share)
        efficiency.append(_number(row, "efficiency", fail, MAX_SCORE, default=-math.inf)
                          if "efficiency" in row else -math.inf)
    if len(rows) == 0:
        raise InputError(label, "", "expected at least one applicant row below the header",
                         line=2)
    return WaitingRows(
        name=rows.name,
        stream=rows.stream,
        category=rows.category,
        area=rows.area,
        request_date=rows.request_date,
        demand_mw=np.array(demand, dtype=float),
        jobs=np.array(jobs, dtype=float),
        priority_requested=rows.priority_requested,
        self_supply=np.array(self_supply, dtype=float),
        efficiency=np.array(efficiency, dtype=float),
        repeats=tuple(repeats),
    )


def repeats_message(label: str, repeats: tuple[tuple[int, int], ...], shown: int = 3) -> str:
    """What to say of rows that repeat an earlier one exactly: the first ``shown`` by line.

    Two requests alike are two rows alike, so each still counts; but an export that doubled
    rows would double those applicants without a word.
    """
    count = len(repeats)
    pairs = ", ".join(f"line {line} repeats line {earlier}"
                      for line, earlier in repeats[:shown])
    more = f", and {count - shown} more" if count > shown else ""
    if count == 1:
        return (f"{label}: 1 row repeats an earlier row exactly ({pairs}); it counts as an "
                "applicant; remove it if the export doubled it")
    return (f"{label}: {count:,} rows repeat an earlier row exactly ({pairs}{more}); each "
            "counts as an applicant; remove them if the export doubled them")


def _read_text(path: Path, label: str) -> str:
    """The file's text; a BOM is dropped, a byte that is not UTF-8 is reported by line."""
    key = "waiting_list.csv"
    try:
        data = read_limited(path, MAX_FILE_BYTES)
    except FileNotFoundError:
        raise InputError(label, key, f"expected an existing CSV file; it {not_found(path)}"
                         ) from None
    except IsADirectoryError:
        raise InputError(label, key, "expected a CSV file, found a directory") from None
    except NotARegularFile as exc:
        raise InputError(label, key, f"expected a CSV file, found a {exc.kind}") from None
    except TooLarge:
        raise InputError(label, key, f"expected a CSV file under {MAX_FILE_BYTES} bytes") \
            from None
    except OSError as exc:
        raise InputError(label, key, f"expected a readable CSV file ({exc.strerror or exc})"
                         ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(label, "", f"expected UTF-8 text, got the byte {data[exc.start]:#04x} "
                         "(save the file as UTF-8 CSV)", line=line) from None


def _delimiter(text: str) -> str:
    """``;`` when the header line is separated by semicolons (Excel, Dutch settings), else ``,``."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if header.count(";") > header.count(",") else ","


def _read_dutch(row: dict[str, str]) -> None:
    """Rewrite a semicolon file's decimal commas and day-first dates in the usual form."""
    for column in NUMBER_COLUMNS:
        if column in row and _DECIMAL_COMMA.fullmatch(row[column]):
            row[column] = row[column].replace(",", ".")
    day_first = _DAY_FIRST.fullmatch(row["request_date"])
    if day_first:
        day, month, year = (int(part) for part in day_first.groups())
        row["request_date"] = f"{year:04d}-{month:02d}-{day:02d}"


def _records(text: str, label: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """The CSV records with the line each starts on (a quoted value may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=delimiter)
    records = []
    line = 1
    try:
        for cells in reader:
            records.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(label, "", f"expected well-formed CSV ({exc}; is a quote (\") left "
                         "open?)", line=line) from None
    return records


def _check_header(label: str, header: list[str]) -> None:
    known = REQUIRED + OPTIONAL
    if any("\t" in column for column in header):  # saved as "tab-delimited text"
        raise InputError(label, "", "expected columns separated by commas or semicolons, got "
                         "a header separated by tabs (save the file as CSV)", line=1)
    for column in header:
        if column not in known:
            raise InputError(label, "", f"unknown column {column!r}{nearest(column, known)}; "
                             f"expected columns from {', '.join(known)} (delete any other "
                             "column: it would not be read)", line=1)
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise InputError(label, missing[0], f"missing column; expected {', '.join(REQUIRED)} "
                         "in the header", line=1)
    twice = next((column for i, column in enumerate(header) if column in header[:i]), None)
    if twice is not None:
        raise InputError(label, twice, f"expected each column once in the header, got "
                         f"'{twice}' twice", line=1)


_Fail = Callable[[str, str], InputError]
"""A row's error for a column: ``fail(column, expected)``, naming file and line."""


def _date(row: dict[str, str], fail: _Fail, start: dt.date) -> dt.date:
    try:
        value = dt.date.fromisoformat(row["request_date"])
    except ValueError:
        if _ISO_SHAPE.fullmatch(row["request_date"]):  # 31 February, say
            raise fail("request_date", "expected a day that exists in its month") from None
        raise fail("request_date", "expected an ISO date such as 2023-05-31 (or 31-05-2023 in "
                   "a file separated by semicolons)") from None
    if value > start:
        raise fail("request_date", f"expected a date on or before the start ({start}): "
                   "later requests belong in streams or projects")
    if value < EARLIEST_DATE:
        raise fail("request_date", f"expected a date from {EARLIEST_DATE} on")
    return value


def _number(row: dict[str, str], column: str, fail: _Fail, limit: float, positive: bool = False,
            default: float | None = None) -> float:
    text = row[column]
    if text == "" and default is not None:
        return default
    try:
        value = float(text)
    except ValueError:
        raise fail(column, "expected a number, such as 0.5 (or 0,5 in a file separated by "
                   "semicolons), without thousands separators") from None
    if not math.isfinite(value) or value < 0 or (positive and value == 0) or value > limit:
        raise fail(column, f"expected a number above 0 and at most {limit:.10g}" if positive
                   else f"expected a number from 0 to {limit:.10g}")
    return value


def _known(row: dict[str, str], column: str, names: list[str], fail: _Fail) -> str | None:
    value = row.get(column, "")
    if value == "":
        return None
    if value not in names:
        raise fail(column, f"expected one of {', '.join(names) or '(none defined)'}"
                   f"{nearest(value, names)}")
    return value


def _flag(row: dict[str, str], fail: _Fail) -> bool | None:
    if "priority_requested" not in row:
        return None
    text = row["priority_requested"].lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False if text else None
    raise fail("priority_requested", "expected true or false")
