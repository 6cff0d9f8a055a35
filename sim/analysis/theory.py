"""Queueing theory the engine can be checked against: Erlang C and Cobham's priority formula.

With unit requests, exponential lifetimes and Poisson arrivals, a grid area of ``c`` MW is an
M/M/c queue, and the social prioritisation framework with strict allocation is a
non-preemptive priority discipline. These closed forms give the mean waits a correct
simulation must reproduce.

References:
    A. K. Erlang (1917), "Solution of some problems in the theory of probabilities of
    significance in automatic telephone exchanges"; L. Kleinrock (1975), *Queueing Systems,
    Vol. 1*, section 3.5 (M/M/c).
    A. Cobham (1954), "Priority assignment in waiting line problems", *Operations Research*
    2(1): 70-76; L. Kleinrock (1976), *Queueing Systems, Vol. 2*, section 3.6 (non-preemptive
    priority, M/M/c with equal service rates).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["cobham_waits", "erlang_c", "erlang_c_wait"]


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival to a stable M/M/c queue must wait (Erlang's C formula).

    ``offered_load`` is ``a = lambda / mu`` in erlangs. Computed through the Erlang B
    recursion, which stays accurate for many servers where the textbook sum of ``a**k / k!``
    would overflow.

    Raises:
        ValueError: if the queue is not stable (``offered_load >= servers``) or an argument is
            not positive.
    """
    _check(offered_load, 1.0, servers)
    blocking = 1.0  # Erlang B with 0 servers
    for k in range(1, servers + 1):
        blocking = offered_load * blocking / (k + offered_load * blocking)
    utilisation = offered_load / servers
    return blocking / (1.0 - utilisation * (1.0 - blocking))


def erlang_c_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean time in queue (before service) of an M/M/c queue, in the rates' time unit.

    ``W_q = C(c, a) / (c * mu - lambda)``, with ``C`` Erlang's C probability of waiting.
    """
    _check(arrival_rate, service_rate, servers)
    return erlang_c(servers, arrival_rate / service_rate) / (
        servers * service_rate - arrival_rate
    )


def cobham_waits(
    arrival_rates: Sequence[float], service_rate: float, servers: int
) -> list[float]:
    """Mean time in queue of each class of a non-preemptive priority M/M/c queue.

    Classes are given highest priority first, all served at the same rate. Cobham's formula:
    ``W_k = C(c, a) / (c * mu * (1 - s_{k-1}) * (1 - s_k))`` with ``s_k`` the load
    ``sum(lambda_1..lambda_k) / (c * mu)`` of the classes up to ``k`` and ``C`` Erlang's C for
    the total arrival rate. The rate-weighted mean over the classes equals :func:`erlang_c_wait`.

    Raises:
        ValueError: if the queue is not stable or a rate is not positive.
    """
    if not arrival_rates or any(rate <= 0 for rate in arrival_rates):
        raise ValueError("arrival_rates must be a non-empty list of positive rates")
    total = float(sum(arrival_rates))
    _check(total, service_rate, servers)
    waiting = erlang_c(servers, total / service_rate)
    capacity = servers * service_rate
    waits = []
    load_above = 0.0
    for rate in arrival_rates:
        load_through = load_above + rate / capacity
        waits.append(waiting / (capacity * (1.0 - load_above) * (1.0 - load_through)))
        load_above = load_through
    return waits


def _check(arrival_rate: float, service_rate: float, servers: int) -> None:
    if arrival_rate <= 0 or service_rate <= 0 or servers < 1:
        raise ValueError("rates must be positive and there must be at least one server")
    if arrival_rate >= servers * service_rate:
        raise ValueError(
            f"unstable queue: arrival rate {arrival_rate} is not below servers x service rate "
            f"({servers} x {service_rate})"
        )
