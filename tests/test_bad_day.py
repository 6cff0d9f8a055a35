"""Bad input met on a bad day: each is one message naming what is wrong, never a silent exit.

A policy module that ends the program while imported, a run.json edited to ask for a billion
replications, a symbolic link that points back to itself, a missing Dask, a sweep grid of
millions of cells, a ``--vary`` named as a ``--set``, a run.json that is there but unreadable
and a schema file edited by hand: each fails with exit code 2 and one line naming the file,
the key or option and what was expected, before any work is done.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from sim.cli import main
from tests.comparison_family import FIFO

ROOT = Path(__file__).resolve().parents[1]


def gridqueue(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run ``gridqueue ARGS`` in this process; return the exit code, stdout and stderr."""
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def gridqueue_process(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``gridqueue ARGS`` as a process of its own, as a terminal would."""
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env=_with_gridqueue_on_path())


def _with_gridqueue_on_path() -> dict[str, str]:
    """The environment, with this checkout first on the Python path (the test's cwd is not)."""
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": str(ROOT) + (os.pathsep + path if path else "")}


IN_TURN = """\
import contextlib, io, json, sys, traceback
from sim.__main__ import main

outcomes = []
for args in json.load(sys.stdin):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(args)
        except Exception:
            traceback.print_exc()
            code = 1
    outcomes.append([code, out.getvalue(), err.getvalue()])
print(json.dumps(outcomes))
"""
"""A process that runs each ``gridqueue`` command given on standard input in turn.

An exception that escapes a command is printed and gives exit code 1, as it would end a
process of that command's own; the next command runs all the same.
"""


def gridqueue_in_turn(commands: list[list[str]], cwd: Path, prefix: Sequence[str] = (),
                      limit: Callable[[], None] | None = None) -> list[tuple[int, str, str]]:
    """Run ``gridqueue`` COMMANDS in turn in one process: each one's code, stdout and stderr.

    For commands that need a process set apart (a memory limit, permissions that apply), but
    not one each: each process imports gridqueue anew, two CPU-seconds or more when traced.
    """
    done = subprocess.run([*prefix, sys.executable, "-c", IN_TURN], cwd=cwd,
                          input=json.dumps(commands), capture_output=True, text=True,
                          timeout=300, env=_with_gridqueue_on_path(), preexec_fn=limit)
    assert done.returncode == 0, done.stderr
    return [(code, out, err) for code, out, err in json.loads(done.stdout)]


def one_error(code: int, out: str, err: str, *says: str) -> str:
    """Check a refusal: exit code 2, no output, one line of error holding each of ``says``."""
    assert code == 2, err
    assert out == ""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gridqueue: error: "), err
    for text in says:
        assert text in lines[0], lines[0]
    return lines[0]


def scenario_in(folder: Path, extra: str = "", name: str = "s.yaml") -> Path:
    """A small scenario file in ``folder`` (two replications), with ``extra`` appended."""
    path = folder / name
    path.write_text(FIFO.replace("replications: 6", "replications: 2")
                    + textwrap.dedent(extra), encoding="utf-8")
    return path


# A policy module that calls sys.exit while imported


EXITS = "import sys\n\nsys.exit({code})\n"
"""A policy module that ends the program as it is imported."""


@pytest.fixture
def exiting_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scenario whose policy.import names a module that calls sys.exit(0) at import."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "gq_test_exits_zero.py").write_text(EXITS.format(code=0), encoding="utf-8")
    return scenario_in(tmp_path, "policy:\n  import: [gq_test_exits_zero]\n  order: fifo\n")


@pytest.mark.parametrize("command", [
    ["run", "s.yaml", "-o", "out", "-q", "--workers", "1"],
    ["validate", "s.yaml"],
    ["compare", "s.yaml", "s.yaml", "-o", "out", "-q", "--workers", "1"],
    ["sweep", "s.yaml", "--vary", "seed=1,2", "-o", "out", "-q", "--workers", "1"],
], ids=lambda command: command[0])
def test_a_policy_module_that_exits_while_imported_is_refused(command, exiting_policy, capsys):
    """``sys.exit(0)`` in a policy.import module made every command end at once with code 0."""
    line = one_error(*gridqueue(command, capsys), "s.yaml:", "policy.import.0: policy module "
                     "'gq_test_exits_zero' called sys.exit or os._exit (0) while being "
                     "imported", "gq_test_exits_zero.py:3")
    assert line.endswith("a policy module must define policies, not end the program")
    assert not (exiting_policy.parent / "out").exists()


def test_an_exit_code_of_a_policy_module_is_not_passed_on(tmp_path, capsys, monkeypatch):
    """``sys.exit(3)`` at import ended gridqueue with code 3 and no message."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "gq_test_exits_three.py").write_text(EXITS.format(code=3), encoding="utf-8")
    scenario_in(tmp_path, "policy:\n  import: [gq_test_exits_three]\n  order: fifo\n")
    one_error(*gridqueue(["validate", "s.yaml"], capsys), "called sys.exit or os._exit (3)")


def test_os_exit_while_a_policy_module_is_imported_is_refused(tmp_path):
    """``os._exit(0)`` at import ended the process at once: a script read exit code 0."""
    (tmp_path / "gq_test_hard_exit.py").write_text("import os\n\nos._exit(0)\n",
                                                   encoding="utf-8")
    scenario_in(tmp_path, "policy:\n  import: [gq_test_hard_exit]\n  order: fifo\n")
    done = gridqueue_process("validate", "s.yaml", cwd=tmp_path)
    one_error(done.returncode, done.stdout, done.stderr,
              "policy module 'gq_test_hard_exit' called sys.exit or os._exit (0)",
              "gq_test_hard_exit.py:3")


def test_reproduce_refuses_a_kept_policy_module_changed_to_exit(tmp_path):
    """A results folder whose copy of the policy code now exits is not "reproduced", code 0."""
    (tmp_path / "gq_test_kept.py").write_text(
        "from sim.policies import FIFOPolicy, register_policy\n\n\n@register_policy\n"
        "class Kept(FIFOPolicy):\n    name = 'gq_test_kept'\n", encoding="utf-8")
    scenario_in(tmp_path, "policy:\n  import: [gq_test_kept]\n  order: gq_test_kept\n")
    done = gridqueue_process("run", "s.yaml", "-o", "out", "-q", "--no-report", "--workers", "1",
                             cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (tmp_path / "out" / "gq_test_kept.py").write_text(EXITS.format(code=0), encoding="utf-8")
    done = gridqueue_process("reproduce", "out", "-q", "--workers", "1", cwd=tmp_path)
    one_error(done.returncode, done.stdout, done.stderr, "out/scenario.yaml:",
              "policy module 'gq_test_kept' called sys.exit or os._exit (0)",
              str(Path("out", "gq_test_kept.py")))


# A run.json edited to ask for a billion replications


MEMORY_LIMIT_BYTES = 4 << 30
"""Address space of a gridqueue process that reads a tampered run.json: a list of a billion
replication numbers, built before the limit was checked, takes ten times as much."""


def _limit_memory() -> None:
    """In the child process: fail an allocation beyond :data:`MEMORY_LIMIT_BYTES` at once."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A results folder of the small scenario (written without its report)."""
    folder = tmp_path_factory.mktemp("results")
    scenario_in(folder)
    assert main(["run", str(folder / "s.yaml"), "-o", str(folder / "orig"), "-q",
                 "--no-report", "--workers", "1"]) == 0
    return folder


READING_C = {"report": ["report", "C"], "reproduce": ["reproduce", "C", "-q"],
             "compare": ["compare", "orig", "C", "-o", "cmp", "-q"]}
"""Commands that read the results folder C (beside its original, orig), by name."""


@pytest.fixture(scope="module")
def a_billion_asked(results: Path, tmp_path_factory: pytest.TempPathFactory
                    ) -> tuple[Path, dict[str, tuple[int, str, str]]]:
    """Each of :data:`READING_C` given a run.json asking for a billion replications.

    Run in one process held to :data:`MEMORY_LIMIT_BYTES`; the folder and what each did.
    """
    folder = tmp_path_factory.mktemp("billion")
    shutil.copytree(results / "orig", folder / "orig")
    shutil.copytree(results / "orig", folder / "C")
    info = json.loads((folder / "C" / "run.json").read_text(encoding="utf-8"))
    (folder / "C" / "run.json").write_text(json.dumps({**info, "replications": 10**9}),
                                           encoding="utf-8")
    done = gridqueue_in_turn(list(READING_C.values()), folder, limit=_limit_memory)
    return folder, dict(zip(READING_C, done, strict=True))


@pytest.mark.parametrize("command", READING_C)
def test_a_run_json_asking_for_a_billion_replications_is_refused_first(command, a_billion_asked):
    """The count was made into a list before it was checked: out of memory, or a traceback."""
    folder, done = a_billion_asked
    one_error(*done[command], "C/run.json: replications: expected a number of replications "
              "from 1 to 100,000", "got 1000000000")
    assert not (folder / "cmp").exists()


def test_a_run_json_listing_a_replication_beyond_the_limit_is_refused(results, tmp_path,
                                                                      capsys):
    """A list of replications is held to the same limit as a count."""
    shutil.copytree(results / "orig", tmp_path / "C")
    info = json.loads((tmp_path / "C" / "run.json").read_text(encoding="utf-8"))
    (tmp_path / "C" / "run.json").write_text(json.dumps({**info, "replications": [0, 10**12]}),
                                             encoding="utf-8")
    one_error(*gridqueue(["report", str(tmp_path / "C")], capsys),
              "run.json: replications: expected", "got [0, 1000000000000]")


@pytest.mark.parametrize("command", [["report", "C"], ["reproduce", "C", "-q"]],
                         ids=lambda command: command[0])
def test_a_run_json_listing_a_replication_twice_is_refused_naming_it(command, results,
                                                                     tmp_path, capsys,
                                                                     monkeypatch):
    """Reproduce said only "replication 1: given more than once", not where; report took it."""
    shutil.copytree(results / "orig", tmp_path / "C")
    info = json.loads((tmp_path / "C" / "run.json").read_text(encoding="utf-8"))
    (tmp_path / "C" / "run.json").write_text(json.dumps({**info, "replications": [1, 0, 1]}),
                                             encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    line = one_error(*gridqueue(command, capsys), "C/run.json: replications: expected")
    assert line.endswith("expected each replication index once, got 1 more than once")


@pytest.mark.parametrize("command", [["report", "C"], ["reproduce", "C", "-q"]],
                         ids=lambda command: command[0])
def test_a_run_json_holding_a_whole_number_of_thousands_of_digits_is_refused(
        command, results, tmp_path, capsys, monkeypatch):
    """JSON reads such a number with int(), which refuses more than 4300 digits: a traceback."""
    shutil.copytree(results / "orig", tmp_path / "C")
    text = (tmp_path / "C" / "run.json").read_text(encoding="utf-8")
    info = json.loads(text)
    (tmp_path / "C" / "run.json").write_text(
        text.replace(f'"seed": {info["seed"]}', '"seed": 1' + "0" * 5000, 1), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    one_error(*gridqueue(command, capsys),
              "C/run.json: expected readable JSON (a whole number of more than 4300 digits)")


# A symbolic link that points back to itself


LOOP = "a symbolic link that points back to itself"


@pytest.fixture
def loops(results: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with the small scenario, a results folder and links that loop.

    ``loop.yaml`` and ``sl1`` point to themselves, ``a_loop`` and ``b_loop`` to each other.
    """
    monkeypatch.chdir(tmp_path)
    scenario_in(tmp_path)
    shutil.copytree(results / "orig", tmp_path / "PREV")
    for link, target in (("loop.yaml", "loop.yaml"), ("sl1", "sl1"), ("a_loop", "b_loop"),
                         ("b_loop", "a_loop")):
        (tmp_path / link).symlink_to(target)
    return tmp_path


LOOPING = [
    (["validate", "loop.yaml"], "loop.yaml: expected a scenario file, 'loop.yaml' is " + LOOP),
    (["run", "loop.yaml", "-q"], "loop.yaml: expected a scenario file, 'loop.yaml' is " + LOOP),
    (["sweep", "loop.yaml", "--vary", "seed=1,2"],
     "loop.yaml: expected a scenario file, 'loop.yaml' is " + LOOP),
    (["run", "s.yaml", "-o", "a_loop/out", "-q"],
     f"a_loop/out: goes through a_loop, which is {LOOP}"),
    (["run", "s.yaml", "-o", "sl1", "--force", "-q"], f"sl1: is {LOOP}"),
    (["sweep", "s.yaml", "--vary", "seed=1,2", "-o", "sl1", "-q"], f"sl1: is {LOOP}"),
    (["compare", "sl1", "PREV", "-o", "cmp", "-q"],
     f"sl1: expected an input file or folder; it is {LOOP}"),
    (["compare", "s.yaml", "PREV", "--reference", "sl1", "-o", "cmp", "-q"], f"sl1: is {LOOP}"),
    (["report", "sl1"], f"sl1: is {LOOP}"),
    (["reproduce", "sl1"], f"sl1: is {LOOP}"),
]
"""Commands given a path that loops, and what each says."""


@pytest.mark.parametrize(("command", "says"), [
    pytest.param(command, says, id=" ".join(command)) for command, says in LOOPING])
def test_a_symbolic_link_that_loops_is_named_not_a_traceback(command, says, loops, capsys):
    """Path.resolve raised RuntimeError ('Symlink loop from ...'), shown as a traceback."""
    one_error(*gridqueue(command, capsys), says)
    assert not (loops / "cmp").exists()


@pytest.mark.parametrize(("name", "what"), [
    ("mine.py", "a Python module (a policy module is named in a scenario's policy.import)"),
    ("list.csv", "a CSV file (a waiting list is named in a scenario's waiting_list.csv)"),
    ("Wachtlijst.XLSX", "a spreadsheet")])
def test_a_policy_module_or_table_given_as_a_scenario_is_named_as_such(name, what, tmp_path,
                                                                        monkeypatch, capsys):
    """A policy module given where a scenario belongs read 'expected a mapping of keys'."""
    monkeypatch.chdir(tmp_path)
    Path(name).write_text("x = 1\n", encoding="utf-8")
    Path("child.yaml").write_text(f"extends: {name}\n", encoding="utf-8")
    one_error(*gridqueue(["run", name, "-q"], capsys),
              f"{name}: expected a scenario file (YAML), '{name}' is {what}")
    one_error(*gridqueue(["validate", "child.yaml"], capsys),
              f"child.yaml:1: extends: expected a scenario file (YAML), '{name}' is {what}")


def test_extends_naming_a_link_that_loops_names_the_line(loops, capsys):
    """``extends: loop.yaml`` is refused at the line of the extends."""
    (loops / "child.yaml").write_text("extends: loop.yaml\n", encoding="utf-8")
    one_error(*gridqueue(["validate", "child.yaml"], capsys),
              f"child.yaml:1: extends: expected a scenario file, 'loop.yaml' is {LOOP}")


def test_an_observations_file_that_loops_is_not_called_missing(loops, capsys):
    """``observations: loop.yaml`` said the file 'was not found', though ``ls`` shows it."""
    (loops / "o.yaml").write_text("extends: s.yaml\nobservations: loop.yaml\n",
                                  encoding="utf-8")
    one_error(*gridqueue(["validate", "o.yaml"], capsys),
              f"o.yaml:2: observations: expected a list of observations or the name of a file "
              f"of them; 'loop.yaml' is {LOOP}")


def test_a_question_naming_a_link_that_loops_is_not_called_missing(loops, capsys):
    """A questions file naming the loop said it was not found."""
    (loops / "q.yaml").write_text("- {question: q, reference: s.yaml, variant: sl1}\n",
                                  encoding="utf-8")
    one_error(*gridqueue(["compare", "--questions", "q.yaml", "-o", "cmp"], capsys),
              "q.yaml:1: 0.variant: expected an existing scenario file or results directory; "
              f"sl1 is {LOOP}")


# A run.json that is there but cannot be read


def _run_json_a_folder(path: Path) -> None:
    path.mkdir()


def _run_json_a_loop(path: Path) -> None:
    path.symlink_to(path.name)


def _run_json_damaged(path: Path) -> None:
    path.write_text("{\n", encoding="utf-8")


@pytest.mark.parametrize(("damage", "says"), [
    (_run_json_a_folder, "A/run.json: expected readable JSON (the provenance gridqueue run "
                         "writes); found a directory"),
    (_run_json_a_loop, "A/run.json: expected readable JSON (the provenance gridqueue run "
                       f"writes); it is there but cannot be read (is {LOOP}"),
    (_run_json_damaged, "A/run.json:2: expected readable JSON"),
], ids=["a folder", "a loop", "damaged"])
@pytest.mark.parametrize("command", [["compare", "orig", "A", "-o", "cmp", "-q"], ["report", "A"]],
                         ids=lambda command: command[0])
def test_a_run_json_that_is_there_but_unreadable_is_not_called_missing(
        command, damage, says, results, tmp_path, capsys, monkeypatch):
    """A run.json that is a folder or a loop was reported as no run.json at all."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(results / "orig", tmp_path / "orig")
    shutil.copytree(results / "orig", tmp_path / "A")
    (tmp_path / "A" / "run.json").unlink()
    damage(tmp_path / "A" / "run.json")
    line = one_error(*gridqueue(command, capsys), says)
    assert "none found" not in line
    assert not (tmp_path / "cmp").exists()


def test_a_folder_without_run_json_is_still_called_so(results, tmp_path, capsys, monkeypatch):
    """Only a run.json that is not there at all is 'none found'."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(results / "orig", tmp_path / "A")
    (tmp_path / "A" / "run.json").unlink()
    one_error(*gridqueue(["report", "A"], capsys),
              "A: expected a results directory with run.json; none found")


# A --set or --vary value nested too deeply


@pytest.mark.parametrize("command", ["validate", "run", "sweep"])
def test_a_value_nested_too_deeply_on_the_command_line_is_refused(command, tmp_path, capsys):
    """A --set (or --vary) value of thousands of brackets ended in a RecursionError traceback.

    A scenario file nested so deeply was already refused with one line; now a value typed
    on the command line is too.
    """
    deep = "[" * 30_000 + "]" * 30_000
    option = ["--vary", f"grid.capacity_mw=1,{deep}"] if command == "sweep" else \
        ["--set", f"grid.capacity_mw={deep}"]
    output = [] if command == "validate" else ["-o", str(tmp_path / "out"), "-q"]
    line = one_error(*gridqueue([command, str(scenario_in(tmp_path)), *option, *output],
                                capsys), "grid.capacity_mw: expected")
    # --vary said "values separated by commas, each a YAML value", hiding the reason
    assert line.endswith(": grid.capacity_mw: expected a value nested less deeply")
    assert not (tmp_path / "out").exists()


# A results folder whose permissions do not let it be opened


def _where_permissions_bite() -> list[str]:
    """Words that start a command so that file permissions apply to it, or skip the test.

    As root they apply only without the capabilities that override them (``setpriv``).
    """
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("root without setpriv: permissions do not apply")
    dropped = "-dac_override,-dac_read_search"
    return ["setpriv", f"--inh-caps={dropped}", f"--bounding-set={dropped}"]


@pytest.fixture(scope="module")
def unopenable(results: Path, tmp_path_factory: pytest.TempPathFactory
               ) -> tuple[Path, dict[str, tuple[int, str, str]]]:
    """Each of :data:`READING_C` given a folder C of chmod 000.

    Run in one process to which permissions apply; the folder and what each did.
    """
    prefix = _where_permissions_bite()
    folder = tmp_path_factory.mktemp("unopenable")
    shutil.copytree(results / "orig", folder / "orig")
    shutil.copytree(results / "orig", folder / "C")
    (folder / "C").chmod(0)
    try:
        done = gridqueue_in_turn(list(READING_C.values()), folder, prefix=prefix)
    finally:
        (folder / "C").chmod(0o755)
    return folder, dict(zip(READING_C, done, strict=True))


@pytest.mark.parametrize("command", READING_C)
def test_a_results_folder_that_may_not_be_opened_is_named_so(command, unopenable):
    """A folder of chmod 000 failed naming its sweep.csv, a file it does not hold."""
    folder, done = unopenable
    line = one_error(*done[command])
    assert line == ("gridqueue: error: C: expected a results directory you may read; its "
                    "permissions do not let you open it (chmod u+rx)")
    assert not (folder / "cmp").exists()


# A cluster asked for without Dask installed


@pytest.fixture
def without_dask(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dask cannot be imported, as after ``make run``, which installs no extra."""
    for name in [name for name in sys.modules if name.split(".")[0] == "distributed"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed: an ImportError


@pytest.mark.parametrize("command", [
    ["run", "s.yaml", "-o", "out", "-q"],
    ["sweep", "s.yaml", "--vary", "seed=1,2", "-o", "out", "-q"],
], ids=lambda command: command[0])
def test_a_scheduler_without_dask_says_how_to_install_it(command, without_dask, tmp_path, capsys,
                                                         monkeypatch):
    """``--scheduler`` without Dask was a ModuleNotFoundError traceback ('distributed')."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GRIDQUEUE_SCHEDULER", raising=False)
    scenario_in(tmp_path)
    line = one_error(*gridqueue([*command, "--scheduler", "tcp://127.0.0.1:9"], capsys),
                     "--scheduler tcp://127.0.0.1:9: a Dask cluster was asked for, but Dask is "
                     "not installed", "pip install '.[dask]'")
    assert line.endswith("or leave out --scheduler to run on local processes")
    assert not (tmp_path / "out").exists()


def test_a_scheduler_from_the_environment_without_dask_names_the_variable(
        without_dask, tmp_path, capsys, monkeypatch):
    """Set once for every run and forgotten, the variable is named, and how to unset it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GRIDQUEUE_SCHEDULER", "tcp://127.0.0.1:9")
    scenario_in(tmp_path)
    line = one_error(*gridqueue(["run", "s.yaml", "-o", "out", "-q"], capsys),
                     "GRIDQUEUE_SCHEDULER=tcp://127.0.0.1:9: a Dask cluster was asked for, but "
                     "Dask is not installed")
    assert line.endswith("or unset GRIDQUEUE_SCHEDULER to run on local processes")


def _closed_port() -> int:
    """A TCP port of this machine that nothing listens on (it refuses connections)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_scheduler_that_refuses_connections_is_given_up_within_seconds(tmp_path, capsys,
                                                                       monkeypatch):
    """A mistyped scheduler port kept the command waiting Dask's 30 s before its message."""
    import time

    pytest.importorskip("distributed")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GRIDQUEUE_SCHEDULER", raising=False)
    scenario_in(tmp_path)
    address = f"tcp://127.0.0.1:{_closed_port()}"
    started = time.monotonic()
    line = one_error(*gridqueue(["run", "s.yaml", "-o", "out", "-q", "--scheduler", address],
                                capsys),
                     f"--scheduler {address}: cannot reach the Dask scheduler at '{address}' "
                     "(the connection was refused: nothing listens at that address)")
    assert time.monotonic() - started < 5
    assert line.endswith("or leave out --scheduler to run on local processes")
    assert not (tmp_path / "out").exists()


def test_a_scheduler_address_where_no_scheduler_answers_is_given_up(tmp_path, capsys,
                                                                    monkeypatch):
    """A port that accepts but never greets as a scheduler does is given up, not waited on.

    A web server (the dashboard's 8787 given for 8786) kept the command waiting for ever:
    Dask waits for a scheduler's greeting without a limit.
    """
    import socket
    import time

    pytest.importorskip("distributed")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GRIDQUEUE_SCHEDULER", raising=False)
    monkeypatch.setattr("sim.runs.distributed._GREETING_SECONDS", 1)
    scenario_in(tmp_path)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        address = f"tcp://127.0.0.1:{silent.getsockname()[1]}"
        started = time.monotonic()
        one_error(*gridqueue(["run", "s.yaml", "-o", "out", "-q", "--scheduler", address],
                             capsys),
                  f"--scheduler {address}: cannot reach the Dask scheduler at '{address}' (a "
                  "connection was made, but no Dask scheduler answered within 1 s; a "
                  "scheduler listens on port 8786 unless set otherwise, 8787 is its dashboard)")
    assert time.monotonic() - started < 10
    assert not (tmp_path / "out").exists()


def test_a_tls_scheduler_without_certificates_is_refused_at_once(tmp_path, capsys,
                                                                monkeypatch):
    """Dask's TypeError as it connected was a traceback, and another a minute later."""
    import time

    pytest.importorskip("distributed")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GRIDQUEUE_SCHEDULER", raising=False)
    scenario_in(tmp_path)
    address = f"tls://127.0.0.1:{_closed_port()}"
    started = time.monotonic()
    line = one_error(*gridqueue(["run", "s.yaml", "-o", "out", "-q", "--scheduler", address],
                                capsys),
                     f"--scheduler {address}: a tls:// scheduler needs the cluster's "
                     "certificates, and Dask's configuration names none")
    assert time.monotonic() - started < 5
    assert line.endswith("or leave out --scheduler to run on local processes")
    assert not (tmp_path / "out").exists()


def test_reproduce_runs_locally_whatever_the_scheduler_variable_says(results, tmp_path, capsys,
                                                                      monkeypatch, without_dask):
    """Its verdict names the versions installed here, so the re-run is made here (documented)."""
    shutil.copytree(results / "orig", tmp_path / "orig")
    monkeypatch.setenv("GRIDQUEUE_SCHEDULER", "tcp://127.0.0.1:9")
    code, out, err = gridqueue(["reproduce", str(tmp_path / "orig"), "-q", "--workers", "1"],
                               capsys)
    assert code == 0, err
    assert out.strip().splitlines()[-1].startswith("reproduced:")


# A sweep grid of millions of cells


@pytest.fixture
def no_cell_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail at once if a sweep builds a cell: a grid too large must be refused before."""
    def built(*args: object) -> None:
        raise AssertionError("a cell of a grid too large was built")

    monkeypatch.setattr("sim.analysis.sweep_grid._cell", built)


def test_a_sweep_grid_of_millions_of_cells_is_refused_at_once(tmp_path, capsys, monkeypatch,
                                                              no_cell_built):
    """2,000 by 2,000 values printed nothing for ten minutes and took 6.9 GB, then more."""
    monkeypatch.chdir(tmp_path)
    scenario_in(tmp_path)
    values = ",".join(str(value) for value in range(1, 2001))
    one_error(*gridqueue(["sweep", "s.yaml", "--vary", f"grid.capacity_mw={values}", "--vary",
                          f"seed={values}", "-o", "out"], capsys),
              "s.yaml: sweep: expected a grid of at most 10,000 cells, got 4,000,000 (2,000 of "
              "grid.capacity_mw, 2,000 of seed)", "split the grid into several sweeps")
    assert not (tmp_path / "out").exists()


def test_a_sweep_block_one_cell_too_large_is_refused_by_validate(tmp_path, capsys, monkeypatch,
                                                                 no_cell_built):
    """The limit is the same for a file's sweep: block, and validate says so as sweep would."""
    monkeypatch.chdir(tmp_path)
    scenario_in(tmp_path, f"sweep:\n  seed: {list(range(1, 102))}\n"
                          f"  grid.capacity_mw: {list(range(100))}\n")
    one_error(*gridqueue(["validate", "s.yaml"], capsys),
              "expected a grid of at most 10,000 cells, got 10,100 (101 of seed, 100 of "
              "grid.capacity_mw)")


class Terminal(io.StringIO):
    """Standard error as a terminal: tqdm shows its bars only there."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("progress", [True, False])
def test_checking_a_large_grid_shows_progress(progress, tmp_path, monkeypatch):
    """Checking every cell before the first runs takes a minute at 10,000 cells: a bar says so."""
    from sim.analysis import sweep_grid
    from sim.analysis.sweeps import plan_sweep

    monkeypatch.setattr(sweep_grid, "CHECK_BAR_DELAY_SECONDS", 0)
    monkeypatch.setattr(sys, "stderr", Terminal())
    path = scenario_in(tmp_path)
    plan_sweep(path, {"seed": [1, 2, 3]}, progress=progress)
    shown = sys.stderr.getvalue()
    assert ("checking cells" in shown) is progress


# A bad --vary named as a --set


def test_a_vary_whose_key_leads_nowhere_is_named_as_typed(tmp_path, capsys, monkeypatch):
    """It was '--set grid.upgrades.99.delay_years=0: ...', an option never typed."""
    monkeypatch.chdir(tmp_path)
    scenario_in(tmp_path)
    line = one_error(*gridqueue(["sweep", "s.yaml", "--vary", "grid.upgrades.9.delay_years=0,1",
                                 "-o", "out"], capsys),
                     "--vary grid.upgrades.9.delay_years=0,1: grid.upgrades.9: expected a list "
                     "index from 0 to 0")
    assert "--set" not in line


def test_a_sweep_block_key_that_leads_nowhere_names_its_line(tmp_path, capsys, monkeypatch):
    """The same key in the file's sweep: block is named at its line, as validate checks it."""
    monkeypatch.chdir(tmp_path)
    scenario_in(tmp_path, "sweep:\n  grid.capacity_mw.low: [0, 1]\n")
    line = one_error(*gridqueue(["validate", "s.yaml"], capsys),
                     "s.yaml:26: sweep.grid.capacity_mw.low: expected a mapping or list to set "
                     "a key in, found the value")
    assert "--set" not in line


def test_a_vary_in_python_is_named_as_the_argument(tmp_path):
    """From Python the key is named as the vary argument's, not as an option."""
    from sim import GridqueueError, sweep

    path = scenario_in(tmp_path)
    with pytest.raises(GridqueueError, match=r"^vary\['grid.upgrades.9.delay_years'\]: "
                       r"grid.upgrades.9: expected a list index from 0 to 0"):
        sweep(path, {"grid.upgrades.9.delay_years": [0, 1]})


# A schema file edited by hand


def test_schema_force_keeps_a_schema_file_the_user_edited(tmp_path, capsys, monkeypatch):
    """``schema -o FILE --force`` replaced any file holding the signature, edits and all."""
    monkeypatch.chdir(tmp_path)
    assert main(["schema", "-o", "s.json"]) == 0
    assert main(["schema", "-o", "s.json", "--force"]) == 0  # as written: replaced
    capsys.readouterr()
    path = tmp_path / "s.json"
    edited = path.read_text(encoding="utf-8").replace('"title": "Scenario"',
                                                      '"title": "Our scenarios"', 1)
    path.write_text(edited, encoding="utf-8")
    for force in (["--force"], []):  # refused either way: no message suggests --force
        one_error(*gridqueue(["schema", "-o", "s.json", *force], capsys),
                  "s.json: was changed since gridqueue wrote it", "so --force will not replace "
                  "it; move it aside first")
    assert path.read_text(encoding="utf-8") == edited


def test_schema_force_keeps_a_schema_file_that_cannot_be_told_from_an_edited_one(
        tmp_path, capsys, monkeypatch):
    """A schema of a gridqueue that kept no SHA-256 of it may have been edited: kept."""
    monkeypatch.chdir(tmp_path)
    older = '{"$comment": "Written by gridqueue schema 1.0; regenerate rather than edit."}\n'
    (tmp_path / "s.json").write_text(older, encoding="utf-8")
    one_error(*gridqueue(["schema", "-o", "s.json", "--force"], capsys),
              "s.json: was written by an earlier gridqueue, which kept no SHA-256")
    assert (tmp_path / "s.json").read_text(encoding="utf-8") == older


def test_a_schema_file_holds_the_sha256_of_itself(capsys):
    """The digest in $comment is of the file as written, with zeros in the digest's place."""
    import hashlib
    import re

    assert main(["schema"]) == 0
    text = capsys.readouterr().out
    digest = re.search(r"\(sha256 ([0-9a-f]{64})\)", text).group(1)
    assert hashlib.sha256(text.replace(digest, "0" * 64).encode()).hexdigest() == digest
    assert json.loads(text)["title"] == "Scenario"


# How a path that names no file is told apart, whatever Python raises for it


def test_a_loop_is_named_whether_python_raises_runtime_or_os_error(tmp_path, monkeypatch):
    """Python 3.11 and 3.12 raise RuntimeError for a loop, later versions OSError (ELOOP).

    Both are named as a loop; another OSError (a permission, say) is left as it is.
    """
    import errno

    from sim.inputs.files import SymlinkLoop, resolved

    (tmp_path / "sl").symlink_to("sl")

    def eloop(self: Path, strict: bool = False) -> Path:
        raise OSError(errno.ELOOP, "Too many levels of symbolic links", str(self))

    monkeypatch.setattr(Path, "resolve", eloop)
    with pytest.raises(SymlinkLoop, match="points back to itself"):
        resolved(tmp_path / "sl")

    def refused(self: Path, strict: bool = False) -> Path:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "resolve", refused)
    with pytest.raises(PermissionError):
        resolved(tmp_path / "sl")


def test_a_device_given_as_a_file_is_named_as_one(tmp_path):
    """A device (``/dev/null``) or socket is no scenario: it is named by its kind."""
    import socket

    from sim.inputs.files import NotARegularFile, read_limited

    with pytest.raises(NotARegularFile, match="device"):
        read_limited(Path(os.devnull), 100)
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(path))
        with pytest.raises(NotARegularFile, match="socket"):
            read_limited(path, 100)


def test_a_scenario_file_that_may_not_be_read_is_named_so(tmp_path):
    """A mode of 000 on the scenario read 'gave PermissionError', a Python class name."""
    prefix = _where_permissions_bite()
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: s\n", encoding="utf-8")
    scenario.chmod(0)
    done = subprocess.run([*prefix, sys.executable, "-m", "sim", "validate", "s.yaml"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env=_with_gridqueue_on_path())
    line = one_error(done.returncode, done.stdout, done.stderr)
    assert line == ("gridqueue: error: s.yaml: expected a scenario file you may read, 's.yaml' "
                    "is not (its permissions: ls -l)")


# A whole number longer than Python reads


@pytest.mark.parametrize("where", ["file", "--set"])
def test_a_whole_number_of_thousands_of_digits_is_refused_with_its_key(where, tmp_path, capsys):
    """Python reads at most 4300 digits of a whole number: more ended in a ValueError traceback."""
    digits = "1" + "0" * 5000
    if where == "file":
        path = scenario_in(tmp_path)
        path.write_text(path.read_text(encoding="utf-8").replace("seed: 1\n", f"seed: {digits}\n"),
                        encoding="utf-8")
        args = [str(path)]
    else:
        args = [str(scenario_in(tmp_path)), "--set", f"seed={digits}"]
    line = one_error(*gridqueue(["validate", *args], capsys), "seed: expected")
    assert line.endswith("expected a number, got a whole number of 5001 digits" +
                         (")" if where == "--set" else ""))


# A waiting list edited while the replications run


@pytest.mark.parametrize("changed", ["waiting_list.csv", "gq_test_kept_while_run.py"])
def test_an_input_changed_during_the_run_is_not_kept_with_its_results(
        changed, tmp_path, capsys, monkeypatch):
    """A list or policy module edited while the replications run is named; nothing is written.

    The replications read the list, and import the policy, once, at the start; the copies kept
    in the results, and the SHA-256 that reproduce checks, were taken from the files as they
    were at the end. An edit made while the run ran left a folder whose waiting_list.csv or
    policy module its tables did not come from, and reproduce blamed the tables, not the file.
    """
    from sim.runs import runner

    shutil.copy(ROOT / "tests" / "bad_inputs" / "valid.yaml", tmp_path / "valid.yaml")
    shutil.copy(ROOT / "tests" / "bad_inputs" / "waiting_list.csv", tmp_path)
    (tmp_path / "gq_test_kept_while_run.py").write_text(
        "from sim.policies.builtin import FIFOPolicy\n\n\nclass Kept(FIFOPolicy):\n    pass\n",
        encoding="utf-8")
    monkeypatch.delitem(sys.modules, "gq_test_kept_while_run", raising=False)
    replications = runner.run_replications

    def edited_while_running(*args, **kwargs):
        for done, output in enumerate(replications(*args, **kwargs)):
            if done == 0:
                with open(tmp_path / changed, "a", encoding="utf-8") as file:
                    file.write("# edited\n" if changed.endswith(".py") else
                               "2023-05-01,other,0.3,garage,industry,4,false,0\n")
            yield output

    monkeypatch.setattr(runner, "run_replications", edited_while_running)
    monkeypatch.chdir(tmp_path)
    policy = "policy={order: 'gq_test_kept_while_run:Kept'}"
    line = one_error(*gridqueue(["run", "valid.yaml", "-o", "out", "-q", "--workers", "1",
                                 "--no-report", "--set", "replications=2", "--set", policy],
                                capsys), "to stay as it was while the replications ran")
    assert f"{changed}: expected the " in line
    assert not (tmp_path / "out").exists()


# Standard output on a full disk


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_output_that_cannot_be_printed_once_written_says_it_is_complete(tmp_path):
    """Printing the summary failed once the results were in place; the line read as a failure.

    "No space left on device", and nothing more, suggested the results were not written,
    although they were complete in their folder.
    """
    shutil.copy(ROOT / "tests" / "bad_inputs" / "valid.yaml", tmp_path / "valid.yaml")
    shutil.copy(ROOT / "tests" / "bad_inputs" / "waiting_list.csv", tmp_path)
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "sim", "run", "valid.yaml", "-o", "out",
                               "--no-report", "--workers", "1", "--set", "replications=2"],
                              cwd=tmp_path, stdout=full, stderr=subprocess.PIPE, text=True,
                              timeout=300, env=_with_gridqueue_on_path())
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().endswith("; the new output is complete in out"), done.stderr
    assert (tmp_path / "out" / "summary.csv").is_file()


def test_a_waiting_list_changed_during_a_sweep_is_not_taken_into_a_cell(tmp_path, capsys,
                                                                         monkeypatch):
    """Each cell reads the list anew, but its key for --resume was hashed before the first.

    A list edited while the sweep ran went into the later cells under the earlier list's key,
    so --resume took them as made with it.
    """
    from sim.analysis import sweeps

    shutil.copy(ROOT / "tests" / "bad_inputs" / "valid.yaml", tmp_path / "valid.yaml")
    listed = tmp_path / "waiting_list.csv"
    shutil.copy(ROOT / "tests" / "bad_inputs" / "waiting_list.csv", listed)
    replications = sweeps.run_replications

    def edited_while_running(*args, **kwargs):
        yield from replications(*args, **kwargs)
        with open(listed, "a", encoding="utf-8") as file:
            file.write("2023-05-01,other,0.3,garage,industry,4,false,0\n")

    monkeypatch.setattr(sweeps, "run_replications", edited_while_running)
    monkeypatch.chdir(tmp_path)
    one_error(*gridqueue(["sweep", "valid.yaml", "--vary", "grid.capacity_mw=2,6", "-o", "out",
                          "-q", "--workers", "1", "--set", "replications=2"], capsys),
              "waiting_list.csv: expected the file to stay as it was while the replications ran")
    assert not (tmp_path / "out").exists()
    assert not list((tmp_path / ".out.partial" / "cells").glob("*.csv"))


# An extends chain of hundreds of files


def test_an_extends_chain_too_long_is_named_at_its_link(tmp_path, capsys):
    """A chain of about a thousand files ran out of Python's stack somewhere inside it.

    The line then named a small file deep in the chain, as "a scenario nested less deeply",
    which it was not.
    """
    scenario_in(tmp_path, name="c0.yaml")
    for number in range(1, 1001):
        (tmp_path / f"c{number}.yaml").write_text(f"extends: c{number - 1}.yaml\n",
                                                  encoding="utf-8")
    line = one_error(*gridqueue(["validate", str(tmp_path / "c1000.yaml")], capsys))
    assert line.endswith("c901.yaml:1: extends: expected a chain of at most 100 files, got "
                         "more: c1000.yaml -> ... -> c901.yaml -> c900.yaml")
    assert gridqueue(["validate", str(tmp_path / "c99.yaml")], capsys)[0] == 0


def test_a_waiting_list_gone_since_loading_is_named_by_run(tmp_path, monkeypatch):
    """A run hashes the list before its replications: one gone by then was a FileNotFoundError.

    Reading the list named the scenario's key and the file; the hash taken first, to tell an
    edit made during the run, must not replace that message with a bare OSError.
    """
    import sim
    from sim.errors import InputError

    shutil.copy(ROOT / "tests" / "bad_inputs" / "valid.yaml", tmp_path / "valid.yaml")
    shutil.copy(ROOT / "tests" / "bad_inputs" / "waiting_list.csv", tmp_path)
    monkeypatch.chdir(tmp_path)
    scenario = sim.load_scenario("valid.yaml", {"replications": 2})
    (tmp_path / "waiting_list.csv").unlink()
    with pytest.raises(InputError, match="waiting_list.csv: expected an existing CSV file"):
        sim.run(scenario, workers=1)


@pytest.mark.parametrize("name", ["new\nline", "tab\there", "zero\u200bwidth"])
def test_an_output_folder_named_with_control_characters_is_refused(name, tmp_path, monkeypatch,
                                                                   capsys):
    r"""-o $'new\nline' made a folder ls shows as '?', and split the line naming the results."""
    monkeypatch.chdir(tmp_path)
    scenario_in(tmp_path)
    one_error(*gridqueue(["run", "s.yaml", "-o", f"out/{name}", "-q"], capsys),
              f"{f'out/{name}'!r}: expected folder names without control or invisible "
              f"characters (a newline, a tab), got {name!r}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]


def test_an_existing_output_folder_is_used_whatever_its_name(tmp_path, monkeypatch, capsys):
    """An empty folder the user made, named with a tab, was refused as one still to be made.

    Only folders gridqueue makes are judged by their names; one that exists is the user's,
    and an empty one is filled without --force.
    """
    monkeypatch.chdir(tmp_path)
    scenario_in(tmp_path)
    (tmp_path / "tab\there").mkdir()
    assert gridqueue(["run", "s.yaml", "-o", "tab\there", "-q", "--no-report"], capsys)[0] == 0
    assert (tmp_path / "tab\there" / "run.json").is_file()


@pytest.mark.parametrize("given_as", ["scenario", "extends"])
def test_a_link_whose_target_is_gone_is_named_as_one(given_as, tmp_path, capsys, monkeypatch):
    """A link that ls shows was called 'not found', with nothing to say what was missing."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "base.yaml").symlink_to(tmp_path / "moved" / "base.yaml")
    if given_as == "extends":
        scenario_in(tmp_path, "extends: base.yaml\n")
        said = "s.yaml:"
    else:
        said = "base.yaml: "
    one_error(*gridqueue(["validate", "s.yaml" if given_as == "extends" else "base.yaml"],
                         capsys),
              said, "expected an existing scenario file, 'base.yaml' is a symbolic link to "
              f"'{tmp_path / 'moved' / 'base.yaml'}', which was not found")


@pytest.mark.parametrize("given_as", ["waiting_list", "observations", "questions"])
def test_every_input_file_whose_link_target_is_gone_is_named_as_one(given_as, tmp_path, capsys,
                                                                     monkeypatch):
    """As a scenario file's, a waiting list's, observations' or questions file's link.

    Each was called 'not found' (a questions file 'No such file or directory'), while a
    listing of the folder showed it there.
    """
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "moved" / "input"
    if given_as == "questions":
        scenario_in(tmp_path)
        (tmp_path / "q.yaml").symlink_to(target)
        argv = ["compare", "--questions", "q.yaml", "-o", "out"]
    else:
        name = "w.csv" if given_as == "waiting_list" else "obs.yaml"
        (tmp_path / name).symlink_to(target)
        scenario_in(tmp_path, "waiting_list: {csv: w.csv}\n" if given_as == "waiting_list"
                    else "observations: obs.yaml\n")
        argv = ["validate", "s.yaml"]
    one_error(*gridqueue(argv, capsys), f"is a symbolic link to '{target}', which was not found")


def test_a_tls_scheduler_whose_certificate_files_are_gone_names_the_file(tmp_path, capsys,
                                                                        monkeypatch):
    """A certificate setting naming no file read 'No such file or directory', nothing more."""
    pytest.importorskip("distributed")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GRIDQUEUE_SCHEDULER", raising=False)
    gone = str(tmp_path / "gone.pem")
    for key in ("CA_FILE", "CLIENT__CERT"):
        monkeypatch.setenv(f"DASK_DISTRIBUTED__COMM__TLS__{key}", gone)
    import dask

    dask.config.refresh()
    try:
        scenario_in(tmp_path)
        address = f"tls://127.0.0.1:{_closed_port()}"
        line = one_error(*gridqueue(["run", "s.yaml", "-o", "out", "-q", "--scheduler",
                                     address], capsys),
                         f"--scheduler {address}: cannot read the certificates Dask's "
                         f"configuration names (No such file or directory: {gone!r})")
        assert line.count(gone) == 1
        assert not (tmp_path / "out").exists()
    finally:
        monkeypatch.undo()
        dask.config.refresh()


# An option beyond what a scenario takes, named as the option typed


@pytest.mark.parametrize("command", [
    ["run", "{s}", "--replications", "1000000000"],
    ["compare", "{s}", "{s2}", "--replications", "1000000000"],
    ["sweep", "{s}", "--vary", "grid.capacity_mw=4,8", "--replications", "1000000000"],
    ["calibrate", "{s}", "--fit", "arrivals.rate_scale=0.5:2", "--replications", "1000000000"],
], ids=lambda c: c[0])
def test_a_billion_replications_asked_by_option_names_the_option(command, tmp_path, capsys):
    """Too many replications are refused as the option that asked for them.

    They were refused as ``--set replications=1000000000``, a change nobody typed
    (``override replications=...`` in calibrate).
    """
    scenario, other = scenario_in(tmp_path), scenario_in(tmp_path, name="s2.yaml")
    args = [a.format(s=scenario, s2=other) for a in command]
    out = tmp_path / "out"
    line = one_error(*gridqueue([*args, "-o", str(out), "-q"], capsys),
                     "--replications 1000000000: expected a whole number from 1 to 100,000")
    assert "--set" not in line and "override" not in line
    assert not out.exists()


def test_the_most_replications_an_argument_takes_are_those_a_scenario_takes():
    """The argument's bound is the scenario's: one more is refused as the argument."""
    from sim import GridqueueError
    from sim.inputs.scenario import MAX_REPLICATIONS
    from sim.runs.runner import check_replication_count

    assert check_replication_count(MAX_REPLICATIONS) == MAX_REPLICATIONS
    with pytest.raises(GridqueueError, match=r"^replications=100001: expected a whole number "
                       r"from 1 to 100,000$"):
        check_replication_count(MAX_REPLICATIONS + 1)


def test_a_seed_beyond_what_a_scenario_takes_names_the_option(tmp_path, capsys):
    """``--seed`` too large for a scenario was named ``--set seed=...``."""
    out = tmp_path / "out"
    line = one_error(*gridqueue(["run", str(scenario_in(tmp_path)), "--seed", str(2**63),
                                 "-o", str(out), "-q"], capsys),
                     f"--seed {2**63}: expected a whole number from 0 to 2**63 - 1")
    assert "--set" not in line
    assert not out.exists()


def test_a_replication_count_beyond_the_limit_in_python_names_the_argument(tmp_path):
    """In Python the count is named as the keyword it was passed as."""
    from sim import compare
    from sim.errors import GridqueueError

    with pytest.raises(GridqueueError, match=r"^replications=1000000000: expected a whole "
                       r"number from 1 to 100,000$"):
        compare([scenario_in(tmp_path), scenario_in(tmp_path, name="s2.yaml")],
                replications=10**9)


def test_a_results_folder_of_one_replication_is_not_sent_back_to_replications(tmp_path,
                                                                                capsys):
    """A results folder of one replication is told to give its scenario file instead.

    Compare told it to use ``--replications 2``, which leaves a results directory as it ran:
    following the advice gave the same refusal.
    """
    scenario = scenario_in(tmp_path)
    assert gridqueue(["run", str(scenario), "--replications", "1", "-o", str(tmp_path / "one"),
                      "-q", "--no-report", "--workers", "1"], capsys)[0] == 0
    out = tmp_path / "cmp"
    line = one_error(*gridqueue(["compare", str(tmp_path / "one"), str(scenario),
                                 "--replications", "2", "-o", str(out), "-q"], capsys),
                     f"{tmp_path / 'one'}: compare needs at least 2 replications")
    assert line.endswith("got 1; a results directory is read as it ran, so give its scenario "
                         "file instead, with --replications 2 or more")
    assert not out.exists()


# A change of working folder after loading (a notebook's os.chdir)


def test_a_scenario_loaded_by_a_relative_name_keeps_its_files_after_a_change_of_folder(
        tmp_path, monkeypatch):
    """A scenario loaded by a relative name reads its own files wherever the folder moves.

    It looked them up from the working folder of the moment: after ``os.chdir`` a run read
    another folder's ``waiting_list.csv`` of the same name without a word, copied that one
    into the results, and run.json named a scenario file in the new folder.
    """
    from sim import load_scenario, run

    bad = ROOT / "tests" / "bad_inputs"
    mine, other = tmp_path / "mine", tmp_path / "other"
    mine.mkdir()
    other.mkdir()
    shutil.copy(bad / "valid.yaml", mine)
    shutil.copy(bad / "waiting_list.csv", mine)
    listed = (mine / "waiting_list.csv").read_text(encoding="utf-8")
    (other / "waiting_list.csv").write_text(listed.replace("bakery", "brewery"),
                                            encoding="utf-8")
    monkeypatch.chdir(mine)
    scenario = load_scenario("valid.yaml")
    monkeypatch.chdir(other)
    assert scenario.input_files == (mine / "valid.yaml", mine / "waiting_list.csv")
    results = run(scenario, workers=1, progress=False)
    assert results.run_info["scenario_files"] == [str(mine / "valid.yaml")]
    assert "bakery" in set(results.applicants["name"]) - {"brewery"}
    written = results.write(tmp_path / "out")
    assert (written / "waiting_list.csv").read_text(encoding="utf-8") == listed
    monkeypatch.chdir(mine)  # back where it was loaded: named as given
    assert scenario.input_files[0] == Path("valid.yaml")


# Standard output in an encoding that lacks some characters


def _unencodable_scenario(tmp_path: Path) -> Path:
    """A small scenario named with '→' and '€', in a folder named with 'ü', '→' and '€'."""
    folder = tmp_path / "ü → €"
    folder.mkdir()
    scenario = scenario_in(folder)
    scenario.write_text(scenario.read_text(encoding="utf-8").replace(
        "name: fifo", "name: fifo → €", 1), encoding="utf-8")
    return scenario


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_a_character_standard_output_cannot_encode_is_escaped_not_a_traceback(
        encoding, tmp_path, monkeypatch):
    """A path or name with 'ü', '→' or '€' ended a finished run in a UnicodeEncodeError.

    Standard error escaped such characters already; standard output raised, with exit code
    1 and the results in place. Standard output here is the stream PYTHONIOENCODING gives a
    process (strict errors); the test below runs one such process.
    """
    scenario = _unencodable_scenario(tmp_path)
    for args in (["validate", str(scenario)],
                 ["run", str(scenario), "-o", str(scenario.parent / "out"), "--no-report",
                  "--workers", "1"]):
        stdout = io.TextIOWrapper(io.BytesIO(), encoding=encoding)
        monkeypatch.setattr(sys, "stdout", stdout)
        assert main(args) == 0
        stdout.flush()
        assert "\\u2192" in stdout.buffer.getvalue().decode(encoding)
    assert (scenario.parent / "out" / "summary.csv").is_file()


def test_a_process_whose_output_encoding_lacks_a_character_escapes_it(tmp_path):
    """The same in a process of its own started with PYTHONIOENCODING=ascii."""
    scenario = _unencodable_scenario(tmp_path)
    done = subprocess.run([sys.executable, "-m", "sim", "validate", str(scenario)], cwd=tmp_path,
                          capture_output=True, text=True, encoding="ascii", timeout=300,
                          env={**_with_gridqueue_on_path(), "PYTHONIOENCODING": "ascii"})
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "\\u2192" in done.stdout


# A --set that changes the kind of a distribution the file gives


def test_a_dist_changed_by_set_is_named_beside_the_file_key_it_leaves_unfit(tmp_path, capsys):
    """A distribution's ``dist`` changed by ``--set`` is named where the file's keys no longer fit.

    ``--set ...jobs.dist=weibull`` keeps the file's ``low`` and ``high``: the message blamed
    only the file's line, which was never changed, as though the file were wrong.
    """
    scenario = tmp_path / "valid.yaml"
    shutil.copy(ROOT / "tests" / "bad_inputs" / "valid.yaml", scenario)
    shutil.copy(ROOT / "tests" / "bad_inputs" / "waiting_list.csv", tmp_path)
    line = one_error(*gridqueue(["validate", str(scenario), "--set",
                                 "streams.industry.jobs.dist=weibull"], capsys),
                     f"{scenario}:21: streams.industry.jobs.low: unknown key; expected one of "
                     "dist, shape, scale")
    assert line.endswith("(it fits the distribution the file gave, not the one "
                         "streams.industry.jobs.dist=weibull makes it; give the whole "
                         "distribution instead, e.g. streams.industry.jobs={dist: weibull, ...})")
    whole = "streams.industry.jobs={dist: weibull, shape: 1.5, scale: 20}"
    assert gridqueue(["validate", str(scenario), "--set", whole], capsys)[0] == 0


# An empty path, as an unset shell variable gives it (-o "$OUT")


@pytest.mark.parametrize("command", [
    ["run", "{s}", "-o", ""], ["sweep", "{s}", "--vary", "grid.capacity_mw=4,8", "-o", ""],
    ["calibrate", "{s}", "--fit", "arrivals.rate_scale=0.5:2", "-o", ""],
    ["compare", "{s}", "{s}", "-o", ""], ["compare", "", "{s}"], ["report", ""],
    ["reproduce", ""], ["schema", "-o", ""], ["validate", ""],
], ids=lambda c: " ".join(c).replace("{s}", "S"))
def test_an_empty_path_is_refused_not_taken_for_the_working_folder(command, tmp_path, capsys,
                                                                   monkeypatch):
    """``Path('')`` is ``.``: ``-o ""`` wrote the results into the working folder."""
    scenario = scenario_in(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    with pytest.raises(SystemExit) as exited:
        main([a.format(s=scenario) for a in command])
    assert exited.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1].endswith(
        ": expected a path, got an empty one ('')")
    assert list(work.iterdir()) == []
