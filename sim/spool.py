"""The applicants table of a run, gathered replication by replication within a memory budget.

A run of a few replications keeps its applicant rows in memory, as DataFrames. Thousands of
replications would not fit: once the rows pass a budget, the spool moves them to an Arrow file
in a temporary directory (one compressed record batch per replication) and writes every later
replication there too, so memory holds about one replication's rows at a time however long the
run. Reading the whole table back (:meth:`ApplicantSpool.frame`) is then the caller's choice;
:meth:`ApplicantSpool.write_csv` streams it into ``applicants.csv`` batch by batch, formatting
the batches in several processes when asked to (formatting CSV costs more than simulating).

The Arrow IPC file format rather than Parquet: writing a replication's rows takes a tenth of
the time, which matters because the main process writes them while the workers simulate.
"""

from __future__ import annotations

import multiprocessing
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["CSV_DATE_FORMAT", "DEFAULT_BUDGET_ROWS", "ApplicantSpool"]

DEFAULT_BUDGET_ROWS = 1_000_000
"""Rows kept in memory before the spool moves to disk (a few hundred MB of applicant rows)."""

CSV_DATE_FORMAT = "%Y-%m-%d"
"""How dates are written in the output tables."""

PARALLEL_CSV_ROWS = 200_000
"""Fewer rows than this are formatted in the calling process: forking would cost more."""


class ApplicantSpool:
    """Applicant rows of a run, added one replication at a time, in replication order.

    Args:
        budget_rows: rows held in memory before everything moves to disk (default
            :data:`DEFAULT_BUDGET_ROWS`).
        directory: where the file goes (default: the system's temporary directory,
            ``TMPDIR``); it is deleted with the spool.
    """

    def __init__(
        self, budget_rows: int | None = None, directory: str | Path | None = None
    ) -> None:
        self.budget_rows = DEFAULT_BUDGET_ROWS if budget_rows is None else budget_rows
        self.directory = directory
        self.rows = 0
        self._frames: list[pd.DataFrame] = []
        self._empty: pd.DataFrame | None = None  # columns and dtypes, to rebuild what is read
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._path: Path | None = None
        self._sink: Any = None  # the open file and Arrow writer while rows are being added
        self._writer: Any = None
        self._schema: Any = None  # the Arrow schema of the first replication, kept for all
        self._sealed = False

    @property
    def on_disk(self) -> bool:
        """Whether the rows have moved to disk."""
        return self._path is not None

    def add(self, frame: pd.DataFrame) -> None:
        """Append one replication's rows."""
        if self._sealed:
            raise RuntimeError("rows were added after the spool was read back")
        if self._empty is None:
            self._empty = frame.iloc[:0].copy()
        self.rows += len(frame)
        if self._path is not None:
            self._write(frame)
            return
        self._frames.append(frame)
        if self.rows > self.budget_rows:
            self._move_to_disk()

    def frame(self) -> pd.DataFrame:
        """Every row as one DataFrame (all in memory: for a huge run, prefer :meth:`chunks`)."""
        chunks = list(self.chunks())
        if not chunks:
            return pd.DataFrame() if self._empty is None else self._empty.copy()
        return pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]

    def chunks(self) -> Iterator[pd.DataFrame]:
        """The rows about one replication at a time, in the order added."""
        if self._path is None:
            yield from self._frames
            return
        path, dtypes = self._finish()
        for index in range(_batch_count(path)):
            yield _read_batch(path, dtypes, index)

    def write_csv(self, path: str | Path, workers: int = 1) -> None:
        """Write ``applicants.csv``: the same bytes as one ``to_csv`` of :meth:`frame`.

        The rows are formatted chunk by chunk, in ``workers`` forked processes if more than
        one and the rows are many (the processes inherit the spool rather than receive a copy).
        """
        if self._path is not None:
            self._finish()
        count = len(self._frames) if self._path is None else _batch_count(self._path)
        with open(path, "w", encoding="utf-8", newline="") as file:
            if self._empty is not None:
                file.write(self._empty.to_csv(index=False))  # the header line
            if workers <= 1 or count <= 1 or self.rows < PARALLEL_CSV_ROWS or not _can_fork():
                for index in range(count):
                    file.write(_csv_text(self._chunk(index)))
                return
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                     initializer=_adopt, initargs=(self,)) as pool:
                for text in pool.map(_format_chunk, range(count)):
                    file.write(text)

    def _chunk(self, index: int) -> pd.DataFrame:
        if self._path is None:
            return self._frames[index]
        path, dtypes = self._finish()
        return _read_batch(path, dtypes, index)

    def _move_to_disk(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="gridqueue-applicants-",
                                                   dir=self.directory)
        self._path = Path(self._folder.name) / "applicants.arrow"
        held, self._frames = self._frames, []
        for frame in held:
            self._write(frame)

    def _write(self, frame: pd.DataFrame) -> None:
        import pyarrow as pa

        # One thread: for a replication's few thousand rows, Arrow's thread pool costs more
        # than it saves, and this runs in the main process while workers simulate.
        table = pa.Table.from_pandas(frame, schema=self._schema, preserve_index=False,
                                     nthreads=1)
        if self._writer is None:
            self._schema = table.schema
            self._sink = pa.OSFile(str(self._path), "wb")
            options = pa.ipc.IpcWriteOptions(compression="lz4", use_threads=False)
            self._writer = pa.ipc.new_file(self._sink, table.schema, options=options)
        self._writer.write_table(table)

    def _finish(self) -> tuple[Path, dict[str, Any]]:
        """Close the file for reading (no rows may follow); its path and the rows' dtypes."""
        self._sealed = True
        if self._writer is not None:
            self._writer.close()
            self._sink.close()
            self._writer = self._sink = None
        assert self._path is not None and self._empty is not None
        return self._path, self._empty.dtypes.to_dict()


def _batch_count(path: Path) -> int:
    import pyarrow as pa

    with pa.memory_map(str(path)) as source:
        return pa.ipc.open_file(source).num_record_batches


def _read_batch(path: Path, dtypes: dict[str, Any], index: int) -> pd.DataFrame:
    """Record batch ``index`` as a DataFrame with the dtypes its rows were added with.

    Arrow's pandas metadata restores the dtypes; any column that still differs is cast back.
    """
    import pyarrow as pa

    with pa.memory_map(str(path)) as source:
        batch = pa.ipc.open_file(source).get_batch(index)
    frame = batch.to_pandas(use_threads=False)
    differing = {name: dtype for name, dtype in dtypes.items() if frame[name].dtype != dtype}
    return frame.astype(differing) if differing else frame


_ADOPTED: ApplicantSpool | None = None
"""The spool a CSV-formatting worker process inherited (set in the worker only)."""


def _adopt(spool: ApplicantSpool) -> None:
    global _ADOPTED
    _ADOPTED = spool


def _format_chunk(index: int) -> str:
    """Chunk ``index`` of the inherited spool as CSV text without the header (in a worker)."""
    assert _ADOPTED is not None
    return _csv_text(_ADOPTED._chunk(index))


def _can_fork() -> bool:
    return sys.platform != "win32" and "fork" in multiprocessing.get_all_start_methods()


def _csv_text(chunk: pd.DataFrame) -> str:
    return chunk.to_csv(header=False, index=False, date_format=CSV_DATE_FORMAT)
