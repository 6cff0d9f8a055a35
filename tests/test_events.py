"""The event calendar: exact times, a defined order within an instant, SimPy still usable."""

from __future__ import annotations

import gc
import weakref

import pytest
import simpy
from hypothesis import given
from hypothesis import strategies as st
from simpy.events import URGENT

from sim import run
from sim.engine.events import ALLOCATE, NORMAL, SNAPSHOT, Calendar
from tests.builders import project, scenario


def test_callbacks_run_at_exact_times_in_priority_then_insertion_order():
    """Same instant: normal events in the order booked, then allocation, then the snapshot."""
    calendar = Calendar()
    seen: list[tuple[float, str]] = []

    def note(now: float, label: str) -> None:
        assert now == calendar.now
        seen.append((now, label))

    calendar.call_at(0.1 + 0.2, note, "snapshot", priority=SNAPSHOT)
    calendar.call_at(0.1 + 0.2, note, "allocate", priority=ALLOCATE)
    calendar.call_at(0.1 + 0.2, note, "first")
    calendar.call_at(0.1 + 0.2, note, "second", priority=NORMAL)
    calendar.call_at(0.05, note, "earlier")
    calendar.run(until=1.0)
    assert seen == [(0.05, "earlier"), (0.1 + 0.2, "first"), (0.1 + 0.2, "second"),
                    (0.1 + 0.2, "allocate"), (0.1 + 0.2, "snapshot")]


def test_runs_next_tells_whether_anything_else_is_due_first():
    """An event at (time, priority) runs next only if every booked one comes strictly later."""
    calendar = Calendar()
    assert calendar.runs_next(0.0, ALLOCATE)
    calendar.call_at(1.0, print, priority=NORMAL)
    assert calendar.runs_next(0.5, NORMAL)
    assert calendar.runs_next(1.0, URGENT)
    assert not calendar.runs_next(1.0, NORMAL)  # booked earlier at the same place: it goes first
    assert not calendar.runs_next(1.0, ALLOCATE)


def test_simpy_processes_share_the_calendar_with_callbacks():
    """A SimPy process and plain callbacks interleave by time on the one calendar."""
    calendar = Calendar()
    seen: list[tuple[float, str]] = []

    def ticker():  # type: ignore[no-untyped-def]
        for _ in range(3):
            yield calendar.timeout(1.0)
            seen.append((calendar.now, "tick"))

    calendar.process(ticker())
    calendar.call_at(1.5, lambda now, label: seen.append((now, label)), "call")
    calendar.run(until=10.0)
    assert seen == [(1.0, "tick"), (1.5, "call"), (2.0, "tick"), (3.0, "tick")]


def test_booking_in_the_past_is_refused():
    """A callback cannot be booked before the current time."""
    calendar = Calendar()
    calendar.call_at(2.0, lambda now, _: None)
    calendar.run(until=3.0)
    with pytest.raises(ValueError, match="before now"):
        calendar.call_at(1.0, lambda now, _: None)


def test_no_patience_means_withdrawing_on_arrival_even_with_capacity_free():
    """Applicants with zero patience leave at their request, before the allocation pass.

    A stream whose every patience is 0 is refused (everyone would withdraw); one that draws
    0 for some applicants keeps the rule for those.
    """
    results = run(scenario(
        grid={"capacity_mw": 100.0},
        streams={"hasty": {"category": "other", "rate_per_year": 20, "demand_mw": 0.1,
                           "patience_years": {"dist": "empirical", "values": [0, 50]}}},
    ), workers=1)
    frame = results.applicants
    assert set(frame["outcome"]) == {"withdrawn", "connected"}  # about half each
    assert (frame["wait_years"] == 0).all()  # the rest connected at once: capacity was free


def test_patience_ending_as_capacity_arrives_withdraws_first():
    """Patience that ends at the very instant an upgrade lands means withdrawn, not connected."""
    results = run(scenario(
        start="2024-01-01", end="2030-01-01",
        grid={"capacity_mw": 0.0,
              "upgrades": [{"name": "station", "date": "2028-01-01", "add_mw": 5.0}]},
        projects=[project("patient", "2024-01-01", 1.0, patience_years=4.0),  # 1461 days
                  project("later", "2025-01-01", 1.0)],
    ), workers=1)
    frame = results.applicants.set_index("name")
    assert frame.loc["patient", "outcome"] == "withdrawn"
    assert frame.loc["patient", "withdraw_date"] == frame.loc["later", "connect_date"]
    assert frame.loc["later", "outcome"] == "connected"


def test_running_until_an_event_or_a_time_works_as_in_simpy():
    """``run`` stops at a SimPy event as SimPy does, and refuses an end that is not ahead."""
    calendar = Calendar()
    seen: list[float] = []
    for time in (1.0, 2.0, 3.0):
        calendar.call_at(time, lambda now, _: seen.append(now))
    calendar.run(until=calendar.timeout(2.5))
    assert seen == [1.0, 2.0] and calendar.now == 2.5
    calendar.run(until=10.0)
    assert seen == [1.0, 2.0, 3.0] and calendar.now == 10.0
    with pytest.raises(ValueError, match="after now"):
        calendar.run(until=10.0)


def _stream_order(merge: bool, streams: list[list[float]], bookings: list[float],
                  until: float | simpy.Event) -> list[tuple[float, str]]:
    """What runs when: streams (the first merged or not) and single bookings, one calendar."""
    calendar = Calendar()
    seen: list[tuple[float, str]] = []

    def note(now: float, label: str) -> None:
        assert now == calendar.now
        seen.append((now, label))

    def instants(name: str):  # type: ignore[no-untyped-def]
        return lambda now, first, end: note(now, f"{name}{first}-{end}")

    for k, times in enumerate(streams):
        book = calendar.merge_in_turn if merge and k == 0 else calendar.call_in_turn
        book(times, instants(f"s{k}:"))

    def rebook(now: float, label: str) -> None:  # a callback that books another at this instant
        note(now, label)
        calendar.call_at(now, note, f"{label}+")

    for j, time in enumerate(bookings):
        calendar.call_at(time, rebook, f"b{j}")
    calendar.run(until=until)
    return seen


times_on_a_grid = st.lists(st.integers(0, 6).map(lambda k: k / 2), max_size=8).map(sorted)


@given(st.lists(times_on_a_grid, min_size=1, max_size=3), st.lists(st.integers(0, 6).map(
    lambda k: k / 2), max_size=6))
def test_a_merged_stream_runs_in_the_order_its_bookings_would_have(
        streams: list[list[float]], bookings: list[float]) -> None:
    """merge_in_turn and call_in_turn give the same order, ties with other bookings included."""
    assert _stream_order(True, streams, bookings, 2.6) == _stream_order(
        False, streams, bookings, 2.6)


def test_a_merged_stream_is_seen_by_runs_next_step_and_peek():
    """The merged stream's next instant counts as booked: for runs_next, step and peek."""
    calendar = Calendar()
    seen: list[tuple[float, int, int]] = []
    calendar.merge_in_turn([1.0, 1.0, 2.0], lambda now, first, end: seen.append(
        (now, first, end)))
    assert calendar.peek() == 1.0
    assert not calendar.runs_next(1.0, ALLOCATE) and calendar.runs_next(0.5, ALLOCATE)
    assert calendar.runs_next(1.0, URGENT)
    calendar.step()
    assert seen == [(1.0, 0, 2)] and calendar.peek() == 2.0
    calendar.run(until=calendar.timeout(4.0))  # SimPy's own loop, through step()
    assert seen == [(1.0, 0, 2), (2.0, 2, 3)] and calendar.now == 5.0
    with pytest.raises(ValueError, match="one stream"):
        calendar.merge_in_turn([3.0], lambda now, first, end: None)


def test_a_closed_calendar_leaves_no_reference_cycle():
    """close() drops the bookings, so a model holding its calendar is freed without the GC."""

    class Model:
        def __init__(self) -> None:
            self.calendar = Calendar()
            self.calendar.call_in_turn([1.0, 2.0, 3.0], self.on_instant)
            self.calendar.merge_in_turn([0.5, 4.0], self.on_instant)
            self.calendar.call_at(5.0, self.on_booking)

        def on_instant(self, now: float, first: int, end: int) -> None:
            pass

        def on_booking(self, now: float, value: object) -> None:
            pass

    gc.collect()
    gc.disable()
    try:
        model = Model()
        model.calendar.run(until=2.5)
        model.calendar.close()
        gone = weakref.ref(model)
        del model
        assert gone() is None
    finally:
        gc.enable()


STREAM = {"category": "other", "rate_per_year": 50, "demand_mw": 0.5, "patience_years": 1.0,
          "lifetime_years": 0.5}
"""Applicants who wait, connect and leave again within the run."""


@pytest.mark.parametrize("mechanisms", [
    {},
    {"streams": {"s": {**STREAM, "non_firm": {"right": "firm_85", "accept_share": 0.5}},
                 "shops": {"category": "other", "rate_per_year": 10, "demand_mw": 0.2,
                           "partial_offer": {"min_share": 0.5}}},
     "non_firm": {"rights": {"firm_85": {"hours_share": 0.85}},
                  "pools": {"main": {"capacity_mw": 1.0}}},
     "capacity_releases": [{"name": "use-it-or-lose-it", "start": "2025-01-01",
                            "every_months": 3, "user_share": 1.0, "mw_share": 0.5,
                            "after_years": 0.1}]},
], ids=["whole connections", "partial, non-firm and taken back"])
def test_a_simulation_run_leaves_no_garbage_cycle(mechanisms):
    """The engine's per-applicant lists go when a run ends, not at the next garbage collection.

    Runs with partial offers, capacity releases or non-firm rights swap in handlers of their
    own (bound methods the simulation keeps): those must go at the end too.
    """
    world = scenario(**{
        "streams": {"s": STREAM},
        "grid": {"capacity_mw": 3.0,
                 "upgrades": [{"name": "u", "date": "2025-06-01", "add_mw": 2.0}]},
        **mechanisms,
    })
    assert len(run(world, workers=1).applicants) > 0  # also warms up what runs once
    gc.collect()
    gc.disable()
    try:
        run(world, workers=1)
        assert gc.collect() == 0
    finally:
        gc.enable()
