"""Room added in an area behind a full shared upstream limit: the comparison says why it did little.

A planner gave Zeewolde/Dronten 20 MW more of its own and read "about the same" in every
category, with no word on why: the upstream limit had no room, so the area's own room could
not be used. ``upstream_share`` reads that from ``timeseries.csv``; the comparison says it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim import compare
from sim.analysis.upstream import upstream_share

# What the comparison says is checked here, not its figures: they are laid out and written
# empty (tests/undrawn.py).
pytestmark = pytest.mark.undrawn

BEHIND = """\
name: behind
start: 2020-01-01
end: 2026-01-01
seed: 5
replications: 3
grid:
  areas:
    north: {capacity_mw: 1}
    south: {capacity_mw: 1}
  upstream: {capacity_mw: 1.2}
streams:
  north_firms:
    category: other
    area: north
    rate_per_year: 10
    demand_mw: 0.2
    jobs: 10
  south_firms:
    category: other
    area: south
    rate_per_year: 10
    demand_mw: 0.2
    jobs: 10
"""


def test_the_share_of_months_held_back_by_the_upstream_by_hand():
    """Four months of one area, three with someone waiting: in two the upstream left less.

    Own room is capacity less connected: 1.0, 0.5, 0.3 (none waiting: not counted), 0.4;
    free to the area 0.2, 0.5, 0.3, 0.1: held back in the first and the last of the three.
    """
    months = pd.DataFrame({
        "area": ["north"] * 4 + ["upstream"],
        "capacity_mw": [2.0, 2.0, 2.0, 2.0, 5.0],
        "connected_mw": [1.0, 1.5, 1.7, 1.6, 4.8],
        "free_mw": [0.2, 0.5, 0.3, 0.1, 0.2],
        "queue_total": [3, 1, 0, 2, 6],
    })
    assert upstream_share(months, "north") == pytest.approx(2 / 3)
    assert upstream_share(months, "south") is None  # nobody waited there


def test_a_comparison_says_where_room_added_stood_behind_the_full_upstream(tmp_path: Path):
    """North's own capacity doubled behind an upstream of 1.2 MW: the note names north only."""
    (tmp_path / "behind.yaml").write_text(BEHIND, encoding="utf-8")
    (tmp_path / "more.yaml").write_text("extends: behind.yaml\nname: more\ngrid:\n  areas:\n"
                                        "    north: {capacity_mw: 2}\n", encoding="utf-8")
    both = compare([tmp_path / "behind.yaml", tmp_path / "more.yaml"], workers=1)
    said = [line.strip() for line in both.outline() if "shared upstream limit" in line]
    assert len(said) == 1 and said[0].startswith(
        "- behind the shared upstream limit, north: more changes the area's own capacity or "
        "upgrades, but the upstream left it less room than its own in ")
    assert "shared upstream limit" in both.sentences()[0]
    share = upstream_share(both.results["more"].timeseries, "north")
    assert share is not None and share > 0.5 and f"{share:.0%} of the months" in said[0]
    # Held back in some months only, the change may show in the others: the note says so.
    assert said[0].endswith(("so a change to it could not show" if share >= 1 else
                             "so a change to it could show only in the other months")
                            + " (timeseries.csv: free_mw against capacity_mw less connected_mw)")
    html = (both.write(tmp_path / "out") / "report.html").read_text(encoding="utf-8")
    assert "<li>behind the shared upstream limit, north: more changes" in html
    # A variant that changes no area's own capacity or upgrades: nothing to say.
    (tmp_path / "jobs.yaml").write_text("extends: behind.yaml\nname: jobs\nstreams:\n"
                                        "  north_firms: {jobs: 20}\n", encoding="utf-8")
    other = compare([tmp_path / "behind.yaml", tmp_path / "jobs.yaml"], workers=1)
    assert not [line for line in other.outline() if "shared upstream limit" in line]


def test_mw_released_by_earlier_users_behind_the_full_upstream_are_named_too(tmp_path: Path):
    """Users connected before the run release 1 MW in north: north's own room, not upstream's.

    A capacity release's existing_mw raises the area's own capacity only, as room added to it
    does; behind the full upstream it cannot show either, and the answer says so of north, the
    area it names, while its MW freed count the whole 1 MW.
    """
    (tmp_path / "behind.yaml").write_text(BEHIND, encoding="utf-8")
    (tmp_path / "freed.yaml").write_text(
        "extends: behind.yaml\nname: freed\ncapacity_releases:\n"
        "  - {name: use-it-or-lose-it, area: north, start: 2021-01-01, user_share: 1.0,\n"
        "     mw_share: 0.5, existing_mw: 2.0}\n", encoding="utf-8")
    both = compare([tmp_path / "behind.yaml", tmp_path / "freed.yaml"], workers=1)
    said = [line.strip() for line in both.outline() if "shared upstream limit" in line]
    assert len(said) == 1 and said[0].startswith(
        "- behind the shared upstream limit, north: freed changes the area's own MW released "
        "by users connected before the run (existing_mw of capacity_releases), but the "
        "upstream left it less room than its own in ")


def test_an_upstream_that_holds_an_area_back_for_a_while_lets_a_change_show_after(
        tmp_path: Path):
    """The upstream grows to 11.2 MW in 2023: from then on north's own room binds, not it.

    The note gives the share of months held back and says the change may show in the others.
    """
    grown = BEHIND.replace("upstream: {capacity_mw: 1.2}",
                           "upstream:\n    capacity_mw: 1.2\n    upgrades: [{name: big, date: "
                           "2023-01-01, add_mw: 10}]")
    (tmp_path / "behind.yaml").write_text(grown, encoding="utf-8")
    (tmp_path / "more.yaml").write_text("extends: behind.yaml\nname: more\ngrid:\n  areas:\n"
                                        "    north: {capacity_mw: 2}\n", encoding="utf-8")
    both = compare([tmp_path / "behind.yaml", tmp_path / "more.yaml"], workers=1)
    said = [line.strip() for line in both.outline() if "shared upstream limit" in line]
    share = upstream_share(both.results["more"].timeseries, "north")
    assert share is not None and 0 < share < 1
    assert len(said) == 1 and said[0].endswith(
        f"{share:.0%} of the months someone waited there (behind: "
        f"{upstream_share(both.results['behind'].timeseries, 'north'):.0%}); then room of the "
        "area's own could not be used, so a change to it could show only in the other months "
        "(timeseries.csv: free_mw against capacity_mw less connected_mw)")
