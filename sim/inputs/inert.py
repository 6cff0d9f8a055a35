"""Settings that would change nothing in a run: refused, or warned of, before it starts.

A setting that silently does nothing misleads: a planner reads "use-it-or-lose-it frees
nothing" as a result, when no review could ever apply. These checks need the whole scenario
(and the waiting-list CSV's rows), so they run after the schema, in :func:`check_runnable
<sim.inputs.loading.check_runnable>`, and only for a scenario as given: a sweep cell, or the
resolved scenario of results, may reach such a setting on purpose (a sweep reports cells
whose settings changed nothing; see :mod:`sim.analysis.sweep_grid`). A sweep's cells are
still warned of what they leave doing nothing (``refuse=False``), the refusals passed over
included, said as warnings of their cells.

Who is in a category is who can be drawn into it: a stream of rate 0 that no generated waiting
list draws from is in none (the rows of a waiting-list CSV that name it count as rows).

A setting for a category (or for applicants) nobody is in is refused where it is given with or
after, in the layering of files and options, what says who is in it (the streams, projects and
waiting list). Given in an earlier layer, a parent file, and emptied by a later one (a child
file or an option that removes a stream, or sets its rate to 0), it is set aside with a
warning: the user did not write it, and it does nothing, so the run is as without it. A later
layer that changes only something else (a stream's demand) neither sets it aside nor is named.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator

import yaml

from sim.errors import InertSetting, InputError, listed, warn
from sim.inputs.distributions import Distribution
from sim.inputs.scenario import (
    OnsiteGeneration,
    Project,
    Scenario,
    Stream,
    Upgrade,
    WaitingList,
    asking_by,
    asking_chance,
    categories_held,
    efficiency_ranked_at,
    holds_priority,
    queued_in,
    ranked_in,
    scores_drawn,
    unranked_scores,
)
from sim.inputs.sources import onsite_for, waiting_list_weights
from sim.inputs.waiting_list_csv import WaitingRows
from sim.inputs.yaml_source import OVERRIDE_SOURCES, ScenarioSource, find_node, layer_within

__all__ = ["after_end_text", "check_category_order_reaches_someone", "check_settings_act",
           "non_firm_offers", "scored_categories", "uptakes_drawn"]

Key = tuple[str | int, ...]

FIT_MARGIN_MW = 1e-6
"""How much more than the most an area ever has a project may ask and still be let through
unnamed: above the engine's own tolerance (:data:`sim.engine.capacity.FIT_TOLERANCE_MW`), so
that rounding of sums never names one that fits."""


def check_settings_act(scenario: Scenario, source: ScenarioSource | None,
                       rows: WaitingRows | None, *, refuse: bool = True,
                       passed_over: list[InputError] | None = None) -> None:
    """Refuse each setting that cannot act in this scenario; warn of one that may not.

    ``refuse=False`` only warns: each check that would refuse a setting is passed over, and
    the others still run. For a sweep's cell, whose values may reach a setting that does
    nothing on purpose (cells that run the same scenario are reported over the whole grid),
    but should still hear of what they leave doing nothing (an upgrade delayed past the end,
    and each refusal passed over, which ``passed_over`` collects for the sweep to say).
    """
    both = (scenario, source)
    checks: list[Callable[[], object]] = [
        lambda: _check_releases_act(*both),
        lambda: _check_releases_reach_someone(*both, rows),
        lambda: _check_rounds_serve_someone(*both, rows),
        lambda: _check_uptakes_reach_someone(*both, rows),
        lambda: _check_scores_ranked(*both),  # a stray score is named before a ranking
        lambda: _check_efficiency(*both, rows),
        lambda: _check_waiting_list_defaults_act(*both, rows),
        lambda: _check_offers_find_takers(*both, rows),
        lambda: _check_non_firm_reaches_someone(*both, rows),
        lambda: _check_growth_has_a_rate(*both),
        lambda: _check_projects_keep_a_place(*both),
        lambda: _warn_of_projects_asking_for_nothing(*both),
        lambda: _warn_of_projects_that_never_fit(*both),
        lambda: _warn_of_streams_that_never_fit(*both),
        lambda: _check_onsite_defaults_reach_someone(*both, rows),
        lambda: _check_share_and_cover_agree(*both),
        lambda: _warn_of_upgrades_after_the_end(*both),
        lambda: _warn_of_project_times_after_the_end(*both),
        lambda: _warn_of_stream_times_past_the_end(*both, rows),
    ]
    for check in checks:
        try:
            check()
        except InputError as exc:
            if refuse:
                raise
            if passed_over is not None:
                passed_over.append(exc)


def _check_efficiency(scenario: Scenario, source: ScenarioSource | None,
                      rows: WaitingRows | None) -> None:
    """Ranking by efficiency needs scores; then, scores in each category it ranks."""
    if _check_anyone_has_a_score(scenario, source, rows):
        _check_efficiency_ranks_someone(scenario, source, rows)
    _warn_of_unranked_row_scores(scenario, source, rows)


def _check_scores_ranked(scenario: Scenario, source: ScenarioSource | None) -> None:
    """Efficiency scores need rules that rank their category by them.

    Refused where given with or after the policy; a parent file's scores that a child file
    or option's policy leaves unranked (``--set policy.order=fifo`` on a file that ranks by
    efficiency, to compare with FIFO) are set aside with a warning.
    """
    for path, expected, why, advice in unranked_scores(scenario):
        key: Key = tuple(int(part) if part.isdigit() else part for part in path.split("."))
        _refuse_unless_inherited(scenario, source, key, expected, why, advice,
                                 by=_ranking_keys(scenario, key), at_any_value=True)


def _ranking_keys(scenario: Scenario, key: Key) -> tuple[Key, ...]:
    """The keys that decide whether the scores at ``key`` are ranked by.

    The policy, the categories their stream or project holds, and whether its applicants ask
    for priority (a stream's uptake; a project's own say): who does not queues as other.
    """
    policy: tuple[Key, ...] = (("policy", "order"), ("policy", "within_category"),
                               ("policy", "changes"))
    if key[0] == "streams":
        by = asking_by(categories_held(scenario.streams[str(key[1])]))
        uptake: tuple[Key, ...] = (("priority_uptake", by),) if by is not None else ()
        return (*policy, (*key[:2], "category"), (*key[:2], "category_changes"), *uptake)
    if key[0] == "projects":
        return (*policy, ("projects",))
    return policy


def _warn_of_unranked_row_scores(scenario: Scenario, source: ScenarioSource | None,
                                 rows: WaitingRows | None) -> None:
    """Warn of waiting-list rows whose own efficiency scores no rules in force rank by.

    A stream's or project's such scores are refused; a file's column is the operator's
    record, which the same list may bring to a reference without the ranking, so it is only
    said: the run is the same as without those scores.
    """
    if rows is None or not rows.scored:
        return
    ranked = {category for _, categories in efficiency_ranked_at(scenario)
              for category in categories}
    unranked = [bool(ranked.intersection(held))  # in a ranked category, not queued there
                for held, chance, score in _rows_asking(scenario, rows)
                if score > -math.inf
                and not ranked.intersection(ranked_in(scenario, held, chance))]
    if unranked:
        assert scenario.waiting_list is not None
        count = len(unranked)
        why = ("any category" if not ranked else "their categories") + \
            " by efficiency (policy.within_category)"
        if all(unranked):  # each holds a ranked category, but does not ask: ranked as other
            why = ("other by efficiency (policy.within_category), where those who do not ask "
                   "for priority queue")
        _warn(scenario, source, ("waiting_list", "csv"),
              f"{count:,} row{'s' if count > 1 else ''} of {scenario.waiting_list.csv} "
              f"{'give' if count > 1 else 'gives'} an efficiency score, but no rules in "
              f"force rank {why}, so those scores do nothing")


def _refuse(scenario: Scenario, source: ScenarioSource | None, key: Key,
            expected: str, *, at_any_value: bool = False) -> InputError:
    """The error naming ``key`` where it was given: its file and line, or the option.

    ``at_any_value``: no other value of ``key`` (or of a key inside it) would act either, so
    the error is an :class:`~sim.errors.InertSetting` (calibration then says the key cannot
    be fitted, rather than to give another range).
    """
    where, line = source.locate(key) if source is not None else (scenario.name, None)
    kind = InertSetting if at_any_value else InputError
    return kind(where, ".".join(map(str, key)), expected, line=line)


def _refuse_unless_inherited(scenario: Scenario, source: ScenarioSource | None, key: Key,
                             expected: str, why: str, advice: str, *,
                             by: tuple[Key, ...] | None = None, aside: str | None = None,
                             label: str | None = None, at_any_value: bool = False) -> None:
    """Refuse ``key``, which would do nothing (``expected: why; advice``); or set it aside.

    It is set aside, with a warning that says so, where it comes from an earlier layer than
    the last one to change ``by`` (the keys that made it do nothing; default: who is in each
    category, :func:`_who_is_in`): a parent file's setting that a child file or option left
    nobody to act on. A later layer that changes something else (a stream's demand) leaves
    it where it was given. ``aside``: why, for the warning, where ``why`` leans on
    ``expected``; ``label``: what is set aside (default: ``key``).
    """
    cause = None if source is None else _changed_after(
        source, key, by or _who_is_in(scenario, source))
    if cause is None:
        raise _refuse(scenario, source, key, f"{expected}: {why}; {advice}",
                      at_any_value=at_any_value)
    _warn(scenario, source, key, f"{label or '.'.join(map(str, key))} is set aside: after "
          f"{cause}, {aside or why}")


def _changed_after(source: ScenarioSource, key: Key, by: tuple[Key, ...]) -> str | None:
    """What changed a key of ``by`` in a later layer than ``key``'s, if one did.

    The options that gave one of them, or the top-level keys of the file that did.
    """
    layers = [layer_within(source, path) for path in by]
    last = max(layers)
    if last <= layer_within(source, key):
        return None
    changed = [tuple(map(str, path)) for path, layer in zip(by, layers, strict=True)
               if layer == last]
    if last == len(source.files):  # the options
        return " and ".join(override.shown for override in source.overrides
                            if any(_within(override.path, path) or _within(path, override.path)
                                   for path in changed))
    names = dict.fromkeys(path[0] for path in changed)
    return f"the {' and '.join(names)} of {source.files[len(source.files) - 1 - last][0]}"


def _within(path: tuple[str, ...], outer: tuple[str, ...]) -> bool:
    """Whether ``path`` is ``outer`` or a key inside it."""
    return path[:len(outer)] == outer


def _who_is_in(scenario: Scenario, source: ScenarioSource | None,
               *fields: str) -> tuple[Key, ...]:
    """The keys that decide who is in each category, and ``fields`` of each stream.

    A stream's category, moves and rate (a stream removed or added: the stream), the projects
    and the waiting list: a layer that changes only a stream's demand or jobs empties none.
    """
    names = dict.fromkeys(scenario.streams)
    if source is not None:
        names.update((name, None) for name, _ in _file_streams(source))
        names.update((override.path[1], None) for override in source.overrides
                     if override.path[0] == "streams" and len(override.path) > 1)
    keys: list[Key] = [("projects",), ("waiting_list",)]
    for name in names:
        keys += [("streams", name, field) for field in (
            "rate_per_year", "category", "category_changes", *fields)] \
            if name in scenario.streams else [("streams", name)]
    return tuple(keys)


def _file_streams(source: ScenarioSource) -> Iterator[tuple[str, yaml.Node]]:
    """Each stream every file of ``source`` gives, by name, with its node: removed ones too."""
    for _, root in source.files:
        streams = find_node(root, ("streams",))
        if isinstance(streams, yaml.MappingNode):
            yield from ((str(name.value), value) for name, value in streams.value)


def _warn(scenario: Scenario, source: ScenarioSource | None, key: Key, text: str) -> None:
    """A warning that starts where ``key`` was given: its file and line, or the option."""
    where, line = source.locate(key) if source is not None else (scenario.name, None)
    warn(f"{where}{f':{line}' if line else ''}: {text}")


def _check_releases_act(scenario: Scenario, source: ScenarioSource | None) -> None:
    """A capacity release must be able to free something: a share of someone's MW.

    It frees MW of users connected before the start (``existing_mw``), or of applicants of
    the run whom a review finds connected ``after_years`` or longer: a review after the
    start day (nobody is connected before the first instant's reviews) that looks back, by
    the calendar, to the start day or later (:meth:`CapacityRelease.connected_by`).
    """
    for k, release in enumerate(scenario.capacity_releases):
        if release.user_share == 0:
            raise _refuse(scenario, source, ("capacity_releases", k, "user_share"),
                          "expected a share above 0: with 0, nobody reviewed gives up any MW, "
                          "so the mechanism would free nothing")
        if release.existing_mw:
            continue
        reviews = release.review_dates(scenario.end)
        if not any(date > scenario.start and release.connected_by(date) >= scenario.start
                   for date in reviews):
            last = reviews[-1] if reviews else release.start
            why = (f"its only review is on the start day ({last}), before anyone connects"
                   if last <= scenario.start else
                   f"the last review ({last}) looks back {release.after_years:g} years, to "
                   f"{release.connected_by(last)}, before the start ({scenario.start})")
            raise _refuse(scenario, source, ("capacity_releases", k, "after_years"),
                          f"expected a review that can find a user connected long enough: "
                          f"{why}, and existing_mw is 0, so the mechanism would free nothing; "
                          "move its start, shorten after_years, or give existing_mw")


def _check_releases_reach_someone(scenario: Scenario, source: ScenarioSource | None,
                                  rows: WaitingRows | None) -> None:
    """A capacity release of one area needs someone who can connect there, or existing_mw.

    A review finds only users of its area: where no stream that draws applicants, no project
    and no waiting-list row asks in it, and no MW are in place before the start
    (``existing_mw``), the mechanism frees nothing. Refused, or set aside where a later layer
    moved or stopped the streams (or projects, or rows) that asked there.
    """
    asking = _areas_asked_in(scenario, rows)
    for k, release in enumerate(scenario.capacity_releases):
        if release.area is None or release.existing_mw or release.area in asking:
            continue
        why = (f"no stream, project or waiting-list row asks in area '{release.area}', so "
               "the mechanism would free nothing")
        _refuse_unless_inherited(
            scenario, source, ("capacity_releases", k, "area"),
            "expected an area somebody asks in, or existing_mw", why,
            "name another area, or give existing_mw",
            by=_who_is_in(scenario, source, "area"), label=f"capacity_releases.{k}")


def _areas_asked_in(scenario: Scenario, rows: WaitingRows | None) -> set[str]:
    """The areas in which some applicant asks: a stream that draws one, a project, a row."""
    first = scenario.area_names[0]
    areas = {stream.area or first for stream in _drawing(scenario).values()}
    areas.update(project.area or first for project in scenario.projects)
    if rows is not None:
        for name, area in zip(rows.stream, rows.area, strict=True):
            stream = scenario.streams.get(name or "")
            areas.add(area or (stream.area if stream is not None else None) or first)
    return areas


def _drawing(scenario: Scenario) -> dict[str, Stream]:
    """The streams that draw applicants, by name: those that hold their categories.

    Those with a rate (a rate of 0 stays 0 whatever its growth), and those a generated
    waiting list draws from (its ``mix``, or else the rates). A stream that draws nobody
    holds no category: what is set for its categories reaches nobody. The rows of a
    waiting-list CSV that name it are applicants of their own, in their own categories
    (and the stream's moves), and count as rows.
    """
    waiting = scenario.waiting_list
    listed = waiting_list_weights(scenario) if waiting is not None and waiting.count \
        else [0.0] * len(scenario.streams)
    return {name: stream for (name, stream), weight
            in zip(scenario.streams.items(), listed, strict=True)
            if stream.rate_per_year > 0 or weight > 0}


def _idle(scenario: Scenario, among: dict[str, Stream], only: tuple[str, str]) -> str:
    """Those of ``among`` that draw nobody, and why: ``its only stream, 'x', draws nobody (...)``.

    Said where they are the only streams that could have reached somebody: ``only`` names
    them, as one stream and as several (``("its only stream", "its only streams")``). Empty
    when each of ``among`` draws somebody.
    """
    drawing = _drawing(scenario)
    names = [name for name in among if name not in drawing]
    if not names:
        return ""
    one = len(names) == 1
    it, its = ("it", "its") if one else ("them", "their")
    why = f"{its} rate_per_year is 0"
    waiting = scenario.waiting_list
    if waiting is not None and waiting.count and waiting.mix is not None:
        why += f", and waiting_list.mix gives {it} no weight"
    quoted = [f"'{name}'" for name in names]
    which = listed(quoted)
    return f"{only[0 if one else 1]}, {which}, {'draws' if one else 'draw'} nobody ({why})"


def _nobody_in(scenario: Scenario, category: str) -> str:
    """Why nobody is ever in ``category``: no stream, project or row, or only idle streams."""
    idle = _idle(scenario, {name: stream for name, stream in scenario.streams.items()
                            if category in categories_held(stream)},
                 ("its only stream", "its only streams"))
    if not idle:
        return f"no stream, project or waiting-list row is ever in '{category}'"
    return (f"nobody is ever in '{category}': {idle}, and no project or waiting-list row is "
            "in it")


def _givers(scenario: Scenario) -> list[Stream | Project]:
    """The streams that draw applicants, and the projects: beside the waiting list's rows."""
    return [*_drawing(scenario).values(), *scenario.projects]


def _categories_held(scenario: Scenario, rows: WaitingRows | None) -> set[str]:
    """Every category some applicant holds, at its request or after a category change."""
    held = {category for giver in _givers(scenario) for category in categories_held(giver)}
    held.update(category for row in _row_categories(scenario, rows) for category in row)
    return held


def _row_categories(scenario: Scenario, rows: WaitingRows | None) -> list[dict[str, None]]:
    """The categories each waiting-list row holds over time: its own, then its stream's moves."""
    if rows is None:
        return []
    return [dict.fromkeys([category, *(change.category for change in stream.category_changes)])
            if (stream := scenario.streams.get(name or "")) is not None else {category: None}
            for category, name in zip(rows.category, rows.stream, strict=True)]


def _uptake_drawers(scenario: Scenario,
                    rows: WaitingRows | None) -> list[tuple[dict[str, None], str]]:
    """Whose priority is drawn by an uptake: what each holds, and the category it asks by.

    The categories held by each stream that draws applicants of its own, and by each
    waiting-list row that does not give ``priority_requested`` (with its stream's moves);
    projects, and rows that give it, say themselves whether they ask. Those that never hold
    a category with priority are left out.
    """
    drawers = [categories_held(stream) for stream in _drawing(scenario).values()]
    drawers += [held for held, stated in zip(_row_categories(scenario, rows),
                                             rows.priority_requested if rows else [],
                                             strict=True) if stated is None]
    return [(held, by) for held in drawers if (by := asking_by(held)) is not None]


def _categories_asking(scenario: Scenario, rows: WaitingRows | None) -> set[str]:
    """Every category held by somebody who may ask for priority.

    A stream's applicants (or a row's) whose uptake is above 0, a project that asks, a row
    that says it asks.
    """
    uptake: dict[str, float] = dict(scenario.priority_uptake.items())
    asking = {category for held, by in _uptake_drawers(scenario, rows)
              if uptake.get(by, 0.0) > 0 for category in held}
    asking.update(category for project in scenario.projects if project.priority_requested
                  for category in categories_held(project))
    asking.update(category for held, stated in zip(_row_categories(scenario, rows),
                                                   rows.priority_requested if rows else [],
                                                   strict=True) if stated
                  for category in held)
    return asking


def _rows_asking(scenario: Scenario,
                 rows: WaitingRows | None) -> list[tuple[dict[str, None], float, float]]:
    """Each waiting-list row: the categories it holds, how likely it asks, and its own score.

    A row that gives ``priority_requested`` says itself; the others ask by the uptake of the
    first category with priority they hold (:func:`sim.inputs.scenario.asking_by`).
    """
    if rows is None:
        return []
    uptake = scenario.priority_uptake
    return [(held, (1.0 if stated else 0.0) if stated is not None else
             0.0 if (by := asking_by(held)) is None else uptake.get(by, 1.0),  # type: ignore[call-overload]
             float(score))
            for held, stated, score in zip(_row_categories(scenario, rows),
                                           rows.priority_requested, rows.efficiency, strict=True)]


def _queuers(scenario: Scenario,
             rows: WaitingRows | None) -> list[tuple[dict[str, None], float, bool, str | None]]:
    """Every applicant's say in where it queues: what it holds, how likely it asks, a score.

    Each stream that draws applicants, project and waiting-list row: the categories it holds,
    its chance of asking for priority (who does not queues as other,
    :func:`sim.inputs.scenario.queued_in`), whether it has an efficiency score (a row's own,
    or one drawn from its stream's or the waiting list's default), and the uptake it asks by
    (None where it says itself: a project, a row that gives ``priority_requested``).
    """
    queuers = [(held, asking_chance(scenario, stream), stream.efficiency is not None,
                asking_by(held)) for stream in _drawing(scenario).values()
               for held in [categories_held(stream)]]
    queuers += [(categories_held(project), asking_chance(scenario, project),
                 project.efficiency is not None, None) for project in scenario.projects]
    return queuers + _row_queuers(scenario, rows)


def _row_queuers(scenario: Scenario,
                 rows: WaitingRows | None) -> list[tuple[dict[str, None], float, bool, str | None]]:
    """The waiting-list rows' part of :func:`_queuers`."""
    if rows is None:
        return []
    waiting = scenario.waiting_list
    default = waiting.efficiency if waiting is not None else None
    return [(held, chance, score > -math.inf or (
                scenario.streams[name].efficiency if name else default) is not None,
             asking_by(held) if stated is None else None)
            for (held, chance, score), name, stated
            in zip(_rows_asking(scenario, rows), rows.stream, rows.priority_requested,
                   strict=True)]


def _check_rounds_serve_someone(scenario: Scenario, source: ScenarioSource | None,
                                rows: WaitingRows | None) -> None:
    """A category that rounds serve between rounds needs somebody in it who may ask for priority.

    Between rounds only those with priority are served: a category nobody is in, or whose
    applicants all go without priority (an uptake of 0, no project or row that asks), would
    have nobody to serve.
    """
    held = _categories_held(scenario, rows)
    asking = _categories_asking(scenario, rows)
    changes = scenario.policy.changes
    for index, (_, regime) in enumerate(scenario.policy.regimes()):
        if regime.rounds is None or (index and changes[index - 1].rounds is None):
            continue  # none, or kept from an earlier change: judged where they were given
        prefix: Key = ("policy",) if index == 0 else ("policy", "changes", index - 1)
        key = (*prefix, "rounds", "between_rounds")
        for category in regime.rounds.between_rounds:
            label = f"'{category}' in {'.'.join(map(str, key))}"
            if category not in held:
                _refuse_unless_inherited(
                    scenario, source, key, "expected categories somebody is in",
                    f"{_nobody_in(scenario, category)}, so serving it between rounds would "
                    "change nothing", "leave it out", label=label)
            elif category not in asking:
                shares = sorted({by for held_by, by in _uptake_drawers(scenario, rows)
                                 if category in held_by})
                then = (f"{_zero(category, shares)}no project or waiting-list row in it asks), "
                        "and only those with priority are served between rounds, so serving "
                        "it would change nothing")
                _refuse_unless_inherited(
                    scenario, source, key,
                    "expected categories whose applicants may ask for priority",
                    f"nobody in '{category}' does ({then}", "raise the uptake, or leave it out",
                    by=(*_who_is_in(scenario, source),
                        *(("priority_uptake", share) for share in shares)), label=label,
                    aside=f"nobody in '{category}' asks for priority ({then}")


def _zero(category: str, shares: list[str]) -> str:
    """Why the applicants of ``category`` drawn by ``shares`` never ask: those uptakes are 0."""
    if not shares:
        return ""
    names = " and ".join(f"priority_uptake.{share}" for share in shares)
    if shares == [category]:
        return f"{names} is 0, and "
    return f"its applicants ask by {names}, {'which is' if len(shares) == 1 else 'each'} 0, and "


def check_category_order_reaches_someone(scenario: Scenario, source: ScenarioSource | None,
                                         rows: WaitingRows | None, keys: list[Key]) -> None:
    """A category order needs applicants who queue in two categories or more to order.

    Who does not ask for priority queues as other (:func:`sim.inputs.scenario.queued_in`):
    where every applicant queues in one category (nobody asks for priority, or nobody is in a
    category with priority) no order of the categories moves anyone. ``keys``: the category
    orders to judge, each used by a policy that queues so (:func:`sim.policies.shadowing.
    check_category_order_acts` chooses them). Refused where given with or after what says who
    is in each category and who asks; set aside with a warning where a later layer did that
    (``--set priority_uptake.safety=0`` on a file that orders safety first).
    """
    queuers = _queuers(scenario, rows)
    queued = {category for held, chance, _, _ in queuers for category in queued_in(held, chance)}
    if len(queued) != 1 or not keys:
        return
    (only,) = queued
    if only != "other":
        reason = "every applicant is in it, and asks for priority"
    elif any(asking_by(held) is not None for held, *_ in queuers):
        shares = sorted({by for *_, by in queuers if by is not None})
        names = listed([f"priority_uptake.{share}" for share in shares])
        zero = f"{names} {'is' if len(shares) == 1 else 'are each'} 0, and " if shares else ""
        reason = f"nobody asks for priority: {zero}no project or waiting-list row asks"
    else:
        reason = "nobody is in a category with priority"
    for key in keys:
        _refuse_unless_inherited(
            scenario, source, key, "changes nothing", f"every applicant queues in {only} "
            f"({reason}), so no order of the categories would move anyone", "leave it out",
            by=(*_who_is_in(scenario, source), ("priority_uptake",)), at_any_value=True)


def _check_uptakes_reach_someone(scenario: Scenario, source: ScenarioSource | None,
                                 rows: WaitingRows | None) -> None:
    """A ``priority_uptake`` other than the default needs applicants who ask by it.

    Whether an applicant asks is drawn once, by the uptake of the first category with
    priority it holds (at its request or after a category change, under any rules); projects
    and waiting-list rows that give ``priority_requested`` say so themselves. Only a share
    other than 1 is refused: 1 is what every category has unless told otherwise, and what a
    resolved scenario file states for each. And only one given with, or after, the streams,
    projects and waiting list: a family's base file states the shares of its applicants, and
    a child file or option that empties a category (removes its only stream, gives it a rate
    of 0, or moves it to another) sets that share aside, with a warning.
    """
    drawn = {by for _, by in _uptake_drawers(scenario, rows)}
    held = _categories_held(scenario, rows)
    for category, share in scenario.priority_uptake.items():
        key = ("priority_uptake", category)
        if share == 1.0 or category in drawn:
            continue
        if category not in held:
            _refuse_unless_inherited(
                scenario, source, key, "expected a category somebody is in",
                f"{_nobody_in(scenario, category)}, so nobody would ask for priority by this "
                "share", "leave it out", at_any_value=True)
            continue
        otherwise = f"({_asking_otherwise(scenario, rows, category)}), so it would change nothing"
        _refuse_unless_inherited(
            scenario, source, key, "expected applicants who ask for priority by this share",
            f"nobody in '{category}' does {otherwise}", "leave it out", at_any_value=True,
            aside=f"nobody in '{category}' asks for priority by it {otherwise}")


def _asking_otherwise(scenario: Scenario, rows: WaitingRows | None, category: str) -> str:
    """How those in ``category`` ask for priority, where none asks by its uptake."""
    ways = []
    if any(category in categories_held(project) for project in scenario.projects):
        ways.append("projects in it say themselves whether they ask (priority_requested)")
    if any(category in held and stated is not None
           for held, stated in zip(_row_categories(scenario, rows),
                                   rows.priority_requested if rows else [], strict=True)):
        ways.append("waiting-list rows in it say so in priority_requested")
    earlier = sorted({by for held, by in _uptake_drawers(scenario, rows) if category in held})
    if earlier:
        ways.append(f"applicants who move in from {' or '.join(earlier)} ask by "
                    f"{'its' if len(earlier) == 1 else 'their'} uptake")
    return "; ".join(ways)


def _check_anyone_has_a_score(scenario: Scenario, source: ScenarioSource | None,
                              rows: WaitingRows | None) -> bool:
    """Ranking by efficiency needs scores; whether somebody has one, the per-category check's cue.

    Where nobody at all has a score, each ranking by efficiency is refused, or set aside
    where a later layer took the scores away (``--set streams.storage=null`` on a file that
    ranks storage by efficiency).
    """
    if scores_drawn(scenario) or (rows is not None and rows.scored):
        return True
    waiting = scenario.waiting_list
    nobody = ("no stream, project or waiting list gives efficiency" if rows is None or
              waiting is None else "no stream or project gives efficiency and the waiting "
              f"list {waiting.csv} has no efficiency column with values")
    for key, categories in efficiency_ranked_at(scenario):
        _refuse_unless_inherited(
            scenario, source, key, "expected efficiency scores to rank by",
            f"{nobody}, so every applicant would keep its request-date order",
            f"give the {' and '.join(categories)} streams an efficiency distribution, or "
            "leave the ranking out", by=_who_is_in(scenario, source, "efficiency"))
    return False


def uptakes_drawn(scenario: Scenario, rows: WaitingRows | None) -> dict[str, float]:
    """The ``priority_uptake`` shares some applicant asks by, in the scenario's order.

    A share of a category nobody is in (one a child file emptied, set aside with a warning)
    draws nobody's priority, so it is left out.
    """
    drawn = {by for _, by in _uptake_drawers(scenario, rows)}
    return {category: share for category, share in scenario.priority_uptake.items()
            if category in drawn}


def scored_categories(scenario: Scenario, rows: WaitingRows | None) -> set[str]:
    """The categories in which somebody with an efficiency score queues: only those rank by one.

    Streams that draw applicants, projects and waiting-list rows (a row's own score, or one
    drawn from its stream's or the waiting list's default), each in the categories it holds
    where it may ask for priority, and in other where it holds it or may not ask
    (:func:`sim.inputs.scenario.queued_in`).
    """
    return {category for held, chance, scored, _ in _queuers(scenario, rows) if scored
            for category in ranked_in(scenario, held, chance)}


def _check_efficiency_ranks_someone(scenario: Scenario, source: ScenarioSource | None,
                                    rows: WaitingRows | None) -> None:
    """A category ranked by efficiency needs applicants of it with a score to rank by.

    Where nobody at all has a score, :func:`_check_anyone_has_a_score` has said so; a category
    whose own applicants have none would keep its request-date order just the same.
    """
    scored = scored_categories(scenario, rows)
    queuers = _queuers(scenario, rows)
    warned: set[str] = set()  # the unscored are the same in every period: named once
    for index, (_, regime) in enumerate(scenario.policy.regimes()):
        for category, how in regime.within_category.items():
            prefix: Key = ("policy",) if index == 0 else ("policy", "changes", index - 1)
            if how == "efficiency" and category in scored and category not in warned:
                warned.add(category)
                _warn_of_unscored(scenario, source, rows, (*prefix, "within_category",
                                                           category), category)
            if how == "efficiency" and category not in scored and any(
                    has and category in held for held, _, has, _ in queuers):
                shares = sorted({by for held, _, has, by in queuers
                                 if has and category in held and by is not None})
                why = (f"nobody in {category} with a score asks for priority "
                       f"({_zero(category, shares)}no project or waiting-list row in it with "
                       "a score asks)")
                _refuse_unless_inherited(
                    scenario, source, (*prefix, "within_category", category),
                    f"expected efficiency scores of {category} applicants to rank by",
                    f"{why}, so the category would keep its request-date order",
                    "raise the uptake, or leave it out",
                    by=(*_who_is_in(scenario, source, "efficiency"),
                        *(("priority_uptake", share) for share in shares)),
                    aside=f"{why.replace('a score', 'an efficiency score', 1)}, so the "
                    "category would keep its request-date order")
            elif how == "efficiency" and category not in scored:
                idle = _idle(scenario, {
                    name: stream for name, stream in scenario.streams.items()
                    if stream.efficiency is not None and category in categories_held(stream)},
                    ("the only stream in it that gives one", "the only streams in it that "
                     "give one"))
                if idle:
                    why = (f"nobody in {category} has a score: {idle}, and no other stream, "
                           "project or waiting-list row in it gives one")
                    aside = why.replace("a score", "an efficiency score", 1)
                else:  # the warning has no "expected efficiency scores" for "one" to stand for
                    why = f"no stream, project or waiting-list row in {category} gives one"
                    aside = why.replace("one", "an efficiency score")
                _refuse_unless_inherited(
                    scenario, source, (*prefix, "within_category", category),
                    f"expected efficiency scores of {category} applicants to rank by",
                    f"{why}, so the category would keep its request-date order",
                    "give its streams an efficiency distribution, or leave it out",
                    by=_who_is_in(scenario, source, "efficiency"),
                    aside=f"{aside}, so the category would keep its request-date order")


def _warn_of_unscored(scenario: Scenario, source: ScenarioSource | None,
                      rows: WaitingRows | None, key: Key, category: str) -> None:
    """Warn of applicants without a score in a category ranked by efficiency: they come last.

    As documented, but a stream left without an ``efficiency`` distribution is more often
    forgotten than meant, and its applicants would wait behind every scored one.
    """
    unscored = [f"stream '{name}'" for name, stream in _drawing(scenario).items()
                if stream.efficiency is None and category in queued_in(
                    categories_held(stream), asking_chance(scenario, stream))]
    unscored += [f"project '{project.name}'" for project in scenario.projects
                 if project.efficiency is None and category in queued_in(
                     categories_held(project), asking_chance(scenario, project))]
    count = sum(1 for held, chance, scored, _ in _row_queuers(scenario, rows)
                if category in queued_in(held, chance) and not scored)
    if count:
        unscored.append(f"{count:,} waiting-list row{'s' if count > 1 else ''}")
    if unscored:
        verb = "give" if len(unscored) > 1 or count > 1 else "gives"
        _warn(scenario, source, key, f"ranks {category} by efficiency, but {listed(unscored)} "
              f"in it {verb} no efficiency score: those applicants are served after every one "
              "with a score, by request date")


_ROW_DEFAULTS = ("patience_years", "efficiency", "partial_offer", "non_firm")
"""What ``waiting_list`` gives the CSV's rows that name no stream (the others take their
stream's)."""


def _check_waiting_list_defaults_act(scenario: Scenario, source: ScenarioSource | None,
                                     rows: WaitingRows | None) -> None:
    """Defaults for CSV rows that name no stream need such a row."""
    waiting = scenario.waiting_list
    if waiting is None or rows is None or not all(rows.stream):
        return
    for name in _ROW_DEFAULTS:
        if getattr(waiting, name) is not None:
            raise _refuse(scenario, source, ("waiting_list", name),
                          f"expected rows that name no stream: it applies only to such rows, "
                          f"and every row of {waiting.csv} names a stream, whose own settings "
                          "apply, so it would do nothing; leave it out, or set it on the "
                          "streams", at_any_value=True)


_OFFERS = {"partial_offer": ("min_share", "nobody accepts a partial offer", "accept_share"),
           "non_firm": ("right", "nobody accepts a non-firm right", "accept_share"),
           "expansion": ("existing_mw", "nobody expands a connection in place", "share")}
"""Each offer whose share says who takes it: the key that states the offer itself, what a
share of 0 leaves, and the key of the share."""


def _check_offers_find_takers(scenario: Scenario, source: ScenarioSource | None,
                              rows: WaitingRows | None) -> None:
    """A partial or non-firm offer, or an expansion, needs somebody who takes it: a share above 0.

    With 0 nobody accepts (``accept_share``) or expands (an expansion's ``share``), so the
    block runs as if left out: an expansion nobody makes fills not even the ``existing_mw``
    column. The block is refused where its share of 0 is given with or after the block itself
    (``min_share``, ``right``, ``existing_mw``), naming whichever came later; where a later
    layer sets an inherited block's share to 0
    (``--set streams.logistics.partial_offer.accept_share=0``), it is set aside with a
    warning. A stream's offer, and the waiting list's for CSV rows that name no stream (with
    none, :func:`_check_waiting_list_defaults_act` has refused it).
    """
    owners: list[tuple[Key, Stream | WaitingList]] = [
        (("streams", name), stream) for name, stream in scenario.streams.items()]
    if scenario.waiting_list is not None:
        owners.append((("waiting_list",), scenario.waiting_list))
    for prefix, owner in owners:
        for field, (_, _, share) in _OFFERS.items():
            offer = getattr(owner, field, None)  # a waiting list has no expansion
            if offer is not None and getattr(offer, share) <= 0:
                _refuse_or_set_aside_offer(scenario, source, (*prefix, field))


def _refuse_or_set_aside_offer(scenario: Scenario, source: ScenarioSource | None,
                               block: Key) -> None:
    """Refuse the offer at ``block`` that nobody takes, or set it aside if inherited."""
    shown = ".".join(map(str, block))
    stated, nobody, share_key = _OFFERS[str(block[-1])]
    share, itself = (*block, share_key), (*block, stated)
    why = f"{nobody}, so {shown} would do nothing"
    advice = f"leave {block[-1]} out, or give a share above 0"
    later = None if source is None else \
        layer_within(source, share) - layer_within(source, itself)
    if later is None or later == 0:
        raise _refuse(scenario, source, share, f"expected a share above 0: with 0, {why}; "
                      f"{advice}")
    if later < 0:  # the offer restated over an inherited share of 0
        raise _refuse(scenario, source, itself, f"expected {'an' if share_key[0] == 'a' else 'a'} "
                      f"{share_key} above 0 beside it: after {_giving(source, share, '0')}, "
                      f"{why}; {advice}")
    _warn(scenario, source, itself, f"{shown} is set aside: after "
          f"{_giving(source, share, '0')}, {why}")


def non_firm_offers(scenario: Scenario, rows: WaitingRows | None) -> set[tuple[str, str]]:
    """The right and area of each non-firm offer somebody can take.

    Streams that draw applicants and projects, each in its area; waiting-list CSV rows, in
    theirs, with their stream's offer or else ``waiting_list.non_firm``.
    """
    first = scenario.area_names[0]
    offers = {(stream.non_firm.right, stream.area or first)
              for stream in _drawing(scenario).values()
              if stream.non_firm is not None and stream.non_firm.accept_share > 0}
    offers.update((project.non_firm_right, project.area or first)
                  for project in scenario.projects if project.non_firm_right is not None)
    if rows is None:
        return offers
    waiting = scenario.waiting_list
    for name, area in zip(rows.stream, rows.area, strict=True):
        stream = scenario.streams.get(name or "")
        offer = stream.non_firm if stream is not None else \
            waiting.non_firm if waiting is not None else None
        if offer is not None and offer.accept_share > 0:
            offers.add((offer.right, area or (stream.area if stream else None) or first))
    return offers


def _who_is_offered(scenario: Scenario, source: ScenarioSource | None) -> tuple[Key, ...]:
    """The keys that decide who can be offered a non-firm right.

    The rate, offer and area of each stream with an offer; the offer of a stream that had one
    in a file and has none now (the stream, if it was removed); the projects and the waiting
    list. A layer that adds or changes a stream without an offer changes nobody's.
    """
    keys: list[Key] = [("projects",), ("waiting_list",)]
    for name, stream in scenario.streams.items():
        if stream.non_firm is not None:
            keys += [("streams", name, field) for field in ("rate_per_year", "non_firm", "area")]
    if source is not None:
        had = dict.fromkeys(name for name, node in _file_streams(source)
                            if find_node(node, ("non_firm",)) is not None)
        for name in had:
            if name not in scenario.streams:
                keys.append(("streams", name))
            elif scenario.streams[name].non_firm is None:
                keys.append(("streams", name, "non_firm"))
    return tuple(keys)


def _check_non_firm_reaches_someone(scenario: Scenario, source: ScenarioSource | None,
                                    rows: WaitingRows | None) -> None:
    """Non-firm pools and rights need somebody who can be offered them.

    A pool whose area no offer somebody can take reaches (:func:`non_firm_offers`), or a
    right no such offer makes, would do nothing; with no such offer at all, neither would
    ``non_firm``. Each is refused, or set aside where a later layer stopped the streams that
    made the offers, or took the offers away.
    """
    non_firm = scenario.non_firm
    if non_firm is None:
        return
    offers = non_firm_offers(scenario, rows)
    offering = {name: stream for name, stream in scenario.streams.items()
                if stream.non_firm is not None}
    by = _who_is_offered(scenario, source)
    if not offers:
        idle = _idle(scenario, offering, ("the only stream with an offer",
                                          "the only streams with an offer"))
        why = (f"{idle}, and no project or waiting-list row takes one" if idle else
               "no stream, project or waiting-list row has one") + \
            ", so nobody would take the pools or hold the rights"
        _refuse_unless_inherited(
            scenario, source, ("non_firm",), "expected a non_firm offer somebody can take, on "
            "a stream that draws applicants or a project (non_firm_right)", why,
            "leave non_firm out", at_any_value=True, by=by,
            aside=f"nobody is offered a non-firm right: {why}")
        return
    first = scenario.area_names[0]
    reached = {area for _, area in offers}
    for area in non_firm.pools:
        if area not in reached:
            idle = _idle(scenario, {name: stream for name, stream in offering.items()
                                    if (stream.area or first) == area},
                         ("the only stream there with an offer",
                          "the only streams there with an offer"))
            why = f"{idle}, so nobody could use this pool" if idle else \
                "nobody could use this pool"
            _refuse_unless_inherited(
                scenario, source, ("non_firm", "pools", area),
                f"expected a non_firm offer that reaches area '{area}' (a stream or project "
                "there)", why, "leave the pool out", at_any_value=True, by=by,
                aside=f"no non_firm offer somebody can take reaches area '{area}'"
                f"{f': {idle}' if idle else ''}, so nobody could use this pool")
    offered = {right for right, _ in offers}
    for name in non_firm.rights:
        if name not in offered:
            idle = _idle(scenario, {stream_name: stream for stream_name, stream
                                    in offering.items() if stream.non_firm is not None
                                    and stream.non_firm.right == name},
                         ("the only stream that offers it", "the only streams that offer it"))
            why = f"{idle}, so nobody would hold it" if idle else "nobody would hold it"
            _refuse_unless_inherited(
                scenario, source, ("non_firm", "rights", name),
                "expected an offer of this right on a stream, a project or the waiting list",
                why, "leave the right out", at_any_value=True, by=by,
                aside=f"nobody can be offered right '{name}'{f': {idle}' if idle else ''}, "
                "so nobody would hold it")


def _check_growth_has_a_rate(scenario: Scenario, source: ScenarioSource | None) -> None:
    """A stream's ``growth_per_year`` multiplies its rate: beside a rate of 0 it draws nobody.

    "From nothing, 30% more a year" reads as a stream that grows; it stays at 0, and beside
    other streams of its category nothing else would say so. A generated waiting list that
    draws the stream by its ``mix`` takes no growth either.
    """
    for name, stream in scenario.streams.items():
        if stream.rate_per_year == 0 and stream.growth_per_year != 0:
            _refuse_unless_inherited(
                scenario, source, ("streams", name, "growth_per_year"),
                "expected a rate_per_year above 0 beside it",
                "a rate of 0 stays 0 whatever its growth, so the stream would draw nobody",
                "give the rate at the start (of its period), or leave the growth out",
                by=(("streams", name, "rate_per_year"),))


def _check_projects_keep_a_place(scenario: Scenario, source: ScenarioSource | None) -> None:
    """``keep_firm_place`` says what a project with a non-firm right does; without one, nothing.

    Only ``false`` is refused: ``true``, the default, is what a resolved scenario file (of
    results, say) states for every project.
    """
    for i, project in enumerate(scenario.projects):
        if not project.keep_firm_place and project.non_firm_right is None:
            raise _refuse(scenario, source, ("projects", i, "keep_firm_place"),
                          "expected a non_firm_right beside it: it says whether a project "
                          "holding a "
                          "non-firm right keeps its place in the firm queue, so without one "
                          "it would do nothing; leave it out")


def _warn_of_projects_asking_for_nothing(scenario: Scenario,
                                         source: ScenarioSource | None) -> None:
    """Name a project that asks for priority while it never holds a category with priority.

    Its asking does nothing (it runs as not asking). Declining (``false``) is refused by the
    schema; ``true`` is the default, which the ``scenario.yaml`` of results states for every
    project, so it is only warned of, and only where stated: given in a file or option, or
    set explicitly on a project built in Python (``model_fields_set``).
    """
    for i, project in enumerate(scenario.projects):  # other, and no change out of it
        if not project.priority_requested or "priority_requested" not in \
                project.model_fields_set or holds_priority(project):
            continue
        _warn(scenario, source, ("projects", i, "priority_requested"),
              f"projects.{i}.priority_requested ({project.name}) does nothing: "
              f"'{project.category}' has no priority to ask for, so the project runs as not "
              "asking; leave it out")


def _warn_of_projects_that_never_fit(scenario: Scenario,
                                     source: ScenarioSource | None) -> None:
    """Name a project that asks for more MW than its area can ever have free: it never connects.

    The most an area ever has is its capacity at the start, every upgrade that can come
    before the end (at its shortest delay) and, as an upper bound, what every capacity
    release that may review it frees of the users connected before the start (other
    releases take MW back from the run's applicants, within the capacity); behind a shared
    upstream limit, no more than the upstream's start and upgrades either. A project that
    takes partial connections needs only its smallest part to fit; one that accepts a
    non-firm right may connect in its pool, so it is not judged. A warning, as for an
    upgrade after the end: a comparison over capacities may well reach that.
    """
    for i, project in enumerate(scenario.projects):
        if project.non_firm_right is not None:
            continue
        name = project.area or scenario.area_names[0]
        asked = project.demand_mw * (1.0 - project.self_supply)
        needed = asked * (project.partial_min_share or 1.0)
        most, room = _room_ever(scenario, name)
        if needed <= most + FIT_MARGIN_MW:
            continue
        what = f"asks {project.demand_mw:g} MW"
        if project.self_supply:
            what += f" ({asked:g} MW from the grid, after its self_supply)"
        if project.partial_min_share is not None:
            what += f" and takes no part below {project.partial_min_share:g} of it ({needed:g} MW)"
        _warn(scenario, source, ("projects", i, "demand_mw"),
              f"projects.{i}.demand_mw ({project.name}) {what}: more than the grid ever has "
              f"there, {room}, so it never connects in this run")


def _warn_of_streams_that_never_fit(scenario: Scenario,
                                    source: ScenarioSource | None) -> None:
    """Name a stream whose smallest possible request is more than its area ever has free.

    As for a project (:func:`_warn_of_projects_that_never_fit`): the smallest request is the
    least demand the stream can draw (times the fewest homes), less the most on-site
    generation can cover, and the smallest part it takes where it may take parts. Streams
    whose applicants may hold a non-firm right are not judged. Only bounded distributions
    can warn: a lognormal may always draw a request that fits.
    """
    for name, stream in _drawing(scenario).items():
        if stream.non_firm is not None:
            continue
        smallest, after = stream.demand_mw.lower_bound, []
        if stream.homes_per_request is not None:
            smallest *= max(round(stream.homes_per_request.lower_bound), 1)
            after.append("its fewest homes")
        onsite = onsite_for(scenario, stream, stream.category)
        if onsite is not None and onsite.share > 0:
            smallest *= 1.0 - onsite.cover.upper_bound
            after.append("on-site generation")
        if stream.partial_offer is not None and stream.partial_offer.accept_share > 0:
            smallest *= stream.partial_offer.min_share
            after.append("its smallest partial offer")
        most, room = _room_ever(scenario, stream.area or scenario.area_names[0])
        if smallest <= most + FIT_MARGIN_MW:
            continue
        _warn(scenario, source, ("streams", name, "demand_mw"),
              f"streams.{name}.demand_mw: its smallest possible request asks {smallest:g} MW "
              f"of the grid{f' (with {listed(after)})' if after else ''}: more than the grid "
              f"ever has there, {room}, so none of its requests connects in this run")


def _room_ever(scenario: Scenario, area: str) -> tuple[float, str]:
    """The most MW ``area`` ever has free, and those MW said with where they come from."""
    grid = scenario.grid
    most = _most_ever(scenario, grid.resolved_areas[area].capacity_mw,
                      grid.resolved_areas[area].upgrades, released=area)
    upstream = math.inf if grid.upstream is None else \
        _most_ever(scenario, grid.upstream.capacity_mw, grid.upstream.upgrades)
    upstream_binds = upstream < most
    where = f"the upstream limit area '{area}' shares" if upstream_binds \
        else f"area '{area}'"
    kept = ", and what capacity releases free" if not upstream_binds and any(
        release.area in (None, area) for release in scenario.capacity_releases) else ""
    return min(most, upstream), (f"{min(most, upstream):g} MW ({where}: its capacity at the "
                                 "start and every upgrade that can come before end "
                                 f"({scenario.end}){kept})")


def _most_ever(scenario: Scenario, start_mw: float, upgrades: list[Upgrade], *,
               released: str | None = None) -> float:
    """The most MW an area (or the upstream limit) ever has: at the start and upgraded.

    With ``released`` (the area's name), also what each capacity release that may review it
    frees of the users connected before the start, whole (not split over the areas).
    """
    most = start_mw + sum(upgrade.add_mw for upgrade in upgrades
                          if scenario.earliest(upgrade) <= scenario.end)
    if released is not None:
        most += sum(release.existing_mw * release.user_share * release.mw_share
                    for release in scenario.capacity_releases
                    if release.area in (None, released) and release.review_dates(scenario.end))
    return most


def _check_onsite_defaults_reach_someone(scenario: Scenario, source: ScenarioSource | None,
                                        rows: WaitingRows | None) -> None:
    """Scenario-wide on-site generation needs applicants it applies to.

    A stream's own ``onsite_generation`` wins, a project states its ``self_supply`` and a CSV
    row may state its own: the defaults (and each category's) reach only the others.
    """
    defaults = scenario.onsite_generation
    if defaults is None:
        return
    drawing = _drawing(scenario)
    without = {name: stream for name, stream in scenario.streams.items()
               if stream.onsite_generation is None}  # the streams that take the defaults
    own = _who_is_in(scenario, source, "onsite_generation")
    reached = {stream.category for name, stream in without.items() if name in drawing}
    if rows is not None:
        reached.update(category for category, stream, share
                       in zip(rows.category, rows.stream, rows.self_supply, strict=True)
                       if math.isnan(share)  # the row states no self_supply of its own
                       and (not stream or scenario.streams[stream].onsite_generation is None))
    if not reached:
        idle = _idle(scenario, without, ("the only stream without an onsite_generation of "
                                         "its own", "the only streams without one of their "
                                         "own"))
        _refuse_unless_inherited(
            scenario, source, ("onsite_generation",), "expected applicants it applies to",
            f"{idle or 'no stream goes without an onsite_generation of its own'}, projects "
            "give self_supply, and no waiting-list row takes it, so it would do nothing",
            "leave it out", at_any_value=True, by=own)
        return  # set aside whole, with what it gives each category
    for category in defaults.by_category:
        if category not in reached:
            idle = _idle(scenario, {name: stream for name, stream in without.items()
                                    if stream.category == category},
                         ("the only stream of that category without its own", "the only "
                          "streams of that category without their own"))
            why = f": {idle}, and no waiting-list row takes it" if idle else \
                " (no stream of that category without its own, no waiting-list row)"
            _refuse_unless_inherited(
                scenario, source, ("onsite_generation", "by_category", category),
                f"expected applicants of {category} it applies to",
                f"none takes the scenario's on-site generation{why}, so it would do nothing",
                "leave it out", at_any_value=True, by=own,
                aside=f"no {category} applicant takes the scenario's on-site generation{why}, "
                "so it would do nothing")


def _check_share_and_cover_agree(scenario: Scenario, source: ScenarioSource | None) -> None:
    """On-site generation's ``share`` and ``cover`` act together: one at 0 idles the other.

    A share of 0 (nobody adopts) leaves the cover nothing to act on, and a cover of 0
    (adopters cover nothing) the share; both 0 is the way to say nobody generates on site.
    The idle one is refused where given with or after the other, and set aside with a
    warning where inherited (``--set onsite_generation.share=0`` on a file that gives a cover).
    """
    blocks: list[Key] = [("streams", name, "onsite_generation")
                         for name, stream in scenario.streams.items()
                         if stream.onsite_generation is not None]
    if scenario.onsite_generation is not None:
        blocks += [("onsite_generation",), *(("onsite_generation", "by_category", category)
                                             for category in scenario.onsite_generation
                                             .by_category)]
    for block in blocks:
        onsite = _onsite_at(scenario, block)
        if (onsite.share > 0) == (onsite.cover.upper_bound > 0):
            continue
        shown = ".".join(map(str, block))
        idle, cause, why = (("cover", "share", "nobody adopts on-site generation")
                            if onsite.share == 0 else
                            ("share", "cover", "adopters cover none of their demand"))
        key = (*block, idle)
        later = None if source is None else layer_within(source, (*block, cause)) > \
            layer_within(source, key)
        if not later:
            raise _refuse(scenario, source, key, f"expected {shown}.share and {shown}.cover both "
                          f"above 0, or both 0 (nobody generates on site): with {cause} 0, "
                          f"{why}, so {idle} would do nothing; give {idle}: 0 too, or a "
                          f"{cause} above 0")
        _warn(scenario, source, key, f"{shown}.{idle} is set aside: after "
              f"{_giving(source, (*block, cause), '0')}, {why}, so it would do nothing")


def _giving(source: ScenarioSource | None, key: Key, value: str) -> str:
    """Where ``key`` was given ``value``: the option itself, or ``key value in file:line``."""
    where, line = source.locate(key) if source is not None else ("", None)
    if where.startswith(OVERRIDE_SOURCES):
        return where
    return f"{'.'.join(map(str, key))} {value} in {where}{f':{line}' if line else ''}"


def _onsite_at(scenario: Scenario, block: Key) -> OnsiteGeneration:
    """The on-site generation block at ``block``: a stream's, the defaults or a category's."""
    if block[0] == "streams":
        found = scenario.streams[str(block[1])].onsite_generation
    else:
        found = scenario.onsite_generation
        if found is not None and len(block) > 1:
            found = found.by_category[block[2]]  # type: ignore[index]  # a Category by construction
    assert found is not None
    return found


def _warn_of_upgrades_after_the_end(scenario: Scenario, source: ScenarioSource | None) -> None:
    """Name each upgrade whose shortest delay already takes it past the end: it adds nothing.

    An upgrade dated after the end is refused by the schema; one delayed past it for certain
    is only warned of, as a comparison over delays may well reach that.
    """
    for path, _, upgrades in scenario.upgrade_lists():
        for i, upgrade in enumerate(upgrades):
            earliest = scenario.earliest(upgrade)
            if earliest >= scenario.end:
                delay = "delay_years" if upgrade.same_delay_as is None else "same_delay_as"
                key: Key = (*path.split("."), i, delay)
                _warn(scenario, source, key, f"{'.'.join(map(str, key[:-1]))} ({upgrade.name}) "
                      f"comes {after_end_text(earliest, scenario.end)}")


def after_end_text(earliest: dt.date, end: dt.date) -> str:
    """When an upgrade that comes only after the run comes at the earliest, and what it adds.

    The one wording of the warning of ``run`` and the outline of ``validate``. One that comes
    during the end date itself is said to come on it, where the run stops as that day begins:
    "2037-12-31 at the earliest, after end (2037-12-31)" gave the same two dates.
    """
    if earliest == end:
        return (f"at the earliest on the end date ({end}), where the run stops as that day "
                "begins, so it adds nothing in this run")
    return f"at the earliest on {earliest}, after the end ({end}), so it adds nothing in this run"


def _warn_of_project_times_after_the_end(scenario: Scenario,
                                         source: ScenarioSource | None) -> None:
    """Name a project's patience or lifetime that ends only after the run: it changes nothing.

    A warning, not an error: the figure may be right for the project and matter in a longer
    run (a later ``end``).
    """
    horizon = scenario.years_since_start(scenario.end)
    for i, project in enumerate(scenario.projects):
        requested = max(scenario.years_since_start(project.date), 0.0)
        for name in ("patience_years", "lifetime_years"):
            years = getattr(project, name)
            if years is not None and requested + years >= horizon:
                key = ("projects", i, name)
                _warn(scenario, source, key, f"{'.'.join(map(str, key))} ({project.name}): "
                      f"{years:g} years from {project.date} end after end ({scenario.end}), so "
                      "it changes nothing in this run")


def _warn_of_stream_times_past_the_end(scenario: Scenario, source: ScenarioSource | None,
                                       rows: WaitingRows | None) -> None:
    """Name a patience or lifetime that no applicant's can end before the end: it acts as none.

    Patience counts from the request, and a waiting-list applicant's from the start; a
    lifetime from the connection, which comes at the request at the earliest. A stream's whose
    shortest value (a fixed one, or a distribution's least) reaches the end from its first
    request (the start, or a later period's start where no waiting-list row names the stream)
    makes nobody withdraw, or no connection end; so does the waiting list's own patience, for
    CSV rows that name no stream, from the start. A warning, as for a project's: the figure may
    be right and matter in a longer run.
    """
    listed = set(rows.stream) if rows is not None else set()
    given: list[tuple[Key, Distribution | None, str, float]] = []  # from what, in years
    for name, stream in scenario.streams.items():
        period = stream.period
        date = period.start if period is not None and period.start is not None \
            and name not in listed else scenario.start  # a period starts at the start or later
        since = scenario.years_since_start(date)
        given += [(("streams", name, "patience_years"), stream.patience_years,
                   f"its first request ({date})", since),
                  (("streams", name, "lifetime_years"), stream.lifetime_years,
                   f"its first request ({date}), the earliest it can connect,", since)]
    waiting = scenario.waiting_list
    if waiting is not None and rows is not None and not all(rows.stream):
        given.append((("waiting_list", "patience_years"), waiting.patience_years,
                      f"the start ({scenario.start}; a waiting-list row's patience counts "
                      "from it)", 0.0))
    for key, years, what, since in given:
        if years is None or since + years.lower_bound < scenario.horizon_years:
            continue
        shortest = years.lower_bound
        least = f"{shortest:g} years" if years.upper_bound == shortest \
            else f"at least {shortest:g} years"
        so = "nobody withdraws" if key[-1] == "patience_years" else "no connection ends"
        _warn(scenario, source, key, f"{'.'.join(map(str, key))}: {least} from {what} end "
              f"after end ({scenario.end}), so {so} in this run: it changes nothing, as if "
              "left out")
