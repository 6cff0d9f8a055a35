"""The applicants table of a run, gathered replication by replication within a memory budget.

A run of a few replications keeps its applicant rows in memory. Thousands of replications
would not fit: once the rows pass a budget, the spool moves them to a file in a temporary
directory (one compressed Arrow IPC stream per replication, one after the other) and writes
every later replication there too, so memory holds about one replication's rows at a time
however long the run. Reading the whole table back (:meth:`ApplicantSpool.frame`) is then the
caller's choice; :meth:`ApplicantSpool.write_csv` streams it into ``applicants.csv`` batch by
batch, straight from the stored Arrow batches (:mod:`sim.runs.csv_writer`), formatting them in
several processes when asked to.

Worker processes hand their rows over already encoded (:func:`encode_rows`): a single bytes
object crosses between processes far more cheaply than a DataFrame of text columns, and the
main process, which shares the cores with the workers, only stores the bytes as they are.
Arrow IPC rather than Parquet: encoding a replication's rows takes a tenth of the time.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.runs.csv_writer import csv_header, csv_lines
from sim.runs.staging import temporary_directory
from sim.runs.workers import can_fork, forked_map

__all__ = [
    "DEFAULT_BUDGET_ROWS", "ApplicantSpool", "EncodedRows", "decode_rows", "encode_rows",
]

DEFAULT_BUDGET_ROWS = 1_000_000
"""Rows kept in memory before the spool moves to disk (a few hundred MB as DataFrames, about
a fifth of that as rows encoded by workers)."""

PARALLEL_CSV_ROWS = 200_000
"""Fewer rows than this are formatted in the calling process: forking would cost more."""

PARALLEL_CHUNKS = 16
"""Chunks a formatting process is handed at a time (one chunk is one replication's rows)."""


@dataclass(frozen=True)
class EncodedRows:
    """One replication's applicant rows as a compressed Arrow IPC stream."""

    data: bytes
    rows: int


def encode_rows(frame: pd.DataFrame) -> EncodedRows:
    """Encode applicant rows for another process or for the spool's file."""
    import pyarrow as pa

    # One record batch, even of no rows: it carries each categorical column's categories,
    # which a table of no rows would lose.
    batch = _record_batch(frame)
    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression="lz4", use_threads=False)
    with pa.ipc.new_stream(sink, batch.schema, options=options) as writer:
        writer.write_batch(batch)
    return EncodedRows(sink.getvalue().to_pybytes(), len(frame))


def _record_batch(frame: pd.DataFrame) -> Any:
    """The rows as an Arrow record batch with pandas' metadata, as ``from_pandas`` makes it.

    Speed: ``from_pandas`` spends twice as long working out the schema and its pandas metadata
    as converting the columns, so the schema is worked out once per process for each set of
    columns and dtypes, and later frames only have their columns converted (not for a column
    of Python objects, whose Arrow type depends on its values). One thread: for a
    replication's few thousand rows, Arrow's thread pool costs more than it saves.
    """
    import pyarrow as pa

    key = tuple(zip(frame.columns, frame.dtypes, strict=True))
    schema = _SCHEMAS.get(key)
    if schema is None:
        batch = pa.RecordBatch.from_pandas(frame, preserve_index=False, nthreads=1)
        if not any(dtype == np.dtype(object) for _, dtype in key):  # type depends on values
            _SCHEMAS[key] = batch.schema
        return batch
    arrays = [pa.array(frame[field.name], type=field.type, from_pandas=True) for field in schema]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


_SCHEMAS: dict[tuple[tuple[Any, Any], ...], Any] = {}
"""Arrow schemas by the columns and dtypes of the frames they were made for."""


def decode_rows(data: Any, empty: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows encoded by :func:`encode_rows` (bytes, an Arrow buffer, a record batch or table).

    Arrow's pandas metadata restores the dtypes; any column that still differs from
    ``empty``'s, if given, is cast back.
    """
    import pyarrow as pa

    batch = data if isinstance(data, (pa.RecordBatch, pa.Table)) \
        else pa.ipc.open_stream(data).read_all()
    frame: pd.DataFrame = batch.to_pandas(use_threads=False)
    if empty is None:
        return frame
    dtypes = empty.dtypes.to_dict()
    differing = {name: dtype for name, dtype in dtypes.items() if frame[name].dtype != dtype}
    return frame.astype(differing) if differing else frame


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
        self._held: list[pd.DataFrame | EncodedRows] = []  # while in memory
        self._empty: pd.DataFrame | None = None  # columns and dtypes, to rebuild what is read
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._path: Path | None = None
        self._extents: list[tuple[int, int]] = []  # (offset, length) of each chunk on disk
        self._sealed = False

    @property
    def on_disk(self) -> bool:
        """Whether the rows have moved to disk."""
        return self._path is not None

    def add(self, rows: pd.DataFrame | EncodedRows) -> None:
        """Append one replication's rows, as a DataFrame or as encoded by a worker."""
        if self._sealed:
            raise RuntimeError("rows were added after the spool was read back")
        if self._empty is None:  # the first rows give the columns and dtypes of all
            first = decode_rows(rows.data) if isinstance(rows, EncodedRows) else rows
            self._empty = first.iloc[:0].copy()
        self.rows += rows.rows if isinstance(rows, EncodedRows) else len(rows)
        if self._path is not None:
            self._write(rows)
            return
        self._held.append(rows)
        if self.rows > self.budget_rows:
            self._move_to_disk()

    def frame(self) -> pd.DataFrame:
        """Every row as one DataFrame (all in memory: for a huge run, prefer :meth:`chunks`).

        Speed: rows stored as Arrow are joined into one table and converted once. Converted
        one replication at a time they took 15 times as long (0.16 s for the 30 of a
        Flevoland scenario, which every comparison reads back).
        """
        import pyarrow as pa

        stored = [self._stored(index) for index in range(self._seal())]
        if not stored:
            return pd.DataFrame() if self._empty is None else self._empty.copy()
        if not any(isinstance(rows, pd.DataFrame) for rows in stored):
            tables = [pa.Table.from_batches([batch]) for batch in stored]
            if all(table.schema.equals(tables[0].schema) for table in tables):
                return decode_rows(pa.concat_tables(tables), self._empty)
        chunks = [rows if isinstance(rows, pd.DataFrame) else decode_rows(rows, self._empty)
                  for rows in stored]  # as _chunk does, without reading them again
        return pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]

    def chunks(self) -> Iterator[pd.DataFrame]:
        """The rows one replication at a time, in the order added."""
        for index in range(self._seal()):
            yield self._chunk(index)

    def write_csv(self, path: str | Path, workers: int = 1) -> None:
        """Write ``applicants.csv``: the same bytes as one ``to_csv`` of :meth:`frame`.

        The rows are formatted chunk by chunk from the stored Arrow batches, without a detour
        through pandas, in ``workers`` forked processes if more than one and the rows are many
        (the processes inherit the spool rather than receive a copy).
        """
        count = self._seal()
        with open(path, "wb") as file:
            if self._empty is not None:
                file.write(csv_header(list(self._empty.columns)))
            if workers <= 1 or count <= 1 or self.rows < PARALLEL_CSV_ROWS or not can_fork():
                for index in range(count):
                    for lines in csv_lines(self._stored(index)):
                        file.write(lines)
                return
            with forked_map(_format_chunk, range(count), workers, _adopt, self,
                            chunksize=PARALLEL_CHUNKS) as texts:
                for text in texts:
                    file.write(text)

    def _chunk(self, index: int) -> pd.DataFrame:
        stored = self._stored(index)
        if isinstance(stored, pd.DataFrame):
            return stored
        assert self._empty is not None
        return decode_rows(stored, self._empty)

    def _stored(self, index: int) -> Any:
        """Chunk ``index`` as it was added: a DataFrame, or an Arrow record batch."""
        import pyarrow as pa

        if self._path is None:
            held = self._held[index]
            if isinstance(held, pd.DataFrame):
                return held
            data: Any = held.data
        else:
            offset, length = self._extents[index]
            with pa.memory_map(str(self._path)) as source:
                data = source.read_at(length, offset)
        return pa.ipc.open_stream(data).read_next_batch()

    def _move_to_disk(self) -> None:
        self._folder = temporary_directory("gridqueue-applicants-", self.directory)
        self._path = Path(self._folder.name) / "applicants.arrows"
        self._path.touch()
        held, self._held = self._held, []
        for rows in held:
            self._write(rows)

    def _write(self, rows: pd.DataFrame | EncodedRows) -> None:
        encoded = rows if isinstance(rows, EncodedRows) else encode_rows(rows)
        assert self._path is not None
        with open(self._path, "ab") as file:  # opened per write: nothing is left open
            self._extents.append((file.tell(), len(encoded.data)))
            file.write(encoded.data)

    def _seal(self) -> int:
        """Stop adding (no rows may follow); how many chunks there are."""
        self._sealed = True
        return len(self._held) if self._path is None else len(self._extents)


_ADOPTED: ApplicantSpool | None = None
"""The spool a CSV-formatting worker process inherited (set in the worker only)."""


def _adopt(spool: ApplicantSpool) -> None:
    global _ADOPTED
    _ADOPTED = spool


def _format_chunk(index: int) -> bytes:
    """Chunk ``index`` of the inherited spool as CSV lines without the header (in a worker)."""
    assert _ADOPTED is not None
    return b"".join(csv_lines(_ADOPTED._stored(index)))

