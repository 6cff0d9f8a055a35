"""The SimPy model: applicants arrive, wait, withdraw or connect, and later free capacity.

Everything random was drawn before the run (see :mod:`sim.inputs.sources`), so this module only
orders events. Each event is one callback on the calendar; none holds state of its own.
Arrivals, withdrawals, upgrades and snapshots happen at times known from the start: each kind
comes from one sorted list, one instant at a time (:meth:`Calendar.call_in_turn`; arrivals,
one per applicant, are merged in without the calendar's queue: :meth:`Calendar.merge_in_turn`),
which keeps the calendar short.

- arrival: the applicant joins its area's queue;
- withdrawal: an applicant still waiting at the end of its patience leaves the queue;
- release: a connection with a finite lifetime ends and frees its capacity;
- upgrade: capacity is added to an area or to the upstream limit;
- policy change: a new policy (or new category definitions) re-ranks the waiting applicants;
- round: under allocation in rounds, everyone waiting may be served at this instant;
- reclaim: a capacity-release mechanism takes back part of connected users' MW (before
  anything else of its instant);
- partial connection: with partial offers, an applicant whose request does not fit whole
  takes what is free, if that is at least its minimum share, and waits for the rest;
- allocation: after any of the above that could let someone connect, once per instant, the
  queues are served;
- snapshot: the state is recorded for the timeseries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import partial

import numpy as np

from sim.engine.capacity import (
    FIT_TOLERANCE_MW,
    UPSTREAM,
    CapacityLedger,
    CapacityStep,
    Reclaim,
)
from sim.engine.events import ALLOCATE, ROUND_END, SNAPSHOT, URGENT, Calendar
from sim.engine.non_firm import NonFirmConnections, NonFirmOutcome, NonFirmSetup
from sim.engine.queues import HeldForRound, RoundsQueue, WaitingQueue, make_queue
from sim.engine.resizing import ResizableConnections
from sim.engine.rules import Regime, RoundSchedule
from sim.engine.states import CONNECTED, NOT_YET, WAITING, WITHDRAWN
from sim.inputs.applicants import CATEGORIES, ApplicantTable, Labels, inverse_permutation

__all__ = [
    "CapacityStep", "GridSetup", "NonFirmSetup", "Reclaim", "Regime", "RoundSchedule",
    "Trajectory", "simulate",
]



@dataclass(frozen=True)
class GridSetup:
    """The grid of one replication, with upgrade delays already drawn."""

    areas: list[str]
    capacity_mw: list[float]
    upstream_capacity_mw: float | None
    steps: list[CapacityStep]
    reclaims: list[Reclaim] = field(default_factory=list)
    """Capacity-release mechanisms (use-it-or-lose-it, capacity-limiting contracts)."""
    non_firm: NonFirmSetup | None = None
    """Non-firm pools beside the firm capacity (None: firm connections only)."""


@dataclass(frozen=True)
class Trajectory:
    """What happened to each applicant, and the state over time.

    Times are years since the start; NaN where the event did not happen.
    ``snapshots`` has one tuple per (time, area) with the fields of :data:`SNAPSHOT_FIELDS`.
    ``idle_mw_years[a, c]`` integrates the capacity free in area ``a`` while an applicant of
    category ``c`` waited there; ``idle_any_mw_years[a]`` the same while anyone waited.
    ``idle_by_category_mw_years[c]`` and ``idle_overall_mw_years`` are the grid's: the areas'
    summed, but behind a shared upstream limit at most its free MW at any time (each area's
    free capacity is bounded by the upstream's, so their sum would count its MW once per
    area).
    ``final_category`` is each applicant's category (place in ``CATEGORIES``) when it
    connected or withdrew, or at the end: the category of its request unless the
    definitions changed. ``connect_time`` is the first connection, ``full_connect_time``
    the one that completed the request (the same but for partial connections);
    ``connected_mw`` the MW each held last (at the end, or when its connection ended).
    ``grants`` lists (time, applicant, MW) of every connection of part of a request (a
    partial connection, or the rest after one), and ``reclaimed`` (time, applicant, MW) of
    every MW taken back by a mechanism. A request connected whole at once is not listed:
    its grant is (``full_connect_time``, applicant, request). Speed: a tuple per connection
    of a long run cost 2-3% of it in allocations and garbage collection.
    A non-firm right counts as a first connection (``connect_time``); ``full_connect_time``
    is always firm. ``waiting_mw`` is the MW each still waited for in the firm queue at the
    end: its whole request if it had no connection, the rest if it was connected in part
    (or holds a non-firm right beside its firm place), 0 if it left the queue; None where
    connections never change size or kind, so that it is the request of those still waiting
    (speed: turning the states into an array took 4-5 ms of the peer workload's run).
    """

    connect_time: np.ndarray
    withdraw_time: np.ndarray
    release_time: np.ndarray
    snapshots: list[tuple[float | str, ...]]
    idle_mw_years: np.ndarray
    idle_any_mw_years: np.ndarray
    idle_by_category_mw_years: np.ndarray
    idle_overall_mw_years: float
    final_category: np.ndarray
    full_connect_time: np.ndarray
    connected_mw: np.ndarray
    grants: list[tuple[float, int, float]]
    reclaimed: list[tuple[float, int, float]]
    waiting_mw: np.ndarray | None
    non_firm: NonFirmOutcome | None = None
    """Each applicant's non-firm right, if the scenario has non-firm pools."""


SNAPSHOT_FIELDS = (
    "time_years", "area", "capacity_mw", "connected_mw", "free_mw",
    *(f"queue_{c}" for c in CATEGORIES), *(f"queued_mw_{c}" for c in CATEGORIES),
    "non_firm_capacity_mw", "non_firm_connected_mw",
)
"""The fields of each snapshot row (queue counts and queued MW by category)."""


def simulate(
    table: ApplicantTable,
    grid: GridSetup,
    regimes: list[Regime],
    horizon_years: float,
    snapshot_times: list[float],
) -> Trajectory:
    """Run one replication to the horizon and return its trajectory."""
    return _Simulation(table, grid, regimes, horizon_years, snapshot_times).run()


class _Simulation(ResizableConnections, NonFirmConnections):
    """State of one run; each ``_on_*`` method is the callback of one kind of event."""

    # Speed: CPython 3.11 lays out at most 30 attributes of a class's instances compactly;
    # past that every lookup goes through a dictionary. Slots index them directly (about 5%
    # of the peer workload's events, paired). The mixins' state is declared here, as only
    # one base of a class may lay out slots; the handlers that a run swaps in stay in the
    # instance's dictionary (see :meth:`_drop_swapped_handlers`).
    __slots__ = (
        "table", "horizon", "env", "areas", "ledger", "areas_compete", "one_area",
        "request_time", "requested", "partial", "waiting_mw", "fit_mw", "grants", "reclaimed",
        "reclaims", "resizable", "smallest_request", "lifetime", "area_of", "category_in_force",
        "category_of", "state", "connect_time", "withdraw_time", "release_time", "queue_count",
        "queue_mw", "waiting_in_area", "waiting_total", "idle", "idle_any", "idle_since",
        "idle_shared", "idle_shared_any", "last_change", "allocation_due", "regimes", "regime",
        "connects_on_arrival", "rank_of", "index_at", "queues", "nobody_held", "round_held",
        "held", "snapshots", "non_firm_setup", "offers_rights", "non_firm_pool",
        "non_firm_connected", "nf_changed", "withdrawal_order", "give_up_time",
        "gives_up_on_joining", "steps",
        # sim.engine.resizing
        "min_share_mw", "held_mw", "full_connect_time", "granted", "reviewable_lifetime",
        "reviewed", "review_cursor", "review_later",
        # sim.engine.non_firm
        "nf_setup", "nf_shares_pool", "nf_right", "nf_keeps", "nf_queued", "nf_queued_in_area",
        "nf_queues", "nf_time", "nf_end", "nf_mw", "nf_moved", "nf_factor_mean", "nf_holders",
        "nf_integral", "nf_integral_at_start", "nf_last", "non_firm_steps",
    )

    def __init__(
        self,
        table: ApplicantTable,
        grid: GridSetup,
        regimes: list[Regime],
        horizon_years: float,
        snapshot_times: list[float],
    ) -> None:
        self.table = table
        self.horizon = horizon_years
        self.env = Calendar()
        self.areas = grid.areas
        self.ledger = CapacityLedger(grid.capacity_mw, grid.upstream_capacity_mw)
        self.areas_compete = len(grid.areas) > 1 and self.ledger.has_upstream
        self.one_area = len(grid.areas) == 1
        n = len(table)
        # Hot-path attributes as plain Python lists: indexing numpy scalars is far slower.
        self.request_time: list[float] = table.request_time.tolist()
        self.requested: list[float] = table.requested_mw.tolist()
        self.partial = bool((table.partial_min_share < 1.0).any())
        """Whether any applicant takes partial offers (see :meth:`_serve_partly`)."""
        self.waiting_mw = self.requested
        """MW each applicant still waits for: its request, less any partial connections."""
        self.fit_mw = self.requested
        """The least free capacity that lets each applicant connect (in full or in part)."""
        self.grants: list[tuple[float, int, float]] = []
        self.reclaimed: list[tuple[float, int, float]] = []
        self.reclaims = grid.reclaims
        self.resizable = self.partial or bool(self.reclaims) or grid.non_firm is not None
        """Whether connections may change size or kind (partial, taken back, non-firm)."""
        if self.resizable:
            self._set_up_partial(table)
        self.smallest_request = min(self.fit_mw, default=math.inf)
        """No waiting applicant can fit less free capacity than this (up to the tolerance)."""
        self.lifetime: list[float] = table.lifetime_years.tolist()
        self.area_of: list[int] = table.labels["area"].codes_in(grid.areas).tolist()
        self.category_in_force = table.category_code
        """Each applicant's category (its place in ``CATEGORIES``) under the rules in force."""
        self.category_of: list[int] = self.category_in_force.tolist()  # the same, as a list
        self.state = [NOT_YET] * n
        self.connect_time = [math.nan] * n
        self.withdraw_time = [math.nan] * n
        self.release_time = [math.nan] * n
        n_areas, n_categories = len(grid.areas), len(CATEGORIES)
        self.queue_count = [[0] * n_categories for _ in range(n_areas)]
        self.queue_mw = [[0.0] * n_categories for _ in range(n_areas)]
        self.waiting_in_area = [0] * n_areas
        self.waiting_total = 0
        self.idle = [[0.0] * n_categories for _ in range(n_areas)]
        """Idle MW-years by area and category, of the category's spells of waiting that ended."""
        self.idle_any = [0.0] * n_areas
        self.idle_since = [[0.0] * n_categories for _ in range(n_areas)]
        """``idle_any`` of the area when the category's current spell of waiting began."""
        self.idle_shared = [0.0] * n_categories
        self.idle_shared_any = 0.0
        """Idle MW-years of the grid by category and in all, when areas share an upstream
        limit (see :meth:`_accrue_shared_idle`)."""
        self.last_change = 0.0
        self.allocation_due = False
        self.regimes = regimes
        self.regime = regimes[0]
        self.connects_on_arrival = True
        """Whether a lone arrival finding nobody waiting may connect at once without asking its
        queue (not in rounds: then only one served between rounds may)."""
        self.rank_of: list[int] = []
        self.index_at: list[int] = []
        self.queues: list[WaitingQueue] = []
        self.nobody_held = HeldForRound()
        self.round_held = self.nobody_held
        """Of those waiting, how many the rules in force serve only in a round."""
        self.held = self.nobody_held
        """Of those waiting, how many no pass may serve now: ``round_held`` between rounds."""
        self.snapshots: list[tuple[float | str, ...]] = []
        self.non_firm_setup = grid.non_firm
        self.offers_rights = grid.non_firm is not None
        """Whether some applicants accept non-firm rights (see :mod:`sim.engine.non_firm`)."""
        self.non_firm_pool = [0.0] * n_areas if grid.non_firm is None \
            else list(grid.non_firm.pool_mw)
        """MW of each area's non-firm pool, and of the rights granted from it."""
        self.non_firm_connected = [0.0] * n_areas
        self.nf_changed = False
        """Whether a non-firm pool or its line changed since the pools were last served."""
        if grid.non_firm is not None:
            self._set_up_non_firm(table, grid.non_firm)
        self._plan_withdrawals(table)
        self._schedule(grid.steps, snapshot_times)

    # --- set-up ---------------------------------------------------------------------------

    def _schedule(self, steps: list[CapacityStep], snapshot_times: list[float]) -> None:
        env = self.env
        self._apply_regime(self.regimes[0], 0.0)
        for regime in self.regimes[1:]:
            env.call_at(regime.time, self._on_policy_change, regime)
        rounds = {t for r in self.regimes if r.rounds for t in r.rounds.times if t < self.horizon}
        env.call_in_turn(sorted(rounds), self._on_rounds)
        for k, reclaim in enumerate(self.reclaims):
            env.call_in_turn([t for t in reclaim.times if t < self.horizon],
                             partial(self._on_reclaim, k), priority=URGENT)
        due = [step for step in steps if step.time < self.horizon]
        self.steps = sorted(due, key=lambda step: max(step.time, 0.0))  # stable: ties in order
        env.call_in_turn([max(step.time, 0.0) for step in self.steps], self._on_upgrades)
        env.call_in_turn(sorted(t for t in snapshot_times if t < self.horizon),
                         self._on_snapshots, priority=SNAPSHOT)
        env.merge_in_turn(self.request_time, self._on_arrivals)
        env.call_in_turn(self.give_up_time, self._on_withdrawals)

    def _plan_withdrawals(self, table: ApplicantTable) -> None:
        """Order the withdrawals before the run: patience ends at a time known from the start.

        An applicant joins the queue at its request time (the waiting list at 0) and gives up
        ``patience`` later. Speed: taking these in one sorted pass, as the arrivals are, keeps a
        hundred thousand withdrawals off the calendar, whose every operation would otherwise
        slow down with the length of the queue. Those with no patience at all (or too little to
        move the clock) are booked when they join (see :meth:`_join`), after their own arrival.
        """
        joined = np.maximum(table.request_time, 0.0)
        give_up = joined + table.patience_years
        due = np.flatnonzero((give_up < self.horizon) & (give_up > joined))
        order = due[np.argsort(give_up[due], kind="stable")]  # ties: in order of joining
        self.withdrawal_order: list[int] = order.tolist()
        self.give_up_time: list[float] = give_up[order].tolist()
        self.gives_up_on_joining: set[int] = set(np.flatnonzero(give_up == joined).tolist())

    def run(self) -> Trajectory:
        """Process every event before the horizon, then take the final snapshot.

        The calendar is closed at the end: its bookings hold this simulation's handlers, so
        the two would otherwise keep each other, and the per-applicant lists, alive until the
        next garbage collection, which walks every item of those lists to free them (25 ms on
        the peer workload, paid at some later allocation). Closed, they go when the run ends.
        The handlers a mechanism swapped in are dropped for the same reason.
        """
        self.env.run(until=self.horizon)
        self.env.close()
        self._drop_swapped_handlers()
        self._accrue_idle(self.horizon)
        self._end_idle_spells()
        self._record_snapshot(self.horizon)
        connect_time = np.array(self.connect_time, dtype=float)
        idle, idle_any = np.array(self.idle), np.array(self.idle_any)
        return Trajectory(  # dtype given: numpy then skips inspecting every item (1 ms each)
            connect_time=connect_time,
            withdraw_time=np.array(self.withdraw_time, dtype=float),
            release_time=np.array(self.release_time, dtype=float),
            snapshots=self.snapshots,
            idle_mw_years=idle,
            idle_any_mw_years=idle_any,
            idle_by_category_mw_years=np.array(self.idle_shared) if self.areas_compete
            else idle.sum(axis=0),
            idle_overall_mw_years=self.idle_shared_any if self.areas_compete
            else float(idle_any.sum()),
            final_category=self.category_in_force.astype(np.int8, copy=False),
            **self._connections(connect_time),
            waiting_mw=np.where(np.array(self.state, dtype=np.int8) == WAITING,
                                np.array(self.waiting_mw, dtype=float), 0.0)
            if self.resizable else None,
            non_firm=None if self.non_firm_setup is None else self._non_firm_outcome(),
        )

    def _drop_swapped_handlers(self) -> None:
        """Forget the handlers swapped in for this run (:mod:`sim.engine.resizing`, ``non_firm``).

        Each is a method bound to this simulation and kept in its own attributes: a reference
        cycle. The handlers are not needed once the calendar is closed.
        """
        for name in [name for name, value in vars(self).items()
                     if getattr(value, "__self__", None) is self]:
            delattr(self, name)

    # --- events ---------------------------------------------------------------------------

    def _on_arrivals(self, now: float, first: int, end: int) -> None:
        """Applicants ``first`` to ``end`` (exclusive), requesting at this instant, join the queue.

        Two shortcuts, each giving what the allocation pass would, without it:

        - a lone arrival connects at once if it fits, nothing else is due at this instant and
          its queue says the pass would take it first (:meth:`WaitingQueue.takes_newcomer`:
          under ``strict``, ahead of everyone waiting; under ``first_fit``, always, as nobody
          waiting fits). In a grid with room most applicants never wait, and are spared the
          queue structures; so are, in a queue held up by a large request or by those waiting
          for a round, those who would pass it at once;
        - otherwise a pass is asked for only if a newcomer fits, or joins the line of a
          non-firm pool: the last pass left nobody who fits, and an arrival changes who
          waits, not the free capacity. In a congested grid most arrivals find it full.

        A request fits if it is within the capacity free in its area (up to
        ``FIT_TOLERANCE_MW``); speed: the test is written out, not a method, as it runs for
        every arrival.
        """
        requested, area_of, free_mw = self.requested, self.area_of, self.ledger.free_mw
        fit_mw = self.fit_mw
        waiting = self.waiting_total
        if waiting:
            self._accrue_idle(now)
        area = area_of[first]
        if (end == first + 1
                and requested[first] <= free_mw[area] + FIT_TOLERANCE_MW
                and first not in self.gives_up_on_joining  # who withdraws at once
                and (not waiting and self.connects_on_arrival
                     or self.queues[area].takes_newcomer(
                         self.rank_of[first], free_mw[area] + FIT_TOLERANCE_MW))
                and self.env.runs_next(now, ALLOCATE)):
            self._start_connection(first, now)
            return
        someone_fits = False
        for i in range(first, end):
            self._join(i, now)
            someone_fits = someone_fits or fit_mw[i] <= free_mw[area_of[i]] + FIT_TOLERANCE_MW
        if someone_fits or self.nf_changed:  # or a newcomer is a candidate for a pool
            self._allocate_soon(now)

    def _join(self, i: int, now: float) -> None:
        """Applicant ``i`` waits in its area's queue (its withdrawal is planned already).

        One who accepts a non-firm right joins its pool's line as well.
        """
        if not self.waiting_total:
            self.last_change = now  # idle capacity accrues from now on (see _accrue_idle)
        self.state[i] = WAITING
        area, category, mw = self.area_of[i], self.category_of[i], self.requested[i]
        self.queues[area].add(self.rank_of[i], self.fit_mw[i])
        counts = self.queue_count[area]
        if not counts[category]:  # a spell of waiting begins (see _accrue_idle)
            self.idle_since[area][category] = self.idle_any[area]
        counts[category] += 1
        self.queue_mw[area][category] += mw
        self.waiting_in_area[area] += 1
        self.waiting_total += 1
        if i in self.gives_up_on_joining and now < self.horizon:
            self.env.call_at(now, self._on_withdrawal, i)
        if self.offers_rights and self.nf_right[i] >= 0:
            self._join_pool_line(i)

    def _on_withdrawals(self, now: float, first: int, end: int) -> None:
        """Those whose patience ends at this instant and who still wait leave the queue."""
        withdrew = False
        for i in self.withdrawal_order[first:end]:
            withdrew |= self._withdraw(i, now)
        if withdrew:
            self._allocate_soon(now)  # a withdrawing head of the line unblocks those behind it

    def _on_withdrawal(self, now: float, i: int) -> None:
        if self._withdraw(i, now):
            self._allocate_soon(now)

    def _withdraw(self, i: int, now: float) -> bool:
        """Applicant ``i`` leaves the queue if it still waits; whether it did."""
        if self.state[i] != WAITING:
            return False  # connected before patience ran out
        self._accrue_idle(now)
        self.state[i] = WITHDRAWN
        self.withdraw_time[i] = now
        self._leave_queue(i)
        return True

    def _on_release(self, now: float, i: int) -> None:
        """Applicant ``i``'s connection ends and frees its capacity for those waiting."""
        self.release_time[i] = now
        waiting = self.waiting_total  # speed: with nobody waiting, nothing to accrue or serve
        if waiting:
            self._accrue_idle(now)
        self.ledger.release(self.area_of[i], self.requested[i])
        if waiting:
            self._allocate_soon(now)

    def _on_upgrades(self, now: float, first: int, end: int) -> None:
        """The upgrades due at this instant add their capacity."""
        self._accrue_idle(now)
        for step in self.steps[first:end]:
            self.ledger.add(step.area, step.add_mw)
        self._allocate_soon(now)

    def _on_policy_change(self, now: float, regime: Regime) -> None:
        self._accrue_idle(now)
        self._apply_regime(regime, now)
        self._allocate_soon(now)

    def _on_rounds(self, now: float, first: int, end: int) -> None:
        """A round of the rules in force opens: everyone waiting may be served this instant."""
        self._accrue_idle(now)  # what lay free since the last event, before the round fills it
        if self._sync_round(now):
            self._allocate_soon(now)

    def _sync_round(self, now: float) -> bool:
        """Open the queues if ``now`` is a round of the rules in force; whether it is.

        A round lasts the whole instant: it closes after every pass of the instant (a
        connection ending at once frees capacity for the same round), and a last pass then
        serves those served between rounds.
        """
        rounds = self.regime.rounds
        if rounds is None or now not in rounds.times:
            return False
        for queue in self.queues:
            queue.open = True  # type: ignore[attr-defined]  # in rounds: RoundsQueue
        self.held = self.nobody_held
        self.env.call_at(now, self._close_round, priority=ROUND_END)
        return True

    def _close_round(self, now: float, _: None = None) -> None:
        """The round ends; those served between rounds are served again, without the rest.

        Under ``strict``, the head of the whole line may have blocked the round while the
        head of those served between rounds fits.
        """
        if self.regime.rounds is not None:
            for queue in self.queues:
                queue.open = False  # type: ignore[attr-defined]  # as above
            self.held = self.round_held
            self._allocate_soon(now)

    def _on_snapshots(self, now: float, first: int, end: int) -> None:
        """Record the snapshots due at this instant."""
        for _ in range(first, end):
            self._record_snapshot(now)

    def _record_snapshot(self, now: float) -> None:
        ledger = self.ledger
        for a, area in enumerate(self.areas):
            self.snapshots.append((
                now, area, ledger.capacity_mw[a], ledger.connected_mw[a], ledger.free_mw[a],
                *self.queue_count[a], *self.queue_mw[a],
                self.non_firm_pool[a], self.non_firm_connected[a],
            ))
        if ledger.has_upstream:
            totals = [sum(column) for column in zip(*self.queue_count, strict=True)]
            mw = [sum(column) for column in zip(*self.queue_mw, strict=True)]
            self.snapshots.append((
                now, "upstream", ledger.upstream_capacity_mw, ledger.upstream_connected_mw,
                ledger.area_free_mw(UPSTREAM), *totals, *mw,
                sum(self.non_firm_pool), sum(self.non_firm_connected),
            ))

    # --- allocation -------------------------------------------------------------------------

    def _allocate_soon(self, now: float) -> None:
        """Ask for one allocation pass at the end of this instant.

        Callers ask last thing, once the instant's own events are scheduled. When nothing else
        is due in this instant, the pass runs at once: the same state an allocation event would
        see, without the cost of one more event per arrival and per release. No pass is asked
        for while nobody may be served: nobody waits, or all who wait wait for the next round,
        and no pool changed (a pool's line holds only those waiting). Whatever changes that in
        this instant asks for a pass itself.
        """
        if self.allocation_due or self.waiting_total <= self.held.count and not self.nf_changed:
            return  # a pass is due already, or nobody may be served (a later event asks again)
        if self.env.runs_next(now, ALLOCATE):
            self._allocate(now)
        else:
            self.allocation_due = True
            self.env.call_at(now, self._allocate, priority=ALLOCATE)

    def _allocate(self, now: float, _: None = None) -> None:
        """Connect applicants in policy order while their requests fit.

        Each area offers a candidate (strict: its head if the head fits; first fit: the first
        applicant in policy order who fits). Areas behind a shared upstream limit compete for
        it: the best-ranked candidate across areas connects, and the areas are asked again.
        Otherwise each area is served alone, with the same connections. Asking again after
        each connection finds what one walk down the policy order would: free capacity only
        shrinks during a pass, so nobody passed over could fit later in it. The event that
        asked for the pass has accrued idle capacity up to now already.
        """
        self.allocation_due = False
        queues, free_mw, index_at = self.queues, self.ledger.free_mw, self.index_at
        waiting, smallest = self.waiting_in_area, self.smallest_request
        if not self.areas_compete:  # each area alone: its candidates, one after the other
            for area, queue in enumerate(queues):
                # Speed: the smallest request of all tells most often, without a search,
                # that a connection has left too little for anyone.
                while waiting[area] and free_mw[area] + FIT_TOLERANCE_MW >= smallest:
                    rank = queue.candidate(free_mw[area] + FIT_TOLERANCE_MW)
                    if rank is None:
                        break
                    i = index_at[rank]
                    self._leave_queue(i)
                    self._start_connection(i, now)
            return
        while self.waiting_total:
            best_rank = -1
            for area, queue in enumerate(queues):
                if not waiting[area] or free_mw[area] + FIT_TOLERANCE_MW < smallest:
                    continue  # an empty queue, or too little free for anyone: no candidate
                rank = queue.candidate(free_mw[area] + FIT_TOLERANCE_MW)
                if rank is not None and (best_rank < 0 or rank < best_rank):
                    best_rank = rank
            if best_rank < 0:
                return
            i = index_at[best_rank]
            self._leave_queue(i)
            self._start_connection(i, now)

    def _start_connection(self, i: int, now: float) -> None:
        """Applicant ``i``, out of the queue, takes its capacity; book the end if it has one."""
        self.state[i] = CONNECTED
        self.connect_time[i] = now
        self.ledger.connect(self.area_of[i], self.requested[i])
        end = now + self.lifetime[i]
        if end < self.horizon:
            self.env.call_at(end, self._on_release, i)

    def _leave_queue(self, i: int) -> None:
        area, category, mw = self.area_of[i], self.category_of[i], self.waiting_mw[i]
        self.queues[area].remove(self.rank_of[i])
        counts = self.queue_count[area]
        counts[category] -= 1
        if counts[category]:
            self.queue_mw[area][category] -= mw
        else:  # nobody left: exactly zero, not the rounding left over from the sums
            self.queue_mw[area][category] = 0.0
            self.idle[area][category] += self.idle_any[area] - self.idle_since[area][category]
        self.waiting_in_area[area] -= 1
        self.waiting_total -= 1

    def _apply_regime(self, regime: Regime, now: float) -> None:
        """Rank everyone under the new rules and rebuild the queues of those waiting.

        Speed: a list of an item per applicant takes 4-5 ms to turn into an array or back
        (on the peer workload), so each is converted once here, and only if needed.
        """
        self.regime = regime
        table = self.table
        state = None if not self.waiting_total and regime.categories is None \
            else np.array(self.state, dtype=np.int8)
        if regime.categories is not None:
            table = replace(table, labels={
                **table.labels, "category": Labels(regime.categories, CATEGORIES)})
            assert state is not None
            self._recategorise(regime.categories, state)
        ranks = regime.policy.ranks(table)
        holders = inverse_permutation(ranks)  # who holds each rank
        self.rank_of = ranks.tolist()
        self.index_at = holders.tolist()
        self.connects_on_arrival = regime.rounds is None
        if regime.rounds is None:
            self.queues = [make_queue(regime.allocation, len(ranks)) for _ in self.areas]
            self.round_held = self.nobody_held
        else:
            between = regime.rounds.between_rounds
            served = (table.priority_requested & np.isin(table.category_code, list(between)))
            served_between = served[holders].tolist()  # by rank
            self.round_held = HeldForRound()
            self.queues = [RoundsQueue(regime.allocation, len(ranks), served_between,
                                       self.round_held) for _ in self.areas]
        self.held = self.round_held
        if state is not None:  # before the run starts, say: nobody to put back
            for i in np.flatnonzero(state == WAITING).tolist():
                self.queues[self.area_of[i]].add(self.rank_of[i], self.fit_mw[i])
        self._sync_round(now)

    def _recategorise(self, categories: np.ndarray, state: np.ndarray) -> None:
        """New category definitions: those not yet connected or withdrawn take their new one.

        ``state`` is each applicant's state. Speed: the categories of every applicant change
        as an array; the queue's counts are summed over those waiting only, in id order as
        before.
        """
        self.category_in_force = np.where(state <= WAITING, categories, self.category_in_force)
        category_of = self.category_of = self.category_in_force.tolist()
        self._end_idle_spells()
        self.queue_count = [[0] * len(CATEGORIES) for _ in self.areas]
        self.queue_mw = [[0.0] * len(CATEGORIES) for _ in self.areas]
        for i in np.flatnonzero(state == WAITING).tolist():
            self.queue_count[self.area_of[i]][category_of[i]] += 1
            self.queue_mw[self.area_of[i]][category_of[i]] += self.waiting_mw[i]
        self.idle_since = [[self.idle_any[a]] * len(CATEGORIES) for a in range(len(self.areas))]

    def _accrue_idle(self, now: float) -> None:
        """Add capacity left free while someone waited, since the last change of state.

        Nothing accrues while nobody waits; the first to join restarts the clock. Speed: only
        each area's total accrues here, at every change; a category's share is the growth of
        that total over each spell in which one of its own waited (see :meth:`_join` and
        :meth:`_leave_queue`), taken when the spell ends rather than at every change.
        """
        if not self.waiting_total:
            return
        elapsed = now - self.last_change
        if elapsed <= 0:
            return
        self.last_change = now
        free_mw, idle_any = self.ledger.free_mw, self.idle_any
        if self.one_area:  # speed: the usual case, without the loop (someone waits there)
            if free_mw[0] > FIT_TOLERANCE_MW:
                idle_any[0] += free_mw[0] * elapsed
            return
        for area, waiting in enumerate(self.waiting_in_area):
            if waiting and free_mw[area] > FIT_TOLERANCE_MW:
                idle_any[area] += free_mw[area] * elapsed
        if self.areas_compete:
            self._accrue_shared_idle(elapsed)

    def _accrue_shared_idle(self, elapsed: float) -> None:
        """Add the grid's idle capacity by category, when the areas share an upstream limit.

        What those waiting could have used together is the free capacity of the areas they
        wait in, summed, but at most the upstream's free MW, which every area's free capacity
        includes. Per category, so at every change rather than per spell of waiting.
        """
        shared = self.ledger.area_free_mw(UPSTREAM)
        free_mw, by_category, total = self.ledger.free_mw, [0.0] * len(CATEGORIES), 0.0
        for area, counts in enumerate(self.queue_count):
            free = free_mw[area]
            if not self.waiting_in_area[area] or free <= FIT_TOLERANCE_MW:
                continue
            total += free
            for category, count in enumerate(counts):
                if count:
                    by_category[category] += free
        self.idle_shared_any += min(total, shared) * elapsed
        for category, free in enumerate(by_category):
            self.idle_shared[category] += min(free, shared) * elapsed

    def _end_idle_spells(self) -> None:
        """Close every spell of waiting still open: add its idle MW-years to its category."""
        for area, counts in enumerate(self.queue_count):
            for category, count in enumerate(counts):
                if count:
                    self.idle[area][category] += (self.idle_any[area]
                                                  - self.idle_since[area][category])
                    self.idle_since[area][category] = self.idle_any[area]
