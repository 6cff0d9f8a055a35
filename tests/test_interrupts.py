"""Interrupted and failing runs lose nothing: Ctrl-C, a killed run, a dead worker, a full disk.

The runs here are real ``gridqueue run`` processes, stopped part-way while a deliberately slow
policy is ranking applicants (it writes its process id to a marker file first, so the test
knows the run is under way and which process is working).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sim import load_scenario, run
from sim.cli import main
from sim.errors import Terminated
from sim.runs import csv_writer, staging
from sim.runs.staging import STAGING_MARK
from sim.runs.workers import signals_held
from tests.processes import ctrl_c_as_in_a_terminal, is_running

BAD = Path(__file__).parent / "bad_inputs"
SLOW = """\
start: 2024-01-01
end: 2025-01-01
seed: 3
replications: 20
grid: {capacity_mw: 2}
streams:
  industry: {category: other, rate_per_year: 10, demand_mw: 0.5}
"""
STARTUP_SECONDS = 60

# Nothing lost is checked here, not what a figure shows: in this process the figures are laid
# out and written empty (tests/undrawn.py); the runs started as processes of their own draw.
pytestmark = pytest.mark.undrawn


@pytest.fixture(scope="module")
def valid_results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Results of the corpus's valid scenario, run and written once for the file's tests."""
    output = tmp_path_factory.mktemp("valid") / "out"
    run(load_scenario(BAD / "valid.yaml"), workers=1).write(output)
    return output


@pytest.fixture
def folder(tmp_path: Path, valid_results: Path) -> Path:
    """A folder with the test policies and earlier results in ``out`` (to be kept intact)."""
    shutil.copy(BAD / "broken_policies.py", tmp_path / "broken_policies.py")
    shutil.copytree(valid_results, tmp_path / "out")
    return tmp_path


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def leftovers(folder: Path) -> list[str]:
    """Staging or backup directories a write left behind."""
    return [p.name for p in folder.iterdir() if p.name.startswith(".out.")]


def start_slow_run(folder: Path, workers: int, policy: str = "broken_policies:Slow",
                   params: str = "{marker: started, seconds: 0.5}") -> subprocess.Popen[str]:
    """Start ``gridqueue run`` in its own process group, as a terminal would."""
    (folder / "slow.yaml").write_text(
        SLOW + f"policy: {{order: '{policy}', params: {params}}}\n", encoding="utf-8")
    return start_python(folder, "-m", "sim", "run", "slow.yaml", "-o", "out", "--force", "-q",
                        "--workers", str(workers))


def start_python(folder: Path, *args: str) -> subprocess.Popen[str]:
    """Start Python with ``args`` in ``folder``, in its own process group as a terminal would.

    Its temporary files go to ``folder/tmp``, where a test can see what it leaves behind.
    """
    (folder / "tmp").mkdir(exist_ok=True)
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True, preexec_fn=ctrl_c_as_in_a_terminal,
        env={**os.environ, "TMPDIR": str(folder / "tmp"),
             "PYTHONPATH": os.pathsep.join(sys.path)},
    )


def finish(process: subprocess.Popen[str]) -> str:
    """Wait for the run to end and return its standard error; kill its processes if it hangs."""
    try:
        return process.communicate(timeout=STARTUP_SECONDS)[1]
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail("the run did not end after the signal")


def wait_for_marker(process: subprocess.Popen[str], marker: Path) -> int:
    """Wait until the slow policy is ranking; return the id of the process doing it."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        # Read once: several workers may write the marker, each emptying it first, so a
        # second read could find it empty between two writes.
        text = marker.read_text() if marker.exists() else ""
        if text:
            return int(text)
        if process.poll() is not None:
            pytest.fail(f"the run ended before it started ranking: {process.communicate()}")
        time.sleep(0.05)
    process.kill()
    pytest.fail("the run did not start ranking in time")


@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_part_way_keeps_earlier_results_and_writes_nothing(folder, workers):
    """Ctrl-C part-way exits 130 with one line, leaves earlier results as they were."""
    before = snapshot(folder / "out")
    process = start_slow_run(folder, workers)
    wait_for_marker(process, folder / "started")
    os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=STARTUP_SECONDS)
    assert process.returncode == 130, err
    assert err.splitlines() == ["gridqueue: interrupted; earlier results are untouched and "
                                "nothing partial was written"]
    assert snapshot(folder / "out") == before
    assert leftovers(folder) == []


def test_killed_run_keeps_earlier_results_and_writes_nothing(folder):
    """A run killed outright (SIGKILL) part-way leaves the earlier results as they were."""
    before = snapshot(folder / "out")
    process = start_slow_run(folder, workers=2)
    wait_for_marker(process, folder / "started")
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate(timeout=STARTUP_SECONDS)
    assert process.returncode == -signal.SIGKILL
    assert snapshot(folder / "out") == before
    assert leftovers(folder) == []


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to see processes")
def test_workers_end_when_the_run_is_killed_outright(folder):
    """SIGKILL to the main process alone (not its group): its workers do not outlive it."""
    process = start_slow_run(folder, workers=2)
    worker = wait_for_marker(process, folder / "started")
    process.kill()
    process.wait(timeout=STARTUP_SECONDS)
    deadline = time.monotonic() + 10
    while is_running(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    outlived = is_running(worker)
    with contextlib.suppress(ProcessLookupError):  # leave nothing behind, whatever happened
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate(timeout=STARTUP_SECONDS)
    assert not outlived


def test_killed_worker_fails_the_run_and_says_what_was_running(folder):
    """A worker killed from outside fails the run: exit 2, one line naming what was running."""
    before = snapshot(folder / "out")
    process = start_slow_run(folder, workers=2)
    worker = wait_for_marker(process, folder / "started")
    assert worker != process.pid
    os.kill(worker, signal.SIGKILL)
    _, err = process.communicate(timeout=STARTUP_SECONDS)
    assert process.returncode == 2, err
    assert len(err.splitlines()) == 1, err
    assert re.fullmatch(r"gridqueue: error: a worker process died while replications "
                        r"\d+(, \d+)* ran \(killed from outside, or out of memory\); each ran "
                        r"fine alone afterwards, so run the command again\n", err), err
    assert snapshot(folder / "out") == before
    assert leftovers(folder) == []


def applicant_counts(folder: Path, replications: int) -> list[int]:
    """Applicants per replication of the slow scenario (the same under every policy)."""
    (folder / "fifo.yaml").write_text(SLOW, encoding="utf-8")
    scenario = load_scenario(folder / "fifo.yaml", {"replications": replications})
    results = run(scenario, workers=1)
    return results.applicants.groupby("replication").size().reindex(range(replications)).tolist()


def test_worker_that_dies_is_named_by_its_replication_and_seed(folder):
    """A worker that dies in one replication fails the run naming that replication and seed."""
    counts = applicant_counts(folder, 2)
    assert counts[0] != counts[1]
    (folder / "slow.yaml").write_text(
        SLOW.replace("replications: 20", "replications: 2")
        + "policy: {order: 'broken_policies:DiesInWorker', params: "
        f"{{applicants: {counts[1]}, seconds: 2}}}}\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "sim", "run", "slow.yaml", "-o", "crashed", "-q", "--workers",
         "2"], cwd=folder, capture_output=True, text=True, timeout=STARTUP_SECONDS)
    assert done.returncode == 2, done.stderr
    assert not (folder / "crashed").exists()
    assert done.stderr.startswith("gridqueue: error: replication 1 (seed 3) failed"), \
        done.stderr


@pytest.mark.parametrize("earlier", [True, False])
def test_full_disk_while_writing_keeps_earlier_results(folder, monkeypatch, capsys, earlier):
    """A disk that fills up while results are written fails with one line and changes nothing."""
    if not earlier:
        shutil.rmtree(folder / "out")
    before = snapshot(folder / "out") if earlier else None
    csv_lines = csv_writer.csv_lines
    calls = []

    def lines_until_full(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return csv_lines(*args, **kwargs)

    monkeypatch.setattr(csv_writer, "csv_lines", lines_until_full)
    code = main(["run", str(BAD / "valid.yaml"), "-o", str(folder / "out"), "--force", "-q",
                 "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (f"gridqueue: error: {folder / 'out'}: could not write the results "
                   f"({os.strerror(errno.ENOSPC)}); nothing was changed\n")
    if earlier:
        assert snapshot(folder / "out") == before
    else:
        assert not (folder / "out").exists()
    assert leftovers(folder) == []


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to see processes")
@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_stops_the_run_like_ctrl_c_and_leaves_no_process_or_folder(folder, workers):
    """SIGTERM to the run exits 143 with one line; workers and temporary folders are gone."""
    before = snapshot(folder / "out")
    process = start_slow_run(folder, workers)
    worker = wait_for_marker(process, folder / "started")
    process.send_signal(signal.SIGTERM)
    err = finish(process)
    assert process.returncode == 143, err
    assert err.splitlines() == ["gridqueue: terminated (SIGTERM); earlier results are "
                                "untouched and nothing partial was written"]
    assert not is_running(worker)
    assert list((folder / "tmp").iterdir()) == []
    assert snapshot(folder / "out") == before
    assert leftovers(folder) == []


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to see processes")
def test_ctrl_c_while_a_policy_hangs_stops_its_workers(folder):
    """Ctrl-C while a policy never returns still ends the run: workers stopped, folders gone."""
    before = snapshot(folder / "out")
    process = start_slow_run(folder, 2, policy="broken_policies:Hangs",
                             params="{marker: started}")
    worker = wait_for_marker(process, folder / "started")
    os.killpg(process.pid, signal.SIGINT)
    err = finish(process)
    assert process.returncode == 130, err
    assert err.splitlines() == ["gridqueue: interrupted; earlier results are untouched and "
                                "nothing partial was written"]
    assert not is_running(worker)
    assert list((folder / "tmp").iterdir()) == []
    assert snapshot(folder / "out") == before
    assert leftovers(folder) == []


def start_patched_run(folder: Path, patch: str, scenario: str) -> subprocess.Popen[str]:
    """Start ``gridqueue run`` on two workers after running ``patch`` (Python) in its process.

    The patch widens a moment that is otherwise a few milliseconds, so that a test can send
    its signal inside it every time.
    """
    (folder / "patched.yaml").write_text(scenario, encoding="utf-8")
    return start_python(folder, "-c", f"{patch}\nfrom sim.cli import main\n"
                        "raise SystemExit(main(['run', 'patched.yaml', '-o', 'out', '--force', "
                        "'-q', '--workers', '2']))\n")


SLOW_WORKER_START = """\
import pathlib, time
from sim.runs import workers
start = workers._start_worker
def slow_start(*args):
    pathlib.Path('started').write_text('1')
    time.sleep(3)
    start(*args)
workers._start_worker = slow_start
"""

SLOW_CSV_CHUNKS = """\
import os, pathlib, time
from sim.runs import spool
spool.PARALLEL_CSV_ROWS = 1
def slow_chunk(index):
    pathlib.Path('started').write_text(str(os.getpid()))
    time.sleep(60)
spool._format_chunk = slow_chunk
"""


SLOW_FIGURES = """\
import os, pathlib, time
from sim.figures import files
def slow_draw(name):
    pathlib.Path('started').write_text(str(os.getpid()))
    time.sleep(60)
files._draw_adopted = slow_draw
"""


SLOW_CSV_TASKS = SLOW_CSV_CHUNKS + "spool.PARALLEL_CHUNKS = 1\n"
"""CSV formatting in more tasks than workers: a stopped pool failed those not yet started in a
thread of its own, which printed a traceback beside the run's one line."""


@pytest.mark.parametrize("patch", [SLOW_WORKER_START, SLOW_CSV_CHUNKS, SLOW_CSV_TASKS,
                                   SLOW_FIGURES],
                         ids=["worker-starting", "csv-formatting", "csv-formatting-in-tasks",
                              "figure-drawing"])
def test_ctrl_c_while_workers_start_format_csv_or_draw_prints_one_line(folder, patch):
    """Ctrl-C reaches workers as they start, format CSV or draw the report's figures.

    Workers are forked with Ctrl-C held, so no moment prints a worker's traceback, and the
    main process stops the workers at once instead of waiting for their tasks.
    """
    before = snapshot(folder / "out")
    process = start_patched_run(folder, patch, SLOW.replace("replications: 20",
                                                            "replications: 4"))
    wait_for_marker(process, folder / "started")
    os.killpg(process.pid, signal.SIGINT)
    err = finish(process)
    assert process.returncode == 130, err
    assert err.splitlines() == ["gridqueue: interrupted; earlier results are untouched and "
                                "nothing partial was written"]
    assert snapshot(folder / "out") == before
    assert leftovers(folder) == []


class Stopped(Exception):
    """What the test's Ctrl-C handler raises, in place of KeyboardInterrupt."""


def test_a_ctrl_c_another_thread_receives_waits_for_the_workers_to_be_known():
    """A Ctrl-C taken by another thread acts only when the block that forks workers ends.

    Held in the forking thread alone, a signal reached another thread (one of OpenBLAS's,
    say) and Python ran its handler in the forking thread part-way through starting a worker,
    which the pool then did not know: it was never stopped and outlived the run (about one
    run in twelve of the worker-starting test above).
    """
    def stop(number: int, frame: object) -> None:
        raise Stopped

    previous = signal.signal(signal.SIGINT, stop)
    ready = threading.Event()
    sender = threading.Thread(target=lambda: (ready.wait(5), os.kill(os.getpid(),
                                                                      signal.SIGINT)))
    sender.start()  # before the block: this thread does not hold the signal
    reached_the_end = False
    try:
        with pytest.raises(Stopped):
            with signals_held():
                ready.set()
                sender.join(5)
                time.sleep(0.2)  # many chances for a handler to run here
                reached_the_end = True
    finally:
        signal.signal(signal.SIGINT, previous)
    assert reached_the_end


def left_by_a_command_since_ended(old: Path) -> None:
    """Mark the folder ``old`` as set aside by a command that has ended (this process runs on).

    Left by this very process, it may yet be deleted by it: the next write lets it be.
    """
    child = subprocess.Popen([sys.executable, "-c", ""])
    child.wait()
    mark = json.loads((old / STAGING_MARK).read_text())
    (old / STAGING_MARK).write_text(json.dumps({**mark, "pid": child.pid}))


def run_again(folder: Path) -> list[str]:
    """The words of ``gridqueue run`` that replaces the results in ``folder/out``."""
    return ["run", str(BAD / "valid.yaml"), "-o", str(folder / "out"), "--force", "-q",
            "--workers", "1"]


def test_ctrl_c_as_the_earlier_results_are_deleted_says_the_new_ones_are_in_place(
        folder, capsys, monkeypatch):
    """Stopped while the results it replaced are deleted, the message says what is where.

    It said the earlier results were untouched and nothing partial was written, though the
    new ones were in place, and left the earlier ones half-deleted in a hidden folder that no
    later run removed or named. The next run removes that folder, saying so.
    """
    delete = staging._delete_set_aside

    def stopped_part_way(old: Path) -> str | None:
        (old / "results" / "summary.csv").unlink()
        raise KeyboardInterrupt

    monkeypatch.setattr(staging, "_delete_set_aside", stopped_part_way)
    assert main(run_again(folder)) == 130
    (old,) = (folder / name for name in leftovers(folder))
    out = folder / "out"
    assert capsys.readouterr().err.splitlines() == [
        f"gridqueue: error: interrupted as it ended: the new output is complete in {out}; "
        f"what is left of the earlier one is in {old}, which the next gridqueue command "
        f"writing {out} removes"]
    assert staging.files_changed(out) == [] and (out / "summary.csv").is_file()
    left_by_a_command_since_ended(old)
    monkeypatch.setattr(staging, "_delete_set_aside", delete)
    assert main(run_again(folder)) == 0
    assert capsys.readouterr().err.splitlines() == [
        f"gridqueue: warning: removed {old}, what gridqueue left undeleted of an earlier "
        f"output of {out}"]
    assert leftovers(folder) == []


def test_a_ctrl_c_as_the_earlier_results_are_deleted_waits_until_they_are(folder, capsys,
                                                                          monkeypatch):
    """Ctrl-C waits the moment the deletion takes, then says the new results are in place."""
    assert threading.current_thread() is threading.main_thread()  # signals reach it alone
    delete = staging._delete_set_aside

    def ctrl_c_first(old: Path) -> str | None:
        signal.raise_signal(signal.SIGINT)
        return delete(old)

    monkeypatch.setattr(staging, "_delete_set_aside", ctrl_c_first)
    # A test runner's worker process may ignore SIGINT; a user's Ctrl-C raises.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        assert main(run_again(folder)) == 130
    finally:
        signal.signal(signal.SIGINT, previous)
    assert capsys.readouterr().err.splitlines() == [
        f"gridqueue: error: interrupted as it ended: the new output is complete in "
        f"{folder / 'out'}, and the earlier one it replaced is deleted"]
    assert leftovers(folder) == []


def test_ctrl_c_once_the_new_results_are_in_place_says_so(folder, capsys, monkeypatch):
    """Stopped as the summary is printed, the message no longer calls the earlier untouched."""
    from sim.runs import summary_table

    def stopped(*args: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(summary_table, "format_summary", stopped)
    command = run_again(folder)
    command.remove("-q")
    assert main(command) == 130
    assert capsys.readouterr().err.splitlines() == [
        f"gridqueue: interrupted; the new output is complete in {folder / 'out'}, and the "
        "earlier one it replaced is deleted"]


def test_earlier_results_that_cannot_be_deleted_are_named(folder, capsys, monkeypatch):
    """A file that may not be deleted (immutable, say) leaves a folder: a warning names it.

    It was left without a word, and the command ended as if all was done.
    """
    refused = PermissionError(errno.EPERM, os.strerror(errno.EPERM), "summary.csv")
    rmtree = shutil.rmtree

    def keeps_summary(path: Path, ignore_errors: bool = False) -> None:
        if Path(path).parent.name.startswith(".out.old-"):
            if not ignore_errors:
                raise refused
            return
        rmtree(path, ignore_errors=ignore_errors)

    monkeypatch.setattr(shutil, "rmtree", keeps_summary)
    assert main(run_again(folder)) == 0
    monkeypatch.setattr(shutil, "rmtree", rmtree)
    (old,) = (folder / name for name in leftovers(folder))
    assert capsys.readouterr().err.splitlines() == [
        f"gridqueue: warning: {folder / 'out'}: the new output is in place, but the earlier "
        f"one it replaced could not be deleted entirely ({os.strerror(errno.EPERM)}: "
        f"summary.csv); what is left of it is in {old}: remove it yourself"]
    left_by_a_command_since_ended(old)
    assert main(run_again(folder)) == 0  # and once it can be, the next run does
    assert leftovers(folder) == []


def _deaf_to_sigterm() -> None:
    """A worker's initializer that ignores SIGTERM, as a library's handler might."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _sleep_after_saying_so(marker: str) -> None:
    Path(marker).write_text(str(os.getpid()))
    time.sleep(10)


def test_a_worker_that_ignores_sigterm_is_killed_after_its_grace(tmp_path, monkeypatch):
    """stop_workers does not wait for a worker deaf to SIGTERM: after the grace, it kills it.

    Otherwise a Ctrl-C would wait for the worker's task to end, however long it is.
    """
    import multiprocessing
    from concurrent.futures.process import BrokenProcessPool

    from sim.runs import workers

    monkeypatch.setattr(workers, "STOP_SECONDS", 0.3)
    pool = workers.worker_pool(1, multiprocessing.get_context("fork"), _deaf_to_sigterm)
    marker = tmp_path / "started"
    with signals_held():
        future = pool.submit(_sleep_after_saying_so, str(marker))
    deadline = time.monotonic() + STARTUP_SECONDS
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    (process,) = pool._processes.values()  # type: ignore[attr-defined]
    stopping = threading.Thread(target=workers.stop_workers, args=(pool,), daemon=True)
    stopping.start()
    stopping.join(5)  # not the task's 10 seconds, nor for ever
    stopped = not stopping.is_alive()
    if not stopped:  # leave nothing behind, whatever happened
        process.kill()
        stopping.join(15)
    assert stopped
    assert process.exitcode == -signal.SIGKILL
    with pytest.raises(BrokenProcessPool):
        future.result(timeout=5)


def _send_half_a_result(marker: str, parent: int) -> Callable[[Any, Any], None]:
    """A result queue's ``put`` that, in a worker, sends half a message and then waits.

    As a worker stopped part-way through sending a large result (a figure) leaves the pipe.
    """
    def put(queue: Any, _: Any) -> None:
        assert os.getpid() != parent, "only a worker sends results"
        with queue._wlock:
            queue._writer._send(struct.pack("!i", 1000) + b"x" * 10)
            Path(marker).write_text(str(os.getpid()))
            time.sleep(60)
    return put


def test_a_worker_stopped_while_it_sends_its_result_does_not_hang_the_stop(tmp_path,
                                                                           monkeypatch):
    """stop_workers ends even when a worker it stops had sent half of its result.

    The pool's thread that reads results then waited for the rest of the message for ever,
    since this process holds the pipe's writing end too: a Ctrl-C while a comparison drew its
    figures left ``gridqueue compare`` hanging, its temporary folder in place.
    """
    import multiprocessing
    from multiprocessing import queues

    from sim.runs import workers

    marker = tmp_path / "sending"
    monkeypatch.setattr(queues.SimpleQueue, "put", _send_half_a_result(str(marker),
                                                                       os.getpid()))
    pool = workers.worker_pool(1, multiprocessing.get_context("fork"))
    with signals_held():
        pool.submit(int, "1")
    deadline = time.monotonic() + STARTUP_SECONDS
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    stopping = threading.Thread(target=workers.stop_workers, args=(pool,), daemon=True)
    stopping.start()
    stopping.join(10)  # the worker is gone within a second; nothing is left to wait for
    stopped = not stopping.is_alive()
    if not stopped:  # end the read by hand, or the pool's thread keeps this process alive
        pool._result_queue._writer.close()  # type: ignore[attr-defined]
        stopping.join(15)
    assert stopped


def test_workers_can_be_started_from_a_thread_other_than_the_main_one():
    """Only the main thread may set signal handlers: elsewhere signals_held only holds them.

    From another thread (a notebook's, a Dask worker's), setting them raised ValueError.
    """
    held: list[bool] = []
    raised: list[BaseException] = []

    def start() -> None:
        before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
        try:
            with signals_held():
                held.append(signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, []))
        except BaseException as exc:  # noqa: BLE001 - the test reports it below
            raised.append(exc)
        held.append(signal.pthread_sigmask(signal.SIG_BLOCK, []) == before)

    handler = signal.getsignal(signal.SIGINT)
    thread = threading.Thread(target=start)
    thread.start()
    thread.join(5)
    assert raised == []
    assert held == [True, True]  # held inside the block, and the mask restored after it
    assert signal.getsignal(signal.SIGINT) is handler


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM], ids=lambda n: n.name)
def test_a_signal_once_the_command_has_returned_leaves_its_exit_code(folder, number):
    """Python takes a moment to end after the command; a signal then killed it without a word.

    The output was complete, yet the exit status said killed (-2 or -15), so a shell or a job
    scheduler took a finished run for a failed one. The signal is sent as the entry point
    returns, which is when Python begins to end.
    """
    shutil.copy(BAD / "valid.yaml", folder / "valid.yaml")
    shutil.copy(BAD / "waiting_list.csv", folder / "waiting_list.csv")
    ends = ("import os, sim.__main__ as entry\n"
            "code = entry.script(['validate', 'valid.yaml'])\n"
            f"os.kill(os.getpid(), {int(number)})\n"
            "raise SystemExit(code)\n")
    process = start_python(folder, "-c", ends)
    err = finish(process)
    assert process.returncode == 0, err
    assert err == ""


def test_the_entry_point_called_from_a_thread_returns_its_exit_code(tmp_path, monkeypatch,
                                                                    capsys):
    """Only the main thread may set signal handlers.

    Ignoring the signals once the command had returned raised ValueError in any other thread,
    after the command had done its work: the caller got an exception, not the exit code. The
    script ignores them, so it is the one called here: ``main`` sets no handler at all.
    """
    import sim.__main__ as entry

    shutil.copy(BAD / "valid.yaml", tmp_path / "valid.yaml")
    shutil.copy(BAD / "waiting_list.csv", tmp_path / "waiting_list.csv")
    monkeypatch.chdir(tmp_path)
    returned: list[object] = []
    # What the test process has: Python's default, or SIG_IGN if started in the background.
    before = signal.getsignal(signal.SIGINT)

    def validate() -> None:
        try:
            returned.append(entry.script(["validate", "valid.yaml"]))
        except Exception as exc:  # what the thread's caller would get
            returned.append(exc)

    thread = threading.Thread(target=validate)
    thread.start()
    thread.join(60)
    capsys.readouterr()
    assert returned == [0]
    assert signal.getsignal(signal.SIGINT) is before
    # nor does a program that calls main in-process lose its Ctrl-C afterwards
    assert entry.main(["validate", "valid.yaml"]) == 0
    capsys.readouterr()
    assert signal.getsignal(signal.SIGINT) is before
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_ctrl_c_after_a_comparison_wrote_its_runs_says_nothing_is_in_place(folder, capsys,
                                                                            monkeypatch):
    """The results under runs/ are written inside the comparison's staging folder.

    Each said, as it went in, that "the new output is complete" there; a Ctrl-C as the page
    was drawn then named those folders, which the stop removed with the staging folder, as
    complete outputs.
    """
    from sim.analysis import comparison

    shutil.copy(BAD / "valid.yaml", folder / "valid.yaml")
    shutil.copy(BAD / "waiting_list.csv", folder / "waiting_list.csv")

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(comparison, "comparison_page", stopped)
    monkeypatch.chdir(folder)
    code = main(["compare", "valid.yaml", "valid.yaml", "--set", "2:grid.capacity_mw=8",
                 "--set", "replications=2", "--workers", "1", "-q", "-o", "cmp"])
    err = capsys.readouterr().err
    assert code == 130
    assert err == ("gridqueue: interrupted; earlier results are untouched and nothing partial "
                   "was written\n")
    assert not (folder / "cmp").exists() and leftovers(folder) == []


# The last files of a sweep or calibration, written into the folder kept for --resume


OBSERVED = """\
observations:
  - {date: 2024-12-31, quantity: requests_received, since: 2024-01-01, value: 10,
     uncertainty: 0.2, source: made up}
"""


def _sweep_into(folder: Path, *extra: str) -> list[str]:
    """The command line of a small sweep of ``folder/s.yaml`` into ``folder/sw``."""
    shutil.copy(BAD / "valid.yaml", folder / "s.yaml")
    shutil.copy(BAD / "waiting_list.csv", folder / "waiting_list.csv")
    return ["sweep", str(folder / "s.yaml"), "--vary", "grid.capacity_mw=1,2", "-o",
            str(folder / "sw"), "--replications", "2", "--workers", "1", "-q", *extra]


def _stopped_after_the_table(how: BaseException) -> Callable[..., None]:
    """A stand-in for drawing the sweep's figure: sweep.csv is written, then ``how``."""
    def draw(figures: Any, into: Path, workers: int = 1) -> dict[str, bytes]:
        assert (into / "sweep.csv").stat().st_size > 0
        raise how
    return draw


@pytest.mark.parametrize(("how", "code"), [
    (KeyboardInterrupt(), 130),
    (OSError(errno.ENOSPC, "No space left on device"), 2),
])
def test_a_sweep_stopped_while_writing_its_table_leaves_no_file_of_it(how, code, tmp_path,
                                                                      monkeypatch, capsys):
    """Stopped between its table and its figure, the kept folder holds its cells alone.

    sweep.csv was written straight into the folder kept for --resume, and stayed there,
    beside the finished cells, as the last thing the command wrote; then --resume ends well.
    """
    from sim.analysis import sweeps

    command = _sweep_into(tmp_path)
    with monkeypatch.context() as patched:
        patched.setattr(sweeps, "write_figures", _stopped_after_the_table(how))
        assert main(command) == code
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    kept = tmp_path / ".sw.partial"
    assert sorted(p.name for p in kept.iterdir()) == [".gridqueue-output", "cells"]
    assert main([*command, "--resume"]) == 0
    assert (tmp_path / "sw" / "sweep.csv").is_file() and not kept.exists()
    assert not [p for p in (tmp_path / "sw").iterdir() if p.name.startswith(".summary")]


def test_a_calibration_stopped_while_writing_its_files_leaves_only_its_store(tmp_path,
                                                                            monkeypatch,
                                                                            capsys):
    """Ctrl-C while drawing: the store of evaluations is kept whole; nothing else is."""
    from sim.analysis import calibration_result

    (tmp_path / "s.yaml").write_text(SLOW + OBSERVED, encoding="utf-8")
    command = ["calibrate", str(tmp_path / "s.yaml"), "--fit", "arrivals.rate_scale=0.5:2",
               "--iterations", "1", "--population", "5", "--replications", "2",
               "--workers", "1", "-q", "-o", str(tmp_path / "fit")]

    def stopped(figures: Any, into: Path, workers: int = 1) -> dict[str, bytes]:
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(calibration_result, "write_figures", stopped)
        assert main(command) == 130, capsys.readouterr().err
    kept = tmp_path / ".fit.partial"
    assert sorted(p.name for p in kept.iterdir()) == [".gridqueue-output", "evaluations.csv"]
    capsys.readouterr()
    assert main([*command, "--resume"]) == 0, capsys.readouterr().err
    assert (tmp_path / "fit" / "calibration.txt").is_file()


def test_a_summary_staging_folder_a_killed_sweep_left_is_removed_by_resume(tmp_path,
                                                                          monkeypatch, capsys):
    """A staging folder of the last files, left by a sweep killed outright, stops nothing.

    It is gridqueue's, so --resume is not refused for it, and it does not reach the output.
    """
    from sim.analysis import sweeps

    command = _sweep_into(tmp_path)
    with monkeypatch.context() as patched:
        patched.setattr(sweeps, "write_figures", _stopped_after_the_table(KeyboardInterrupt()))
        assert main(command) == 130
    left = tmp_path / ".sw.partial" / ".summary.partial-k2j3h4g5"
    left.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (left / STAGING_MARK).write_text(json.dumps({
        "written_by": "gridqueue", "pid": int(dead), "host": __import__("socket").gethostname(),
    }) + "\n", encoding="utf-8")
    (left / "sweep.csv").write_text("cell,metr", encoding="utf-8")
    capsys.readouterr()
    assert main([*command, "--resume"]) == 0, capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "sw").iterdir()) == [  # the list scenario.yaml names
        ".gridqueue-output", "cells", "run.json", "scenario.yaml", "sweep.csv", "sweep.png",
        "sweep.svg", "waiting_list.csv"]


@pytest.mark.parametrize(("signal_as", "code", "said"), [
    (KeyboardInterrupt, 130, "interrupted"),
    (Terminated, 143, "terminated (SIGTERM)"),
])
def test_a_signal_while_a_compiled_module_loads_is_one_line(signal_as, code, said, tmp_path,
                                                            monkeypatch, capsys):
    """Ctrl-C while a command loads matplotlib's compiled parts printed a traceback.

    Python turns a signal that comes while such a module initialises into ``ImportError:
    initialization failed``, raised from the ``KeyboardInterrupt``.
    """
    import types

    class Stopped(types.ModuleType):
        def __getattr__(self, name: str) -> Any:
            try:
                raise signal_as
            except KeyboardInterrupt as exc:
                raise ImportError("initialization failed") from exc

    monkeypatch.setitem(sys.modules, "sim.analysis.calibration",
                        Stopped("sim.analysis.calibration"))
    assert main(["calibrate", str(BAD / "valid.yaml"), "--fit", "arrivals.rate_scale=0.5:2",
                 "-o", str(tmp_path / "fit")]) == code
    assert capsys.readouterr().err == (f"gridqueue: {said}; earlier results are untouched and "
                                       "nothing partial was written\n")
    assert list(tmp_path.iterdir()) == []


def test_an_import_error_of_its_own_is_not_called_an_interrupt(tmp_path, monkeypatch):
    """Only an ImportError a signal caused is an interrupt; another goes on as it is."""
    monkeypatch.setitem(sys.modules, "sim.analysis.calibration", None)
    with pytest.raises(ImportError):
        main(["calibrate", str(BAD / "valid.yaml"), "--fit", "arrivals.rate_scale=0.5:2",
              "-o", str(tmp_path / "fit")])


def test_a_ctrl_c_caught_inside_exec_leaves_the_exit_code(tmp_path):
    """``python -m sim`` ended by SIGINT (-2, not 130) after a Ctrl-C caught in exec'd code.

    Dataclasses and pydantic build methods with ``exec``; a Ctrl-C that came while one ran
    was caught and said in one line, but CPython still noted it as unhandled and killed the
    process with SIGINT as it ended, so a program that ran gridqueue saw no exit code.
    """
    (tmp_path / "stopped").mkdir()
    (tmp_path / "stopped" / "__main__.py").write_text(textwrap.dedent(f"""\
        import os, signal
        from sim.__main__ import script
        from sim.cli import main
        main(["validate", {str(BAD / "valid.yaml")!r}])  # everything is loaded: no exec
        try:
            exec("os.kill(os.getpid(), signal.SIGINT); sum(range(10 ** 6))")
        except KeyboardInterrupt:
            pass
        raise SystemExit(script(["validate", {str(BAD / "valid.yaml")!r}]))
        """), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "stopped"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    assert done.returncode == 0, done.stderr
