"""The built-in queue policies: first come first served, social priority, smallest first."""

from __future__ import annotations

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

    def sort_key(self, applicant: Applicant) -> tuple[Any, ...]:
        return (applicant.request_time,)

    def ranks(self, table: ApplicantTable) -> np.ndarray:
        # The table is sorted by request time with ties in id order: the rank is the id.
        return np.arange(len(table), dtype=np.int64)


@register_policy
class SocialPriorityPolicy(QueuePolicy):
    """Category order first, first come first served within a category.

    Priority is granted on request only: an applicant of a priority category who did not ask
    for it queues as ``other`` (ACM code decision of 12 April 2024, Netcode art. 7.0a-7.0d).
    """

    name = "social_priority"

    def priority_class(self, category: str, priority_requested: bool) -> int:
        """Position of the applicant's effective category in ``category_order``."""
        effective = category if priority_requested else "other"
        return self.category_order.index(effective)

    def sort_key(self, applicant: Applicant) -> tuple[Any, ...]:
        klass = self.priority_class(applicant.category, applicant.priority_requested)
        return (klass, applicant.request_time)

    def ranks(self, table: ApplicantTable) -> np.ndarray:
        other = CATEGORIES.index("other")
        effective = np.where(table.priority_requested, table.category_code, other)
        order = self.category_order
        position = np.array([order.index(c) if c in order else 0 for c in CATEGORIES])
        klass = position[effective]
        sorted_rows = np.lexsort((table.applicant_id, table.request_time, klass))
        return inverse_permutation(sorted_rows)

    def describe(self) -> str:
        return f"social_priority ({' > '.join(self.category_order)})"


@register_policy
class SmallestFirstPolicy(QueuePolicy):
    """Smallest grid request first: an example of a policy that is not about categories."""

    name = "smallest_first"
    uses_category_order = False

    def sort_key(self, applicant: Applicant) -> tuple[Any, ...]:
        return (applicant.requested_mw,)
