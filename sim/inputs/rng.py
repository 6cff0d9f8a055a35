"""Seeds and named random streams.

Every draw in a replication comes from a generator named by (seed, replication, purpose,
name), derived with numpy's ``SeedSequence`` spawn keys. So replication 3 is the same whichever
worker runs it, and two scenarios that differ only in policy draw exactly the same applicants
and upgrade delays (common random numbers). Adding a stream does not disturb the others: each
stream's generators are keyed by its name, not by its position in the file.
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["PURPOSES", "RandomStreams", "upgrade_keys"]

PURPOSES: dict[str, int] = {
    "arrivals": 1,
    "demand": 2,
    "jobs": 3,
    "patience": 4,
    "lifetime": 5,
    "onsite_adoption": 6,
    "onsite_cover": 7,
    "priority": 8,
    "upgrade_delay": 9,
    "waiting_list": 10,
    "homes": 11,
    "partial": 12,
    "expansion": 13,
    "capacity_release": 14,
    "efficiency": 15,
    "non_firm": 16,
}
"""Each purpose's fixed number in the spawn key; never renumber (it would change results)."""


class RandomStreams:
    """The independent generators of one replication."""

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = seed
        self.replication = replication

    def generator(self, purpose: str, name: str = "") -> np.random.Generator:
        """A fresh generator for one purpose (and one stream, upgrade or source name)."""
        key = (self.replication, PURPOSES[purpose], zlib.crc32(name.encode("utf-8")))
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=key))


def upgrade_keys(owner: str, names: list[str]) -> list[str]:
    """The name of each upgrade's random stream of delays: its owner and its own name.

    Not its place in the list, so that a variant which adds or removes other upgrades draws
    the same delays for the upgrades both have (and is compared paired). A name repeated in
    one list is told apart by its count: 'main:transformer', 'main:transformer#2'.
    """
    seen: dict[str, int] = {}
    keys = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        keys.append(f"{owner}:{name}" + (f"#{seen[name]}" if seen[name] > 1 else ""))
    return keys
