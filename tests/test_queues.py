"""The queue structures against a brute-force reference."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine.queues import FirstFitQueue, HeadOfLineQueue

operations = st.lists(
    st.tuples(st.sampled_from(["add", "remove", "ask"]), st.integers(0, 63),
              st.integers(0, 30).map(lambda x: x / 10)),
    max_size=200,
)


def replay(queue, ops, first_fit: bool) -> None:
    waiting: dict[int, float] = {}
    for op, rank, mw in ops:
        if op == "add" and rank not in waiting:
            queue.add(rank, mw)
            waiting[rank] = mw
        elif op == "remove" and rank in waiting:
            queue.remove(rank)
            del waiting[rank]
        elif op == "ask":
            ordered = sorted(waiting)
            if first_fit:
                expected = next((r for r in ordered if waiting[r] <= mw), None)
            else:
                expected = ordered[0] if ordered and waiting[ordered[0]] <= mw else None
            assert queue.candidate(mw) == expected


@settings(max_examples=200, deadline=None)
@given(operations)
def test_first_fit_queue_finds_the_first_request_that_fits(ops):
    """FirstFitQueue answers as a scan in rank order for the first request that fits."""
    replay(FirstFitQueue(64), ops, first_fit=True)


@settings(max_examples=200, deadline=None)
@given(operations)
def test_head_of_line_queue_offers_only_its_head(ops):
    """HeadOfLineQueue offers its lowest rank, and only if that request fits."""
    replay(HeadOfLineQueue(64), ops, first_fit=False)


def test_first_fit_queue_of_one():
    """A queue sized for a single applicant still works (a one-leaf tree)."""
    queue = FirstFitQueue(1)
    assert queue.candidate(10.0) is None
    queue.add(0, 2.0)
    assert queue.candidate(1.0) is None
    assert queue.candidate(2.0) == 0
