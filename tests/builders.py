"""Small scenarios for tests, built in code so each test shows the world it checks."""

from __future__ import annotations

from typing import Any

from sim.inputs.scenario import Scenario


def scenario(**fields: Any) -> Scenario:
    """A validated scenario: one area, no streams, one replication, unless fields say else."""
    base: dict[str, Any] = {
        "name": "test",
        "start": "2024-01-01",
        "end": "2030-01-01",
        "replications": 1,
        "seed": 7,
        "grid": {"capacity_mw": 1.0},
    }
    base.update(fields)
    return Scenario.model_validate(base)


def project(name: str, date: str, demand_mw: float, category: str = "other", **more: Any) -> dict:
    """A named project: a request with a fixed date and size, so outcomes are exact."""
    return {"name": name, "date": date, "demand_mw": demand_mw, "category": category, **more}
