"""The queue structures against a brute-force reference."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine.queues import FirstFitQueue, HeadOfLineQueue, HeldForRound, RoundsQueue

operations = st.lists(
    st.tuples(st.sampled_from(["add", "remove", "ask", "newcomer"]), st.integers(0, 63),
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
            expected = first_who_fits(waiting, mw, first_fit)
            assert queue.candidate(mw) == expected
        elif op == "newcomer" and rank not in waiting:
            check_newcomer(queue, waiting, rank, mw, first_fit)


def first_who_fits(waiting: dict[int, float], free_mw: float, first_fit: bool) -> int | None:
    """The rank the allocation rule picks among ``waiting`` (rank: MW), by a plain scan."""
    ordered = sorted(waiting)
    if first_fit:
        return next((r for r in ordered if waiting[r] <= free_mw), None)
    return ordered[0] if ordered and waiting[ordered[0]] <= free_mw else None


def check_newcomer(queue, waiting: dict[int, float], rank: int, free_mw: float,
                   first_fit: bool) -> None:
    """``takes_newcomer`` says yes exactly when a newcomer that fits would be picked first.

    The promise holds for a queue in which nobody fits (as the allocation pass leaves it);
    otherwise a yes must still be right.
    """
    picked = first_who_fits({**waiting, rank: free_mw}, free_mw, first_fit) == rank
    answer = queue.takes_newcomer(rank, free_mw)
    if first_who_fits(waiting, free_mw, first_fit) is None:
        assert answer == picked
    else:
        assert picked or not answer


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


def test_rounds_queue_takes_a_newcomer_only_between_rounds_and_if_served_then():
    """Between rounds only those served then are taken at once; in a round, the pass decides."""
    queue = RoundsQueue("strict", 4, served_between=[True, False, True, False])
    queue.add(2, 5.0)  # served between rounds, waiting for more than is free
    assert queue.takes_newcomer(0, 1.0)  # ahead of it in line, and served between rounds
    assert not queue.takes_newcomer(1, 1.0)  # waits for a round
    assert not queue.takes_newcomer(3, 1.0)
    queue.open = True
    assert not queue.takes_newcomer(0, 1.0)


def test_rounds_queues_count_those_who_wait_for_a_round_together():
    """The areas' queues share one count of those served only in rounds, kept by add and remove.

    The model asks for no allocation pass between rounds while everyone waiting is counted.
    """
    held = HeldForRound()
    served_between = [True, False, True, False]
    north = RoundsQueue("first_fit", 4, served_between, held)
    south = RoundsQueue("strict", 4, served_between, held)
    north.add(1, 1.0)
    south.add(3, 1.0)
    south.add(2, 1.0)  # served between rounds: not counted
    assert held.count == 2
    north.remove(1)
    south.remove(2)
    assert held.count == 1
    assert south.candidate(10.0) is None  # between rounds, nobody it may serve
    south.open = True
    assert south.candidate(10.0) == 3
