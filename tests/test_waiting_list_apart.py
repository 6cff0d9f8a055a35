"""A waiting list only one scenario of a pair has is set apart, even where the streams differ.

A variant that draws every stream differently (each rate split over areas, say) is compared in
every applicant, marked not like with like. A waiting list it adds on top is not a redrawn
stream but people the reference never has: counted in, 50 listed applicants of whom 32 withdrew
read as "39.8 more withdrawn" when the streams' own applicants withdrew 7 more. So the list is
set apart and named, as an added stream or project is; a list both have alike stays in.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.analysis.comparison import Comparison, compare
from sim.runs.metrics import ALL, DRAWN_DIFFERENTLY, ONLY_IN_VARIANT, STREAMS_DIFFER
from tests.comparison_family import write_family

REDRAWN = "streams:\n  other:\n    rate_per_year: 10\n  basic:\n    rate_per_year: 4\n"
"""Every stream of the family at another rate: no stream of both is drawn alike."""

LIST = ("waiting_list: {count: %d, earliest: 2020-06-01, latest: 2021-12-31, "
        "mix: {basic: 1, other: 3}}\n")


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(f"extends: social_priority.yaml\nname: {name}\n{text}", encoding="utf-8")
    return path


def _pair(folder: Path, reference: str, variant: str) -> Comparison:
    write_family(folder, projects=False)
    return compare([_write(folder, "ref", reference), _write(folder, "var", variant)],
                   reference="ref", workers=1, replications=4)


def _applicants(comparison: Comparison, label: str, folder: Path) -> pd.DataFrame:
    """The scenario's applicants.csv, as written and read back."""
    written = comparison.results[label].write(folder / f"{label}_results")
    return pd.read_csv(written / "applicants.csv")


def _counts(applicants: pd.DataFrame) -> pd.Series:
    """Applicants and withdrawals per replication, averaged over the replications."""
    per = applicants.groupby("replication").agg(
        applicants=("outcome", "size"),
        withdrawn=("outcome", lambda o: int((o == "withdrawn").sum())))
    return per.mean()


def _rows(comparison: Comparison, population: str) -> pd.DataFrame:
    rows = comparison.differences
    return rows[(rows["scenario"] == "var") & (rows["population"] == population)
                & (rows["group"] == ALL)].set_index("metric")


def _answer(comparison: Comparison) -> str:
    return next(s for s in comparison.sentences() if "var against ref" in s)


def test_a_list_only_the_variant_has_is_left_out_of_every_applicant(tmp_path: Path) -> None:
    """The figures over everyone count the streams' applicants only; the list is on its own."""
    comparison = _pair(tmp_path, "", REDRAWN + LIST % 12)
    mine = _applicants(comparison, "var", tmp_path)
    theirs = _applicants(comparison, "ref", tmp_path)
    assert (mine["source"] == "waiting_list").groupby(mine["replication"]).sum().eq(12).all()
    streamed = _counts(mine[mine["source"] != "waiting_list"])
    before = _counts(theirs)
    everyone = _rows(comparison, STREAMS_DIFFER)
    for metric in ("applicants", "withdrawn"):
        assert everyone.loc[metric, "mean"] == pytest.approx(streamed[metric])
        assert everyone.loc[metric, "difference"] == pytest.approx(
            streamed[metric] - before[metric])
    assert "(waiting list)" not in str(everyone["origin"].iloc[0])
    alone = _rows(comparison, ONLY_IN_VARIANT)
    assert alone.loc["applicants", "mean"] == 12
    assert alone["origin"].iloc[0] == "the waiting list (12 applicants)"
    text = _answer(comparison)
    assert "every applicant but the waiting list, not like with like: the streams differ " \
        "(basic, other)" in text
    assert "without the waiting list (12 applicants)" in text
    assert "the waiting list (12 applicants) (only in var" in text


def test_a_list_both_have_alike_is_still_counted_in_everyone(tmp_path: Path) -> None:
    """The same list in both: the same kind of applicants on each side, compared as before."""
    comparison = _pair(tmp_path, LIST % 12, REDRAWN + LIST % 12)
    mine = _applicants(comparison, "var", tmp_path)
    everyone = _rows(comparison, STREAMS_DIFFER)
    assert everyone.loc["applicants", "mean"] == pytest.approx(_counts(mine)["applicants"])
    assert set(comparison.differences.loc[comparison.differences["scenario"] == "var",
                                          "population"]) == {STREAMS_DIFFER}
    assert "without the waiting list" not in _answer(comparison)
    assert "every applicant, not like with like" in _answer(comparison)


def test_another_list_in_each_is_set_apart_from_both(tmp_path: Path) -> None:
    """A list of 20 against one of 12: neither side's list counts in everyone; both named."""
    comparison = _pair(tmp_path, LIST % 12, REDRAWN + LIST % 20)
    mine = _applicants(comparison, "var", tmp_path)
    theirs = _applicants(comparison, "ref", tmp_path)
    everyone = _rows(comparison, STREAMS_DIFFER)
    assert everyone.loc["withdrawn", "difference"] == pytest.approx(
        _counts(mine[mine["source"] != "waiting_list"])["withdrawn"]
        - _counts(theirs[theirs["source"] != "waiting_list"])["withdrawn"])
    listed = _rows(comparison, DRAWN_DIFFERENTLY)
    assert listed.loc["applicants", "mean"] == 20
    assert listed.loc["applicants", "difference"] == 8
    assert "without the waiting list" in _answer(comparison)


def test_a_project_only_the_variant_has_is_set_apart_where_the_streams_differ(
        tmp_path: Path) -> None:
    """A named project is one business the reference never has, whatever the streams do.

    Where every stream was redrawn it was counted in everyone and named only among the
    streams that differ; its own figures and dates were not given.
    """
    project = ("projects:\n  - {name: Campus, date: 2022-06-01, demand_mw: 0.5, jobs: 900, "
               "category: other}\n")
    comparison = _pair(tmp_path, "", REDRAWN + project)
    mine = _applicants(comparison, "var", tmp_path)
    theirs = _applicants(comparison, "ref", tmp_path)
    assert (mine["name"] == "Campus").groupby(mine["replication"]).sum().eq(1).all()
    everyone = _rows(comparison, STREAMS_DIFFER)
    assert everyone.loc["applicants", "difference"] == pytest.approx(
        _counts(mine[mine["name"] != "Campus"])["applicants"] - _counts(theirs)["applicants"])
    assert "Campus" not in str(everyone["origin"].iloc[0])
    alone = _rows(comparison, ONLY_IN_VARIANT)
    assert list(alone["origin"].unique()) == ["Campus"]
    assert alone.loc["applicants", "mean"] == 1
    text = _answer(comparison)
    assert "every applicant but Campus, not like with like: the streams differ" in text


def test_the_report_says_where_categories_do_not_count_the_same_applicants() -> None:
    """The note under the answers claimed like with like for every pair, split areas too."""
    import sim.report

    template = (Path(sim.report.__file__).parent / "templates" / "report.html.j2").read_text(
        encoding="utf-8")
    assert "Each category counts the same applicants in both scenarios:" not in template
    assert ("not like with like, but for a waiting list that is not the same in both and a "
            "named project only one has, which it sets apart") in template
    assert "other periods, it counts every applicant, not like with like, and sets nothing " \
        "apart" in template
