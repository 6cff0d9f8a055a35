"""The main differences of a comparison in plain words, each with its 95% interval.

For example: "Compared with fifo, under social_priority basic-needs applicants wait 2.1 years
less (1.8 to 2.4); other businesses wait 0.6 years more (0.4 to 0.8)." A difference whose
interval includes zero is called "about as long" or "about the same", never a gain or a loss.
"""

from __future__ import annotations

import math

import pandas as pd

from sim.inputs.applicants import CATEGORIES
from sim.runs.metrics import ALL

__all__ = ["sentences", "sentences_by_scenario"]

WHO = {
    "congestion_relief": "congestion-relief applicants",
    "safety": "safety applicants",
    "basic_needs": "basic-needs applicants",
    "other": "other businesses",
    ALL: "applicants overall",
}
"""How each group is named in a sentence."""


def sentences(table: pd.DataFrame) -> list[str]:
    """Sentences stating each scenario's main differences from the reference, in one list.

    See :func:`sentences_by_scenario`, whose groups this joins in scenario order.
    """
    return [text for texts in sentences_by_scenario(table).values() for text in texts]


def sentences_by_scenario(table: pd.DataFrame) -> dict[str, list[str]]:
    """Each scenario's main differences from the reference, by scenario label.

    ``table`` is a comparison table
    (:func:`sim.analysis.differences.comparison_table`). Per scenario:
    the mean wait of the connected in each category that has applicants, then, over all
    applicants, the share connected within two years and the jobs lost to withdrawal. A
    scenario with nothing to say has an empty list.
    """
    reference = str(table["reference"].iloc[0])
    groups: dict[str, list[str]] = {}
    for scenario, rows in table[table["scenario"] != reference].groupby("scenario", sort=False):
        texts = groups.setdefault(str(scenario), [])
        get = rows.set_index(["group", "metric"])
        applicants = get.xs("applicants", level="metric")["mean"]
        waits = [_wait(g, get.loc[(g, "wait_mean_years")]) for g in CATEGORIES
                 if applicants.get(g, 0) > 0 and (g, "wait_mean_years") in get.index
                 and not math.isnan(get.loc[(g, "wait_mean_years"), "difference"])]
        paired = bool(rows["paired"].iloc[0])
        how = ("paired over common replications" if paired
               else "unpaired: other applicants or random draws, Welch interval")
        if waits:
            texts.append(f"Compared with {reference}, under {scenario} " + "; ".join(waits)
                         + f" ({how}).")
        overall = [_change(get.loc[(ALL, "connected_within_2y")], "share connected within two "
                           "years of the request", 100.0, "percentage points",
                           ("lower", "higher")),
                   _change(get.loc[(ALL, "jobs_withdrawn")], "jobs lost to withdrawal", 1.0,
                           "", ("fewer", "more"))]
        overall = [o for o in overall if o]
        if overall:
            texts.append(f"Over all applicants under {scenario}: " + "; ".join(overall) + ".")
    return groups


def _wait(group: str, row: pd.Series) -> str:
    return f"{WHO[group]} wait " + _amount(row, 1.0, "years", ("less", "more"), "about as long")


def _change(row: pd.Series, subject: str, scale: float, unit: str, words: tuple[str, str]) -> str:
    if math.isnan(row["difference"]):
        return ""
    return f"{subject}: " + _amount(row, scale, unit, words, "about the same")


def _amount(
    row: pd.Series, scale: float, unit: str, words: tuple[str, str], same: str
) -> str:
    """A difference in words: '2.1 years less (1.8 to 2.4)'.

    When the interval includes zero: 'about as long (-0.1 to 0.3 years)'. ``unit`` may be
    empty when the subject already names it.
    """
    value = row["difference"] * scale
    low, high = row["difference_ci_low"] * scale, row["difference_ci_high"] * scale
    if math.isnan(low) or math.isnan(high):
        word = words[1] if value > 0 else words[0]
        return _join(_number(abs(value)), unit, word, "(no interval: too few replications)")
    if low <= 0 <= high:
        return f"{same} ({_join(_number(low), 'to', _number(high), unit)})"
    if value < 0:
        return _join(_number(-value), unit, words[0], f"({_number(-high)} to {_number(-low)})")
    return _join(_number(value), unit, words[1], f"({_number(low)} to {_number(high)})")


def _join(*words: str) -> str:
    return " ".join(w for w in words if w)


def _number(value: float) -> str:
    """Two decimals below 1, one below 100, none above: precise enough, never noisy."""
    size = abs(value)
    decimals = 2 if size < 1 else 1 if size < 100 else 0
    return f"{value:.{decimals}f}"
