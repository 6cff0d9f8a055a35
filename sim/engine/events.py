"""The event calendar: SimPy's environment, with plain callbacks scheduled at exact times.

The model needs no SimPy process per applicant: an arrival, a withdrawal or the end of a
connection is one scheduled callback, which keeps a replication of a hundred thousand applicants
fast. Events are ordered by (time, priority, insertion order); the priorities below make the
allocation pass run after every other event of the same instant, a round close after that, and
the timeseries snapshot last.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.events import NORMAL, URGENT

__all__ = ["ALLOCATE", "Calendar", "NORMAL", "ROUND_END", "SNAPSHOT", "URGENT"]

ALLOCATE = NORMAL + 1
"""Allocation runs once all arrivals, withdrawals, releases and upgrades of an instant are in."""

ROUND_END = NORMAL + 2
"""An allocation round closes after every allocation pass of its instant."""

SNAPSHOT = NORMAL + 3
"""Timeseries snapshots see the state after that instant's allocation, a round's last pass
(when it closes) included."""


class Calendar(simpy.Environment):
    """A SimPy environment that also runs plain callbacks at exact times.

    A callback is given the time it runs at, ``callback(now, ...)``: the handlers need it, and
    reading SimPy's ``now`` property instead cost a call per event. SimPy processes, timeouts
    and events work as usual and share the one ordered queue with the callbacks. Streams of
    times known in advance run one instant at a time (:meth:`call_in_turn`); the most frequent
    of them can be merged in without the queue (:meth:`merge_in_turn`).
    """

    def call_at(
        self,
        time: float,
        callback: Callable[[float, Any], None],
        value: Any = None,
        priority: int = NORMAL,
    ) -> None:
        """Run ``callback(time, value)`` at ``time``, after what is already due at that instant.

        SimPy only schedules by delay (``now + delay``), and that float sum can miss a planned
        date by one ulp, which would split events meant to be simultaneous. So the callback is
        put on SimPy's own queue at the exact time, ordered as ``Environment.schedule`` orders
        events.
        """
        if time < self._now:
            raise ValueError(f"cannot schedule at {time}, before now ({self._now})")
        # Speed: a 5-tuple with the callback itself instead of a simpy.Event holding it.
        # Creating an Event object per arrival or release cost more than the model's own work.
        heappush(self._queue,  # type: ignore[misc]  # SimPy types its entries as 4-tuples
                 (time, priority, next(self._eid), callback, value))

    def call_in_turn(
        self,
        times: Sequence[float],
        callback: Callable[[float, int, int], None],
        priority: int = NORMAL,
    ) -> None:
        """Run ``callback(now, first, end)`` once per instant of the sorted ``times``.

        ``times[first:end]`` are the times due at that instant (any before now are due at
        once). Only the next instant is on the calendar at any time: a hundred thousand future
        entries would slow down every booking. It is booked before ``callback`` runs, so that
        :meth:`runs_next` sees it there.
        """
        if len(times):
            self.call_at(max(times[0], self._now), self._run_instant_in_turn,
                         (times, 0, callback, priority), priority)

    def _run_instant_in_turn(
        self,
        now: float,
        stream: tuple[Sequence[float], int, Callable[[float, int, int], None], int],
    ) -> None:
        """Run one instant of a :meth:`call_in_turn` stream and book the stream's next one.

        ``stream`` is ``(times, first, callback, priority)``, ``first`` the instant's first
        time. A method rather than a closure that books itself: such a closure refers to itself,
        and that cycle would keep ``callback``'s owner alive after :meth:`close`.
        """
        times, first, callback, priority = stream
        end = first + 1
        while end < len(times) and times[end] <= now:
            end += 1
        if end < len(times):
            self.call_at(times[end], self._run_instant_in_turn,
                         (times, end, callback, priority), priority)
        callback(now, first, end)

    _merged_next: tuple[float, int, int] = (math.inf, 0, 0)
    """(time, priority, booking order) of the merged stream's next instant (see
    :meth:`merge_in_turn`); infinitely late while there is none."""

    def merge_in_turn(
        self,
        times: Sequence[float],
        callback: Callable[[float, int, int], None],
        priority: int = NORMAL,
    ) -> None:
        """Like :meth:`call_in_turn`, for the one stream with an instant per applicant.

        The instants are never put on the queue: :meth:`run` and :meth:`step` take them
        straight from ``times``, in the order :meth:`call_in_turn` would give them (each
        instant numbered when the one before it runs, as its booking would be). Speed: this
        spares a queue push, a pop and a call per arrival. A calendar merges one stream.
        """
        if hasattr(self, "_merged"):
            raise ValueError("a calendar merges one stream at most")
        self._merged = (times, len(times), callback, priority)
        self._merged_first = 0
        if len(times):
            self._merged_next = (max(times[0], self._now), priority, next(self._eid))

    def runs_next(self, time: float, priority: int) -> bool:
        """Whether an event scheduled now at (``time``, ``priority``) would be the next to run."""
        merged = self._merged_next
        if merged[0] < time or (merged[0] == time and merged[1] <= priority):
            return False
        queue = self._queue
        if not queue:
            return True
        first = queue[0]
        return first[0] > time or (first[0] == time and first[1] > priority)

    def peek(self) -> float:
        """Time of the next event, the merged stream's included (inf if none is left)."""
        return min(self._merged_next[0], super().peek())

    def run(self, until: float | simpy.Event | None = None) -> Any:
        """Process events until the time ``until`` (exclusive, as in SimPy), or none are left.

        Speed: SimPy's own loop calls :meth:`step` for every event and checks for the end on
        each; here plain callbacks are popped and run in the loop itself, and only SimPy's own
        events go through SimPy. The order is the same either way. Until an event, SimPy's
        own loop runs (calling this class's :meth:`step`).
        """
        if isinstance(until, simpy.Event):
            return super().run(until)
        limit = math.inf if until is None else float(until)
        if limit <= self._now:
            raise ValueError(f"until ({limit}) must be after now ({self._now})")
        queue = self._queue
        while True:
            # Entries and the merged instant share the first three fields: (time, priority,
            # booking order), so one tuple comparison tells which is next.
            if queue and (head := queue[0]) < self._merged_next:
                if head[0] >= limit:
                    break
                if len(head) == 5:  # an entry of call_at; SimPy's own entries have 4
                    now, _, _, callback, value = heappop(queue)
                    self._now = now
                    callback(now, value)
                else:
                    super().step()
            elif self._merged_next[0] < limit:
                self._run_merged_instant()
            else:
                break
        if until is not None:
            self._now = limit
        return None

    def step(self) -> None:
        """Process the next event: a plain callback here, anything else as SimPy does."""
        queue = self._queue
        if not (queue and queue[0] < self._merged_next) and self._merged_next[0] < math.inf:
            self._run_merged_instant()
        elif queue and len(queue[0]) == 5:  # an entry of call_at; SimPy's own entries have 4
            self._now, _, _, callback, value = heappop(queue)
            callback(self._now, value)
        else:
            super().step()

    def close(self) -> None:
        """Drop every booking still due, and the merged stream: the calendar is done.

        Bookings hold callbacks, usually bound methods of a model that holds the calendar in
        turn. Dropping them breaks that reference cycle, so the model and its data are freed
        as soon as nothing else refers to them, not by the next garbage collection.
        """
        self._queue.clear()
        if hasattr(self, "_merged"):
            del self._merged
        self._merged_next = (math.inf, 0, 0)

    def _run_merged_instant(self) -> None:
        """Run the merged stream's next instant, numbering the one after it as a booking."""
        times, count, callback, priority = self._merged
        first = self._merged_first
        self._now = now = self._merged_next[0]
        end = first + 1
        while end < count and times[end] <= now:
            end += 1
        self._merged_first = end
        self._merged_next = ((times[end], priority, next(self._eid)) if end < count
                             else (math.inf, 0, 0))
        callback(now, first, end)
