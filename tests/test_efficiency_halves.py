"""The answers' halves of a category ranked by efficiency: who gains, who loses.

A ranking by efficiency only reorders its category, so the category's line reads about the
same; the better and the worse half of scores tell who gains and who loses. These tests work
both halves out again from ``applicants.csv`` alone, check a world small enough to follow by
hand, and that no halves are said where the two scenarios rank alike.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim import Comparison, compare, load_scenario, run
from sim.analysis.efficiency import efficiency_halves, ranked_apart
from sim.errors import GridqueueWarning
from tests.builders import project, scenario

pytestmark = pytest.mark.undrawn

FAMILY = Path(__file__).resolve().parents[1] / "scenarios" / "flevoland"
RANKED_FROM = "2026-01-01"
END = "2036-12-31"  # the family's end

HALF_LINE = re.compile(
    r"congestion-relief applicants who asked for priority with the (better|worse) half of "
    r"efficiency scores"
    r"( \(to the end of the run\))?: ([\d.]+) years(?: \(\d+ days\))? (shorter|longer), "
    r"from ([\d.,]+) to ([\d.,]+) \((?:95% CI )?(?:([\d.]+) to ([\d.]+)|the same in every "
    r"replication)\)")


def _half_lines(lines: list[str]) -> dict[str, tuple[float, ...]]:
    """Each half's line as numbers: signed difference, both levels, the interval's ends.

    Each with the half-unit of its last written decimal, the tolerance of a match.
    """
    found = {}
    for line in lines:
        match = HALF_LINE.search(line)
        if match:
            half, mark, size, way, before, after, low, high = match.groups()
            low, high = low or size, high or size  # no spread: the interval is the value
            assert mark or "end of the run" in lines[0], line  # the figure worked out here
            sign = -1.0 if way == "shorter" else 1.0
            texts = (size, before, after, low, high)
            values = [float(t.replace(",", "")) for t in texts]
            halves = [0.5 * 10.0 ** -len(t.partition(".")[2]) for t in texts]
            found[half] = (sign * values[0], *values[1:3],
                           *sorted((sign * values[3], sign * values[4])), *halves)
    return found


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """social_priority and efficiency_2026 as the family runs them, written; the outline.

    At 30 replications the 10-year mean of congestion relief is not known in every one, so
    its line, and so its halves', compare the years without a connection to the end of the
    run (marked).
    """
    comparison = compare([FAMILY / "social_priority.yaml", FAMILY / "efficiency_2026.yaml"],
                         workers=1)
    folder = comparison.write(tmp_path_factory.mktemp("ranked") / "comparison")
    return folder, comparison.outline()


def _years_without(frame: pd.DataFrame, end: str) -> pd.Series:
    """Each applicant's years without a connection: to its first one, else to the end of the run.

    One that withdrew or still waits counts to the end, from its request date (to the day).
    """
    to_end = (pd.Timestamp(end) - pd.to_datetime(frame["request_date"])).dt.days / 365.25
    return frame["wait_years"].where(frame["outcome"] == "connected", to_end)


def test_both_halves_are_worked_out_again_from_applicants_csv(written):
    """The halves' paired differences, from the two runs' applicants.csv and nothing else.

    Those with a score who queued as congestion relievers (asked for priority) and had not
    been connected or withdrawn before the ranking began; in each replication, ordered best
    score first (then by request date), the first half and the last. Their mean years
    without a connection to the end of the run, differenced replication by replication, with
    a paired t interval, are the answer's lines, to the digit they write.
    """
    folder, lines = written
    tables = {label: pd.read_csv(folder / "runs" / label / "applicants.csv")
              for label in ("social_priority", "efficiency_2026")}
    before, after = tables["social_priority"], tables["efficiency_2026"]
    assert before["efficiency"].isna().all() and after["efficiency"].notna().any()
    left = pd.concat([pd.to_datetime(after["full_connect_date"]),
                      pd.to_datetime(after["withdraw_date"])], axis=1).min(axis=1)
    chosen = (after["priority_requested"] & (after["category"] == "congestion_relief")
              & after["efficiency"].notna() & ~(left < pd.Timestamp(RANKED_FROM)))
    means: dict[str, list[np.ndarray]] = {"better": [], "worse": []}
    for table in (before, after):
        table = table.assign(score=after["efficiency"],
                             without=_years_without(table, END))[chosen]
        table = table.sort_values(["replication", "score", "request_date", "applicant_id"],
                                  ascending=[True, False, True, True])
        place = table.groupby("replication").cumcount()
        size = table.groupby("replication")["score"].transform("size")
        for half, rows in (("better", place < size // 2), ("worse", place >= size - size // 2)):
            means[half].append(table[rows].groupby("replication")["without"].mean().to_numpy())
    found = _half_lines(lines)
    assert set(found) == {"better", "worse"}
    for half, (reference, variant) in means.items():
        differences = variant - reference
        mean, spread = differences.mean(), differences.std(ddof=1) / math.sqrt(len(differences))
        margin = stats.t.ppf(0.975, len(differences) - 1) * spread
        expected = (mean, reference.mean(), variant.mean(), mean - margin, mean + margin)
        written_out, tolerances = found[half][:5], found[half][5:]
        for value, text, tolerance in zip(expected, written_out, tolerances, strict=True):
            assert abs(value - text) <= tolerance + 1e-9, (half, expected, written_out)
    assert found["better"][0] < 0 < found["worse"][0]


def test_the_halves_say_who_they_are_and_how_many_end_otherwise(written):
    """The line after the halves: how many a replication, who ranks them, from when.

    The report's answers give the halves too, and so does the comparison read back.
    """
    folder, lines = written
    page = html.unescape((folder / "report.html").read_text(encoding="utf-8"))
    halves = [line.strip().removeprefix("- ") for line in lines if "efficiency scores" in line
              or "the two halves:" in line]
    assert len(halves) == 3 and all(line in page for line in halves)
    assert Comparison.read(folder).outline() == lines
    said = [line for line in lines if "the two halves:" in line]
    assert len(said) == 1
    assert re.search(r"the two halves: the congestion-relief applicants with a score who "
                     r"asked for priority \(and so queued in it\) who "
                     r"waited while efficiency_2026 ranked them by efficiency and "
                     r"social_priority by request date \(from 2026-01-01\), [\d.]+ per "
                     r"replication, split at each replication's median score; [\d.]+ of them "
                     r"per replication have another outcome in each scenario \(connected, "
                     r"withdrawn or still waiting at the end of the run\)", said[0])


def batteries(by_score: bool) -> dict:
    """Five batteries (congestion relievers with priority) wait for four 1 MW upgrades.

    capacity 0; +1 MW on 1 Jan 2025, 2027, 2029 and 2031; the run ends on 1 Jan 2033
    A 2024-01-01 score 0.3   B 2024-02-01 0.5   C 2024-03-01 0.8   D 2024-04-01 0.1
    E 2024-05-01 0.9
    By request date: A 2025, B 2027, C 2029, D 2031, E never. Ranked by score from 2026
    (``by_score``): A 2025 (before the ranking), then E 2027, C 2029, B 2031, D never.
    """
    scores = {"A": 0.3, "B": 0.5, "C": 0.8, "D": 0.1, "E": 0.9}
    dates = {"A": "2024-01-01", "B": "2024-02-01", "C": "2024-03-01", "D": "2024-04-01",
             "E": "2024-05-01"}
    policy: dict = {"order": "social_priority"}
    if by_score:
        policy["changes"] = [{"date": RANKED_FROM,
                              "within_category": {"congestion_relief": "efficiency"}}]
    return {
        "name": "by_score" if by_score else "by_date", "end": "2033-01-01",
        "replications": 2, "grid": {"capacity_mw": 0.0, "upgrades": [
            {"name": f"u{year}", "date": f"{year}-01-01", "add_mw": 1.0}
            for year in (2025, 2027, 2029, 2031)]},
        "projects": [project(name, date, 1.0, "congestion_relief",
                             **({"efficiency": scores[name]} if by_score else {}))
                     for name, date in dates.items()],
        "policy": policy,
    }


def test_five_batteries_by_hand():
    """A leaves in 2025, before the ranking; B, C, D and E waited: E and C the better half.

    Years without a connection to 1 Jan 2033: the better half (C, E) by date 4.84 and 8.67,
    by score 4.84 and 2.67: 3.0 years shorter on average (E's six years); the worse half (B,
    D) by date 2.92 and 6.75, by score 6.92 and 8.75: 3.0 years longer. E and D end
    otherwise: 2 of the 4, in each replication, so said as whole counts ("4", not "4.0").
    """
    comparison = compare([scenario(**batteries(False)), scenario(**batteries(True))],
                         workers=1)
    lines = comparison.outline()
    year = 365.25

    def years(since: str, until: str) -> float:
        return (dt.date.fromisoformat(until) - dt.date.fromisoformat(since)).days / year

    better = (years("2024-03-01", "2029-01-01") + years("2024-05-01", "2033-01-01")) / 2
    better_after = (years("2024-03-01", "2029-01-01") + years("2024-05-01", "2027-01-01")) / 2
    worse = (years("2024-02-01", "2027-01-01") + years("2024-04-01", "2031-01-01")) / 2
    worse_after = (years("2024-02-01", "2031-01-01") + years("2024-04-01", "2033-01-01")) / 2
    found = _half_lines(lines)
    for half, (was, now) in {"better": (better, better_after),
                             "worse": (worse, worse_after)}.items():
        values, tolerances = found[half][:5], found[half][5:]
        expected = (now - was, was, now, now - was, now - was)
        for value, text, tolerance in zip(expected, values, tolerances, strict=True):
            assert abs(value - text) <= tolerance + 1e-9, (half, expected, values)
    assert any("the two halves: the congestion-relief applicants with a score who asked for "
               "priority (and so queued in it) who waited while by_score ranked them by "
               "efficiency and by_date by request date (from 2026-01-01), 4 per replication"
               in line and "; 2 of them per replication have another outcome in each scenario"
               in line for line in lines), lines


def test_no_halves_where_both_rank_alike():
    """The same ranking in both (or none in either): no halves, whatever else differs.

    efficiency_2026 with its storage patience shortened is paired with efficiency_2026 and
    ranks the same; social_priority against rounds_2027 ranks by efficiency in neither.
    """
    ranked = load_scenario(FAMILY / "efficiency_2026.yaml")
    impatient = load_scenario(FAMILY / "efficiency_2026.yaml",
                              ["name=impatient", "streams.storage.patience_years=2"])
    assert ranked_apart(ranked, impatient) == {}
    assert ranked_apart(load_scenario(FAMILY / "social_priority.yaml"),
                        load_scenario(FAMILY / "rounds_2027.yaml")) == {}
    comparison = compare([ranked, impatient], replications=3, workers=1)
    lines = comparison.outline()
    assert any("congestion-relief applicants" in line for line in lines)
    assert not [line for line in lines if "efficiency scores" in line or "halves" in line]


def test_ranked_apart_gives_the_days_only_one_ranks():
    """From 2026 in one and from 2028 in the other: 2026 and 2027 only; the other way round too."""
    social = load_scenario(FAMILY / "social_priority.yaml")
    ranked = load_scenario(FAMILY / "efficiency_2026.yaml")
    later = load_scenario(FAMILY / "efficiency_2026.yaml", ["policy.changes.1.date=2028-01-01"])
    span = [(dt.date(2026, 1, 1), ranked.end)]
    assert ranked_apart(social, ranked) == {"congestion_relief": span}
    assert ranked_apart(ranked, social) == {"congestion_relief": span}
    assert ranked_apart(later, ranked) == {
        "congestion_relief": [(dt.date(2026, 1, 1), dt.date(2028, 1, 1))]}


def test_no_halves_where_the_policies_differ_in_more_than_the_ranking_by_efficiency():
    """Another policy, or another category order, beside it: the halves would be its effect.

    Against smallest_first from 2024-10-01 the halves read 3 to 5 years shorter for both
    and said the other served them "by request date": the change of policy, credited to
    the ranking by efficiency. Nor where the category order changes with it; where both
    change it, the ranking by efficiency alone differs.
    """
    ranked = load_scenario(FAMILY / "efficiency_2026.yaml")
    with pytest.warns(GridqueueWarning, match="replaces policy.changes whole"):
        smallest = load_scenario(FAMILY / "social_priority.yaml",
                                 ["name=small", "policy.changes=[{date: 2024-10-01, "
                                  "order: smallest_first}]"])
    assert ranked_apart(smallest, ranked) == {}
    reordered = load_scenario(FAMILY / "social_priority.yaml", [
        "name=reordered", "policy.changes.1.category_order=[safety, congestion_relief, "
        "basic_needs, other]", "policy.changes.1.date=2026-01-01"])
    assert ranked_apart(reordered, ranked) == {}
    back = load_scenario(FAMILY / "efficiency_2026.yaml", [
        "name=back", "policy.changes.1.category_order=[safety, congestion_relief, basic_needs, "
        "other]"])
    assert ranked_apart(reordered, back) == {  # both reordered: the ranking alone differs
        "congestion_relief": [(dt.date(2026, 1, 1), back.end)]}


def test_no_halves_without_scores_to_split_by_or_with_scores_that_differ():
    """A folder written before applicants.csv had scores gives none; nor do other scores.

    A variant that draws other scores changes who is best, not only the ranking: its halves
    and the reference's would be other applicants.
    """
    by_date, by_score = (run(scenario(**batteries(flag)), workers=1) for flag in (False, True))
    assert [h.per_replication for h in efficiency_halves(("d", by_date), ("s", by_score))] \
        == [4.0]
    by_score.applicants = by_score.applicants.drop(columns="efficiency")
    assert efficiency_halves(("d", by_date), ("s", by_score)) == []
    later = batteries(True)
    later["policy"]["changes"][0]["date"] = "2028-01-01"
    later["projects"][0]["efficiency"] = 0.6
    rescored = run(scenario(**later), workers=1)
    ranked = run(scenario(**batteries(True)), workers=1)
    assert efficiency_halves(("later", rescored), ("s", ranked)) == []
    later["projects"][0]["efficiency"] = 0.3
    halves = efficiency_halves(("later", run(scenario(**later), workers=1)), ("s", ranked))
    assert [(h.spans, h.ranks) for h in halves] == [
        ([(dt.date(2026, 1, 1), dt.date(2028, 1, 1))], ("s",))]
