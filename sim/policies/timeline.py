"""The policy in force over time, as periods a reader can check: what will actually run.

``policy.order`` and the other keys of ``policy`` hold from the start; each entry of
``policy.changes`` changes some of them from its date. :func:`policy_periods` resolves that
into complete periods, leaving out what a policy ignores (the category order of ``fifo``), so
that two scenarios whose policies act the same have the same periods.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sim.inputs.applicants import Category
from sim.inputs.scenario import Rounds, Scenario
from sim.policies import FIFOPolicy, SmallestFirstPolicy, SocialPriorityPolicy, resolve_policy

__all__ = ["PolicyPeriod", "categories_matter", "custom_policy_in_force", "policy_periods",
           "priority_served", "served_between_rounds", "uses_category_order"]

BUILT_IN = (FIFOPolicy, SmallestFirstPolicy, SocialPriorityPolicy)
"""gridqueue's own policies: what each reads of an applicant is known (none reads
``existing_mw``; only ``social_priority`` reads the category)."""


@dataclass(frozen=True)
class PolicyPeriod:
    """One period with one queue policy and allocation rule.

    Attributes:
        start: first day of the period.
        end: the day after its last (the next period's start, or the scenario's end).
        order: the queue policy's name as the scenario gives it.
        allocation: ``strict``, ``first_fit`` or ``rounds``.
        category_order: the category order, or None when the policy does not use it.
        params: the custom policy's parameters.
        within_category: how categories are ordered inside, where not by request date.
        rounds: the rounds of ``rounds`` allocation (their dates, fit and who is served
            between them), else None: rounds at other dates are another policy.
    """

    start: dt.date
    end: dt.date
    order: str
    allocation: str
    category_order: tuple[str, ...] | None
    params: dict[str, Any]
    within_category: Mapping[Category, str] = field(default_factory=dict)
    rounds: Rounds | None = None

    def describe(self) -> str:
        """One line: dates, order, allocation and the settings the policy uses."""
        text = f"{self.start} to {self.end}: {self.order}, {self.allocation} allocation"
        if self.rounds is not None:
            dates = self.rounds.dates
            text += (f" (1 round on {dates[0]}" if len(dates) == 1 else
                     f" ({len(dates)} rounds from {dates[0]} to {dates[-1]}")
            text += f", {self.rounds.fit}"
            if self.rounds.between_rounds:
                text += f"; between rounds: {', '.join(self.rounds.between_rounds)}"
            text += ")"
        if self.category_order is not None:
            text += f", categories {' > '.join(self.category_order)}"
        if self.within_category:
            text += ", " + ", ".join(f"{c} by {rule}" for c, rule in self.within_category.items())
        if self.params:
            text += f", params {self.params}"
        return text

    def same_policy(self, other: PolicyPeriod) -> bool:
        """Whether two periods apply the same policy (their dates aside)."""
        return (self.order, self.allocation, self.category_order, self.params,
                self.within_category, self.rounds) == (
            other.order, other.allocation, other.category_order, other.params,
            other.within_category, other.rounds)


def uses_category_order(order: str, scenario: Scenario) -> bool:
    """Whether the policy the scenario names ``order`` depends on ``category_order``."""
    cls = resolve_policy(order, scenario.base_dir, scenario.policy.imports or ())
    return cls.uses_category_order


def priority_served(scenario: Scenario, held: Collection[str] | None = None) -> bool:
    """Whether asking for priority can matter in the scenario (to applicants who hold ``held``).

    It can where a policy in force serves priority (not ``fifo`` or ``smallest_first``), or
    where rounds serve those with priority between rounds: with ``held``, the categories some
    applicant holds over time, only rounds that serve one of them (None: any category).
    """
    imports = scenario.policy.imports or ()
    between = served_between_rounds(scenario)
    return any(resolve_policy(regime.order, scenario.base_dir, imports).uses_priority
               for _, regime in scenario.policy.regimes()) or bool(
        between if held is None else between.intersection(held))


def served_between_rounds(scenario: Scenario) -> set[str]:
    """The categories whose applicants with priority rounds in force serve between rounds.

    In any period: between its rounds, the engine serves those who asked for priority in one
    of them, and nobody else (:mod:`sim.engine.model`).
    """
    return {category for _, regime in scenario.policy.regimes() if regime.rounds is not None
            for category in regime.rounds.between_rounds}


def custom_policy_in_force(scenario: Scenario) -> bool:
    """Whether a policy other than gridqueue's own is in force at some time.

    Such a policy may read any attribute of an applicant (``existing_mw``, ``category``),
    whatever its ``uses_category_order`` and ``uses_priority`` say: those name settings and
    who asked for priority, not every attribute.
    """
    imports = scenario.policy.imports or ()
    return any(resolve_policy(regime.order, scenario.base_dir, imports) not in BUILT_IN
               for _, regime in scenario.policy.regimes())


def categories_matter(scenario: Scenario, held: Collection[str] | None = None) -> bool:
    """Whether an applicant's category can change a wait in the scenario.

    It can where asking for priority can matter (:func:`priority_served`, to applicants who
    hold ``held``), where a policy in force orders by category (``social_priority``), and
    where a custom policy is in force, which may read it. Under ``fifo`` and
    ``smallest_first`` alone it only labels.
    """
    imports = scenario.policy.imports or ()
    return priority_served(scenario, held) or custom_policy_in_force(scenario) or any(
        resolve_policy(regime.order, scenario.base_dir, imports).uses_category_order
        for _, regime in scenario.policy.regimes())


def policy_periods(scenario: Scenario, merge: bool = True,
                   scored: Collection[str] | None = None) -> list[PolicyPeriod]:
    """The periods of the scenario's policy; with ``merge``, equal neighbours are joined.

    ``scored``: the categories in which somebody has an efficiency score; ranking another by
    efficiency is left out, as it keeps its request-date order (None: every ranking kept).
    """
    regimes = scenario.policy.regimes()
    starts = [scenario.start if date is None else date for date, _ in regimes]
    ends = [*starts[1:], scenario.end]
    periods: list[PolicyPeriod] = []
    for (_, regime), start, end in zip(regimes, starts, ends, strict=True):
        used = uses_category_order(regime.order, scenario)
        within = {c: rule for c, rule in regime.within_category.items() if rule != "request_date"
                  and (scored is None or rule != "efficiency" or c in scored)}
        period = PolicyPeriod(start, end, regime.order, regime.allocation,
                              tuple(regime.category_order) if used else None,
                              dict(regime.params), within, regime.rounds)
        if merge and periods and periods[-1].same_policy(period):
            period = replace(periods.pop(), end=end)
        periods.append(period)
    return periods
