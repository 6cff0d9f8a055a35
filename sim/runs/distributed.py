"""Replications on a Dask cluster: the same tasks as on local processes, sent to a scheduler.

``gridqueue run --scheduler tcp://host:8786`` (or the environment variable
``GRIDQUEUE_SCHEDULER``) hands each replication to the workers of a running
``dask.distributed`` cluster instead of local processes. A replication is a pure function of
(scenario, replication index) and results come back in replication order, so the tables are
identical, row for row, to a local run with the same seed.

The workers need gridqueue installed (the same version, with its dependencies) and, for a policy
named as ``module:Class``, that module importable there too. Dask itself is optional (the
project's ``dask`` extra): without it, asking for a cluster is one message saying how to
install it.

``gridqueue reproduce`` always runs on local processes, whatever ``GRIDQUEUE_SCHEDULER`` says:
its verdict names the versions installed here as the likely cause of a difference, and only
a re-run here is made with those (a cluster's workers may hold others).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from sim.errors import GridqueueError, ReplicationError, given_as

__all__ = ["CONNECT_TIMEOUT_SECONDS", "SCHEDULER_VARIABLE", "map_on_cluster"]

T = TypeVar("T")

SCHEDULER_VARIABLE = "GRIDQUEUE_SCHEDULER"
"""Environment variable the command line reads the scheduler address from."""

CONNECT_TIMEOUT_SECONDS = 30
"""How long to wait for the scheduler to answer before giving up."""


def map_on_cluster(
    function: Callable[[int], T],
    indices: list[int],
    address: str,
    seed: int,
    on_done: Callable[[], object] = lambda: None,
) -> Iterator[T]:
    """Apply ``function`` to each index on the cluster at ``address``; yield in index order.

    ``function`` is sent to the workers once; each index is one task. A result that arrives
    early waits until those before it are yielded, and is released on the cluster as soon as it
    has been fetched, so neither side holds the whole run.

    Raises:
        GridqueueError: Dask is not installed or the scheduler cannot be reached.
        ReplicationError: a replication failed or its worker died.
    """
    client = _connect(address)  # first: it says so if Dask is not installed
    from distributed import as_completed

    try:
        shared = client.scatter(function, broadcast=True)
        futures = client.map(_call, indices, function=shared, pure=False)
        position = {future.key: k for k, future in enumerate(futures)}
        pending = as_completed(futures, loop=client.loop)
        del futures  # as_completed holds them now; each goes once it has been fetched
        done: dict[int, T] = {}
        next_position = 0
        for future in pending:
            k = position[future.key]
            done[k] = _result(future, indices[k], seed)
            on_done()
            while next_position in done:
                yield done.pop(next_position)
                next_position += 1
    finally:
        client.close()


def _call(index: int, function: Callable[[int], T]) -> T:
    """One task on a worker: run ``function`` for one replication index."""
    return function(index)


def _result(future: Any, index: int, seed: int) -> Any:
    from distributed.scheduler import KilledWorker

    try:
        return future.result()
    except KilledWorker:
        raise ReplicationError(index, seed, "its Dask worker died (killed, or out of "
                               "memory)") from None


def _check_address(address: str) -> None:
    """Refuse an address Dask cannot parse or use before a client is made for it.

    A client made for such an address fails, but the half-made client then waits a minute
    to close when it is collected, and prints a traceback: so for a scheme Dask has no
    transport for (``http://``). A port beyond 65535 is no address either, though Dask
    would spend its whole connect timeout trying it.
    """
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import get_backend

    try:
        scheme, location = parse_address(address)
        get_backend(scheme)
        if scheme in ("tcp", "tls"):
            _, port = parse_host_port(location)
            if not 0 < port < 2**16:
                raise ValueError(f"port {port} is not from 1 to 65535")
    except ValueError as exc:
        raise _refused(address, f"expected the address of a Dask scheduler, such as "
                       f"tcp://10.0.0.5:8786, got {address!r} ({exc})") from None


def _connect(address: str) -> Any:
    """A client of the scheduler at ``address``, or an error the user can act on."""
    try:
        from distributed import Client
    except ImportError:
        raise _without_dask(address) from None
    _check_address(address)
    try:
        return Client(address, timeout=CONNECT_TIMEOUT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise _refused(address, f"cannot reach the Dask scheduler at {address!r} ({exc}); "
                       "expected the address of a running scheduler, e.g. "
                       "tcp://10.0.0.5:8786") from None


def _without_dask(address: str) -> GridqueueError:
    """Dask is not installed: say how to install it, or how to run without it."""
    return _refused(address, "a Dask cluster was asked for, but Dask is not installed; "
                    "install gridqueue's dask extra into the environment gridqueue runs in "
                    "(pip install '.[dask]' in gridqueue's folder)")


def _refused(address: str, problem: str) -> GridqueueError:
    """``problem`` with the scheduler address: named as the setting that gave it, and undone.

    The address comes from ``--scheduler`` (``scheduler=`` in Python) or from
    :data:`SCHEDULER_VARIABLE`, which may be set for every run and forgotten.
    """
    if os.environ.get(SCHEDULER_VARIABLE) == address:
        asked, instead = f"{SCHEDULER_VARIABLE}={address}", f"unset {SCHEDULER_VARIABLE}"
    else:
        asked = given_as(f"--scheduler {address}", f"scheduler={address!r}")
        instead = given_as("leave out --scheduler", "leave out scheduler")
    return GridqueueError(f"{asked}: {problem}, or {instead} to run on local processes")
