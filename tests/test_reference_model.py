"""The engine against the reference model: the same outcome for every applicant.

The engine leaves out allocation passes that cannot connect anyone and books events one at a
time; the reference model (``tests/reference_model.py``) does neither. On random small worlds
both must connect, withdraw and release every applicant at the same time.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings

from sim.engine.model import simulate
from tests.reference_model import reference_outcomes
from tests.test_invariants import HORIZON, worlds


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_engine_matches_the_reference_model(world):
    """Connection, withdrawal and release times equal the reference model's, exactly."""
    table, grid, regimes = world
    out = simulate(table, grid, regimes, HORIZON, snapshot_times=[0.0])
    connect, withdraw, release = reference_outcomes(table, grid, regimes, HORIZON)
    np.testing.assert_array_equal(out.connect_time, connect)
    np.testing.assert_array_equal(out.withdraw_time, withdraw)
    np.testing.assert_array_equal(out.release_time, release)
