"""Reading a written comparison back: its table, its questions and each scenario's results.

What :meth:`sim.analysis.comparison.Comparison.read` rebuilds from the files
:meth:`~sim.analysis.comparison.Comparison.write` leaves: ``comparison.csv`` (the table),
``comparison.json`` (the questions, cautions and scenarios) and each scenario's results,
under ``runs/`` or in the results folder it was read from. A folder that is not a
comparison's, or is damaged, is refused with one message naming the folder or file and what
is missing, as :meth:`sim.runs.results.Results.read` refuses a run's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.differences import COMPARISON_COLUMNS, Question
from sim.analysis.output_files import read_provenance, refuse_other_outputs
from sim.errors import InputError
from sim.inputs.files import resolved
from sim.runs.result_files import check_table, check_values
from sim.runs.results import Results, scenario_hash

__all__ = ["ComparisonFiles", "read_comparison_files", "results_dir"]

TEXT_COLUMNS = ("scenario", "reference", "question", "population", "origin", "group", "metric",
                "unit", "estimator", "ci_method")
"""Columns of ``comparison.csv`` holding text: "" where empty, as :func:`compare` makes them."""
NUMBER_COLUMNS = ("estimate", "ci_low", "ci_high", "mean", "replications", "difference",
                  "difference_ci_low", "difference_ci_high", "reference_mean")
"""Columns of ``comparison.csv`` holding numbers (an empty field is a missing one)."""
PAIRED = {"True": True, "False": False, "": pd.NA}
"""What the ``paired`` column holds: empty in the rows of a scenario compared with nothing."""


@dataclass(frozen=True)
class ComparisonFiles:
    """What a comparison folder holds, as :class:`~sim.analysis.comparison.Comparison` takes it."""

    results: dict[str, Results]
    sources: dict[str, str]
    results_dirs: dict[str, Path]
    questions: list[Question]
    table: pd.DataFrame
    ran: list[str]
    cautions: list[str]


def results_dir(folder: Path, found: Path) -> str:
    """Where a scenario read from a results folder lies, relative to the comparison's folder.

    Relative, as ``run.json`` records the scenario files: a comparison moved together with
    the runs it read still finds them. A path on another drive stays absolute.
    """
    try:
        return os.path.relpath(found.resolve(), folder.resolve())
    except ValueError:  # Windows: another drive
        return str(found.resolve())


def read_comparison_files(folder: Path) -> ComparisonFiles:
    """Every part of the comparison written into ``folder``, checked; one message if not."""
    resolved(folder)  # a loop of links is said to be one, not a folder without its files
    refuse_other_outputs(folder, "comparison.json", "compare")
    info = read_provenance(folder / "comparison.json", "compare")
    scenarios = _entries(info, "scenarios", folder)
    questions = [_question(entry, index, folder)
                 for index, entry in enumerate(_entries(info, "questions", folder))]
    cautions = info.get("cautions")
    if not (isinstance(cautions, list) and all(isinstance(text, str) for text in cautions)):
        raise _missing(folder, "cautions", "a list of the cautions beside the answers")
    labels = [_text(entry, index, "label", folder) for index, entry in enumerate(scenarios)]
    _check_labels(questions, labels, folder)
    table = read_table(folder / "comparison.csv")  # before the runs: it is quicker to read
    paths = {label: _results_path(folder, entry, index, label)
             for index, (label, entry) in enumerate(zip(labels, scenarios, strict=True))}
    results = {label: _scenario_results(folder, entry, index, label, paths[label])
               for index, (label, entry) in enumerate(zip(labels, scenarios, strict=True))}
    sources = {label: _text(entry, index, "source", folder)
               for index, (label, entry) in enumerate(zip(labels, scenarios, strict=True))}
    # A folder written before "ran" was recorded kept under runs/ only those run there.
    ran = [label for label, entry in zip(labels, scenarios, strict=True)
           if entry.get("ran", entry.get("run_dir") is not None)]
    results_dirs = {label: paths[label].resolve()
                    for label, entry in zip(labels, scenarios, strict=True)
                    if not entry.get("run_dir")}
    return ComparisonFiles(results=results, sources=sources, results_dirs=results_dirs,
                           questions=questions, table=table, ran=ran, cautions=list(cautions))


def _missing(folder: Path, key: str, expected: str) -> InputError:
    """The error of a key comparison.json lacks or holds otherwise: damaged, or written earlier."""
    return InputError(folder / "comparison.json", key, f"expected {expected}; not found or "
                      "not readable (the file is damaged, or was written by an earlier "
                      "gridqueue: compare its inputs again)")


def _entries(info: dict[str, Any], key: str, folder: Path) -> list[dict[str, Any]]:
    """The list of objects comparison.json holds at ``key`` (its scenarios, its questions)."""
    entries = info.get(key)
    if not (isinstance(entries, list) and entries
            and all(isinstance(entry, dict) for entry in entries)):
        raise _missing(folder, key, f"a list of the comparison's {key}")
    return entries


def _text(entry: dict[str, Any], index: int, key: str, folder: Path,
          where: str = "scenarios") -> str:
    """The text of one key of an entry of comparison.json's ``where``."""
    value = entry.get(key)
    if not isinstance(value, str):
        raise _missing(folder, f"{where}.{index}.{key}", "text")
    return value


def _question(entry: dict[str, Any], index: int, folder: Path) -> Question:
    """One question of comparison.json."""
    paired = entry.get("paired")
    if not isinstance(paired, bool):
        raise _missing(folder, f"questions.{index}.paired", "true or false")
    question, reference, variant = (_text(entry, index, key, folder, "questions")
                                    for key in ("question", "reference", "variant"))
    return Question(question, reference, variant, paired)


def _check_labels(questions: list[Question], labels: list[str], folder: Path) -> None:
    """Refuse a question naming a scenario the folder does not list: the file was changed."""
    for index, question in enumerate(questions):
        for key in ("reference", "variant"):
            if getattr(question, key) not in labels:
                raise InputError(folder / "comparison.json", f"questions.{index}.{key}",
                                 f"expected one of the scenarios ({', '.join(labels)}), got "
                                 f"{getattr(question, key)!r}; the file was changed")


def _results_path(folder: Path, entry: dict[str, Any], index: int, label: str) -> Path:
    """Where one scenario's results lie: under ``runs/``, else the results folder it was read from.

    ``results_dir`` is relative to the comparison's folder; a comparison written before it
    was recorded is read from its ``source``, relative to the working folder, as given then.
    """
    key = f"scenarios.{index}"
    where = next((name for name in ("run_dir", "results_dir") if entry.get(name)), None)
    if where is not None:
        path = Path(os.path.normpath(folder / _text(entry, index, where, folder)))
    elif (source := _text(entry, index, "source", folder)) == "python":
        raise InputError(folder / "comparison.json", f"{key}.run_dir", f"expected the "
                         f"results of {label}, a Results object given in Python, under runs/; "
                         "an earlier gridqueue did not keep them: compare again")
    else:  # written before results_dir was recorded: the source, as it was given
        path, where = Path(source), "source"
    if not path.is_dir():
        raise InputError(folder / "comparison.json", f"{key}.{where}", f"expected the "
                         f"results folder of {label}, {path}; not found (moved or deleted?), "
                         "and the comparison's figures and answers need its tables: put it "
                         "back, or compare the inputs again")
    return path


def _scenario_results(folder: Path, entry: dict[str, Any], index: int, label: str,
                      path: Path) -> Results:
    """One scenario's results, read from ``path``: what the comparison counted, or refused."""
    key = f"scenarios.{index}"
    results = Results.read(path)
    expected = entry.get("scenario_sha256")
    if expected != scenario_hash(results.scenario):
        raise InputError(folder / "comparison.json", f"{key}.scenario_sha256", f"expected "
                         f"the scenario {label} had when compared; {path} now holds another "
                         "(run again since?): compare the inputs again")
    held = sorted(int(r) for r in results.replication_metrics["replication"].unique())
    if entry.get("replications") != held:
        raise InputError(folder / "comparison.json", f"{key}.replications", f"expected the "
                         f"replications of {label} the comparison counted; {path} now holds "
                         "others (run again since?): compare the inputs again")
    return results


def read_table(path: Path) -> pd.DataFrame:
    """``comparison.csv`` with the dtypes :func:`~sim.analysis.comparison.compare` gives it."""
    if not path.is_file():
        raise InputError(path, "", "not found; a comparison folder holds every file gridqueue "
                         "compare writes (copy the whole folder)")
    check_table(path, COMPARISON_COLUMNS)
    try:
        table = pd.read_csv(path, dtype={**dict.fromkeys(TEXT_COLUMNS, str), "paired": str},
                            keep_default_na=False,
                            na_values=dict.fromkeys(NUMBER_COLUMNS, [""]))
    except (UnicodeDecodeError, pd.errors.ParserError):
        raise InputError(path, "", "expected a table as gridqueue compare writes it; it is "
                         "damaged") from None
    check_values(path, table, "comparison", numbers=NUMBER_COLUMNS)
    paired = table["paired"].map(PAIRED)
    if paired.isna().sum() != (table["paired"] == "").sum():
        bad = table["paired"][~table["paired"].isin(list(PAIRED))].iloc[0]
        raise InputError(path, "paired", f"expected True, False or nothing, got {bad!r}; the "
                         "table was changed or is damaged")
    table["paired"] = paired.astype("boolean")
    table["replications"] = table["replications"].astype("int64")
    return table[list(COMPARISON_COLUMNS)]
