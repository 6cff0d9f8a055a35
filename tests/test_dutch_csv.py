"""A waiting list saved by Excel with Dutch settings reads the same as the international form."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from sim import InputError
from sim.inputs.waiting_list_csv import read_waiting_list

START = dt.date(2024, 1, 1)
STREAMS = ["firms"]
AREAS = ["main"]

INTERNATIONAL = (
    "request_date,category,demand_mw,jobs,priority_requested,self_supply,name\n"
    "2022-11-17,basic_needs,0.45,12,true,0.1,School\n"
    "2023-05-03,other,1.5,0,false,,Depot\n"
)
DUTCH = (
    "request_date;category;demand_mw;jobs;priority_requested;self_supply;name\r\n"
    "17-11-2022;basic_needs;0,45;12;WAAR;0,1;School\r\n"
    "3-5-2023;other;1,5;0;ONWAAR;;Depot\r\n"
)


def read(tmp_path: Path, data: bytes):  # type: ignore[no-untyped-def]
    path = tmp_path / "waiting.csv"
    path.write_bytes(data)
    return read_waiting_list(path, START, STREAMS, AREAS)


def test_dutch_excel_csv_reads_like_the_international_form(tmp_path):
    """Semicolons, decimal commas, day-first dates, WAAR/ONWAAR and a BOM read correctly."""
    expected = read(tmp_path, INTERNATIONAL.encode("utf-8"))
    dutch = read(tmp_path, b"\xef\xbb\xbf" + DUTCH.encode("utf-8"))
    assert dutch.request_date == expected.request_date == [dt.date(2022, 11, 17),
                                                           dt.date(2023, 5, 3)]
    np.testing.assert_array_equal(dutch.demand_mw, [0.45, 1.5])
    np.testing.assert_array_equal(dutch.demand_mw, expected.demand_mw)
    np.testing.assert_array_equal(dutch.self_supply, expected.self_supply)
    np.testing.assert_array_equal(dutch.jobs, expected.jobs)
    assert dutch.priority_requested == expected.priority_requested == [True, False]
    assert dutch.name == ["School", "Depot"]


def test_blank_lines_and_rows_of_separators_alone_are_no_applicants(tmp_path):
    """Excel writes ``;;;;;;`` for a row once formatted and left empty; both are skipped."""
    header, school, depot = DUTCH.splitlines()
    rows = read(tmp_path, "\r\n".join([header, school, "", ";;;;;;", depot, ";;;;;;", ""])
                .encode("utf-8"))
    assert rows.name == ["School", "Depot"]
    assert rows.request_date == [dt.date(2022, 11, 17), dt.date(2023, 5, 3)]


def test_thousands_separators_are_refused_with_how_to_save(tmp_path):
    """1.234,5 is ambiguous: the message says which number forms are read."""
    text = "request_date;category;demand_mw\n17-11-2022;other;1.234,5\n"
    with pytest.raises(InputError, match=r"waiting.csv:2: demand_mw: expected a number, such "
                       r"as 0.5 \(or 0,5 in a file separated by semicolons\), without thousands "
                       r"separators, got '1.234,5'"):
        read(tmp_path, text.encode("utf-8"))


def test_decimal_commas_in_a_comma_separated_file_say_how_to_save(tmp_path):
    """A comma-separated file whose numbers have decimal commas names the cause and the fix."""
    text = "request_date,category,demand_mw\n2022-11-17,other,0,45\n"
    with pytest.raises(InputError, match=r"waiting.csv:2: expected 3 columns like the header, "
                       r"got 4; a decimal comma in a comma-separated file\? Save it with "
                       "semicolons"):
        read(tmp_path, text.encode("utf-8"))


def test_a_day_first_date_that_does_not_exist_is_refused(tmp_path):
    """31-02-2023 is no date: the message names the line and quotes the date as written.

    It quoted '2023-02-31', a form the user never wrote, and asked for a form the date had.
    """
    text = "request_date;category;demand_mw\n31-02-2023;other;0,5\n"
    with pytest.raises(InputError, match=r"waiting.csv:2: request_date: expected a day that "
                       r"exists in its month, got '31-02-2023'$"):
        read(tmp_path, text.encode("utf-8"))
    text = "request_date;category;demand_mw\n31-2023;other;0,5\n"  # no date at all
    with pytest.raises(InputError, match=r"expected an ISO date such as 2023-05-31 \(or "
                       r"31-05-2023 in a file separated by semicolons\), got '31-2023'$"):
        read(tmp_path, text.encode("utf-8"))


def test_with_several_areas_a_row_without_one_takes_its_streams_or_is_refused(tmp_path):
    """Not silently the first area: a row naming a stream takes the stream's area."""
    path = tmp_path / "waiting.csv"
    path.write_text("request_date,category,demand_mw,stream,area\n"
                    "2023-01-10,other,0.3,shops,\n"
                    "2023-01-11,other,0.3,,north\n", encoding="utf-8")
    rows = read_waiting_list(path, START, ["shops"], ["north", "south"],
                             stream_areas={"shops": "south"})
    assert rows.area == ["south", "north"]
    path.write_text("request_date,category,demand_mw,stream,area\n"
                    "2023-01-11,other,0.3,,\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"waiting.csv:2: area: expected an area of the "
                       r"scenario \(north, south\): it has several, and this row names none"):
        read_waiting_list(path, START, ["shops"], ["north", "south"],
                          stream_areas={"shops": "south"})


def test_a_column_gridqueue_does_not_read_is_refused_saying_to_delete_it(tmp_path):
    """An export's extra column is refused, and the message says what to do with it."""
    with pytest.raises(InputError, match=r"waiting.csv:1: unknown column 'Postcode'; expected "
                       r"columns from request_date, .*, efficiency \(delete any other column: "
                       r"it would not be read\)$"):
        read(tmp_path, b"request_date;category;demand_mw;Postcode\r\n"
                       b"17-11-2022;other;0,5;1315 AB\r\n")
