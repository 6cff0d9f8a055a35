"""Every command the README, the docs and ``gridqueue --help`` show runs, at a small size.

The commands are taken from the ```sh blocks of README.md, CONTRIBUTING.md,
scenarios/README.md, notebooks/README.md and docs/*.md, and from the examples of every
argparse epilog in sim/cli.py. Each source runs in order in its own copy of scenarios/,
with ``gridqueue`` given ``--replications 2 --workers 1 -q`` where the command takes them (and
``calibrate`` a search of one generation of five candidates per parameter), so a command that
no longer works fails this test with its text. A command that an earlier source already runs
word for word, reading nothing but the scenarios, runs once: its outcome cannot differ.
Plain ``gridqueue`` commands run in-process (each source in a process of its own, forked from
a fresh Python process once it has imported gridqueue, two at a time); shell constructs such
as loops run in bash with a ``gridqueue`` on the PATH that adds the same options. Their
figures are made and laid out but not drawn to PNG and SVG (``tests/undrawn.py``), which
the figures' own tests do.

The sources run untraced by coverage: every command here is a command the CLI tests run and
measure as well, and traced they cost some 300 CPU-seconds of the suite's 1,000, not 135
(docs/coverage.md).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import traceback
from pathlib import Path

import pytest

from sim import cli
from sim.inputs.applicants import CATEGORIES

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "scenarios" / "README.md",
             ROOT / "notebooks" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
EPILOGS = {"gridqueue --help": cli.EPILOG, "gridqueue run --help": cli.RUN_EPILOG,
           "gridqueue compare --help": cli.COMPARE_EPILOG,
           "gridqueue sweep --help": cli.SWEEP_EPILOG,
           "gridqueue calibrate --help": cli.CALIBRATE_EPILOG,
           "gridqueue report --help": cli.REPORT_EPILOG,
           "gridqueue validate --help": cli.VALIDATE_EPILOG,
           "gridqueue schema --help": cli.SCHEMA_EPILOG,
           "gridqueue reproduce --help": cli.REPRODUCE_EPILOG}

EXCEPTIONS = {
    r"^make ": "make builds .venv and runs the full suite or the whole family; the commands "
               "it runs are tested on their own",
    r"--scheduler tcp://SCHEDULER": "needs a running Dask scheduler at a real address "
                                    "(tests/test_distributed.py runs one locally)",
    r"^export GRIDQUEUE_SCHEDULER=": "points later commands at a Dask scheduler",
    r"^\.venv/bin/pytest --nbmake notebooks/": "the suite itself runs the notebooks",
}
"""Commands not run here, by pattern, and why; each pattern must still match a command."""

SMALL = {"run": ["--replications", "2", "--workers", "1", "-q"],
         "compare": ["--replications", "2", "--workers", "1", "-q"],
         "sweep": ["--replications", "2", "--workers", "1", "-q"],
         "calibrate": ["--replications", "2", "--iterations", "1", "--population", "5",
                       "--workers", "1", "-q"],
         "reproduce": ["--workers", "1", "-q"]}
WRAPPER = f"""#!{sys.executable}
import sys
from sim.cli import main
from sim.figures import files
from tests.test_documented_commands import small
from tests.undrawn import laid_out
files._draw = laid_out
sys.exit(main(small(sys.argv[1:])))
"""


def small(args: list[str]) -> list[str]:
    """A command's words at the small size: SMALL's options, a --set of replications made 2.

    A command that sets replications with --set is not given --replications too: the two
    together are refused.
    """
    sized = [re.sub(r"^((?:[^:=]+:)?replications)=\d+$", r"\1=2", word) if before == "--set"
             else word for before, word in zip(["", *args], args, strict=False)]
    extra = SMALL.get(args[0], []) if args else []
    if sized != args:
        at = extra.index("--replications")
        extra = extra[:at] + extra[at + 2:]
    return sized + extra


def shell_commands(block: str) -> list[str]:
    """A shell block's commands: continuation lines joined, a loop kept whole."""
    commands, pending = [], ""
    for line in block.splitlines():
        if not line.strip() and not pending:
            continue
        pending += line + "\n"
        if line.rstrip().endswith("\\"):
            continue
        check = subprocess.run(["bash", "-n", "-c", pending], capture_output=True)
        if check.returncode == 0:
            commands.append(pending.strip())
            pending = ""
    assert not pending, f"an unfinished shell command: {pending!r}"
    return commands


def documented_commands() -> dict[str, list[str]]:
    """Commands by source: each document's ```sh blocks, each epilog's examples."""
    found = {}
    for path in DOCUMENTS:
        blocks = re.findall(r"^ *```sh\n(.*?)^ *```", path.read_text(encoding="utf-8"),
                            re.S | re.M)
        if blocks:
            found[str(path.relative_to(ROOT))] = [
                command for block in blocks for command in shell_commands(
                    "\n".join(line.strip() for line in block.splitlines()))]
    for name, epilog in EPILOGS.items():
        examples = epilog.split("examples:\n", 1)[1]
        lines, keep = [], False
        for line in examples.splitlines():
            keep = line.startswith("  gridqueue ") or (keep and line.startswith("      "))
            if keep:
                lines.append(line.strip())
        found[name] = shell_commands("\n".join(lines))
    return found


def exception(command: str) -> str | None:
    return next((why for pattern, why in EXCEPTIONS.items()
                 if re.search(pattern, command, re.M)), None)


def repeated_commands(found: dict[str, list[str]]) -> dict[str, set[str]]:
    """Per source, the commands an earlier source runs word for word that read only scenarios/.

    In a fresh copy of scenarios/ such a command would do the very same again.
    """
    earlier: set[str] = set()
    repeats = {}
    for source, commands in found.items():
        repeats[source] = {c for c in commands if c in earlier and _reads_only_scenarios(c)}
        earlier |= set(commands)
    return repeats


def _words(command: str) -> list[str]:
    return shlex.split(command.replace("\\\n", " "))


def _output(command: str) -> str | None:
    """The output folder a plain command names with ``-o``, if any."""
    words = _words(command)
    flags = [i for i, word in enumerate(words) if word in ("-o", "--output")]
    return words[flags[-1] + 1] if flags else None


def _reads_only_scenarios(command: str) -> bool:
    """Whether a plain command names no path outside scenarios/ but its own output folder."""
    if not _plain(command):
        return False
    paths = [word for word in _words(command) if "/" in word and word != _output(command)]
    return all(path.startswith("scenarios/") for path in paths)


def run_source(source: str, commands: list[str], folder: Path,
               repeats: set[str] = frozenset()) -> list[str]:
    """Run one source's commands in order in ``folder``; the failures, with their output.

    A command in ``repeats`` is left out unless its output folder already exists here (then
    it would not start as it did in the source that ran it).
    """
    shutil.copytree(ROOT / "scenarios", folder / "scenarios")
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "gridqueue"
    wrapper.write_text(WRAPPER, encoding="utf-8")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    env.pop("GRIDQUEUE_SCHEDULER", None)
    os.chdir(folder)  # a worker process of its own: the directory is its alone
    for command in commands:
        output = _output(command)
        if exception(command) or (
                command in repeats and output and not (folder / output).exists()):
            continue
        code, output = _in_process(command) if _plain(command) else _in_bash(command, env)
        if code != 0:
            # Later commands of the source may need this one's output: stop here.
            return [f"{source}: `{command}` failed with exit {code}:\n{output[-2000:]}"]
    return []


UNTRACED = {name: value for name, value in os.environ.items()
            if name not in ("COVERAGE_PROCESS_CONFIG", "COVERAGE_PROCESS_START")}
"""The environment without coverage's, for the fresh process that runs the sources."""

WARM = ("sim.analysis.calibration", "sim.analysis.comparison", "sim.analysis.reproduce",
        "sim.analysis.scenario_outline", "sim.analysis.sweep_grid", "sim.analysis.sweeps",
        "sim.inputs.json_schema", "sim.report.run", "sim.runs.runner",
        "matplotlib.backends.backend_agg", "matplotlib.backends.backend_svg")
"""What the commands import on first use: imported once, before the sources are forked."""

RUN_SOURCES = """\
import json, sys
from tests.test_documented_commands import run_sources
run_sources(json.load(sys.stdin))
"""
"""What the fresh process runs: every source, each in a process forked from it."""


def run_sources(jobs: list[tuple[str, list[str], str, list[str]]], at_once: int = 2) -> None:
    """Run each job's :func:`run_source` in a child forked from this process, two at a time.

    Each child leaves its failures in ``FOLDER/failures.json``. The children start from this
    process's state after the imports of :data:`WARM` alone, as a fresh Python process would
    be once it had imported them; a fresh process for each of the nine sources imported
    Python's, pytest's and gridqueue's modules nine times (5 to 7 of the test's 100
    CPU-seconds).
    """
    for name in WARM:
        importlib.import_module(name)
    from sim.figures import files
    from tests.undrawn import laid_out

    files._draw = laid_out  # every figure is made and laid out; the figures' tests draw them
    running: set[int] = set()
    for source, commands, folder, repeats in jobs:
        if len(running) == at_once:
            running.discard(os.wait()[0])
        child = os.fork()
        if child == 0:  # the child: run the source, say how it went, never return
            code = 0
            try:
                failures = run_source(source, commands, Path(folder), set(repeats))
            except BaseException:  # whatever it was, it is the source's failure
                failures, code = [f"{source}: {traceback.format_exc()[-2000:]}"], 1
            Path(folder, "failures.json").write_text(json.dumps(failures), encoding="utf-8")
            sys.stdout.flush()
            os._exit(code)
        running.add(child)
    while running:
        running.discard(os.wait()[0])


def run_sources_untraced(found: dict[str, list[str]], folders: list[Path],
                         repeats: dict[str, set[str]]) -> list[str]:
    """:func:`run_sources` in a fresh Python process that coverage does not measure."""
    jobs = [(source, commands, str(folder), sorted(repeats[source]))
            for (source, commands), folder in zip(found.items(), folders, strict=True)]
    done = subprocess.run([sys.executable, "-c", RUN_SOURCES], cwd=ROOT, env=UNTRACED,
                          input=json.dumps(jobs), capture_output=True, text=True, timeout=1200)
    if done.returncode != 0:
        return [f"the runner of the sources failed with exit {done.returncode}:\n"
                f"{done.stderr[-2000:]}"]
    failures = []
    for source, folder in zip(found, folders, strict=True):
        kept = folder / "failures.json"
        failures += (json.loads(kept.read_text(encoding="utf-8")) if kept.is_file()
                     else [f"{source}: its process ended without a word:\n{done.stderr[-2000:]}"])
    return failures


def _plain(command: str) -> bool:
    """Whether a command is one ``gridqueue`` call, with no shell constructs."""
    text = command.replace("\\\n", " ")
    return text.startswith("gridqueue ") and not re.search(r"[;&|$<>`\n]", text)


def _in_process(command: str) -> tuple[int, str]:
    args = _words(command)[1:]
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        try:
            code = cli.main(small(args))
        except SystemExit as exc:  # argparse refusing the arguments
            code = exc.code if isinstance(exc.code, int) else 2
    return code, output.getvalue()


def _in_bash(command: str, env: dict[str, str]) -> tuple[int, str]:
    done = subprocess.run(["bash", "-e", "-c", command], env=env, capture_output=True,
                          text=True, timeout=300)
    return done.returncode, done.stderr


def test_documented_commands_are_found():
    """The extraction sees the commands (so the main test cannot pass by running nothing)."""
    found = documented_commands()
    assert {"README.md", "scenarios/README.md", "docs/policies.md", *EPILOGS} <= set(found)
    commands = [c for cs in found.values() for c in cs]
    assert sum("gridqueue compare" in c for c in commands) >= 4
    assert sum("gridqueue sweep" in c for c in commands) >= 3
    assert any(c.startswith("for s in") for c in commands)
    for pattern in EXCEPTIONS:
        assert any(re.search(pattern, c, re.M) for c in commands), f"unused: {pattern}"


def test_a_command_runs_once_only_if_it_reads_nothing_but_the_scenarios():
    """Word for word repeats run once; one reading an earlier command's output runs each time."""
    run = "gridqueue run scenarios/x.yaml -o results/x"
    report, loop = "gridqueue report results/x", "for s in a b; do\ngridqueue run $s\ndone"
    found = {"first": [run, report, loop], "second": [run, report, loop, "gridqueue schema"]}
    assert repeated_commands(found) == {"first": set(), "second": {run}}


@pytest.mark.slow
def test_every_documented_command_runs(tmp_path):
    """Each documented command exits 0 at a small size; a failure names the command."""
    found = documented_commands()
    folders = [tmp_path / str(number) for number in range(len(found))]
    failures = run_sources_untraced(found, folders, repeated_commands(found))
    assert not failures, "\n\n".join(failures)


def test_each_command_help_names_only_options_it_has():
    """`validate --help` explained --set's clash 'with --replications', which validate lacks."""
    parser = cli._parser()
    commands = next(action for action in parser._actions
                    if isinstance(action, argparse._SubParsersAction))
    for name, command in commands.choices.items():
        own = {option for action in command._actions for option in action.option_strings}
        named = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", command.format_help()))
        assert named <= own, (name, sorted(named - own))


def test_each_command_help_shows_examples_that_run():
    """`report`, `validate`, `schema` and `reproduce --help` showed no example of themselves.

    A reader who asks one command for help should see it used, as `run`, `compare`, `sweep`
    and `calibrate` show themselves; and each example is run by the test above, through
    ``EPILOGS``.
    """
    parser = cli._parser()
    commands = next(action for action in parser._actions
                    if isinstance(action, argparse._SubParsersAction))
    for name, command in commands.choices.items():
        epilog = command.epilog or ""
        examples = epilog.split("examples:\n", 1)[-1] if "examples:\n" in epilog else ""
        assert f"  gridqueue {name} " in examples, name
        assert EPILOGS.get(f"gridqueue {name} --help") == epilog, name


def test_workers_help_names_a_report_only_where_the_command_writes_one():
    """`sweep --help` said its workers drew 'the report's figures'; a sweep writes no report."""
    parser = cli._parser()
    commands = next(action for action in parser._actions
                    if isinstance(action, argparse._SubParsersAction))
    for name, command in commands.choices.items():
        workers = next((action for action in command._actions
                        if "--workers" in action.option_strings), None)
        if workers is None:
            continue
        assert ("report" in (workers.help or "")) == (name in ("run", "compare")), name


def test_sweep_group_help_names_every_group_a_sweep_takes():
    """`sweep --help` said only "category of the figure": the reader had to guess the names."""
    parser = cli._parser()
    commands = next(action for action in parser._actions
                    if isinstance(action, argparse._SubParsersAction))
    group = next(action for action in commands.choices["sweep"]._actions
                 if "--group" in action.option_strings)
    named = re.findall(r"\b[a-z]+(?:_[a-z]+)*\b", (group.help or "").split(":", 1)[-1])
    assert [name for name in named if name in {*CATEGORIES, "all"}] == [*CATEGORIES, "all"]
