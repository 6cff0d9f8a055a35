"""Comparing scenarios: run or read each one, difference them against the first, write it all.

The Python API behind ``gridqueue compare``::

    from sim import compare
    comparison = compare(["fifo.yaml", "social_priority.yaml", "results/onsite"])
    comparison.table                      # every key figure, and differences from the first
    fig = comparison.time_to_connection_figure()
    comparison.write("results/comparison")
"""

from __future__ import annotations

import datetime
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from sim._version import __version__
from sim.analysis.differences import comparison_table, draws_key
from sim.analysis.narrative import sentences
from sim.errors import GridqueueError
from sim.figures import plots
from sim.inputs.loading import load_scenario
from sim.inputs.override_targets import overrides_for
from sim.inputs.scenario import Scenario
from sim.report.html import render_report
from sim.runs.results import Results, scenario_hash
from sim.runs.runner import run
from sim.runs.staging import staged_directory

__all__ = ["FIGURES", "Comparison", "compare"]

FIGURES = ("queue", "time_to_connection", "wait", "connected", "withdrawals", "differences",
           "projects")
"""The figures of a comparison, by file name; ``projects`` only when a scenario names one."""

Input = str | Path | Scenario | Results
"""What can be compared: a scenario file, a results directory, a Scenario or a Results."""


@dataclass
class Comparison:
    """Scenarios side by side; the first is the reference every other is compared with.

    Attributes:
        results: each scenario's results, by unique label (the scenario name, numbered when
            two share a name), reference first.
        sources: where each came from: a scenario file, a results directory, or ``python``.
        paired: for each label but the reference, whether its differences are paired.
        table: the comparison table (columns :data:`sim.analysis.differences.COMPARISON_COLUMNS`).
        ran: labels of the scenarios that were run here (not read from a directory).
    """

    results: dict[str, Results]
    sources: dict[str, str]
    paired: dict[str, bool]
    table: pd.DataFrame
    ran: list[str] = field(default_factory=list)

    @property
    def reference(self) -> str:
        """Label of the reference scenario (the first)."""
        return next(iter(self.results))

    @property
    def differences(self) -> pd.DataFrame:
        """The rows of :attr:`table` that compare a scenario with the reference."""
        return self.table[self.table["scenario"] != self.reference].reset_index(drop=True)

    def _tables(self, name: str) -> dict[str, pd.DataFrame]:
        return {label: getattr(r, name) for label, r in self.results.items()}

    def queue_figure(self) -> Figure:
        """Queue length and queued MW over time per scenario (median, 90% band)."""
        return plots.queue_figure(self._tables("timeseries"))

    def time_to_connection_figure(self) -> Figure:
        """Cumulative share connected and withdrawn by years since request, per category."""
        starts = {label: r.scenario.start for label, r in self.results.items()}
        return plots.time_to_connection_figure(self._tables("applicants"), starts)

    def wait_figure(self) -> Figure:
        """Wait of connected applicants per category and scenario."""
        return plots.wait_figure(self._tables("applicants"))

    def connected_figure(self) -> Figure:
        """Cumulative MW and jobs connected over time per scenario."""
        return plots.connected_figure(self._tables("applicants"), self._tables("timeseries"))

    def withdrawals_figure(self) -> Figure:
        """Withdrawals and jobs lost per category and scenario."""
        return plots.withdrawals_figure(self._tables("summary"))

    def differences_figure(self) -> Figure:
        """Forest plot of the differences from the reference with 95% intervals."""
        return plots.differences_figure(self.table)

    def projects_figure(self) -> Figure | None:
        """When each named project gets connected; None when no scenario names a project."""
        applicants = self._tables("applicants")
        if not any((a["source"].astype(str) == "project").any() for a in applicants.values()):
            return None
        return plots.projects_figure(applicants)

    def figures(self) -> dict[str, Figure]:
        """Every figure that applies, by name (see :data:`FIGURES`)."""
        made = {name: getattr(self, f"{name}_figure")() for name in FIGURES}
        return {name: fig for name, fig in made.items() if fig is not None}

    def sentences(self) -> list[str]:
        """The main differences in plain words, with their intervals."""
        return sentences(self.table)

    def write(
        self, directory: str | Path, force: bool = False, command: Sequence[str] | None = None
    ) -> Path:
        """Write the comparison into ``directory``, atomically.

        It holds ``comparison.csv``, ``figures/`` (PNG and SVG), ``report.html``,
        ``comparison.json`` (provenance, with ``command`` if given) and, under ``runs/``, the
        results of the scenarios run here, so a later comparison can read them instead of
        running them again.
        """
        target = Path(directory)
        with staged_directory(target, force, what="comparison",
                              inputs=self.input_paths()) as staging:
            self.table.to_csv(staging / "comparison.csv", index=False)
            (staging / "figures").mkdir()
            images = {}
            for name, fig in self.figures().items():
                images[name] = _png(fig)
                (staging / "figures" / f"{name}.png").write_bytes(images[name])
                fig.savefig(staging / "figures" / f"{name}.svg")
            for label, name in self.run_dirs().items():
                self.results[label].write(staging / "runs" / name)
            (staging / "report.html").write_text(render_report(self, images), encoding="utf-8")
            provenance = {**self._provenance(), "command": None if command is None
                          else list(command)}
            (staging / "comparison.json").write_text(
                json.dumps(provenance, indent=2) + "\n", encoding="utf-8")
        return target

    def input_paths(self) -> list[Path]:
        """The files and results directories this comparison was computed from."""
        given = [Path(source) for source in self.sources.values() if source != "python"]
        return [*given, *(f for r in self.results.values() for f in r.scenario.input_files)]

    def run_dirs(self) -> dict[str, str]:
        """The directory under ``runs/`` of each scenario run here: its label, made safe."""
        names: dict[str, str] = {}
        for label in self.ran:
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", label).strip("._") or "scenario"
            while name in names.values():
                name += "_"
            names[label] = name
        return names

    def _provenance(self) -> dict[str, Any]:
        runs = self.run_dirs()
        return {
            "gridqueue_version": __version__,
            "created_utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "reference": self.reference,
            "scenarios": [
                {"label": label, "source": self.sources[label],
                 "run_dir": f"runs/{runs[label]}" if label in runs else None,
                 "scenario_sha256": scenario_hash(r.scenario), "seed": r.scenario.seed,
                 "replications": replication_indices(r),
                 "paired_with_reference": self.paired.get(label)}
                for label, r in self.results.items()
            ],
        }


def _png(fig: Figure) -> bytes:
    """The figure as PNG; its layout is then kept, so a second format needs no new layout."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150)
    fig.set_layout_engine("none")
    return buffer.getvalue()


def replication_indices(results: Results) -> list[int]:
    """The replication indices a run holds."""
    return sorted(int(r) for r in results.replication_metrics["replication"].unique())


def is_paired(reference: Results, other: Results) -> bool:
    """Whether ``other``'s differences from ``reference`` can be paired.

    Paired when both draw the same applicants and upgrade delays in replication *i* (see
    :func:`sim.analysis.differences.draws_key`) and they share at least two replications.
    """
    common = set(replication_indices(reference)) & set(replication_indices(other))
    return len(common) >= 2 and draws_key(reference.scenario) == draws_key(other.scenario)


def compare(
    inputs: Sequence[Input],
    overrides: Sequence[str] | Mapping[str, Any] | None = None,
    *,
    replications: int | None = None,
    workers: int | None = None,
    progress: bool = False,
    scheduler: str | None = None,
) -> Comparison:
    """Compare scenarios against the first: run those not yet run, read the others.

    Args:
        inputs: scenario files, results directories (from ``gridqueue run``), Scenario or
            Results objects; at least two. The first is the reference.
        overrides: ``key.path=value`` changes applied to every scenario file before it runs
            (results directories are used as they are); ``N:key.path=value`` or
            ``NAME:key.path=value`` changes only the N-th input or the file named NAME.
        replications: replications of each scenario that is run (default: the scenario's).
        workers: worker processes per run; results do not depend on it.
        progress: show a progress bar per run.
        scheduler: address of a Dask scheduler to run the replications on (default: local
            processes); results are identical.
    """
    if len(inputs) < 2:
        raise GridqueueError(f"compare needs at least two scenarios or results directories, "
                             f"got {len(inputs)}")
    if replications is not None and replications < 1:
        raise GridqueueError(f"--replications {replications}: expected at least 1")
    changes = overrides_for(inputs, _changes(overrides, replications))
    results: dict[str, Results] = {}
    sources: dict[str, str] = {}
    ran: list[str] = []
    gathered = [_read_or_load(item, mine, replications)
                for item, mine in zip(inputs, changes, strict=True)]
    for loaded, source in gathered:
        _check_replications(loaded, source)
    for loaded, source in gathered:
        if isinstance(loaded, Results):
            label = _unique(loaded.scenario.name, results)
            results[label] = loaded
        else:
            label = _unique(loaded.name, results)
            results[label] = run(loaded, workers=workers, progress=progress,
                                 scheduler=scheduler)
            ran.append(label)
        sources[label] = source
    reference = next(iter(results.values()))
    paired = {label: is_paired(reference, r) for label, r in list(results.items())[1:]}
    table = comparison_table({k: r.summary for k, r in results.items()},
                             {k: r.replication_metrics for k, r in results.items()}, paired)
    return Comparison(results=results, sources=sources, paired=paired, table=table, ran=ran)


def _changes(
    overrides: Sequence[str] | Mapping[str, Any] | None, replications: int | None
) -> dict[str, Any] | list[str]:
    extra = [] if replications is None else [f"replications={replications}"]
    if isinstance(overrides, Mapping):
        return {**overrides, **({"replications": replications} if extra else {})}
    return [*(overrides or []), *extra]


def _read_or_load(
    item: Input, changes: dict[str, Any] | list[str], replications: int | None
) -> tuple[Any, str]:
    """A Results (read or given) or a Scenario to run, and where it came from."""
    if isinstance(item, Scenario) and replications is not None:
        return item.model_copy(update={"replications": replications}), "python"
    if isinstance(item, (Results, Scenario)):
        return item, "python"
    path = Path(item)
    if path.is_dir():
        return Results.read(path), str(path)
    return load_scenario(path, changes), str(path)


MIN_REPLICATIONS = 2
"""Fewest replications of a compared scenario: one gives a mean but no interval."""


def _check_replications(loaded: Results | Scenario, source: str) -> None:
    """Refuse a scenario with too few replications for an interval, before anything runs."""
    count = (len(replication_indices(loaded)) if isinstance(loaded, Results)
             else loaded.replications)
    if count < MIN_REPLICATIONS:
        where = loaded.scenario.name if isinstance(loaded, Results) else loaded.name
        raise GridqueueError(
            f"{source if source != 'python' else where}: compare needs at least "
            f"{MIN_REPLICATIONS} replications of each scenario for a 95% interval, got "
            f"{count}; run it with --replications {MIN_REPLICATIONS} or more")


def _unique(name: str, taken: Mapping[str, Any]) -> str:
    label, number = name, 2
    while label in taken:
        label, number = f"{name} ({number})", number + 1
    return label
