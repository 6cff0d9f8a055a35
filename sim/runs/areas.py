"""Key figures by grid area, for a grid of several areas: how Almere fares beside Lelystad.

``summary.csv`` groups the applicants by category; ``areas.csv`` gives the same key figures
for the applicants of each area, in all (group ``all``) and by category. Each replication's
are worked out where it ran, as ``replication_metrics.csv``'s are
(:func:`sim.runs.metrics.figures_of`), from the same rows (request times to the day, as
``applicants.csv`` dates them) and the area's own idle capacity; then summarised as
``summary.csv`` is
(:func:`sim.runs.stats.summarise`). A grid of one area has no ``areas.csv``: its one area's
figures are ``summary.csv``'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.inputs.applicants import CATEGORIES
from sim.runs.metrics import ALL, figures_of, metric_columns, rows_of
from sim.runs.stats import SUMMARY_COLUMNS, summarise

__all__ = ["AREA_COLUMNS", "AREA_METRIC_COLUMNS", "area_metrics", "area_summary", "asked_in",
           "freed_by_area", "nobody_asked_in"]

AREA_COLUMNS = ("area", *SUMMARY_COLUMNS)
"""Columns of ``areas.csv``: ``summary.csv``'s, after the area's name."""

AREA_METRIC_COLUMNS = ("replication", "area", "group", "metric", "value")
"""Columns of ``area_metrics.csv``: ``replication_metrics.csv``'s, with the area's name."""


def area_metrics(
    applicants: pd.DataFrame, request_time: np.ndarray, horizon_years: float,
    names: Sequence[str], idle: np.ndarray, idle_any: np.ndarray,
    freed: Mapping[str, Mapping[str, float]],
) -> pd.DataFrame:
    """One replication's key figures by area: tidy rows ``area, group, metric, value``.

    ``applicants`` and ``request_time`` are as for
    :func:`~sim.runs.metrics.replication_metrics`; ``names`` the grid's areas in order;
    ``idle[a, c]`` the capacity free in area ``a`` while one of category ``c`` waited there,
    ``idle_any[a]`` while anyone did (MW-years; the engine's ``Trajectory``); ``freed`` the
    MW capacity releases freed, by area and group (:func:`freed_by_area`; an area without
    them: not known). Empty for one area.
    """
    if len(names) < 2:
        return pd.DataFrame(columns=["area", "group", "metric", "value"])
    rows = {str(area): np.asarray(at) for area, at in applicants.groupby(
        applicants["area"].astype(str).to_numpy()).indices.items()}
    columns = metric_columns(applicants, request_time, horizon_years)  # speed: once, not per area
    none = np.empty(0, dtype=np.intp)
    parts = []
    for index, area in enumerate(names):
        figures = figures_of(
            rows_of(columns, rows.get(area, none)), horizon_years,
            dict(zip(CATEGORIES, idle[index].tolist(), strict=True)), float(idle_any[index]),
            freed.get(area))
        figures.insert(0, "area", area)
        parts.append(figures)
    return pd.concat(parts, ignore_index=True)


def freed_by_area(
    names: Sequence[str], area: np.ndarray, category: np.ndarray,
    reclaimed: Sequence[tuple[float, int, float]],
    existing: Sequence[tuple[int | None, float]],
) -> dict[str, dict[str, float]]:
    """MW freed by capacity releases by the end of the run, by area and group.

    ``area`` and ``category`` give each applicant's area index and requested category
    (codes), ``reclaimed`` the (time, applicant, MW) taken back from applicants, ``existing``
    the (area index or None, MW) released by users connected before the run; a release that
    names no area frees its MW evenly over the areas, as the engine frees it. An area's
    ``all`` is its categories' sum plus what users from before the run released there: with
    one name, the grid's, added up as it always was.
    """
    freed: dict[str, dict[str, float]] = {name: dict.fromkeys(CATEGORIES, 0.0)
                                          for name in names}
    for _, applicant, mw in reclaimed:
        freed[names[int(area[applicant])]][CATEGORIES[int(category[applicant])]] += mw
    before = dict.fromkeys(names, 0.0)
    for index, mw in existing:
        for name in names if index is None else [names[index]]:
            before[name] += mw / len(names) if index is None else mw
    return {name: {**mine, ALL: sum(mine.values()) + before[name]}
            for name, mine in freed.items()}


def area_summary(per_replication: pd.DataFrame) -> pd.DataFrame:
    """Every area's key figures across replications: ``areas.csv`` (:data:`AREA_COLUMNS`).

    ``per_replication`` holds :func:`area_metrics`'s rows of every replication, with a
    ``replication`` column; empty rows (one area) give an empty table.
    """
    if per_replication.empty:
        return pd.DataFrame(columns=list(AREA_COLUMNS))
    parts = [summarise(rows.drop(columns="area")).assign(area=area)
             for area, rows in per_replication.groupby("area", sort=False)]
    summary = pd.concat(parts, ignore_index=True)
    return summary[list(AREA_COLUMNS)]


def asked_in(areas: pd.DataFrame) -> list[str]:
    """The areas of ``areas.csv``'s table in which someone asked in some replication."""
    counts = areas[(areas["group"] == ALL) & (areas["metric"] == "applicants")]
    return [str(area) for area, mean in zip(counts["area"], counts["mean"], strict=True)
            if mean > 0]


def nobody_asked_in(areas: pd.DataFrame) -> list[str]:
    """The areas of ``areas.csv``'s table in which nobody asked: their figures are empty."""
    asked = set(asked_in(areas))
    return [str(area) for area in dict.fromkeys(areas["area"]) if str(area) not in asked]
