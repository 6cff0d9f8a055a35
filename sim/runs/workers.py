"""Worker processes that leave Ctrl-C and SIGTERM to the main process, which stops them.

A terminal sends Ctrl-C to every process of a run. Workers ignore it and end on SIGTERM; the
main process, which may print one line and clean up, stops them (:func:`stop_workers`). The
replication pool, the pool that formats ``applicants.csv`` and the one that draws a report's
figures are made here.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

__all__ = ["STOP_SECONDS", "can_fork", "forked_map", "signals_held", "stop_workers",
           "worker_pool"]

STOP_SECONDS = 5
"""How long a worker may take to end after SIGTERM before it is killed."""

_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def can_fork() -> bool:
    """Whether workers can be forked: they then inherit this process's data, unpickled."""
    return sys.platform != "win32" and "fork" in multiprocessing.get_all_start_methods()


@contextmanager
def forked_map(function: Callable[[Any], Any], items: Sequence[Any], workers: int,
               adopt: Callable[[Any], None], inherited: Any,
               chunksize: int = 1) -> Iterator[Iterator[Any]]:
    """``function`` of each item in ``workers`` forked processes, the results in order.

    Each worker first calls ``adopt(inherited)``: forked, it inherits the data rather than
    receive a pickled copy. The block gets the results as they come. If it ends by an error
    (Ctrl-C, SIGTERM, a full disk), the workers are stopped at once and the error goes on.
    The tasks are submitted one by one rather than by ``map``, whose iterator cancels the
    tasks not yet started as an error passes through it: the pool, finding a cancelled task
    once its workers are stopped, raised in a thread of its own (a traceback beside the
    run's one line, whenever there were more tasks than workers).
    """
    chunks = [items[start:start + chunksize] for start in range(0, len(items), chunksize)]
    context = multiprocessing.get_context("fork")
    with worker_pool(workers, context, adopt, (inherited,)) as pool:
        try:
            with signals_held():  # the first submit forks the workers
                futures = [pool.submit(_apply_to_each, function, chunk) for chunk in chunks]
            yield (result for future in futures for result in future.result())
        except BaseException:
            stop_workers(pool)
            raise


def _apply_to_each(function: Callable[[Any], Any], chunk: Sequence[Any]) -> list[Any]:
    """``function`` of each item of ``chunk`` (in a worker)."""
    return [function(item) for item in chunk]


def worker_pool(workers: int, context: Any, initializer: Callable[..., None] | None = None,
                initargs: tuple[Any, ...] = ()) -> ProcessPoolExecutor:
    """A process pool whose workers leave signals to this process, then run ``initializer``.

    Submit to it inside :func:`signals_held`: with fork, the first submit starts the workers.
    """
    return ProcessPoolExecutor(max_workers=workers, mp_context=context,
                               initializer=_start_worker, initargs=(initializer, initargs))


def _start_worker(initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    """In a worker: ignore Ctrl-C, let SIGTERM end the process, then run ``initializer``.

    The main process may have set SIGTERM to raise, and fork copied that to the worker. The
    worker was forked with both signals held (:func:`signals_held`), so one that came before
    this point is only delivered now, under the new handlers.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    threading.Thread(target=_end_with_parent, args=(os.getppid(),), daemon=True,
                     name="gridqueue-parent-watch").start()
    if initializer is not None:
        initializer(*initargs)


PARENT_CHECK_SECONDS = 1.0
"""How often a worker checks that the process that started it is still there."""

_end_process = os._exit
"""``os._exit`` as imported: while a user's policy ranks, ``os._exit`` raises instead (see
:mod:`sim.policies.checked`), which would end only the thread that watches the parent."""


def _end_with_parent(parent: int) -> None:
    """End this worker once the process that started it is gone.

    The main process stops its workers however it ends, except when it is killed outright
    (SIGKILL, or the kernel out of memory): then nobody would read what they make, and they
    would wait for work forever.
    """
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    _end_process(1)


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM while this thread forks workers; act on them after.

    A forked worker starts with the main process's handlers, which raise; a Ctrl-C in the
    moment before the worker replaces them would print a traceback from the worker. Workers
    inherit the held signals and release them once their own handlers are set.

    Here, held in this thread alone, a signal may still reach another thread (one of
    OpenBLAS's, say), and Python then runs its handler in this one, part-way through starting
    a worker: the pool would not yet know that worker, so it was never stopped and outlived
    the run. So the handlers only note a signal while the block lasts; one that came is
    raised again when it ends, and the run stops as usual, with every worker known.
    """
    if not hasattr(signal, "pthread_sigmask"):  # Windows: spawned workers start afresh
        yield
        return
    caught: list[int] = []
    handlers = _note_signals(caught)
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        for number in dict.fromkeys(caught):
            signal.raise_signal(number)


def _note_signals(caught: list[int]) -> dict[int, Any]:
    """Set handlers that only note Ctrl-C and SIGTERM in ``caught``; return those they replace.

    Only the main thread may set handlers, and only the main thread runs them: elsewhere
    there is nothing to set. A handler not set from Python (None) is left alone.
    """
    if threading.current_thread() is not threading.main_thread():
        return {}
    replaced: dict[int, Any] = {}
    for number in _STOP_SIGNALS:
        if signal.getsignal(number) is not None:
            replaced[number] = signal.signal(number, lambda got, _: caught.append(got))
    return replaced


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """End the pool's worker processes now and reap them, rather than wait for their tasks.

    The tasks not yet started are not cancelled first: the pool then fails them itself when
    it sees its workers gone (Python 3.11 raises InvalidStateError in its own thread if it
    finds a cancelled one).
    """
    # The executor keeps its processes in a private mapping; Python 3.14 adds a public
    # terminate_workers() for this.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(STOP_SECONDS)
        if process.is_alive():
            process.kill()
            process.join()
    # A worker stopped part-way through sending a result (a figure, a replication's rows)
    # leaves half a message in the result pipe. The pool's thread that reads it would wait
    # for the rest for ever, and shutdown with it, as this process holds the pipe's writing
    # end too; with every worker gone, closing that end ends the read (a broken pool).
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
    if writer is not None:
        writer.close()
    pool.shutdown(wait=True)
