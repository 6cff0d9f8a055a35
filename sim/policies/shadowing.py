"""Policy settings that would change nothing, or less than they seem: refused or reported.

A child file, ``--set`` or ``--vary`` that sets ``policy.allocation``, ``policy.category_order``,
``policy.within_category`` or ``policy.params`` sets the policy from the start; an inherited
``policy.changes`` entry that sets the same key replaces it from its date on. When the setting
then acts in no period (a category order while only ``fifo`` is in force) it is an error; when
it acts only until the change, a warning names the change. ``policy.order`` never needs this:
setting it without ``policy.changes`` replaces the inherited schedule (see
:mod:`sim.inputs.yaml_source`).

The same rule holds without a schedule: a ``category_order`` that no policy in force until it
is set again uses (``fifo``, ``smallest_first``, a policy with ``uses_category_order = False``)
is an error (:func:`check_category_order_acts`), as a ``within_category`` that no policy uses
is. What the applicants are told or labelled with, and only a policy could turn into a wait
(who asks for priority, a category change, an expansion's MW in place), is warned of where no
policy in force reads it.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Collection
from dataclasses import dataclass

import yaml

from sim.errors import InputError, listed, warn
from sim.inputs.applicants import CATEGORIES, PRIORITY_CATEGORIES
from sim.inputs.inert import check_category_order_reaches_someone
from sim.inputs.scenario import (
    Project,
    Scenario,
    Stream,
    asking_by,
    categories_held,
    holds_priority,
)
from sim.inputs.waiting_list_csv import WaitingRows
from sim.inputs.yaml_source import (
    ScenarioSource,
    find_node,
    layer_of,
    layer_within,
    read_scenario_source,
)
from sim.policies import registry
from sim.policies.timeline import (
    BUILT_IN,
    categories_matter,
    custom_policy_in_force,
    priority_served,
    served_between_rounds,
    uses_category_order,
)

__all__ = [
    "FIELDS", "check_category_changes_act", "check_category_order_acts", "check_expansions_act",
    "check_imports_act", "check_priority_acts", "check_shadowed", "emit_notes",
    "given_with_or_after_the_policies", "held_asking_by", "order_key", "priority_said",
]

FIELDS = ("order", "allocation", "category_order", "within_category", "params")
"""The keys of ``policy`` that a change entry may set again."""


@dataclass(frozen=True)
class _Setting:
    """One policy key set by one layer: a file of the chain, or the overrides."""

    layer: int
    where: str
    line: int | None
    period: int  # 0: from the start; i + 1: from policy.changes.i
    field: str

    @property
    def key_path(self) -> str:
        prefix = "policy" if self.period == 0 else f"policy.changes.{self.period - 1}"
        return f"{prefix}.{self.field}"


def emit_notes(source: ScenarioSource) -> None:
    """Show what the merge did that a reader might not expect (see ``source.notes``)."""
    for note in source.notes:
        warn(note)


def check_shadowed(scenario: Scenario, source: ScenarioSource) -> None:
    """Refuse a policy setting an inherited change makes useless; warn when it acts in part."""
    settings, schedule_layer = _settings(source)
    changes = scenario.policy.changes
    regimes = [regime for _, regime in scenario.policy.regimes()]
    for setting in settings:
        if setting.layer <= schedule_layer:
            continue  # the schedule was written with (or after) this setting: intended
        later = [j for j in range(setting.period, len(changes))
                 if getattr(changes[j], setting.field) is not None]
        if not later:
            continue
        j = later[0]
        file, line = source.locate(("policy", "changes", j, setting.field))
        shadow = f"policy.changes.{j}.{setting.field} ({file}{f':{line}' if line else ''})"
        acting = regimes[setting.period:j + 1]
        if setting.field == "category_order" and not any(
                uses_category_order(r.order, scenario) for r in acting):
            orders = ", ".join(sorted({r.order for r in acting}))
            raise InputError(setting.where, setting.key_path, f"changes nothing: {shadow} "
                             f"replaces it from {changes[j].date}, and until then {orders} "
                             f"does not use a category order; set policy.changes.{j}."
                             f"{setting.field} instead, or give policy.changes anew",
                             line=setting.line)
        warn(f"{setting.where}{f':{setting.line}' if setting.line else ''}: "
                      f"{setting.key_path} holds only until {changes[j].date}: {shadow} "
                      "replaces it from then on")


def check_category_order_acts(scenario: Scenario, source: ScenarioSource | None,
                              rows: WaitingRows | None = None) -> None:
    """Refuse a ``category_order`` that no policy in force until it is set again uses.

    Only where it was written with, or after, the policies it spans: a later file or option
    that chose a policy ignoring an inherited category order (``--set policy.order=fifo`` on
    a file with ``social_priority``) leaves that order aside, as intended. One that
    gridqueue's own policies use (not a custom one, which may read the category itself) needs
    applicants who queue in two categories or more, ``rows`` among them
    (:func:`sim.inputs.inert.check_category_order_reaches_someone`): who does not ask for
    priority queues as other.
    """
    policy = scenario.policy
    regimes = [regime for _, regime in policy.regimes()]
    given = [_top_order_given(scenario),
             *(change.category_order is not None for change in policy.changes)]
    ours: list[tuple[str | int, ...]] = []  # orders only gridqueue's own policies use
    for period, is_given in enumerate(given):
        until = next((j for j in range(period + 1, len(given)) if given[j]), len(given))
        orders = sorted({regime.order for regime in regimes[period:until]})
        using = [order for order in orders if uses_category_order(order, scenario)]
        if is_given and using and regimes[period].category_order != list(CATEGORIES) and all(
                registry.resolve_policy(order, scenario.base_dir, policy.imports or ())
                in BUILT_IN for order in using):
            ours.append(_period_key(period, "category_order"))
        if not is_given or using:
            continue
        key = _period_key(period, "category_order")
        if source is not None and layer_of(source, key) < max(
                layer_of(source, order_key(scenario, k)) for k in range(period, until)):
            continue
        where, line = (source.locate(key) if source is not None
                       else (scenario.name, None))
        raise InputError(where, ".".join(key), f"changes nothing: {', '.join(orders)} "
                         f"{'does' if len(orders) == 1 else 'do'} not use a category order; "
                         "give one only with a policy that orders by category "
                         "(social_priority), or leave it out", line=line)
    check_category_order_reaches_someone(scenario, source, rows, ours)


def check_priority_acts(scenario: Scenario, source: ScenarioSource | None) -> None:
    """Warn of a say in who asks for priority where nothing in force serves priority.

    ``priority_uptake`` and a project's ``priority_requested`` change the waits only through
    a policy that serves priority (not ``fifo`` or ``smallest_first``) or rounds that serve
    those with priority between rounds, in a category that those it makes ask hold
    (:func:`_held_by_askers`); otherwise they set only who asks (the ``priority_requested``
    column), as a family's base file does for its children, next to its own ``fifo``. So only
    a setting written after the policies it spans is named (a child file or ``--set`` adding
    an uptake to a fifo scenario, an option beside the option that chose fifo), or one where
    no file chose a policy; ``--set policy.order=fifo`` on a file with an uptake sets that
    uptake aside.
    """
    said = [(key, not_default) for key, not_default in priority_said(scenario)
            if not priority_served(scenario, _held_by_askers(scenario, key))]
    for key in _after_the_policies(scenario, source, said):
        _warn_of_no_wait(scenario, source, key, "not serve priority", "it sets only who asks "
                         "(the priority_requested column)")


def check_category_changes_act(scenario: Scenario, source: ScenarioSource | None) -> None:
    """Warn of a category change where nothing in force reads the category: it changes no wait.

    Under ``fifo`` or ``smallest_first`` throughout, with no rounds serving priority between
    rounds in a category the changed applicants hold (before or after a change), a category
    only labels: a change still moves its applicants to the new category's figures
    (``category`` of later requests, ``final_category``, the waiting by category in force),
    so it is not refused. Named as :func:`check_priority_acts` names an uptake: only where
    written after the policies it spans, or where no file chose a policy; a custom policy may
    read the category, so none is named beside one.
    """
    givers: list[tuple[tuple[str, ...], Stream | Project]] = [
        *((("streams", name, "category_changes"), stream)
          for name, stream in scenario.streams.items() if stream.category_changes),
        *((("projects", str(i), "category_changes"), project)
          for i, project in enumerate(scenario.projects) if project.category_changes)]
    said = [(key, True) for key, giver in givers
            if not categories_matter(scenario, _held_with_rows(scenario, giver))]
    for key in _after_the_policies(scenario, source, said):
        _warn_of_no_wait(scenario, source, key, "not order by category or serve priority",
                         "it changes only which category counts its applicants (their "
                         "category or final_category, and the figures by category)")


def check_expansions_act(scenario: Scenario, source: ScenarioSource | None) -> None:
    """Warn of an expansion where no policy in force reads ``existing_mw``: it changes no wait.

    An expansion asks for its extra MW only and waits exactly as a new connection of that
    size; the MW in place are neither free nor released (docs/model.md, section 2.2). Only a
    custom policy may read ``existing_mw``, so beside one nothing is said. Named wherever it
    is given: under gridqueue's own policies it never changes a wait, in any layer.
    """
    if custom_policy_in_force(scenario):
        return
    keys = [*(("streams", name, "expansion") for name, stream in scenario.streams.items()
              if stream.expansion is not None),
            *(("projects", str(i), "existing_mw") for i, project
              in enumerate(scenario.projects) if project.existing_mw > 0)]
    orders = sorted({regime.order for _, regime in scenario.policy.regimes()})
    for key in keys:
        where, line = source.locate(key) if source is not None else (scenario.name, None)
        warn(f"{where}{f':{line}' if line else ''}: {'.'.join(key)} changes no wait: an "
             "expansion waits as a new connection of its size, and "
             f"{listed(orders)} {'does' if len(orders) == 1 else 'do'} not read "
             "existing_mw; it fills only the existing_mw column of applicants.csv")


def check_imports_act(scenario: Scenario, source: ScenarioSource | None) -> None:
    """Warn of a ``policy.import`` module whose registered policies no period puts in force.

    A module is imported so that the policies it registers can be named in ``policy.order``
    or a change; one whose policies none names (a file that adds the import and forgets the
    order, say) runs the inherited policies unchanged, with nothing said. A module that
    registers no policy (a helper another policy module imports, named to be copied) is not
    named here.
    """
    imports = scenario.policy.imports or ()
    if not imports:
        return
    in_force = {registry.resolve_policy(regime.order, scenario.base_dir, imports)
                for _, regime in scenario.policy.regimes()}
    orders = sorted({regime.order for _, regime in scenario.policy.regimes()})
    for index, module in enumerate(imports):
        policies = registry.POLICIES  # looked up now: a test may replace the registry
        registered = sorted(name for name, cls in policies.items() if cls.__module__ == module)
        if not registered or any(policies[name] in in_force for name in registered) or any(
                _draws_on(cls, module) for cls in in_force):
            continue
        key = ("policy", "import", str(index))
        where, line = source.locate(key) if source is not None else (scenario.name, None)
        names = listed([repr(name) for name in registered])
        warn(f"{where}{f':{line}' if line else ''}: {'.'.join(key)}: module '{module}' "
             f"registers {names}, which no policy in force names (in force: "
             f"{listed(orders)}), so it changes no wait; name it in policy.order or a "
             "policy.changes entry")


def _draws_on(cls: type, module: str) -> bool:
    """Whether a policy in force draws on ``module``: inherits from it or imports from it.

    Such a module is named in ``policy.import`` so that it is copied with the results (as
    :func:`sim.runs.policy_code.not_kept` advises), not to put its own policies in force.
    """
    if any(base.__module__ == module for base in cls.__mro__):
        return True
    home = sys.modules.get(cls.__module__)
    return home is not None and any(
        (value.__name__ if isinstance(value, types.ModuleType)
         else getattr(value, "__module__", None)) == module for value in vars(home).values())


def _after_the_policies(scenario: Scenario, source: ScenarioSource | None,
                        said: list[tuple[tuple[str, ...], bool]]) -> list[tuple[str, ...]]:
    """The keys of ``said`` (each with whether it is not a default) given after the policies.

    After every layer that chose a policy in force, or where no layer chose one, or by an
    option (``--set``), even beside an option that chose the policies; for a scenario built
    in Python (no source), each that is not a default.
    """
    periods = len(scenario.policy.changes) + 1
    policies = -1 if source is None else max(
        layer_of(source, order_key(scenario, period)) for period in range(periods))
    after = []
    for key, not_default in said:
        if source is None:
            if not_default:  # built in Python: only a value other than the default says so
                after.append(key)
            continue
        layer = layer_within(source, key)
        # Not given (-1), or given with or before the policies in a file: quiet. An option is
        # typed for this run, not stated for a family's files: named beside an option's fifo.
        if layer > policies or layer == len(source.files):
            after.append(key)
    return after


def _held_by_askers(scenario: Scenario, key: tuple[str, ...]) -> set[str]:
    """The categories held over time by the applicants whose asking ``key`` sets.

    ``key`` as :func:`priority_said` gives it. A project's own categories; for
    ``priority_uptake``, those of each stream whose applicants ask by a share it sets other
    than 1 (by any share, where it sets none), and of waiting-list rows in a category of
    such a share (whatever they move into: their rows are not read here).
    """
    if key[0] == "projects":
        return _held_with_rows(scenario, scenario.projects[int(key[1])])
    shares = {category for category, share in scenario.priority_uptake.items() if share != 1.0}
    return held_asking_by(scenario, shares or set(PRIORITY_CATEGORIES))


def held_asking_by(scenario: Scenario, shares: Collection[str]) -> set[str]:
    """The categories held over time by those who ask by the uptake of a category of ``shares``.

    Each stream's whose applicants ask by one of them, every category it moves into
    included, and waiting-list rows in a category of ``shares`` (whatever they move into:
    their rows are not read here). Rounds that serve safety serve a school that becomes a
    safety applicant, whose asking then moves it up.
    """
    held = {category for stream in scenario.streams.values()
            if asking_by(categories_held(stream)) in shares
            for category in _held_with_rows(scenario, stream)}
    if _has_rows(scenario):
        held.update(shares, *(categories_held(stream) for stream in scenario.streams.values()))
    return held


def _held_with_rows(scenario: Scenario, giver: Stream | Project) -> set[str]:
    """The categories a stream's or project's applicants hold over time.

    A waiting-list CSV's rows that name a stream hold their own category before its moves:
    not read here, so with such a CSV a stream that moves may hold any category.
    """
    held = set(categories_held(giver))
    if isinstance(giver, Stream) and giver.category_changes and _has_rows(scenario):
        held.update(CATEGORIES)
    return held


def _has_rows(scenario: Scenario) -> bool:
    """Whether the scenario's waiting list reads rows from a CSV (each in its own category)."""
    return scenario.waiting_list is not None and scenario.waiting_list.csv is not None


def priority_said(scenario: Scenario) -> list[tuple[tuple[str, ...], bool]]:
    """Each say in who asks for priority a scenario file may give, and whether it is no default.

    ``priority_uptake`` (its defaults: everyone eligible asks), and each project's stated
    ``priority_requested`` (asking is its default) where it may hold priority: a project
    never in a category with priority asks for nothing, which :mod:`sim.inputs.inert` says.
    """
    return [
        (("priority_uptake",), scenario.priority_uptake != dict.fromkeys(PRIORITY_CATEGORIES, 1.0)),
        *((("projects", str(i), "priority_requested"), not project.priority_requested)
          for i, project in enumerate(scenario.projects)
          if "priority_requested" in project.model_fields_set  # stated, not the default
          and holds_priority(project)),
    ]


def given_with_or_after_the_policies(scenario: Scenario, key: tuple[str, ...]) -> bool:
    """Whether ``key`` was given in the layer that chose the policies in force, or after it.

    A setting given before them (in a family's base file, say) is meant for every file that
    extends it, whatever policy each chooses. An option (``--set``) comes after every file;
    a scenario built in Python has no layers, and each of its settings counts as given with
    its policies.
    """
    if scenario.option_giving(".".join(key)) is not None or scenario.source_path is None:
        return True
    periods = range(len(scenario.policy.changes) + 1)
    if any(scenario.option_giving(".".join(order_key(scenario, period))) is not None
           for period in periods):
        return False  # an option chose a policy, after every file
    source = read_scenario_source(scenario.source_path)
    policies = max(layer_of(source, order_key(scenario, period)) for period in periods)
    return layer_within(source, key) >= policies


def _warn_of_no_wait(scenario: Scenario, source: ScenarioSource | None, key: tuple[str, ...],
                     ignored: str, instead: str) -> None:
    """Warn that ``key`` changes no wait: the policies in force do ``ignored``; ``instead``.

    Rounds in force that serve priority between rounds serve it in other categories only.
    """
    orders = sorted({regime.order for _, regime in scenario.policy.regimes()})
    between = sorted(served_between_rounds(scenario))
    rounds = (f"rounds serve only {listed(between)} between rounds" if between
              else "no rounds serve it between rounds")
    where, line = source.locate(key) if source is not None else (scenario.name, None)
    warn(f"{where}{f':{line}' if line else ''}: {'.'.join(key)} changes no wait: "
         f"{', '.join(orders)} {'does' if len(orders) == 1 else 'do'} {ignored}, and "
         f"{rounds}; {instead}")


def _top_order_given(scenario: Scenario) -> bool:
    """Whether ``policy.category_order`` says something: an order other than the framework's.

    The framework's order is what a scenario has unless it says otherwise, and what every
    resolved ``scenario.yaml`` writes out, so giving it is never refused.
    """
    return scenario.policy.category_order != list(CATEGORIES)


def _period_key(period: int, field: str) -> tuple[str, ...]:
    """The key path of ``field`` in a period: ``policy.X`` or ``policy.changes.N.X``."""
    return ("policy", field) if period == 0 else ("policy", "changes", str(period - 1), field)


def order_key(scenario: Scenario, period: int) -> tuple[str, ...]:
    """The key path that chose the policy in force in ``period``: the last order given."""
    changes = scenario.policy.changes
    while period > 0 and changes[period - 1].order is None:
        period -= 1
    return _period_key(period, "order")


def _settings(source: ScenarioSource) -> tuple[list[_Setting], int]:
    """Each layer's policy settings, and the last layer that wrote ``policy.changes``."""
    settings: list[_Setting] = []
    schedule_layer = -1
    layers = list(reversed(source.files))  # the base first
    for layer, (file, root) in enumerate(layers):
        policy = find_node(root, ("policy",))
        if not isinstance(policy, yaml.MappingNode):
            continue
        if find_node(policy, ("changes",)) is not None:
            schedule_layer = layer
        for field in FIELDS[1:]:
            node = find_node(policy, (field,))
            if node is not None:
                settings.append(_Setting(layer, str(file), node.start_mark.line + 1, 0, field))
    layer = len(layers)
    for override in source.overrides:
        path = override.path
        if path in (("policy",), ("policy", "changes")):
            schedule_layer = layer
        elif len(path) == 2 and path[0] == "policy" and path[1] in FIELDS[1:]:
            settings.append(_Setting(layer, override.shown, None, 0, path[1]))
        elif (len(path) == 4 and path[:2] == ("policy", "changes") and path[2].isdigit()
              and path[3] in FIELDS):
            settings.append(_Setting(layer, override.shown, None, int(path[2]) + 1,
                                     path[3]))
    return settings, schedule_layer
