"""The engine against the reference model: the same outcome for every applicant.

The engine leaves out allocation passes that cannot connect anyone and books events one at a
time; the reference model (``tests/reference_model.py``) does neither. On random small worlds
both must connect, withdraw and release every applicant at the same time.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from sim.engine.model import GridSetup, NonFirmSetup, Regime, simulate
from sim.inputs.applicants import ApplicantTable
from sim.policies.builtin import FIFOPolicy
from tests.reference_model import reference_run
from tests.test_invariants import HORIZON, worlds

# A thousand random worlds through the engine's hot loop: not traced for coverage, which the
# hand cases, the invariants and every other run measure (tracing would double its time).
pytestmark = [pytest.mark.slow, pytest.mark.no_cover]


SNAPSHOT_TIMES = tuple(q / 4 for q in range(int(HORIZON * 4)))
"""A snapshot every quarter: at the instants at which the random worlds' events happen."""


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_engine_matches_the_reference_model(world):
    """Every applicant's dates, idle MW-years and the timeseries agree with the reference."""
    table, grid, regimes = world
    out = simulate(table, grid, regimes, HORIZON, snapshot_times=list(SNAPSHOT_TIMES))
    reference = reference_run(table, grid, regimes, HORIZON, SNAPSHOT_TIMES)
    np.testing.assert_array_equal(out.connect_time, reference["connect"])
    np.testing.assert_array_equal(out.withdraw_time, reference["withdraw"])
    np.testing.assert_array_equal(out.release_time, reference["release"])
    np.testing.assert_array_equal(out.full_connect_time, reference["full_connect"])
    np.testing.assert_allclose(out.connected_mw, reference["held"], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(out.final_category, reference["final_category"])
    np.testing.assert_allclose(out.idle_mw_years, reference["idle"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(out.idle_any_mw_years, reference["idle_any"], rtol=1e-9,
                               atol=1e-12)
    np.testing.assert_allclose(out.idle_by_category_mw_years, reference["idle_grid"],
                               rtol=1e-9, atol=1e-12)
    assert out.idle_overall_mw_years == pytest.approx(reference["idle_grid_any"], rel=1e-9,
                                                      abs=1e-12)
    if out.non_firm is not None:
        np.testing.assert_array_equal(out.non_firm.time, reference["non_firm_start"])
        np.testing.assert_array_equal(out.non_firm.end, reference["non_firm_end"])
        np.testing.assert_array_equal(out.non_firm.moved, reference["moved_to_firm"])
        np.testing.assert_array_equal(out.non_firm.kept, reference["kept_firm_place"])
        np.testing.assert_allclose(np.nan_to_num(out.non_firm.mw), reference["non_firm_mw"],
                                   rtol=0, atol=1e-12)
        # The share of its right each holder could use: of its hours under rotation, of its MW
        # under proportional sharing (1 under the policy's order, which never oversubscribes).
        usable = out.non_firm.mw_share if grid.non_firm.order == "proportional" \
            else out.non_firm.hours_share / np.array(grid.non_firm.hours_share)[
                np.maximum(out.non_firm.right, 0)] if grid.non_firm.order == "rotation" \
            else out.non_firm.mw_share
        held = ~np.isnan(reference["non_firm_usable"])
        np.testing.assert_allclose(usable[held], reference["non_firm_usable"][held],
                                   rtol=1e-9, atol=1e-12)
    assert [row[:2] for row in out.snapshots] == [row[:2] for row in reference["snapshots"]]
    np.testing.assert_allclose(np.array([row[2:] for row in out.snapshots], dtype=float),
                               np.array([row[2:] for row in reference["snapshots"]], dtype=float),
                               rtol=1e-9, atol=1e-9)


def test_a_connection_that_ends_at_once_frees_its_mw_before_the_line_is_served_again():
    """A right that takes the head out of the firm queue: the line is served in a new pass.

    capacity 1.0 MW, a non-firm pool of 1.0 MW; FIFO, strict; everyone asks at 0
    A 0.2 MW  connects, and its connection ends at once (lifetime 0)
    B 0.9 MW  does not fit the 0.8 MW left; takes a right and leaves the firm queue
    C 2.0 MW  takes partial offers of at least 0.5 MW

    A's release comes before the pass that serves C: C takes the whole 1.0 MW, not the 0.8 MW
    free before it (after which 0.2 MW would lie idle, too little for C's 0.5 MW minimum).
    """
    table = ApplicantTable.from_columns(
        name=["A", "B", "C"], source=["project"] * 3, stream=["project"] * 3,
        category=["other"] * 3, area=["main"] * 3,
        request_time=np.zeros(3), demand_mw=np.array([0.2, 0.9, 2.0]),
        requested_mw=np.array([0.2, 0.9, 2.0]), self_supply=np.zeros(3),
        jobs=np.zeros(3, dtype=np.int64), priority_requested=np.zeros(3, dtype=bool),
        patience_years=np.full(3, np.inf), lifetime_years=np.array([0.0, np.inf, np.inf]),
    )
    table = replace(table, partial_min_share=np.array([1.0, 1.0, 0.25]),
                    non_firm_right=np.array([-1, 0, -1]),
                    keeps_firm_place=np.zeros(3, dtype=bool))
    grid = GridSetup(areas=["main"], capacity_mw=[1.0], upstream_capacity_mw=None, steps=[],
                     non_firm=NonFirmSetup(pool_mw=[1.0], steps=[], order="policy",
                                           rights=["r"], hours_share=[0.5]))
    regimes = [Regime(0.0, FIFOPolicy(), "strict")]
    out = simulate(table, grid, regimes, HORIZON, snapshot_times=[])
    reference = reference_run(table, grid, regimes, HORIZON)
    assert out.connected_mw.tolist() == [0.2, 0.0, 1.0] == reference["held"].tolist()
    assert out.connect_time.tolist() == [0.0, 0.0, 0.0]
    assert out.release_time[0] == 0.0 and out.non_firm.time[1] == 0.0
