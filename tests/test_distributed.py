"""Replications on a Dask cluster give the same tables, row for row, as local processes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from sim import GridqueueError, run
from sim.cli import main
from tests.builders import project, scenario

distributed = pytest.importorskip("distributed")

# The tables a cluster writes are compared here, not the figures drawn from them: the runs'
# reports lay out their figures and write them empty (tests/undrawn.py).
pytestmark = pytest.mark.undrawn


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """The address of a small Dask cluster on the loopback interface (threads, TCP)."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
        host="127.0.0.1", dashboard_address=None,
    ) as cluster:
        yield cluster.scheduler_address


def world():  # type: ignore[no-untyped-def]
    """A small world with a waiting list, patience, lifetimes, upgrades and a project."""
    return scenario(
        start="2024-01-01", end="2030-01-01", replications=5, seed=31,
        grid={"capacity_mw": 2.0,
              "upgrades": [{"name": "station", "date": "2027-01-01", "add_mw": 6.0,
                            "delay_years": {"dist": "uniform", "low": 0, "high": 1}}]},
        waiting_list={"count": 40, "earliest": "2022-01-01"},
        streams={
            "firms": {"category": "other", "rate_per_year": 40,
                      "demand_mw": {"dist": "lognormal", "mean": 0.4, "sigma": 0.8},
                      "patience_years": {"dist": "exponential", "mean": 3},
                      "lifetime_years": {"dist": "exponential", "mean": 4}},
            "schools": {"category": "basic_needs", "rate_per_year": 6, "demand_mw": 0.3},
        },
        projects=[project("Campus", "2026-03-01", 1.5, jobs=300)],
        policy={"order": "social_priority", "allocation": "first_fit"},
    )


def test_cluster_run_matches_local_run_row_for_row(scheduler: str) -> None:
    """Every table of a run on the cluster equals the local run with the same seed."""
    local = run(world(), workers=1)
    remote = run(world(), scheduler=scheduler)
    for table in ("applicants", "timeseries", "summary", "replication_metrics", "projects"):
        pd.testing.assert_frame_equal(getattr(remote, table), getattr(local, table),
                                      check_exact=True, obj=table)
    assert remote.run_info["scheduler"] == scheduler


def test_cluster_runs_only_the_replications_asked_for(scheduler: str) -> None:
    """A subset of replications on the cluster equals the same subset run locally."""
    local = run(world(), workers=1, replications=[3, 1])
    remote = run(world(), scheduler=scheduler, replications=[3, 1])
    assert remote.applicants["replication"].unique().tolist() == [3, 1]
    pd.testing.assert_frame_equal(remote.applicants, local.applicants, check_exact=True)


def test_scheduler_from_the_environment_gives_identical_files(
    scheduler: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``gridqueue run`` with GRIDQUEUE_SCHEDULER set writes the same tables as a local run."""
    path = tmp_path / "world.yaml"
    path.write_text(json.dumps(world().model_dump(mode="json", exclude_none=True)),
                    encoding="utf-8")
    assert main(["run", str(path), "-o", str(tmp_path / "local"), "-q", "--workers", "1"]) == 0
    monkeypatch.setenv("GRIDQUEUE_SCHEDULER", scheduler)
    assert main(["run", str(path), "-o", str(tmp_path / "cluster"), "-q"]) == 0
    for name in ("applicants", "timeseries", "summary", "replication_metrics", "projects"):
        local = (tmp_path / "local" / f"{name}.csv").read_bytes()
        assert (tmp_path / "cluster" / f"{name}.csv").read_bytes() == local, name
    info = json.loads((tmp_path / "cluster" / "run.json").read_text(encoding="utf-8"))
    assert info["scheduler"] == scheduler


def test_unreachable_scheduler_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A scheduler nobody answers at is reported as the user's problem, naming the address."""
    monkeypatch.setattr("sim.runs.distributed.CONNECT_TIMEOUT_SECONDS", 1)
    with pytest.raises(GridqueueError, match="tcp://127.0.0.1:9"):
        run(world(), scheduler="tcp://127.0.0.1:9")


@pytest.mark.parametrize("address", ["foo", "tcp://host:port", "http://127.0.0.1:8786",
                                     "tcp://127.0.0.1:87860"])
def test_a_malformed_address_is_refused_before_any_client(
        address: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """No client is made for it: a half-made one waited a minute to close, with a traceback."""
    made = []
    monkeypatch.setattr("distributed.Client", lambda *args, **kwargs: made.append(args))
    with pytest.raises(GridqueueError, match=f"expected the address of a Dask scheduler, such "
                                             f"as tcp://10.0.0.5:8786, got '{address}'"):
        run(world(), scheduler=address)
    assert made == []


def test_sweep_cells_on_the_cluster_match_local_cells(scheduler: str, tmp_path: Path) -> None:
    """Sweep cells run on the cluster give the same table as cells run locally."""
    from sim import sweep

    path = tmp_path / "world.yaml"
    path.write_text(json.dumps(world().model_dump(mode="json", exclude_none=True)),
                    encoding="utf-8")
    vary = {"policy.order": ["fifo", "social_priority"]}
    local = sweep(path, vary, replications=3, workers=1)
    remote = sweep(path, vary, replications=3, scheduler=scheduler)
    pd.testing.assert_frame_equal(remote.table, local.table, check_exact=True)


@pytest.mark.parametrize(("address", "said"), [
    ("nonsense", "expected the address of a Dask scheduler"),
    ("tcp://127.0.0.1:9", "cannot reach the Dask scheduler"),
])
def test_a_bad_scheduler_from_the_environment_names_the_variable(
        address: str, said: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Set once for every run and forgotten, the variable is named, and how to unset it."""
    monkeypatch.setattr("sim.runs.distributed.CONNECT_TIMEOUT_SECONDS", 1)
    monkeypatch.setenv("GRIDQUEUE_SCHEDULER", address)
    (tmp_path / "s.yaml").write_text(
        "start: 2024-01-01\nend: 2025-01-01\nreplications: 2\ngrid: {capacity_mw: 1}\n"
        "streams:\n  firms: {category: other, rate_per_year: 5, demand_mw: 0.2}\n",
        encoding="utf-8")
    assert main(["run", str(tmp_path / "s.yaml"), "-o", str(tmp_path / "out"), "-q"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"gridqueue: error: GRIDQUEUE_SCHEDULER={address}: {said}"), err
    assert err.endswith("or unset GRIDQUEUE_SCHEDULER to run on local processes"), err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("problem", "words"), [
    (TimeoutError(), "nothing answered within 5 s: the host may be down, or a firewall in "
                     "the way"),
    (OSError("Timed out trying to connect to tcp://10.0.0.5:8786 after 5 s"),
     "nothing answered within 5 s"),
    (ValueError("invalid literal"), "what answered there is not a Dask scheduler"),
    (OSError("Connection reset by peer"), "what answered there is not a Dask scheduler"),
    (RuntimeError("closed by the scheduler"), "closed by the scheduler"),
])
def test_why_a_scheduler_was_not_reached_is_said_in_words(problem: BaseException,
                                                          words: str) -> None:
    """Dask says only that time ran out: the words say what the failure was.

    A refused connection and an unknown host are found behind Dask's own wrapping (the cause
    of its error); what answered with garbage is no scheduler; anything else is quoted.
    """
    import socket

    from sim.runs.distributed import _why_unreached

    assert _why_unreached(problem).startswith(words)
    wrapped = OSError("Timed out trying to connect")
    wrapped.__cause__ = ConnectionRefusedError()
    assert _why_unreached(wrapped) == ("the connection was refused: nothing listens at that "
                                       "address")
    unknown = OSError("Timed out trying to connect")
    unknown.__context__ = socket.gaierror(-2, "Name or service not known")
    assert _why_unreached(unknown) == "no such host: Name or service not known"
