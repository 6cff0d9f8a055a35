"""What a run's report says of a waiting-list CSV: its rows, their outcome, what is drawn.

Who was listed, what became of them, and which of their values the file gives and which
each replication draws.

A planner who brings the operator's own list wants to see that every row ran, and to know
which of a row's values are the file's and which are assumptions drawn for it.
"""

from __future__ import annotations

import math

import pandas as pd

from sim.errors import InputError
from sim.figures.numbers import significant
from sim.inputs.applicants import PRIORITY_CATEGORIES
from sim.inputs.loading import load_waiting_rows, shown_csv
from sim.inputs.scenario import Scenario, Stream, WaitingList, categories_held
from sim.inputs.sources import onsite_for
from sim.inputs.waiting_list_csv import WaitingRows
from sim.policies.timeline import priority_served
from sim.report.assumptions import count_text

__all__ = ["waiting_list_line", "waiting_list_lines"]


def waiting_list_lines(scenario: Scenario, applicants: pd.DataFrame) -> list[str]:
    """Sentences on the rows of the scenario's waiting-list CSV; none without one.

    How many rows, their MW and request dates; what became of them by the end of the run, on
    average over the replications; what the file gives and what is drawn for its rows.
    """
    spec = scenario.waiting_list
    if spec is None or spec.csv is None:
        return []
    rows = _read_rows(scenario)
    count, outcome, replications = _outcomes(applicants)
    lines = [f"{_number(count)} applicants listed at the start, one per row of {spec.csv}"
             + ("" if rows is None else
                f" ({significant(rows.demand_mw.sum(), 4)} MW demand, requested from "
                f"{min(rows.request_date)} to {max(rows.request_date)})")
             + ", in every replication",
             f"By the end of the run, on average {_outcome_text(outcome)} (over "
             f"{count_text(replications, 'replication')}; "
             "the source column of applicants.csv says waiting_list)"]
    if rows is not None:
        lines.append(_given_and_drawn(scenario, rows))
    return lines


def waiting_list_line(scenario: Scenario, applicants: pd.DataFrame | None) -> str | None:
    """One line for the terminal at the end of a run: the rows read and what became of them.

    Such as ``waiting list: 803 rows of wachtlijst.csv (508 MW demand), on average 412.3
    connected, 289.6 withdrew, 101.1 still waiting by the end``; the figures of
    :func:`waiting_list_lines`.
    The MW are the rows' demand, before self_supply, as ``validate`` and the report say.
    The rows' outcome is left out without ``applicants`` (rows too many to hold in memory).
    None without a waiting-list CSV.
    """
    spec = scenario.waiting_list
    if spec is None or spec.csv is None:
        return None
    rows = _read_rows(scenario)
    line = "waiting list: " + (f"{spec.csv}" if rows is None else
                               f"{_rows(len(rows))} of {shown_csv(scenario)} "
                               f"({significant(rows.demand_mw.sum(), 3)} MW demand)")
    if applicants is None:
        return line
    _, outcome, replications = _outcomes(applicants)
    return (line + (", on average " if replications > 1 else ", ") + _outcome_text(outcome)
            + " by the end")


def _read_rows(scenario: Scenario) -> WaitingRows | None:
    """The scenario's waiting-list rows; None where the file is gone.

    A results folder without its copy, or a file moved since the run read it: the figures
    then say what ran.
    """
    try:
        return load_waiting_rows(scenario)
    except InputError:
        return None


def _outcomes(applicants: pd.DataFrame) -> tuple[float, pd.Series, int]:
    """The rows listed and their outcomes (counts by state), on average; the replications.

    Beside the three states, ``firm_rest``: the connected rows still waiting for firm MW at
    the end (connected in part, or by a non-firm right that kept its firm place), which
    ``waiting_mw`` gives; a folder written before that column counts none.
    """
    listed = applicants[applicants["source"].astype(str) == "waiting_list"]
    replications = max(int(applicants["replication"].nunique()), 1)
    states = listed["outcome"].astype(str)
    outcome = states.value_counts() / replications
    if "waiting_mw" in listed:
        outcome["firm_rest"] = int(((states == "connected")
                                    & (listed["waiting_mw"] > 0)).sum()) / replications
    return len(listed) / replications, outcome, replications


def _outcome_text(outcome: pd.Series) -> str:
    """The rows' average outcomes, all three to one precision, so none reads rounder than it is.

    Whole numbers where every average is whole, else one decimal each: "1.7 connected, 22
    withdrew, 16 still waiting" of 40 rows read as 39.7, its 22.5 and 15.8 rounded apart.
    Each is rounded on its own, so their sum may miss the rows by a last decimal (2.5, 1.8
    and 0.8 of 5 rows: 2.5, 1.75 and 0.75). Connected rows that still wait for firm MW at the
    end are counted among the connected, and said: "still waiting" then counts those without
    any connection.
    """
    rest = float(outcome.get("firm_rest", 0.0))
    values = [float(outcome.get(state, 0.0)) for state in ("connected", "withdrawn", "waiting")]
    whole = all(value == round(value) for value in (*values, rest))
    connected, withdrew, waiting, resting = (f"{value:,.0f}" if whole else f"{value:,.1f}"
                                             for value in (*values, rest))
    if not rest:
        return f"{connected} connected, {withdrew} withdrew, {waiting} still waiting"
    return (f"{connected} connected ({resting} of them still waiting for firm MW), {withdrew} "
            f"withdrew, {waiting} still waiting without any connection")


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == round(value) else f"{value:.1f}"


def _rows(count: int) -> str:
    return count_text(count, "row")


def _given_and_drawn(scenario: Scenario, rows: WaitingRows) -> str:
    """Which values of the rows the file gives, and which each replication draws."""
    waiting = scenario.waiting_list
    assert waiting is not None
    streams = [scenario.streams.get(name or "") for name in rows.stream]
    named = sum(stream is not None for stream in streams)
    drawn = []
    patient = sum(stream is not None and stream.patience_years is not None
                  for stream in streams)
    unnamed = len(rows) - named
    if patient:
        drawn.append(f"patience for {_rows(patient)} from their streams")
    if unnamed and waiting.patience_years is not None:
        drawn.append(f"patience for {_rows(unnamed)} naming no stream from "
                     "waiting_list.patience_years")
    asking = sum(stated is None and (category in PRIORITY_CATEGORIES or any(
        change.category in PRIORITY_CATEGORIES for change in (
            stream.category_changes if stream is not None else ())))
        for stated, category, stream in zip(rows.priority_requested, rows.category, streams,
                                            strict=True))
    if asking:
        drawn.append(f"priority requests (by priority_uptake) for {_rows(asking)} leaving "
                     "priority_requested empty")
    onsite = sum(math.isnan(share) and (setting := onsite_for(scenario, stream, category))
                 is not None and setting.share > 0  # a share of 0 draws nobody's
                 for share, stream, category in zip(rows.self_supply, streams, rows.category,
                                                    strict=True))
    if onsite:
        drawn.append(f"on-site generation for {_rows(onsite)} without a self_supply")
    offers = sum(stream is not None and (stream.partial_offer is not None
                                         or stream.non_firm is not None)
                 for stream in streams) + (unnamed if waiting.partial_offer is not None
                                           or waiting.non_firm is not None else 0)
    if offers:
        drawn.append(f"acceptance of partial or non-firm offers for {_rows(offers)}")
    lifetimes = sum(stream is not None and stream.lifetime_years is not None
                    for stream in streams)
    if lifetimes:
        drawn.append(f"connection lifetimes for {_rows(lifetimes)} from their streams")
    drawn += _drawn_scores(waiting, streams, rows)
    where_given = ("self_supply, priority_requested and efficiency" if rows.scored
                   else "self_supply and priority_requested")
    given = ("From the file: each row's request date, category, MW demand and jobs (empty: "
             f"0), its stream and area, and its {where_given} where given")
    unserved = _unserved_priority(scenario, rows, asking)
    if not drawn:
        return (given + "; nothing is drawn for them (no patience: they wait until connected)"
                + unserved)
    return given + "; drawn in each replication: " + "; ".join(drawn) + unserved


def _unserved_priority(scenario: Scenario, rows: WaitingRows, drawn: int) -> str:
    """' — no policy or round in force serves priority ...' where the rows' requests do nothing.

    The rows draw their requests under fifo too, so that paired scenarios list the same
    applicants; a fifo report that said '1 row' asks for priority, and nothing else, read
    as if the request had moved it up. Empty where a policy (or rounds) serves priority, or
    no row asks.
    """
    asking = {held for category, stream, asked in zip(
        rows.category, rows.stream, rows.priority_requested, strict=True) if asked
        for held in (category, *(categories_held(scenario.streams[stream])
                                 if stream in scenario.streams else ()))}
    if not (drawn or asking) or priority_served(scenario, None if drawn else asking):
        return ""
    return (" — no policy or round in force serves priority in their categories, so the "
            "rows' priority requests change no wait (the priority_requested column of "
            "applicants.csv says only who asked)")


def _drawn_scores(waiting: WaitingList, streams: list[Stream | None],
                  rows: WaitingRows) -> list[str]:
    """Whose efficiency scores are drawn: rows without one, from their stream or the list.

    The scores order a category ranked by efficiency, so a reader needs to know which the
    file gave and which each replication drew.
    """
    unscored = [score == -math.inf for score in rows.efficiency]
    own = sum(missing and stream is not None and stream.efficiency is not None
              for missing, stream in zip(unscored, streams, strict=True))
    listed = sum(missing and stream is None
                 for missing, stream in zip(unscored, streams, strict=True)
                 ) if waiting.efficiency is not None else 0
    drawn = []
    if own:
        drawn.append(f"efficiency scores for {_rows(own)} from their streams")
    if listed:
        drawn.append(f"efficiency scores for {_rows(listed)} naming no stream from "
                     "waiting_list.efficiency")
    return drawn
