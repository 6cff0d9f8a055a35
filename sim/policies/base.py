"""The queue-policy contract: a policy turns each applicant into a sort key.

A policy says in which order waiting applicants are served: the one with the smallest key
first. The key must depend only on the applicant's own attributes (request time, category,
size, jobs...), never on the clock or on who else waits, so the engine can rank everyone once
per policy regime and keep the queue ordered cheaply. Ties are always broken by
``applicant_id`` (request order), the same way on every machine.

Write your own in a few lines::

    from sim import QueuePolicy, register_policy

    @register_policy
    class SmallestFirstPolicy(QueuePolicy):
        name = "smallest_first"

        def sort_key(self, applicant):
            return (applicant.requested_mw,)

and name it in a scenario as ``policy: {order: smallest_first}`` (or as ``mymodule:MyPolicy``
without registering). Parameters under ``policy.params`` reach ``__init__`` as keywords.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from sim.inputs.applicants import CATEGORIES, Applicant, ApplicantTable, inverse_permutation

__all__ = ["QueuePolicy", "ranks_by_key"]


class QueuePolicy(ABC):
    """Orders waiting applicants: a smaller :meth:`sort_key` is served first.

    Subclasses set ``name`` and implement :meth:`sort_key`; they may override :meth:`ranks`
    with a vectorised version for speed (the built-in policies do, and tests check that both
    give the same order).
    """

    name: ClassVar[str] = ""
    """The name scenario files use for this policy."""

    uses_category_order: ClassVar[bool] = True
    """Whether the order depends on ``category_order``; False lets gridqueue refuse a
    ``category_order`` given for this policy, which would change nothing."""

    uses_priority: ClassVar[bool] = True
    """Whether the order depends on who asked for priority (``priority_requested``); False
    lets gridqueue warn that a ``priority_uptake`` (or a project's ``priority_requested``)
    changes no wait where no policy in force serves priority and no rounds serve it between
    rounds (:func:`sim.policies.shadowing.check_priority_acts`). It still sets who asks.
    True: a user's policy that ranks the first replication's applicants as if none had asked
    is warned of (:class:`sim.runs.unused_settings.UnusedSettings`)."""

    ranks_within_category: ClassVar[bool] = False
    """Whether the policy takes ``within_category`` (how each category is ordered inside);
    False lets gridqueue refuse a ``within_category`` that would change nothing."""

    def __init__(self, category_order: Sequence[str] = CATEGORIES, **params: Any) -> None:
        if params:
            unexpected = ", ".join(sorted(params))
            raise TypeError(f"{type(self).__name__} takes no parameters, got {unexpected}")
        self.category_order = tuple(category_order)

    @abstractmethod
    def sort_key(self, applicant: Applicant) -> tuple[Any, ...]:
        """The applicant's place in line: smaller first; ties go to the earlier request."""

    def ranks(self, table: ApplicantTable) -> np.ndarray:
        """Each applicant's position in policy order (0 is served first)."""
        return ranks_by_key([(*self.sort_key(applicant), applicant.applicant_id)
                             for applicant in table])

    def describe(self) -> str:
        """One line for reports: the policy's name and settings."""
        return self.name or type(self).__name__


def ranks_by_key(keys: Sequence[tuple[Any, ...]]) -> np.ndarray:
    """Each key's position when the keys are sorted (0 is served first): keys end in the id."""
    order = sorted(range(len(keys)), key=keys.__getitem__)
    return inverse_permutation(np.asarray(order, dtype=np.int64))
