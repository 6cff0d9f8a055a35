"""Custom queue policies that break their contract, or misbehave on purpose, for the tests."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from sim import QueuePolicy
from sim.inputs.applicants import Applicant, ApplicantTable


class Raises(QueuePolicy):
    """Its sort key divides by zero."""

    def sort_key(self, applicant: Applicant) -> tuple[Any, ...]:
        return (applicant.request_time / 0,)


class Unorderable(QueuePolicy):
    """Its sort keys mix text and numbers in the same place, so they cannot be compared."""

    def sort_key(self, applicant: Applicant) -> tuple[Any, ...]:
        return ("late",) if applicant.applicant_id % 2 else (applicant.request_time,)


class NotATuple(QueuePolicy):
    """Its sort key is a bare number instead of a tuple."""

    def sort_key(self, applicant: Applicant) -> tuple[Any, ...]:
        return applicant.applicant_id  # type: ignore[return-value]


class NoSortKey(QueuePolicy):
    """Its sort key method is misnamed, so the class lacks the one a policy must define."""

    def sortkey(self, applicant: Applicant) -> tuple[Any, ...]:
        return (applicant.request_time,)


class TiedRanks(QueuePolicy):
    """Its vectorised ranks put everyone in first place."""

    def sort_key(self, applicant: Applicant) -> tuple[Any, ...]:
        return (0,)

    def ranks(self, table: ApplicantTable) -> np.ndarray:
        return np.zeros(len(table), dtype=np.int64)


class Slow(QueuePolicy):
    """First come, first served, but it writes its process id to ``marker``, then sleeps.

    Given ``brake``, a file name, it sleeps only while that file exists: a test can let the
    same scenario run at full speed once it has interrupted it.
    """

    def __init__(self, category_order: Any, marker: str, seconds: float,
                 brake: str | None = None) -> None:
        super().__init__(category_order)
        self.marker = Path(marker)
        self.seconds = seconds
        self.brake = None if brake is None else Path(brake)

    def sort_key(self, applicant: Applicant) -> tuple[Any, ...]:
        return (applicant.request_time,)

    def ranks(self, table: ApplicantTable) -> np.ndarray:
        self.marker.write_text(str(os.getpid()))
        if self.brake is None or self.brake.exists():
            time.sleep(self.seconds)
        return np.arange(len(table), dtype=np.int64)


class DiesInWorker(QueuePolicy):
    """First come, first served; the worker ranking ``applicants`` applicants dies, others wait."""

    def __init__(self, category_order: Any, applicants: int, seconds: float) -> None:
        super().__init__(category_order)
        self.applicants = applicants
        self.seconds = seconds

    def sort_key(self, applicant: Applicant) -> tuple[Any, ...]:
        return (applicant.request_time,)

    def ranks(self, table: ApplicantTable) -> np.ndarray:
        if len(table) == self.applicants and multiprocessing.parent_process() is not None:
            os.kill(os.getpid(), signal.SIGKILL)  # as a crash or the out-of-memory killer would
        time.sleep(self.seconds)
        return np.arange(len(table), dtype=np.int64)


class NaNKey(QueuePolicy):
    """Sorts by self-supply, which is NaN for the applicants here (none was given)."""

    def sort_key(self, applicant: Applicant) -> tuple[Any, ...]:
        return (float("nan"),)


class ExitsWhenBuilt(QueuePolicy):
    """Calls sys.exit in its constructor."""

    def __init__(self, category_order: Any) -> None:
        super().__init__(category_order)
        sys.exit(0)

    def sort_key(self, applicant: Applicant) -> tuple[Any, ...]:
        return (applicant.request_time,)


class ExitsWhenRanking(QueuePolicy):
    """Calls sys.exit in its sort key."""

    def sort_key(self, applicant: Applicant) -> tuple[Any, ...]:
        sys.exit(0)


class InterruptsWhenRanking(QueuePolicy):
    """Raises KeyboardInterrupt in its sort key, with no Ctrl-C pressed."""

    def sort_key(self, applicant: Applicant) -> tuple[Any, ...]:
        raise KeyboardInterrupt


class HardExitWhenRanking(QueuePolicy):
    """Calls os._exit in its sort key, which would end the process at once."""

    def sort_key(self, applicant: Applicant) -> tuple[Any, ...]:
        os._exit(3)  # not 0: were it obeyed in a test process, that would end with a failure


class Hangs(QueuePolicy):
    """Writes its process id to ``marker``, then never returns, not even on Ctrl-C."""

    def __init__(self, category_order: Any, marker: str) -> None:
        super().__init__(category_order)
        self.marker = Path(marker)

    def sort_key(self, applicant: Applicant) -> tuple[Any, ...]:
        return (applicant.request_time,)

    def ranks(self, table: ApplicantTable) -> np.ndarray:
        self.marker.write_text(str(os.getpid()))
        while True:
            try:
                time.sleep(1)
            except KeyboardInterrupt:
                pass
