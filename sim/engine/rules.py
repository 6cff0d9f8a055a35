"""The rules in force over a run: queue policy, allocation rule, rounds and category definitions.

Plain data for the engine: a list of :class:`Regime`, one per date on which any rule changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from sim.policies.base import QueuePolicy

__all__ = ["Regime", "RoundSchedule", "with_categories"]


@dataclass(frozen=True)
class RoundSchedule:
    """Allocation in rounds: the queues are served only at ``times`` (years since start).

    Applicants with priority in a category of ``between_rounds`` (places in ``CATEGORIES``)
    are also served between rounds, as they come.
    """

    times: frozenset[float]
    between_rounds: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Regime:
    """A queue policy and allocation rule in force from ``time`` on.

    ``allocation`` is how a pass serves the line (``strict`` or ``first_fit``); with
    ``rounds``, passes serve everyone only at the round times. ``categories`` holds each
    applicant's category (its place in ``CATEGORIES``) under the definitions in force; None
    where no definition ever changes (each keeps the category of its request).
    """

    time: float
    policy: QueuePolicy
    allocation: str
    rounds: RoundSchedule | None = None
    categories: np.ndarray | None = None


def with_categories(
    regimes: list[Regime], timeline: list[tuple[float, np.ndarray]]
) -> list[Regime]:
    """The regimes with the category definitions of ``timeline`` merged in.

    A date on which categories change starts a new regime with the policy in force then; from
    the first such date on, every regime carries the categories in force.
    """
    if not timeline:
        return regimes
    times = sorted({r.time for r in regimes} | {t for t, _ in timeline})
    merged = []
    for time in times:
        regime = [r for r in regimes if r.time <= time][-1]
        in_force = [codes for t, codes in timeline if t <= time]
        merged.append(replace(regime, time=time,
                              categories=in_force[-1] if in_force else None))
    return merged
