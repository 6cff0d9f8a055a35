"""A compact text table of the key figures, for the end of ``gridqueue run``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from sim.errors import listed
from sim.runs.areas import asked_in, nobody_asked_in
from sim.runs.metrics import ALL, METRICS, SHORTER_WINDOW, TABLE_METRICS
from sim.runs.observed import rough_spread
from sim.runs.results import Results
from sim.runs.stats import CONFIDENCE, WAITING_LIST_MARK, median_interval_needs, t_quantile

__all__ = ["BY_REQUEST_CATEGORY", "FEW_REPLICATIONS", "FIRST_CONNECTION", "LEGEND",
           "NON_FIRM_SHARING", "NON_FIRM_SHOWN", "NOT_REACHED", "PARTIAL_SHOWN", "SHOWN",
           "SPREAD_OF_DATES",
           "connection_dates", "few_replications", "first_connection_rows", "format_projects",
           "format_summary", "full_connection_dates", "project_name", "rough_dates",
           "withdrawn_share"]

SHOWN = tuple(dict.fromkeys((
    *TABLE_METRICS, "connect_p25_years", "applicants", "connected", "waiting",
    "wait_mean_years", "wait_p90_years", "jobs_connected", "jobs_withdrawn", "mw_connected",
    "mw_waiting",
)))  # each once, where a headline figure is also among the counts behind them
"""The rows of the table: the headline figures first (with the share withdrawn beside the
count, :data:`~sim.runs.metrics.TABLE_METRICS`), then the counts and waits behind them."""

AREA_SHOWN = tuple(dict.fromkeys((*TABLE_METRICS, "applicants", "connected", "waiting")))
"""The rows of the table by area: the headline figures and how many asked, were connected and
still waited; every figure by area is in areas.csv."""

NON_FIRM_SHOWN = ("non_firm_connected", "mw_non_firm", "jobs_non_firm", "moved_to_firm",
                  "non_firm_usable_share")
"""Rows added when some applicant got a non-firm right: who, how much, and how usable. (The
MW freed by capacity releases are added likewise, where some were.)"""

NON_FIRM_SHARING = ("non_firm_hours_share", "non_firm_mw_share")
"""How the usable share reached the holders, in hours and in MW (which tell rotation from
proportional sharing of a crowded pool): rows of the terminal's table after
:data:`NON_FIRM_SHOWN`. The report's tables, a column per figure, leave them to the answers."""

PARTIAL_SHOWN = ("connected_in_part",)
"""Rows added when some applicant's first connection was a part of its request: the count
of those connected counts them, though they may still wait for the rest."""


def first_connection_rows(summary: pd.DataFrame, sharing: bool = False) -> tuple[str, ...]:
    """The figures of first connections that were not whole and firm, where a run has any.

    Those connected first in part (partial offers), then the non-firm rights; each only
    where some applicant of the run (or of a scenario of a comparison's table) had one, as
    every run's summary holds them (at 0). ``sharing``: with :data:`NON_FIRM_SHARING`.
    """
    rights = NON_FIRM_SHOWN + (NON_FIRM_SHARING if sharing else ())
    return ((PARTIAL_SHOWN if _any(summary, "connected_in_part") else ())
            + (rights if _any(summary, "non_firm_connected") else ()))


NOT_REACHED = "not reached"
"""What an infinite figure reads as: that share of applicants was not connected in the run."""

NOT_BY_THE_END = "not by the end"
"""What a project's date percentile reads as when that share of replications never connected it."""


def format_summary(results: Results) -> str:
    """Key figures by category: the estimate with its 95% interval in brackets.

    Rows are the figures' labels, shares are percentages, and a time to connection that the
    run never reaches reads "not reached". A grid of several areas adds the same rows for all
    the applicants of each area (``areas.csv``).
    """
    summary = results.summary
    groups = [g for g in summary["group"].unique()
              if summary[(summary["group"] == g) & (summary["metric"] == "applicants")]["mean"]
              .iloc[0] > 0]
    released = ("mw_freed",) if _any(summary, "mw_freed") else ()
    extra = first_connection_rows(summary, sharing=True) + released
    lines, shown = _table(summary, groups, extra)
    if not results.areas.empty:
        whole = results.areas[results.areas["group"] == ALL]
        whole = whole.assign(group=whole["area"])
        nobody = nobody_asked_in(results.areas)
        by_area, shown_by_area = _table(whole, asked_in(results.areas), extra, AREA_SHOWN)
        shown |= shown_by_area
        lines += ["By area, all applicants of each (every figure in areas.csv):", *by_area,
                  *([f"Nobody asked in {listed(nobody)}."] if nobody else [])]
    caution = few_replications(summary["replications"].max())  # a figure's own may be fewer
    freed = [FREED_NOTE] if "mw_freed" in extra and _freed_before_the_run(summary) else []
    moved = [BY_REQUEST_CATEGORY] if results.scenario.changes_categories else []
    return "\n".join([*lines, *_legend(shown), *moved, *freed,
                      *([caution] if caution else [])])


def _freed_before_the_run(summary: pd.DataFrame) -> bool:
    """Whether all applicants' MW freed exceed the sum of the categories' (:data:`FREED_NOTE`).

    Only users connected before the run (``existing_mw``), who are in no category, make it so;
    without them the two add up and the note would be untrue.
    """
    freed = summary[summary["metric"] == "mw_freed"].set_index("group")["mean"].fillna(0.0)
    whole = float(freed.get(ALL, 0.0))
    parts = float(freed.drop(ALL, errors="ignore").sum())
    return whole - parts > 1e-9 * max(1.0, abs(whole))


def _table(summary: pd.DataFrame, groups: list[Any], extra: tuple[str, ...],
           rows: tuple[str, ...] = SHOWN) -> tuple[list[str], set[str]]:
    """A column per group of ``summary`` and a row per figure of ``rows``, then ``extra``'s.

    Returns the table's lines and the texts of its cells, for :func:`_legend`.
    """
    # The ignores: pandas-stubs type the columns of a row as any scalar at all.
    cells = {(row.group, row.metric): _cell(row.estimate, row.ci_low, row.ci_high,  # type: ignore[arg-type]
                                            METRICS[row.metric].unit == "share")  # type: ignore[index]
             for row in summary.itertuples()}
    shown = _with_shorter_window(rows, cells, groups) + extra
    labels = {metric: METRICS[metric].label for metric in shown}
    width = max(len(label) for label in labels.values())
    columns = {g: max([len(g)] + [len(cells.get((g, m), "")) for m in shown]) for g in groups}
    lines = [f"{'':{width}}  " + "  ".join(f"{g:>{columns[g]}}" for g in groups)]
    for metric in shown:
        lines.append(f"{labels[metric]:{width}}  " + "  ".join(
            f"{cells.get((g, metric), ''):>{columns[g]}}" for g in groups))
    return lines, {cells.get((g, m), "") for g in groups for m in shown}


def _legend(cells: set[str]) -> list[str]:
    """The lines of :data:`LEGEND` whose mark some cell shows: an interval, a dash."""
    return [*([LEGEND[0]] if any("[" in cell for cell in cells) else []),
            *([LEGEND[1]] if "-" in cells else [])]


LEGEND = (
    "[a-b]: the 95% interval across replications (of the mean; of the median for the times "
    "to connection).",
    "-: no value: nobody of the group connected, or, for a mean wait within a window, some "
    "replication did not see that long after the requests.",
)
"""What the table's brackets and dashes mean, printed beneath it where it shows them."""

BY_REQUEST_CATEGORY = (
    "By category: each applicant counts in the category of its request (category in "
    "applicants.csv), wherever a category change moved it later; timeseries.csv's queue counts "
    "the waiting by the category in force (final_category, at the end).")
"""Said beneath the figures by category where a scenario changes categories on a date: the
two group a moved request apart, so that MW still waiting by category can differ between
them (all applicants together agree)."""

FREED_NOTE = ("MW freed: all applicants' figure also holds what users connected before the run "
              "released at the first review, who are in no category, so it exceeds the sum of "
              "the categories.")
"""Why the MW freed of all applicants is more than its categories', under a table showing it."""

SPREAD_OF_DATES = "10% to 90%"
"""How a named project's spread of connection dates over the replications is written."""

FEW_REPLICATIONS = 10
"""Below this many replications the intervals are said to be too wide to quote."""


def few_replications(replications: float) -> str | None:
    """A caution when a run rests on fewer than :data:`FEW_REPLICATIONS` replications.

    ``replications`` is the run's count (of a comparison, its smallest run's). It says how
    much wider a mean's interval is than thirty replications would make it, other things
    equal: Student's t over the square root of the count (24 times with two, 2.1 with nine).
    """
    if not replications < FEW_REPLICATIONS:  # NaN too: no run at all
        return None
    count = int(replications)
    if count < 2:
        wider = "no interval at all"
    else:
        ratio = (t_quantile(CONFIDENCE, count - 1) / math.sqrt(count)) \
            / (t_quantile(CONFIDENCE, 29) / math.sqrt(30))
        wider = f"95% intervals about {ratio:.2g} times as wide as 30 would give"
        if count < (needs := median_interval_needs()):  # so a median stands bare
            wider += (f", and none for a time to connection (a median across replications "
                      f"needs {needs} or more)")
    return (f"Only {count} replication{'s' if count != 1 else ''}: {wider}; run "
            f"{FEW_REPLICATIONS} or more for figures to quote.")


def _with_shorter_window(
    shown: tuple[str, ...], cells: Mapping[tuple[Any, Any], str], groups: list[Any]
) -> tuple[str, ...]:
    """``shown``, with the stand-in after the ten-year window where a group needs it.

    A group whose replications do not all see ten years after the requests has no ten-year
    figure; its years without a connection to the end of the run, as the comparisons'
    answers give them, are then a row below.
    """
    rows: list[str] = []
    for metric in shown:
        rows.append(metric)
        shorter = SHORTER_WINDOW.get(metric)
        if shorter is not None and any(cells.get((g, metric)) == "-"
                                       and cells.get((g, shorter), "-") != "-" for g in groups):
            rows.append(shorter)
    return tuple(rows)


def _any(summary: pd.DataFrame, metric: str) -> bool:
    """Whether ``metric`` of all applicants is above zero on average over the replications.

    A first connection in part, a non-firm right granted, MW freed by a capacity release:
    their rows are shown only then. Of a comparison's table, whether it is in any scenario.
    """
    rows = summary[(summary["group"] == ALL) & (summary["metric"] == metric)]
    return bool((rows["mean"] > 0).any())


def _cell(estimate: float, low: float, high: float, share: bool) -> str:
    """An estimate and its interval, '-' without a value, 'not reached' if it is infinite."""
    if math.isnan(estimate):
        return "-"
    if math.isinf(low):  # the estimate and the whole interval: not reached
        return NOT_REACHED
    scale = 100.0 if share else 1.0
    text = _fmt(estimate * scale)
    if math.isnan(low):
        return text
    return f"{text} [{_fmt(low * scale)}-{_fmt(high * scale)}]"


def _fmt(value: float) -> str:
    """A value to three significant figures or so; 'not reached' if infinite."""
    if math.isinf(value):
        return NOT_REACHED
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def format_projects(projects: pd.DataFrame) -> list[str]:
    """A line per named project: how often and when it was connected, and its wait.

    The dates are the median and the 10th to 90th percentile over every replication
    (:func:`connection_dates`); the mean wait is that of the replications in which it was
    connected by the end of the run (``projects.csv``), to its first connection: where that
    may be a part or a non-firm right, the words say so, as it follows the dates of the full
    firm connection, to which it would otherwise read as belonging.
    """
    lines = []
    for row in projects.itertuples():
        runs = int(row.replications)  # type: ignore[arg-type]  # stubs: any scalar
        connected = round(float(row.connected_share) * runs)  # type: ignore[arg-type]
        withdrew = round(withdrawn_share(row) * runs)
        head = f"{project_name(row)} (asked {_day(row.request_date)}): "
        gave_up = f", withdrew in {withdrew}" if withdrew else ""
        if not connected:
            lines.append(head + f"not connected by the end of the run in any of {runs} "
                         f"replications{gave_up}")
            continue
        wait = _years_in_words(float(row.wait_mean_years),  # type: ignore[arg-type]
                               float(row.wait_ci_low), float(row.wait_ci_high))  # type: ignore[arg-type]
        whose = "" if connected == runs else f" of the {connected} connected"
        full = full_connection_dates(row)
        first = f" ({FIRST_CONNECTION})" if full else ""
        lines.append(head + f"connected in {connected} of {runs} replications{first}{gave_up}, "
                     f"{connection_dates(row)}; " + (f"{full}; " if full else "")
                     + f"mean wait{' to a first connection' if full else ''}{whose} {wait}")
    return lines


def project_name(row: Any) -> str:
    """A row of projects.csv's name as said: a waiting-list row's marked as one.

    Folders written before projects.csv had ``source`` hold projects alone.
    """
    source = getattr(row, "source", "project")
    return str(row.project) + (WAITING_LIST_MARK if source == "waiting_list" else "")


def rough_dates(projects: pd.DataFrame) -> str | None:
    """A caution beneath :func:`format_projects` where its dates rest on too few replications.

    A project's 10% to 90% of connection dates over three replications is about the earliest
    to the latest, as the report says of its bands (:func:`sim.runs.observed.rough_spread`).
    Counted over the projects connected in some replication, whose lines give dates.
    """
    dated = projects[projects["connected_share"] > 0]
    if dated.empty:
        return None
    return rough_spread(int(dated["replications"].min()),
                        f"the {SPREAD_OF_DATES} of a project's dates") or None


def _years_in_words(estimate: float, low: float, high: float) -> str:
    """'3.50 years (95% CI 3.00 to 4.00)': a wait in a sentence, as the report writes one.

    The table's compact '3.50 [3.00-4.00]' reads like a range of dates in a sentence.
    """
    text = f"{_fmt(estimate)} years"
    if math.isnan(low):
        return text
    return f"{text} (95% CI {_fmt(low)} to {_fmt(high)})"


def connection_dates(row: Any) -> str:
    """'median 2033-11-19 (10% to 90%: 2033-06-23 to 2034-09-09)': a row of projects.csv.

    Over every replication: one in which the project was not connected counts as later than
    any date, so a percentile that falls among those says why there is no date: 'not by the
    end' of the run, 'withdrew' where every such replication saw the project withdraw, or
    'not connected' where some did and some ran out of time.
    """
    never = _never_connected(row)
    return (f"{_median(row.connect_date_p50, never)} ({SPREAD_OF_DATES}: "
            f"{_day_or(row.connect_date_p10, never)} to {_day_or(row.connect_date_p90, never)})")


def _median(value: Any, never: str) -> str:
    """'median 2033-11-19', or 'median: withdrew' where the median replication had no date."""
    return f"median: {never}" if pd.isna(value) else f"median {_day(value)}"


FIRST_CONNECTION = "a first connection, in part or by a non-firm right included"
"""What a project's connection dates count where some were not a full firm connection."""


def full_connection_dates(row: Any) -> str | None:
    """'a full firm connection in 10 of 10, median 2034-05-28 (10% to 90%: ...)': projects.csv.

    Said only where some first connection of the project was a part of its request or a
    non-firm right (``first_in_part_share`` above 0), so its connection dates and mean wait
    are not those of its whole request, firm; over every replication as
    :func:`connection_dates`. ``None`` where every first connection was whole and firm, or
    for a folder written before projects.csv had the columns. A folder written before
    ``first_in_part_share`` is told by its columns alone: where their shares and dates agree
    (all empty, say, with few connected), a first connection in part goes unsaid.
    """
    share = getattr(row, "full_connected_share", math.nan)
    if pd.isna(share):
        return None
    quantiles = ("p10", "p50", "p90")
    first = [getattr(row, f"connect_date_{q}") for q in quantiles]
    full = [getattr(row, f"full_connect_date_{q}") for q in quantiles]
    in_part = getattr(row, "first_in_part_share", math.nan)
    if not pd.isna(in_part):
        if not float(in_part) > 0:
            return None
    elif float(share) == float(row.connected_share) and all(
            (pd.isna(a) and pd.isna(b)) or a == b for a, b in zip(first, full, strict=True)):
        return None
    runs = int(row.replications)
    withdrew = withdrawn_share(row)
    never = ("withdrew" if withdrew > 0 and withdrew >= 1.0 - float(share) - 1e-9
             else NOT_BY_THE_END if not withdrew > 0 else "not connected")
    return (f"a full firm connection in {round(float(share) * runs)} of {runs}, "
            f"{_median(full[1], never)} ({SPREAD_OF_DATES}: {_day_or(full[0], never)} to "
            f"{_day_or(full[2], never)})")


def _never_connected(row: Any) -> str:
    """What a replication without a connection of the project means, in words."""
    withdrew = withdrawn_share(row)
    if not withdrew > 0:
        return NOT_BY_THE_END
    unconnected = 1.0 - float(row.connected_share)
    return "withdrew" if withdrew >= unconnected - 1e-9 else "not connected"


def withdrawn_share(row: Any) -> float:
    """A row of projects.csv: the share of replications in which the project withdrew.

    Results folders written before projects.csv had the column read as none withdrawn.
    """
    return float(getattr(row, "withdrawn_share", 0.0))


def _day_or(value: Any, never: str) -> str:
    """A date as YYYY-MM-DD, or ``never`` where there is none."""
    return never if pd.isna(value) else _day(value)


def _day(value: object) -> str:
    """A date as YYYY-MM-DD."""
    return str(pd.Timestamp(value).date())  # type: ignore[arg-type]  # a date of the table
