"""One difference of a comparison by name: a key figure, a group, a variant and a grid area.

What :meth:`sim.analysis.comparison.Comparison.difference` gives. Picking a row of the table
by scenario, group and metric alone found several in a comparison of grid areas (the whole
grid's and one per area) or of a variant adding a stream (the applicants both have, and the
stream set apart); this finds the one asked for, or says which names it takes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sim.errors import GridqueueError, nearest, nearest_by_words
from sim.runs.metrics import ALL, BY_AREA, COMPARED

__all__ = ["Difference", "find_difference"]


@dataclass(frozen=True)
class Difference:
    """One difference: the variant's mean minus the reference's, with its 95% interval.

    Attributes:
        scenario: the variant's label; ``reference``: its reference's; ``question``: the
            question that compares them.
        metric, group: the key figure and the category (or ``all``); ``area``: the grid area
            it counts, None for the whole grid.
        estimate, ci_low, ci_high: the difference and its 95% interval (nan where it is not
            known: a mean within a window that some replication does not know).
        reference_mean: the reference's mean over the replications the difference counts;
            the variant's is ``reference_mean + estimate``.
        paired: whether the interval is paired (common random numbers) or Welch's.
        unit: the key figure's unit; ``population``: which applicants it counts
            (:data:`sim.runs.metrics.POPULATIONS`).
    """

    scenario: str
    reference: str
    question: str
    metric: str
    group: str
    area: str | None
    estimate: float
    ci_low: float
    ci_high: float
    reference_mean: float
    paired: bool
    unit: str
    population: str


def find_difference(differences: pd.DataFrame, metric: str, group: str, scenario: str | None,
                    reference: str | None, area: str | None) -> Difference:
    """The one row of ``differences`` (a comparison's) that the names pick, as a Difference.

    Without ``area`` the rows of the whole grid; the rows of a stream or project set apart
    (``origin``) are not picked, and stay in the table.
    """
    rows = _one_of(differences, "metric", metric, "key figure")
    rows = _one_of(rows, "group", group, "group")
    if area is not None and group != ALL and (differences["population"] == BY_AREA).any():
        raise GridqueueError(f"area={area!r}, group={group!r}: a difference by grid area "
                             f"counts every applicant of the area, group={ALL!r}; a category "
                             "within an area has none (each run's areas.csv gives its figures)")
    rows = _pick(rows, "scenario", scenario, "variant")
    rows = _pick(rows, "reference", reference, "reference")
    if area is None:
        rows = rows[rows["population"].isin(COMPARED)]
    else:
        rows = _one_of(rows[rows["population"] == BY_AREA].rename(columns={"origin": "area"}),
                       "area", area, "grid area")
    if len(rows) != 1:  # none: every applicant of the group is in a stream set apart
        raise GridqueueError(f"difference({metric!r}, {group!r}): no single row of the whole "
                             "grid compares it (the applicants it counts are set apart by "
                             "stream or project); see the rows of .differences")
    row = rows.iloc[0]
    return Difference(scenario=row["scenario"], reference=row["reference"],
                      question=row["question"], metric=metric, group=group, area=area,
                      estimate=float(row["difference"]),
                      ci_low=float(row["difference_ci_low"]),
                      ci_high=float(row["difference_ci_high"]),
                      reference_mean=float(row["reference_mean"]), paired=bool(row["paired"]),
                      unit=row["unit"], population=row["population"])


def _one_of(rows: pd.DataFrame, column: str, value: str, what: str) -> pd.DataFrame:
    """The rows whose ``column`` is ``value``; refused, with the nearest name, if none is."""
    names = list(dict.fromkeys(rows[column].astype(str)))
    if value in names:
        return rows[rows[column] == value]
    if not names:
        raise GridqueueError(f"{column}={value!r}: this comparison has no differences by "
                             f"{what} (a grid of one area, or areas not compared alike)")
    close = nearest_by_words(value, names) if column == "metric" else nearest(value, names)
    raise GridqueueError(f"{column}={value!r}: not a {what} of this comparison's differences"
                         f"{close}; expected one of {', '.join(names)}")


def _pick(rows: pd.DataFrame, column: str, value: str | None, what: str) -> pd.DataFrame:
    """The rows of the ``value`` named, or of the only one there is; else ask for it by name."""
    if value is not None:
        return _one_of(rows, column, value, what)
    names = list(dict.fromkeys(rows[column].astype(str)))
    if len(names) > 1:
        raise GridqueueError(f"{column}: more than one {what} would match ({', '.join(names)}); "
                             f"name one, e.g. {column}={names[0]!r}")
    return rows
