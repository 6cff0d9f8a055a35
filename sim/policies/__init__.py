"""Queue policies: the contract, the registry and the built-in policies."""

from sim.policies.base import QueuePolicy
from sim.policies.builtin import FIFOPolicy, SmallestFirstPolicy, SocialPriorityPolicy
from sim.policies.registry import (
    ENTRY_POINT_GROUP,
    POLICIES,
    import_policy_modules,
    register_policy,
    resolve_policy,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "POLICIES",
    "FIFOPolicy",
    "QueuePolicy",
    "SmallestFirstPolicy",
    "SocialPriorityPolicy",
    "import_policy_modules",
    "register_policy",
    "resolve_policy",
]
