"""Re-running a results directory and checking that every table comes out the same.

``gridqueue reproduce DIR`` reads the resolved ``scenario.yaml`` (with the ``waiting_list.csv``
and the code of its ``module:Class`` policies copied beside it) and ``run.json`` of a results
directory, runs the replications run.json names with the seed it names into a temporary
directory, and compares the tables byte for byte. Every input it relies on is checked against
the hashes run.json recorded (the files, the policy code, and the seed and replications in
run.json itself), so an edit after the run is reported even when the tables still agree.
Version changes since the run (the package, Python, the dependencies) are listed too, as the
likely reason when something differs.
"""

from __future__ import annotations

import csv
import hashlib
import json
import platform
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim._version import __version__
from sim.errors import InputError, listed
from sim.inputs.files import read_limited, resolved
from sim.inputs.loading import load_resolved
from sim.inputs.scenario import Scenario
from sim.runs.policy_code import code_hashes
from sim.runs.result_files import MAX_RUN_JSON_BYTES, is_whole, run_replications
from sim.runs.results import (
    AREA_TABLES,
    TABLES,
    definition_hash,
    dependency_versions,
    written_by_another_command,
)
from sim.runs.runner import run
from sim.runs.staging import files_changed, temporary_directory

__all__ = [
    "Reproduction", "compare_files", "input_changes", "read_run_info", "reproduce",
    "version_changes",
]

SHOWN_CHARS = 80
"""Longest part of a differing line shown in a report."""


@dataclass(frozen=True)
class Reproduction:
    """What re-running a results directory found."""

    directory: Path
    replications: int
    seed: int
    tables: dict[str, str | None]
    """Each table file: None if identical, else where it first differs."""
    changes: list[str]
    """Inputs that differ from what run.json recorded, one line each."""
    versions: list[str]
    """Versions that changed since the run, e.g. ``numpy 2.4.6 then, 2.5.0 now``."""
    not_checked: list[str] = field(default_factory=list)
    """Tables the run's gridqueue did not yet write, so there is nothing to check them with."""
    edited: list[str] = field(default_factory=list)
    """Tables changed since gridqueue wrote them (their SHA-256 differs from its record)."""

    @property
    def inputs_changed(self) -> bool:
        """Whether any recorded input differs from what the run used."""
        return bool(self.changes)

    @property
    def identical(self) -> bool:
        """True when every table is identical and the inputs are as the run wrote them."""
        return not self.inputs_changed and all(d is None for d in self.tables.values())

    def report(self) -> str:
        """The findings as lines for the terminal."""
        count = self.replications
        lines = [f"{self.directory}: re-ran {count} replication{'' if count == 1 else 's'} "
                 f"(seed {self.seed})"]
        lines += [f"  {change}" for change in self.changes]
        for name, difference in self.tables.items():
            mark = " (the stored file was changed since gridqueue wrote it)" \
                if name in self.edited else ""
            lines.append(f"  {name}: {difference or 'identical'}{mark}")
        if self.not_checked:
            lines.append(f"  {listed(self.not_checked)}: not in the results directory, as in one "
                         "written before gridqueue kept figures by area; not checked")
        lines += [f"  version changed: {change}" for change in self.versions]
        differing = sum(d is not None for d in self.tables.values())
        verdict = "reproduced" if self.identical else "not reproduced"
        tables = (f"{differing} of {len(self.tables)} tables differ" if differing
                  else f"all {len(self.tables)} tables identical")
        changed = "the inputs changed since the run; " if self.inputs_changed else ""
        if self.edited:  # an edit of the stored table, not the re-run, explains these
            changed += f"{listed(self.edited)} edited since the run; "
        lines.append(f"{verdict}: {changed}{tables}")
        return "\n".join(lines)


def reproduce(directory: str | Path, workers: int | None = None,
              progress: bool = False) -> Reproduction:
    """Re-run the results in ``directory`` and compare every table with the one stored there.

    Every table: the five of every run; where the scenario states published observations,
    ``observations.csv``, whose verdicts a planner quotes; and ``areas.csv`` and
    ``area_metrics.csv`` for a grid of several areas, unless the directory holds neither (it
    was written before they were: they are then listed as not checked, and one of the two
    alone is missing).

    The re-run uses the seed and replications recorded in run.json; when they disagree with
    ``scenario.yaml``, or any recorded hash disagrees with the files, the reproduction fails.
    """
    folder = Path(directory)
    info = read_run_info(folder)
    written = load_resolved(folder / "scenario.yaml")
    subset = info["replications"] if isinstance(info["replications"], list) else None
    recorded = {"seed": info.get("seed", written.seed),
                "replications": written.replications if subset else info["replications"]}
    scenario = load_resolved(folder / "scenario.yaml", recorded)
    results = run(scenario, workers=workers, progress=progress, replications=subset)
    with temporary_directory("gridqueue-reproduce-") as temporary:
        rerun = results.write(Path(temporary) / "rerun")
        areas = list(AREA_TABLES) if len(scenario.area_names) > 1 else []
        has_areas = any((folder / f"{name}.csv").exists() for name in areas)
        older = [] if has_areas else [f"{name}.csv" for name in areas]  # written before them
        names = [*TABLES, *(["observations"] if scenario.observations else []),
                 *(areas if has_areas else [])]
        tables = {f"{name}.csv": compare_files(folder / f"{name}.csv", rerun / f"{name}.csv")
                  for name in names}
    return Reproduction(
        directory=folder,
        replications=len(subset) if subset is not None else scenario.replications,
        seed=scenario.seed,
        tables=tables,
        changes=input_changes(folder, info, written, scenario, subset),
        versions=version_changes(info),
        not_checked=older,
        edited=[name for name in files_changed(folder) if name in tables],
    )


def input_changes(folder: Path, info: dict[str, Any], written: Scenario, scenario: Scenario,
                  subset: list[int] | None) -> list[str]:
    """What differs between the run's recorded inputs and those found now, one line each.

    ``written`` is scenario.yaml as it stands; ``scenario`` the same with run.json's seed and
    replications, as it was re-run.
    """
    changes = []
    if info.get("scenario_sha256") not in (None, _inputs_hash(folder, written)):
        changes.append("scenario.yaml or waiting_list.csv: changed since the run (their "
                       "SHA-256 differs from run.json)")
    for key in ("seed", "replications"):
        if getattr(scenario, key) != getattr(written, key):
            changes.append(f"run.json: {key} {getattr(scenario, key)}, but scenario.yaml has "
                           f"{getattr(written, key)}")
    recorded_code = info.get("policy_code") or {}
    code_now = code_hashes(scenario)
    for module in sorted(set(recorded_code) | set(code_now)):
        if recorded_code.get(module) != code_now.get(module):
            changes.append(f"policy module {module}: its code differs from the run's (SHA-256 "
                           "in run.json)")
    recorded_inputs = info.get("inputs_sha256")
    if not changes and recorded_inputs not in (None, definition_hash(scenario, subset)):
        changes.append("run.json: inputs_sha256 differs from the inputs found now (seed, "
                       "replications, scenario, waiting list or policy code)")
    return changes


def read_run_info(folder: Path) -> dict[str, Any]:
    """The provenance of a results directory, checked for what a re-run needs."""
    path = folder / "run.json"
    resolved(folder)  # a loop of links is said to be one, not a folder of another kind
    if not folder.is_dir():
        raise InputError(folder, "", "expected a results directory written by gridqueue run")
    if (why := written_by_another_command(folder)) is not None:
        raise InputError(folder, "", why)
    try:
        info = json.loads(read_limited(path, MAX_RUN_JSON_BYTES).decode("utf-8"))
    except FileNotFoundError:
        raise InputError(path, "", "expected a results directory with run.json (written by "
                         "gridqueue run); it was not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(path, "", f"expected readable JSON ({exc})") from None
    except ValueError:  # a whole number longer than Python reads: not a JSON syntax error
        raise InputError(path, "", "expected readable JSON (a whole number of more than "
                         f"{sys.get_int_max_str_digits()} digits)") from None
    if not isinstance(info, dict):
        raise InputError(path, "", "expected a JSON object")
    run_replications(info, path)  # a count, or the indices of a subset
    seed = info.get("seed")
    if seed is not None and not (is_whole(seed) and seed < 2**63):
        raise InputError(path, "seed", f"expected a whole number from 0 to 2**63 - 1, got "
                         f"{seed!r}")
    code = info.get("policy_code")
    if code is not None and not (isinstance(code, dict)
                                 and all(isinstance(v, str) for v in code.values())):
        raise InputError(path, "policy_code", "expected a mapping of module names to SHA-256 "
                         f"hashes, got {code!r}")
    return info


def compare_files(stored: Path, rerun: Path) -> str | None:
    """None if the two files are identical, else where the stored one first differs."""
    if not stored.is_file():
        return "missing from the results directory"
    old, new = stored.read_bytes(), rerun.read_bytes()
    if old == new:
        return None
    old_lines = old.decode("utf-8", errors="replace").splitlines()
    new_lines = new.decode("utf-8", errors="replace").splitlines()
    header = next(csv.reader(old_lines[:1]), [])
    for number, (then, now) in enumerate(zip(old_lines, new_lines, strict=False), start=1):
        if then != now:
            return f"differs from line {number}{_first_field(header, then, now)}{_not_text(old)}"
    return f"{len(old_lines)} lines then, {len(new_lines)} lines now"


def _not_text(stored: bytes) -> str:
    """A note where the stored file is not UTF-8, whose bytes the message shows as U+FFFD."""
    try:
        stored.decode("utf-8")
    except UnicodeDecodeError as exc:
        return (f" (the stored file is not UTF-8 from byte {exc.start}: such bytes are shown "
                "as \N{REPLACEMENT CHARACTER})")
    return ""


def version_changes(info: dict[str, Any]) -> list[str]:
    """The versions recorded in run.json that differ from those installed now."""
    then = {"gridqueue": info.get("gridqueue_version"), "python": info.get("python")}
    dependencies = info.get("dependencies")
    then.update(dependencies if isinstance(dependencies, dict) else {})
    now = {"gridqueue": __version__, "python": platform.python_version(),
           **dependency_versions()}
    return [f"{name} {version} then, {now.get(name, 'not installed')} now"
            for name, version in then.items() if version is not None and version != now.get(name)]


def _inputs_hash(folder: Path, scenario: Scenario) -> str:
    """SHA-256 of scenario.yaml and the waiting list beside it, as run.json records it."""
    digest = hashlib.sha256((folder / "scenario.yaml").read_bytes())
    if scenario.waiting_list is not None and scenario.waiting_list.csv is not None:
        digest.update((folder / scenario.waiting_list.csv).read_bytes())
    return digest.hexdigest()


def _first_field(header: list[str], then: str, now: str) -> str:
    """Where two CSV lines first differ: the column and both values."""
    old, new = next(csv.reader([then])), next(csv.reader([now]))
    for index, (a, b) in enumerate(zip(old, new, strict=False)):
        if a != b:
            column = header[index] if index < len(header) else f"field {index + 1}"
            return f", column {column}: {_shown(a)} then, {_shown(b)} now"
    return f": {_shown(then)} then, {_shown(now)} now"


def _shown(text: str) -> str:
    return repr(text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "...")
