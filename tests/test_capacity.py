"""The capacity ledger: what an area may still connect, with and without an upstream limit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sim.engine.capacity import UPSTREAM, CapacityLedger

AREAS = 3
operations = st.lists(st.tuples(
    st.sampled_from(["connect", "release", "add"]),
    st.integers(UPSTREAM, AREAS - 1),
    st.floats(0.0, 5.0),
), max_size=30)


@given(operations, st.one_of(st.none(), st.floats(0.0, 20.0)))
def test_free_capacity_is_the_smaller_of_the_area_and_upstream(
        ops: list[tuple[str, int, float]], upstream: float | None) -> None:
    """After every change, ``free_mw`` is the area's own free MW or upstream's, the smaller."""
    ledger = CapacityLedger([4.0, 0.0, 10.0], upstream)
    for kind, area, mw in ops:
        if kind == "add":
            ledger.add(area, mw)
        elif area != UPSTREAM:
            getattr(ledger, kind)(area, mw)
        shared = ledger.area_free_mw(UPSTREAM) if upstream is not None else float("inf")
        for a in range(AREAS):
            assert ledger.free_mw[a] == min(ledger.area_free_mw(a), shared)
