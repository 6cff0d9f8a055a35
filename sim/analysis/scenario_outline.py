"""What a scenario will run, in plain lines: the policy periods, capacity, arrivals, projects.

``gridqueue validate`` prints this, so a planner sees the effective scenario (after
``extends``, overrides and the policy rules) before spending time on a run. Pure functions of
a validated scenario; figures are expectations from the inputs, not simulation results.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter

from sim.errors import listed
from sim.figures.numbers import given_mw, significant
from sim.inputs.applicants import CATEGORIES
from sim.inputs.inert import after_end_text, non_firm_offers, scored_categories, uptakes_drawn
from sim.inputs.scenario import (
    DAYS_PER_YEAR,
    Area,
    CapacityRelease,
    NonFirmOffer,
    PartialOffer,
    Project,
    Scenario,
    Stream,
    Upgrade,
    efficiency_ranked_at,
    holds_priority,
    starts_later,
)
from sim.inputs.sources import onsite_for, waiting_list_weights
from sim.inputs.waiting_list_csv import WaitingRows
from sim.policies.shadowing import held_asking_by
from sim.policies.timeline import custom_policy_in_force, policy_periods, priority_served

__all__ = ["outline"]

NON_FIRM_ORDER_WORDS = {
    "policy": "each pool offered in the queue policy's order while a request fits",
    "rotation": "each pool shared at once by all who accept, hours cut in turn when short",
    "proportional": "each pool shared at once by all who accept, MW cut in proportion when "
                    "short",
}
"""How ``non_firm.order`` shares a pool, in words (see :class:`sim.inputs.scenario.NonFirm`)."""


def outline(scenario: Scenario, waiting: WaitingRows | None) -> list[str]:
    """Lines describing what will run (the caller adds its verdict)."""
    scored = scored_categories(scenario, waiting)
    return [
        f"scenario '{scenario.name}': {scenario.start} to {scenario.end}, "
        f"{scenario.replications} replications, seed {scenario.seed}",
        "policy:",
        *(f"  {period.describe()}" for period in policy_periods(scenario, scored=scored)),
        *_restated(scenario),
        *_unranked(scenario, scored),
        *_priority_uptake(scenario, waiting),
        "capacity:",
        *_capacity(scenario),
        *_releases(scenario),
        *_non_firm_pools(scenario, waiting),
        "arrival streams (expected, from the inputs):",
        *_streams(scenario),
        f"waiting list at the start: {_waiting(scenario, waiting)}",
        *_waiting_offers(scenario),
        *_named_rows(waiting),
        "named projects:" if scenario.projects else "named projects: none",
        *(_project(project, scenario) for project in scenario.projects),
    ]


def _project(project: Project, scenario: Scenario) -> str:
    """One project: what it asks, when, and each setting of its own that changes its course.

    Its category changes, patience, lifetime, partial connections, the MW in place it
    expands, its non-firm right and score: a planner checks them here before a run.
    """
    p = project
    text = (f"  {p.name}: {p.category}, {p.demand_mw * (1 - p.self_supply):g} MW asked "
            f"({p.demand_mw:g} MW demand) on {p.date}, {p.jobs} jobs"
            + (f", area {p.area}" if p.area else ""))
    text += "".join(f", in {change.category} from {change.date}" for change in p.category_changes)
    if holds_priority(p) and not p.priority_requested:
        text += ", not asking for priority"
    if p.patience_years is not None:
        text += f", withdraws after {_years(f'{p.patience_years:g}')} waiting"
    if p.lifetime_years is not None:
        text += f", connected for {_years(f'{p.lifetime_years:g}')}"
    if p.partial_min_share is not None:
        text += f", takes parts down to {p.partial_min_share:.0%} of its request"
    if p.existing_mw:
        text += f", expands {p.existing_mw:g} MW in place ({_expansion_acts(scenario)})"
    if p.non_firm_right is not None:
        text += f", accepts non-firm right {p.non_firm_right}" + (
            "" if p.keep_firm_place else " and then leaves the firm queue")
    if p.efficiency is not None:
        text += f", efficiency {p.efficiency:g}"
    return text


def _years(text: str) -> str:
    """'1 year', '2.5 years': a number of years, written as ``text``, as a sentence says it."""
    return f"{text} year{'' if text == '1' else 's'}"


def _expansion_acts(scenario: Scenario) -> str:
    """What the MW in place of an expansion do here: only a custom policy may read them."""
    if custom_policy_in_force(scenario):
        return "existing_mw, which a custom policy in force may read"
    return "existing_mw only: it waits as a new connection of its size"


def _restated(scenario: Scenario) -> list[str]:
    """A line for each policy change that restates the rules in force: it changes nothing.

    A family's file may restate them at a date its children change (social_priority.yaml at
    the 2026 decision); the periods above merge it away, so it is named here.
    """
    policy = scenario.policy
    return [f"  ({change.date}: policy.changes.{i} restates the rules in force, so nothing changes)"
            for i, (change, same) in enumerate(zip(policy.changes, policy.restated(), strict=True))
            if same]


def _unranked(scenario: Scenario, scored: set[str]) -> list[str]:
    """A line for each ranking by efficiency set aside: nobody in its category has a score.

    ``scored``: the categories in which somebody does. The periods above leave it out, as the
    run does (a warning has said why).
    """
    return [f"  ({'.'.join(map(str, key))}.{category}: ranking by efficiency set aside, as "
            f"nobody in {category} has a score; it keeps its request-date order)"
            for key, categories in efficiency_ranked_at(scenario)
            for category in categories if category not in scored]


def _capacity(scenario: Scenario) -> list[str]:
    areas: dict[str, Area] = dict(scenario.grid.resolved_areas)
    if scenario.grid.upstream is not None:
        areas["upstream (shared)"] = scenario.grid.upstream
    return [line for name, area in areas.items()
            for line in _area(name, area.capacity_mw, area.upgrades, scenario)]


def _area(name: str, capacity_mw: float, upgrades: list[Upgrade], scenario: Scenario
          ) -> list[str]:
    """An area's (or a non-firm pool's) MW at the start and after its upgrades, one a line."""
    within = [u for u in upgrades if scenario.earliest(u) < scenario.end]
    total = capacity_mw + sum(u.add_mw for u in within)
    after = len(upgrades) - len(within)
    return [f"  {name}: {capacity_mw:g} MW at the start, {total:g} MW after "
            f"{len(within)} upgrade{'' if len(within) == 1 else 's'}"
            + (f" ({after} more only after the end)" if after else ""),
            *(f"    + {u.add_mw:g} MW {_when(u, scenario)}: {u.name}"
              for u in sorted(upgrades, key=lambda u: u.date))]


def _releases(scenario: Scenario) -> list[str]:
    """Capacity taken back from connected users: who is reviewed, when, and what is freed."""
    if not scenario.capacity_releases:
        return []
    return ["capacity released by mechanisms:",
            *(f"  {_release(release, scenario)}" for release in scenario.capacity_releases)]


def _release(release: CapacityRelease, scenario: Scenario) -> str:
    """One capacity release: its reviews before the end, who gives up what, what it frees."""
    reviews = release.review_dates(scenario.end)
    when = ("no review before the end" if not reviews else
            f"{len(reviews)} review{'' if len(reviews) == 1 else 's'} from {release.start}"
            + (f", every {release.every_months} months" if len(reviews) > 1 else ""))
    since = (f" connected at least {_years(f'{release.after_years:g}')}"
             if release.after_years else "")
    freed = release.existing_mw * release.user_share * release.mw_share
    existing = (f"; at the first, also {release.existing_mw:g} MW of users connected before "
                f"the start ({significant(freed, 3)} MW freed)" if release.existing_mw else "")
    return (f"{release.name} ({release.area or 'every area'}): {when}; each user{since} is "
            f"reviewed once, {release.user_share:.0%} of them giving up {release.mw_share:.0%} "
            "of their MW" + existing)


def _non_firm_pools(scenario: Scenario, waiting: WaitingRows | None) -> list[str]:
    """The kinds of non-firm right, how the pools are shared, and each pool's MW.

    Only the rights some offer makes and the pools some offer reaches
    (:func:`~sim.inputs.inert.non_firm_offers`): one set aside, with a warning, because
    nobody can take it (an inherited offer's ``accept_share`` set to 0) does nothing.
    """
    non_firm = scenario.non_firm
    offers = non_firm_offers(scenario, waiting) if non_firm is not None else set()
    if non_firm is None or not offers:
        return []
    offered, reached = {right for right, _ in offers}, {area for _, area in offers}
    rights = ", ".join(f"{name} ({right.hours_share:.0%} of the hours)"
                       for name, right in non_firm.rights.items() if name in offered)
    return [f"non-firm rights: {rights}; {NON_FIRM_ORDER_WORDS[non_firm.order]}",
            *(line for name, pool in non_firm.pools.items() if name in reached
              for line in _area(f"pool {name}", pool.capacity_mw, pool.upgrades, scenario))]


def _priority_uptake(scenario: Scenario, waiting: WaitingRows | None) -> list[str]:
    """The share of each eligible category's applicants that asks for priority, below all.

    Only the shares some applicant asks by: one set aside draws nobody's priority.
    """
    asking = {c: share for c, share in uptakes_drawn(scenario, waiting).items() if share < 1}
    if not asking:
        return []
    served = {c for c in asking if priority_served(scenario, held_asking_by(scenario, {c}))}
    shares = ", ".join(f"{share:.0%} of {c}" for c, share in asking.items())
    if len(served) == len(asking):
        return [f"  priority asked for by {shares} (the rest queue in other where a policy "
                "serves priority)"]
    if not served:
        return [f"  priority asked for by {shares} (no policy in force serves priority here, "
                "so it changes no wait)"]
    unserved = listed([c for c in asking if c not in served])
    return [f"  priority asked for by {shares} (the rest queue in other where a policy serves "
            f"priority; no policy or round in force serves that of {unserved}, so there it "
            "changes no wait)"]


def _offers(partial: PartialOffer | None, non_firm: NonFirmOffer | None) -> list[str]:
    """What a stream's (or the waiting list's) applicants accept besides a whole connection.

    An offer nobody accepts (``accept_share`` 0, set aside with a warning) is left out.
    """
    lines = []
    if partial is not None and partial.accept_share > 0:
        lines.append(f"{partial.accept_share:.0%} take a part of their request, down to "
                     f"{partial.min_share:.0%} of it")
    if non_firm is not None and non_firm.accept_share > 0:
        lines.append(f"{non_firm.accept_share:.0%} accept non-firm right {non_firm.right} "
                     f"while they wait; {non_firm.keep_firm_place_share:.0%} of those keep "
                     "their place in the firm queue")
    return lines


def _waiting_offers(scenario: Scenario) -> list[str]:
    """The waiting list's own offers, for the rows that name no stream."""
    spec = scenario.waiting_list
    if spec is None:
        return []
    return [f"  rows naming no stream: {line}"
            for line in _offers(spec.partial_offer, spec.non_firm)]


NAMED_ROWS_SHOWN = 20
"""Named waiting-list rows listed one by one; a list naming every firm is cut after these."""


def _named_rows(waiting: WaitingRows | None) -> list[str]:
    """The waiting-list rows that give a name: the outputs follow each as a named project.

    Only their count and MW were said, so a planner who named the firms on the list could
    not check here that each was read with the category, size and date meant.
    """
    if waiting is None:
        return []
    rows = [f"  {name}: {category}, {given_mw(mw)} MW demand, asked "
            f"{date}, {int(jobs)} jobs" + (f", stream {stream}" if stream else "")
            for name, category, mw, date, jobs, stream in zip(
                waiting.name, waiting.category, waiting.demand_mw, waiting.request_date,
                waiting.jobs, waiting.stream, strict=True) if name]
    if len(rows) > NAMED_ROWS_SHOWN:
        rows[NAMED_ROWS_SHOWN:] = [f"  and {len(rows) - NAMED_ROWS_SHOWN} more"]
    return ["named rows of the waiting list:", *rows] if rows else []


def _when(upgrade: Upgrade, scenario: Scenario) -> str:
    """The upgrade's date, or the range its delay spreads it over."""
    delay, end = scenario.delay_of(upgrade), scenario.end
    shared = [] if upgrade.same_delay_as is None else [
        f"the same delay as {upgrade.same_delay_as}"]
    earliest = scenario.earliest(upgrade)
    if earliest >= end:
        return after_end_text(earliest, end)
    if delay is None or delay.upper_bound == 0:
        return f"on {upgrade.date}"
    if math.isinf(delay.upper_bound):
        return (f"from {upgrade.date}, delayed by {_years(significant(delay.mean))} on average "
                f"({'; '.join(['no upper bound', *shared])})")
    latest = upgrade.date + dt.timedelta(days=delay.upper_bound * DAYS_PER_YEAR)
    if latest == earliest:  # a fixed delay: one day, not a range from the date given
        return f"on {earliest}" + "".join(f" ({n})" for n in shared)
    notes = [*(["not at all if after the end"] if latest >= end else []), *shared]
    # 'arriving': 'between' alone read as capacity there only for a while
    return f"arriving between {earliest} and {min(latest, end)}" + "".join(
        f" ({n})" for n in notes)


def _streams(scenario: Scenario) -> list[str]:
    if not scenario.streams:
        return ["  none"]
    lines = []
    per_category = {c: [0.0, 0.0] for c in CATEGORIES}
    for name, stream in scenario.streams.items():
        onsite = onsite_for(scenario, stream, stream.category)
        kept = 1.0 if onsite is None else 1 - onsite.share * onsite.cover.mean
        homes = stream.homes_per_request  # each request a block of homes of demand_mw each
        each = stream.demand_mw.mean * (1.0 if homes is None else homes.mean)
        mw = stream.rate_per_year * each * kept
        later = starts_later(scenario, stream)
        if not later:
            per_category[stream.category][0] += stream.rate_per_year
            per_category[stream.category][1] += mw
        growth = f", growing {stream.growth_per_year:.1%}/year" if stream.growth_per_year else ""
        area = f", {stream.area}" if stream.area else ""
        size = (f"{significant(stream.demand_mw.mean)} MW" if homes is None else
                f"{significant(homes.mean, 3)} homes x {significant(stream.demand_mw.mean)} MW")
        starts = f", from {stream.period.start}" if later and stream.period else ""
        # with on-site generation, the product is the demand, and what is asked comes after it:
        # '5 requests/year x 0.46 MW = 2.14 MW/year asked' read as a wrong multiplication
        generating = onsite is not None and onsite.share > 0
        demand = (f"{significant(stream.rate_per_year * each, 3)} MW/year of demand, "
                  if generating else "")
        lines.append(f"  {name} ({stream.category}{area}{starts}): {stream.rate_per_year:g} "
                     f"requests/year x {size} = {demand}{significant(mw, 3)} MW/year asked"
                     + (f" after on-site generation ({onsite.share:.0%} of them cover "
                        f"{onsite.cover.mean:.0%} on average)" if onsite and generating else "")
                     + growth + _expanding(stream, scenario))
        lines += [f"    {line}" for line in (*_offers(stream.partial_offer, stream.non_firm),
                                             *_category_changes(stream))]
    asking = [f"    {c}: {rate:g} requests/year, {significant(mw, 3)} MW/year"
              for c, (rate, mw) in per_category.items() if rate]
    return [*lines, "  per category, at the start:", *asking] if asking else lines


def _category_changes(stream: Stream) -> list[str]:
    """A stream's later categories, each from its date."""
    return [f"in {change.category} from {change.date}" for change in stream.category_changes]


def _expanding(stream: Stream, scenario: Scenario) -> str:
    """The share of a stream's requests that expand a connection, and what that does."""
    expansion = stream.expansion
    if expansion is None:
        return ""
    return (f", {expansion.share:.0%} of them expanding "
            f"{significant(expansion.existing_mw.mean)} MW in place on average "
            f"({_expansion_acts(scenario)})")


def _waiting(scenario: Scenario, waiting: WaitingRows | None) -> str:
    spec = scenario.waiting_list
    if spec is None:
        return "none"
    if waiting is not None:
        counts = Counter(waiting.category)
        return (f"{len(waiting)} row{'' if len(waiting) == 1 else 's'} read from {spec.csv}, "
                f"{significant(waiting.demand_mw.sum(), 3)} MW demand: "
                + ", ".join(f"{counts[c]} {c}" for c in CATEGORIES if c in counts))
    latest = spec.latest or scenario.start
    return (f"{spec.count} generated, requested from {spec.earliest} to {latest}"
            + (f": {_drawn(scenario)}" if spec.count else ""))


def _drawn(scenario: Scenario) -> str:
    """Whom a generated waiting list holds: each category's share, and each area's if several.

    By its ``mix``, or else the streams' rates (:func:`~sim.inputs.sources.waiting_list_weights`):
    areas.yaml puts its backlog all in Lelystad, which a planner reads nowhere else.
    """
    weights = waiting_list_weights(scenario)
    total = sum(weights)
    categories: dict[str, float] = {}
    areas: dict[str, float] = {}
    for stream, weight in zip(scenario.streams.values(), weights, strict=True):
        if weight > 0:
            categories[stream.category] = categories.get(stream.category, 0.0) + weight
            areas[stream.area or ""] = areas.get(stream.area or "", 0.0) + weight
    text = ", ".join(f"{categories[c] / total:.0%} {c}" for c in CATEGORIES if c in categories)
    if len(scenario.grid.resolved_areas) > 1:
        text += "; " + ("all in " + next(iter(areas)) if len(areas) == 1 else
                        ", ".join(f"{share / total:.0%} in {area}"
                                  for area, share in areas.items()))
    return text
