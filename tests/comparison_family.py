"""A small scenario family for the comparison, report and sweep tests, written as YAML files.

Four years, two streams, one delayed upgrade and a named project: a replication runs in a few
milliseconds, yet the queue is long enough for the policies to differ.
"""

from __future__ import annotations

from pathlib import Path

FIFO = """\
name: fifo
description: First come, first served.
start: 2022-01-01
end: 2026-01-01
seed: 1
replications: 6
timestep_months: 3
grid:
  capacity_mw: 1
  upgrades:
    - {name: station, date: 2023-06-01, add_mw: 5, delay_years: {dist: uniform, low: 0, high: 1}}
streams:
  basic:
    category: basic_needs
    rate_per_year: 5
    demand_mw: {dist: lognormal, median: 0.4, sigma: 0.5}
    jobs: 20
    patience_years: {dist: exponential, mean: 3}
  other:
    category: other
    rate_per_year: 15
    demand_mw: {dist: lognormal, median: 0.4, sigma: 0.5}
    jobs: 10
    patience_years: {dist: exponential, mean: 3}
"""

PROJECT = """\
projects:
  - {name: Campus, date: 2022-06-01, demand_mw: 0.8, jobs: 300, category: basic_needs}
"""

MEMBERS = {
    "social_priority": "extends: fifo.yaml\nname: social_priority\n"
                       "description: Social priority.\npolicy: {order: social_priority}\n",
    "onsite": "extends: social_priority.yaml\nname: onsite\n"
              "onsite_generation: {share: 0.5, cover: {dist: uniform, low: 0.1, high: 0.4}}\n",
    "other_seed": "extends: fifo.yaml\nname: other_seed\nseed: 99\n",
}


def write_family(folder: Path, projects: bool = True) -> dict[str, Path]:
    """Write fifo.yaml and its members into ``folder``; return their paths by name.

    ``social_priority`` differs from ``fifo`` only in policy, ``onsite`` adds on-site
    generation (both stay paired with ``fifo``); ``other_seed`` draws other applicants.
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"fifo": folder / "fifo.yaml"}
    paths["fifo"].write_text(FIFO + (PROJECT if projects else ""), encoding="utf-8")
    for name, text in MEMBERS.items():
        paths[name] = folder / f"{name}.yaml"
        paths[name].write_text(text, encoding="utf-8")
    return paths


OBSERVATIONS = """\
observations:
  - {date: 2024-01-01, quantity: requests_received, since: 2023-01-01, value: 20,
     uncertainty: 0.9, source: a count, note: requests for a new connection in 2023}
  - {date: 2025-06-01, quantity: connections_made, since: 2023-01-01, value: 1000,
     source: far more than the family connects}
"""
"""Two published figures: requests in 2023 (about the family's 20 a year, loosely stated) and
a count of connections no member comes near, so one verdict is always 'model below'. The
first says what it counts (``note``), the second does not."""


def write_observed(folder: Path) -> dict[str, Path]:
    """Write the family and two members stating :data:`OBSERVATIONS`; return every path.

    ``observed_fifo`` is ``fifo`` and ``observed_sp`` is ``social_priority``, each with the
    observations added (which changes no draw).
    """
    paths = write_family(folder, projects=False)
    for name, parent in (("observed_fifo", "fifo"), ("observed_sp", "social_priority")):
        paths[name] = folder / f"{name}.yaml"
        paths[name].write_text(f"extends: {parent}.yaml\nname: {name}\n{OBSERVATIONS}",
                               encoding="utf-8")
    return paths
