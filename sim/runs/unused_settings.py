"""Settings of a user's policy that rank replication 0's applicants as without them: warned of.

A policy may take a parameter (``policy.params``), or keep ``uses_category_order = True`` or
``uses_priority = True``, and then never read it in its ranking: the setting is accepted and
does nothing, without a word. :class:`UnusedSettings` ranks the applicants once more with
each given parameter left at its default (one given at its default tells nothing), with the
category order reversed, and as if none had asked for priority, and warns where the order is
unchanged. A warning, not a refusal: a setting may matter only for applicants other
replications draw.
"""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.errors import GridqueueError, warn
from sim.inputs.applicants import CATEGORIES, PRIORITY_CATEGORIES, ApplicantTable
from sim.inputs.loading import build_policy
from sim.inputs.scenario import Scenario
from sim.inputs.waiting_list_csv import WaitingRows
from sim.inputs.yaml_source import read_scenario_source
from sim.policies.base import QueuePolicy
from sim.policies.checked import CheckedPolicy
from sim.policies.shadowing import given_with_or_after_the_policies, priority_said

__all__ = ["UnusedSettings"]


@dataclass
class UnusedSettings:
    """What each period's policy made of the settings given: said once every one is known.

    A setting spans the periods from the key that gave it to the next that gives it again
    (a change of ``order`` alone keeps the parameters and category order): it is warned of
    only where no policy of its span acts on it, or may (a parameter at its default, or
    without one, tells nothing; ``social_priority`` reads the category order). Who asks for
    priority spans the whole run: it is warned of only where no policy in force acts on it
    (``social_priority`` does) and no rounds serve those with priority between rounds.
    """

    scenario: Scenario
    rows: WaitingRows | None = None
    """The waiting-list CSV's rows, whose own ``priority_requested`` a policy may ignore."""
    inert: dict[str, str] = field(default_factory=dict)
    """The warning for each key path a user's policy ranked as without, the first found."""
    acting: set[str] = field(default_factory=set)
    """Key paths a policy of their span acts on, or may."""
    priority_ignored: str | None = None
    """How the first user's policy that ranked as if none had asked for priority did so."""
    priority_acts: bool = False
    """Whether some policy in force acts on who asked for priority, or may."""

    def built_in(self, period: int, policy: QueuePolicy) -> None:
        """Note what one of gridqueue's own policies acts on: a category order, priority."""
        order_key = _given_at(self.scenario, period, "category_order")
        if policy.uses_category_order and order_key is not None:
            self.acting.add(order_key)
        if policy.uses_priority:
            self.priority_acts = True

    def users(self, period: int, settings: dict[str, Any], policy: CheckedPolicy,
              table: ApplicantTable, ranks: np.ndarray) -> None:
        """Rank ``table`` again without each setting of ``period``'s policy, the user's.

        ``settings``: the period's order, params, category_order and within_category, which
        built ``policy``, whose ranking of ``table`` is ``ranks``.
        """
        cls = type(policy.policy)
        said = (f"did nothing in replication 0: the queue policy '{policy.order}' ranked its "
                f"{len(table):,} applicants exactly as")
        params_key = _given_at(self.scenario, period, "params")
        for name, value in settings["params"].items():
            default = _default(cls, name)
            others = {k: v for k, v in settings["params"].items() if k != name}
            key_path = f"{params_key}.{name}"
            self._note(key_path, not _left_out_tells_nothing(value, default) and _same_ranks(
                self.scenario, {**settings, "params": others}, policy, key_path, table, ranks),
                f"{key_path} {said} without it (at its default, {default!r}); use it in "
                "sort_key (or ranks), or remove it")
        order_key = _given_at(self.scenario, period, "category_order")
        if cls.uses_category_order and order_key is not None:
            reversed_order = settings["category_order"][::-1]
            self._note(order_key, _same_ranks(
                self.scenario, {**settings, "category_order": reversed_order}, policy,
                order_key, table, ranks),
                f"{order_key} {said} with the categories in reverse order; use "
                "self.category_order in sort_key (or ranks), or set uses_category_order = "
                f"False in {cls.__qualname__} and leave category_order out")
        self._priority(policy, table, ranks)

    def _priority(self, policy: CheckedPolicy, table: ApplicantTable, ranks: np.ndarray) -> None:
        """Rank ``table`` again as if none had asked for priority, under a policy that may read it.

        Where nobody asked, nothing is known; a policy with ``uses_priority = False`` is
        :func:`sim.policies.shadowing.check_priority_acts`'s to judge.
        """
        cls = type(policy.policy)
        asked = int(np.count_nonzero(table.priority_requested))
        if not cls.uses_priority or not asked:
            return
        unasked = dataclasses.replace(
            table, priority_requested=np.zeros_like(table.priority_requested))
        try:
            same = bool(np.array_equal(policy.ranks(unasked), ranks))
        except GridqueueError:  # it cannot rank them so: it reads who asked, somehow
            same = False
        if not same:
            self.priority_acts = True
        elif self.priority_ignored is None:
            self.priority_ignored = (
                f"did nothing in replication 0: the queue policy '{policy.order}' ranked its "
                f"{len(table):,} applicants exactly as if none had asked for priority "
                f"({asked:,} of them did); use applicant.priority_requested in sort_key (or "
                f"ranks), or set uses_priority = False in {cls.__qualname__}")

    def _note(self, key_path: str, inert: bool, what: str) -> None:
        """Keep ``key_path``'s warning (``what``, where it was given) if ``inert``, else its use."""
        if inert:
            self.inert.setdefault(key_path, f"{_where(self.scenario, key_path)}: {what}")
        else:
            self.acting.add(key_path)

    def warn(self) -> None:
        """Warn of each setting no policy of its span acts on, once."""
        for key_path, message in self.inert.items():
            if key_path not in self.acting:
                warn(message)
        if self.priority_ignored is None or self.priority_acts or any(
                regime.rounds is not None and regime.rounds.between_rounds
                for _, regime in self.scenario.policy.regimes()):
            return
        for where, what, leave in self._priority_said():
            leave_out = f" and leave {leave}" if leave else ""
            warn(f"{where}: {what} {self.priority_ignored}{leave_out}")

    def _priority_said(self) -> list[tuple[str, str, str | None]]:
        """Each say in who asks for priority: where, what it is, and what to leave out.

        An uptake other than the defaults (one at them is what a scenario has unless it says
        otherwise), a project's stated ``priority_requested`` where it may ask (both as
        :func:`sim.policies.shadowing.priority_said` lists them), and the waiting-list rows
        that give theirs (a row of ``other`` saying false says nothing). A key given with or before
        the policies (a family's base file) is for every file that extends it: nothing to
        leave out is said of it (None), as leaving it out would change the others.
        """
        scenario = self.scenario
        said: list[tuple[str, str, str | None]] = []

        def leave(key_path: str) -> str | None:
            given = given_with_or_after_the_policies(scenario, tuple(key_path.split(".")))
            return f"{key_path} out" if given else None

        for key, not_default in priority_said(scenario):
            if not_default or key[0] == "projects":  # an uptake at its defaults says nothing
                key_path = ".".join(key)
                said.append((_where(scenario, key_path), key_path, leave(key_path)))
        if self.rows is not None and scenario.waiting_list is not None:
            given = sum(1 for asked, category in zip(self.rows.priority_requested,
                                                     self.rows.category, strict=True)
                        if asked or (asked is not None and category in PRIORITY_CATEGORIES))
            if given:
                csv = scenario.waiting_list.csv
                said.append((_where(scenario, "waiting_list.csv"),
                             f"the priority_requested column of {csv} ({given:,} "
                             f"row{'s give' if given > 1 else ' gives'} it)",
                             f"the column out of {csv}"))
        return said


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


def _left_out_tells_nothing(value: Any, default: Any) -> bool:
    """Whether ranking without a parameter tells nothing of it: it has no default, or is at it.

    A parameter given at its default ranks as without it whether the policy reads it or
    not (docs/policies.md gives ``threshold_mw: 0.5``, its default, to be varied).
    """
    if default is inspect.Parameter.empty:
        return True
    try:
        return bool(value == default)
    except (TypeError, ValueError):  # a default that does not compare as one value (an array)
        return False


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
