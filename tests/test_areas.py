"""Key figures by grid area (``areas.csv``): each area's own applicants, counted as the docs say.

A planner of a polder split into areas asks how Almere fares beside Lelystad; ``summary.csv``
groups by category only. These tests count each area's figures again from ``applicants.csv``
with code of their own, check that the areas add up to the grid where they should (and say
why they need not behind a shared upstream limit), and that one area writes no ``areas.csv``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import GridqueueError, Results, compare, load_scenario, run, sweep
from sim.analysis.reproduce import reproduce
from sim.cli import main
from sim.report.run import write_report
from sim.runs.areas import freed_by_area
from sim.runs.summary_table import format_summary
from tests.by_hand import restricted_mean, years_without

TWO_AREAS = """\
name: two_areas
start: 2020-01-01
end: 2030-01-01
seed: 11
replications: 4
grid:
  areas:
    north:
      capacity_mw: 1
      upgrades:
        - {name: north station, date: 2023-01-01, add_mw: 0.5,
           delay_years: {dist: uniform, low: 0, high: 1}}
    south: {capacity_mw: 0.5}
waiting_list: {count: 6, earliest: 2018-06-01}
streams:
  north_firms:
    category: other
    area: north
    rate_per_year: 8
    demand_mw: {dist: lognormal, median: 0.2, sigma: 0.5}
    jobs: {dist: uniform, low: 5, high: 25}
    patience_years: {dist: exponential, mean: 8}
  south_schools:
    category: basic_needs
    area: south
    rate_per_year: 3
    demand_mw: {dist: lognormal, median: 0.15, sigma: 0.5}
    jobs: 30
    patience_years: {dist: exponential, mean: 6}
capacity_releases:
  - {name: take-backs, start: 2022-01-01, every_months: 12, after_years: 1, user_share: 0.3,
     mw_share: 0.5, existing_mw: 2}
"""

START = pd.Timestamp("2020-01-01")
END = pd.Timestamp("2030-01-01")  # the end of AREAS, as years_without needs it

# What each area counts, compares and reproduces is checked here, not what a figure shows:
# in this process the figures are laid out and written empty (tests/undrawn.py).
pytestmark = pytest.mark.undrawn


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two-area scenario run and written, as ``gridqueue run`` writes it."""
    where = tmp_path_factory.mktemp("areas")
    (where / "two_areas.yaml").write_text(TWO_AREAS, encoding="utf-8")
    results = run(load_scenario(where / "two_areas.yaml"), workers=1)
    return results.write(where / "out")


def test_each_area_counts_its_own_applicants(folder: Path):
    """Counts, jobs and the mean wait within 5 years, area by area, from applicants.csv."""
    applicants = pd.read_csv(folder / "applicants.csv")
    applicants["request_date"] = pd.to_datetime(applicants["request_date"])
    areas = pd.read_csv(folder / "areas.csv")
    assert list(dict.fromkeys(areas["area"])) == ["north", "south"]
    estimate = areas.set_index(["area", "group", "metric"])["estimate"]
    assert (applicants["source"] == "waiting_list").any()  # its late entry is exercised
    for area, mine in applicants.groupby("area"):
        per_replication = [
            (len(rows), (rows["outcome"] == "withdrawn").sum(),
             rows.loc[rows["outcome"] == "withdrawn", "jobs"].sum(),
             (rows["jobs"] * years_without(rows, START, END)).sum(),
             restricted_mean(rows, 5.0, START))
            for _, rows in mine.groupby("replication")]
        counted = np.array(per_replication, dtype=float).mean(axis=0)
        figures = [estimate[(area, "all", metric)] for metric in (
            "applicants", "withdrawn", "jobs_withdrawn", "job_years_waiting",
            "wait_rmst_5y_years")]
        # request dates are written to the day: the mean wait within 5 years to a day's width
        np.testing.assert_allclose(figures, counted, rtol=1e-4)
        assert np.isfinite(counted).all()
        categories = mine["category"].unique()
        assert len(categories) == 1  # each area has one stream here: its category is all
        assert (estimate[(area, categories[0], "applicants")]
                == estimate[(area, "all", "applicants")])


def test_the_areas_add_up_to_the_grid_without_a_shared_upstream(folder: Path):
    """Counts, MW, idle MW-years and MW freed: the areas' sum is the grid's (summary.csv)."""
    areas = pd.read_csv(folder / "areas.csv")
    summary = pd.read_csv(folder / "summary.csv").set_index(["group", "metric"])["mean"]
    added = areas[areas["group"] == "all"].groupby("metric")["mean"].sum()
    for metric in ("applicants", "connected", "withdrawn", "waiting", "jobs_connected",
                   "mw_connected", "mw_years_waiting", "idle_mw_years", "mw_freed"):
        assert added[metric] == pytest.approx(summary[("all", metric)], rel=1e-9), metric
    assert (areas.loc[(areas["group"] == "all") & (areas["metric"] == "mw_freed"), "mean"]
            > 0).all()  # the take-backs freed MW in both areas
    assert added["idle_mw_years"] > 0


def test_freed_mw_of_a_release_that_names_no_area_is_split_evenly():
    """MW taken back from an applicant count in its area and category.

    Those released by users from before the run count in the release's area, or evenly in
    every area if it names none, as the engine frees them.
    """
    freed = freed_by_area(["a", "b"], area=np.array([0, 1, 1]), category=np.array([3, 2, 3]),
                          reclaimed=[(1.0, 0, 0.4), (2.0, 2, 0.1), (3.0, 2, 0.2)],
                          existing=[(None, 1.0), (1, 0.5)])
    assert freed["a"]["other"] == pytest.approx(0.4) and freed["a"]["all"] == pytest.approx(0.9)
    assert freed["b"]["other"] == pytest.approx(0.3) and freed["b"]["basic_needs"] == 0.0
    assert freed["b"]["all"] == pytest.approx(0.3 + 0.5 + 0.5)


def test_the_report_shows_the_areas_and_reproduce_checks_their_table(folder: Path):
    """A table and a figure by area in report.html; areas.csv among the tables re-run."""
    html = write_report(folder).read_text(encoding="utf-8")
    assert "Headline figures by area" in html and ">north<" in html and ">south<" in html
    assert (folder / "figures" / "areas.png").is_file()
    reproduction = reproduce(folder, workers=2)  # and with two processes: the same bytes
    assert reproduction.tables["areas.csv"] is None and reproduction.identical


def test_reproduce_of_a_folder_written_before_the_tables_by_area(folder: Path, tmp_path: Path):
    """Neither area table: the rest is checked and the two are named as not checked.

    One of the two alone missing is damage, not an older folder: reproduce then fails.
    """
    older = tmp_path / "older"
    shutil.copytree(folder, older, ignore=shutil.ignore_patterns("figures", "report.html"))
    (older / "areas.csv").unlink()
    (older / "area_metrics.csv").unlink()
    found = reproduce(older, workers=1)
    assert found.identical and "areas.csv" not in found.tables
    assert found.not_checked == ["areas.csv", "area_metrics.csv"]
    assert ("  areas.csv and area_metrics.csv: not in the results directory, as in one written "
            "before gridqueue kept figures by area; not checked") in found.report().splitlines()
    shutil.copy(folder / "areas.csv", older / "areas.csv")
    damaged = reproduce(older, workers=1)
    assert not damaged.identical and not damaged.not_checked
    assert damaged.tables["area_metrics.csv"] == "missing from the results directory"


def test_an_area_asked_of_figure_points_to_the_figures_by_area(folder: Path):
    """figure('north', ...) said only that 'north' is an unknown group, among the categories.

    An area's key figures are in by_area(): the error now says so.
    """
    results = Results.read(folder)
    with pytest.raises(GridqueueError) as error:
        results.figure("north", "withdrawn")
    said = str(error.value)
    assert said.startswith("group 'north': a grid area, not a group; its key figures are in "
                           "by_area() (areas.csv), e.g. by_area().query(\"area == 'north'\")")
    assert not results.by_area().query("area == 'north'").empty
    with pytest.raises(GridqueueError, match="unknown group"):
        results.figure("nowhere", "withdrawn")


def test_one_area_writes_no_areas_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A grid of one area: its figures are summary.csv's, so no areas.csv and no section."""
    monkeypatch.setattr("sim.report.run.run_figures", lambda *_: {})  # speed: the page only
    one = (TWO_AREAS.replace("    area: north\n", "").replace("    area: south\n", "")
           .replace(TWO_AREAS[TWO_AREAS.index("  areas:"):TWO_AREAS.index("waiting_list")],
                    "  capacity_mw: 1.5\n"))
    (tmp_path / "one.yaml").write_text(one, encoding="utf-8")
    results = run(load_scenario(tmp_path / "one.yaml", ["replications=2"]), workers=1)
    assert results.by_area().empty
    written = results.write(tmp_path / "out")
    assert not (written / "areas.csv").exists()
    assert "Headline figures by area" not in write_report(written).read_text(encoding="utf-8")


def test_a_sweep_of_several_areas_gives_them_beside_the_whole_grid(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """A sweep gives each area's figures in sweep_areas.csv, and says once where they are.

    Its sweep.csv and each cell's own figures stay the whole grid's, as before areas were
    kept: a reader of sweep.csv finds one row per cell, group and key figure.
    """
    # Without the waiting list, which draws from both streams' rates: south's applicants
    # are then the same in both cells.
    unlisted = TWO_AREAS.replace("waiting_list: {count: 6, earliest: 2018-06-01}\n", "")
    (tmp_path / "two_areas.yaml").write_text(unlisted, encoding="utf-8")
    output = tmp_path / "sweep"
    assert main(["sweep", str(tmp_path / "two_areas.yaml"), "--vary",
                 "streams.north_firms.rate_per_year=4,8", "--replications", "2", "--workers",
                 "1", "-o", str(output)]) == 0
    said = capsys.readouterr().out.splitlines()
    note = ("note: the figures above the areas are the whole grid's, its 2 areas together; "
            "sweep_areas.csv gives every key figure of each area, with its difference from "
            "the first cell.")
    assert said.count(note) == 1
    assert "area" not in pd.read_csv(output / "sweep.csv").columns
    assert all("area" not in pd.read_csv(cell).columns for cell in output.glob("cells/*.csv")
               if not cell.name.endswith(".areas.csv"))
    by_area = pd.read_csv(output / "sweep_areas.csv")
    assert list(dict.fromkeys(by_area["area"])) == ["north", "south"]
    # north_firms redrawn: north's applicants differ, unpaired; south's are the same, paired.
    rows = by_area[(by_area["group"] == "all") & (by_area["metric"] == "applicants")]
    second = rows[rows["streams.north_firms.rate_per_year"] == 8].set_index("area")
    assert not second.loc["north", "paired"] and second.loc["south", "paired"]
    assert "north_firms differ" in second.loc["north", "note"]
    assert second.loc["south", "difference"] == 0


def test_area_names_come_back_as_written_and_an_empty_area_is_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Names that read as numbers or as missing stay names; an area nobody asks in is named.

    '007', 'NA' and '1e3' came back from areas.csv as 7.0, nan and 1000.0, in Python and in
    the report of the folder.
    """
    monkeypatch.setattr("sim.report.run.run_figures", lambda *_: {})  # speed: the page only
    odd = (TWO_AREAS.replace("north", "007").replace("south", "NA")
           .replace("grid:\n  areas:\n", "grid:\n  areas:\n    '1e3': {capacity_mw: 1}\n")
           .replace("area: 007", "area: '007'").replace("area: NA", "area: 'NA'")
           .replace("    007:", "    '007':").replace("    NA:", "    'NA':"))
    (tmp_path / "odd.yaml").write_text(odd, encoding="utf-8")
    written = run(load_scenario(tmp_path / "odd.yaml", ["replications=2"]),
                  workers=1).write(tmp_path / "out")
    assert list(dict.fromkeys(Results.read(written).by_area()["area"])) == ["1e3", "007", "NA"]
    html = write_report(written).read_text(encoding="utf-8")
    assert ">007<" in html and ">NA<" in html and "Nobody asked in 1e3." in html
    assert ">1e3<" not in html  # no row of empty figures
    # The MW freed are shown by area as they are by category.
    assert html.count("MW freed by capacity releases") >= 2


def test_a_comparison_of_the_same_areas_gives_each_area_s_paired_difference(
        folder: Path, tmp_path: Path):
    """Each area's applicants, compared like with like, replication by replication.

    Also from the runs' folders read back (area_metrics.csv), with the same figures.
    """
    scenario = folder.parent / "two_areas.yaml"
    both = compare([scenario, scenario], overrides=["2:grid.areas.south.capacity_mw=2"],
                   workers=1)
    rows = both.table[both.table["population"] == "by_area"]
    assert list(dict.fromkeys(rows["origin"])) == ["north", "south"]
    assert set(rows["group"]) == {"all"}  # an area as a whole, as a stream set apart is
    reference, variant = (both.results[label] for label in both.results)
    own = {label: results.area_metrics.query("group == 'all' and metric == 'connected'")
           .pivot(index="replication", columns="area", values="value")
           for label, results in ((0, reference), (1, variant))}
    change = (own[1] - own[0])["south"]
    south = rows.set_index(["origin", "metric"]).loc[("south", "connected")]
    assert south["difference"] == pytest.approx(change.mean())
    assert south["paired"]
    text = both.sentences()[0]
    assert "; by grid area, all applicants of each: north: " in text and "; south: " in text
    # The same comparison of the two runs' folders, read back.
    folders = [results.write(tmp_path / str(i)) for i, results in enumerate(both.results.values())]
    again = compare(folders, workers=1)
    pd.testing.assert_frame_equal(
        again.table[again.table["population"] == "by_area"].reset_index(drop=True),
        rows.reset_index(drop=True), check_dtype=False)


def test_areas_are_compared_only_where_everyone_is(folder: Path, tmp_path: Path):
    """With a stream set apart, an area's applicants differ between the scenarios: no rows."""
    scenario = folder.parent / "two_areas.yaml"
    (tmp_path / "more.yaml").write_text(
        f"extends: {scenario}\nname: more\nstreams:\n  south_shops:\n    category: other\n"
        "    area: south\n    rate_per_year: 2\n    demand_mw: 0.1\n    jobs: 5\n",
        encoding="utf-8")
    both = compare([scenario, tmp_path / "more.yaml"], workers=1)
    assert "by_area" not in set(both.table["population"])
    assert "by grid area" not in both.sentences()[0]
    # The waiting list splits over one stream more: its rows are drawn differently too.
    assert both.cautions == [
        "more against two_areas: grid areas not compared one by one, as south_shops (waiting "
        "list), south_shops, north_firms (waiting list) and south_schools (waiting list) are "
        "set apart, so an area's applicants are not the same businesses in both"]


def test_a_stream_that_only_changes_category_leaves_the_areas_compared(folder: Path):
    """Its applicants are the same businesses, in the same areas: each area is compared.

    The comparison said instead that the stream was set apart, so an area's applicants were
    not the same businesses in both.
    """
    scenario = folder.parent / "two_areas.yaml"
    both = compare([scenario, scenario], overrides=["2:streams.south_schools.category=other"],
                   replications=2, workers=1)
    populations = set(both.table["population"])
    assert "category_changed" in populations and "by_area" in populations
    assert [text for text in both.cautions if "grid areas" in text] == []


def test_a_stream_moved_into_a_new_area_is_said_to_have_moved(folder: Path, tmp_path: Path):
    """No area compared, no row of its own (its new area is the variant's only), but a word."""
    scenario = folder.parent / "two_areas.yaml"
    both = compare([scenario, scenario], overrides=[
        "2:grid.areas.east={capacity_mw: 1}", "2:streams.north_firms.area=east"],
        replications=2, workers=1)
    assert {"by_area", "area_changed"}.isdisjoint(set(both.table["population"]))
    assert [text.split(", as ", 1)[1] for text in both.cautions if "grid areas" in text] == [
        f"north_firms (waiting list) and north_firms ask in other areas in "
        f"{both.questions[0].variant}, so an area's applicants are not the same businesses in "
        "both"]


def test_a_grid_merged_into_one_area_moves_nobody(folder: Path):
    """Everyone in area 'main' after a merge is not every stream asking in another area."""
    scenario = folder.parent / "two_areas.yaml"
    merged = compare([scenario, scenario], overrides=[
        "2:grid.areas=null", "2:grid.capacity_mw=1.5", "2:streams.north_firms.area=null",
        "2:streams.south_schools.area=null"], replications=2, workers=1)
    assert "area_changed" not in set(merged.table["population"])
    assert "asking in other areas" not in merged.sentences()[0]


def test_a_folder_written_before_the_tables_by_area_is_named(folder: Path, tmp_path: Path):
    """Results of several areas without areas.csv: the comparison says why no area is compared."""
    older = tmp_path / "older"
    shutil.copytree(folder, older)
    for name in ("areas.csv", "area_metrics.csv"):
        (older / name).unlink()
    both = compare([older, folder], workers=1)
    assert "by_area" not in set(both.table["population"])
    assert [text for text in both.cautions if "grid areas" in text] == [
        "two_areas (2) against two_areas: grid areas not compared one by one, as the results "
        "folder of two_areas has no areas.csv (written by an earlier gridqueue); run it again "
        "to compare its areas"]


def test_the_terminal_table_by_area_follows_the_one_by_category(folder: Path):
    """`gridqueue run` prints the headline figures and counts of each area under its table."""
    text = format_summary(Results.read(folder))
    by_category, by_area = text.split("By area, all applicants of each (every figure in "
                                      "areas.csv):\n")
    header = by_area.splitlines()[0].split()
    assert header == ["north", "south"]
    rows = [line for line in by_area.splitlines()[1:] if line[:1].isupper()
            and not line.startswith(("[", "-"))]
    assert [row.split("  ")[0] for row in rows][:1] == [
        "Mean wait in the first 10 years, everyone (years)"]
    assert any(row.startswith("Applicants still waiting at the end of the run") for row in rows)
    assert not any(row.startswith("90th percentile") for row in rows)  # that is in areas.csv


def test_areas_are_compared_only_where_each_stream_asks_in_the_same_area(folder: Path,
                                                                         tmp_path: Path):
    """A stream moved to another area makes both areas' applicants other businesses.

    Moving north's firms south compared 'south' before and after as if the same applicants,
    paired. Areas named in another order, or one nobody asks in, change nothing.
    """
    scenario = folder.parent / "two_areas.yaml"
    moved = compare([scenario, scenario], overrides=["2:streams.north_firms.area=south"],
                    replications=2, workers=1)
    assert "by_area" not in set(moved.table["population"])
    # The moved stream is counted in its category as ever, and on its own too, paired.
    rows = moved.table[moved.table["population"] == "area_changed"]
    assert set(rows["origin"]) == {"north_firms", "north_firms (waiting list)"}
    assert set(rows["group"]) == {"all"} and rows["paired"].all()
    assert "every_applicant" in set(moved.table["population"])
    (text,) = moved.sentences()
    assert "north_firms, asking in other areas (counted above too): " in text
    assert "without north_firms" not in text  # the line over everyone still counts it
    assert [text.split(": ", 1)[1] for text in moved.cautions] == [
        "grid areas not compared one by one, as north_firms (waiting list) and north_firms "
        f"ask in other areas in {moved.questions[0].variant}, so an area's applicants are "
        "not the same businesses in both"]
    reordered = TWO_AREAS.replace("    south: {capacity_mw: 0.5}\n", "").replace(
        "  areas:\n", "  areas:\n    south: {capacity_mw: 0.5}\n", 1)
    (tmp_path / "reordered.yaml").write_text(reordered, encoding="utf-8")
    both = compare([scenario, tmp_path / "reordered.yaml"], replications=2, workers=1)
    rows = both.table[both.table["population"] == "by_area"]
    assert list(dict.fromkeys(rows["origin"])) == ["north", "south"]
    assert (rows["difference"].fillna(0) == 0).all()  # the same grid, written otherwise
    # Nothing said of the areas; only that the order of the inputs chose the reference.
    assert [text for text in both.cautions if "only as the first input" not in text] == []
    # An area nobody asks in has nothing to compare: no rows, nothing said.
    empty = TWO_AREAS.replace("    south: {capacity_mw: 0.5}\n",
                              "    south: {capacity_mw: 0.5}\n    empty: {capacity_mw: 1}\n")
    (tmp_path / "empty.yaml").write_text(empty, encoding="utf-8")
    both = compare([tmp_path / "empty.yaml", tmp_path / "empty.yaml"],
                   overrides=["2:grid.areas.south.capacity_mw=2"], replications=2, workers=1)
    rows = both.table[both.table["population"] == "by_area"]
    assert list(dict.fromkeys(rows["origin"])) == ["north", "south"]
    assert "empty" not in both.sentences()[0]
    # Nobody in the south at all: one area left, and the comparison says why none is compared.
    lone = TWO_AREAS.split("  south_schools:")[0]
    (tmp_path / "lone.yaml").write_text(lone, encoding="utf-8")
    both = compare([tmp_path / "lone.yaml", tmp_path / "lone.yaml"],
                   overrides=["2:grid.areas.north.capacity_mw=2"], replications=2, workers=1)
    assert "by_area" not in set(both.table["population"])
    assert [text.split(", as ", 1)[1] for text in both.cautions] == ["only north has applicants"]


def test_the_window_note_counts_every_scenario_s_areas(folder: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch):
    """The notes beneath the answers and the report's give the window note each areas.csv.

    The comparison table holds a pair's area rows of the variant only; without the
    reference's own, the note cited the variant's missing ten years where the reference
    lacked them more often.
    """
    import sim.analysis.comparison
    import sim.report.data
    from sim.report.narrative import window_note

    given: list[dict[str, pd.DataFrame] | None] = []

    def noting(table: pd.DataFrame, metric: str | None = None,
               areas: dict[str, pd.DataFrame] | None = None) -> str:
        given.append(areas)
        return window_note(table, metric, areas)

    for module in (sim.analysis.comparison, sim.report.data):
        monkeypatch.setattr(module, "window_note", noting)
    monkeypatch.setattr(sim.analysis.comparison.Comparison, "figures", lambda _: {})  # the page
    scenario = folder.parent / "two_areas.yaml"
    both = compare([scenario, scenario], overrides=["2:grid.areas.south.capacity_mw=2"],
                   replications=2, workers=1)
    both.notes()
    both.write(tmp_path / "comparison")
    assert len(given) == 2
    for areas in given:
        assert areas is not None and set(areas) == set(both.results)
        assert all(set(table["area"]) == {"north", "south"} for table in areas.values())


def test_a_sweep_that_moves_a_stream_compares_the_areas_it_leaves_and_enters_unpaired(
        tmp_path: Path):
    """south_schools moved to north: both areas count other businesses, and north says which.

    The whole grid holds the same applicants, paired; each area's are not the first cell's,
    as compare would not set them side by side either.
    """
    (tmp_path / "two_areas.yaml").write_text(TWO_AREAS, encoding="utf-8")
    moved = sweep(tmp_path / "two_areas.yaml", {"streams.south_schools.area": ["south", "north"]},
                  replications=2, workers=1)
    second = list(moved.overrides)[1]
    assert moved.paired[second]["all"]
    rows = moved.by_area()
    rows = rows[(rows["cell"] == second) & (rows["group"] == "all")
                & (rows["metric"] == "applicants")].set_index("area")
    assert not rows.loc["north", "paired"]
    assert "south_schools, south_schools (waiting list) differ" in rows.loc["north", "note"]
    assert rows.loc["south", "estimate"] == 0  # everyone of south asks in north now
    pairing, members = moved.area_paired[second], moved.area_members[second]
    assert not pairing["north"]["all"] and not pairing["south"]["all"]
    assert members["south"]["all"] == members["north"]["all"]


def test_a_sweep_of_one_area_writes_no_areas(tmp_path: Path):
    """One area's figures are the whole grid's: no sweep_areas.csv, no cell's areas file."""
    one = TWO_AREAS.replace("  areas:\n    north:\n      capacity_mw: 1\n", "  capacity_mw: 1\n")
    one = one[:one.index("    south: {capacity_mw: 0.5}\n")] + one[one.index("waiting_list"):]
    one = one.replace("      upgrades:\n        - {name: north", "  upgrades:\n    - {name: north")
    one = one.replace("           delay_years", "       delay_years")
    one = one.replace("    area: north\n", "").replace("    area: south\n", "")
    (tmp_path / "one.yaml").write_text(one, encoding="utf-8")
    result = sweep(tmp_path / "one.yaml", {"grid.capacity_mw": [1, 2]}, replications=2,
                   workers=1)
    written = result.write(tmp_path / "out")
    assert result.areas == [] and result.by_area().empty
    assert not (written / "sweep_areas.csv").exists()
    assert not list(written.glob("cells/*.areas.csv"))
    assert "area" not in " ".join(result.notes())
