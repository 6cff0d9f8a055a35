"""Like with like: which applicants a question compares, the same ones in both scenarios.

A variant that adds a stream or a named project (homes, small connections, a campus) or moves
a stream into another category (the 2026 framework) changes who is in a category. Comparing
the category as a whole then mixes who is in it with how long they wait: homes are small and
connected quickly, so adding them shortens the basic-needs mean even if every school waits
longer. Each question therefore compares the applicants of the streams and projects that both
scenarios have, drawn alike and in the same categories, and sets each other stream or project
apart (see :data:`sim.runs.metrics.POPULATIONS`): one the variant draws differently (another
rate, say) is compared on its own. Each stream draws from random streams of its own, so the
others are still the same applicants. Only a variant that draws every stream both have
differently (each rate split over areas, say) leaves none to match: it is compared in every
applicant, and its answer says that this is not like with like; a waiting list only one of
the two has, or another list in each, is still set apart, as one group, for its applicants
are people the other scenario does not have.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from sim.analysis.differences import (
    NOT_DRAWN_BY_STREAM,
    NOT_DRAWN_BY_WAITING_LIST,
    PLACED_NOT_DRAWN,
    Population,
    csv_digest,
    draws_key,
)
from sim.errors import listed
from sim.inputs.applicants import CATEGORIES
from sim.inputs.scenario import DAYS_PER_YEAR, CategoryChange, Scenario
from sim.inputs.sources import waiting_list_weights
from sim.runs.areas import asked_in
from sim.runs.metrics import (
    AREA_CHANGED,
    BY_AREA,
    CATEGORY_CHANGED,
    DRAWN_DIFFERENTLY,
    EVERY_APPLICANT,
    IN_BOTH,
    ONLY_IN_REFERENCE,
    ONLY_IN_VARIANT,
    PERIODS_DIFFER,
    STREAMS_DIFFER,
    WAITING_LIST,
    replication_metrics,
)
from sim.runs.results import Results

__all__ = [
    "areas_by_origin",
    "areas_not_compared",
    "by_area",
    "categories_by_origin",
    "category_timelines",
    "definitions",
    "different_periods",
    "drawn_alike",
    "metrics_where",
    "origins",
    "population_metrics",
    "question_populations",
    "same_draws",
    "waiting_list_text",
]


def origins(applicants: pd.DataFrame) -> np.ndarray:
    """Where each applicant comes from: its stream, its project's name, or the waiting list.

    Applicants of a stream drawn onto the waiting list at the start are an origin of their
    own, '<stream> (waiting list)', so a scenario that adds a waiting list sets it apart.
    """
    source = applicants["source"].astype(str).to_numpy()
    stream = applicants["stream"].fillna("").astype(str).to_numpy(dtype=str)
    name = applicants["name"].fillna("").astype(str).to_numpy()
    listed = np.where(stream == UNSTREAMED_LABEL, UNSTREAMED,
                      np.char.add(stream, LISTED)).astype(object)
    return np.where(source == "project", name,
                    np.where(source == "waiting_list", listed, stream)).astype(object)


LISTED = " (waiting list)"
"""Ends the origin of a stream's applicants on the waiting list: 'storage (waiting list)'."""

UNSTREAMED_LABEL, UNSTREAMED = "waiting_list", "waiting list (rows naming no stream)"
"""The stream ``applicants.csv`` gives a waiting-list CSV's rows that name none, and their
origin: drawn by the file alone, so another file sets them apart."""


def categories_by_origin(applicants: pd.DataFrame) -> dict[str, frozenset[str]]:
    """The categories each origin's applicants hold, at their request or later.

    Origins in the order they first appear, so answers name them in a stable order. Speed:
    only the distinct kinds of applicant are looked at (reading a category of every applicant
    in Python took 7 of the 70 s of the Flevoland family's comparisons).
    """
    kinds = applicants[["source", "stream", "name", "category", "final_category"]]
    kinds = kinds.drop_duplicates()  # the first of each kind, in order
    frame = pd.DataFrame({
        "origin": origins(kinds),
        "category": kinds["category"].astype(str).to_numpy(),
        "final": kinds["final_category"].astype(str).to_numpy(),
    })
    held: dict[str, frozenset[str]] = {}
    for origin, rows in frame.groupby("origin", sort=False):
        held[str(origin)] = frozenset(rows["category"]) | frozenset(rows["final"])
    return held


def category_timelines(scenario: Scenario) -> dict[str, str]:
    """Each origin's category and its later changes with their dates, as comparable text.

    Origins as :func:`definitions` names them. Two scenarios whose texts agree put an
    origin's requests in the same category on every date; the same categories at other
    dates or in another order do not (a change moved to a later date leaves the requests of
    the years between in the old category), though the applicants hold the same categories.
    A waiting-list row keeps the request category its file gives it and its stream's changes
    apply to it; the rows that name no stream keep the file's categories.
    """
    def text(category: str, changes: list[CategoryChange]) -> str:
        return json.dumps([category, [[str(c.date), c.category] for c in changes]])

    timelines = {name: text(stream.category, stream.category_changes)
                 for name, stream in scenario.streams.items()}
    timelines |= {f"{name}{LISTED}": timeline for name, timeline in timelines.items()}
    timelines |= {project.name: text(project.category, project.category_changes)
                  for project in scenario.projects}
    return timelines | {UNSTREAMED: ""}


def by_area(reference: Results, variant: Results) -> list[Population]:
    """Each area's applicants, where both runs put every origin in the same areas (else none).

    Asked only where everyone is compared like with like (or some origins only change
    category), and only where each stream, project or waiting list asks in the same areas
    in both: an area's applicants are then the same in both, as everyone's are (``by_area``
    rows; ``origin`` names the area). A
    stream moved to another area would make both areas' applicants other businesses. The
    areas both runs have, in the reference's order, without those nobody asked in.
    """
    theirs, mine = (asked_in(results.areas) for results in (reference, variant))
    areas = [area for area in theirs if area in mine]
    if len(areas) < 2 or areas_by_origin(reference.applicants) != areas_by_origin(
            variant.applicants):
        return []
    return [Population(BY_AREA, area, _of_area(reference, area), _of_area(variant, area))
            for area in areas]


def areas_not_compared(reference: Results, variant: Results, populations: list[Population],
                       labels: tuple[str, str]) -> str:
    """Why a pair of scenarios with several grid areas each compares no area ('' otherwise).

    A planner of a grid split into areas expects each area's answer (:func:`by_area`); an
    answer without them, and without a word, reads as if the areas had not moved. ``labels``
    names the variant and the reference: '<variant> against <reference>: grid areas not
    compared one by one, as ...'.
    """
    runs = dict(zip(labels, (variant, reference), strict=True))
    if any(len(results.scenario.grid.areas or {}) < 2 for results in runs.values()) \
            or any(p.kind == BY_AREA for p in populations):
        return ""
    older = [label for label, results in runs.items() if results.areas.empty]
    mine, theirs = (list(results.scenario.grid.areas or {}) for results in (variant, reference))
    asked = [area for area in asked_in(reference.areas) if area in asked_in(variant.areas)]
    kinds = {p.kind for p in populations}
    moved = _areas_moved(reference, variant, into_any=True)
    if older:
        why = (f"the results folder of {listed(older)} has no areas.csv (written by an "
               "earlier gridqueue); run it again to compare its areas")
    elif len([area for area in theirs if area in mine]) < 2:
        why = f"they share fewer than two grid areas ({listed(mine)} against {listed(theirs)})"
    elif PERIODS_DIFFER in kinds or STREAMS_DIFFER in kinds:
        why = "their applicants are not compared like with like"
    elif kinds & {ONLY_IN_VARIANT, ONLY_IN_REFERENCE, DRAWN_DIFFERENTLY}:
        apart = list(dict.fromkeys(p.origin for p in populations if p.kind in (
            ONLY_IN_VARIANT, ONLY_IN_REFERENCE, DRAWN_DIFFERENTLY)))
        why = (f"{listed(apart)} {'is' if len(apart) == 1 else 'are'} set apart, so an "
               "area's applicants are not the same businesses in both")
    elif moved:
        why = (f"{listed(moved)} {'asks' if len(moved) == 1 else 'ask'} in other areas in "
               f"{labels[0]}, so an area's applicants are not the same businesses in both")
    elif len(asked) < 2:
        why = f"only {asked[0]} has applicants" if asked else "no area has applicants"
    else:
        return ""
    return f"{labels[0]} against {labels[1]}: grid areas not compared one by one, as {why}"


def _areas_moved(reference: Results, variant: Results, into_any: bool = False) -> list[str]:
    """The origins both runs have whose applicants ask in other areas in the variant.

    Only between two grids of several areas each, moved between areas both have (or, with
    ``into_any``, to or from an area only one has): a grid merged into one area, split, or
    with an area renamed puts everyone in another area without anyone having moved.
    """
    names = [set(results.scenario.area_names) for results in (reference, variant)]
    if any(len(areas) < 2 for areas in names):
        return []
    theirs, mine = (areas_by_origin(results.applicants) for results in (reference, variant))
    shared = names[0] & names[1]
    return [origin for origin in mine if origin in theirs and mine[origin] != theirs[origin]
            and (into_any or mine[origin] | theirs[origin] <= shared)]


def areas_by_origin(applicants: pd.DataFrame) -> dict[str, frozenset[str]]:
    """The grid areas each origin's applicants ask in (as :func:`categories_by_origin`)."""
    kinds = applicants[["source", "stream", "name", "area"]].drop_duplicates()
    frame = pd.DataFrame({"origin": origins(kinds), "area": kinds["area"].astype(str).to_numpy()})
    return {str(origin): frozenset(rows["area"])
            for origin, rows in frame.groupby("origin", sort=False)}


def _of_area(results: Results, area: str) -> pd.DataFrame:
    """One area's per-replication figures, as ``replication_metrics.csv`` holds everyone's."""
    rows = results.area_metrics
    return rows[rows["area"].astype(str) == area].drop(columns="area").reset_index(drop=True)


def question_populations(reference: Results, variant: Results) -> list[Population]:
    """The populations a question compares: everyone, or those in both and each set apart.

    Runs of different periods compare everyone, marked as not like with like
    (:func:`different_periods`).

    Everyone when both scenarios have the same streams and projects, drawn alike
    (:func:`definitions`), in the same categories. Otherwise the applicants of the origins
    both have, drawn alike, in the same categories; then each origin only the variant has
    (its own figures), each only the reference has (the reference's figures of it: the
    variant removed it, and the answers say whom the comparison leaves out), each whose
    category changes (its applicants in both, compared as one group, paired as its own draws
    are: another stream redrawn leaves them as they were) and each the variant
    draws differently (the same, unpaired: other applicants). When some origin is drawn
    differently and no stream both have is drawn alike in the same category (a named project
    alone may be), there is nobody to match but a project or two: everyone, marked, but
    for a waiting list that is not the same in both, set apart (:func:`_streams_differ`).
    Everyone compared in a grid of the same several areas in both comes with each area's
    applicants too (:func:`by_area`), and so do the applicants of both when the only origins
    set apart changed category. Last, each origin compared in its categories that asks in
    other areas in the variant, on its own as well (``area_changed``): what the move does to
    those who moved.
    """
    periods = different_periods(reference.scenario, variant.scenario)
    if periods:
        return [Population(PERIODS_DIFFER, periods, reference.replication_metrics,
                           variant.replication_metrics)]
    mine = categories_by_origin(variant.applicants)
    theirs = categories_by_origin(reference.applicants)
    drawn = {"reference": definitions(reference.scenario),
             "variant": definitions(variant.scenario)}
    redrawn = [o for o in mine if o in theirs
               and drawn["reference"].get(o) != drawn["variant"].get(o)]
    moved = _moved(reference.scenario, variant.scenario, theirs, mine)
    same = [o for o in mine if o in theirs and o not in redrawn and o not in moved]
    projects = {project.name for project in reference.scenario.projects}
    if redrawn and all(o in projects for o in same):
        return _streams_differ(reference, variant, redrawn, mine, theirs)
    relocated = [o for o in _areas_moved(reference, variant) if o in same
                 and o not in projects]  # a named project's dates say more (the answer's)
    elsewhere = [Population(AREA_CHANGED, o, population_metrics(reference, [o]),
                            population_metrics(variant, [o]),
                            paired=drawn_alike(reference, variant, [o])) for o in relocated]
    if len(same) == len(mine) == len(theirs):
        return [Population(EVERY_APPLICANT, "", reference.replication_metrics,
                           variant.replication_metrics), *by_area(reference, variant),
                *elsewhere]
    populations = [Population(IN_BOTH, "", population_metrics(reference, same),
                              population_metrics(variant, same),
                              paired=drawn_alike(reference, variant, same))]
    populations += [Population(ONLY_IN_VARIANT, o, None, population_metrics(variant, [o]))
                    for o in mine if o not in theirs]
    populations += [Population(ONLY_IN_REFERENCE, o, None, population_metrics(reference, [o]))
                    for o in theirs if o not in mine]
    populations += [Population(CATEGORY_CHANGED, o, population_metrics(reference, [o]),
                               population_metrics(variant, [o]),
                               paired=drawn_alike(reference, variant, [o]))
                    for o in mine if o not in redrawn and o in moved]
    populations += [Population(DRAWN_DIFFERENTLY, o, population_metrics(reference, [o]),
                               population_metrics(variant, [o]), paired=False)
                    for o in redrawn]
    if all(p.kind in (IN_BOTH, CATEGORY_CHANGED) for p in populations):
        # Only categories changed: each area's applicants are still the same businesses.
        populations += by_area(reference, variant)
    return populations + elsewhere


def _streams_differ(reference: Results, variant: Results, redrawn: list[str],
                    mine: dict[str, frozenset[str]],
                    theirs: dict[str, frozenset[str]]) -> list[Population]:
    """Every applicant, not like with like, but for those only one scenario can have.

    No stream both have is drawn alike, so everyone is compared (``streams_differ``). But a
    waiting list only one scenario has is no stream drawn at another rate: it is applicants
    the other never has, and counted in, the 32 of 50 listed applicants who withdrew read as
    the variant's withdrawals. Its applicants are set apart, as one group named with its size
    (:data:`WAITING_LIST`): only in the variant, only in the reference (left out), or, where
    both have lists that differ (:func:`waiting_list_text`), both lists drawn differently.
    The same list in both stays in everyone, as it is the same in each. So is a named
    project only one scenario has set apart, as it is where streams are drawn alike: one
    business, whose own figures and dates the answer gives.
    """
    lists = [waiting_list_text(results.scenario) for results in (reference, variant)]
    apart_theirs = [o for o in theirs if _listed(o)] if lists[0] != lists[1] else []
    apart_mine = [o for o in mine if _listed(o)] if lists[0] != lists[1] else []
    named = [{project.name for project in results.scenario.projects}
             for results in (reference, variant)]
    own_mine = [o for o in mine if o in named[1] and o not in theirs]
    own_theirs = [o for o in theirs if o in named[0] and o not in mine]
    differ = [o for o in [*redrawn, *(o for o in mine if o not in theirs)]
              if o not in apart_mine and o not in own_mine]
    if not (apart_theirs or apart_mine or own_mine or own_theirs):
        return [Population(STREAMS_DIFFER, ", ".join(differ), reference.replication_metrics,
                           variant.replication_metrics)]
    left_theirs, left_mine = {*apart_theirs, *own_theirs}, {*apart_mine, *own_mine}
    populations = [Population(
        STREAMS_DIFFER, ", ".join(differ),
        population_metrics(reference, [o for o in theirs if o not in left_theirs]),
        population_metrics(variant, [o for o in mine if o not in left_mine]))]
    if apart_theirs and apart_mine:
        populations.append(Population(
            DRAWN_DIFFERENTLY, WAITING_LIST, population_metrics(reference, apart_theirs),
            population_metrics(variant, apart_mine), paired=False))
    elif apart_mine or apart_theirs:
        kind, results, listed = ((ONLY_IN_VARIANT, variant, apart_mine) if apart_mine
                                 else (ONLY_IN_REFERENCE, reference, apart_theirs))
        populations.append(Population(kind, _sized_list(results), None,
                                      population_metrics(results, listed)))
    populations += [Population(ONLY_IN_VARIANT, o, None, population_metrics(variant, [o]))
                    for o in own_mine]
    populations += [Population(ONLY_IN_REFERENCE, o, None, population_metrics(reference, [o]))
                    for o in own_theirs]
    return populations


def _listed(origin: str) -> bool:
    """Whether an origin's applicants are on the waiting list (:func:`origins`)."""
    return origin.endswith(LISTED) or origin == UNSTREAMED


def _sized_list(results: Results) -> str:
    """'the waiting list (50 applicants)': the list and how many it holds per replication."""
    applicants = results.applicants
    listed = applicants["source"].astype(str) == "waiting_list"
    runs = max(results.replication_metrics["replication"].nunique(), 1)
    size = float(listed.sum()) / runs
    count = f"{size:,.0f}" if size.is_integer() else f"{size:,.1f}"
    return f"{WAITING_LIST} ({count} applicant{'' if size == 1 else 's'})"


def waiting_list_text(scenario: Scenario) -> str | None:
    """What draws a scenario's waiting list, as comparable text (None without one).

    Its settings but those that change only what its rows do
    (:data:`NOT_DRAWN_BY_WAITING_LIST`), a file by its content (:func:`csv_digest`).
    """
    if scenario.waiting_list is None:
        return None
    spec = scenario.waiting_list.model_dump(mode="json", exclude=set(NOT_DRAWN_BY_WAITING_LIST))
    digest = csv_digest(scenario)
    if digest is not None:  # a row's draws are keyed by its place in the file
        spec["csv"] = digest
    return _text(spec)


def _moved(reference: Scenario, variant: Scenario, theirs: dict[str, frozenset[str]],
           mine: dict[str, frozenset[str]]) -> set[str]:
    """The origins both runs have whose applicants are in other categories in the variant.

    Those holding other categories (``theirs`` and ``mine``, from
    :func:`categories_by_origin`), and those holding the same ones on other dates
    (:func:`category_timelines`): a change moved from 2026 to 2030 leaves the requests of
    the years between in the old category, so both categories count other applicants.
    """
    timelines = category_timelines(reference), category_timelines(variant)
    return {o for o in mine if o in theirs and (theirs[o] != mine[o]
                                                or timelines[0].get(o) != timelines[1].get(o))}


def different_periods(reference: Scenario, variant: Scenario) -> str:
    """How the runs' periods differ, in words ('' when they are the same).

    'the runs end on different dates (2040-12-31 against 2036-12-31)', the variant's first.
    Runs of different periods count different applicants (the longer one requests the other
    never sees) and follow them for different times, so no figure of theirs is like with
    like: not the counts by the end of the run, nor a mean wait within ten years of each
    request, which the shorter run cuts off for its late requests.
    """
    start, end = reference.start != variant.start, reference.end != variant.end
    if start and end:
        return (f"the runs cover different periods ({variant.start} to {variant.end} against "
                f"{reference.start} to {reference.end})")
    if start or end:
        word, mine, theirs = (("start", variant.start, reference.start) if start
                              else ("end", variant.end, reference.end))
        return f"the runs {word} on different dates ({mine} against {theirs})"
    return ""


def drawn_alike(reference: Results, variant: Results, among: list[str]) -> bool:
    """Whether replication *i* of both draws the same applicants of the origins ``among``.

    Each stream draws from random streams of its own (:mod:`sim.inputs.rng`), so a stream
    only the variant has leaves the others' draws as they were: the scenarios restricted to
    the origins both have are then compared as :func:`draws_key` compares whole scenarios.
    Both must also share at least two replications.
    """
    common = (set(reference.replication_metrics["replication"])
              & set(variant.replication_metrics["replication"]))
    return len(common) >= 2 and same_draws(reference.scenario, variant.scenario, among)


def same_draws(reference: Scenario, variant: Scenario, among: list[str]) -> bool:
    """Whether replication *i* of both scenarios draws the same applicants of ``among``.

    The scenarios restricted to the streams and projects of the origins ``among`` compared
    as :func:`draws_key` compares whole scenarios: the seed, the period and those streams'
    draws must agree; streams outside ``among`` draw from random streams of their own.
    """
    return draws_key(_restricted(reference, among)) == draws_key(_restricted(variant, among))


def _restricted(scenario: Scenario, among: list[str]) -> Scenario:
    """The scenario with only the streams and projects of the origins ``among``.

    And its waiting list only if some of them are listed: a list's draws are keyed by its
    own names (:func:`sim.inputs.sources._csv_waiting_list`, ``_generated_waiting_list``),
    so the streams' own applicants are drawn alike whatever list either scenario has. A
    stream's listed applicants need the stream only where the list is generated: a CSV
    file's rows take nothing from their stream's draws, only what they do.
    """
    kept = set(among)
    generated = scenario.waiting_list is not None and scenario.waiting_list.csv is None
    streams = {name: stream for name, stream in scenario.streams.items()
               if name in kept or (generated and f"{name}{LISTED}" in kept)}
    projects = [project for project in scenario.projects if project.name in kept]
    listed = any(origin.endswith(LISTED) or origin == UNSTREAMED for origin in kept)
    return scenario.model_copy(update={  # a list draws from random streams of its own
        "streams": streams, "projects": projects,
        "waiting_list": scenario.waiting_list if listed else None})


def definitions(scenario: Scenario) -> dict[str, str]:
    """What draws each origin's applicants, as comparable text, by origin (see :func:`origins`).

    Only what decides who the applicants are counts: a stream's rate, growth, period, demand
    and homes, which its ``arrivals``, ``demand`` and ``homes`` draws use. Left
    out are the keys that change what the same applicants do or how they are served: a
    stream's category and area (no draw uses them; a category that changes sets the stream
    apart on its own), and its patience, lifetime, on-site generation, partial offers,
    expansion, non-firm offer, efficiency score and jobs (:data:`NOT_DRAWN_BY_STREAM`: each draws
    from a random stream of its own, so the identity draws stay as they were, row for row);
    the patience, efficiency, partial offers and non-firm offer of a CSV waiting list's rows
    that name no stream (:data:`NOT_DRAWN_BY_WAITING_LIST`); and all of a project but its
    name, date and demand (:data:`PROJECT_BEHAVIOUR`). So a lever that changes only
    those compares the same applicants, paired. A waiting-list CSV counts by its content (the
    same file under another name is the same list; a newer export is another), and its rows
    that name no stream are an origin of their own (:data:`UNSTREAMED`); its rows that name
    one count by the file alone, as none of the stream's draws makes them.
    """
    drawn = {name: _text(stream.model_dump(mode="json", exclude={
        *NOT_DRAWN_BY_STREAM, *PLACED_NOT_DRAWN}))
        for name, stream in scenario.streams.items()}
    listed = {}
    waiting = waiting_list_text(scenario)
    if waiting is not None:
        digest = csv_digest(scenario)
        if digest is not None:  # a row is the file's, whatever its stream draws
            listed = dict.fromkeys([*(f"{name}{LISTED}" for name in drawn), UNSTREAMED],
                                   waiting)
        else:  # generated: one draw picks every stream, then each draws from its own
            waiting += _text([(name, weight) for name, weight in zip(
                scenario.streams, waiting_list_weights(scenario), strict=True) if weight > 0])
            listed = {f"{name}{LISTED}": waiting + text for name, text in drawn.items()}
    projects = {project.name: _text(project.model_dump(mode="json",
                                                       exclude=set(PROJECT_BEHAVIOUR)))
                for project in scenario.projects}
    return {**drawn, **listed, **projects}


PROJECT_BEHAVIOUR = (*PLACED_NOT_DRAWN, "self_supply",
                     "priority_requested", "patience_years", "lifetime_years",
                     "partial_min_share", "existing_mw", "non_firm_right", "keep_firm_place",
                     "efficiency", "jobs")
"""A named project's keys that change what the same request does, brings or how it is served.

What it is, its name, date and demand, is left: a project draws nothing, so these are
the counterparts of a stream's :data:`sim.analysis.differences.NOT_DRAWN_BY_STREAM` and of
the priority uptake, and a project that waits less long is the same request."""


def _text(data: object) -> str:
    """A definition as text that is equal for equal definitions."""
    return json.dumps(data, sort_keys=True, default=str)


def population_metrics(results: Results, among: list[str]) -> pd.DataFrame:
    """Per-replication key figures of the applicants of the origins ``among``.

    The same figures as ``replication_metrics.csv``, over part of the applicants; MW-years
    left idle are a property of an area's capacity, not of a part of its queue, so they are
    left empty. Request times come from the request dates, to the day, as in the run's
    own figures, so that a category a change leaves alone keeps the same figure here.
    """
    return metrics_where(results, np.isin(origins(results.applicants), among))


def metrics_where(results: Results, chosen: np.ndarray) -> pd.DataFrame:
    """Per-replication key figures of the applicants ``chosen`` picks (a mask of applicants.csv).

    As :func:`population_metrics`, for any part of the applicants: those who asked for
    priority, say, whom no origin sets apart.
    """
    rows = results.applicants[chosen]
    start = pd.Timestamp(results.scenario.start)
    idle: dict[str, float] = dict.fromkeys(CATEGORIES, np.nan)
    parts = []
    by_replication = dict(tuple(rows.groupby("replication", sort=True)))
    for replication in sorted(results.replication_metrics["replication"].unique()):
        mine = by_replication.get(replication, rows.iloc[:0])
        days = (pd.to_datetime(mine["request_date"]) - start) / pd.Timedelta(days=1)
        metrics = replication_metrics(mine.reset_index(drop=True),
                                      days.to_numpy(dtype=float) / DAYS_PER_YEAR,
                                      results.scenario.horizon_years, idle, np.nan)
        metrics.insert(0, "replication", int(replication))
        parts.append(metrics)
    return pd.concat(parts, ignore_index=True)
