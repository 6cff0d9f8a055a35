"""Non-firm transport rights: a pool of capacity per area, offered beside the firm queue.

A mixin of the model's simulation (:mod:`sim.engine.model`), used only by a run whose
scenario has non-firm pools. An applicant who accepts a non-firm right joins the firm queue as
anyone does and is also a candidate for its area's pool. Connected non-firm it holds a right
(of its request still waiting) and no longer withdraws; if it keeps its place in the firm
queue it moves to a firm connection when its turn comes, freeing its share of the pool, else
it leaves the firm queue and holds the right for its lifetime.

The pool is shared in one of three ways (``NonFirmSetup.order``):

- ``policy``: offered in the queue policy's order, with the allocation rule in force, while
  a request fits what is left of the pool; those connected can use the hours of their right;
- ``rotation`` and ``proportional``: every candidate gets a right at once while the area has
  a pool; when more is connected than the pool holds, each can use only
  ``pool / connected`` of it: rotation takes turns (fewer hours at full MW), proportional
  cuts everyone's MW (all the hours of the right, less MW).

Firm and non-firm never add up to more than exists: firm connections stay within the firm
capacity, and non-firm use within the pool (by the sharing factor, for the last two).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from itertools import compress
from operator import itemgetter
from typing import TYPE_CHECKING

import numpy as np

from sim.engine.capacity import FIT_TOLERANCE_MW, CapacityStep
from sim.engine.events import ALLOCATE, Calendar
from sim.engine.queues import WaitingQueue, make_queue
from sim.engine.rules import Regime
from sim.engine.states import CONNECTED
from sim.inputs.applicants import ApplicantTable

__all__ = ["NON_FIRM_ORDERS", "NonFirmConnections", "NonFirmOutcome", "NonFirmSetup"]

NON_FIRM_ORDERS = ("policy", "rotation", "proportional")
"""How a non-firm pool is offered: in policy order while requests fit, or shared by all."""


@dataclass(frozen=True)
class NonFirmSetup:
    """The non-firm pools of one replication (upgrade delays drawn) and how they are shared."""

    pool_mw: list[float]
    """MW of each area's pool at the start (0 where an area has none)."""
    steps: list[CapacityStep]
    """MW added to the pools later, by area index."""
    order: str
    """One of :data:`NON_FIRM_ORDERS`."""
    rights: list[str]
    """The kinds of right, in the order of the applicants' ``non_firm_right`` codes."""
    hours_share: list[float]
    """The share of the hours of a year each kind of right may be used."""


@dataclass(frozen=True)
class NonFirmOutcome:
    """What non-firm rights did for each applicant (NaN where it held none).

    ``time`` and ``end`` are when its right started and ended (NaN end: held to the end of the
    run); ``mw`` the MW of the right; ``kept`` whether its holder kept its place in the firm
    queue while holding it (False where it held none); ``moved`` whether it ended by a firm
    connection (only a holder that kept its place can be moved);
    ``hours_share`` the share of the hours it could use and ``mw_share`` the share of its MW,
    averaged over the time it held the right.
    """

    time: np.ndarray
    end: np.ndarray
    mw: np.ndarray
    kept: np.ndarray
    moved: np.ndarray
    right: np.ndarray
    hours_share: np.ndarray
    mw_share: np.ndarray
    rights: list[str]


class NonFirmConnections:
    """Non-firm rights, for the model's simulation to inherit (see the module's docstring).

    It relies on the simulation's state and methods (``queues``, ``rank_of``, ``index_at``,
    ``waiting_mw``, ``state``, ``_leave_queue``, ``_allocate_soon``, ...) and on connections
    that change size (:class:`sim.engine.resizing.ResizableConnections`). The model's
    ``_join`` and the firm pass's ``_serve_partly`` call :meth:`_join_pool_line` and
    :meth:`_served_firm` for those who accept a right, and only for them: most do not.
    """

    if TYPE_CHECKING:  # what the simulation defines and the methods below use, for mypy
        env: Calendar
        table: ApplicantTable
        horizon: float
        non_firm_pool: list[float]
        non_firm_connected: list[float]
        waiting_mw: list[float]
        lifetime: list[float]
        area_of: list[int]
        rank_of: list[int]
        index_at: list[int]
        state: list[int]
        connect_time: list[float]
        release_time: list[float]

        def _leave_queue(self, i: int) -> None: ...
        def _accrue_idle(self, now: float) -> None: ...
        def _allocate_soon(self, now: float) -> None: ...
        def _allocate(self, now: float, _: None = None) -> None: ...
        def _withdraw(self, i: int, now: float) -> bool: ...
        def _apply_regime(self, regime: Regime, now: float) -> None: ...

    def _set_up_non_firm(self, table: ApplicantTable, setup: NonFirmSetup) -> None:
        """The lists and methods of non-firm rights; called before the first regime applies."""
        n, n_areas = len(table), len(setup.pool_mw)
        self.nf_setup = setup
        self.nf_shares_pool = setup.order != "policy"
        self.nf_right: list[int] = table.non_firm_right.tolist()
        self.nf_keeps: list[bool] = table.keeps_firm_place.tolist()
        self.nf_queued = [False] * n
        self.nf_queued_in_area = [0] * n_areas
        self.nf_queues: list[WaitingQueue] = []
        self.nf_time = [math.nan] * n
        self.nf_end = [math.nan] * n
        self.nf_mw = [0.0] * n
        self.nf_moved = [False] * n
        self.nf_factor_mean = [math.nan] * n
        self.nf_holders: list[int] = []
        """Who got a right, in the order they got it (each at most once)."""
        # The sharing factor's integral over time, per area: kept only where the pools are
        # shared (in policy order nobody is granted more than fits, so the factor stays 1).
        self.nf_integral = [0.0] * n_areas
        self.nf_integral_at_start = [0.0] * n
        self.nf_last = [0.0] * n_areas
        self._withdraw_firm = self._withdraw
        self._withdraw = self._withdraw_unless_non_firm  # type: ignore[method-assign]
        self._apply_firm_regime = self._apply_regime
        self._apply_regime = self._apply_regime_both  # type: ignore[method-assign]
        due = sorted((s for s in setup.steps if s.time < self.horizon),
                     key=lambda step: max(step.time, 0.0))
        self.non_firm_steps = due
        self.env.call_in_turn([max(s.time, 0.0) for s in due], self._on_pool_growth)

    # --- joining and leaving --------------------------------------------------------------

    def _join_pool_line(self, i: int) -> None:
        """Applicant ``i``, who accepts a right and has just joined the firm queue, joins a line.

        It joins the line of its area's pool. The pools are marked changed (and the arrivals
        then ask for a pass, see :meth:`_on_arrivals`) only if the newcomer fits what is left
        of its pool: the last pass left nobody in the line who fits, so one who does not fit
        either changes nothing. Speed: a pool is usually full, and most who join its line
        would ask for a pass in vain.
        """
        area, mw = self.area_of[i], self.waiting_mw[i]
        self.nf_queues[area].add(self.rank_of[i], mw)
        self.nf_queued[i] = True
        self.nf_queued_in_area[area] += 1
        if mw <= self._pool_room(area):
            self.nf_changed = True

    def _leave_pool_line(self, i: int) -> None:
        """Applicant ``i`` is no longer a candidate for its area's pool."""
        area = self.area_of[i]
        self.nf_queues[area].remove(self.rank_of[i])
        self.nf_queued[i] = False
        self.nf_queued_in_area[area] -= 1
        self.nf_changed = True

    def _withdraw_unless_non_firm(self, i: int, now: float) -> bool:
        """Like :meth:`_withdraw`, and one who withdraws leaves the pool's line too.

        A holder of a right does not withdraw: a right is a connection, and the method this
        wraps (that of connections that change size) keeps whoever has been connected.
        """
        withdrew = self._withdraw_firm(i, now)
        if withdrew and self.nf_queued[i]:
            self._leave_pool_line(i)
        return withdrew

    def _served_firm(self, i: int, now: float) -> None:
        """Applicant ``i``, who accepts rights, was just served firm MW (in full or in part).

        Connected in full, it leaves the pool (or its line); in part, it keeps its right, or
        its place in the line for what it still waits for.
        """
        if self.state[i] != CONNECTED:
            if self.nf_queued[i]:
                queue = self.nf_queues[self.area_of[i]]
                queue.remove(self.rank_of[i])
                queue.add(self.rank_of[i], self.waiting_mw[i])
                self.nf_changed = True
            return
        if self.nf_queued[i]:
            self._leave_pool_line(i)
        elif self.nf_mw[i] and math.isnan(self.nf_end[i]):
            self.nf_moved[i] = True
            self._end_right(i, now)

    # --- the pools ------------------------------------------------------------------------

    def _serve_pools(self, now: float) -> bool:
        """After the firm pass, grant rights from the pools; whether to serve the firm queue again.

        Each area's pool grants rights in policy order while it may; a firm connection comes
        first in its instant. Called by the pass only when the pools or their lines changed
        since they were last served. One who leaves the firm queue for a right may have
        blocked its head (strict): the firm queue is then served again, and the pools after
        it, until nobody leaves; in a new pass at the end of the instant if an event of this
        instant is still due (the end of a connection or right of no lifetime, booked by this
        pass: it comes first, as everywhere else).
        """
        left_firm_queue = False
        index_at, queued = self.index_at, self.nf_queued_in_area
        for area, queue in enumerate(self.nf_queues):
            while queued[area]:
                rank = queue.candidate(self._pool_room(area))
                if rank is None:
                    break
                i = index_at[rank]
                self._grant_right(i, now)
                left_firm_queue = left_firm_queue or not self.nf_keeps[i]
        self.nf_changed = False  # served out: only the firm pass can change them again
        if not left_firm_queue:
            return False
        if self.env.runs_next(now, ALLOCATE):
            return True
        self._allocate_soon(now)  # after what this pass booked for this instant
        return False

    def _pool_room(self, area: int) -> float:
        """The largest request the pool of ``area`` can grant now (up to the tolerance)."""
        pool = self.non_firm_pool[area]
        if self.nf_shares_pool:  # any request, if there is a pool (finite: an empty queue
            return sys.float_info.max if pool > 0 else -1.0  # slot is inf)
        return pool - self.non_firm_connected[area] + FIT_TOLERANCE_MW

    def _grant_right(self, i: int, now: float) -> None:
        """Applicant ``i`` gets a non-firm right of the MW it still waits for."""
        area = self.area_of[i]
        self._leave_pool_line(i)
        mw = self.waiting_mw[i]
        self.nf_mw[i] = mw
        self.nf_time[i] = now
        self.nf_holders.append(i)
        if self.nf_shares_pool:
            self._accrue_sharing(area, now)
            self.nf_integral_at_start[i] = self.nf_integral[area]
        self.non_firm_connected[area] += mw
        if math.isnan(self.connect_time[i]):
            self.connect_time[i] = now
        if not self.nf_keeps[i]:  # it leaves the firm queue and holds the right for good
            self._accrue_idle(now)  # a pool's growth or a right's end may have asked for it
            self._leave_queue(i)
            self.state[i] = CONNECTED
            end = now + self.lifetime[i]
            if end < self.horizon:
                self.env.call_at(end, self._on_right_ends, i)

    def _on_right_ends(self, now: float, i: int) -> None:
        """The lifetime of a non-firm connection (of one that left the firm queue) ends."""
        self.release_time[i] = now
        self._end_right(i, now)
        self._allocate_soon(now)

    def _end_right(self, i: int, now: float) -> None:
        """Applicant ``i``'s right ends; its MW go back to the pool."""
        area = self.area_of[i]
        if self.nf_shares_pool:
            factor = self._sharing_factor(area)
            self._accrue_sharing(area, now)
            held = now - self.nf_time[i]
            self.nf_factor_mean[i] = factor if held <= 0 else \
                (self.nf_integral[area] - self.nf_integral_at_start[i]) / held
        self.nf_end[i] = now
        self.non_firm_connected[area] -= self.nf_mw[i]
        self.nf_changed = True

    def _on_pool_growth(self, now: float, first: int, end: int) -> None:
        """MW are added to the pools at this instant."""
        for step in self.non_firm_steps[first:end]:
            if self.nf_shares_pool:
                self._accrue_sharing(step.area, now)
            self.non_firm_pool[step.area] += step.add_mw
        self.nf_changed = True
        self._allocate_soon(now)

    def _sharing_factor(self, area: int) -> float:
        """The share of its right each holder in ``area`` can use now (1 unless oversubscribed)."""
        connected = self.non_firm_connected[area]
        pool = self.non_firm_pool[area]
        return 1.0 if connected <= pool + FIT_TOLERANCE_MW else float(pool / connected)

    def _accrue_sharing(self, area: int, now: float) -> None:
        """Integrate the sharing factor of ``area`` up to ``now`` (before any change to it)."""
        self.nf_integral[area] += self._sharing_factor(area) * (now - self.nf_last[area])
        self.nf_last[area] = now

    def _apply_regime_both(self, regime: Regime, now: float) -> None:
        """New rules rank the firm queue and the pools' lines alike."""
        self._apply_firm_regime(regime, now)
        size = len(self.rank_of)
        self.nf_queues = [make_queue(regime.allocation, size) for _ in self.non_firm_pool]
        self.nf_changed = True
        if any(self.nf_queued_in_area):  # speed: at the start nobody is in a line yet
            for i in compress(range(len(self.nf_queued)), self.nf_queued):  # in id order
                self.nf_queues[self.area_of[i]].add(self.rank_of[i], self.waiting_mw[i])

    def _non_firm_outcome(self) -> NonFirmOutcome:
        """Each applicant's right, its use averaged over the time it held it (to the horizon)."""
        at = np.array(self.nf_holders, dtype=np.intp)  # the holders, once as an index
        mw, end, time = (self._holders_values(values, fill, at) for values, fill in (
            (self.nf_mw, 0.0), (self.nf_end, math.nan), (self.nf_time, math.nan)))
        held = mw > 0
        right = self.table.non_firm_right.astype(np.int64)
        hours = np.array(self.nf_setup.hours_share + [math.nan])[np.where(held, right, -1)]
        order = self.nf_setup.order
        whole = np.where(held, 1.0, math.nan)  # in policy order, everyone uses all its right
        factor = self._mean_sharing(held, end, time, at) if self.nf_shares_pool else whole
        return NonFirmOutcome(
            time=time,
            end=end,
            mw=np.where(held, mw, math.nan),
            kept=held & self.table.keeps_firm_place,
            moved=self._holders_values(self.nf_moved, False, at),
            right=np.where(held, right, -1),
            hours_share=hours * factor if order == "rotation" else hours,
            mw_share=factor if order == "proportional" else whole,
            rights=list(self.nf_setup.rights),
        )

    def _mean_sharing(
        self, held: np.ndarray, end: np.ndarray, time: np.ndarray, at: np.ndarray
    ) -> np.ndarray:
        """Each holder's sharing factor, averaged over the time it held its right (NaN: none).

        Those who held their right to the end of the run are averaged up to the end. ``at``:
        the holders as an index (see :meth:`_holders_values`).
        """
        factor = self._holders_values(self.nf_factor_mean, math.nan, at)
        to_end = np.flatnonzero(held & np.isnan(end))
        if to_end.size:
            for area in range(len(self.non_firm_pool)):
                self._accrue_sharing(area, self.horizon)
            areas = [self.area_of[i] for i in to_end.tolist()]
            integral = np.array([self.nf_integral[a] for a in areas])
            at_start = np.array([self.nf_integral_at_start[i] for i in to_end.tolist()])
            years_held = self.horizon - time[to_end]
            now_factor = np.array([self._sharing_factor(a) for a in areas])
            factor[to_end] = np.divide(integral - at_start, years_held, out=now_factor,
                                       where=years_held > 0)
        return np.where(held, factor, math.nan)

    def _holders_values(
        self, values: list[float] | list[bool], fill: float | bool, at: np.ndarray
    ) -> np.ndarray:
        """A per-applicant list as an array, read at the holders of rights only.

        ``at`` holds ``nf_holders`` as an index; the others keep the list's starting value,
        ``fill``. Speed: a few in a hundred
        thousand hold a right, and reading every item of five such lists cost 30 ms a run;
        read with ``itemgetter`` rather than item by item in Python, 21,600 holders' values
        of four lists take 2 ms rather than 15.
        """
        out = np.full(len(values), fill)
        if self.nf_holders:
            out[at] = itemgetter(*self.nf_holders)(values)
        return out
