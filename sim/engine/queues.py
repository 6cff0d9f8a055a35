"""Waiting queues of one grid area, ordered by policy rank (0 is served first).

A queue answers one question for the allocation pass: which waiting applicant, if any, is the
next to connect given the free capacity? The two allocation rules need different structures:

- :class:`HeadOfLineQueue` (``strict``): only the head matters; a binary heap of ranks.
- :class:`FirstFitQueue` (``first_fit``): the first applicant in policy order whose request fits.
  A min-segment tree over ranks finds it in O(log n) and skips the search at once when even
  the smallest waiting request does not fit, so a long queue behind a small capacity step
  costs no full rescan.
"""

from __future__ import annotations

import heapq
import math
from typing import Protocol

__all__ = [
    "FirstFitQueue", "HeadOfLineQueue", "HeldForRound", "RoundsQueue", "WaitingQueue", "make_queue",
]


class WaitingQueue(Protocol):
    """What the allocation pass needs of a queue."""

    def add(self, rank: int, requested_mw: float) -> None:
        """Put an applicant, known by its policy rank, in the queue."""

    def remove(self, rank: int) -> None:
        """Take an applicant out (connected or withdrawn)."""

    def candidate(self, free_mw: float) -> int | None:
        """The rank of the next applicant to connect with ``free_mw`` available, or None."""

    def takes_newcomer(self, rank: int, free_mw: float) -> bool:
        """Whether a newcomer of ``rank`` whose request fits ``free_mw`` would connect first.

        Asked of a queue the last allocation pass left with nobody who fits: a true answer
        means that the next pass would connect the newcomer before anyone else.
        """


class HeadOfLineQueue:
    """Strict order: the head connects if it fits; nobody behind it may pass."""

    def __init__(self, size: int) -> None:
        self._heap: list[int] = []
        self._requested = [0.0] * size
        self._removed: set[int] = set()  # lazy deletion: withdrawn ranks still in the heap

    def add(self, rank: int, requested_mw: float) -> None:
        self._requested[rank] = requested_mw
        heapq.heappush(self._heap, rank)

    def remove(self, rank: int) -> None:
        if self._heap and self._heap[0] == rank:
            heapq.heappop(self._heap)
        else:
            self._removed.add(rank)

    def candidate(self, free_mw: float) -> int | None:
        heap, removed = self._heap, self._removed
        while heap and heap[0] in removed:
            removed.discard(heapq.heappop(heap))
        if heap and self._requested[heap[0]] <= free_mw:
            return heap[0]
        return None

    def takes_newcomer(self, rank: int, free_mw: float) -> bool:
        head = self.head()
        return head is None or rank < head  # ahead of the line, and it fits

    def head(self) -> int | None:
        """The rank at the head of the line, whether it fits or not (None if empty)."""
        heap, removed = self._heap, self._removed
        while heap and heap[0] in removed:
            removed.discard(heapq.heappop(heap))
        return heap[0] if heap else None

    def requested_mw(self, rank: int) -> float:
        """The request of the applicant of ``rank``."""
        return self._requested[rank]


class FirstFitQueue:
    """First fit in policy order, over a segment tree of the smallest request below each node."""

    def __init__(self, size: int) -> None:
        self._leaves = 1 << max(0, size - 1).bit_length()
        self._tree = [math.inf] * (2 * self._leaves)

    def add(self, rank: int, requested_mw: float) -> None:
        self._set(rank, requested_mw)

    def remove(self, rank: int) -> None:
        self._set(rank, math.inf)

    def candidate(self, free_mw: float) -> int | None:
        tree = self._tree
        if tree[1] > free_mw:  # not even the smallest waiting request fits
            return None
        node, leaves = 1, self._leaves
        while node < leaves:
            node <<= 1
            if tree[node] > free_mw:  # nothing in the left half fits: go right
                node += 1
        return node - leaves

    def takes_newcomer(self, rank: int, free_mw: float) -> bool:
        return self._tree[1] > free_mw  # nobody else fits: it is the first who does

    def _set(self, rank: int, value: float) -> None:
        tree = self._tree
        node = rank + self._leaves
        tree[node] = value
        node >>= 1
        while node:
            left, right = tree[2 * node], tree[2 * node + 1]
            smallest = left if left <= right else right  # min() costs a call per level
            if tree[node] == smallest:  # ancestors cannot change either
                break
            tree[node] = smallest
            node >>= 1


class HeldForRound:
    """How many applicants wait, in the queues that share this count, for a round only."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


class RoundsQueue:
    """Allocation in rounds: between rounds only some are served; in a round, everyone.

    ``served_between[rank]`` says whether the applicant of that rank is served between rounds
    (priority in a category of the schedule's ``between_rounds``). The model sets ``open``
    for the instant of a round. In a round the two lines are one, in policy order: under
    ``strict`` its head connects if it fits; under ``first_fit`` the first who fits.
    ``held`` counts those in the line served only in rounds (shared by the areas' queues), so
    that the model can tell, without asking a queue, that nobody may be served between rounds.
    """

    def __init__(self, allocation: str, size: int, served_between: list[bool],
                 held: HeldForRound | None = None) -> None:
        self.open = False
        self._strict = allocation == "strict"
        self._between = make_queue(allocation, size)
        self._rounds = make_queue(allocation, size)
        self._served_between = served_between
        self.held = HeldForRound() if held is None else held

    def add(self, rank: int, requested_mw: float) -> None:
        if self._served_between[rank]:
            self._between.add(rank, requested_mw)
        else:
            self._rounds.add(rank, requested_mw)
            self.held.count += 1

    def remove(self, rank: int) -> None:
        if self._served_between[rank]:
            self._between.remove(rank)
        else:
            self._rounds.remove(rank)
            self.held.count -= 1

    def candidate(self, free_mw: float) -> int | None:
        if not self.open:
            return self._between.candidate(free_mw)
        if self._strict:
            between, rounds = self._between, self._rounds
            assert isinstance(between, HeadOfLineQueue) and isinstance(rounds, HeadOfLineQueue)
            heads = [(rank, line) for line in (between, rounds)
                     if (rank := line.head()) is not None]
            if not heads:
                return None
            rank, line = min(heads, key=lambda head: head[0])
            return rank if line.requested_mw(rank) <= free_mw else None
        fits = [rank for line in (self._between, self._rounds)
                if (rank := line.candidate(free_mw)) is not None]
        return min(fits) if fits else None

    def takes_newcomer(self, rank: int, free_mw: float) -> bool:
        """Between rounds, one served then, as its line would take it; in a round, never.

        A round serves both lines as one: the allocation pass decides.
        """
        return (not self.open and self._served_between[rank]
                and self._between.takes_newcomer(rank, free_mw))


def make_queue(allocation: str, size: int) -> WaitingQueue:
    """The queue structure for an allocation rule (``strict`` or ``first_fit``)."""
    return HeadOfLineQueue(size) if allocation == "strict" else FirstFitQueue(size)
