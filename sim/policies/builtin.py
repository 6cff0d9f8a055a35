"""The built-in queue policies: first come first served, social priority, smallest first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from sim.inputs.applicants import CATEGORIES, Applicant, ApplicantTable, inverse_permutation
from sim.policies.base import QueuePolicy
from sim.policies.registry import register_policy

__all__ = ["FIFOPolicy", "SmallestFirstPolicy", "SocialPriorityPolicy"]


@register_policy
class FIFOPolicy(QueuePolicy):
    """First come, first served by request time: the Dutch rule until 1 October 2024."""

    name = "fifo"
    uses_category_order = False
    uses_priority = False

    def sort_key(self, applicant: Applicant) -> tuple[Any, ...]:
        return (applicant.request_time,)

    def ranks(self, table: ApplicantTable) -> np.ndarray:
        # The table is sorted by request time with ties in id order: the rank is the id.
        return np.arange(len(table), dtype=np.int64)


WITHIN_CATEGORY = ("request_date", "efficiency")
"""How a category may be ordered inside: first come first served, or best efficiency first."""


@register_policy
class SocialPriorityPolicy(QueuePolicy):
    """Category order first; within a category first come first served, or by efficiency.

    Priority is granted on request only: an applicant of a priority category who did not ask
    for it queues as ``other`` (ACM code decision of 12 April 2024, Netcode art. 7.0a-7.0d).
    A category named ``efficiency`` in ``within_category`` is ordered by efficiency score,
    highest first, the request date breaking ties; applicants without a score come after
    every scored one, by request date (the framework of 1 January 2026 ranks congestion
    relievers this way).
    """

    name = "social_priority"
    ranks_within_category = True

    def __init__(
        self,
        category_order: Sequence[str] = CATEGORIES,
        within_category: Mapping[str, str] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(category_order, **params)
        within = dict(within_category or {})
        for category, rule in within.items():
            if category not in CATEGORIES or rule not in WITHIN_CATEGORY:
                raise ValueError(f"within_category expects categories from "
                                 f"{', '.join(CATEGORIES)} mapped to "
                                 f"{' or '.join(WITHIN_CATEGORY)}, got {category}: {rule}")
        self.by_efficiency = frozenset(c for c, rule in within.items() if rule == "efficiency")

    def priority_class(self, category: str, priority_requested: bool) -> int:
        """Position of the applicant's effective category in ``category_order``."""
        return self.category_order.index(self._effective(category, priority_requested))

    @staticmethod
    def _effective(category: str, priority_requested: bool) -> str:
        """The category the applicant queues in: its own if it asked for priority."""
        return category if priority_requested else "other"

    def sort_key(self, applicant: Applicant) -> tuple[Any, ...]:
        effective = self._effective(applicant.category, applicant.priority_requested)
        # no score is -inf: after every scored applicant, among themselves by request date
        within = -applicant.efficiency if effective in self.by_efficiency else 0.0
        return (self.category_order.index(effective), within, applicant.request_time)

    def ranks(self, table: ApplicantTable) -> np.ndarray:
        other = CATEGORIES.index("other")
        effective = np.where(table.priority_requested, table.category_code, other)
        order = self.category_order
        position = np.array([order.index(c) if c in order else 0 for c in CATEGORIES])
        klass = position[effective]
        keys = [table.applicant_id, table.request_time, klass]
        if self.by_efficiency:  # speed: a sort key less where no category is ranked by score
            ranked = np.isin(effective, [CATEGORIES.index(c) for c in self.by_efficiency])
            keys.insert(2, np.where(ranked, -table.efficiency, 0.0))
        return inverse_permutation(np.lexsort(keys))

    def describe(self) -> str:
        text = f"social_priority ({' > '.join(self.category_order)})"
        ranked = [c for c in self.category_order if c in self.by_efficiency]
        return text + (f", {', '.join(ranked)} by efficiency" if ranked else "")


@register_policy
class SmallestFirstPolicy(QueuePolicy):
    """Smallest grid request first: an example of a policy that is not about categories."""

    name = "smallest_first"
    uses_category_order = False
    uses_priority = False

    def sort_key(self, applicant: Applicant) -> tuple[Any, ...]:
        return (applicant.requested_mw,)
