"""Same scenario and seed give identical results, whatever the number of worker processes.

Scenarios that differ only in policy see the same applicants (common random numbers).
"""

from __future__ import annotations

import io

from sim import run
from sim.runs.runner import _batches
from tests.builders import scenario

STREAMS = {
    "logistics": {
        "category": "other", "rate_per_year": 40,
        "demand_mw": {"dist": "lognormal", "median": 0.4, "sigma": 0.8},
        "jobs": {"dist": "exponential", "mean": 30},
        "patience_years": {"dist": "weibull", "shape": 1.5, "scale": 5},
    },
    "schools": {
        "category": "basic_needs", "rate_per_year": 6,
        "demand_mw": {"dist": "triangular", "low": 0.1, "mode": 0.3, "high": 1.0},
        "lifetime_years": {"dist": "uniform", "low": 2, "high": 8},
    },
}


def world(**changes):
    fields = {
        "replications": 6, "seed": 11, "streams": STREAMS,
        "grid": {"capacity_mw": 3.0, "upgrades": [
            {"name": "station", "date": "2027-01-01", "add_mw": 10.0,
             "delay_years": {"dist": "exponential", "mean": 1.0}}]},
        "waiting_list": {"count": 40, "earliest": "2022-01-01"},
        "policy": {"order": "fifo", "changes": [{"date": "2025-01-01",
                                                 "order": "social_priority"}]},
    }
    fields.update(changes)
    return scenario(**fields)


def csv_text(frame) -> str:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue()


def test_results_do_not_depend_on_the_number_of_workers():
    """applicants.csv and timeseries.csv are byte-identical with 1 and 2 workers."""
    one = run(world(), workers=1)
    two = run(world(), workers=2)
    assert csv_text(one.applicants) == csv_text(two.applicants)
    assert csv_text(one.timeseries) == csv_text(two.timeseries)
    assert csv_text(one.summary) == csv_text(two.summary)


def test_replications_sent_to_a_worker_together_are_each_their_own():
    """Twenty replications on two workers go out in batches of two: the same rows as one.

    With six replications each batch holds one, so a worker running a batch as its first
    replication again and again passed the test above.
    """
    assert max(len(batch) for batch in _batches(list(range(20)), 2)) > 1
    small = world(replications=20, end="2028-01-01",
                  waiting_list={"count": 5, "earliest": "2022-01-01"})
    one = run(small, workers=1).applicants
    two = run(small, workers=2).applicants
    assert csv_text(one) == csv_text(two)
    firsts = one.groupby("replication")["request_date"].min()
    assert firsts.nunique() > 1  # the replications differ: a copy of one would show


def test_a_replication_run_alone_equals_the_same_replication_in_a_full_run():
    """Replication 4 alone gives the rows replication 4 has in a run of all six."""
    full = run(world(), workers=1).applicants
    alone = run(world(), workers=1, replications=[4]).applicants
    assert csv_text(alone) == csv_text(full[full["replication"] == 4].reset_index(drop=True))


def test_policies_see_the_same_applicants():
    """Common random numbers: FIFO and social priority draw identical applicants."""
    fifo = run(world(policy={"order": "fifo"}), workers=1).applicants
    social = run(world(policy={"order": "social_priority", "allocation": "first_fit"}),
                 workers=1).applicants
    who = ["replication", "applicant_id", "stream", "category", "request_date", "demand_mw",
           "requested_mw", "jobs", "priority_requested"]
    assert csv_text(fifo[who]) == csv_text(social[who])
    assert not fifo["outcome"].equals(social["outcome"])  # and the policy does matter


def test_onsite_generation_keeps_the_same_applicants_and_demand():
    """Adding on-site generation changes grid requests, never who asks or their demand."""
    plain = run(world(), workers=1).applicants
    onsite = run(world(onsite_generation={"share": 0.5, "cover": {"dist": "uniform",
                                                                   "low": 0.1, "high": 0.4}}),
                 workers=1).applicants
    same = ["replication", "applicant_id", "request_date", "demand_mw", "jobs"]
    assert csv_text(plain[same]) == csv_text(onsite[same])
    adopted = onsite["self_supply"] > 0
    assert 0.3 < adopted.mean() < 0.7
    assert (onsite.loc[adopted, "requested_mw"] < onsite.loc[adopted, "demand_mw"]).all()


def test_another_seed_gives_other_applicants():
    """The seed matters: a different seed draws a different world."""
    first = run(world(), workers=1).applicants
    second = run(world(seed=12), workers=1).applicants
    assert csv_text(first) != csv_text(second)


KEY_FIGURE_IN_A_PROCESS = """
import numpy as np
from sim.runs.incidence import incidence_curve, restricted_mean_wait
rng = np.random.default_rng(5)
waits = rng.exponential(2.0, 200_000)
outcome = rng.integers(0, 3, waits.size)
curve = incidence_curve(waits, outcome == 0, outcome == 1, np.zeros(waits.size))
print(restricted_mean_wait(curve, 10.0).hex(), restricted_mean_wait(curve, 5.0).hex())
"""
"""A mean wait within a window, over 200,000 distinct waits: a key figure of a large run."""


def test_key_figures_do_not_depend_on_how_many_threads_blas_has():
    """Same curve, same bits, with one BLAS thread (as in a Dask worker) or the machine's.

    A long dot product is split among BLAS's threads; the mean wait within a window once
    was one, and its last digit followed the number of cores.
    """
    import os
    import subprocess
    import sys

    values = set()
    for threads in ("1", "4"):  # BLAS starts four threads on fewer cores too
        env = {**os.environ, "OPENBLAS_NUM_THREADS": threads, "OMP_NUM_THREADS": threads,
               "MKL_NUM_THREADS": threads}
        values.add(subprocess.run([sys.executable, "-c", KEY_FIGURE_IN_A_PROCESS], env=env,
                                  check=True, capture_output=True, text=True).stdout)
    assert len(values) == 1, values
