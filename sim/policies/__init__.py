"""Queue policies: the contract, the registry and the built-in policies."""

from sim.policies.base import QueuePolicy
from sim.policies.builtin import FIFOPolicy, SmallestFirstPolicy, SocialPriorityPolicy
from sim.policies.registry import POLICIES, register_policy, resolve_policy

__all__ = [
    "POLICIES",
    "FIFOPolicy",
    "QueuePolicy",
    "SmallestFirstPolicy",
    "SocialPriorityPolicy",
    "register_policy",
    "resolve_policy",
]
