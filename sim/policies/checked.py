"""A guard around a queue policy, so a policy that breaks its contract fails with a clear message.

Custom policies are user code: a ``sort_key`` that raises, returns keys that cannot be compared,
or a ``ranks`` that does not return a ranking would otherwise surface as a bare traceback from
deep inside the engine. :class:`CheckedPolicy` turns each into an
:class:`~sim.errors.InputError` that names the policy and the scenario key that chose it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.errors import GridqueueError, InputError
from sim.inputs.applicants import Applicant, ApplicantTable
from sim.policies.base import QueuePolicy

__all__ = ["CONTRACT", "CheckedPolicy"]

CONTRACT = (
    "expected sort_key to return tuples that compare with each other (numbers, or text in the "
    "same places) and ranks to place each applicant once"
)
"""What a policy promises, as the error message states it."""


class CheckedPolicy(QueuePolicy):
    """Delegates to ``policy`` and checks what it returns; the engine sees the same ranking.

    Args:
        policy: the policy to guard.
        order: how the scenario names it, e.g. ``mypolicies:LargestFirst``.
        source: the scenario file (for the message).
        key_path: where the scenario names it, e.g. ``policy.order``.
    """

    def __init__(self, policy: QueuePolicy, order: str, source: str, key_path: str) -> None:
        super().__init__(policy.category_order)
        self.policy = policy
        self.order = order
        self.source = source
        self.key_path = key_path

    def sort_key(self, applicant: Applicant) -> tuple[Any, ...]:
        return self.policy.sort_key(applicant)

    def ranks(self, table: ApplicantTable) -> np.ndarray:
        try:
            ranks = np.asarray(self.policy.ranks(table))
        except GridqueueError:
            raise
        except Exception as exc:  # the policy is user code: any failure is a broken contract
            raise self._broken(f"failed while ranking applicants ({type(exc).__name__}: "
                               f"{exc})") from None
        size = len(table)
        if not _is_ranking(ranks, size):
            raise self._broken(f"returned ranks that are not a ranking of the {size} "
                               f"applicants (shape {ranks.shape}, dtype {ranks.dtype})")
        return ranks.astype(np.int64, copy=False)

    def describe(self) -> str:
        return self.policy.describe()

    def _broken(self, what: str) -> InputError:
        return InputError(self.source, self.key_path,
                          f"the queue policy '{self.order}' {what}; {CONTRACT}")


def _is_ranking(ranks: np.ndarray, size: int) -> bool:
    """Whether ``ranks`` gives each of ``size`` applicants its own place from 0 to size-1."""
    if ranks.shape != (size,) or ranks.dtype.kind not in "iu":
        return False
    if size == 0:
        return True
    if ranks.min() < 0 or ranks.max() >= size:
        return False
    return bool(np.all(np.bincount(ranks, minlength=size) == 1))
