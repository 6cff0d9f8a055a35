"""Queue policies: vectorised ranks agree with the documented sort keys; custom policies."""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.inputs.applicants import CATEGORIES, ApplicantTable
from sim.policies import (
    POLICIES,
    QueuePolicy,
    SocialPriorityPolicy,
    register_policy,
    resolve_policy,
)
from sim.policies.checked import exits_refused


@st.composite
def tables(draw):
    n = draw(st.integers(0, 40))
    column = lambda strategy, dtype=float: np.array(  # noqa: E731
        draw(st.lists(strategy, min_size=n, max_size=n)), dtype=dtype)
    times = np.sort(column(st.integers(-4, 12).map(lambda q: q / 4)))
    requested = column(st.integers(1, 9).map(lambda x: x / 4))
    return ApplicantTable.from_columns(
        name=[""] * n, source=["stream"] * n, stream=["s"] * n,
        category=column(st.sampled_from(CATEGORIES), object),
        area=["main"] * n, request_time=times, demand_mw=requested,
        requested_mw=requested, self_supply=np.zeros(n), jobs=column(st.integers(0, 50), int),
        priority_requested=column(st.booleans(), bool), patience_years=np.full(n, np.inf),
        lifetime_years=np.full(n, np.inf),
        efficiency=column(st.sampled_from([-np.inf, 0.0, 0.25, 0.25, 1.0])),
    )


def reference_ranks(policy: QueuePolicy, table: ApplicantTable) -> np.ndarray:
    """The documented rule: sort by (sort_key, applicant_id)."""
    return QueuePolicy.ranks(policy, table)


@settings(max_examples=150, deadline=None)
@given(tables(), st.sampled_from(sorted(POLICIES)), st.permutations(CATEGORIES))
def test_fast_ranks_agree_with_sort_keys(table, name, order):
    """Each built-in policy's vectorised ranks equal ranking by its sort key."""
    policy = POLICIES[name](category_order=order)
    np.testing.assert_array_equal(policy.ranks(table), reference_ranks(policy, table))


@settings(max_examples=150, deadline=None)
@given(tables(), st.permutations(CATEGORIES),
       st.dictionaries(st.sampled_from(CATEGORIES), st.sampled_from(["request_date",
                                                                      "efficiency"])))
def test_ranks_within_categories_agree_with_sort_keys(table, order, within):
    """Social priority's vectorised ranks equal its sort key with categories ranked inside."""
    policy = SocialPriorityPolicy(category_order=order, within_category=within)
    np.testing.assert_array_equal(policy.ranks(table), reference_ranks(policy, table))


def test_efficiency_ranks_the_best_offer_first_within_its_category():
    """Congestion relievers by score (unscored last, ties by request); safety by request."""
    table = ApplicantTable.from_columns(
        name=list("abcdef"), source=["project"] * 6, stream=["project"] * 6,
        category=["congestion_relief"] * 4 + ["safety", "safety"], area=["main"] * 6,
        request_time=np.arange(6.0), demand_mw=np.ones(6), requested_mw=np.ones(6),
        self_supply=np.zeros(6), jobs=np.zeros(6, dtype=int),
        priority_requested=np.ones(6, dtype=bool), patience_years=np.full(6, np.inf),
        lifetime_years=np.full(6, np.inf),
        efficiency=np.array([0.2, -np.inf, 0.9, 0.2, 0.9, 0.1]))
    policy = SocialPriorityPolicy(within_category={"congestion_relief": "efficiency"})
    line = np.argsort(policy.ranks(table))
    assert "".join(table.name[line]) == "cadbef"
    assert "".join(table.name[np.argsort(SocialPriorityPolicy().ranks(table))]) == "abcdef"


def test_social_priority_ignores_category_without_request():
    """A safety applicant who did not ask for priority queues as 'other'."""
    policy = SocialPriorityPolicy()
    assert policy.priority_class("safety", priority_requested=False) == 3
    assert policy.priority_class("safety", priority_requested=True) == 1


def test_a_custom_policy_in_a_few_lines(tmp_path):
    """A student's policy, registered by name, orders by jobs per MW."""

    @register_policy
    class JobsPerMWPolicy(QueuePolicy):
        name = "test_jobs_per_mw"

        def sort_key(self, applicant):
            return (-applicant.jobs / applicant.requested_mw,)

    try:
        assert resolve_policy("test_jobs_per_mw") is JobsPerMWPolicy
    finally:
        del POLICIES["test_jobs_per_mw"]


def test_module_class_policy_loads_from_the_scenario_folder(tmp_path):
    """'module:Class' is imported from the folder the scenario lives in."""
    (tmp_path / "mypolicies.py").write_text(
        "from sim import QueuePolicy\n"
        "class Biggest(QueuePolicy):\n"
        "    def sort_key(self, a):\n"
        "        return (-a.requested_mw,)\n"
    )
    cls = resolve_policy("mypolicies:Biggest", tmp_path)
    assert cls.__name__ == "Biggest"


def test_unknown_policy_suggests_the_nearest_name():
    """A misspelt policy name gets a 'did you mean' hint."""
    with pytest.raises(LookupError, match="did you mean 'social_priority'"):
        resolve_policy("social_priorty")


def test_refusals_of_os_exit_that_overlap_in_two_threads_end_with_the_last():
    """Two replications ranking at once (a Dask cluster of threads) leave os._exit as it was.

    Each guard used to put back what it found: the second found the first's refusal and, ending
    last, left the process refusing for good, so a process pool's workers forked later could
    not end, and hung the run.
    """
    real_exit = os._exit
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    refused_after_the_first_ended = []

    def first() -> None:
        with exits_refused():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with exits_refused():
            second_in.set()
            first_out.wait(5)
            refused_after_the_first_ended.append(os._exit is not real_exit)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert refused_after_the_first_ended == [True]  # the second block was still open
    assert os._exit is real_exit


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX only")
def test_a_process_forked_while_exits_are_refused_can_end():
    """A child forked while another thread ranks ends with os._exit, as a pool's worker does."""
    real_exit = os._exit
    with exits_refused():
        pid = os.fork()
        if pid == 0:  # the child: exit 0 if os._exit works, else 1 through the real one
            try:
                os._exit(0)
            finally:
                real_exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert os._exit is real_exit


def test_the_last_refusal_gives_back_the_os_exit_it_found(monkeypatch):
    """One set by someone else before a run (a test tool, say) is there again after it."""

    def their_exit(status: int) -> None:
        raise AssertionError("not to be called here")

    monkeypatch.setattr(os, "_exit", their_exit)
    with exits_refused(), exits_refused():
        assert os._exit is not their_exit
    assert os._exit is their_exit
