"""Analysis across runs: what differs between scenarios, and how sure we are.

Comparisons with paired differences, plain-language sentences, parameter sweeps,
reproduction checks, and queueing-theory results used in validation.
"""
