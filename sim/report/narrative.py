"""Each question of a comparison answered in plain words, with numbers a reader can quote.

For example: "What does social priority do? (median wait of those connected): basic-needs
applicants: 1.2 years shorter (95% CI 0.9 to 1.5); other businesses: 0.40 years longer (0.20
to 0.60)." The lead key figure is the first of :data:`sim.runs.metrics.HEADLINE_METRICS`, named by
its label, so the words follow whatever that tuple holds. A
difference whose interval includes zero is called "about the same", never a gain or a loss;
a category with nobody connected in a scenario says so instead of vanishing.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.figures.numbers import format_numbers
from sim.inputs.applicants import CATEGORIES
from sim.runs.metrics import ALL, HEADLINE_METRICS, METRICS

__all__ = [
    "WHO",
    "answer",
    "answer_body",
    "lead_metric",
    "difference_text",
    "metric_phrase",
    "present_groups",
    "sentences",
]

WHO = {
    "congestion_relief": "congestion-relief applicants",
    "safety": "safety applicants",
    "basic_needs": "basic-needs applicants",
    "other": "other businesses",
    ALL: "applicants overall",
}
"""How each group is named in a sentence."""

WORDS = {
    "years": ("shorter", "longer"),
    "share": ("lower", "higher"),
    "count": ("fewer", "more"),
    "jobs": ("fewer", "more"),
    "job-years": ("fewer", "more"),
}
"""Words for a decrease and an increase, by unit; any other unit takes 'less' and 'more'."""

UNIT_WORDS = {"share": "percentage points", "count": "", "jobs": "jobs"}
"""How a difference's unit is written, where it is not the unit's own name."""


def sentences(table: pd.DataFrame) -> list[str]:
    """One sentence per question of a comparison table, in the table's order."""
    questions = table[table["question"].fillna("") != ""]
    return [answer(table, str(question))
            for question in dict.fromkeys(questions["question"])]


def answer(table: pd.DataFrame, question: str, metric: str | None = None) -> str:
    """The answer to one question: ``metric`` (the lead headline figure) in each category.

    A question may compare several pairs (each a variant and its reference); each is then
    named. Categories with applicants come in framework order; the overall figure only when
    there is a single category. A category with nobody connected in a scenario says so.
    """
    metric = metric or lead_metric(table)
    return f"{question} ({metric_phrase(metric)}): {answer_body(table, question, metric)}."


def lead_metric(table: pd.DataFrame) -> str:
    """The headline figure the answers lead with: the first the comparison can tell apart.

    The first of :data:`HEADLINE_METRICS` whose difference has an interval in some question
    of ``table``: a run too short to see the whole window of the restricted mean wait, say,
    leads with the next figure instead of answering every question with "not defined".
    """
    compared = table[table["question"].fillna("") != ""]
    for metric in HEADLINE_METRICS:
        lows = compared.loc[compared["metric"] == metric, "difference_ci_low"]
        if np.isfinite(lows.to_numpy(dtype=float)).any():
            return metric
    return HEADLINE_METRICS[0]


def answer_body(table: pd.DataFrame, question: str, metric: str) -> str:
    """What :func:`answer` says after the question and the key figure's name."""
    rows = table[table["question"] == question]
    pairs = list(dict.fromkeys(zip(rows["scenario"], rows["reference"], strict=True)))
    answers: list[str] = []
    for variant, reference in pairs:
        mine = rows[(rows["scenario"] == variant) & (rows["reference"] == reference)]
        text = _pair_answer(table, mine, metric, first=not answers)
        answers.append(text if len(pairs) == 1 else f"{variant} against {reference} — {text}")
    return ". ".join(answers)


def _pair_answer(table: pd.DataFrame, rows: pd.DataFrame, metric: str, first: bool) -> str:
    """One variant's difference from its reference in ``metric``, category by category."""
    variant, reference = str(rows["scenario"].iloc[0]), str(rows["reference"].iloc[0])
    means = {reference: _means(table, reference), variant: _means(rows, variant)}
    get = rows.set_index(["group", "metric"])  # .loc[(group, metric)]: a row (stubs: a value)
    parts = []
    for group in present_groups(rows):
        missing = [label for label, own in means.items()
                   if math.isnan(own.get((group, metric), math.nan))]
        if missing:
            nobody = all(means[label].get((group, "connected")) == 0 for label in missing)
            why = "none connected" if nobody else "not defined"
            parts.append(f"{WHO[group]}: {why} in {' and '.join(missing)}")
        else:
            prefix = "95% CI " if first and not any("95% CI" in p for p in parts) else ""
            parts.append(f"{WHO[group]}: " + difference_text(
                get.loc[(group, metric)], METRICS[metric].unit, prefix))  # type: ignore[arg-type]
    return "; ".join(parts) or "no applicants"


def present_groups(rows: pd.DataFrame) -> list[str]:
    """Categories with applicants in ``rows`` (framework order); ``all`` alone if one or none."""
    applicants = rows[rows["metric"] == "applicants"].groupby("group")["mean"].max()
    groups: list[str] = [g for g in CATEGORIES if applicants.get(g, 0) > 0]
    return groups if len(groups) > 1 else [ALL]


def metric_phrase(metric: str) -> str:
    """A key figure's label in running text: 'median wait of those connected'."""
    label = METRICS[metric].label
    if label.endswith(")") and " (" in label:
        label = label[:label.rindex(" (")]
    return label[:1].lower() + label[1:]


def difference_text(row: pd.Series, unit: str, prefix: str = "") -> str:
    """A difference in words with its interval: '1.2 years shorter (0.9 to 1.5)'.

    When the interval includes zero: 'about the same (-0.10 to 0.30 years)'. ``prefix`` goes
    before the interval, e.g. '95% CI '.
    """
    scale = 100.0 if unit == "share" else 1.0
    value = row["difference"] * scale
    low, high = row["difference_ci_low"] * scale, row["difference_ci_high"] * scale
    down, up = WORDS.get(unit, ("less", "more"))
    written = UNIT_WORDS.get(unit, unit)
    if math.isnan(value):
        return "not comparable (no replication has a value in both)"
    if math.isnan(low) or math.isnan(high):
        word = up if value > 0 else down
        return _join(format_numbers(abs(value))[0], written, word,
                     "(no interval: too few replications)")
    # One precision for the three numbers, set by the largest: '0.039 (0.015 to 0.062)'.
    value_text, low_text, high_text = format_numbers(abs(value), low, high) if value >= 0 else \
        format_numbers(-value, -high, -low)
    if low <= 0 <= high:
        low_text, high_text = format_numbers(low, high)
        return f"about the same ({prefix}{_join(low_text, 'to', high_text, written)})"
    return _join(value_text, written, down if value < 0 else up,
                 f"({prefix}{low_text} to {high_text})")


def _means(table: pd.DataFrame, label: str) -> dict[tuple[str, str], float]:
    """Mean of each (group, metric) of a scenario, from the first block of its rows."""
    rows = table[table["scenario"] == label].drop_duplicates(["group", "metric"])
    return dict(zip(zip(rows["group"], rows["metric"], strict=True), rows["estimate"],
                    strict=True))


def _join(*words: str) -> str:
    return " ".join(w for w in words if w)
