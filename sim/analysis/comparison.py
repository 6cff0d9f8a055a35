"""Comparing scenarios: run or read each one, difference each with its reference, write it all.

The Python API behind ``gridqueue compare``::

    from sim import compare
    comparison = compare(["fifo.yaml", "social_priority.yaml", "results/onsite"])
    comparison.questions                  # which scenario is compared with which
    comparison.table                      # every key figure, and each question's difference
    fig = comparison.time_to_connection_figure()
    comparison.observations               # published figures beside each scenario's band
    comparison.difference("jobs_withdrawn", "other")   # one difference, by name
    comparison.write("results/comparison")
    Comparison.read("results/comparison")  # the same comparison, read back

Each scenario is compared with the nearest file up its ``extends`` chain that is compared
too (or a results folder of one), else with the first input that extends none of the others;
``reference=`` names one scenario for all instead, and ``questions=`` (a questions file, see
:mod:`sim.analysis.questions`) lists the pairs outright.
"""

from __future__ import annotations

import datetime
import functools
import json
import math
import os
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from matplotlib.figure import Figure

from sim._version import __version__
from sim.analysis.comparison_files import read_comparison_files, results_dir
from sim.analysis.differences import (
    MIN_REPLICATIONS,
    Question,
    comparison_table,
    difference_table,
    draws_key,
)
from sim.analysis.efficiency import efficiency_halves
from sim.analysis.one_difference import Difference, find_difference
from sim.analysis.populations import areas_not_compared, metrics_where, question_populations
from sim.analysis.questions import QuestionSpec, first_repeat, read_questions
from sim.analysis.upstream import UPSTREAM, upstream_items
from sim.errors import GridqueueError, argument, given_as, listed, warn
from sim.figures import plots
from sim.figures.files import write_figures
from sim.figures.numbers import significant
from sim.figures.observations import observations_figure
from sim.inputs.files import resolved
from sim.inputs.loading import check_edited, check_overrides_type, load_resolved, load_scenario
from sim.inputs.override_targets import overrides_for
from sim.inputs.scenario import DAYS_PER_YEAR, Scenario, Upgrade
from sim.inputs.yaml_source import Override, read_scenario_source
from sim.report.assumptions import assumptions
from sim.report.data import comparison_caution, comparison_page, pairing
from sim.report.html import render_report
from sim.report.narrative import (
    PairDates,
    PairItems,
    efficiency_items,
    freed_apart_items,
    homes_items,
    lead_metric,
    notes,
    outline,
    priority_items,
    project_dates,
    ranking_words,
    sentences,
    window_note,
)
from sim.runs.csv_writer import write_csv
from sim.runs.incidence import entry_years
from sim.runs.metrics import ALL, AREA_CHANGED, BY_AREA, EVERY_APPLICANT
from sim.runs.observed import AGREEING, agreement_sentences, few_for_a_band, mean_side
from sim.runs.policy_code import policy_modules
from sim.runs.results import Results, scenario_hash, scenario_yaml
from sim.runs.runner import check_replication_count, default_workers, run
from sim.runs.staging import outputs_placed, staged_directory
from sim.runs.stats import named_applicants, summarise_projects

__all__ = ["FIGURES", "Comparison", "compare"]

FIGURES = ("queue", "time_to_connection", "wait", "connected", "withdrawals", "differences",
           "projects")
"""The figures of a comparison, by file name; ``projects`` only when a scenario names one.
:meth:`Comparison.figures` adds ``observations`` when a scenario states observations."""

Input = str | Path | Scenario | Results
"""What can be compared: a scenario file, a results directory, a Scenario or a Results."""


@dataclass
class Comparison:
    """Scenarios side by side, each question comparing a variant with its reference.

    Attributes:
        results: each scenario's results, by unique label (the scenario name, numbered when
            two share a name), in input order.
        sources: where each came from: a scenario file, a results directory, or ``python``.
        questions: the pairs compared, in order: each names its reference and variant and
            whether they draw the same applicants (:attr:`paired`).
        table: the comparison table (columns :data:`sim.analysis.differences.COMPARISON_COLUMNS`).
        ran: labels of the scenarios that were run here (not read from a directory).
        workers: processes that draw the figures when it is written.
        cautions: what the report's lead and ``comparison.json`` say beside the answers, as
            the terminal warned it: a paired question counting only the replications both
            scenarios ran, say.
        results_dirs: the results folder each scenario read from one lies in, made absolute
            when compared, so that it is found again from any working folder.

    :meth:`difference` gives one difference by name, :meth:`write` writes it all into a
    folder and :meth:`read` reads such a folder back.
    """

    results: dict[str, Results]
    sources: dict[str, str]
    questions: list[Question]
    table: pd.DataFrame
    ran: list[str] = field(default_factory=list)
    workers: int = 1
    cautions: list[str] = field(default_factory=list)
    results_dirs: dict[str, Path] = field(default_factory=dict)

    def __repr__(self) -> str:
        """What was compared, how often each ran and where the tables are; not the tables.

        The generated one printed every DataFrame whole.
        """
        counts = self._replication_counts
        ran = (f"{next(iter(counts.values()))} replications each" if len(set(counts.values()))
               == 1 else "replications " + ", ".join(f"{k} {n}" for k, n in counts.items()))
        lines = [f"Comparison of {len(counts)} scenarios ({', '.join(counts)}; {ran}), "
                 f"{len(self.questions)} question{'' if len(self.questions) == 1 else 's'}:"]
        for q in self.questions:
            pair = f"{q.variant} against {q.reference}"
            asked = "" if q.question == pair else f"{q.question}: "
            lines.append(f"  {asked}{pair}, {self._pairing(q)}")
        lines.append("tables: .table (every key figure; each difference, its 95% interval), "
                     ".differences (those rows), .results[label]; answers: .sentences()")
        return "\n".join(lines)

    @property
    def paired(self) -> dict[str, bool]:
        """Whether each variant draws the same applicants as its reference, by label.

        Its first question's :attr:`Question.paired`: then every difference is paired. Where
        it is False, the applicants both scenarios have may still be drawn alike and compared
        paired (a variant that adds a stream, say): the ``paired`` column of :attr:`table`
        says how each row was compared.
        """
        return {label: question.paired for label, question in self._first_questions.items()}

    def _pairing(self, question: Question) -> str:
        """How a question's differences were taken, in words, as the ``paired`` column has it.

        A variant that adds a stream is not paired as a whole, yet those both scenarios have
        are compared paired: "unpaired" said the opposite of every interval in the table.
        """
        if question.paired:
            return "paired"
        rows = self.table[(self.table["scenario"] == question.variant)
                          & (self.table["reference"] == question.reference)
                          & (self.table["question"] == question.question)]
        paired = rows["paired"].dropna().astype(bool)
        if paired.empty or not paired.any():
            return "unpaired"
        if paired.all():
            return "paired for the applicants both have, the others set apart"
        return "paired for the applicants both have alike, the others unpaired"

    @property
    def _first_questions(self) -> dict[str, Question]:
        """Each variant's first question, by label: the one its figures set it against."""
        first: dict[str, Question] = {}
        for question in self.questions:
            first.setdefault(question.variant, question)
        return first

    @property
    def _replication_counts(self) -> dict[str, int]:
        """How many replications each scenario ran, by label."""
        return {label: len(replication_indices(r)) for label, r in self.results.items()}

    @property
    def differences(self) -> pd.DataFrame:
        """The rows of :attr:`table` that compare a scenario with a reference."""
        return self.table[self.table["question"] != ""].reset_index(drop=True)

    def difference(self, metric: str, group: str = ALL, scenario: str | None = None, *,
                   reference: str | None = None, area: str | None = None) -> Difference:
        """One difference by name: ``difference("jobs_withdrawn", "other")``.

        Returns a :class:`~sim.analysis.one_difference.Difference`: the variant's mean minus
        the reference's (``estimate``), its 95% interval (``ci_low``, ``ci_high``), the
        reference's level (``reference_mean``) and whether it is ``paired``. ``scenario``
        names the variant and ``reference`` its reference, each needed only where more than
        one would match; ``area`` a grid area, whose row (of all its applicants) is its own
        (without it, the whole grid's). A name not in the comparison is refused with the
        nearest one and the names it takes. The rows of a stream or project set apart are in
        :attr:`differences`.
        """
        return find_difference(self.differences, metric, group, scenario, reference, area)

    def _tables(self, name: str) -> dict[str, pd.DataFrame]:
        return {label: getattr(r, name) for label, r in self.results.items()}

    def queue_figure(self) -> Figure:
        """Queue length and queued MW over time per scenario (median, 90% band)."""
        return plots.queue_figure(self._tables("timeseries"))

    def time_to_connection_figure(self) -> Figure:
        """Cumulative share connected and withdrawn by years since request, per category.

        Each share connected has its 95% band across replications; a variant paired with
        its reference (its first question) is drawn thicker where their curves differ beyond
        the paired interval. Unpaired variants are not: their bands tell as much. Nor is a
        variant whose categories hold other applicants than its reference's (a stream moved
        into another category, added or removed): its curve of a category would be set
        against one of other applicants, and a difference in who is in it drawn as one in
        how long they wait, where the answers, like with like, read "about the same".
        """
        starts = {label: r.scenario.start for label, r in self.results.items()}
        references = {label: q.reference for label, q in self._first_questions.items()
                      if q.paired and self._categories_alike(q)}
        return plots.time_to_connection_figure(self._tables("applicants"), starts, references)

    def _categories_alike(self, question: Question) -> bool:
        """Whether each category holds the same applicants in the question's two scenarios.

        So it does where the question's rows compare every applicant (beside those of each
        grid area, and of a stream moved to another area, who stays in its category).
        """
        rows = self.table[(self.table["scenario"] == question.variant)
                          & (self.table["reference"] == question.reference)
                          & (self.table["question"] == question.question)]
        return set(rows["population"]) <= {EVERY_APPLICANT, BY_AREA, AREA_CHANGED}

    def wait_figure(self) -> Figure:
        """Wait of connected applicants per category and scenario."""
        return plots.wait_figure(self._tables("applicants"))

    def connected_figure(self) -> Figure:
        """Firm MW held and cumulative jobs connected over time per scenario.

        The MW count firm connections only, the jobs every first connection (in part or by
        a non-firm right too): :func:`sim.figures.timelines.connected_figure`.
        """
        return plots.connected_figure(self._tables("applicants"), self._tables("timeseries"))

    def withdrawals_figure(self) -> Figure:
        """Withdrawals and jobs lost per category and scenario.

        The reference's mean is marked only where every question has the same reference.
        """
        references = {question.reference for question in self.questions}
        return plots.withdrawals_figure(
            self._tables("summary"), references.pop() if len(references) == 1 else None)

    def differences_figure(self) -> Figure:
        """Forest plot of each question's differences with 95% intervals."""
        return plots.differences_figure(self.table)

    def projects_figure(self) -> Figure | None:
        """When each named project gets connected; None when no scenario names a project."""
        applicants = self._tables("applicants")
        if not any(named_applicants(a).any() for a in applicants.values()):
            return None
        return plots.projects_figure(applicants)

    @functools.cached_property
    def observations(self) -> dict[str, pd.DataFrame]:
        """The observations table of each scenario stating published observations, by label."""
        return {label: r.observations() for label, r in self.results.items()
                if r.scenario.observations}

    def observations_figure(self) -> Figure | None:
        """Published observations beside each scenario's band; None when none states any."""
        if not self.observations:
            return None
        return observations_figure(self.observations, order=list(self.results))

    def observation_table(self) -> pd.DataFrame:
        """Every scenario's observations in one table, a ``scenario`` column first."""
        return pd.concat([t.assign(scenario=label)[["scenario", *t.columns]]
                          for label, t in self.observations.items()], ignore_index=True)

    def observation_sentences(self) -> list[str]:
        """Each scenario stating observations: how many agree, then those that do not.

        The scenarios with which every figure they state agrees, each with its mean inside
        the published range, share one line (per number of figures), so a comparison of many
        scenarios stays short; a figure that agrees by its band alone, its mean outside the
        range, is listed as one that does not. Scenarios whose lines would be the same share
        them too ("in each, ..."): the bundled family repeated one such figure ten times.
        Every observation is in ``observations.csv`` and the report.
        """
        agreeing: defaultdict[int, list[str]] = defaultdict(list)
        alike: dict[tuple[str, ...], list[str]] = {}  # the lines said, by who says them
        for label, table in self.observations.items():
            rows = table.to_dict("records")
            plain = [row["agreement"] == "agrees" and not mean_side(row) for row in rows]
            if all(plain):
                agreeing[len(table)].append(label)
                continue
            *each, count = agreement_sentences(table)
            said = (count, *(sentence for sentence, agrees in zip(each, plain, strict=True)
                             if not agrees))
            alike.setdefault(said, []).append(label)
        lines = [line for (count, *each), labels in alike.items() for line in (
            f"{', '.join(labels)} beside published figures: "
            + ("in each, " if len(labels) > 1 else "") + count,
            *(f"  {sentence}" for sentence in each))]
        shared = [f"{', '.join(labels)} beside published figures: "
                  + ("in each, " if len(labels) > 1 else "")
                  + (f"all {count} published figures agree" if count > 1
                     else "the one published figure agrees")
                  + f" with the simulation ({AGREEING})."
                  + few_for_a_band(pd.concat([self.observations[label] for label in labels]))
                  for count, labels in agreeing.items()]
        return shared + lines

    def figures(self) -> dict[str, Figure]:
        """Every figure that applies, by name (:data:`FIGURES`, then ``observations``)."""
        made = {name: getattr(self, f"{name}_figure")() for name in (*FIGURES, "observations")}
        return {name: fig for name, fig in made.items() if fig is not None}

    def sentences(self) -> list[str]:
        """The answer to each question in plain words, with its interval.

        A named project set apart in an answer (one only in the variant) says when it was
        connected.
        """
        return list(self._answers)

    def outline(self) -> list[str]:
        """The answers of :meth:`sentences` as lines to read down, one item a line.

        What ``gridqueue compare`` prints: each question with its key figure, then each
        category's difference and what else the answer says, indented under it.
        """
        return outline(self.table, self._project_dates, self._extra_items, self._asked)

    def notes(self) -> list[str]:
        """What the marks in :meth:`sentences` mean, each once ("(to the end of the run)", say).

        Then each pair not compared replication by replication, and how it was instead, and
        last, as the report says it, whether the smallest run has too few replications to quote.
        """
        asked = self.table[self.table["question"].astype(bool)]
        unpaired = [f"{variant} against {reference}: {how}"
                    for (variant, reference), rows in asked.groupby(["scenario", "reference"],
                                                                   sort=False)
                    if (how := pairing(rows, long=True)) != "paired"]
        caution = comparison_caution(self.table)
        return [*notes(list(self._answers), window_note(self.table, areas=self._areas)),
                *unpaired,
                *([caution] if caution else [])]

    @property
    def _areas(self) -> dict[str, pd.DataFrame]:
        """Each scenario's key figures by grid area (areas.csv; empty for one area)."""
        return {label: results.areas for label, results in self.results.items()}

    @functools.cached_property
    def _extra_items(self) -> PairItems:
        """What a pair's answer adds from the runs themselves, beyond the comparison table.

        Areas a variant changes that stood behind the full shared upstream limit
        (``timeseries.csv``), what each run's capacity releases freed where the pair's
        applicants of both scenarios cannot say it (``summary.csv``), the upgrades that
        capacity releases stand in place of, the homes of each stream of blocks of homes,
        where rounds serve priority apart, those who did not ask for it and those who did,
        and where one of the two ranks a category by efficiency, the better and the worse
        half of its scores (``applicants.csv``).
        """
        asked = self.table[self.table["question"].astype(bool)]
        pairs = list(dict.fromkeys(zip(asked["scenario"], asked["reference"], strict=True)))
        items = upstream_items(pairs, {label: r.scenario for label, r in self.results.items()},
                               {label: r.timeseries for label, r in self.results.items()})
        freed = {label: _whole_freed(r.summary) for label, r in self.results.items()}
        homes = {pair: {label: _homes(self.results[label], counted[label])
                        for label in pair}
                 for pair, counted in self._counted.items()}
        replaced = {pair: words for pair in pairs
                    if (words := _upgrades_not_freed(*(self.results[label].scenario
                                                       for label in pair)))}
        priority = {pair: words for pair in pairs if (words := self._priority_words(*pair))}
        ranked = {pair: words for pair in pairs if (words := self._efficiency_words(*pair))}
        for more in (priority, ranked, freed_apart_items(self.table, freed), replaced,
                     homes_items({pair: homes[pair] for pair in pairs if pair in homes})):
            for pair, words in more.items():
                items.setdefault(pair, []).extend(words)
        return items

    def _priority_words(self, variant: str, reference: str) -> list[str]:
        """The pair's difference for those who did not ask for priority and those who did.

        Rounds serve those who asked between rounds and keep the others for a round, in
        every category: a category's line mixes both (:func:`priority_items`). Said only
        where either scenario holds rounds and the pair compares the same applicants, paired,
        who asked alike in both, and where both groups have applicants; else nothing.
        """
        question = next(q for q in self.questions
                        if (q.variant, q.reference) == (variant, reference))
        pair = (self.results[reference], self.results[variant])
        if not (question.paired and self._categories_alike(question)
                and any(_holds_rounds(results.scenario) for results in pair)
                and _asked_alike(*pair)):
            return []
        differences = {}
        for asked in (False, True):
            before, after = (metrics_where(results, (results.applicants["priority_requested"]
                                                     == asked).to_numpy())
                             for results in pair)
            if not (before.loc[before["metric"] == "applicants", "value"] > 0).any():
                return []  # nobody asked, or everyone did: the overall line says it
            rows = difference_table(before, after, paired=True, levels=True)
            differences[asked] = rows[rows["group"] == ALL]
        return priority_items(differences, lead_metric(self.table))

    def _efficiency_words(self, variant: str, reference: str) -> list[str]:
        """The better and the worse half of scores of a category one of the two ranks by them.

        A ranking by efficiency reorders its category inside, so the category's line reads
        about the same while the best offers gain and the worst lose
        (:func:`~sim.analysis.efficiency.efficiency_halves`, :func:`efficiency_items`). Said
        only where the pair compares the same applicants, paired, and one of the two ranks
        some category by efficiency on days the other does not; else nothing.
        """
        question = next(q for q in self.questions
                        if (q.variant, q.reference) == (variant, reference))
        if not (question.paired and self._categories_alike(question)):
            return []
        pair = {label: self.results[label] for label in (reference, variant)}
        rows = self.table[(self.table["scenario"] == variant)
                          & (self.table["reference"] == reference)
                          & (self.table["question"] == question.question)]
        end = str(pair[variant].scenario.end)
        words = []
        for halves in efficiency_halves((reference, pair[reference]), (variant, pair[variant])):
            differences = {}
            for half, masks in (("better", halves.better), ("worse", halves.worse)):
                before, after = (metrics_where(pair[label], masks[label])
                                 for label in (reference, variant))
                table = difference_table(before, after, paired=True, levels=True)
                differences[half] = table[table["group"] == ALL]
            other = reference if halves.ranks == (variant,) else variant
            spans = [(str(start), str(stop)) for start, stop in halves.spans]
            words += efficiency_items(rows, halves.category, differences,
                                      lead_metric(self.table),
                                      ranking_words(halves.ranks, other, spans, end),
                                      halves.per_replication, halves.ended_otherwise)
        return words

    @functools.cached_property
    def _answers(self) -> tuple[str, ...]:
        """The answers, worked out once for :meth:`sentences` and :meth:`notes`."""
        return tuple(sentences(self.table, self._project_dates, self._extra_items,
                               self._asked))

    @property
    def _asked(self) -> list[str]:
        """The questions in the order asked: a questions file's, which the answers follow."""
        return [question.question for question in self.questions]

    @functools.cached_property
    def _project_dates(self) -> PairDates:
        """When each pair's named projects were connected, in words (projects.csv), by pair.

        Over the replications the pair counts (:attr:`_counted`): a scenario in two paired
        questions whose partners ran different numbers says its dates over each pair's own.
        """
        return {pair: project_dates({label: _projects_over(self.results[label], counted[label])
                                     for label in pair})
                for pair, counted in self._counted.items()}

    @functools.cached_property
    def _counted(self) -> dict[tuple[str, str], dict[str, set[int]]]:
        """The replications of each scenario that each pair counts, by (variant, reference).

        A paired question's figures count those both scenarios ran (:func:`_partly_shared`),
        and so do its projects' dates and its homes: over the others too, they would set draws
        one scenario never ran beside the other's, and read the difference in draws as one the
        variant made. An unpaired question counts each scenario's own.
        """
        counted: dict[tuple[str, str], dict[str, set[int]]] = {}
        for question in self.questions:
            ran = {label: set(replication_indices(self.results[label]))
                   for label in (question.variant, question.reference)}
            if question.paired:
                shared = ran[question.variant] & ran[question.reference]
                ran = dict.fromkeys(ran, shared)
            counted[(question.variant, question.reference)] = ran
        return counted

    def write(
        self, directory: str | Path, force: bool = False, command: Sequence[str] | None = None
    ) -> Path:
        """Write the comparison into ``directory``, atomically.

        It holds ``comparison.csv``, ``observations.csv`` (when a scenario states published
        observations), ``figures/`` (PNG and SVG), ``report.html``, ``comparison.json``
        (provenance, with ``command`` if given) and, under ``runs/``, the results of the
        scenarios run here, so a later comparison can read them instead of running them again,
        and of those given as Results objects, which no folder keeps (:meth:`read` needs
        them). Returns ``directory`` as a Path.
        """
        target = Path(directory)
        with staged_directory(target, force, what="comparison",
                              inputs=self.input_paths()) as staging:
            self.table.to_csv(staging / "comparison.csv", index=False)
            if self.observations:
                with open(staging / "observations.csv", "wb") as file:
                    write_csv(file, [self.observation_table()])
            images = write_figures(self.figures(), staging / "figures", self.workers)
            with outputs_placed():  # inside the staging folder: not in place until it is
                for label, name in self.run_dirs().items():
                    self.results[label].write(staging / "runs" / name)
            in_answers = self._cautions_in_answers
            extra = dict(self._extra_items)
            for pair, texts in in_answers.items():
                extra[pair] = [*extra.get(pair, []), *texts]
            said = {text for texts in in_answers.values() for text in texts}
            page = comparison_page(
                self.table, {label: r.scenario for label, r in self.results.items()},
                self.sources, images, self.observations, self._project_dates,
                cautions=[text for text in self.cautions if text not in said],
                replications=self._replication_counts, extra=extra,
                areas=self._areas, asked=self._asked)
            (staging / "report.html").write_text(render_report(page), encoding="utf-8")
            provenance = {**self._provenance(target), "command": None if command is None
                          else list(command)}
            (staging / "comparison.json").write_text(
                json.dumps(provenance, indent=2) + "\n", encoding="utf-8")
        return target

    @property
    def _cautions_in_answers(self) -> dict[tuple[str, str], list[str]]:
        """The cautions the report says in a pair's answer, by (variant, reference).

        That its scenarios differ in several ways (:func:`_combined_levers`, and
        :func:`_mixed_changes` where the reference is the first input by order alone): a
        reader quoting that answer reads it there, rather than above them all. The terminal
        warned of them once, before its answers.
        """
        found: dict[tuple[str, str], list[str]] = {}
        for question in self.questions:
            head = f"{question.variant} against {question.reference}: "
            for text in self.cautions:
                if text.startswith(head) and COMBINED in text:
                    found.setdefault((question.variant, question.reference), []).append(text)
        return {pair: list(dict.fromkeys(texts)) for pair, texts in found.items()}

    @classmethod
    def read(cls, directory: str | Path) -> Comparison:
        """Read a comparison folder written by :meth:`write` (or ``gridqueue compare -o``).

        Returns the :class:`Comparison` :func:`compare` returned: its :attr:`table` (dtypes
        as made), :attr:`questions`, :attr:`cautions` and each scenario's :class:`Results`,
        read from ``runs/`` or, for a scenario that was read from a results folder, from that
        folder, which must still hold what was compared. Nothing runs. A folder that is not
        a comparison's (a run's, a sweep's), is damaged or was written by an earlier
        gridqueue lacking a file, key or column is refused with one message naming it.
        """
        files = read_comparison_files(Path(directory))
        return cls(results=files.results, sources=files.sources, questions=files.questions,
                   table=files.table, ran=files.ran, workers=default_workers(),
                   cautions=files.cautions, results_dirs=files.results_dirs)

    def input_paths(self) -> list[Path]:
        """The files and results directories this comparison was computed from."""
        return [*self.results_dirs.values(),
                *(f for r in self.results.values() for f in r.scenario.input_files)]

    def run_dirs(self) -> dict[str, str]:
        """The directory under ``runs/`` of each scenario written with it: its label, made safe.

        Those run here, and those given as Results objects: the others' results folders
        keep them already.
        """
        names: dict[str, str] = {}
        for label in self.results:
            if label not in self.ran and self.sources[label] != "python":
                continue
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", label).strip("._") or "scenario"
            while name in names.values():
                name += "_"
            names[label] = name
        return names

    def _provenance(self, target: Path) -> dict[str, Any]:
        """What ``comparison.json`` records: the questions, and where each scenario's results lie.

        Those of a scenario read from a results folder, ``results_dir``, relative to ``target``
        (:func:`~sim.analysis.comparison_files.results_dir`), so that :meth:`read` finds them.
        """
        runs = self.run_dirs()
        return {
            "gridqueue_version": __version__,
            "created_utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "cautions": list(self.cautions),
            "questions": [{"question": q.question, "reference": q.reference,
                           "variant": q.variant, "paired": q.paired} for q in self.questions],
            "scenarios": [
                {"label": label, "source": self.sources[label], "ran": label in self.ran,
                 "run_dir": f"runs/{runs[label]}" if label in runs else None,
                 "results_dir": None if label in runs
                 else results_dir(target, self.results_dirs[label]),
                 "scenario_sha256": scenario_hash(r.scenario), "seed": r.scenario.seed,
                 "replications": replication_indices(r)}
                for label, r in self.results.items()
            ],
        }


def replication_indices(results: Results) -> list[int]:
    """The replication indices a run holds."""
    return sorted(int(r) for r in results.replication_metrics["replication"].unique())


def is_paired(reference: Results, other: Results) -> bool:
    """Whether ``other``'s differences from ``reference`` can be paired.

    Paired when both draw the same applicants in replication *i* (see
    :func:`sim.analysis.differences.draws_key`) and they share at least two replications. An
    upgrade both name alike is then delayed alike too; one renamed draws a delay of its own.
    """
    common = set(replication_indices(reference)) & set(replication_indices(other))
    return len(common) >= 2 and draws_key(reference.scenario) == draws_key(other.scenario)


def compare(
    inputs: Sequence[Input],
    overrides: Sequence[str] | Mapping[str, Any] | None = None,
    *,
    reference: str | None = None,
    questions: str | Path | Sequence[QuestionSpec] | None = None,
    replications: int | None = None,
    workers: int | None = None,
    progress: bool = False,
    scheduler: str | None = None,
) -> Comparison:
    """Compare scenarios, each with its reference: run those not yet run, read the others.

    Args:
        inputs: scenario files, results directories (from ``gridqueue run``), Scenario or
            Results objects; at least two in all, counting those the questions name.
        overrides: ``key.path=value`` changes applied to every scenario file before it runs
            (results directories are used as they are); ``N:key.path=value`` or
            ``NAME:key.path=value`` changes only the N-th input or the file named NAME. A
            Scenario or Results object is used as it is: a change that would reach one is
            refused, but for ``replications``, which a Scenario object's copy takes.
        reference: the label (scenario name) or input path of the scenario every other is
            compared with. By default each scenario is compared with the nearest file up
            its ``extends`` chain that is an input too (a scenario file, or a results folder
            whose ``run.json`` records it), else with the first input that extends none of
            the others.
        questions: a questions file (or its questions) naming each pair to compare; their
            files join ``inputs``, each run once. Only these pairs are compared: an input
            that no question names is refused before anything runs.
        replications: replications of each scenario that is run (default: the scenario's);
            a results directory or Results object keeps those it ran, and a warning names
            each that ran others.
        workers: worker processes per run; results do not depend on it.
        progress: show a progress bar per run.
        scheduler: address of a Dask scheduler to run the replications on (default: local
            processes); results are identical.

    Returns:
        The :class:`~sim.Comparison`: each scenario's results, the questions and the table
        of paired differences with their intervals, in memory; :meth:`Comparison.write`
        writes them with the figures and report.
    """
    if questions is not None and reference is not None:
        raise GridqueueError(f"{argument('reference')} and {argument('questions')}: expected "
                             "one or the other; a questions file names the reference of each "
                             "question")
    _check_inputs(inputs)
    specs = read_questions(questions) if isinstance(questions, (str, Path)) else questions
    if specs and (repeat := first_repeat(specs)) is not None:
        first, again = repeat
        raise GridqueueError(f"{argument('questions')}: expected each pair of scenarios in one "
                             f"question only; questions {first} and {again} both compare "
                             f"{specs[again].variant} with {specs[again].reference}")
    if specs:
        _check_each_input_asked(inputs, specs, questions)
    items = _with_question_inputs(list(inputs), specs or [])
    if len(items) < 2:
        raise GridqueueError(f"compare needs at least two scenarios or results directories, "
                             f"got {len(items)}")
    replications = check_replication_count(replications)
    if overrides is not None:
        check_overrides_type(overrides)
    _refuse_replications_twice(overrides, replications)
    changes = overrides_for(items, _changes(overrides, replications))
    results: dict[str, Results] = {}
    sources: dict[str, str] = {}
    paths: dict[Path, str] = {}
    ran: list[str] = []
    gathered = [_read_or_load(item, mine, replications)
                for item, mine in zip(items, changes, strict=True)]
    for loaded, source in gathered:
        _check_replications(loaded, source)
    labels = _labels([loaded for loaded, _ in gathered])
    for item, label in zip(items, labels, strict=True):
        if isinstance(item, (str, Path)):
            paths.setdefault(resolved(item), label)
    # a reference that names no input is refused before anything runs, or is warned of
    chosen = None if reference is None else _label_of(reference, labels, paths)
    asked_pairs = None if not specs else {frozenset((s.reference.resolve(), s.variant.resolve()))
                                          for s in specs}
    _warn_of_repeats(items, changes, [loaded for loaded, _ in gathered],  # once all load
                     asked_pairs)
    _warn_of_folders_left_as_they_ran(items, changes, [loaded for loaded, _ in gathered],
                                      replications)
    for loaded, source in gathered:
        _warn_of_figures_it_lacks(loaded, source)
        _warn_of_years_counted_otherwise(loaded, source)
        _warn_of_mw_waiting_without_rests(loaded, source)
    for label, (loaded, source) in zip(labels, gathered, strict=True):
        if isinstance(loaded, Results):
            results[label] = loaded
        else:
            results[label] = run(loaded, workers=workers, progress=progress,
                                 scheduler=scheduler)
            ran.append(label)
        sources[label] = source
    results_dirs = {label: Path(source).resolve() for label, source in sources.items()
                    if label not in ran and source != "python"}
    by_order: set[str] = set()  # compared with the first input only as it comes first
    chains: dict[str, tuple[Path, ...] | None] = {}  # of pairs the questions did not name
    up_chain: set[str] = set()  # variants set against the named reference or one they extend
    if specs:
        pairs = [(s.question, paths[s.reference.resolve()], paths[s.variant.resolve()])
                 for s in specs]
    elif chosen is not None:
        pairs = _against(chosen, list(results))
        chains = dict(zip(labels, (_chain(item, loaded) for item, (loaded, _)
                                   in zip(items, gathered, strict=True)), strict=True))
        up_chain = set(labels)
    else:
        found = [_chain(item, loaded) for item, (loaded, _) in zip(items, gathered, strict=True)]
        parents = [_parent_index(index, found) for index in range(len(found))]
        pairs = _against_parents(found, parents, list(results), list(sources.values()))
        by_order = _compared_by_order(found, parents, list(results))
        chains = dict(zip(labels, found, strict=True))
        up_chain = {label for label, parent in zip(labels, parents, strict=True)
                    if parent is not None}
    asked = [Question(text, ref, variant, is_paired(results[ref], results[variant]))
             for text, ref, variant in pairs]
    cautions = [text for question in asked if (text := _partly_shared(question, results))]
    cautions += [text for question in asked if question.variant in by_order
                 and (text := _mixed_changes(question, results, _one_file(chains, question)))]
    cautions += [text for question in asked if question.variant in up_chain
                 and not _extends_itself(chains, question)
                 and (text := _combined_levers(question, results))]
    populations = {q: question_populations(results[q.reference], results[q.variant])
                   for q in asked}
    cautions += [text for question in asked if (text := areas_not_compared(
        results[question.reference], results[question.variant], populations[question],
        (question.variant, question.reference)))]
    cautions = list(dict.fromkeys(cautions))  # one caution may concern several pairs
    for text in cautions:
        warn(text)
    table = comparison_table({k: r.summary for k, r in results.items()},
                             {k: r.replication_metrics for k, r in results.items()}, asked,
                             populations)
    return Comparison(results=results, sources=sources, questions=asked, table=table, ran=ran,
                      workers=workers or default_workers(), cautions=cautions,
                      results_dirs=results_dirs)


def _whole_freed(summary: pd.DataFrame) -> float:
    """A run's MW freed by capacity releases over all its applicants; NaN where not known."""
    row = summary[(summary["group"] == ALL) & (summary["metric"] == "mw_freed")]
    return float(row["estimate"].iloc[0]) if len(row) else math.nan


def _upgrades_not_freed(variant: Scenario, reference: Scenario) -> list[str]:
    """The upgrades of the scenario without capacity releases that the one with them lacks.

    Take-backs typed in as upgrades (social_priority.yaml's 14 MW) are what releases stand in
    place of, and the MW freed do not count them: beside "24.4 MW more, from 0.0", the
    baseline. Nothing unless exactly one of the two has capacity releases.
    """
    if bool(variant.capacity_releases) == bool(reference.capacity_releases):
        return []
    without, other = (reference, variant) if variant.capacity_releases else (variant, reference)
    theirs = {(area, upgrade.name) for area, upgrade in _upgrades(other)}
    lacking = [(area, upgrade) for area, upgrade in _upgrades(without)
               if (area, upgrade.name) not in theirs and upgrade.date < without.end]
    if not lacking:
        return []
    where = []
    for area in dict.fromkeys(area for area, _ in lacking):
        names = [upgrade.name for place, upgrade in lacking if place == area]
        shown = names[:3] + ([f"{len(names) - 3} more"] if len(names) > 3 else [])
        where.append(f"{listed(shown)}, in {area}")
    mw = significant(sum(upgrade.add_mw for _, upgrade in lacking), 3)
    return [f"upgrades of {without.name} that {other.name} does not have, not counted in the MW "
            f"freed: {mw} MW ({'; '.join(where)})"]


def _upgrades(scenario: Scenario) -> list[tuple[str, Upgrade]]:
    """Each upgrade of the scenario's grid with its area (``upstream`` for the shared limit)."""
    areas = [*scenario.grid.resolved_areas.items(),
             *([(UPSTREAM, scenario.grid.upstream)] if scenario.grid.upstream else [])]
    return [(area, upgrade) for area, grid in areas for upgrade in grid.upgrades]


def _holds_rounds(scenario: Scenario) -> bool:
    """Whether the scenario allocates in rounds under some rules in force."""
    return any(regime.rounds is not None for _, regime in scenario.policy.regimes())


def _asked_alike(reference: Results, variant: Results) -> bool:
    """Whether the same applicants asked for priority in both, in the replications both ran.

    A variant that changes the priority uptake draws the same applicants, yet those who
    asked are others: their difference would be one of who they are.
    """
    shared = set(replication_indices(reference)) & set(replication_indices(variant))
    columns = ["replication", "applicant_id", "priority_requested"]
    tables = [results.applicants.loc[results.applicants["replication"].isin(shared), columns]
              .sort_values(columns[:2]) for results in (reference, variant)]
    return len(tables[0]) == len(tables[1]) and all(
        np.array_equal(tables[0][column].to_numpy(), tables[1][column].to_numpy())
        for column in columns)


def _homes(results: Results, counted: Collection[int]) -> dict[str, tuple[float, float]]:
    """Per stream of blocks of homes, its homes asked and connected: means per replication.

    Over the replications ``counted`` (:attr:`Comparison._counted`), as the question's
    other figures and its projects' dates.
    """
    streams = [name for name, stream in results.scenario.streams.items()
               if stream.homes_per_request is not None]
    if not streams:
        return {}
    applicants = results.applicants
    rows = applicants[applicants["stream"].isin(streams)
                      & applicants["replication"].isin(counted)]
    replications = len(counted)
    connected = rows["outcome"] == "connected"
    return {stream: (float(rows.loc[rows["stream"] == stream, "homes"].sum()) / replications,
                     float(rows.loc[connected & (rows["stream"] == stream), "homes"].sum())
                     / replications)
            for stream in streams}


def _warn_of_repeats(
    items: Sequence[Input], changes: Sequence[list[Override]],
    loaded: Sequence[Results | Scenario], asked_pairs: set[frozenset[Path]] | None = None,
) -> None:
    """Warn of two inputs that are one scenario: compared, every paired difference is zero.

    Not refused: the same scenario twice is a check that paired differences are exactly
    zero. An input given twice as it is (one path, the same changes) is said to be given
    twice. Two that reach the same scenario in other ways, found by what they resolve to
    (:func:`_resolved_key`), are named together: a copy of a file, a variant whose change
    leaves a value as it was, a file and a results folder of it run as it is. A scenario file
    may come twice with different ``--set N:...`` changes (a variant). With a questions file
    (``asked_pairs``, the resolved paths of each pair) only two that a question sets against
    each other are: a results folder of a file can be the reference of one question where
    the file is the variant of another, and then neither is compared with the other.
    """
    seen: dict[tuple[Path, str], Input] = {}
    resolved: dict[str, list[tuple[Input, list[Override], Scenario]]] = {}
    for item, mine, got in zip(items, changes, loaded, strict=True):
        scenario = got.scenario if isinstance(got, Results) else got
        if isinstance(item, (str, Path)):
            path = Path(item).resolve()
            key = (path, "" if path.is_dir() else repr(_entries(mine)))
            if key in seen:
                same = "" if str(seen[key]) == str(item) else f" (as {seen[key]})"
                hint = "" if path.is_dir() else (
                    f"; to compare a variant, change one copy with {_for_one('N:KEY=VALUE')} "
                    f"(N its place among the inputs, e.g. {_for_one('2:grid.capacity_mw=8')})")
                warn(f"{item}: given twice{same}, so it is compared with itself: every "
                     f"paired difference is zero{hint}")
                continue
            seen[key] = item
        found = _resolved_key(scenario)
        if found is None:
            continue
        earlier = resolved.setdefault(found, [])
        repeated = next((first for first in earlier
                         if _compared_together(item, first[0], asked_pairs)), None)
        if repeated is not None:
            warn(_same_scenario(item, mine, scenario, *repeated))
        else:
            earlier.append((item, mine, scenario))


def _compared_together(item: Input, other: Input,
                       asked_pairs: set[frozenset[Path]] | None) -> bool:
    """Whether two inputs are set against each other: by a question, or by any plain compare."""
    if asked_pairs is None or not isinstance(item, (str, Path)) \
            or not isinstance(other, (str, Path)):
        return True
    return frozenset((Path(item).resolve(), Path(other).resolve())) in asked_pairs


def _same_scenario(item: Input, mine: list[Override], scenario: Scenario,
                   first: Input, theirs: list[Override], their_scenario: Scenario) -> str:
    """The warning that an input resolves to the scenario of an earlier one, ``first``.

    It names what sets them apart all the same (a name, say), and the changes that left a
    file given twice as it was (``fifo.yaml with grid.capacity_mw=0``).
    """
    own = [what for what, differs in (
        ("name", scenario.name != their_scenario.name),
        ("description", scenario.description != their_scenario.description),
        ("number of replications", scenario.replications != their_scenario.replications))
        if differs]
    changed = [entry for entry in _entries(mine) if entry not in _entries(theirs)]
    one_file = (isinstance(item, (str, Path)) and isinstance(first, (str, Path))
                and Path(item).resolve() == Path(first).resolve())
    shown = _shown_input(item, scenario) + (
        f" with {', '.join(changed)}" if changed and one_file else "")
    return (f"{shown} and {_shown_input(first, their_scenario)}: the two inputs resolve to "
            f"the same scenario{f' (all but its {listed(own)})' if own else ''}, so compared "
            "with each other they can only show zero: every paired difference is zero; to "
            f"compare a variant, change one of them (a scenario file with "
            f"{_for_one('N:KEY=VALUE')}, N its place among the inputs)")


def _resolved_key(scenario: Scenario) -> str | None:
    """What makes two inputs one scenario: its settings and waiting list, resolved.

    Its :func:`~sim.runs.results.scenario_hash` but for the name, description and number
    of replications, which leave each replication as it is. None where it cannot be told: a
    policy of the user's module may differ in code alone (two modules of one name), and a
    waiting list no longer found cannot be read.
    """
    if policy_modules(scenario):
        return None
    try:
        return scenario_hash(scenario.model_copy(
            update={"name": "-", "description": "", "replications": 1}))
    except OSError:
        return None


def _entries(changes: Sequence[Override]) -> list[str]:
    """An input's changes as ``key.path=value`` texts, without the target that aimed them."""
    return [change.text for change in changes]


def _shown_input(item: Input, scenario: Scenario) -> str:
    """An input as a message names it: its path as given, else what it is in Python."""
    if isinstance(item, (str, Path)):
        return str(item)
    return f"{type(item).__name__} {scenario.name!r}"


def _warn_of_figures_it_lacks(loaded: Results | Scenario, source: str) -> None:
    """Warn where a results folder written by an earlier gridqueue lacks key figures of this one.

    Its scenario is compared without them (the years without a connection to the end of the
    run, say, which then stand in for the 10-year mean on neither side), and its figures may
    count otherwise in their last digits (request times, since this version, to the day).
    """
    if not isinstance(loaded, Results) or loaded.replication_metrics.empty:
        return
    missing = loaded.figures_lacking()
    if missing:
        warn(f"{source}: written by an earlier gridqueue, its tables lack {listed(missing)}, "
             f"so it is compared without {'it' if len(missing) == 1 else 'them'}; run it again "
             "to compare it in every figure")


YEARS_WAITED = {"job_years_waiting": "jobs", "mw_years_waiting": "requested_mw"}
"""The figures of years without a connection, each with the column of ``applicants.csv`` it
weighs by."""


def _warn_of_years_counted_otherwise(loaded: Results | Scenario, source: str) -> None:
    """Warn where a results folder's job- and MW-years were counted the way of earlier versions.

    An earlier gridqueue counted a waiting list's years before the start, and one later ended
    the years of those who withdrew at their withdrawal; this one counts each applicant from
    its request (or the start) to its first connection or the end of the run. Beside a folder
    written since, or a scenario run now, the difference of these two figures would then hold
    those years, not what the scenarios do: areas.yaml beside itself read 1,542 job-years
    more (1,249 to 1,835), paired and clear of zero.
    """
    if isinstance(loaded, Results) and _counts_years_otherwise(loaded):
        warn(f"{source}: written by an earlier gridqueue, its job-years and MW-years count "
             "otherwise (a waiting list's years before the start, or those who withdrew only "
             "to their withdrawal, where this version counts them to the end of the run), so "
             "their differences hold that too; run it again to compare them")


def _counts_years_otherwise(results: Results) -> bool:
    """Whether the stored years of all applicants were counted as by an earlier version.

    Worked out again from ``applicants.csv``, per replication, as this version counts them
    (each to its first connection, or to the end of the run) and as earlier ones did: with a
    waiting list's years before the start but the withdrawn only to their withdrawal (the
    first), and without those years (the next). The stored figure is taken to be counted the
    way it is nearest to, where it is further from this version's than the dates can explain:
    a request date is to the day, so each applicant's years may read up to a day otherwise
    (two for one of a waiting list, whose years before the start are dated too).
    """
    applicants = results.applicants
    scenario = results.scenario
    entry = entry_years(applicants, scenario.start)
    waits = applicants["wait_years"].to_numpy(dtype=float)
    connected = (applicants["outcome"] == "connected").to_numpy()
    withdrawn = (applicants["outcome"] == "withdrawn").to_numpy()
    if not entry.any() and not withdrawn.any():
        return False  # every way agrees
    requested = ((applicants["request_date"] - pd.Timestamp(scenario.start)).dt.days
                 .to_numpy(dtype=float) / DAYS_PER_YEAR)
    to_end = np.where(connected, waits, scenario.horizon_years - requested)
    days = np.where(entry > 0, 2.0, 1.0) / DAYS_PER_YEAR  # what the dates may leave out
    rows = results.replication_metrics
    stored = rows[rows["group"] == ALL].set_index(["metric", "replication"])["value"]
    replication = applicants["replication"].to_numpy()
    for metric, weight in YEARS_WAITED.items():
        if metric not in stored.index.get_level_values("metric"):
            continue  # a folder older still: _warn_of_figures_it_lacks names it
        size = applicants[weight].to_numpy(dtype=float)
        per_replication = functools.partial(_summed, size=size, replication=replication)
        now = per_replication(to_end - entry)
        ended = per_replication(np.where(withdrawn, waits, to_end) - entry)  # at withdrawal
        ways = [now, ended, ended + per_replication(entry)]  # ... and years before the start
        value = stored.xs(metric, level="metric").reindex(now.index)
        off = [(value - way).abs() for way in ways]
        if (((off[0] > per_replication(days)) & (off[0] > pd.concat(off[1:], axis=1)
                                                  .min(axis=1))).any()):
            return True
    return False


def _summed(values: np.ndarray, size: np.ndarray, replication: np.ndarray) -> pd.Series:
    """``size * values`` summed per replication."""
    return pd.Series(size * values).groupby(replication).sum()


def _warn_of_mw_waiting_without_rests(loaded: Results | Scenario, source: str) -> None:
    """Warn where a results folder's MW still waiting leave out the rest of requests in line.

    Beside a folder written since, or a scenario run now, the difference of that figure would
    hold those MW (:meth:`Results.mw_waiting_without_rests`).
    """
    if isinstance(loaded, Results) and loaded.mw_waiting_without_rests():
        warn(f"{source}: written by an earlier gridqueue, its MW still waiting at the end count "
             "only the requests of those without any connection, where this version adds the "
             "rest of requests connected in part or held beside a firm place, so their "
             "difference may hold those MW too; run it again to compare them")


def _warn_of_folders_left_as_they_ran(
    items: Sequence[Input], changes: Sequence[list[Override]],
    loaded: Sequence[Results | Scenario], replications: int | None = None,
) -> None:
    """Warn of each ``--set`` for every input that a results folder, read as it ran, misses.

    A warning, not a refusal: ``--help`` says a results folder is used as it is, and a folder
    may be compared on purpose with files changed since. But the change then reaches one side
    only, and its effect is read as the other scenario's. A number of ``replications`` (the
    argument, or an override of the key) that the folder did not run is said apart, by
    :func:`_warn_of_replications_kept`: it changes what the folder counts, not what it is.
    """
    for number, (item, mine, got) in enumerate(zip(items, changes, loaded, strict=True), 1):
        if isinstance(item, Results):
            _warn_of_object_replications_kept(number, item, mine, replications)
        if not (isinstance(got, Results) and isinstance(item, (str, Path))):
            continue
        for override in mine:
            if override.path == ("replications",):
                if replications is None:  # else it is the argument's, said below
                    _warn_of_replications_kept(
                        Path(item), got, override.value,
                        f"{given_as('--set', 'override')} {override.text}")
                continue
            if not _would_change(Path(item), got.scenario, override):
                continue
            ran = _value_at(scenario_yaml(got.scenario), override.path)
            warn(
                f"{item}: {given_as('--set', 'override')} {override.text} changes the scenario "
                "files but not this results folder, which is read as it ran"
                f"{f' ({override.key_path} {ran})' if ran is not None else ''}, so what it "
                "changes is counted as a difference between the folder and each other "
                "scenario; run the folder's scenario again with it, or give it to one input "
                f"({_for_one('N:KEY=VALUE')})")
        if replications is not None:
            _warn_of_replications_kept(Path(item), got, replications,
                                       argument("replications", replications))


def _warn_of_object_replications_kept(number: int, results: Results, mine: list[Override],
                                      replications: int | None) -> None:
    """Warn that a Results object given in Python keeps the replications it ran.

    As a results folder does (:func:`_warn_of_replications_kept`): the number asked (the
    argument, or an override of ``replications`` for every input) reaches the scenario files
    only, and the object was compared over its own without a word.
    """
    asked: Any = replications
    given = argument("replications", replications)
    if replications is None:
        for override in mine:
            if override.path == ("replications",):
                asked, given = override.value, f"{given_as('--set', 'override')} {override.text}"
    held = replication_indices(results)
    if asked is None or (isinstance(asked, int) and held == list(range(asked))):
        return
    shown = (f"{len(held)} replications" if held == list(range(len(held)))
             else f"replications {', '.join(map(str, held))}")
    warn(f"input {number} (a Results object, {results.scenario.name}): {given} sets the "
         "replications of each scenario file run here, not of a Results object, which is read "
         f"as it ran ({shown}), so the comparison counts its own (a paired question those "
         "both scenarios ran); to count others, run its scenario again with that many")


def _warn_of_replications_kept(folder: Path, results: Results, value: Any, given: str) -> None:
    """Warn that a results folder keeps the replications it ran, if not the ``value`` asked.

    Those of a run of ``value`` replications are 0 to ``value`` - 1; a value the folder's
    scenario would refuse is warned of too, as it reaches the folder no more than another.
    """
    held = replication_indices(results)
    try:
        asked = load_resolved(folder / "scenario.yaml", {"replications": value}).replications
    except GridqueueError:
        asked = None
    if asked is not None and held == list(range(asked)):
        return
    shown = (f"{len(held)} replications" if held == list(range(len(held)))
             else f"replications {', '.join(map(str, held))}")
    again = (f"to count {asked}, run the folder's scenario again with that many"
             if asked is not None else "to count others, run the folder's scenario again")
    warn(f"{folder}: {given} sets the replications of each scenario file run here, not of "
         f"this results folder, which is read as it ran ({shown}), so the comparison counts "
         f"its own (a paired question those both scenarios ran); {again}")


def _for_one(change: str) -> str:
    """A change for one input: ``--set 2:KEY=VALUE`` on the command line, else in ``overrides``."""
    return given_as(f"--set {change}", f"overrides=['{change}']")


def _would_change(folder: Path, scenario: Scenario, override: Override) -> bool:
    """Whether ``override`` changes the scenario a results folder ran (or cannot apply)."""
    try:
        changed = load_resolved(folder / "scenario.yaml", {override.key_path: override.value})
    except GridqueueError:
        return True
    return scenario_yaml(changed) != scenario_yaml(scenario)


def _value_at(text: str, path: tuple[str, ...]) -> str | None:
    """The value at a key path of a scenario written as YAML, if one plain value is there."""
    value: Any = yaml.safe_load(text)
    for key in path:
        if isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        elif isinstance(value, dict) and key in value:
            value = value[key]
        else:
            return None
    return None if isinstance(value, (dict, list)) else str(value)


def _check_each_input_asked(inputs: Sequence[Input], specs: Sequence[QuestionSpec],
                            questions: object) -> None:
    """Refuse, before anything runs, an input that no question compares.

    With questions only their pairs are compared, so an input no question names would run
    (minutes, perhaps) and then be compared with nothing: what its user asked for is not
    known, so it is refused rather than warned of. A file given twice would run twice, and
    a question names it once.
    """
    named = {path.resolve() for spec in specs for path in (spec.reference, spec.variant)}
    source = f"{questions}" if isinstance(questions, (str, Path)) else argument("questions")
    seen: set[Path] = set()
    for index, item in enumerate(inputs, 1):
        if isinstance(item, (str, os.PathLike)):
            path = Path(item).resolve()
            if path in named and path not in seen:
                seen.add(path)
                continue
            if path in seen:
                raise GridqueueError(f"{item}: given twice, but each file a question of "
                                     f"{source} names runs once; give it once, or leave it "
                                     "out (the files the questions name run without being "
                                     "given)")
            shown, why = str(item), f"no question in {source} compares it"
        else:
            shown = f"input {index} (a {type(item).__name__} object)"
            why = f"no question in {source} can compare it, as a question names files"
        raise GridqueueError(
            f"{shown}: {why}, and only the questions' pairs are compared, so it would run "
            f"for nothing; add a question with it as reference or variant to {source}, or "
            f"leave it out of the inputs (the files the questions name run without being "
            f"given)")


def _with_question_inputs(inputs: list[Input], specs: Sequence[QuestionSpec]) -> list[Input]:
    """The inputs, then each file a question names that is not among them yet (once each)."""
    seen = {Path(i).resolve() for i in inputs if isinstance(i, (str, Path))}
    for spec in specs:
        for path in (spec.reference, spec.variant):
            if path.resolve() not in seen:
                seen.add(path.resolve())
                inputs.append(path)
    return inputs


def _label_of(name: str, labels: Collection[str], paths: Mapping[Path, str]) -> str:
    """The label of the scenario ``name`` names: a label, or the path of an input."""
    if name in labels:
        return name
    found = paths.get(resolved(name))
    if found is None:
        raise GridqueueError(f"{argument('reference', name)}: expected a scenario name or input "
                             f"path; the scenarios are {', '.join(labels)}")
    return found


def _against(reference: str, labels: list[str]) -> list[tuple[str, str, str]]:
    """Every scenario but ``reference`` compared with it."""
    return [(f"{label} against {reference}", reference, label) for label in labels
            if label != reference]


def _against_parents(
    chains: Sequence[tuple[Path, ...] | None], parents: Sequence[int | None], labels: list[str],
    sources: Sequence[str],
) -> list[tuple[str, str, str]]:
    """Each scenario compared with the nearest input it extends, else with the first root.

    ``chains`` holds each input's scenario file and the files it extends, however far up
    (see :func:`_chain`), or None where that cannot be told; ``parents`` each one's nearest
    input up that chain (:func:`_parent_index`). The roots, the inputs that extend
    none of the others, are compared with the first of them. The first input is a variant too
    if it extends another input, through a file between them or as a results folder of a file
    another input extends: read as the reference, its answers would have the wrong sign.
    Where an input's files cannot be told and there is more than one root, the reference was
    chosen by the order of the inputs: a warning says so, and how to choose it.
    """
    roots = _roots(parents)
    unknown = [index for index in roots if chains[index] is None]
    if len(roots) > 1 and unknown:
        named = ", ".join(f"{labels[i]} ({sources[i]})" for i in unknown)
        others = ", ".join(labels[i] for i in roots if i != roots[0])
        warn(
            f"{named}: which scenario file {'it' if len(unknown) == 1 else 'each'} ran is not "
            "recorded (or not found from here), so whether it extends another input cannot "
            f"be told; {labels[roots[0]]} is the reference of {others} only because it comes "
            f"first among the inputs; to choose it, give "
            f"{given_as('--reference NAME', 'reference=NAME')} (e.g. "
            f"{argument('reference', labels[unknown[0]])})")
    pairs = []
    for index, (label, parent) in enumerate(zip(labels, parents, strict=True)):
        reference = labels[parent if parent is not None else roots[0]]
        if index != (parent if parent is not None else roots[0]):
            pairs.append((f"{label} against {reference}", reference, label))
    return pairs


def _roots(parents: Sequence[int | None]) -> list[int]:
    """The inputs that extend no other input (see :func:`_parent_index`), in their order."""
    return [index for index, parent in enumerate(parents) if parent is None]


def _compared_by_order(chains: Sequence[tuple[Path, ...] | None], parents: Sequence[int | None],
                       labels: list[str]) -> set[str]:
    """Inputs compared with the first root as it comes first: later ones extending no input.

    See :func:`_against_parents`. Only where the files of both are known: otherwise whether
    one extends the other cannot be told, and :func:`_against_parents` warns of that.
    """
    roots = _roots(parents)
    if not roots or chains[roots[0]] is None:
        return set()
    return {labels[index] for index in roots[1:] if chains[index] is not None}


def _one_file(chains: Mapping[str, tuple[Path, ...] | None], question: Question) -> bool:
    """Whether both scenarios of a pair come from the same file (a copy changed by ``--set``)."""
    mine, theirs = chains.get(question.variant), chains.get(question.reference)
    return bool(mine and theirs and mine[0] == theirs[0])


def _mixed_changes(question: Question, results: Mapping[str, Results],
                   one_file: bool = False) -> str | None:
    """Say when a scenario is set against one it does not extend, only as that one came first.

    Differing in several ways, each difference then counts all of them together. Differing
    in one, the answer is that lever's effect, but which of the two is the reference the
    order of the inputs alone decided: 'fifo against social_priority' read backwards to
    those who gave social_priority second by chance, so the note says how to turn it round.
    The same scenario twice draws neither, nor does the note come where both are one file
    (``one_file``): the copy changed by ``--set N:KEY=VALUE`` is the variant on purpose.

    Two siblings that change the same thing (``fifo`` and ``social_priority``, each its own
    policy over one base) differ in that alone. A business park added beside
    ``social_priority``, over their common base, differs in its streams and in the policy
    too, and a reader would take the policy's effect for the park's. What differs is named as
    :func:`_combined_levers` names it (:func:`_levers_shown`), and in its words
    (:data:`COMBINED`), so that the report says both cautions in the pair's answer.
    """
    differing = _ways_they_differ(results[question.variant].scenario,
                                  results[question.reference].scenario)
    if len(differing) > 1:
        return _several_levers(
            question, differing, f"{question.variant} does not extend {question.reference} (it "
            "is the reference as the first input), and the two",
            f"add an input that differs from {question.variant} in it only, such as a file "
            f"{question.variant} extends, or name the reference "
            f"{given_as('with --reference', 'as the reference argument')}")
    if not differing or one_file:  # the same scenario twice, or a copy changed on purpose
        return None
    return (f"{question.variant} against {question.reference}: {question.reference} is the "
            f"reference only as the first input ({question.variant} does not extend it); to "
            f"read the difference the other way round, give {question.variant} first or name "
            f"it {given_as('with --reference', 'as the reference argument')}")


COMBINED = "so its answer shows their combined effect"
"""What :func:`_combined_levers` and :func:`_mixed_changes` say of a pair; the report puts
such a caution in that pair's answer (:attr:`Comparison._cautions_in_answers`)."""

LEVERS_SHOWN = 3
"""How many ways two scenarios differ a caution names before 'and N more'."""


def _levers_shown(differing: Sequence[str]) -> str:
    """The ways two scenarios differ, listed: the first :data:`LEVERS_SHOWN`, then how many more.

    'queue policy and on-site generation'; 'period, seed, queue policy and 2 more' (four are
    all named: 'and 1 more' would be no shorter).
    """
    shown = list(differing) if len(differing) <= LEVERS_SHOWN + 1 else \
        [*differing[:LEVERS_SHOWN], f"{len(differing) - LEVERS_SHOWN} more"]
    return listed(shown)


def _extends_itself(chains: Mapping[str, tuple[Path, ...] | None], question: Question) -> bool:
    """Whether the variant's own file extends the reference's file, with no file between.

    Such a file is one variant of it, as its author wrote it, whatever it changes (a
    ranking by efficiency sets a policy and the scores it ranks by): set against it, it
    draws no caution of :func:`_combined_levers`. False where either chain is not known
    (:func:`_chain`).
    """
    mine, theirs = chains.get(question.variant), chains.get(question.reference)
    return bool(mine and theirs and len(mine) > 1 and mine[1] == theirs[0])


def _combined_levers(question: Question, results: Mapping[str, Results]) -> str | None:
    """Say when a scenario set against a reference differs from it in several ways.

    ``--reference`` sets every input against one scenario, whatever each changes, and
    without it a file is set against the nearest input up its ``extends`` chain, however
    far: a file that adds on-site generation over one that changes the policy, set against
    the file before both, answers for both levers at once, and a reader would quote it as
    on-site generation's effect. Not said of a questions file's pairs, nor of those set
    against the first input by their order (:func:`_mixed_changes` speaks of them, or
    :func:`_against_parents`), nor where the variant's file extends the reference's itself
    (:func:`_extends_itself`); and only where they differ in more than one way: named as
    :func:`_ways_they_differ` finds them, the first :data:`LEVERS_SHOWN`, then how many more.
    """
    differing = _ways_they_differ(results[question.variant].scenario,
                                  results[question.reference].scenario)
    return _several_levers(
        question, differing, "the two", f"compare with a scenario that differs from "
        f"{question.reference} in it only (a questions file names each pair)")


def _several_levers(question: Question, differing: Sequence[str], who: str,
                    instead: str) -> str | None:
    """The caution of a pair that differs in several ways (``who`` differ), None if in one.

    Both cautions (:func:`_mixed_changes`, :func:`_combined_levers`) in the same words, so
    that the report says each in the pair's answer; ``instead`` says how to see one alone.
    ``differing``: the ways they differ (:func:`_ways_they_differ`).
    """
    if len(differing) < 2:
        return None
    return (f"{question.variant} against {question.reference}: {who} differ in "
            f"{_levers_shown(differing)}, {COMBINED}, not that of one of them; to see one "
            f"alone, {instead}")


def _ways_they_differ(variant: Scenario, reference: Scenario) -> list[str]:
    """The key assumptions (:func:`sim.report.assumptions.assumptions`) two scenarios differ in.

    In lower case, in the order of the report's table. Its "Seed, replications" counts only
    as the seed, which draws other applicants: a paired question sets replication *i* of one
    beside replication *i* of the other over those both ran (:func:`_partly_shared` says so
    where one ran more), an unpaired one each scenario's mean over its own: the count changes
    how precise a difference is, not what it measures.
    """
    theirs = assumptions(reference)
    differing = []
    for name, value in assumptions(variant).items():
        if name == "Seed, replications":
            if variant.seed != reference.seed:
                differing.append("seed")
        elif value != theirs[name]:
            differing.append(name.lower())
    return differing


def _parent_index(index: int, chains: Sequence[tuple[Path, ...] | None]) -> int | None:
    """The input nearest up the ``extends`` chain of input ``index``, or None if none is.

    An input is found by its own file (the first of its chain): a scenario file, or a results
    folder of one. Of several inputs of the same file, the first.
    """
    chain = chains[index]
    if not chain:
        return None
    for ancestor in chain[1:]:
        for other, theirs in enumerate(chains):
            if other != index and theirs and theirs[0] == ancestor:
                return other
    return None


def _chain(item: Input, loaded: Results | Scenario) -> tuple[Path, ...] | None:
    """An input's scenario file, then each file it extends, resolved; None if not known.

    A scenario's from its files. A run's from ``scenario_files`` in its ``run.json``; a run
    from before that was recorded, from the scenario file its ``gridqueue run`` command named,
    if that file is found from here and gives the run's name. A scenario built in code
    extends nothing (an empty chain).
    """
    if isinstance(loaded, Scenario):
        return tuple(path.resolve() for path in loaded.extends_chain)
    recorded = loaded.run_info.get("scenario_files")
    if isinstance(recorded, list) and all(isinstance(path, str) for path in recorded):
        return tuple(Path(path) for path in recorded)
    return _chain_of_command(loaded)


def _chain_of_command(results: Results) -> tuple[Path, ...] | None:
    """The chain of the scenario file a run's recorded ``gridqueue run`` command named."""
    command = results.run_info.get("command")
    if not (isinstance(command, list) and command[1:2] == ["run"]):
        return None
    named = next((word for before, word in zip(command[1:], command[2:], strict=False)
                  if isinstance(word, str) and word.endswith((".yaml", ".yml"))
                  and before != "--set"), None)
    if named is None or not Path(named).is_file():
        return None
    try:
        source = read_scenario_source(named)
    except GridqueueError:
        return None
    if results.scenario.name not in (Path(named).stem, source.data.get("name")):
        return None
    return tuple(path.resolve() for path, _ in source.files)


def _check_inputs(inputs: Sequence[Input]) -> None:
    """Refuse one path for the list of inputs, or an input of another type, with one message.

    One path was taken one letter at a time ('/: expected a results directory'); a number
    was a TypeError from pathlib.
    """
    kinds = "scenario files, results directories, Scenario or Results objects"
    if isinstance(inputs, str | os.PathLike | Results | Scenario) or not isinstance(
            inputs, Iterable):
        raise GridqueueError(f"inputs: expected a list of {kinds}, got "
                             f"{type(inputs).__name__} {repr(inputs)[:100]}")
    for item in inputs:
        if not isinstance(item, str | os.PathLike | Results | Scenario):
            raise GridqueueError(f"inputs: expected {kinds}, got {type(item).__name__} "
                                 f"{repr(item)[:100]}")


def _refuse_replications_twice(
    overrides: Sequence[str] | Mapping[str, Any] | None, replications: int | None
) -> None:
    """Refuse an override of ``replications`` beside the argument: one lost to the other.

    ``compare(inputs, ["replications=3"], replications=2)`` ran 2 without a word; the command
    line refuses ``--set replications=3`` beside ``--replications 2``, a targeted one too.
    """
    if replications is None or overrides is None or isinstance(overrides, str):
        return
    texts = [f"{key}={value}" for key, value in overrides.items()] \
        if isinstance(overrides, Mapping) else [str(text) for text in overrides]
    for text in texts:
        key = text.partition("=")[0]
        if key.rpartition(":")[2].strip() == "replications":
            raise GridqueueError(f"{argument('replications', replications)} and "
                                 f"{given_as('--set', 'override')} {text} both set "
                                 "replications; give one")


def _changes(
    overrides: Sequence[str] | Mapping[str, Any] | None, replications: int | None
) -> dict[str, Any] | list[str]:
    extra = [] if replications is None else [f"replications={replications}"]
    if isinstance(overrides, Mapping):
        return {**overrides, **({"replications": replications} if extra else {})}
    return [*(overrides or []), *extra]


def _read_or_load(
    item: Input, changes: list[Override], replications: int | None
) -> tuple[Any, str]:
    """A Results (read or given) or a Scenario to run, and where it came from."""
    if isinstance(item, Scenario) and replications is not None:
        return item.model_copy(update={"replications": replications}), "python"
    count = _replications_in(changes) if isinstance(item, Scenario) else None
    if isinstance(item, Scenario) and count is not None:
        copy = item.model_copy(update={"replications": count})
        check_edited(copy)
        return copy, "python"
    if isinstance(item, (Results, Scenario)):
        return item, "python"
    path = Path(item)
    if path.is_dir():
        return Results.read(path), str(path)
    return load_scenario(path, changes), str(path)


def _replications_in(changes: list[Override]) -> Any:
    """The number of replications a change for every input sets, if one does."""
    return next((o.value for o in reversed(changes) if o.path == ("replications",)), None)


def _projects_over(results: Results, counted: set[int]) -> pd.DataFrame:
    """``results``' projects.csv over the replications ``counted`` (all it ran: as written)."""
    if len(counted) == len(replication_indices(results)):
        return results.projects
    applicants = results.applicants
    return summarise_projects(applicants[applicants["replication"].isin(counted)], len(counted))


def _partly_shared(question: Question, results: Mapping[str, Results]) -> str | None:
    """Say when a paired question counts only some replications of one of its scenarios."""
    if not question.paired:
        return None
    ran = {label: replication_indices(results[label])
           for label in (question.variant, question.reference)}
    shared = set(ran[question.variant]) & set(ran[question.reference])
    if all(len(indices) == len(shared) for indices in ran.values()):
        return None
    counts = " and ".join(f"{label} {len(indices)}" for label, indices in ran.items())
    return (f"{question.variant} against {question.reference}: paired over the "
            f"{len(shared)} replications both ran ({counts}); the question's figures "
            f"count those {len(shared)}")


def _check_replications(loaded: Results | Scenario, source: str) -> None:
    """Refuse a scenario with too few replications for an interval, before anything runs."""
    count = (len(replication_indices(loaded)) if isinstance(loaded, Results)
             else loaded.replications)
    if count < MIN_REPLICATIONS:
        where = loaded.scenario.name if isinstance(loaded, Results) else loaded.name
        more = f"{argument('replications', MIN_REPLICATIONS)} or more"
        if isinstance(loaded, Results):  # read as it ran: --replications does not reach it
            what = "a Results object" if source == "python" else "a results directory"
            again = f"{what} is read as it ran, so give its scenario file instead, with {more}"
        else:
            again = f"run it with {more}"
        raise GridqueueError(
            f"{source if source != 'python' else where}: compare needs at least "
            f"{MIN_REPLICATIONS} replications of each scenario for a 95% interval, got "
            f"{count}; {again}")


def _labels(loaded: Sequence[Scenario | Results]) -> list[str]:
    """Each input's label: its scenario's name, numbered where an earlier input has it."""
    taken: dict[str, None] = {}
    for item in loaded:
        taken[_unique(item.scenario.name if isinstance(item, Results) else item.name,
                      taken)] = None
    return list(taken)


def _unique(name: str, taken: Mapping[str, Any]) -> str:
    label, number = name, 2
    while label in taken:
        label, number = f"{name} ({number})", number + 1
    return label
