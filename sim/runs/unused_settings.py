"""Settings of a user's policy that rank replication 0's applicants as without them: warned of.

A policy may take a parameter (``policy.params``) or keep ``uses_category_order = True`` and
then never read it in its ranking: the setting is accepted and does nothing, without a word.
:func:`warn_unused_settings` ranks the applicants once more with each given parameter left at
its default, and with the category order reversed, and warns where the order is unchanged.
A warning, not a refusal: a setting may matter only for applicants other replications draw.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from sim.errors import GridqueueError, warn
from sim.inputs.applicants import CATEGORIES, ApplicantTable
from sim.inputs.loading import build_policy
from sim.inputs.scenario import Scenario
from sim.inputs.yaml_source import read_scenario_source
from sim.policies.checked import CheckedPolicy

__all__ = ["warn_unused_settings"]


def warn_unused_settings(scenario: Scenario, period: int, settings: dict[str, Any],
                         policy: CheckedPolicy, table: ApplicantTable,
                         ranks: np.ndarray) -> None:
    """Warn of each setting of ``period``'s policy that leaves its ``ranks`` of ``table`` as is.

    ``settings``: the period's order, params, category_order and within_category;
    ``policy``: the user's policy they built, whose ranking of ``table`` is ``ranks``.
    """
    cls = type(policy.policy)
    said = (f"did nothing in replication 0: the queue policy '{policy.order}' ranked its "
            f"{len(table):,} applicants exactly as")
    params_key = _given_at(scenario, period, "params")
    for name in settings["params"]:
        default = _default(cls, name)
        others = {k: v for k, v in settings["params"].items() if k != name}
        key_path = f"{params_key}.{name}"
        if default is not inspect.Parameter.empty and _same_ranks(
                scenario, {**settings, "params": others}, policy, key_path, table, ranks):
            warn(f"{_where(scenario, key_path)}: {key_path} {said} without it (at its "
                 f"default, {default!r}); use it in sort_key (or ranks), or remove it")
    order_key = _given_at(scenario, period, "category_order")
    reversed_order = settings["category_order"][::-1]
    if cls.uses_category_order and order_key is not None and _same_ranks(
            scenario, {**settings, "category_order": reversed_order}, policy, order_key, table,
            ranks):
        warn(f"{_where(scenario, order_key)}: {order_key} {said} with the categories in "
             "reverse order; use self.category_order in sort_key (or ranks), or set "
             f"uses_category_order = False in {cls.__qualname__} and leave category_order out")


def _same_ranks(scenario: Scenario, settings: dict[str, Any], policy: CheckedPolicy,
                key_path: str, table: ApplicantTable, ranks: np.ndarray) -> bool:
    """Whether the policy built with ``settings`` ranks ``table`` as ``ranks`` say.

    False where it cannot be built or ranked so (a default the policy refuses): nothing is
    known then, and what runs is the policy as given, which ranked well.
    """
    try:
        other = build_policy(settings["order"], settings["category_order"], settings["params"],
                             scenario.base_dir, scenario.policy.imports or (),
                             settings["within_category"])
        again = CheckedPolicy(other, policy.order, policy.source, key_path, 0).ranks(table)
    except (GridqueueError, TypeError, LookupError):
        return False
    return bool(np.array_equal(again, ranks))


def _default(cls: type, name: str) -> Any:
    """The default of ``cls``'s parameter ``name``; ``inspect.Parameter.empty`` if it has none."""
    parameter = inspect.signature(cls).parameters.get(name)
    return inspect.Parameter.empty if parameter is None else parameter.default


def _given_at(scenario: Scenario, period: int, field: str) -> str | None:
    """The key path that gave ``period`` its ``field``: the last to set it, None if none did.

    The framework's category order is what a scenario has unless it says otherwise, so
    giving it says nothing (as :func:`sim.policies.shadowing.check_category_order_acts` has
    it); nor do empty parameters.
    """
    changes = scenario.policy.changes
    for index in range(period - 1, -1, -1):
        if getattr(changes[index], field) is not None:
            return f"policy.changes.{index}.{field}"
    value = getattr(scenario.policy, field)
    given = value != list(CATEGORIES) if field == "category_order" else bool(value)
    return f"policy.{field}" if given else None


def _where(scenario: Scenario, key_path: str) -> str:
    """Where ``key_path`` was given: the option, else the file and line, else the scenario."""
    option = scenario.option_giving(key_path)
    if option is not None:
        return option
    if scenario.source_path is None:
        return scenario.name
    try:
        file, line = read_scenario_source(scenario.source_path).locate(
            tuple(key_path.split(".")))
    except GridqueueError:  # the file changed or went since it was loaded
        return str(scenario.source_path)
    return f"{file}:{line}" if line else file
