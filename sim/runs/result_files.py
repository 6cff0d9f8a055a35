"""Checking a results folder as it is read back: a damaged file is one message, not a traceback.

A results folder copied in part, cut short by a full disk or edited by hand failed deep inside
pandas or the figures (an empty table, a renamed column, a row cut in half read as an outcome
``nan``), or was taken for a run of fewer replications. These few checks find such damage
first and name the file (and line) and what is wrong:

- ``run.json`` is a readable JSON object whose ``replications`` says which replications ran;
- each table begins with the header gridqueue writes and ends with a whole row (every table
  ends with a line break, and its last line has every field);
- ``timeseries.csv`` and ``replication_metrics.csv`` hold every replication ``run.json``
  lists, no table holds one it does not, and ``applicants.csv`` holds as many rows of each
  as ``replication_metrics.csv`` counted applicants in it.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import InputError
from sim.inputs.files import read_limited
from sim.inputs.scenario import MAX_REPLICATIONS
from sim.runs.areas import AREA_COLUMNS, AREA_METRIC_COLUMNS
from sim.runs.metrics import ALL
from sim.runs.records import APPLICANT_COLUMNS, TIMESERIES_COLUMNS
from sim.runs.staging import some
from sim.runs.stats import FULL_FIRM_COLUMNS, PROJECT_COLUMNS, SUMMARY_COLUMNS

__all__ = ["MAX_RUN_JSON_BYTES", "TABLE_COLUMNS", "check_replications", "check_table",
           "check_values", "is_whole", "read_run_info", "run_replications"]

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "applicants": tuple(column for column in APPLICANT_COLUMNS
                        if column not in ("waiting_mw", "kept_firm_place", "efficiency")),
    "timeseries": TIMESERIES_COLUMNS,
    "summary": SUMMARY_COLUMNS,
    "replication_metrics": ("replication", "group", "metric", "value"),
    "projects": tuple(column for column in PROJECT_COLUMNS
                      if column not in ("withdrawn_share", "source", "first_in_part_share")
                      and column not in FULL_FIRM_COLUMNS),
    "areas": AREA_COLUMNS,
    "area_metrics": AREA_METRIC_COLUMNS,
}
"""The columns each table of a results folder must have (more are let be). Left out is one
that earlier folders lack and readers take a default for: applicants.csv's efficiency
(no scores: a comparison splits nobody by them), kept_firm_place
(:func:`sim.runs.observed.observed_values`: a right that never moved to firm is taken for one
given up) and waiting_mw (:func:`sim.runs.metrics.metric_columns`: the requests of those
without any connection; :func:`sim.runs.observed.observed_values`: whole requests),
projects.csv's withdrawn_share
(:func:`sim.runs.summary_table.withdrawn_share`), its full firm connection
(:func:`sim.runs.summary_table.full_connection_dates`: none said; without
first_in_part_share, said where the columns of the two kinds of connection differ) and its
source (:func:`sim.runs.summary_table.project_name`: a project)."""

_SUMMARY_NUMBERS = ("estimate", "ci_low", "ci_high", "mean", "std", "replications")
NUMBER_COLUMNS: dict[str, tuple[str, ...]] = {
    "applicants": ("applicant_id", "demand_mw", "requested_mw", "self_supply", "jobs",
                   "wait_years", "homes", "existing_mw", "connected_mw", "waiting_mw",
                   "non_firm_mw", "non_firm_hours_share", "non_firm_mw_share", "efficiency"),
    "timeseries": tuple(c for c in TIMESERIES_COLUMNS if c not in ("replication", "date", "area")),
    "summary": _SUMMARY_NUMBERS,
    "replication_metrics": ("value",),
    "projects": ("replications", "connected_share", "withdrawn_share", "wait_mean_years",
                 "wait_ci_low", "wait_ci_high", "full_connected_share", "first_in_part_share"),
    "areas": _SUMMARY_NUMBERS,
    "area_metrics": ("value",),
}
"""The columns of each table that hold numbers (an empty field is a missing one): text there,
from an edit by hand, failed deep inside the report or the comparison."""

FLAG_COLUMNS: dict[str, tuple[str, ...]] = {"applicants": ("priority_requested",
                                                           "moved_to_firm", "kept_firm_place")}
"""The columns of each table that hold True or False in every row."""

EVERY_REPLICATION = ("timeseries", "replication_metrics")
"""Tables with rows for every replication (a replication may have no applicants at all)."""

MAX_RUN_JSON_BYTES = 10_000_000
"""Far more than any run.json (a few kB): a larger one is not gridqueue's."""

TAIL_BYTES = 1 << 16
"""How much of a table's end is read to find its last row (rows are far shorter)."""


EXPECTED_JSON = "expected readable JSON (the provenance gridqueue run writes)"
"""What a run.json that cannot be read should have been."""


def read_run_info(path: Path) -> dict[str, Any]:
    """The provenance in ``run.json``: a JSON object, or one message saying what is wrong."""
    try:
        text = read_limited(path, MAX_RUN_JSON_BYTES).decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(path, "", "expected UTF-8 text (JSON written by gridqueue run); "
                         "it is damaged") from None
    except IsADirectoryError:
        raise InputError(path, "", f"{EXPECTED_JSON}; found a directory") from None
    except OSError as exc:  # a link to nothing is there too: a folder without one says so
        raise InputError(path, "", f"{EXPECTED_JSON}; it is there but cannot be read "
                         f"({exc.strerror or exc})") from None
    try:
        info = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, "", f"expected readable JSON ({exc.msg}, column {exc.colno}); "
                         "it is damaged", line=exc.lineno) from None
    except ValueError:  # a whole number longer than Python reads: not a JSON syntax error
        raise InputError(path, "", "expected readable JSON (a whole number of more than "
                         f"{sys.get_int_max_str_digits()} digits); it is damaged") from None
    if not isinstance(info, dict):
        raise InputError(path, "", f"expected a JSON object (the provenance gridqueue run "
                         f"writes), got {_json_kind(info)}")
    return info


def _json_kind(value: Any) -> str:
    kinds = {list: "a list", str: "a string", bool: "true or false", type(None): "null"}
    return kinds.get(type(value), "a number")


def run_replications(info: Mapping[str, Any], path: Path) -> list[int]:
    """The replication indices ``run.json`` says ran (a count, or the indices of a subset).

    Checked against :data:`~sim.inputs.scenario.MAX_REPLICATIONS` before the list is made:
    a count edited to a billion would otherwise fill the memory before anything is said.
    """
    if "replications" not in info:
        raise InputError(path, "replications", "expected the number of replications the run "
                         "had (gridqueue run writes it); not found")
    value = info["replications"]
    if is_whole(value, minimum=1) and value <= MAX_REPLICATIONS:
        return list(range(value))
    if isinstance(value, list) and value and all(
            is_whole(v) and v < MAX_REPLICATIONS for v in value):
        if len(set(value)) == len(value):
            return sorted(value)
        twice = next(v for i, v in enumerate(value) if v in value[:i])
        raise InputError(path, "replications", "expected each replication index once, got "
                         f"{twice} more than once")
    raise InputError(path, "replications", "expected a number of replications from 1 to "
                     f"{MAX_REPLICATIONS:,} or a list of replication indices from 0 to "
                     f"{MAX_REPLICATIONS - 1:,}, got {_shown(value)}")


def _shown(value: Any, limit: int = 80) -> str:
    """A value of run.json as a message shows it: its repr, cut short if long."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}..."


def is_whole(value: Any, minimum: int = 0) -> bool:
    """Whether ``value`` is a whole number of at least ``minimum`` (JSON's true is not one)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def check_table(path: Path, columns: tuple[str, ...]) -> None:
    """Refuse a table that is missing, empty, headed otherwise or cut short (one message)."""
    try:
        size = os.stat(path).st_size
        with open(path, "rb") as file:
            first = file.readline(TAIL_BYTES)
            second = file.readline(TAIL_BYTES)
            file.seek(max(0, size - TAIL_BYTES))
            tail = file.read()
    except FileNotFoundError:
        raise InputError(path, "", "not found; a results folder holds every table gridqueue "
                         "run writes (copy the whole folder)") from None
    except OSError as exc:
        raise InputError(path, "", f"cannot be read ({exc.strerror or exc})") from None
    if not first.strip():
        raise InputError(path, "", f"is empty; expected a table with the columns "
                         f"{some(list(columns))}")
    header = _fields(first)
    missing = [name for name in columns if name not in header]
    if len(missing) == len(columns):
        raise InputError(path, "", f"expected a header with the columns {some(list(columns))}; "
                         f"found {some(header)}", line=1)
    if missing:
        raise InputError(path, "", f"expected the columns {some(list(columns))}; the header "
                         f"lacks {some(missing)}", line=1)
    if size == len(first) and first.endswith(b"\n"):
        return  # the header alone: a table without rows
    if second.endswith(b"\n") and b'"' not in second and len(_fields(second)) != len(header):
        # (pandas took a first row longer than the header for one with row names)
        raise InputError(path, "", f"expected {len(header)} fields, as in the header; found "
                         f"{len(_fields(second))}; the table is damaged", line=2)
    whole = tail.endswith(b"\n")
    body = tail[:-1] if whole else tail
    if b"\n" not in body:
        last, known = body, False  # a line longer than the tail read: its fields uncounted
    else:
        last, known = body.rsplit(b"\n", 1)[1], True
    # A quoted field may hold a line break: a whole last line with a quote is let be.
    counted = known and not (whole and b'"' in last)
    fields = len(_fields(last)) if counted else len(header)
    if whole and fields >= len(header):
        return
    line = _count_lines(path) + (0 if whole else 1)
    what = (f"the last row has {fields} of {len(header)} fields" if fields < len(header)
            else "the last row ends without a line break")
    raise InputError(path, "", f"truncated: {what}; the file was cut short (a copy or a full "
                     "disk?), so this results folder is damaged", line=line)


def check_values(path: Path, frame: pd.DataFrame, name: str,
                 dates: tuple[str, ...] | list[str] = (), numbers: tuple[str, ...] = ()) -> None:
    """Refuse a table with text where it holds numbers, flags or ``dates`` (one message).

    Names the file, the line (of a table without line breaks inside its fields, as
    gridqueue writes them), the column and the value found. The number columns are those of
    :data:`NUMBER_COLUMNS` and ``numbers``, for a table another command writes.
    """
    for column in (*NUMBER_COLUMNS.get(name, ()), *numbers):
        if column in frame and not pd.api.types.is_numeric_dtype(frame[column]):
            values = frame[column]
            _refuse_values(path, column, values, pd.to_numeric(values, errors="coerce"),
                           "a number")
    for column in FLAG_COLUMNS.get(name, ()):
        if column in frame and not pd.api.types.is_bool_dtype(frame[column]):
            values = frame[column]
            flags = values.map({True: True, False: False, "True": True, "False": False})
            _refuse_values(path, column, values, flags, "True or False", missing=True)
    for column in dates:
        if column in frame and not pd.api.types.is_datetime64_any_dtype(frame[column]):
            values = frame[column]
            _refuse_values(path, column, values, pd.to_datetime(
                values, errors="coerce", format="ISO8601"), "a date (YYYY-MM-DD)")


def _refuse_values(path: Path, column: str, values: pd.Series, read: pd.Series,
                   expected: str, missing: bool = False) -> None:
    """Raise for the first of ``values`` that could not be ``read`` (nothing if none)."""
    bad = read.isna() if missing else read.isna() & values.notna()
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(path, column, f"expected {expected}, got {_shown(values.iloc[row])}; "
                         "the table was changed or is damaged", line=row + 2)


def _fields(line: bytes) -> list[str]:
    text = line.decode("utf-8", errors="replace").rstrip("\r\n")
    return next(csv.reader([text]), [])


def _count_lines(path: Path) -> int:
    count = 0
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            count += chunk.count(b"\n")
    return count


def check_replications(tables: Mapping[str, pd.DataFrame], folder: Path,
                       replications: list[int]) -> None:
    """Refuse tables whose replications are not those run.json lists: cut short, or mixed."""
    expected = set(replications)
    for name, frame in tables.items():
        if "replication" not in frame:
            continue
        path = folder / f"{name}.csv"
        column = frame["replication"]
        if not frame.empty and not pd.api.types.is_integer_dtype(column):
            raise InputError(path, "replication", "expected a replication index (a whole "
                             "number) in every row; the table is damaged")
        present = {int(r) for r in column.unique()}
        extra = sorted(present - expected)
        if extra:
            raise InputError(path, "", f"holds replication {some([str(r) for r in extra])}, "
                             f"which run.json does not list ({_listed(replications)}); it "
                             "is not this run's")
        lacking = sorted(expected - present)
        if lacking and name in EVERY_REPLICATION:
            raise InputError(path, "", f"holds {len(present)} of the {len(expected)} "
                             f"replications run.json lists (none of replication "
                             f"{some([str(r) for r in lacking])}); the table was cut short, "
                             "so this results folder is damaged")
    _check_applicant_counts(tables, folder)


def _check_applicant_counts(tables: Mapping[str, pd.DataFrame], folder: Path) -> None:
    """Refuse applicant rows fewer or more than replication_metrics.csv counted, per replication.

    A table cut short at a line break has whole rows only: only this count tells.
    """
    metrics, applicants = tables.get("replication_metrics"), tables.get("applicants")
    if metrics is None or applicants is None:
        return
    counted = metrics[(metrics["group"] == ALL) & (metrics["metric"] == "applicants")]
    rows = applicants.groupby("replication").size()
    for replication, value in zip(counted["replication"], counted["value"], strict=True):
        found = int(rows.get(replication, 0))
        if found != value:
            raise InputError(folder / "applicants.csv", "", f"holds {found} rows of "
                             f"replication {replication}, but replication_metrics.csv counts "
                             f"{value:g} applicants in it; the table was cut short or changed, "
                             "so this results folder is damaged")


def _listed(replications: list[int]) -> str:
    if replications == list(range(len(replications))):
        return f"{len(replications)} replications, 0 to {len(replications) - 1}"
    return "replications " + some([str(r) for r in replications])
