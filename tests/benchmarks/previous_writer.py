"""The table writer of earlier versions (pandas ``to_csv``): the baseline of benchmark 3.

Kept as it was, so ``make bench`` measures the current writer against it in the same run, on
the same results, and checks that both write the same bytes.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from sim import Results
from sim.runs.csv_writer import CSV_DATE_FORMAT
from sim.runs.results import TABLES
from sim.runs.spool import PARALLEL_CSV_ROWS, ApplicantSpool

__all__ = ["write_tables"]


def write_tables(results: Results, folder: Path, workers: int) -> None:
    """Write every table of ``results`` into ``folder`` as earlier versions did."""
    folder.mkdir(parents=True)
    for name in TABLES:
        path = folder / f"{name}.csv"
        spool = results._spool if name == "applicants" else None
        if spool is not None:
            _write_spool(spool, path, workers)
        else:
            getattr(results, name).to_csv(path, index=False, date_format=CSV_DATE_FORMAT)


def _write_spool(spool: ApplicantSpool, path: Path, workers: int) -> None:
    """applicants.csv chunk by chunk, formatted in forked processes when there are several."""
    count = spool._seal()
    with open(path, "w", encoding="utf-8", newline="") as file:
        assert spool._empty is not None
        file.write(spool._empty.to_csv(index=False))
        if workers <= 1 or count <= 1 or spool.rows < PARALLEL_CSV_ROWS:
            for index in range(count):
                file.write(_text(spool, index))
            return
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                 initializer=_adopt, initargs=(spool,)) as pool:
            for text in pool.map(_format, range(count)):
                file.write(text)


_ADOPTED: ApplicantSpool | None = None


def _adopt(spool: ApplicantSpool) -> None:
    global _ADOPTED
    _ADOPTED = spool


def _format(index: int) -> str:
    assert _ADOPTED is not None
    return _text(_ADOPTED, index)


def _text(spool: ApplicantSpool, index: int) -> str:
    return spool._chunk(index).to_csv(header=False, index=False, date_format=CSV_DATE_FORMAT)
