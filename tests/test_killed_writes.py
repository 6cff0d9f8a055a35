"""What a write killed outright (``kill -9``, the out-of-memory killer) leaves beside its output.

An output is made in a hidden ``.NAME.partial-*`` folder beside it and moved into place when
complete. A process killed outright cannot remove that folder, so the folder carries a mark
naming gridqueue, the process and the machine, and the next write of the same output removes
the folder once that process is gone, saying so. Anything not known to be such a leftover (a
live process's, another machine's, a folder of the user's so named) is left alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from sim.cli import main
from sim.errors import GridqueueWarning
from sim.runs.staging import (
    MARKER,
    STAGING_MARK,
    check_writable,
    staged_directory,
    write_file,
)
from tests.test_interrupts import start_python
from tests.test_loading import BASE

SMALL = ["--set", "replications=2", "--workers", "1", "-q"]


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding a scenario."""
    (tmp_path / "s.yaml").write_text(BASE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def ended_process() -> int:
    """The id of a process of this machine that has ended (a child that ran and was reaped)."""
    child = subprocess.Popen([sys.executable, "-c", ""])
    child.wait()
    return child.pid


PID_NAMESPACE = os.readlink("/proc/self/ns/pid") if Path("/proc/self/ns/pid").exists() else None
"""This process's PID namespace, as gridqueue records it beside its process id."""


def leftover(where: Path, pid: int, host: str | None = None, **more: str) -> Path:
    """A staging folder as a write killed part-way leaves it: its mark and half an output."""
    (where / "figures").mkdir(parents=True)
    (where / STAGING_MARK).write_text(json.dumps(
        {"written_by": "gridqueue", "pid": pid, "host": host or socket.gethostname(), **more}))
    (where / "summary.csv").write_text("half")
    (where / "figures" / "queue.png").write_bytes(b"half")
    return where


def write(target: Path) -> list[str]:
    """Write a small output to ``target``; return the warnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with staged_directory(target, force=True) as staging:
            (staging / "summary.csv").write_text("whole")
    assert (target / "summary.csv").read_text() == "whole"
    ours = [w for w in caught if issubclass(w.category, GridqueueWarning)]
    assert all(w.filename == __file__ for w in ours)  # they name the line that wrote target
    return [str(w.message) for w in ours]


def test_the_next_run_removes_what_a_killed_run_left_and_says_so(folder, capsys):
    staging = leftover(folder / ".out.partial-k1ll3d00", ended_process())
    assert main(["run", "s.yaml", "-o", "out", "--no-report", *SMALL]) == 0
    assert not staging.exists()
    assert capsys.readouterr().err.splitlines() == [
        "gridqueue: warning: removed .out.partial-k1ll3d00, a half-written copy of out that a "
        "killed gridqueue command left behind"]
    assert sorted(p.name for p in folder.iterdir()) == ["out", "s.yaml"]
    assert (folder / "out" / "summary.csv").read_text().startswith("group,metric,")
    assert STAGING_MARK not in os.listdir(folder / "out")
    check_writable(folder / "out", force=True)  # what run --force asks first


def test_the_output_holds_no_staging_mark_and_force_still_replaces_it(tmp_path):
    """The mark is the staging folder's, put there first; the finished output never holds it.

    Left in, it would be a file the output's marker does not list, and --force would refuse.
    """
    target = tmp_path / "out"
    with staged_directory(target) as staging:
        mark = json.loads((staging / STAGING_MARK).read_text())
        assert mark == {"written_by": "gridqueue", "pid": os.getpid(),
                        "host": socket.gethostname(), "pid_namespace": PID_NAMESPACE}
        (staging / "summary.csv").write_text("whole")
    assert sorted(p.name for p in target.iterdir()) == [MARKER, "summary.csv"]
    assert json.loads((target / MARKER).read_text())["files"] == ["summary.csv"]
    check_writable(target, force=True)
    assert write(target) == []


def test_several_leftovers_are_removed_in_one_line(tmp_path):
    names = [f".out.partial-dead000{i}" for i in range(4)]
    for name in names:
        leftover(tmp_path / name, ended_process())
    assert write(tmp_path / "out") == [
        f"removed {tmp_path / names[0]}, {tmp_path / names[1]}, {tmp_path / names[2]} and 1 "
        "more, half-written copies of " f"{tmp_path / 'out'} that killed gridqueue commands "
        "left behind"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_what_is_not_known_to_be_a_leftover_is_kept_and_named(tmp_path):
    """Another machine's, a folder without the mark that holds something, a file, a link."""
    other_machine = leftover(tmp_path / ".out.partial-0therh0s", ended_process(),
                             host="elsewhere.example")
    mine = tmp_path / ".out.partial-m1ne0000"
    mine.mkdir()
    (mine / "thesis.tex").write_text("years of work")
    a_file = tmp_path / ".out.partial-f1le0000"
    a_file.write_text("mine")
    linked = leftover(tmp_path / "elsewhere", ended_process())
    (tmp_path / ".out.partial-l1nk0000").symlink_to(linked)
    kept = [other_machine, a_file, tmp_path / ".out.partial-l1nk0000", mine]
    before = {p.name: sorted(q.name for q in p.iterdir()) if p.is_dir() else p.read_text()
              for p in kept}
    assert write(tmp_path / "out") == [
        f"left {', '.join(str(p) for p in kept[:3])} and 1 more as they are: they may be "
        f"half-written copies of {tmp_path / 'out'} that killed gridqueue commands left behind, "
        "but gridqueue cannot tell; remove them yourself if no gridqueue command is writing "
        f"{tmp_path / 'out'}"]
    assert before == {p.name: sorted(q.name for q in p.iterdir()) if p.is_dir()
                      else p.read_text() for p in kept}
    assert (linked / STAGING_MARK).is_file()


@pytest.mark.parametrize("mark", ["not json", json.dumps(["gridqueue"]),
                                  json.dumps({"written_by": "me", "pid": 1}),
                                  json.dumps({"written_by": "gridqueue", "pid": 10**30}),
                                  json.dumps({"written_by": "gridqueue", "pid": True})])
def test_a_mark_that_does_not_name_a_process_of_gridqueue_keeps_the_folder(tmp_path, mark):
    staging = leftover(tmp_path / ".out.partial-0dd00000", ended_process())
    (staging / STAGING_MARK).write_text(mark)
    assert write(tmp_path / "out")[0].startswith(f"left {staging} as it is")
    assert staging.is_dir()


def test_a_live_process_is_let_be_until_it_ends(tmp_path):
    """A leftover of a process still running (this one; a child) is let be, without a word."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        running = leftover(tmp_path / ".out.partial-runn1ng0", child.pid)
        this_one = leftover(tmp_path / ".out.partial-th1s0000", os.getpid())
        just_made = tmp_path / ".out.partial-empty000"  # stopped before its mark, or being made
        just_made.mkdir()
        assert write(tmp_path / "out") == []
        assert running.is_dir() and this_one.is_dir() and just_made.is_dir()
    finally:
        child.kill()
        child.wait()
    long_ago = time.time() - 3600
    os.utime(just_made, (long_ago, long_ago))
    assert len(write(tmp_path / "out")) == 1
    assert not running.exists() and not just_made.exists() and this_one.is_dir()


def test_leftovers_of_other_names_are_never_touched(tmp_path):
    """Not another output's, nor a sweep kept for --resume (``.NAME.partial``), nor a backup."""
    dead = ended_process()
    others = [leftover(tmp_path / name, dead) for name in
              (".out.partial", ".outer.partial-abcd1234", ".outer.old-abcd1234",
               ".out.partial-x.partial-abcd1234", "out.partial-abcd1234", ".0ut.partial-ab")]
    assert write(tmp_path / "out") == []
    assert all((p / STAGING_MARK).is_file() for p in others)


def set_aside(where: Path, pid: int | None) -> Path:
    """A folder an earlier output was set aside in, as a write stopped deleting it leaves it.

    Marked as made by process ``pid``; without a mark (None) as a gridqueue before the mark
    left it.
    """
    (where / "results" / "figures").mkdir(parents=True)
    (where / "results" / MARKER).write_text('{"written_by": "gridqueue"}')
    (where / "results" / "figures" / "queue.png").write_bytes(b"half")
    if pid is not None:
        (where / STAGING_MARK).write_text(json.dumps(
            {"written_by": "gridqueue", "pid": pid, "host": socket.gethostname()}))
    return where


def test_what_an_interrupted_write_left_of_the_output_it_replaced_is_removed(tmp_path):
    """The earlier output a write was deleting when stopped is removed by the next, saying so.

    It was never removed nor named. Only gridqueue's own: one whose process runs is let be,
    and one holding anything else is named and kept.
    """
    gone = set_aside(tmp_path / ".out.old-g0ne0000", ended_process())
    older = set_aside(tmp_path / ".out.old-0lder000", None)
    running = set_aside(tmp_path / ".out.old-runn1ng0", os.getpid())
    mine = set_aside(tmp_path / ".out.old-m1ne0000", ended_process())
    (mine / "notes.txt").write_text("mine")
    assert write(tmp_path / "out") == [
        f"removed {older}, {gone}, what gridqueue left undeleted of an earlier output of "
        f"{tmp_path / 'out'}",
        f"left {mine} as found: it may hold what gridqueue left undeleted of an earlier output "
        f"of {tmp_path / 'out'}, but gridqueue cannot tell; remove it yourself if so"]
    assert not gone.exists() and not older.exists()
    assert (running / STAGING_MARK).is_file() and (mine / "notes.txt").is_file()


def test_a_run_killed_outright_while_writing_is_cleaned_up_by_the_next(folder, capsys):
    """``kill -9`` to a real ``gridqueue run`` while it writes its output; then run again."""
    with staged_directory(folder / "out") as staging:  # earlier results, to be kept
        (staging / "summary.csv").write_text("earlier")
    killed_while_writing = (
        "import os, pathlib, time\n"
        "from sim.runs import results\n"
        "def writing(self, folder, *_):\n"
        "    (folder / 'summary.csv').write_text('half')\n"
        "    pathlib.Path('started').write_text(str(os.getpid()))\n"
        "    time.sleep(60)\n"
        "results.Results._write_files = writing\n"
        "from sim.cli import main\n"
        f"main(['run', 's.yaml', '-o', 'out', '--force', *{SMALL!r}])\n")
    process = start_python(folder, "-c", killed_while_writing)
    deadline = time.monotonic() + 60
    while not (folder / "started").exists() or not (folder / "started").read_text():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run did not start writing"
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)
    (staging,) = folder.glob(".out.partial-*")
    assert json.loads((staging / STAGING_MARK).read_text())["pid"] == process.pid
    assert (folder / "out" / "summary.csv").read_text() == "earlier"
    assert main(["run", "s.yaml", "-o", "out", "--force", "--no-report", *SMALL]) == 0
    assert f"removed {staging.name}, a half-written copy of out" in capsys.readouterr().err
    assert sorted(p.name for p in folder.iterdir()) == ["out", "s.yaml", "started", "tmp"]
    assert MARKER in os.listdir(folder / "out")
    assert STAGING_MARK not in os.listdir(folder / "out")


def host_tag(host: str | None = None, namespace: str | None = None) -> str:
    """The tag of a machine (this one) and PID namespace (this process's) in a file's name."""
    namespace = namespace or PID_NAMESPACE
    machine = (host or socket.gethostname()) + ("" if namespace is None else f" {namespace}")
    return hashlib.sha256(machine.encode()).hexdigest()[:8]


def file_left(folder: Path, pid: int, text: str | None, end: str,
              host: str | None = None, namespace: str | None = None) -> Path:
    """The temporary file a ``schema -o schema.json`` killed part-way leaves beside it.

    With ``text`` None, a symbolic link to such a file elsewhere instead.
    """
    tag = host_tag(host, namespace)
    path = folder / f".schema.json.partial-{pid}-{tag}-{end}"
    if text is None:
        path.symlink_to(file_left(folder / "elsewhere", pid, "", end))
    else:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    return path


def test_a_file_a_killed_write_left_is_removed_by_the_next(folder, capsys):
    """A single file cannot hold a mark: its name holds the process and (a hash of) the machine.

    Removed only if that process is gone and the file is empty or holds gridqueue's signature.
    """
    dead = ended_process()
    half = file_left(folder, dead, '{"$comment": "Written by gridqueue schema 1.0; rege', "h4lf")
    assert main(["schema", "-o", "schema.json"]) == 0
    assert not half.exists()
    assert capsys.readouterr().err.splitlines() == [
        f"gridqueue: warning: removed {half.name}, a half-written copy of schema.json that a "
        "killed gridqueue command left behind"]
    empty = file_left(folder, dead, "", "empty")
    running = file_left(folder, os.getpid(), "", "runn1ng")
    old_name = folder / ".schema.json.partial-abcd1234"  # named before names held the process
    old_name.write_text("")
    kept = [file_left(folder, dead, "", "0ther", host="elsewhere.example"),
            # this machine's name, but a container's own process ids: it may well run
            file_left(folder, dead, "", "c0nta1ner", namespace="pid:[1]"),
            file_left(folder, dead, "my own notes", "m1ne"), old_name,
            file_left(folder, dead, None, "l1nk")]
    assert main(["schema", "-o", "schema.json", "--force"]) == 0
    assert not empty.exists() and running.exists() and all(os.path.lexists(p) for p in kept)
    assert kept[2].read_text() == "my own notes"
    removed, left = capsys.readouterr().err.splitlines()
    assert removed == (f"gridqueue: warning: removed {empty.name}, a half-written copy of "
                       "schema.json that a killed gridqueue command left behind")
    assert left.startswith("gridqueue: warning: left .schema.json.partial-") and \
        left.endswith("and 2 more as they are: they may be half-written copies of schema.json "
                      "that killed gridqueue commands left behind, but gridqueue cannot tell; "
                      "remove them yourself if no gridqueue command is writing schema.json")


def test_a_files_temporary_name_holds_the_process_and_machine(tmp_path, monkeypatch):
    replaced = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: (replaced.append(Path(src).name),
                                                         real_replace(src, dst))[1])
    write_file(tmp_path / "schema.json", "ours", force=False, is_ours="ours")
    (name,) = replaced
    assert name.startswith(f".schema.json.partial-{os.getpid()}-{host_tag()}-")


# What a command killed outright leaves in the temporary folder (TMPDIR)


def test_a_reproduce_killed_outright_leaves_no_copy_of_the_run_in_tmpdir_for_good(folder):
    """``kill -9`` to ``gridqueue reproduce`` left the whole re-run in TMPDIR, never removed.

    Its temporary folder now carries the mark of its process; the next command that makes
    one removes it once that process is gone.
    """
    assert main(["run", "s.yaml", "-o", "out", "--no-report", *SMALL]) == 0
    killed_while_comparing = (
        "import os, signal\n"
        "from sim.analysis import reproduce\n"
        "reproduce.compare_files = lambda *_: os.kill(os.getpid(), signal.SIGKILL)\n"
        "from sim.cli import main\n"
        "main(['reproduce', 'out', '-q', '--workers', '1'])\n")
    process = start_python(folder, "-c", killed_while_comparing)
    process.communicate(timeout=120)
    assert process.returncode == -signal.SIGKILL
    (left,) = (folder / "tmp").iterdir()
    assert left.name.startswith("gridqueue-reproduce-") and (left / "rerun").is_dir()
    assert json.loads((left / STAGING_MARK).read_text())["pid"] == process.pid
    again = start_python(folder, "-m", "sim", "reproduce", "out", "-q", "--workers", "1")
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert err == ""
    assert list((folder / "tmp").iterdir()) == []


def test_only_temporary_folders_of_gridqueue_processes_gone_are_removed(tmp_path):
    """A live process's, another machine's, an unmarked one and other names are let be."""
    from sim.runs.staging import temporary_directory

    dead = ended_process()
    gone = [leftover(tmp_path / f"gridqueue-{kind}-0dd00000", dead)
            for kind in ("applicants", "running", "reproduce")]
    empty_long_ago = tmp_path / "gridqueue-running-empty000"
    empty_long_ago.mkdir()
    long_ago = time.time() - 3600
    os.utime(empty_long_ago, (long_ago, long_ago))
    kept = [leftover(tmp_path / "gridqueue-running-th1s0000", os.getpid()),
            leftover(tmp_path / "gridqueue-running-0ther000", dead, host="elsewhere.example"),
            # this machine's name, but a container's own process ids: it may well run
            leftover(tmp_path / "gridqueue-running-c0nta1ner", dead, pid_namespace="pid:[1]"),
            leftover(tmp_path / "gridqueue-notes-0dd00000", dead),
            leftover(tmp_path / "my-gridqueue-running-0dd00000", dead)]
    unmarked = leftover(tmp_path / "gridqueue-applicants-unmarked", dead)
    (unmarked / STAGING_MARK).unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with temporary_directory("gridqueue-running-", tmp_path) as made:
            mark = json.loads((Path(made) / STAGING_MARK).read_text())
            assert mark["pid"] == os.getpid()
            if Path("/proc/self/ns/pid").exists():
                assert mark["pid_namespace"] == os.readlink("/proc/self/ns/pid")
    assert not any(p.exists() for p in [*gone, empty_long_ago])
    assert all((p / STAGING_MARK).is_file() for p in kept) and unmarked.is_dir()
    assert not Path(made).exists()
