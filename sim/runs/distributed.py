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
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from sim.errors import GridqueueError, ReplicationError, given_as

__all__ = ["CONNECT_TIMEOUT_SECONDS", "REACH_SECONDS", "SCHEDULER_VARIABLE", "map_on_cluster"]

T = TypeVar("T")

SCHEDULER_VARIABLE = "GRIDQUEUE_SCHEDULER"
"""Environment variable the command line reads the scheduler address from."""

CONNECT_TIMEOUT_SECONDS = 30
"""How long Dask may try to reach the scheduler (and waits for it later) before giving up."""

REACH_SECONDS = 5
"""How long a ``tcp://`` scheduler may take to accept a connection, tried first.

Dask tries again and again while a connection is refused, for the whole of
:data:`CONNECT_TIMEOUT_SECONDS`: a mistyped port or a scheduler not started kept the user
waiting half a minute. A running scheduler accepts within milliseconds on a local network,
and within a second across the world."""

_GREETING_SECONDS = REACH_SECONDS + 1
"""How long the greeting of what accepted the connection may take: a little longer than the
connection itself, so that a connection not made within :data:`REACH_SECONDS` is said so."""


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
    _check_certificates(address)
    _check_reachable(address)
    try:
        return Client(address, timeout=CONNECT_TIMEOUT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise _unreached(address, _why_unreached(exc)) from None


def _check_certificates(address: str) -> None:
    """Refuse a ``tls://`` address where Dask's configuration names no certificates.

    Dask then fails with a TypeError as the client connects, which no message caught, and the
    half-made client waited a minute to close and printed a traceback of its own.
    """
    from distributed.comm.addressing import parse_address
    from distributed.security import Security

    if parse_address(address)[0] != "tls":
        return
    try:
        context = Security().get_connection_args("client").get("ssl_context")
    except OSError as exc:  # a file named that is not there: 'No such file or directory' alone
        import dask.config

        named = [str(dask.config.get(f"distributed.comm.tls.{key}", None))
                 for key in ("ca-file", "client.cert", "client.key")]
        gone = [name for name in dict.fromkeys(named)
                if name != "None" and not os.path.isfile(name)]
        raise _refused(address, f"cannot read the certificates Dask's configuration names "
                       f"({exc.strerror}{': ' + ', '.join(map(repr, gone)) if gone else ''}); "
                       "expected distributed.comm.tls.ca-file, .client.cert and .client.key "
                       "to name readable files, or a tcp:// address") from None
    if context is None:
        raise _refused(address, "a tls:// scheduler needs the cluster's certificates, and "
                       "Dask's configuration names none; expected distributed.comm.tls.ca-file, "
                       ".client.cert and .client.key set (e.g. as DASK_DISTRIBUTED__COMM__TLS__"
                       "CA_FILE), or a tcp:// address")


def _check_reachable(address: str) -> None:
    """Refuse at once a ``tcp://`` address where no Dask scheduler answers.

    Dask tries again and again while a connection is refused, and then waits without end
    for the first answer of whatever accepted it: a web server (the dashboard's port, 8787,
    given for the scheduler's, 8786) kept a command waiting for ever. So a connection is
    made first, as Dask makes it (its greeting too), within :data:`REACH_SECONDS`, and
    closed; the scheduler notes it in its log at most. Other schemes (``tls://``, which needs
    the cluster's certificates) are left to Dask.
    """
    from distributed.comm.addressing import parse_address, parse_host_port

    scheme, location = parse_address(address)
    if scheme != "tcp":
        return
    try:  # a refused connection or an unknown host at once: Dask tries them again and again
        socket.create_connection(parse_host_port(location), timeout=REACH_SECONDS).close()
    except OSError as exc:
        raise _unreached(address, _why_unreached(exc)) from None
    outcome: list[BaseException | None] = []
    greeting = threading.Thread(target=lambda: outcome.append(_greet(address)), daemon=True,
                                name="gridqueue-scheduler-check")
    greeting.start()  # a thread of its own: the caller may be running an event loop
    greeting.join(_GREETING_SECONDS + 1)
    problem = outcome[0] if outcome else _NotGreeted()
    if problem is not None:
        raise _unreached(address, _why_unreached(problem)) from None


def _greet(address: str) -> BaseException | None:
    """Connect to ``address`` as a Dask client does, then close; what went wrong, if anything."""
    import asyncio

    from distributed.comm.core import connect

    async def greet() -> None:
        comm = await asyncio.wait_for(connect(address, timeout=REACH_SECONDS), _GREETING_SECONDS)
        await comm.close()

    try:
        asyncio.run(greet())
    except TimeoutError:
        return _NotGreeted()
    except BaseException as exc:  # noqa: BLE001 - anything but a greeting says no scheduler
        return exc
    return None


class _NotGreeted(TimeoutError):
    """Connected, but what accepted the connection did not greet as a Dask scheduler does."""


def _unreached(address: str, why: str) -> GridqueueError:
    """The error for a scheduler not reached at ``address``: ``why`` (:func:`_why_unreached`)."""
    return _refused(address, f"cannot reach the Dask scheduler at {address!r} ({why}); "
                    "expected the address of a running scheduler, e.g. tcp://10.0.0.5:8786")


def _why_unreached(exc: BaseException) -> str:
    """Why the scheduler was not reached, in words: Dask's own says only that time ran out."""
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, (ConnectionRefusedError, socket.gaierror)):
        cause = cause.__cause__ or cause.__context__  # Dask wraps it in its CommClosedError
    if isinstance(cause, ConnectionRefusedError):
        return "the connection was refused: nothing listens at that address"
    if isinstance(cause, socket.gaierror):
        return f"no such host: {cause.strerror or cause}"
    if isinstance(exc, _NotGreeted):
        return (f"a connection was made, but no Dask scheduler answered within "
                f"{_GREETING_SECONDS} s; a scheduler listens on port 8786 unless set "
                "otherwise, 8787 is its dashboard")
    if isinstance(exc, TimeoutError) or str(exc).startswith("Timed out trying to connect"):
        return (f"nothing answered within {REACH_SECONDS} s: the host may be down, or a "
                "firewall in the way")
    if isinstance(exc, (MemoryError, ValueError, KeyError, TypeError, OSError)):
        return "what answered there is not a Dask scheduler"
    return str(exc)


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
