"""Where applicants come from: the waiting list, Poisson streams and named projects.

One pure function, :func:`generate_applicants`, turns a scenario and a replication's random
streams into the table of every applicant who will ask for a connection before the end. The
draws do not depend on the queue policy, which is what makes policy comparisons paired.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from sim.inputs.applicants import (
    CATEGORIES,
    PRIORITY_CATEGORIES,
    TEXT_COLUMNS,
    ApplicantTable,
    Category,
    Labels,
)
from sim.inputs.distributions import Distribution
from sim.inputs.rng import RandomStreams
from sim.inputs.scenario import (
    DAYS_PER_YEAR,
    CategoryChange,
    OnsiteGeneration,
    Scenario,
    Stream,
    WaitingList,
    integrated_rate,
    starts_later,
)
from sim.inputs.waiting_list_csv import WaitingRows

__all__ = ["CSV_KEY", "arrival_times", "category_timeline", "generate_applicants", "onsite_for",
           "source_rows", "waiting_list_weights"]

CSV_KEY = "waiting_list:csv"
"""The name of a waiting-list CSV's draws: one generator per purpose for the whole file, of
which row ``i`` takes place ``i`` (:func:`_csv_waiting_list`)."""


def generate_applicants(
    scenario: Scenario, streams: RandomStreams, waiting_rows: WaitingRows | None = None
) -> ApplicantTable:
    """Every applicant of one replication, sorted by request time (waiting list first)."""
    parts: list[ApplicantTable] = []
    if waiting_rows is not None:
        parts.append(_csv_waiting_list(scenario, streams, waiting_rows))
    elif scenario.waiting_list is not None and scenario.waiting_list.count:
        parts.append(_generated_waiting_list(scenario, streams))
    for name, stream in scenario.streams.items():
        first, last = _period_years(scenario, stream)
        times = first + arrival_times(
            stream.rate_per_year, stream.growth_per_year, last - first,
            streams.generator("arrivals", name),
        )
        parts.append(_draw(scenario, streams, name, stream, times, key=name))
    if scenario.projects:
        parts.append(_projects(scenario))
    if not parts:
        return _empty()
    return ApplicantTable.concat_sorted(parts)


def source_rows(
    scenario: Scenario, table: ApplicantTable, waiting_rows: WaitingRows | None = None
) -> list[tuple[str, np.ndarray]]:
    """Each source's rows of ``table``, in the source's own order, with the key of its draws.

    For draws made per applicant once the sources are joined (who takes part in a capacity
    release), keyed as :func:`generate_applicants` keys the others: a stream by its name, its
    generated waiting-list applicants by 'waiting_list:<stream>', a waiting-list CSV's rows by
    :data:`CSV_KEY` in the file's order (row ``i`` takes place ``i`` of the draw, whatever
    rows follow), a named project by 'project:<name>'. Another source's requests shift every
    place in the joined table, never a source's own order. ``waiting_rows`` are those the
    table was drawn with.
    """
    source, stream = table.labels["source"], table.labels["stream"]
    if waiting_rows is None and scenario.waiting_list is not None \
            and scenario.waiting_list.csv is not None and "waiting_list" in source.values:
        raise ValueError("the table's waiting list was read from a CSV file: pass its rows, "
                         "without which its draws would be keyed as a generated list's")
    parts: list[tuple[str, np.ndarray]] = []
    for code, kind in enumerate(source.values):
        if kind == "project":
            parts += _split(np.flatnonzero(source.codes == code), table.labels["name"],
                            "project:")
        elif kind == "waiting_list" and waiting_rows is not None:
            order = np.argsort(_csv_times(scenario, waiting_rows), kind="stable")
            in_file_order = np.empty(len(order), dtype=np.int64)
            in_file_order[order] = np.flatnonzero(source.codes == code)
            parts.append((CSV_KEY, in_file_order))
    # Speed: the streams' rows found by one code of source and stream, one pass per stream
    # (a pass per source and then per stream took twice as long at 160,000 applicants).
    width = len(stream.values)
    combined = source.codes.astype(np.int64) * width + stream.codes
    for pair in np.flatnonzero(np.bincount(combined, minlength=len(source.values) * width)):
        kind, name = source.values[pair // width], stream.values[pair % width]
        if kind == "stream" or (kind == "waiting_list" and waiting_rows is None):
            prefix = "waiting_list:" if kind == "waiting_list" else ""
            parts.append((prefix + name, np.flatnonzero(combined == pair)))
    return parts


def _split(rows: np.ndarray, labels: Labels, prefix: str) -> list[tuple[str, np.ndarray]]:
    """``rows`` by their label, in their order, each keyed by ``prefix`` and the label."""
    codes = labels.codes[rows]
    return [(prefix + labels.values[int(c)], rows[codes == c])
            for c in np.flatnonzero(np.bincount(codes, minlength=len(labels.values)))]


def _period_years(scenario: Scenario, stream: Stream) -> tuple[float, float]:
    """When a stream's requests arrive, in years since the start (the whole run by default)."""
    period = stream.period
    first = period.start if period is not None and period.start is not None else scenario.start
    last = period.end if period is not None and period.end is not None else scenario.end
    return scenario.years_since_start(first), scenario.years_since_start(last)


def category_timeline(
    scenario: Scenario, table: ApplicantTable
) -> list[tuple[float, np.ndarray]]:
    """Each applicant's category (its place in ``CATEGORIES``) from each date a category changes.

    Empty when no stream or project changes category. A stream's changes apply to its
    requests, those of the waiting list included; a project's to the project of that name.
    Before the first of its own changes, each keeps the category of its request: a
    waiting-list row its own, whatever its stream's (another's change date changes nothing
    for it).
    """
    changing = [(table.labels["stream"].matches(name) & ~table.labels["source"].matches(
        "project"), stream.category_changes)
        for name, stream in scenario.streams.items() if stream.category_changes]
    projects = table.labels["source"].matches("project")
    changing += [(projects & table.labels["name"].matches(p.name), p.category_changes)
                 for p in scenario.projects if p.category_changes]
    dates = sorted({c.date for _, changes in changing for c in changes})
    timeline = []
    for date in dates:
        codes = table.category_code.astype(np.int32)
        for rows, changes in changing:
            moved_to = _last_change_by(changes, date)
            if moved_to is not None:
                codes[rows] = CATEGORIES.index(moved_to)
        timeline.append((scenario.years_since_start(date), codes))
    return timeline


def _category_on(base: str, changes: list[CategoryChange], date: dt.date) -> str:
    """The category in force on ``date``: the last change on or before it, else ``base``."""
    moved_to = _last_change_by(changes, date)
    return base if moved_to is None else moved_to


def _last_change_by(changes: list[CategoryChange], date: dt.date) -> str | None:
    """The category of the last change on or before ``date``; None before the first."""
    current = None
    for change in changes:
        if change.date <= date:
            current = change.category
    return current


def _categories_at(
    scenario: Scenario, base: str, changes: list[CategoryChange], times: np.ndarray
) -> Labels:
    """Each request's category at its request time."""
    if not changes:
        return Labels.repeat(base, len(times))
    values = (base, *(c.category for c in changes))
    change_times = [scenario.years_since_start(c.date) for c in changes]
    codes = np.searchsorted(change_times, times, side="right").astype(np.int32)
    return Labels(codes, values)


def _asking_category(base: Category, changes: list[CategoryChange]) -> Category:
    """The category whose priority uptake applies: the first with priority the requests get.

    Whether an applicant asks for priority is drawn once; a request of a stream that moves
    into a priority category asks with that category's uptake.
    """
    for category in (base, *(c.category for c in changes)):
        if category in PRIORITY_CATEGORIES:
            return category
    return base


def arrival_times(
    rate_per_year: float, growth_per_year: float, horizon_years: float, rng: np.random.Generator
) -> np.ndarray:
    """Arrival times of a Poisson process with rate ``rate * (1 + growth) ** t`` on [0, horizon).

    Exact: the count is Poisson with the integrated rate, and the times are sorted uniform
    draws on the integrated-rate scale mapped back through its inverse.
    """
    if rate_per_year <= 0:
        return np.zeros(0)
    log_growth = math.log1p(growth_per_year)
    total = integrated_rate(rate_per_year, growth_per_year, horizon_years)
    count = rng.poisson(total)
    cumulative = np.sort(rng.uniform(0.0, total, count))
    if abs(log_growth) < 1e-12:
        return cumulative / rate_per_year
    return np.log1p(cumulative * log_growth / rate_per_year) / log_growth


def onsite_for(
    scenario: Scenario, stream: Stream | None, category: Category
) -> OnsiteGeneration | None:
    """The on-site generation setting that applies: the stream's, the category's, the default."""
    if stream is not None and stream.onsite_generation is not None:
        return stream.onsite_generation
    defaults = scenario.onsite_generation
    if defaults is None:
        return None
    return defaults.by_category.get(category, defaults)


def _self_supply(
    onsite: OnsiteGeneration | None, streams: RandomStreams, key: str, size: int
) -> np.ndarray:
    """Fraction of demand generated on site, per applicant (zero for those who do not adopt)."""
    if onsite is None or size == 0:
        return np.zeros(size)
    adopts = streams.generator("onsite_adoption", key).random(size) < onsite.share
    cover = onsite.cover.sample(streams.generator("onsite_cover", key), size)
    return np.where(adopts, cover, 0.0)


def _priority(
    scenario: Scenario, streams: RandomStreams, key: str, category: Category, size: int
) -> np.ndarray:
    """Whether each applicant asks for priority: each does with the category's uptake.

    Speed: with an uptake of 0 or 1 (the defaults) the answer is known without drawing, as
    the draws lie in [0, 1); each draw has a generator of its own, so none other changes.
    """
    uptake = scenario.priority_uptake.get(category, 0.0)
    if uptake in (0.0, 1.0):
        return np.full(size, uptake == 1.0)
    return streams.generator("priority", key).random(size) < uptake


def _draw(
    scenario: Scenario,
    streams: RandomStreams,
    stream_name: str,
    stream: Stream,
    times: np.ndarray,
    key: str,
    source: str = "stream",
) -> ApplicantTable:
    """Attributes of ``len(times)`` applicants of one stream, each from its own generator."""
    size = len(times)
    demand = stream.demand_mw.sample(streams.generator("demand", key), size)
    self_supply = _self_supply(onsite_for(scenario, stream, stream.category), streams, key, size)
    optional = {
        "patience_years": stream.patience_years,
        "lifetime_years": stream.lifetime_years,
    }
    durations = {
        column: np.full(size, np.inf) if spec is None
        else spec.sample(streams.generator(column.split("_")[0], key), size)
        for column, spec in optional.items()
    }
    jobs = np.rint(stream.jobs.sample(streams.generator("jobs", key), size)).astype(np.int64)
    area = stream.area or scenario.area_names[0]
    homes = None
    if stream.homes_per_request is not None:
        drawn = stream.homes_per_request.sample(streams.generator("homes", key), size)
        homes = np.maximum(np.rint(drawn), 1).astype(np.int64)
        demand = demand * homes  # on-site generation then covers a share of the whole block
    asking = _asking_category(stream.category, stream.category_changes)
    partial = None
    if stream.partial_offer is not None:
        accepts = streams.generator("partial", key).random(size) < stream.partial_offer.accept_share
        partial = np.where(accepts, stream.partial_offer.min_share, 1.0)
    existing = None
    if stream.expansion is not None:
        rng = streams.generator("expansion", key)
        expands = rng.random(size) < stream.expansion.share
        existing = np.where(expands, stream.expansion.existing_mw.sample(rng, size), 0.0)
    non_firm_right, keeps_place = _non_firm_offers(scenario, streams, stream, key, size)
    efficiency = None
    if stream.efficiency is not None:
        efficiency = stream.efficiency.sample(streams.generator("efficiency", key), size)
    return ApplicantTable(
        labels={
            "name": Labels.repeat("", size),
            "source": Labels.repeat(source, size),
            "stream": Labels.repeat(stream_name, size),
            "category": _categories_at(scenario, stream.category, stream.category_changes,
                                       np.asarray(times, dtype=float)),
            "area": Labels.repeat(area, size),
        },
        request_time=np.asarray(times, dtype=float),
        demand_mw=demand,
        requested_mw=demand * (1.0 - self_supply),
        self_supply=self_supply,
        jobs=jobs,
        priority_requested=_priority(scenario, streams, key, asking, size),
        patience_years=durations["patience_years"],
        lifetime_years=durations["lifetime_years"],
        homes=homes,  # type: ignore[arg-type]  # None: the table fills in its default
        partial_min_share=partial,  # type: ignore[arg-type]  # None: likewise
        existing_mw=existing,  # type: ignore[arg-type]  # None: likewise
        non_firm_right=non_firm_right,  # type: ignore[arg-type]  # None: likewise
        keeps_firm_place=keeps_place,  # type: ignore[arg-type]  # None: likewise
        efficiency=efficiency,  # type: ignore[arg-type]  # None: likewise
    )


def _non_firm_offers(
    scenario: Scenario, streams: RandomStreams, source: Stream | WaitingList, key: str, size: int
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Who accepts a non-firm right (its code, else -1) and who keeps its place.

    ``source`` is the stream the applicants come from, or the waiting list for CSV rows that
    name no stream.
    """
    offer = source.non_firm
    if offer is None or scenario.non_firm is None:
        return None, None
    rng = streams.generator("non_firm", key)
    accepts = rng.random(size) < offer.accept_share
    keeps = rng.random(size) < offer.keep_firm_place_share
    code = list(scenario.non_firm.rights).index(offer.right)
    return np.where(accepts, code, -1), keeps | ~accepts


def waiting_list_weights(scenario: Scenario) -> list[float]:
    """Each stream's weight in a generated waiting list, in the order of the streams.

    Its ``mix``, or else the stream's rate (0 for a stream that starts later: nobody of it is
    on the list). One draw picks every listed applicant's stream by these weights, so each
    stream's listed applicants depend on all of them.
    """
    waiting = scenario.waiting_list
    assert waiting is not None
    return [(waiting.mix or {}).get(n, 0.0) if waiting.mix is not None
            else 0.0 if starts_later(scenario, stream)
            else stream.rate_per_year for n, stream in scenario.streams.items()]


def _generated_waiting_list(scenario: Scenario, streams: RandomStreams) -> ApplicantTable:
    """``count`` applicants spread uniformly over past request dates, by the stream mix."""
    waiting = scenario.waiting_list
    assert waiting is not None and waiting.count is not None and waiting.earliest is not None
    names = list(scenario.streams)
    weights = np.array(waiting_list_weights(scenario), dtype=float)
    rng = streams.generator("waiting_list")
    chosen = rng.choice(len(names), size=waiting.count, p=weights / weights.sum())
    earliest = scenario.years_since_start(waiting.earliest)
    latest = scenario.years_since_start(waiting.latest or scenario.start)
    times = rng.uniform(earliest, latest, waiting.count)
    parts = []
    for index, name in enumerate(names):
        mine = np.sort(times[chosen == index])
        if len(mine):
            parts.append(_draw(scenario, streams, name, scenario.streams[name], mine,
                               key=f"waiting_list:{name}", source="waiting_list"))
    return ApplicantTable.concat_sorted(parts) if parts else _empty()


def _csv_waiting_list(
    scenario: Scenario, streams: RandomStreams, rows: WaitingRows
) -> ApplicantTable:
    """The planner's own list; what a row leaves out is drawn from its stream or defaults.

    Each draw is keyed by the purpose and the row's place in the file (:func:`_csv_drawn`),
    so rows added below, or another row's stream changed, leave a row's draws as they were.
    """
    size = len(rows)
    waiting = scenario.waiting_list
    assert waiting is not None
    groups = _row_groups(scenario, rows)
    missing = np.isnan(np.asarray(rows.self_supply, dtype=float))
    unscored = np.asarray(rows.efficiency, dtype=float) == -np.inf
    patience = _csv_drawn(streams, "patience", size, [
        (s.patience_years if s else waiting.patience_years, mine) for s, _, mine in groups])
    lifetime = _csv_drawn(streams, "lifetime", size, [
        (s.lifetime_years if s else None, mine) for s, _, mine in groups])
    efficiency = np.where(unscored, _csv_drawn(streams, "efficiency", size, [
        (s.efficiency if s else waiting.efficiency, mine[unscored[mine]])
        for s, _, mine in groups], fill=-np.inf), rows.efficiency)
    onsite = _csv_self_supply(scenario, streams, groups, missing, size)
    first_area = scenario.area_names[0]  # built anew on each call: once, not once a row
    self_supply = np.where(missing, onsite, rows.self_supply)
    non_firm_right, keeps_place = _csv_non_firm(scenario, streams, groups, size)
    return ApplicantTable(
        labels={
            "name": Labels.encode(rows.name),
            "source": Labels.repeat("waiting_list", size),
            "stream": Labels.encode(s or "waiting_list" for s in rows.stream),
            "category": Labels.encode(rows.category),
            "area": Labels.encode(a or first_area for a in rows.area),
        },
        request_time=_csv_times(scenario, rows),
        demand_mw=rows.demand_mw,
        requested_mw=rows.demand_mw * (1.0 - self_supply),
        self_supply=self_supply,
        jobs=np.rint(rows.jobs).astype(np.int64),
        priority_requested=_csv_priority(scenario, streams, groups, rows),
        patience_years=patience,
        lifetime_years=lifetime,
        partial_min_share=_csv_partial(streams, groups, waiting, size),
        efficiency=efficiency,
        non_firm_right=non_firm_right,
        keeps_firm_place=keeps_place,
    )


RowGroup = tuple[Stream | None, Category, np.ndarray]
"""A CSV's rows of one stream (None: naming none) and category, by their places in the file."""


def _row_groups(scenario: Scenario, rows: WaitingRows) -> list[RowGroup]:
    """The file's rows grouped by stream and category: what decides how their draws are made."""
    places: dict[tuple[str | None, Category], list[int]] = {}
    for i, key in enumerate(zip(rows.stream, rows.category, strict=True)):
        places.setdefault(key, []).append(i)
    return [(scenario.streams.get(name or ""), category, np.array(mine, dtype=np.int64))
            for (name, category), mine in places.items()]


def _csv_drawn(
    streams: RandomStreams, purpose: str, size: int,
    specs: list[tuple[Distribution | None, np.ndarray]], fill: float = np.inf,
) -> np.ndarray:
    """Each CSV row's draw for ``purpose`` from its distribution (``fill`` where it has none).

    Row ``i`` takes place ``i`` of a draw for the whole file, one per distinct distribution,
    each from a fresh generator keyed by the purpose alone: every family's ``sample`` is
    prefix-stable (its first k values do not depend on how many follow), so a row's value
    depends only on its place, the purpose and its distribution. A row whose distribution
    changes within a family (another mean) keeps its underlying random number.
    Speed: one generator per distribution, where one per row cost 12-25 us a row.
    """
    drawn = np.full(size, fill)
    merged: list[tuple[Distribution, list[np.ndarray]]] = []
    for spec, mine in specs:
        if spec is None or not len(mine):
            continue
        same = next((parts for known, parts in merged if known == spec), None)
        if same is None:
            merged.append((spec, [mine]))
        else:
            same.append(mine)
    for spec, parts in merged:
        mine = np.concatenate(parts)
        drawn[mine] = spec.sample(streams.generator(purpose, CSV_KEY), int(mine.max()) + 1)[mine]
    return drawn


def _csv_uniform(streams: RandomStreams, purpose: str, size: int, width: int = 1) -> np.ndarray:
    """Uniforms in [0, 1) for ``purpose``, ``width`` to a row, row ``i`` taking row ``i``."""
    return streams.generator(purpose, CSV_KEY).random((size, width))


def _csv_partial(
    streams: RandomStreams, groups: list[RowGroup], waiting: WaitingList, size: int
) -> np.ndarray:
    """Each CSV row's least share of a partial offer it accepts (1: it accepts none)."""
    offers = [(s.partial_offer if s else waiting.partial_offer, mine) for s, _, mine in groups]
    partial = np.ones(size)
    if any(offer is not None for offer, _ in offers):
        draws = _csv_uniform(streams, "partial", size)[:, 0]
        for offer, mine in offers:
            if offer is not None:
                accepts = mine[draws[mine] < offer.accept_share]
                partial[accepts] = offer.min_share
    return partial


def _csv_non_firm(
    scenario: Scenario, streams: RandomStreams, groups: list[RowGroup], size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Which non-firm right each CSV row accepts (its code, else -1) and who keeps its place.

    A row's two draws (accepts, keeps its place) are a pair of its own, so rows added below
    change neither.
    """
    waiting = scenario.waiting_list
    assert waiting is not None
    right = np.full(size, -1, dtype=np.int64)
    keeps = np.ones(size, dtype=bool)
    offers = [((s or waiting).non_firm, mine) for s, _, mine in groups]
    if scenario.non_firm is None or all(offer is None for offer, _ in offers):
        return right, keeps
    draws = _csv_uniform(streams, "non_firm", size, width=2)
    rights = list(scenario.non_firm.rights)
    for offer, mine in offers:
        if offer is not None:
            accepts = draws[mine, 0] < offer.accept_share
            right[mine] = np.where(accepts, rights.index(offer.right), -1)
            keeps[mine] = (draws[mine, 1] < offer.keep_firm_place_share) | ~accepts
    return right, keeps


def _csv_self_supply(
    scenario: Scenario, streams: RandomStreams, groups: list[RowGroup], missing: np.ndarray,
    size: int,
) -> np.ndarray:
    """The share of demand each CSV row generates on site, drawn as its stream's would be.

    Used where the row gives none (``missing``); the adoption and the cover of row ``i`` are
    place ``i`` of their purposes' draws.
    """
    onsite = []
    for stream, category, mine in groups:
        setting = onsite_for(scenario, stream, category)
        if setting is not None and missing[mine].any():
            onsite.append((setting, mine[missing[mine]]))
    supply = np.zeros(size)
    if not onsite:
        return supply
    adoption = _csv_uniform(streams, "onsite_adoption", size)[:, 0]
    cover = _csv_drawn(streams, "onsite_cover", size,
                       [(setting.cover, mine) for setting, mine in onsite], fill=0.0)
    for setting, mine in onsite:
        supply[mine] = np.where(adoption[mine] < setting.share, cover[mine], 0.0)
    return supply


def _csv_priority(
    scenario: Scenario, streams: RandomStreams, groups: list[RowGroup], rows: WaitingRows
) -> np.ndarray:
    """Whether each CSV row asks for priority: as the file says, else drawn with the uptake.

    A row of a stream that moves into a priority category asks as the stream's requests do;
    one whose categories hold no priority never asks.
    """
    size = len(rows)
    stated = np.array([asked is True for asked in rows.priority_requested], dtype=bool)
    open_ = np.array([asked is None for asked in rows.priority_requested], dtype=bool)
    priority = np.zeros(size, dtype=bool)
    draws: np.ndarray | None = None
    for stream, category, mine in groups:
        asking = _asking_category(category, stream.category_changes if stream else [])
        if asking == "other":
            continue
        priority[mine] = stated[mine]
        undecided = mine[open_[mine]]
        if len(undecided):
            if draws is None:
                draws = _csv_uniform(streams, "priority", size)[:, 0]
            uptake = scenario.priority_uptake.get(asking, 0.0)
            priority[undecided] = draws[undecided] < uptake
    return priority


def _csv_times(scenario: Scenario, rows: WaitingRows) -> np.ndarray:
    """Each CSV row's request time (years since the start), in the file's order.

    Whole days over :data:`DAYS_PER_YEAR`, as :meth:`Scenario.years_since_start` gives one.
    """
    days = (np.array(rows.request_date, dtype="datetime64[D]")
            - np.datetime64(scenario.start, "D")).astype(float)
    return days / DAYS_PER_YEAR


def _projects(scenario: Scenario) -> ApplicantTable:
    projects = scenario.projects
    demand = np.array([p.demand_mw for p in projects], dtype=float)
    self_supply = np.array([p.self_supply for p in projects], dtype=float)
    return ApplicantTable(
        labels={
            "name": Labels.encode(p.name for p in projects),
            "source": Labels.repeat("project", len(projects)),
            "stream": Labels.repeat("project", len(projects)),
            "category": Labels.encode(_category_on(p.category, p.category_changes, p.date)
                                      for p in projects),
            "area": Labels.encode(p.area or scenario.area_names[0] for p in projects),
        },
        request_time=np.array([scenario.years_since_start(p.date) for p in projects]),
        demand_mw=demand,
        requested_mw=demand * (1.0 - self_supply),
        self_supply=self_supply,
        jobs=np.array([p.jobs for p in projects], dtype=np.int64),
        priority_requested=np.array(
            [p.priority_requested and _asking_category(p.category, p.category_changes) != "other"
             for p in projects], dtype=bool),
        patience_years=np.array([p.patience_years or np.inf for p in projects]),
        lifetime_years=np.array([p.lifetime_years or np.inf for p in projects]),
        partial_min_share=np.array([p.partial_min_share or 1.0 for p in projects]),
        existing_mw=np.array([p.existing_mw for p in projects], dtype=float),
        non_firm_right=np.array([_right_code(scenario, p.non_firm_right) for p in projects],
                                dtype=np.int64),
        keeps_firm_place=np.array([p.keep_firm_place for p in projects], dtype=bool),
        efficiency=np.array([-np.inf if p.efficiency is None else p.efficiency
                             for p in projects], dtype=float),
    )


def _right_code(scenario: Scenario, right: str | None) -> int:
    """A non-firm right's place in the scenario's rights (-1: none)."""
    if right is None or scenario.non_firm is None:
        return -1
    return list(scenario.non_firm.rights).index(right)


def _empty() -> ApplicantTable:
    """A table of no applicants (a scenario with no streams, waiting list or projects)."""
    none = np.zeros(0)
    return ApplicantTable(
        labels={name: Labels.encode([]) for name in TEXT_COLUMNS},
        request_time=none, demand_mw=none, requested_mw=none, self_supply=none,
        jobs=np.zeros(0, dtype=np.int64), priority_requested=np.zeros(0, dtype=bool),
        patience_years=none, lifetime_years=none,
    )
