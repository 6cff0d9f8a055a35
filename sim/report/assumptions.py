"""The scenarios' key assumptions in the report: what they share once, what differs side by side.

With many scenarios of one family most assumptions are the same; repeating them in every
column buries the few that differ. So the report lists the shared ones once and shows only
the differing ones per scenario, with long lists folded away (``<details>``) and, in each
scenario, the entries unlike the reference's brought forward.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sim.errors import InputError
from sim.figures.numbers import given_mw, significant
from sim.inputs.applicants import CATEGORIES, Category
from sim.inputs.loading import load_waiting_rows
from sim.inputs.scenario import (
    Area,
    CapacityRelease,
    OnsiteGeneration,
    PolicyChange,
    Scenario,
    Stream,
    Upgrade,
)
from sim.inputs.waiting_list_csv import WaitingRows
from sim.report.rendering import environment
from sim.runs.stats import WAITING_LIST_MARK

__all__ = ["SHOWN", "Assumption", "AssumptionsView", "ShownAssumption", "assumptions",
           "assumptions_html", "assumptions_view", "count_text"]

SHOWN = 3
"""Lists up to this long are shown whole; longer ones are folded away."""


@dataclass(frozen=True)
class Assumption:
    """One key assumption in short words, and the entries behind it when it has several."""

    summary: str
    items: tuple[str, ...] = ()


def assumptions(scenario: Scenario) -> dict[str, Assumption]:
    """The key assumptions of a scenario, by name (its description is kept apart)."""
    policy = scenario.policy
    changes = tuple(_change(c, same)
                    for c, same in zip(policy.changes, policy.restated(), strict=True))
    streams = scenario.streams.values()
    waiting = scenario.waiting_list
    if waiting is None:
        waiting_text = "none"
    elif waiting.csv is not None:
        waiting_text = f"from the file {waiting.csv}"
    else:
        waiting_text = (f"{waiting.count} generated, requested from {waiting.earliest} to "
                        f"{waiting.latest or scenario.start}")
    return {
        "Period": Assumption(f"{scenario.start} to {scenario.end}"),
        "Seed, replications": Assumption(f"{scenario.seed}, {scenario.replications}"),
        "Queue policy": Assumption(f"{policy.order} ({policy.allocation})"
                                   + _settings(policy.category_order, policy.params,
                                               policy.within_category), changes),
        "Priority uptake": Assumption(", ".join(
            f"{c} {v:.0%}" for c, v in scenario.priority_uptake.items()) or "none"),
        "On-site generation": _onsite(scenario),
        "Grid": _grid(scenario),
        "Arrival streams": Assumption(
            f"{count_text(len(streams), 'stream')}, "
            f"{count_text(sum(s.rate_per_year for s in streams), 'request', 6)} a year"
            + _rates_note(scenario)
            if scenario.streams else "none",
            tuple(_stream(name, s) for name, s in scenario.streams.items())),
        "Waiting list at the start": Assumption(waiting_text),
        "Non-firm rights": _non_firm(scenario),
        "Capacity releases": Assumption(
            ", ".join(r.name for r in scenario.capacity_releases) or "none",
            tuple(f"{r.name}{' in ' + r.area if r.area else ''}: every "
                  + ("month" if r.every_months == 1 else count_text(r.every_months, "month"))
                  + f" from {r.start}, {r.user_share:.0%} of users connected "
                  + _lookback(r) + f" give up {r.mw_share:.0%} of their MW"
                  + (f"; also of {r.existing_mw:g} MW connected before the run"
                     if r.existing_mw else "")
                  for r in scenario.capacity_releases)),
        "Named projects": _named(scenario),
    }


def _named(scenario: Scenario) -> Assumption:
    """The projects, then the waiting-list rows with a name, which are followed by name too.

    The report's table of named projects and projects.csv give a named row of the CSV a
    line of its own (marked ' (waiting list)'), so listing the projects alone left a reader
    of the assumptions unable to tell where those lines came from. Where the file cannot be
    read now, that is said rather than listing none.
    """
    projects = scenario.projects
    items = [f"{p.name} ({p.category}{', ' + p.area if p.area else ''}): "
             f"{p.demand_mw * (1 - p.self_supply):g} MW asked of the grid ({p.demand_mw:g} MW "
             f"demand, {p.self_supply:.0%} generated on site) on {p.date}, "
             f"{count_text(p.jobs, 'job')}" for p in projects]
    counts = [count_text(len(projects), "project")] if projects else []
    waiting = scenario.waiting_list
    if waiting is not None and waiting.csv is not None:
        try:
            rows = load_waiting_rows(scenario)
        except InputError:  # gone or changed since the run (a folder without its copy, say)
            counts.append(f"the named rows of {waiting.csv} not known (the file cannot be "
                          "read now)")
        else:
            assert rows is not None
            named = [k for k, name in enumerate(rows.name) if name]
            if named:
                counts.append(f"{count_text(len(named), 'named row')} of {waiting.csv}")
            items += [_named_row(rows, k) for k in named]
    return Assumption(", ".join(counts) or "none", tuple(items))


def _named_row(rows: WaitingRows, k: int) -> str:
    """A waiting-list row with a name, as the projects are said: its MW, date and jobs."""
    area, supply = rows.area[k], float(rows.self_supply[k])
    generated = "" if math.isnan(supply) else f", {supply:.0%} generated on site"
    return (f"{rows.name[k]}{WAITING_LIST_MARK} ({rows.category[k]}"
            f"{', ' + area if area else ''}): {given_mw(float(rows.demand_mw[k]))} MW "
            f"demand{generated}, requested on {rows.request_date[k]}, "
            f"{count_text(float(rows.jobs[k]), 'job', 6)}")


def _onsite(scenario: Scenario) -> Assumption:
    """On-site generation: the scenario-wide setting and the streams that set their own.

    A file giving it only per stream read "none" here, while 60% of its greenhouses
    generated part of their demand and asked the grid for less.
    """
    onsite = scenario.onsite_generation
    summary = ("none" if onsite is None else
               f"{_adopt(onsite)}"
               + ("; own settings for " + ", ".join(onsite.by_category)
                  if onsite.by_category else ""))
    own = [name for name, s in scenario.streams.items() if s.onsite_generation is not None]
    if own:
        summary = ("none scenario-wide" if onsite is None else summary) \
            + f"; own settings in {count_text(len(own), 'stream')} ({', '.join(own)})"
    return Assumption(summary)


def _adopt(onsite: OnsiteGeneration) -> str:
    """Who adopts on-site generation and how much of their demand it covers, in words."""
    return (f"{onsite.share:.0%} adopt, covering on average {onsite.cover.mean:.0%} "
            "of demand")


def _rates_note(scenario: Scenario) -> str:
    """Why the streams' summed rate is not the rate of every year: some grow, some start late.

    "365 requests a year" for small_connections.yaml held only from 2026-07-01, when its
    small businesses join the list; before, 245 a year arrived.
    """
    streams = scenario.streams.values()
    notes = ["some growing"] if any(s.growth_per_year for s in streams) else []
    if any(s.period is not None and (s.period.start not in (None, scenario.start)
                                     or s.period.end not in (None, scenario.end))
           for s in streams):
        notes.append("some only in part of the run")
    return f" ({', '.join(notes)})" if notes else ""


def _change(change: PolicyChange, restated: bool) -> str:
    """A policy change in short words; one that restates the rules in force says so.

    Listed as another policy ("from 2026-01-01: social_priority"), a restatement reads as a
    change to the reader comparing scenarios, while the rules run on as before.
    """
    if restated:
        return f"{change.date}: restates the rules in force, so nothing changes"
    return (f"from {change.date}: {change.order or 'same order'}"
            + (f" ({change.allocation})" if change.allocation else "")
            + _settings(change.category_order, change.params, change.within_category))


def _stream(name: str, stream: Stream) -> str:
    """A stream in short words, with each 2026 mechanism it uses (a block of homes, say)."""
    demand = stream.demand_mw.mean
    if stream.homes_per_request is None:
        size = f"mean {significant(demand)} MW"
    else:
        homes = stream.homes_per_request.mean
        size = (f"mean {significant(demand * homes)} MW ({count_text(homes, 'home', 3)} of "
                f"{significant(demand)} MW)")
    words = [f"{stream.rate_per_year:g}/year", size]
    if stream.period is not None:
        words.append(f"from {stream.period.start or 'the start'} to "
                     f"{stream.period.end or 'the end'}")
    if stream.patience_years is not None:
        words.append(f"patience mean {count_text(stream.patience_years.mean, 'year', 2)}")
    words += [f"{c.category} from {c.date}" for c in stream.category_changes]
    if stream.onsite_generation is not None:
        words.append(f"on site: {_adopt(stream.onsite_generation)}")
    if stream.efficiency is not None:
        words.append(f"efficiency mean {significant(stream.efficiency.mean)}")
    if stream.partial_offer is not None:
        offer = stream.partial_offer
        words.append(f"{offer.accept_share:.0%} take partial offers of at least "
                     f"{offer.min_share:.0%}")
    if stream.expansion is not None:
        words.append(f"{stream.expansion.share:.0%} expansions of mean "
                     f"{significant(stream.expansion.existing_mw.mean)} MW")
    if stream.non_firm is not None:
        offered = stream.non_firm
        words.append(f"{offered.accept_share:.0%} accept a {offered.right} right, "
                     f"{offered.keep_firm_place_share:.0%} of them keep their firm place")
    return f"{name} ({stream.category}{', ' + stream.area if stream.area else ''}): " \
        + ", ".join(words)


def _non_firm(scenario: Scenario) -> Assumption:
    """The non-firm pools, how they are shared, and the kinds of right on offer."""
    non_firm = scenario.non_firm
    if non_firm is None:
        return Assumption("none")
    pools = non_firm.pools.values()
    added = sum(u.add_mw for pool in pools for u in pool.upgrades)
    rights = ", ".join(f"{name} ({right.hours_share:.0%} of the hours)"
                       for name, right in non_firm.rights.items())
    return Assumption(
        f"{sum(p.capacity_mw for p in pools):g} MW of pools at the start"
        + (f", {added:g} MW added later" if added else "")
        + f", offered by {non_firm.order}; rights: {rights}",
        tuple(f"{area}: {pool.capacity_mw:g} MW"
              + "".join(f", +{u.add_mw:g} MW on {u.date}" + _delay(u) for u in pool.upgrades)
              for area, pool in non_firm.pools.items()) if len(non_firm.pools) > 1 else ())


def _settings(
    order: list[Category] | None, params: dict[str, Any] | None,
    within: Mapping[Category, str] | None,
) -> str:
    """A policy's category order (when not the framework's), order within, parameters."""
    text = "" if order is None or order == list(CATEGORIES) else ", " + " > ".join(order)
    text += "".join(f", {c} by {rule}" for c, rule in (within or {}).items())
    return text + (f", {params}" if params else "")


def _grid(scenario: Scenario) -> Assumption:
    """Capacity at the start and upgrades; an entry per upgrade, named by area if several."""
    areas = dict(scenario.grid.resolved_areas)
    several = len(areas) > 1
    summary = (f"{len(areas)} areas ({', '.join(areas)})" if several else "one area")
    summary += f", {sum(a.capacity_mw for a in areas.values()):g} MW free at the start"
    summary += _upgrades_sum(areas.values())
    if scenario.grid.upstream is not None:
        upstream = scenario.grid.upstream
        summary += f"; upstream limit {upstream.capacity_mw:g} MW" + _upgrades_sum([upstream])
        areas["upstream"] = upstream
    items = [f"{name}: {area.capacity_mw:g} MW at the start"
             for name, area in areas.items() if several or name == "upstream"]
    items += [(f"{name}: " if several or name == "upstream" else "")
              + f"{u.name} +{u.add_mw:g} MW on {u.date}" + _delay(u)
              for name, area in areas.items() for u in area.upgrades]
    return Assumption(summary, tuple(items))


def _upgrades_sum(areas: Iterable[Area]) -> str:
    upgrades = [u for area in areas for u in area.upgrades]
    if not upgrades:
        return ", no upgrades"
    return f", {count_text(len(upgrades), 'upgrade')} adding {sum(u.add_mw for u in upgrades):g} MW"


def count_text(number: float, noun: str, digits: int | None = None) -> str:
    """``number`` and ``noun``, singular only when it reads as 1.

    A whole number is written whole ('1,200 jobs'); ``digits``: that many significant
    digits, never an exponent ('patience mean 100 years', not '1e+02').
    """
    text = f"{number:,}" if digits is None else significant(number, digits)
    return f"{text} {noun}{'' if text == '1' else 's'}"


def _lookback(release: CapacityRelease) -> str:
    """How long a review wants a user connected, as it counts: by the calendar, to the day.

    "at least 1 year" is to the same date a year earlier (365 or 366 days); a fraction is
    shown as the months and days it goes back ("at least 6 months" for 0.5).
    """
    months, days = release.lookback()
    if not months and not days:
        return "any time"
    if months % 12 == 0 and not days:
        return f"at least {count_text(months // 12, 'year')} by the calendar"
    parts = [count_text(n, noun) for n, noun in ((months, "month"), (days, "day")) if n]
    return f"at least {' and '.join(parts)} by the calendar"


def _delay(upgrade: Upgrade) -> str:
    """' (delay mean 1 year)', ' (the same delay as <upgrade>)', or '' for one on time."""
    if upgrade.same_delay_as is not None:
        return f" (the same delay as {upgrade.same_delay_as})"
    delay = upgrade.delay_years
    return "" if delay is None else f" (delay mean {count_text(delay.mean, 'year', 2)})"


@dataclass(frozen=True)
class ShownAssumption:
    """How one assumption is shown in a cell: as the reference's, or its summary and entries.

    Attributes:
        reference: the label of the scenario it is set against ("" for none).
        same: whether it equals the reference's value (then only that is said).
        summary: the short words.
        shown: entries listed whole (a short list).
        unlike: entries of a long list that differ from the reference's, brought forward
            (the first few of them).
        folded: every entry of a long list, folded away.
        absent: entries of the reference's list this one lacks (the first few of them): an
            upgrade a child file's list leaves out, say, or the reference's own form of an
            entry this one changes (the same upgrade on another date).
    """

    reference: str
    same: bool
    summary: str
    shown: tuple[str, ...] = ()
    unlike: tuple[str, ...] = ()
    unlike_more: int = 0
    """How many more entries are unlike the reference's than ``unlike`` lists."""
    folded: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    absent_more: int = 0
    """How many more of the reference's entries are absent than ``absent`` lists."""


@dataclass(frozen=True)
class AssumptionsView:
    """The assumptions section: those that differ, a row per scenario, then those shared."""

    differing: list[str]
    rows: list[tuple[str, list[ShownAssumption]]]
    shared: list[tuple[str, ShownAssumption]]
    single: bool = False
    """One scenario (a run's page): nothing to differ from, so one plain list."""


def assumptions_view(
    scenarios: Mapping[str, Scenario], against: Mapping[str, str] | None = None
) -> AssumptionsView:
    """The differing assumptions, a row per scenario, then those every scenario shares.

    ``scenarios`` is keyed by label. Each row is set against the scenario ``against`` names
    for it (in a comparison, its reference), else against the first; entries equal to it
    say so, and in long lists those unlike it are brought forward.
    """
    table = {label: assumptions(s) for label, s in scenarios.items()}
    first = next(iter(table))
    names = list(table[first])
    differing = [n for n in names if any(row[n] != table[first][n] for row in table.values())]
    rows = []
    for label, row in table.items():
        reference = (against or {}).get(label) or (first if label != first else "")
        rows.append((label, [_shown(row[n], table[reference][n] if reference else None,
                                    reference) for n in differing]))
    shared = [(n, _shown(table[first][n])) for n in names if n not in differing]
    return AssumptionsView(differing, rows if differing else [], shared, len(table) == 1)


def assumptions_html(
    scenarios: Mapping[str, Scenario], against: Mapping[str, str] | None = None
) -> str:
    """The assumptions section as HTML (the report's ``assumptions.html.j2``)."""
    return environment().get_template("assumptions.html.j2").render(
        view=assumptions_view(scenarios, against))


def _shown(value: Assumption, reference: Assumption | None = None, name: str = ""
           ) -> ShownAssumption:
    """A summary with its entries: all when few, else folded, those unlike the reference first.

    ``reference`` is the reference's value, named ``name`` (None in the reference's own row
    and for shared values); a value equal to it just says so.
    """
    if reference is not None and value == reference:
        return ShownAssumption(name, True, value.summary)
    absent = () if reference is None else tuple(i for i in reference.items
                                                if i not in value.items)
    shown = ShownAssumption(name, False, value.summary, absent=absent[:SHOWN],
                            absent_more=len(absent[SHOWN:]))
    if len(value.items) <= SHOWN:
        return replace(shown, shown=value.items)
    unlike = () if reference is None else tuple(i for i in value.items
                                                if i not in reference.items)
    return replace(shown, unlike=unlike[:SHOWN], unlike_more=len(unlike[SHOWN:]),
                   folded=value.items)
