"""One difference of a comparison by name: the row asked for, or a refusal naming the choices."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim import Comparison, GridqueueError, compare
from sim.analysis.one_difference import Difference
from tests.comparison_family import write_family
from tests.test_areas import TWO_AREAS

# The differences are checked here, not what a figure shows: in this process the figures
# are laid out and written empty (tests/undrawn.py).
pytestmark = pytest.mark.undrawn


@pytest.fixture(scope="module")
def family(tmp_path_factory: pytest.TempPathFactory) -> Comparison:
    """The fifo scenario beside another policy (paired) and another seed (not)."""
    paths = write_family(tmp_path_factory.mktemp("family"))
    return compare([paths[name] for name in ("fifo", "social_priority", "other_seed")],
                   workers=1)


@pytest.fixture(scope="module")
def areas(tmp_path_factory: pytest.TempPathFactory) -> Comparison:
    """Two grid areas, the south one given more capacity: a row per area beside the grid's."""
    path = tmp_path_factory.mktemp("areas") / "two_areas.yaml"
    path.write_text(TWO_AREAS, encoding="utf-8")
    return compare([path, path], overrides=["2:grid.areas.south.capacity_mw=2"], workers=1)


def _row(table: pd.DataFrame, **names: str) -> pd.Series:
    rows = table[(table[list(names)] == pd.Series(names)).all(axis=1)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_a_difference_is_its_row_of_the_table(family: Comparison) -> None:
    found = family.difference("jobs_withdrawn", "other", "social_priority")
    row = _row(family.differences, scenario="social_priority", group="other",
               metric="jobs_withdrawn")
    assert (found.estimate, found.ci_low, found.ci_high, found.reference_mean) == (
        row["difference"], row["difference_ci_low"], row["difference_ci_high"],
        row["reference_mean"])
    assert found.ci_low < found.estimate < found.ci_high
    assert (found.reference, found.paired, found.unit, found.area) == ("fifo", True, "jobs",
                                                                       None)
    assert not family.difference("connected", scenario="other_seed").paired


@pytest.mark.parametrize(("arguments", "message"), [
    ({"metric": "jobs_withdraw", "scenario": "social_priority"},
     "metric='jobs_withdraw': not a key figure .*did you mean 'jobs_withdrawn'"),
    ({"metric": "withdrawn_jobs", "scenario": "social_priority"},
     "did you mean 'jobs_withdrawn'"),
    ({"metric": "connected", "group": "basic_need", "scenario": "social_priority"},
     "group='basic_need': not a group .*did you mean 'basic_needs'.*expected one of"),
    ({"metric": "connected", "scenario": "fifo"},
     "scenario='fifo': not a variant .*expected one of social_priority, other_seed"),
    ({"metric": "connected"},
     r"scenario: more than one variant would match \(social_priority, other_seed\); name "
     "one, e.g. scenario='social_priority'"),
    ({"metric": "connected", "scenario": "social_priority", "area": "north"},
     "area='north': this comparison has no differences by grid area"),
])
def test_a_name_not_in_the_comparison_is_refused(family: Comparison, arguments: dict[str, str],
                                                 message: str) -> None:
    with pytest.raises(GridqueueError, match=message):
        family.difference(**arguments)


def test_an_area_s_difference_is_its_own_row(areas: Comparison) -> None:
    """Without an area, the whole grid's row; with one, that area's: never several."""
    grid = areas.difference("connected")
    south = areas.difference("connected", area="south")
    table = areas.differences
    assert grid.estimate == _row(table, group="all", metric="connected",
                                 population="every_applicant")["difference"]
    assert south.estimate == _row(table, group="all", metric="connected", population="by_area",
                                  origin="south")["difference"]
    assert (grid.area, south.area, south.population) == (None, "south", "by_area")
    assert south.reference_mean < grid.reference_mean  # the south alone, not the grid
    with pytest.raises(GridqueueError, match="area='sout': not a grid area .*did you mean "
                       "'south'.*expected one of north, south"):
        areas.difference("connected", area="sout")
    # A category within an area read 'this comparison has no differences by grid area'.
    group = next(g for g in table["group"].unique() if g != "all")
    with pytest.raises(GridqueueError, match=f"area='south', group='{group}': a difference by "
                       "grid area counts every applicant of the area, group='all'"):
        areas.difference("connected", group, area="south")


def test_a_read_comparison_gives_the_same_difference(family: Comparison, tmp_path: Path) -> None:
    family.write(tmp_path / "written")
    found = Comparison.read(tmp_path / "written").difference("wait_mean_years", "basic_needs",
                                                             "social_priority")
    assert isinstance(found, Difference)
    assert found == family.difference("wait_mean_years", "basic_needs", "social_priority")
