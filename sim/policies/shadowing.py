"""Settings an inherited policy schedule would override: refused or reported before a run.

A child file, ``--set`` or ``--vary`` that sets ``policy.allocation``, ``policy.category_order``,
``policy.within_category`` or ``policy.params`` sets the policy from the start; an inherited
``policy.changes`` entry that sets the same key replaces it from its date on. When the setting
then acts in no period (a category order while only ``fifo`` is in force) it is an error; when
it acts only until the change, a warning names the change. ``policy.order`` never needs this:
setting it without ``policy.changes`` replaces the inherited schedule (see
:mod:`sim.inputs.yaml_source`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import yaml

from sim.errors import GridqueueWarning, InputError
from sim.inputs.scenario import Scenario
from sim.inputs.yaml_source import ScenarioSource, find_node
from sim.policies.timeline import uses_category_order

__all__ = ["FIELDS", "check_shadowed", "emit_notes"]

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
        warnings.warn(note, GridqueueWarning, stacklevel=2)


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
        warnings.warn(f"{setting.where}{f':{setting.line}' if setting.line else ''}: "
                      f"{setting.key_path} holds only until {changes[j].date}: {shadow} "
                      "replaces it from then on", GridqueueWarning, stacklevel=2)


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
            settings.append(_Setting(layer, f"--set {override.text}", None, 0, path[1]))
        elif (len(path) == 4 and path[:2] == ("policy", "changes") and path[2].isdigit()
              and path[3] in FIELDS):
            settings.append(_Setting(layer, f"--set {override.text}", None, int(path[2]) + 1,
                                     path[3]))
    return settings, schedule_layer
