"""The discrete-event engine: connects applicants as capacity allows.

The calendar, the queues, the capacity ledger and the model; the order of the queue comes
from a policy (``sim.policies``).
"""
