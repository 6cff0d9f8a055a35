"""Upgrades that share one delay (``same_delay_as``): the parts of one station come together.

A station feeding two areas was written as two upgrades, each drawing its own delay, so in
some replications one area had the station a year before the other; behind a shared upstream
limit the areas then raced for its room, and the answers by area followed which part came
first. These tests check that the parts come on the same day in every replication, that
nothing else is drawn differently, and that each mistake in naming the shared upgrade gets one
clear message.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

from sim import GridqueueWarning, InputError, load_scenario, run
from sim.inputs.rng import RandomStreams
from sim.runs.replication import grid_setup, upgrade_delays

STATION = """\
name: station
start: 2020-01-01
end: 2032-01-01
seed: 5
replications: 6
grid:
  areas:
    north:
      capacity_mw: 0
      upgrades:
        - {name: New station, date: 2025-01-01, add_mw: 3,
           delay_years: {dist: uniform, low: 0, high: 3}}
        - {name: Local transformer, date: 2023-01-01, add_mw: 0.5,
           delay_years: {dist: uniform, low: 0, high: 1}}
    south:
      capacity_mw: 0
      upgrades:
        - {name: New station south share, date: 2025-06-01, add_mw: 2,
           same_delay_as: New station}
  upstream:
    capacity_mw: 0
    upgrades:
      - {name: Upstream room of the station, date: 2025-01-01, add_mw: 4,
         same_delay_as: New station}
streams:
  north_firms: {category: other, area: north, rate_per_year: 4, demand_mw: 0.2}
  south_firms: {category: other, area: south, rate_per_year: 4, demand_mw: 0.2}
"""


def _scenario(tmp_path: Path, text: str = STATION, overrides: list[str] | None = None):
    path = tmp_path / "station.yaml"
    path.write_text(text, encoding="utf-8")
    return load_scenario(path, overrides or [])


def test_the_parts_of_one_station_come_with_the_same_delay(tmp_path: Path):
    """Each part at its own date plus the one delay drawn for the station, in every replication.

    The station's own delay and the transformer's are the draws they had before the others
    shared one: naming the shared delay draws nothing new.
    """
    scenario = _scenario(tmp_path)
    alone = _scenario(tmp_path, re.sub(r",\s*same_delay_as: New station", "", STATION))
    seen = set()
    for replication in range(scenario.replications):
        streams = RandomStreams(scenario.seed, replication)
        delays = upgrade_delays(scenario, streams)
        station, transformer = delays["grid.areas.north.upgrades"]
        assert delays["grid.areas.south.upgrades"] == [station]
        assert delays["grid.upstream.upgrades"] == [station]
        others = upgrade_delays(alone, streams)
        assert others["grid.areas.north.upgrades"] == [station, transformer]
        steps = {step.add_mw: step.time for step in grid_setup(scenario, streams).steps}
        start_gap = (scenario.years_since_start(scenario.grid.areas["south"].upgrades[0].date)
                     - scenario.years_since_start(scenario.grid.areas["north"].upgrades[0].date))
        assert steps[2.0] - steps[3.0] == pytest.approx(start_gap)  # dates apart, delay shared
        assert steps[4.0] == steps[3.0]
        seen.add(round(station, 6))
    assert len(seen) == scenario.replications  # a delay drawn per replication, not a constant


def test_shared_delays_run_and_the_outline_says_so(tmp_path: Path):
    """A run takes the shared delays; the assumptions name the upgrade whose delay is taken."""
    results = run(_scenario(tmp_path), workers=1)
    assert results.applicants["outcome"].eq("connected").any()
    text = (results.write(tmp_path / "out") / "scenario.yaml").read_text(encoding="utf-8")
    assert "same_delay_as: New station" in text  # the resolved file keeps the link


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(InputError) as caught:
        _scenario(tmp_path, text)
    return str(caught.value)


def test_an_unknown_name_is_refused_with_the_nearest(tmp_path: Path):
    text = STATION.replace("same_delay_as: New station}\n  upstream", "same_delay_as: Nw station}"
                           "\n  upstream")
    message = _error(tmp_path, text)
    assert "grid.areas.south.upgrades.0.same_delay_as: unknown upgrade 'Nw station' (did you " \
           "mean 'New station'?)" in message


def test_a_delay_of_its_own_and_a_shared_one_are_refused(tmp_path: Path):
    text = STATION.replace("same_delay_as: New station}\n  upstream",
                           "same_delay_as: New station, delay_years: 1}\n  upstream")
    message = _error(tmp_path, text)
    assert "grid.areas.south.upgrades.0.same_delay_as: expected delay_years or same_delay_as, " \
           "not both" in message


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("{name: Local transformer", "{name: New station",
     "'New station' names 2 upgrades; expected a name given once"),
    ("same_delay_as: New station}\n  upstream", "same_delay_as: New station south share}\n"
     "  upstream", "expected another upgrade than 'New station south share' itself"),
    ("add_mw: 4,\n         same_delay_as: New station}", "add_mw: 4,\n         same_delay_as: "
     "New station south share}", "'New station south share' shares the delay of 'New "
     "station' itself; expected the name of the upgrade that has the delay_years"),
    ("add_mw: 3,\n           delay_years: {dist: uniform, low: 0, high: 3}}", "add_mw: 3}",
     "'New station' has no delay_years to share"),
], ids=["twice", "itself", "chain", "on-time"])
def test_what_the_shared_upgrade_must_be(tmp_path: Path, old: str, new: str, expected: str):
    assert old in STATION
    assert expected in _error(tmp_path, STATION.replace(old, new, 1))


def test_a_shared_delay_that_takes_a_part_past_the_end_is_warned_of(tmp_path: Path):
    """The earliest date counts the shared delay's shortest, as for a delay of its own."""
    text = STATION.replace("low: 0, high: 3}}", "low: 1, high: 3}}").replace(
        "date: 2025-06-01", "date: 2031-06-01")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _scenario(tmp_path, text)
    said = [str(w.message) for w in caught if issubclass(w.category, GridqueueWarning)]
    assert any("grid.areas.south.upgrades.0 (New station south share) comes at the earliest "
               "on 2032-05-31" in text and "after the end (2032-01-01)" in text
               for text in said), said


def test_an_area_named_upstream_takes_the_delay_it_names(tmp_path: Path):
    """Upgrades of an area named 'upstream' draw from the streams the upstream's do.

    The shared delay was looked up by that stream's name, so a sharer in the area took the
    upstream's upgrade of its own name instead of the one it named.
    """
    text = """\
name: named_upstream
start: 2020-01-01
end: 2032-01-01
seed: 5
replications: 2
grid:
  areas:
    upstream:
      capacity_mw: 0
      upgrades:
        - {name: Station, date: 2025-01-01, add_mw: 1,
           delay_years: {dist: uniform, low: 0, high: 3}}
        - {name: Room, date: 2025-01-01, add_mw: 1, same_delay_as: Station}
    other: {capacity_mw: 0}
  upstream:
    capacity_mw: 0
    upgrades:
      - {name: Room, date: 2025-01-01, add_mw: 1, delay_years: {dist: uniform, low: 5, high: 6}}
streams:
  firms: {category: other, area: other, rate_per_year: 4, demand_mw: 0.2}
"""
    scenario = _scenario(tmp_path, text)
    for replication in range(2):
        delays = upgrade_delays(scenario, RandomStreams(scenario.seed, replication))
        station, room = delays["grid.areas.upstream.upgrades"]
        assert room == station and 0 <= station <= 3
        assert 5 <= delays["grid.upstream.upgrades"][0] <= 6
