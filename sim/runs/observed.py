"""The model beside the data: each published observation with the simulated value and its band.

Pure functions over applicant rows. A replication's value of an observation is counted the
way the observation was: applicants (or their MW) waiting on the date, requests received or
connections made over its period, or the share of those waiting when it began who left by its
end, in its area or the whole scenario; a growth observation
divides by the same count at its reference date. Across replications the table gives the
mean with its 95% confidence interval and the band within which 90% of replications fall:
one published figure is one realisation, so the band, not the interval of the mean, is what
it should lie in. A bound's published range is open on its allowed side (no ``observed_low``
for an upper bound, no ``observed_high`` for a lower one: NaN, an empty field in
``observations.csv``), so the model can lie only beyond it, above an upper bound or below a
lower one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.inputs.observations import GROWTH, Observation
from sim.runs.stats import mean_interval

__all__ = [
    "AGREEING",
    "BAND",
    "COUNTING_CHANGES",
    "COUNTING_VERSION",
    "OBSERVATION_COLUMNS",
    "BAND_REPLICATIONS",
    "agreeing_apart",
    "agreement_count",
    "agreement_sentences",
    "few_for_a_band",
    "figures_agreeing",
    "rough_spread",
    "band_text",
    "format_observed",
    "is_share",
    "mean_side",
    "observation_table",
    "observed_values",
    "published_text",
]

BAND = (0.05, 0.95)
"""Quantiles of the replications that bound the simulated band (90% of them fall inside)."""

COUNTING_CHANGES = (
    "MW waiting counts the rest of a request connected in part, not the whole request",
)
"""Each change to how a simulated value of an observation is counted, oldest first: add one
whenever any is counted otherwise, so that losses kept by a calibration before it are not
reused (:data:`COUNTING_VERSION`)."""

COUNTING_VERSION = 1 + len(COUNTING_CHANGES)
"""How the simulated values of observations are counted, stored with each evaluation of a
calibration (1: before any change was listed); one of another is evaluated again on resume,
as its loss would not compare with the new ones."""

OBSERVATION_COLUMNS = (
    "observation", "label", "date", "quantity", "area", "observed", "observed_low",
    "observed_high", "simulated_mean", "simulated_ci_low", "simulated_ci_high",
    "simulated_band_low", "simulated_band_high", "replications", "agreement", "source",
    "note",
)
"""Columns of ``observations.csv``: one row per observation."""


def observed_values(observations: Sequence[Observation], applicants: pd.DataFrame) -> np.ndarray:
    """The simulated value of each observation in one replication's applicant rows.

    An applicant is on the list from its request until its whole request is connected firm
    (``full_connect_date``), it gives its firm place up for a non-firm right, or it withdraws
    (:func:`_off_the_list`): one holding a right beside its firm place, or connected in part,
    still waits for firm MW in line, so it counts as waiting and has not left the list, with
    the MW it still waits for (:func:`_waiting_mw_on`), as the run's key figure
    ``mw_waiting`` counts them. The first connection (``connect_date``) counts only for
    ``connections_made``.
    """
    request = applicants["request_date"].to_numpy(dtype="datetime64[s]")
    first = applicants["connect_date"].to_numpy(dtype="datetime64[s]")
    connect = _off_the_list(applicants, first)
    withdraw = applicants["withdraw_date"].to_numpy(dtype="datetime64[s]")
    area = applicants["area"].astype(str).to_numpy()
    mw = applicants["requested_mw"].to_numpy(dtype=float)
    rest = _rest_in_line(applicants, mw, connect, withdraw)

    def count(observation: Observation, date: dt.date) -> float:
        end = np.datetime64(date, "s") + np.timedelta64(1, "D")  # to the end of the day
        rows = area == observation.area if observation.area else np.ones(len(area), bool)
        if observation.quantity in ("applicants_waiting", "mw_waiting"):
            # NaT compares False, so those never connected or withdrawn stay in.
            rows &= (request < end) & ~(connect < end) & ~(withdraw < end)
            if observation.quantity == "applicants_waiting":
                return float(rows.sum())
            return float(_waiting_mw_on(end, first, mw, rest)[rows].sum())
        begin = np.datetime64(observation.since, "s")  # from the start of that day
        if observation.quantity == "share_leaving":
            rows &= (request < begin) & ~(connect < begin) & ~(withdraw < begin)
            left = ((connect >= begin) & (connect < end)) | ((withdraw >= begin) & (withdraw < end))
            return float((rows & left).sum() / rows.sum()) if rows.any() else np.nan
        when = request if observation.quantity == "requests_received" else first
        return float((rows & (when >= begin) & (when < end)).sum())

    values = []
    for observation in observations:
        value = count(observation, observation.date)
        if observation.relative_to is not None:
            base = count(observation, observation.relative_to.date)
            value = value / base if base > 0 else np.nan
        values.append(value)
    return np.asarray(values, dtype=float)


def _waiting_mw_on(end: np.datetime64, first: np.ndarray, mw: np.ndarray,
                   rest: np.ndarray) -> np.ndarray:
    """The MW each applicant on the list waits for by ``end``: its request, or its rest.

    Before its first connection (``connect_date``) an applicant waits for its whole request;
    from it, for the rest (:func:`_rest_in_line`). Where nobody is connected in part, the
    very requests, so that a sum over them is the one made before rests were counted.
    """
    return np.where(first < end, rest, mw)


def _rest_in_line(applicants: pd.DataFrame, mw: np.ndarray, left: np.ndarray,
                  withdraw: np.ndarray) -> np.ndarray:
    """The MW each applicant waits for in line once first connected, as its rows can tell.

    ``applicants.csv`` records what an applicant still waited for at the end of the run
    (``waiting_mw``), not when each part of its request was connected. One still on the list
    at the end (``left``, from :func:`_off_the_list`, and ``withdraw`` both NaT) waits, from
    its first connection, for that rest: exact at the end of the run, and whenever it was
    connected in one part, but less than it waited for meanwhile if more parts came later.
    One that left the list by the end (connected in full, or a right taken without its firm
    place) counts its whole request to the day it left: its rows do not say how much of it
    was connected before, so this is at most what it waited for. A holder of a right beside
    its firm place, with no firm part, waits for its whole request either way. Rows without
    ``waiting_mw`` (written before it existed) count whole requests, as they were counted.
    """
    if "waiting_mw" not in applicants:
        return mw
    in_line = np.isnat(left) & np.isnat(withdraw)
    return np.where(in_line, applicants["waiting_mw"].to_numpy(dtype=float), mw)


def _off_the_list(applicants: pd.DataFrame, first: np.ndarray) -> np.ndarray:
    """When each applicant left the list other than by withdrawing (NaT: it did not).

    A published list counts those still in line for firm capacity, as the queue of
    ``timeseries.csv`` does: one connected in part, or holding a non-firm right while it
    keeps its firm place (``kept_firm_place``), is still in line for the rest, so it leaves
    when its whole request is connected firm (``full_connect_date``; never, if the run ends
    first). A holder that gave its firm place up leaves the list on its right's date
    (``non_firm_date``).

    Rows written before ``kept_firm_place`` existed cannot tell a holder that kept its place
    and was not moved to firm by the end of the run from one that gave it up: there, as
    before, a right that never ended in a firm connection (``moved_to_firm`` false) counts as
    leaving the list on its date. Rows without the non-firm columns: ``full_connect_date``
    alone; rows without that too (written before it): the first connection.
    """
    if "full_connect_date" not in applicants:
        return first
    left = applicants["full_connect_date"].to_numpy(dtype="datetime64[s]")
    if "non_firm_date" in applicants and "moved_to_firm" in applicants:
        right = applicants["non_firm_date"].to_numpy(dtype="datetime64[s]")
        if "kept_firm_place" in applicants:
            kept = applicants["kept_firm_place"].eq(True).to_numpy(dtype=bool)
            gave_up = ~np.isnat(right) & ~kept
        else:  # an older table: a right never moved to firm is taken for one given up
            gave_up = ~np.isnat(right) & ~applicants["moved_to_firm"].eq(True).to_numpy(
                dtype=bool)
        left = np.where(gave_up, right, left)
    return left


def observation_table(
    observations: Sequence[Observation], per_replication: Iterable[np.ndarray]
) -> pd.DataFrame:
    """One row per observation: published, simulated (mean, 95% CI, 90% band), agreement."""
    values = np.vstack(list(per_replication)) if observations else np.empty((0, 0))
    rows = []
    for i, observation in enumerate(observations):
        column = values[:, i] if len(values) else np.array([])
        finite = column[~np.isnan(column)]
        mean, ci_low, ci_high = mean_interval(finite)
        low, high = (np.quantile(finite, BAND) if len(finite) else (np.nan, np.nan))
        observed = observation.observed
        # A bound's published range is open on its allowed side: no end there (NaN, empty).
        observed_low, observed_high = (np.nan if end is None else end
                                       for end in observation.published_range)
        rows.append({
            "observation": i, "label": observation.label, "date": observation.date,
            "quantity": observation.quantity, "area": observation.area or "all",
            "observed": observed, "observed_low": observed_low,
            "observed_high": observed_high, "simulated_mean": mean,
            "simulated_ci_low": ci_low, "simulated_ci_high": ci_high,
            "simulated_band_low": float(low), "simulated_band_high": float(high),
            "replications": len(finite),
            "agreement": _agreement(observed_low, observed_high, float(low), float(high)),
            "source": observation.source,
            "note": observation.note,
        })
    return pd.DataFrame(rows, columns=list(OBSERVATION_COLUMNS))


def _agreement(observed_low: float, observed_high: float, low: float, high: float) -> str:
    """'agrees' if the published range meets the simulated band, else where the model lies.

    A published range without an end (NaN) is open on that side.
    """
    if np.isnan(low) or np.isnan(high):
        return "no simulated value"
    if _has_end(observed_low) and high < observed_low:
        return "model below"
    if _has_end(observed_high) and low > observed_high:
        return "model above"
    return "agrees"


def _mean_outside(row: Mapping[Hashable, Any]) -> str:
    """', though the simulated mean is below the published range' where it is; else ''.

    A figure agrees where its published range meets the band of 90% of replications, which
    a mean outside the range can do: 'Growth of MW waiting: published 1.78 (1.60 to 1.96);
    simulated 1.58, 90% of replications 1.44 to 1.73: agrees' read as a match.
    """
    side = mean_side(row)
    return f", though the simulated mean is {side} the published range" if side else ""


def mean_side(row: Mapping[Hashable, Any] | pd.Series) -> str:
    """'below' or 'above' where the simulated mean is outside the published range; else ''."""
    mean, low, high = (float(row[key]) for key in ("simulated_mean", "observed_low",
                                                    "observed_high"))
    if _has_end(low) and mean < low:
        return "below"
    if _has_end(high) and mean > high:
        return "above"
    return ""


def _has_end(end: float) -> bool:
    """Whether a published range ends here: not a bound's open side.

    That side is empty (NaN) in tables written now, infinite in those written before.
    """
    return bool(np.isfinite(end))


def _agreement_words(row: Mapping[Hashable, Any]) -> str:
    """A verdict in words: 'the model is lower', 'agrees, though the simulated mean is ...'."""
    verdict = {"agrees": "agrees", "model below": "the model is lower",
               "model above": "the model is higher"}.get(row["agreement"], row["agreement"])
    return f"{verdict}{_mean_outside(row)}" if row["agreement"] == "agrees" else str(verdict)


def agreeing_apart(table: pd.DataFrame) -> str:
    """' In 2 of those that agree the simulated mean is outside the published range.', or ''.

    Said beside a count of the figures that agree, which otherwise reads as a match for each.
    """
    outside = sum(bool(_mean_outside(row)) for row in table.to_dict("records")
                  if row["agreement"] == "agrees")
    if not outside:
        return ""
    agreeing = int((table["agreement"] == "agrees").sum())
    them = ("it" if len(table) == 1 else "the one that agrees") if agreeing == 1 else \
        f"{outside} of those that agree"
    return f" In {them} the simulated mean is outside the published range."


def agreement_sentences(table: pd.DataFrame) -> list[str]:
    """Plain statements: one per observation, then how many agree."""
    lines = []
    for row in table.to_dict("records"):
        verdict = _agreement_words(row)
        lines.append(
            f"{row['label'][0].upper()}{row['label'][1:]}: published {published_text(row)} "
            f"({row['source']}); simulated {format_observed(row['simulated_mean'], is_share(row))}"
            ", 90% of "
            f"replications {band_text(row)}: {verdict}."
        )
    if len(table):
        lines.append(agreement_count(table))
    return lines


def agreement_count(table: pd.DataFrame) -> str:
    """How many published figures agree, why that is agreeing, and what qualifies it.

    'The one published figure agrees with the simulation: its published range meets ...',
    then how many agree by their band alone (:func:`agreeing_apart`) and whether the bands
    rest on too few replications (:func:`few_for_a_band`). The terminal, a calibration's
    lines and the report say it alike.
    """
    return (f"{figures_agreeing(table)} with the simulation ({AGREEING}).{agreeing_apart(table)}"
            f"{few_for_a_band(table)}")


AGREEING = "a figure agrees when its published range meets the band of 90% of replications"
"""What agreeing means, said beside every count of the figures that agree: 'their published
range meets the band' read wrong beside '0 of 2 published figures agree'."""


def figures_agreeing(table: pd.DataFrame) -> str:
    """'2 of 5 published figures agree', '1 of 3 published figures agrees', 'the one ... agrees'.

    '1 of 1 published figures agree' read as a slip.
    """
    agreeing, total = int((table["agreement"] == "agrees").sum()), len(table)
    if total == 1:
        return "the one published figure " + ("agrees" if agreeing else "does not agree")
    return f"{agreeing} of {total} published figures agree{'s' if agreeing == 1 else ''}"


BAND_REPLICATIONS = 20
"""Fewer replications than this make a poor 90% band: with 4, it is about their lowest to
highest value, and whether a figure agrees turns on one replication."""


def rough_spread(count: int, spread: str = "a band of 90%") -> str:
    """'With only 4 replications, a band of 90% is about their lowest to highest, ...', or ''.

    Said wherever a spread of single replications is shown (the report's bands, a named
    project's dates in the terminal) from fewer than :data:`BAND_REPLICATIONS`: what it
    means changes with the count, as it widens while more are run.
    """
    if count >= BAND_REPLICATIONS:
        return ""
    return (f"With only {count} replication{'' if count == 1 else 's'}, {spread} is about "
            "their lowest to highest, too rough to read a spread from; "
            f"{BAND_REPLICATIONS} or more are needed.")


def few_for_a_band(table: pd.DataFrame) -> str:
    """' A band rests on only 4 replications: ...' where one is too rough to judge by, else ''.

    Counted over the observations that have a simulated value at all: ``replications`` is
    how many replications gave each one a value (a share of those leaving has none where
    nobody waited), which a run of many can leave few of.
    """
    counts = table.loc[table["replications"] > 0, "replications"]
    fewest = int(counts.min()) if len(counts) else BAND_REPLICATIONS
    if fewest >= BAND_REPLICATIONS:
        return ""
    return (f" A band rests on only {fewest} replication{'' if fewest == 1 else 's'} with a "
            "value: 90% of so few is about their lowest to highest, too rough to judge "
            f"agreement by; {BAND_REPLICATIONS} or more are needed.")


def published_text(row: Mapping[Hashable, Any]) -> str:
    """A published figure with the range it agrees within, when it has one: '210 (189 to 231)'.

    A bound says so, and how far its uncertainty stretches it, so that 'at most 20%' is not
    read as the limit of agreement where up to 30% agrees: 'at most 20% (agreeing up to 30%,
    given its uncertainty)', 'at least 40 (agreeing down to 36, ...)'.
    """
    share = is_share(row)
    shown = format_observed(row["observed"], share)
    for end, words, reach in (("observed_low", "at most", "up to"),
                              ("observed_high", "at least", "down to")):
        if not _has_end(row[end]):
            other = row["observed_high" if end == "observed_low" else "observed_low"]
            more = (f" (agreeing {reach} {format_observed(other, share)}, given its "
                    "uncertainty)" if other != row["observed"] else "")
            return f"{words} {shown}{more}"
    if row["observed_high"] > row["observed_low"]:
        shown += (f" ({format_observed(row['observed_low'], share)} to "
                  f"{format_observed(row['observed_high'], share)})")
    return shown


def band_text(row: Mapping[Hashable, Any] | pd.Series) -> str:
    """The band of 90% of replications of one observation: '183 to 224', '9% to 17%'."""
    share = is_share(row)
    return (f"{format_observed(row['simulated_band_low'], share)} to "
            f"{format_observed(row['simulated_band_high'], share)}")


def is_share(row: Mapping[Hashable, Any] | pd.Series) -> bool:
    """Whether a row of the table is a share (in %), not a count or a growth ratio."""
    return (row.get("quantity") == "share_leaving"
            and not str(row.get("label", "")).startswith(GROWTH))


def format_observed(value: float, share: bool = False) -> str:
    """A figure as a reader would write it: shares in %, growth ratios to 2 decimals, counts."""
    if np.isnan(value):
        return "n/a"
    if share:
        return f"{100 * value:.0f}%"
    return f"{value:.2f}" if abs(value) < 10 else f"{value:,.0f}"
