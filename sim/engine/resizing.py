"""Connections that change size: partial offers and capacity taken back by mechanisms.

A mixin of the model's simulation (:mod:`sim.engine.model`): the state and methods a run needs
only when some applicant takes partial offers or a mechanism takes MW back. Such a run swaps
in the methods here for the allocation pass, the arrival shortcut, withdrawals and releases
(:meth:`ResizableConnections._set_up_partial`); every other run keeps the model's own, which
know connections only whole.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.engine.capacity import FIT_TOLERANCE_MW
from sim.engine.states import CONNECTED
from sim.inputs.applicants import ApplicantTable

if TYPE_CHECKING:
    from sim.engine.capacity import CapacityLedger, Reclaim
    from sim.engine.events import Calendar
    from sim.engine.queues import WaitingQueue

__all__ = ["SMALLEST_PART_MW", "ResizableConnections", "smallest_parts_mw"]

SMALLEST_PART_MW = 1e-6
"""No partial connection is smaller than this (1 W), whatever the minimum share: a part within
the fit tolerance of nothing would connect 0 MW, again and again, in a pass that never ends."""

REVIEW_MARGIN_YEARS = 1e-9
"""A connection whose lifetime is this much shorter than any review of a mechanism looks back
(:attr:`Reclaim.shortest_lookback`) ends before a review could find it connected that long,
whatever the rounding of the times."""


class ResizableConnections:
    """Partial connections and MW taken back, for the model's simulation to inherit.

    It relies on the simulation's state (ledger, queues, per-applicant lists) and methods
    (``_leave_queue``, ``_allocate_soon``, ``_accrue_idle``, ``_withdraw``,
    ``_start_connection``), which :mod:`sim.engine.model` defines.
    """

    if TYPE_CHECKING:  # what the simulation defines and the methods below use, for mypy
        table: ApplicantTable
        env: Calendar
        horizon: float
        ledger: CapacityLedger
        queues: list[WaitingQueue]
        reclaims: list[Reclaim]
        partial: bool
        resizable: bool
        one_area: bool
        offers_rights: bool
        nf_changed: bool
        nf_right: list[int]
        requested: list[float]
        lifetime: list[float]
        area_of: list[int]
        category_of: list[int]
        rank_of: list[int]
        index_at: list[int]
        state: list[int]
        connect_time: list[float]
        release_time: list[float]
        queue_mw: list[list[float]]
        waiting_in_area: list[int]
        waiting_total: int
        smallest_request: float
        allocation_due: bool
        grants: list[tuple[float, int, float]]
        reclaimed: list[tuple[float, int, float]]

        def _leave_queue(self, i: int) -> None: ...
        def _accrue_idle(self, now: float) -> None: ...
        def _allocate_soon(self, now: float) -> None: ...
        def _allocate(self, now: float, _: None = None) -> None: ...
        def _withdraw(self, i: int, now: float) -> bool: ...
        def _start_connection(self, i: int, now: float) -> None: ...
        def _on_release(self, now: float, i: int) -> None: ...
        def _served_firm(self, i: int, now: float) -> None: ...
        def _serve_pools(self, now: float) -> bool: ...

    # --- partial connections ---------------------------------------------------------------

    def _set_up_partial(self, table: ApplicantTable) -> None:
        """Connections that can change size: the lists they need, and the methods.

        Partial offers connect part of a request; capacity-release mechanisms take part of a
        connection back. Only a run that uses one of them pays for this: the other runs keep
        the methods and lists of whole connections.
        """
        n = len(table)
        self.waiting_mw = list(self.requested)
        self.min_share_mw: list[float] = smallest_parts_mw(table).tolist()
        self.fit_mw = list(self.min_share_mw)  # below the request only for those who take parts
        self.held_mw = [0.0] * n
        self.full_connect_time = [math.nan] * n
        # The ignores: this run's methods are swapped on purpose (see the module's docstring).
        self._allocate = self._allocate_partly  # type: ignore[method-assign]
        self._withdraw = self._withdraw_unless_connected  # type: ignore[method-assign]
        self._start_connection = self._start_whole  # type: ignore[method-assign]
        self._on_release = self._release_held  # type: ignore[method-assign]
        self.granted: list[int] = []
        """Who was granted MW that a review may find, in the order of the grants."""
        self.reviewable_lifetime = min((r.shortest_lookback for r in self.reclaims),
                                       default=math.inf) - REVIEW_MARGIN_YEARS
        """A first connection, whole, of a shorter lifetime ends before any review is due."""
        self.reviewed = [[False] * n for _ in self.reclaims]
        self.review_cursor = [0] * len(self.reclaims)  # into granted, per mechanism
        self.review_later: list[list[int]] = [[] for _ in self.reclaims]

    def _allocate_partly(self, now: float, _: None = None) -> None:
        """The allocation pass when some take partial offers: the best candidate of any area.

        A candidate is the applicant whose least acceptable connection fits (its whole rest,
        or its minimum share); it takes what it can (:meth:`_serve_partly`), and the areas are
        asked again. Areas that share no upstream limit get the same connections this way as
        one at a time. Then the non-firm pools are served, if they or their lines changed,
        and the firm queue again if someone left it for a right (:meth:`_serve_pools`).
        """
        self.allocation_due = False
        queue, free_mw, index_at = self.queues[0], self.ledger.free_mw, self.index_at
        waiting = self.waiting_in_area
        while True:
            if self.one_area:  # speed: the usual case, one candidate at a time, no search
                while waiting[0] and free_mw[0] + FIT_TOLERANCE_MW >= self.smallest_request:
                    rank = queue.candidate(free_mw[0] + FIT_TOLERANCE_MW)
                    if rank is None:
                        break
                    self._serve_partly(index_at[rank], now)
            else:
                self._serve_best_of_areas(now)
            if not self.nf_changed or not self._serve_pools(now):
                return

    def _serve_best_of_areas(self, now: float) -> None:
        """Serve the best-ranked candidate of any area, and ask the areas again, while any."""
        queues, free_mw, index_at = self.queues, self.ledger.free_mw, self.index_at
        waiting = self.waiting_in_area
        while self.waiting_total:
            best_rank = -1
            for area, queue in enumerate(queues):
                if not waiting[area] or free_mw[area] + FIT_TOLERANCE_MW < self.smallest_request:
                    continue
                rank = queue.candidate(free_mw[area] + FIT_TOLERANCE_MW)
                if rank is not None and (best_rank < 0 or rank < best_rank):
                    best_rank = rank
            if best_rank < 0:
                return
            self._serve_partly(index_at[best_rank], now)

    def _serve_partly(self, i: int, now: float) -> None:
        """Applicant ``i`` connects its whole rest if it fits, else takes what is free.

        After a partial connection it keeps its place in line and waits for the rest; it can
        then connect with its rest, or with its minimum share if the rest is larger. One who
        accepts a non-firm right then updates it (:meth:`_served_firm`).
        """
        area = self.area_of[i]
        rest = self.waiting_mw[i]
        free = self.ledger.free_mw[area]
        if rest <= free + FIT_TOLERANCE_MW:
            grant = rest
            self._leave_queue(i)
            self.state[i] = CONNECTED
            self.full_connect_time[i] = now
            end = now + self.lifetime[i]
            if end < self.horizon:
                self.env.call_at(end, self._on_release, i)
        else:
            grant = free
            rank, category = self.rank_of[i], self.category_of[i]
            self.queues[area].remove(rank)
            self.waiting_mw[i] = rest = rest - grant
            self.queue_mw[area][category] -= grant
            fit = rest if rest < self.min_share_mw[i] else self.min_share_mw[i]
            self.fit_mw[i] = fit
            self.queues[area].add(rank, fit)
            if fit < self.smallest_request:
                self.smallest_request = fit
        first = self.connect_time[i]
        if first != first:  # NaN: its first connection (math.isnan costs a call)
            self.connect_time[i] = now
        self.held_mw[i] += grant
        self.ledger.connect(area, grant)
        if grant != self.requested[i]:  # part of a request (see Trajectory.grants)
            self.grants.append((now, i, grant))
            self.granted.append(i)  # it holds MW until its full connection, and after
        elif first == first or self.lifetime[i] >= self.reviewable_lifetime:
            self.granted.append(i)  # connected before (by a right): reviews count from then
        if self.offers_rights and self.nf_right[i] >= 0:
            self._served_firm(i, now)

    def _start_whole(self, i: int, now: float) -> None:
        """A lone arrival whose whole request fits connects at once, as without partial offers.

        The arrival shortcut (see :meth:`_on_arrivals`) asks only whether the whole request
        fits; what it connects is recorded as :meth:`_serve_partly` records it. Speed: the
        whole connection is written out here rather than calling the model's, as it runs for
        most arrivals.
        """
        mw = self.requested[i]
        self.state[i] = CONNECTED
        self.connect_time[i] = self.full_connect_time[i] = now
        self.ledger.connect(self.area_of[i], mw)
        self.held_mw[i] = mw
        if self.lifetime[i] >= self.reviewable_lifetime:
            self.granted.append(i)
        end = now + self.lifetime[i]
        if end < self.horizon:
            self.env.call_at(end, self._on_release, i)

    def _withdraw_unless_connected(self, i: int, now: float) -> bool:
        """Like :meth:`_withdraw`, but a partly connected applicant keeps waiting for the rest.

        Once connected in part it has started on site: it stays even if a mechanism has since
        taken back all it held.
        """
        if not math.isnan(self.connect_time[i]):
            return False
        return type(self)._withdraw(self, i, now)

    def _connections(self, connect_time: np.ndarray) -> dict[str, Any]:
        """The trajectory's fields on connections: full connection times, MW held, grants."""
        if not self.resizable:
            held = np.where(np.isnan(connect_time), 0.0, self.table.requested_mw)
            return {"full_connect_time": connect_time, "connected_mw": held, "grants": [],
                    "reclaimed": []}
        return {"full_connect_time": np.array(self.full_connect_time, dtype=float),
                "connected_mw": np.array(self.held_mw, dtype=float), "grants": self.grants,
                "reclaimed": self.reclaimed}

    # --- capacity taken back -----------------------------------------------------------------

    def _release_held(self, now: float, i: int) -> None:
        """Like :meth:`_on_release`, freeing what the connection holds (less what was taken)."""
        self.release_time[i] = now
        waiting = self.waiting_total  # speed: with nobody waiting, nothing to accrue or serve
        if waiting:
            self._accrue_idle(now)
        self.ledger.release(self.area_of[i], self.held_mw[i])
        if waiting:
            self._allocate_soon(now)

    def _on_reclaim(self, k: int, now: float, first: int, end: int) -> None:
        """Mechanism ``k`` reviews the users connected long enough and not reviewed before.

        Each is reviewed once; those who take part give up a share of the MW they hold, which
        is free at once for those waiting. Runs before anything else of its instant. Users are
        reviewed in id order, from those granted MW so far (:meth:`_granted_since`). Long
        enough: first connected by the review's ``due`` time (the last of the instant's, the
        latest, should several reviews ever fall at one instant; a scenario's review dates
        are a month apart at least, and none is before its start).
        """
        reclaim = self.reclaims[k]
        reviewed, held, connected = self.reviewed[k], self.held_mw, self.connect_time
        release_time, area_of, isnan = self.release_time, self.area_of, math.isnan
        due = reclaim.due[end - 1]
        taken_any = False
        later = []
        for i in sorted(self._granted_since(k, now)):
            if (reviewed[i] or not isnan(release_time[i])
                    or (reclaim.area is not None and area_of[i] != reclaim.area)):
                continue  # none of these will ever be due again
            mw = held[i]
            if not mw or not connected[i] <= due:
                later.append(i)  # holds nothing now, or not connected long enough yet
                continue
            reviewed[i] = True
            if not reclaim.takes_part[i]:
                continue
            if not taken_any:
                self._accrue_idle(now)
                taken_any = True
            taken = mw * reclaim.mw_share
            held[i] = mw - taken
            self.ledger.release(area_of[i], taken)
            self.reclaimed.append((now, i, taken))
        self.review_later[k] = later
        if taken_any:
            self._allocate_soon(now)

    def _granted_since(self, k: int, now: float) -> set[int]:
        """Users mechanism ``k`` may review: granted MW by ``now``, not yet ruled out by it.

        Only a user granted MW holds any, and every grant so far came by ``now``. Speed: the
        new grants are read from where the last review stopped, not found among every
        applicant at each review (which cost more than the rest of a long run); with them
        come those the last review left for later. One granted MW again since it was ruled
        out (reviewed, say) is ruled out again for the same reason, and so is one whose
        connection has ended: most have, by the next review, and they are left out here at
        once. A first connection, whole and too short for any review, was never listed.
        """
        granted, cursor, ended = self.granted, self.review_cursor[k], self.release_time
        self.review_cursor[k] = len(granted)
        new = {i for i in granted[cursor:] if ended[i] != ended[i]}  # NaN: not ended
        return new.union(self.review_later[k])


def smallest_parts_mw(table: ApplicantTable) -> np.ndarray:
    """Each applicant's smallest acceptable connection, in MW.

    Its minimum share of its request, but at least :data:`SMALLEST_PART_MW`, and never more
    than the request (which is what one who takes no parts needs).
    """
    requested = table.requested_mw
    parts: np.ndarray = np.minimum(
        np.maximum(table.partial_min_share * requested, SMALLEST_PART_MW), requested)
    return parts
