"""The ``gridqueue`` command: a thin front end that maps errors to messages and exit codes."""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from sim._version import __version__
from sim.errors import (
    GridqueueError,
    GridqueueWarning,
    Interrupted,
    Terminated,
    arguments_as_options,
    listed,
)
from sim.runs.staging import after_interrupt, outputs_placed

if TYPE_CHECKING:
    from sim.inputs.scenario import Scenario
    from sim.inputs.yaml_source import Override

__all__ = ["main"]

EXIT_DIFFERENT = 1
EXIT_INPUT = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143

DESCRIPTION = """\
Simulate businesses waiting for an electricity-grid connection.

A scenario file (YAML) describes the grid (capacity, upgrades), the applicants (a waiting list,
arrival streams per sector, named projects) and the queue policy (fifo, social_priority, or
your own). gridqueue runs independent replications and writes tables of who waited how long,
who gave up, and how many jobs and megawatts were held back, with 95% confidence intervals.
"""

EPILOG = """\
examples:
  gridqueue run scenarios/flevoland/social_priority.yaml -o results/sp
  gridqueue run scenarios/flevoland/fifo.yaml --set replications=50 --set grid.capacity_mw=8
  gridqueue report results/sp
  gridqueue validate scenarios/flevoland/fifo.yaml
  gridqueue schema -o scenario.schema.json
  gridqueue compare results/fifo scenarios/flevoland/social_priority.yaml -o results/cmp
  gridqueue sweep scenarios/flevoland/fifo.yaml --vary grid.capacity_mw=0,5,10 -o results/sw
  gridqueue calibrate scenarios/flevoland/base.yaml --fit arrivals.rate_scale=0.5:2 -o results/cal

Exit codes: 0 done, 1 reproduce found differences, 2 bad input (the message names the file,
key and what was expected), 130 interrupted (Ctrl-C), 143 terminated (SIGTERM). Scenario keys
and units: docs/scenario-reference.md; a queue policy of your own: docs/policies.md.
"""

RUN_EPILOG = """\
examples:
  gridqueue run scenarios/flevoland/social_priority.yaml -o results/sp
  gridqueue run scenarios/flevoland/fifo.yaml --replications 50 --set grid.capacity_mw=8
  gridqueue run scenarios/flevoland/fifo.yaml --set policy.order=social_priority -o results/p

A scenario of your own is a YAML file that extends a bundled one and sets only what it
changes ("extends: scenarios/flevoland/social_priority.yaml", paths relative to the file;
docs/scenario-reference.md). A queue policy of your own is a few lines of Python
(docs/policies.md). Compare a run with its reference with gridqueue compare.
"""

REPORT_EPILOG = """\
examples:
  gridqueue run scenarios/flevoland/upgrades_delayed.yaml -o results/delayed
  gridqueue report results/delayed

It writes into the results directory itself: results/delayed/report.html (open it in a
browser; it needs no network) and results/delayed/figures/. Run it again after changing the
templates in sim/report/templates/, or for results whose run wrote the tables only.
"""

VALIDATE_EPILOG = """\
examples:
  gridqueue validate scenarios/flevoland/social_priority.yaml
  gridqueue validate scenarios/flevoland/social_priority.yaml --set policy.order=smallest_first

It writes no file: it prints what will run, or one line naming the file, line, key and what
was expected.
"""

SCHEMA_EPILOG = """\
examples:
  gridqueue schema -o scenario.schema.json

Without -o it prints the schema. To have an editor check a scenario file as you type, point
it at the file written, e.g. with a first line "# yaml-language-server: $schema=PATH" in the
scenario file (PATH relative to that file), which VS Code's YAML extension reads. An editor
offers a key's default only for a file without extends: in a file with extends, a key left out
keeps the value of the file it extends, and each key's description says so.
"""

REPRODUCE_EPILOG = """\
examples:
  gridqueue run scenarios/flevoland/fifo.yaml -o results/fifo
  gridqueue reproduce results/fifo

It writes nothing into the directory: it prints each table as identical or what differs,
marking a stored table edited since gridqueue wrote it, then the verdict, and exits 0 if all
are identical, 1 if not.
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = _parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # told by the parser they were given to: the command's usage, or gridqueue's
        words = list(sys.argv[1:] if argv is None else argv)
        command = args.command_parser.prog.split()[-1]
        before = unknown[0] in words and command in words \
            and words.index(unknown[0]) < words.index(command)
        (parser if before else args.command_parser).error(
            f"unrecognized arguments: {' '.join(unknown)}")
    # What run.json and the other records say was run: the words this call was given, which
    # are the program's own only when it was given none (main([...]) from Python, say).
    args.command = ["gridqueue", *(sys.argv[1:] if argv is None else argv)]
    with _sigterm_as_interrupt() as terminated, outputs_placed() as placed, \
            _unencodable_escaped():
        try:
            with warnings.catch_warnings(), arguments_as_options():
                warnings.simplefilter("default", GridqueueWarning)
                warnings.showwarning = _show_warning
                return int(args.handler(args) or 0)
        except GridqueueError as exc:
            print(f"gridqueue: error: {exc}", file=sys.stderr)
            return EXIT_TERMINATED if terminated and isinstance(exc, Interrupted) \
                else exc.exit_code
        except BrokenPipeError:  # whoever read the output (``| head``) has had enough
            # As Python's documentation advises: no message, and no second error when
            # Python flushes standard output at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
        except OSError as exc:  # the system refused a file operation (permissions, space...)
            where = f"{exc.filename}: " if exc.filename else ""
            # Printing can fail once the output is in place (standard output on a full
            # disk): the error must not read as though the output were not written.
            done = "".join(f"; {words}" for words in placed)
            print(f"gridqueue: error: {where}{exc.strerror or exc}{done}", file=sys.stderr)
            return EXIT_INPUT
        except KeyboardInterrupt as exc:
            return _stopped(exc, placed)
        except ImportError as exc:  # a module of the command's, stopped as it was loaded
            interrupt = _interrupt_behind(exc)
            if interrupt is None:
                raise
            return _stopped(interrupt, placed)


def _stopped(exc: KeyboardInterrupt, placed: list[str]) -> int:
    """Say that Ctrl-C (or SIGTERM) stopped the command, and what it left; the exit code."""
    stop = "terminated (SIGTERM)" if isinstance(exc, Terminated) else "interrupted"
    print(f"gridqueue: {stop}; {after_interrupt(placed)}", file=sys.stderr)
    return EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED


def _interrupt_behind(exc: BaseException) -> KeyboardInterrupt | None:
    """The Ctrl-C (or SIGTERM) that caused ``exc``, if one did.

    A command loads its modules (matplotlib, pandas) as it starts; a signal that comes while
    a compiled module initialises is turned by Python into ``ImportError: initialization
    failed``, raised from the ``KeyboardInterrupt``.
    """
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None


@contextmanager
def _unencodable_escaped() -> Iterator[None]:
    """Print what standard output's encoding cannot hold as escapes, as standard error does.

    A path, scenario name or description holding a character that encoding lacks ('ü' with
    PYTHONIOENCODING=ascii, '→' or '€' in a Latin-1 locale, a Windows code page) ended a
    command in a UnicodeEncodeError traceback and exit code 1, a run's results already in
    place. The stream's own setting is put back after, for a caller of :func:`main` in Python.
    """
    stream = sys.stdout
    if not isinstance(stream, io.TextIOWrapper) or stream.errors != "strict":
        yield  # a capture (a test's, a notebook's), or a stream already set otherwise
        return
    stream.reconfigure(errors="backslashreplace")
    try:
        yield
    finally:
        if not stream.closed:
            stream.reconfigure(errors="strict")


@contextmanager
def _sigterm_as_interrupt() -> Iterator[list[bool]]:
    """While a command runs, SIGTERM raises :class:`Terminated`, so it stops as on Ctrl-C.

    Worker processes are stopped and reaped, temporary folders removed and nothing partial
    written; further SIGTERMs during that clean-up are ignored. Yields a list that holds True
    once SIGTERM has been received.
    """
    received: list[bool] = []

    def on_sigterm(signum: int, frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        received.append(True)
        raise Terminated

    if threading.current_thread() is not threading.main_thread():
        yield received  # only the main thread may handle signals
        return
    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield received
    finally:
        signal.signal(signal.SIGTERM, previous)


def _show_warning(message: Warning | str, category: type[Warning], filename: str,
                  lineno: int, file: TextIO | None = None, line: str | None = None) -> None:
    """Our warnings as one line each; others as Python shows them (``warnings.showwarning``)."""
    if issubclass(category, GridqueueWarning):
        print(f"gridqueue: warning: {message}", file=sys.stderr)
    else:
        print(warnings.formatwarning(message, category, filename, lineno, line), end="",
              file=sys.stderr if file is None else file)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gridqueue", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"gridqueue {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    run = commands.add_parser(
        "run", help="run a scenario and write its result tables",
        description="Run every replication of a scenario and write applicants.csv,\n"
        "timeseries.csv, summary.csv, replication_metrics.csv, projects.csv, the resolved\n"
        "scenario.yaml, run.json, figures/ and report.html into the output directory (written\n"
        "completely or not at all); also observations.csv if the scenario states published\n"
        "observations, and areas.csv (the key figures of each area) and area_metrics.csv\n"
        "(their values per replication) for a grid of several areas.",
        epilog=RUN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _scenario_arguments(run)
    run.add_argument("-o", "--output", type=a_path, metavar="DIR",
                     help="results directory (default: results/<scenario name>)")
    run.add_argument("--replications", type=at_least(1), metavar="N",
                     help="number of replications (overrides the scenario's)")
    run.add_argument("--seed", type=at_least(0), metavar="S",
                     help="root seed (overrides the scenario's)")
    run.add_argument("--only-replication", type=at_least(0), metavar="R", action="append",
                     help="run only replication R (repeatable), e.g. to re-run one that failed")
    _execution_arguments(run)
    run.add_argument("--force", action="store_true",
                     help="replace the output directory if gridqueue wrote it (never "
                     "a folder of your own)")
    run.add_argument("--no-report", action="store_true",
                     help="write the tables only, without figures/ and report.html")
    run.add_argument("-q", "--quiet", action="store_true",
                     help="no progress bar and no summary table (the last line still names "
                     "the results folder; warnings go to stderr)")
    run.set_defaults(handler=_run)

    report = commands.add_parser(
        "report", help="write the figures and report.html of a run's results directory",
        description="Write figures/ (PNG and SVG) and a self-contained report.html,\n"
        "leading with the headline figures by category, into a results directory written by\n"
        "gridqueue run; an earlier report there is replaced, the tables are untouched. A file\n"
        "of your own in figures/ stops it, with nothing changed: move it out first.",
        epilog=REPORT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    report.add_argument("directory", type=a_path, metavar="DIR",
                        help="results directory (from gridqueue run)")
    report.set_defaults(handler=_report)

    validate = commands.add_parser(
        "validate", help="check a scenario (and the CSV it names) without running it",
        description="Check a scenario file, its extends chain, overrides, policies and\n"
        "waiting-list CSV, and print what will run: the policy periods and priority asked\n"
        "for, the capacity of each area with its upgrades, capacity released by mechanisms,\n"
        "non-firm pools and rights, the streams' expected requests and MW per year with the\n"
        "offers they accept, the waiting-list rows and the named projects. A file with a\n"
        "sweep: block is checked as gridqueue sweep checks it before running (each cell's\n"
        "scenario), and its grid named. Exit code 0 if it can run, 2 with a message if not.",
        epilog=VALIDATE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _scenario_arguments(validate, other_options=False)
    validate.set_defaults(handler=_validate)

    schema = commands.add_parser(
        "schema", help="write the JSON Schema of scenario files (for editors)",
        description="Write the JSON Schema of scenario files, so editors (e.g. VS Code\n"
        "with the YAML extension) can check scenario files while you type.",
        epilog=SCHEMA_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    schema.add_argument("-o", "--output", type=a_path, metavar="FILE",
                        help="write to FILE instead of standard output")
    schema.add_argument("--force", action="store_true",
                        help="replace FILE if it exists (only a schema gridqueue wrote)")
    schema.set_defaults(handler=_schema)

    reproduce = commands.add_parser(
        "reproduce", help="re-run a results directory and check the tables come out identical",
        description="Re-run the resolved scenario.yaml of a results directory with the\n"
        "seed and replications in its run.json, in a temporary directory, and compare every\n"
        "table byte for byte. Prints what differs and which versions changed since; exit code\n"
        "1 if anything differs. It runs on local processes, also where $GRIDQUEUE_SCHEDULER\n"
        "is set: the versions it names are those installed here, which made the re-run.",
        epilog=REPRODUCE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    reproduce.add_argument("directory", type=a_path, metavar="DIR",
                           help="results directory written by gridqueue run")
    reproduce.add_argument("--workers", type=at_least(1), metavar="W",
                           help="worker processes (default: all cores)")
    reproduce.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    reproduce.set_defaults(handler=_reproduce)
    _compare_parser(commands)
    _sweep_parser(commands)
    _calibrate_parser(commands)
    for command_parser in commands.choices.values():
        command_parser.set_defaults(command_parser=command_parser)
    return parser


def a_path(text: str) -> Path:
    """An argparse type: a path, refusing an empty one.

    ``Path("")`` is ``.``: ``-o "$OUT"`` with ``OUT`` unset wrote the results into the
    working folder (or was refused as ``.``), and ``report ""`` rewrote its report.
    """
    if not text:
        raise argparse.ArgumentTypeError("expected a path, got an empty one ('')")
    return Path(text)


a_path.__name__ = "a path"


def at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``minimum``, refused with a clear message."""

    def whole_number(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected a whole number of at least {minimum}, "
                                             f"got {value}")
        return value

    whole_number.__name__ = f"a whole number of at least {minimum}"
    return whole_number


def _scenario_arguments(parser: argparse.ArgumentParser, other_options: bool = True) -> None:
    """The scenario file and ``--set``.

    ``other_options``: the command has options that set scenario keys too (``--replications``,
    say), so the help explains their clash with ``--set``.
    """
    clash = ("; a key that another option also sets, such as --set replications=5 with "
             "--replications, is refused") if other_options else ""
    parser.add_argument("scenario", type=a_path, help="scenario file (YAML)")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="KEY=VALUE",
                        help="override a scenario key, e.g. --set grid.capacity_mw=12 or "
                        "--set policy.order=fifo (repeatable; lists index by number: "
                        "grid.upgrades.0.date=2031-01-01; KEY=null removes the key, e.g. "
                        f"streams.storage=null){clash}")


def _execution_arguments(parser: argparse.ArgumentParser, report: bool = True) -> None:
    """Where replications run: ``--workers`` locally, or ``--scheduler`` on a Dask cluster.

    ``report``: whether the command also draws a report's figures with those workers (``run``
    and ``compare``); ``sweep`` and ``calibrate`` draw one figure, in the main process.
    """
    from sim.runs.distributed import SCHEDULER_VARIABLE

    uses = "for the replications and for drawing the report's figures" if report \
        else "for the replications"
    parser.add_argument("--workers", type=at_least(1), metavar="W",
                        help=f"worker processes, {uses} (default: all cores); results do not "
                        "depend on it")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        default=os.environ.get(SCHEDULER_VARIABLE) or None,
                        help="run the replications on the Dask cluster whose scheduler is at "
                        f"ADDRESS, e.g. tcp://10.0.0.5:8786 (default: ${SCHEDULER_VARIABLE} "
                        "if set, else local processes); results are identical")


def _refuse_two_ways(overrides: Sequence[str], options: Sequence[tuple[str, str]]) -> None:
    """Refuse a key that a --set and another option both set (or a key and one inside it).

    One would silently lose to the other, so even equal values are refused: two ways of saying
    one thing. ``options`` are the other options as typed, each with the key path it sets
    (``*`` for any name); the --set options among themselves apply in order, as documented.
    """
    given = [(f"--set {text}", _set_key(text)) for text in overrides]
    given += [(text, tuple(key.strip().split("."))) for text, key in options]
    for i, (first, one) in enumerate(given):
        for second, other in given[i + 1:]:
            key = _same_key(one, other)
            if key and not (first.startswith("--set ") and second.startswith("--set ")):
                raise GridqueueError(f"{first} and {second} both set {key}; give one")


def _same_key(one: tuple[str, ...], other: tuple[str, ...]) -> str | None:
    """The key both paths set, if one is the other or lies inside it (``*`` is any name)."""
    if any(a != b and "*" not in (a, b) for a, b in zip(one, other, strict=False)):
        return None
    longer, shorter = sorted((one, other), key=len, reverse=True)
    return ".".join(shorter[i] if part == "*" and i < len(shorter) else part
                    for i, part in enumerate(longer))


def _set_key(text: str) -> tuple[str, ...]:
    """The key path of a --set, without compare's target (``2:`` or ``NAME:``)."""
    key = text.partition("=")[0]
    if ":" in key.split(".", 1)[0]:
        key = key.partition(":")[2]
    return tuple(part.strip() for part in key.strip().split("."))


def _given(args: argparse.Namespace, *names: str) -> list[tuple[str, str]]:
    """The options among ``names`` that were given, as typed, with the key each one sets."""
    return [(f"--{name} {getattr(args, name)}", name) for name in names
            if getattr(args, name) is not None]


def _load(args: argparse.Namespace, extra: Sequence[Override] = ()) -> Scenario:
    from sim.inputs.loading import load_scenario

    return load_scenario(args.scenario, [*args.overrides, *extra])


def _run(args: argparse.Namespace) -> int:
    from sim.inputs.scenario import MAX_SEED
    from sim.inputs.yaml_source import Override
    from sim.runs.observed import agreement_sentences
    from sim.runs.runner import check_replication_count, run
    from sim.runs.staging import check_writable
    from sim.runs.summary_table import format_projects, format_summary, rough_dates

    _refuse_two_ways(args.overrides, _given(args, "replications", "seed"))
    # Refused as the options they are: as scenario keys they were named --set replications=N
    check_replication_count(args.replications)
    if args.seed is not None and args.seed > MAX_SEED:
        raise GridqueueError(f"--seed {args.seed}: expected a whole number from 0 to 2**63 - 1")
    # Named as typed in run.json and the report, not as a --set nobody gave.
    extra = [Override((key,), value, f"{key}={value}", option=f"--{key} {value}")
             for key, value in (("replications", args.replications), ("seed", args.seed))
             if value is not None]
    scenario = _load(args, extra)
    output = args.output or Path("results") / scenario.name
    check_writable(output, args.force, inputs=scenario.input_files)
    if args.only_replication:
        twice = sorted({r for r in args.only_replication if args.only_replication.count(r) > 1})
        if twice:
            raise GridqueueError(f"--only-replication {twice[0]}: given more than once; "
                                 "expected each replication once")
        bad = [r for r in args.only_replication if not 0 <= r < scenario.replications]
        if bad:
            raise GridqueueError(f"--only-replication {bad[0]}: expected a replication from 0 "
                                 f"to {scenario.replications - 1}")
    results = run(scenario, workers=args.workers, progress=not args.quiet,
                  replications=args.only_replication, scheduler=args.scheduler)
    results.run_info["command"] = args.command
    report = not args.no_report and not results.applicants_on_disk
    if report:
        from sim.report.run import write_report_files

        results.write(output, force=args.force, also=lambda folder: write_report_files(
            results, folder, str(args.scenario)))
    else:
        results.write(output, force=args.force)
    if not args.no_report and not report:
        print("report: not made, the applicant rows are too many to hold in memory; "
              f"gridqueue report {output} makes it (reading them all in)", file=sys.stderr)
    if not args.quiet:
        print(format_summary(results))
        for line in format_projects(results.projects):
            print(line)
        if rough := rough_dates(results.projects):
            print(rough)
        if scenario.observations:
            print("\n".join(agreement_sentences(results.observations())))
    from sim.report.waiting_list import waiting_list_line

    listed = waiting_list_line(scenario, None if results.applicants_on_disk
                               else results.applicants)
    if listed:
        print(listed)
    count = len(args.only_replication or range(scenario.replications))
    print(f"results: {output}/ ({count} replication{'' if count == 1 else 's'} in "
          f"{seconds_text(results.run_info['wall_time_seconds'])})"
          + ("; report.html" if report else ""))
    return 0


def seconds_text(seconds: float) -> str:
    """A wall time in words: '2.4 s', and 'under 0.1 s' where one decimal would say 0.0 s."""
    return "under 0.1 s" if seconds < 0.05 else f"{seconds:.1f} s"


def _report(args: argparse.Namespace) -> int:
    from sim.report.run import write_report

    print(f"report: {write_report(args.directory)}")
    return 0


def _counted(count: int, thing: str) -> str:
    """``count`` things, as a sentence says it: '1 project', '2 projects'."""
    return f"{count} {thing}{'' if count == 1 else 's'}"


def _validate(args: argparse.Namespace) -> int:
    from sim.analysis.scenario_outline import outline
    from sim.inputs.loading import load_waiting_rows
    from sim.runs.replication import check_policies

    grid = _sweep_block(args)
    scenario = grid[0] if grid else _load(args)
    rows = load_waiting_rows(scenario)
    check_policies(scenario, rows)  # a custom policy that fails, fails here
    print("\n".join(outline(scenario, rows)))
    areas = ", ".join(scenario.area_names)
    print(f"{args.scenario}: ok - '{scenario.name}', {scenario.start} to {scenario.end}, "
          f"{_counted(len(scenario.streams), 'stream')}, "
          f"{_counted(len(scenario.projects), 'project')}, areas: {areas}, "
          f"{_counted(scenario.replications, 'replication')}")
    if grid:
        from sim.analysis.sweep_grid import value_text

        _, varied, cells = grid
        each = [f"{key} ({len(values)} value{'s' if len(values) > 1 else ''}: "
                f"{', '.join(value_text(v) for v in values)})" for key, values in varied.items()]
        print(f"sweep: {cells} cell{'s' if cells > 1 else ''}, varying "
              f"{listed(each)}; "
              "gridqueue sweep runs them (gridqueue run and compare refuse the block)")
    return 0


def _sweep_block(args: argparse.Namespace) -> tuple[Scenario, dict[str, list[Any]], int] | None:
    """The base scenario, the grid and the number of cells of the file's sweep: block, if any.

    Checked as ``gridqueue sweep`` checks it before running: its keys and values, and every
    cell's scenario (:func:`sim.analysis.sweeps.plan_sweep`).
    """
    from sim.inputs.yaml_source import parse_override, read_scenario_source

    source = read_scenario_source(args.scenario, [parse_override(o) for o in args.overrides])
    if source.data.get("sweep") is None:
        return None
    from sim.analysis.sweeps import plan_sweep

    scenario, grid, cells, _ = plan_sweep(args.scenario, overrides=args.overrides, progress=True)
    return scenario, grid, len(cells)


SCHEMA_SIGNATURE = "Written by gridqueue schema"
"""Put in every schema file written, so that ``schema -o FILE --force`` replaces only those."""

SCHEMA_DIGEST = re.compile(r"\(sha256 ([0-9a-f]{64})\)")
"""Where a schema file's ``$comment`` holds the SHA-256 of the file as written."""

MAX_SCHEMA_BYTES = 10_000_000
"""Far more than a schema file (about 100 kB): a larger one was not left as written."""

UNSIGNED = "0" * 64
"""What stands for the digest while the file's digest is taken (it cannot hold its own)."""


def _schema(args: argparse.Namespace) -> int:
    from sim.inputs.json_schema import scenario_json_schema
    from sim.runs.staging import write_file

    text = _signed(scenario_json_schema())
    if args.output is None:
        sys.stdout.write(text)
    else:
        write_file(args.output, text, force=args.force, is_ours=SCHEMA_SIGNATURE,
                   unchanged=_schema_unchanged)
        print(f"schema: {args.output}")
    return 0


def _signed(schema: dict[str, Any]) -> str:
    """The schema file's text, whose ``$comment`` holds the SHA-256 of the text as written.

    Taken with :data:`UNSIGNED` in the digest's place: an edit anywhere in the file, the
    comment's version included, then shows (:func:`_schema_unchanged`).
    """
    def text(digest: str) -> str:
        comment = (f"{SCHEMA_SIGNATURE} {__version__} (sha256 {digest}); regenerate rather "
                   "than edit.")
        return json.dumps({"$comment": comment, **schema}, indent=2) + "\n"

    return text(hashlib.sha256(text(UNSIGNED).encode("utf-8")).hexdigest())


def _schema_unchanged(path: Path) -> str | None:
    """Why ``--force`` may not replace a schema file gridqueue wrote, or None if it may.

    It may only while the file is byte for byte as written: an edit since would be lost.
    A file of a gridqueue that recorded no digest cannot be told from an edited one.
    """
    from sim.inputs.files import TooLarge, read_limited

    changed = ("was changed since gridqueue wrote it (its SHA-256 is not the one its $comment "
               "holds), and the change would be lost")
    try:
        data = read_limited(path, MAX_SCHEMA_BYTES)
    except TooLarge:
        return changed
    found = SCHEMA_DIGEST.search(data[:4096].decode("utf-8", errors="replace"))
    if found is None:
        return "was written by an earlier gridqueue, which kept no SHA-256 to tell an edit by"
    unsigned = data.replace(found.group(1).encode(), UNSIGNED.encode(), 1)
    return None if hashlib.sha256(unsigned).hexdigest() == found.group(1) else changed


def _reproduce(args: argparse.Namespace) -> int:
    from sim.analysis.reproduce import reproduce

    found = reproduce(args.directory, workers=args.workers, progress=not args.quiet)
    print(found.report())
    return 0 if found.identical else EXIT_DIFFERENT


COMPARE_EPILOG = """\
examples:
  gridqueue compare scenarios/flevoland/fifo.yaml scenarios/flevoland/social_priority.yaml \\
      scenarios/flevoland/social_priority_onsite.yaml -o results/comparison
  gridqueue compare results/comparison/runs/fifo results/comparison/runs/social_priority \\
      -o results/comparison-read
  gridqueue compare scenarios/flevoland/fifo.yaml scenarios/flevoland/social_priority.yaml \\
      --set replications=50 --workers 2 -o results/comparison-50

  gridqueue compare --questions scenarios/flevoland/questions.yaml -o results/flevoland

A results directory is read, not run: the second example reads the runs the first kept.
--set KEY=VALUE changes every scenario file, not a results directory (a warning names each
such key that the directory ran otherwise); --set N:KEY=VALUE only the N-th input (1 is the
first), --set NAME:KEY=VALUE only the file NAME.yaml, e.g. --set
2:grid.upgrades.8.date=2031-01-01 to compare a file with a variant of itself.

Each scenario file is compared with the nearest file up its extends chain that is an input
too (or a results folder of one), else with the first input that extends none of the
others; --reference NAME compares every scenario with one, and --questions FILE lists the
pairs outright (a YAML list of question,
reference and variant, paths relative to the file; pairs sharing a question's words are
answered together). Where a scenario is set against one its file does not extend itself
(the one --reference names, a file further up its chain, or the first input, by order
alone) and differs from it in several ways, a warning names them and the report says it in
that pair's answer: its answer is their combined effect. A difference is computed
per replication (paired) when both share the
seed and the assumptions the applicants are drawn from (the period, the streams' rates and
sizes, the waiting list, upgrade delays; not the policy, the grid or named projects, nor what
applicants do or where they count: patience, on-site generation, offers, priority uptake, a
stream's category or area): replication i of both then sees the same applicants, which makes
the interval much narrower. Where only some streams or the waiting list differ, the
applicants of the others are still compared paired, and each that differs on its own
(docs/model.md, 4.3). Otherwise the
interval is Welch's, for two independent means. comparison.csv names each row's reference and
question, says which in its paired column, and gives in reference_mean the reference's mean
of the same applicants over the replications the difference counts (reference_mean +
difference is the variant's mean over them: its mean, unless a replication gives only the
variant a value).
"""

SWEEP_EPILOG = """\
examples:
  gridqueue sweep scenarios/flevoland/fifo.yaml --vary grid.upgrades.8.delay_years=0,1,2,4 \\
      -o results/sweep-delay
  gridqueue sweep scenarios/flevoland/fifo.yaml --vary policy.order=fifo,social_priority \\
      --vary grid.upgrades.8.delay_years=0,1,2,4 --metric wait_rmst_10y_years --group basic_needs \\
      -o results/sweep-policy-delay

The FGU reinforcement is the ninth upgrade of base.yaml (index 8); the years of delay replace
its drawn delay. Instead of --vary, the scenario file may hold a block (--vary wins for a key
in both):
  sweep:
    policy.order: [fifo, social_priority]
    grid.upgrades.8.delay_years: [0, 1, 2, 4]

Every cell keeps the scenario's seed (common random numbers). sweep.csv has one row per cell,
group and key figure with its 95% interval, and its difference from the first cell with that
difference's interval (paired, group by group, where the cell draws the same applicants in
the group, as the paired column says; a stream redrawn leaves the groups it is not in
paired); a difference is of the means, also where the estimate is a median (the times to
connection), and first_cell_mean is the first cell's mean over the same replications; and a
note where a row counts other applicants than the first cell's (a varied key
adds, redraws or moves a stream), lacks the 10-year mean, or has a value but no difference
(why: not reached, or without a value, in some replication of the first cell or its own);
cells/ holds each cell's per-replication figures. A grid of several areas also gets
sweep_areas.csv: the same columns with area before group, for each area's applicants (as
gridqueue run's areas.csv), each area's difference from the first cell's same area, and a
printed line per area; sweep.csv stays the whole grid's.
One varied key gives a line figure (beneath it, each cell's difference from the first with
its paired interval), two a heat map. A grid has at most 10,000 cells. An
interrupted sweep keeps its finished cells; the same command with --resume runs only the rest.
"""


def _compare_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    compare = commands.add_parser(
        "compare", help="compare scenarios with paired differences, figures and report.html",
        description="Compare scenarios, each with its reference: run the scenario files, read\n"
        "the results directories, and write comparison.csv (every key figure, and each\n"
        "difference from its reference with its 95% interval), figures/ (PNG and SVG), a\n"
        "self-contained report.html that leads with the answers, comparison.json and runs/\n"
        "(the results of the scenarios run here). sim.Comparison.read reads it back in\n"
        "Python, with the results directories it read: leave them where they are.",
        epilog=COMPARE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    compare.add_argument("inputs", nargs="*", type=a_path, metavar="SCENARIO_OR_RESULTS",
                         help="scenario files (run now) or results directories (read)")
    compare.add_argument("--reference", metavar="NAME",
                         help="compare every scenario with this one (a scenario name or one "
                         "of the input paths) instead of each with the nearest file it "
                         "extends")
    compare.add_argument("--questions", type=a_path, metavar="FILE",
                         help="a YAML list of questions, each a reference and a variant; "
                         "their files join the inputs and only these pairs are compared "
                         "(an input no question names is refused)")
    compare.add_argument("-o", "--output", type=a_path, metavar="DIR",
                         default=Path("results") / "comparison",
                         help="output directory (default: results/comparison)")
    compare.add_argument("--set", dest="overrides", action="append", default=[],
                         metavar="KEY=VALUE",
                         help="override a key of every scenario file (not of results "
                         "directories), e.g. --set replications=50; or of one: "
                         "--set social_priority:replications=50 (by file name) or "
                         "--set 2:grid.capacity_mw=8 (by position, 1 is the first) "
                         "(repeatable)")
    compare.add_argument("--replications", type=at_least(1), metavar="N",
                         help="replications of each scenario file (overrides the files'; "
                         "a results directory keeps those it ran, and a warning says so)")
    compare.add_argument("--force", action="store_true",
                         help="replace the output directory if gridqueue wrote it (never "
                         "a folder of your own)")
    compare.add_argument("-q", "--quiet", action="store_true",
                         help="no progress bars and no summary sentences")
    _execution_arguments(compare)
    compare.set_defaults(handler=_compare)


def _sweep_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sweep = commands.add_parser(
        "sweep", help="run a scenario over a grid of parameter values",
        description="Run every combination of the varied keys of a scenario, with common\n"
        "random numbers, and write sweep.csv (and sweep_areas.csv for several grid\n"
        "areas), cells/, a figure of one key figure across the grid (sweep.png,\n"
        "sweep.svg), the base scenario.yaml (with the waiting_list.csv it names) and\n"
        "run.json; sim.Sweep.read reads the folder back in Python.",
        epilog=SWEEP_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _scenario_arguments(sweep)
    sweep.add_argument("--vary", action="append", default=[], metavar="KEY=V1,V2,...",
                       help="a key and the values it takes (repeatable; each value is read as "
                       "YAML, e.g. --vary grid.capacity_mw=4,8,16); not replications, which "
                       "every cell shares: use --replications")
    sweep.add_argument("-o", "--output", type=a_path, metavar="DIR",
                       help="output directory (default: results/sweep-<scenario file name>)")
    sweep.add_argument("--metric", default=None, metavar="NAME",
                       help="key figure of the figure and the printed lines (default, as "
                       "compare's answers: wait_rmst_10y_years, the mean wait within ten years "
                       "of the request, counting everyone, where every cell has it, else "
                       "wait_to_end_years, the mean years without a connection to the end of "
                       "the run, which every cell knows): any key figure of summary.csv, "
                       "such as withdrawn_share (the share of those who asked that gave up: "
                       "the figure and the lines in percent and percentage points, sweep.csv "
                       "from 0 to 1), "
                       "connected_within_2y or jobs_withdrawn; a name it does not know is "
                       "refused with the list of all")
    sweep.add_argument("--group", default="all", metavar="GROUP",
                       help="group of the figure: a category (congestion_relief, safety, "
                       "basic_needs, other) or all (default)")
    sweep.add_argument("--replications", type=at_least(1), metavar="N",
                       help="replications per cell (overrides the scenario's)")
    sweep.add_argument("--force", action="store_true",
                       help="replace the output directory if gridqueue wrote it (never a "
                       "folder of your own), and discard an unfinished sweep kept for --resume")
    sweep.add_argument("--resume", action="store_true",
                       help="continue an interrupted sweep: reuse its finished cells and run "
                       "the others; the result equals an uninterrupted run's")
    sweep.add_argument("-q", "--quiet", action="store_true",
                       help="no progress bar and no summary")
    _execution_arguments(sweep, report=False)
    sweep.set_defaults(handler=_sweep)


def _compare(args: argparse.Namespace) -> int:
    from sim.analysis.comparison import compare
    from sim.runs.staging import check_writable

    _refuse_two_ways(args.overrides, _given(args, "replications"))
    check_writable(args.output, args.force, inputs=args.inputs)
    comparison = compare(args.inputs, args.overrides, reference=args.reference,
                         questions=args.questions, replications=args.replications,
                         workers=args.workers, progress=not args.quiet,
                         scheduler=args.scheduler)
    comparison.write(args.output, force=args.force, command=args.command)
    if not args.quiet:
        print("\n".join([*comparison.outline(), *comparison.notes(),
                         *comparison.observation_sentences()]))
    tables = "comparison.csv, observations.csv" if comparison.observations else "comparison.csv"
    print(f"comparison: {args.output}/ (report.html, {tables}, figures/)")
    return 0


def _sweep(args: argparse.Namespace) -> int:
    from sim.analysis.sweep_grid import parse_vary
    from sim.analysis.sweeps import AREAS_FILE, sweep_to_directory

    varied = [(f"--vary {text}", text.partition("=")[0]) for text in args.vary]
    _refuse_two_ways(args.overrides, [*_given(args, "replications"), *varied])
    output = args.output or Path("results") / f"sweep-{args.scenario.stem}"
    result = sweep_to_directory(
        output, args.scenario, parse_vary(args.vary), args.overrides, metric=args.metric,
        group=args.group, force=args.force, resume=args.resume,
        command=args.command,
        replications=args.replications, workers=args.workers, progress=not args.quiet,
        scheduler=args.scheduler,
    )
    if not args.quiet:
        print(result.describe(args.metric, args.group))
    areas = f", {AREAS_FILE}" if result.areas else ""
    cells = f"{len(result.cells)} cell{'s' if len(result.cells) != 1 else ''}"
    print(f"sweep: {output}/ ({cells}; sweep.csv{areas}, sweep.png)")
    return 0


CALIBRATE_EPILOG = """\
examples:
  gridqueue calibrate scenarios/flevoland/base.yaml --fit arrivals.rate_scale=0.5:2 \\
      -o results/calibration
  gridqueue calibrate scenarios/flevoland/base.yaml --fit arrivals.rate_scale=0.5:2 \\
      --fit withdrawal.hazard_scale=0.25:4 --replications 10 -o results/calibration-2

Parameters are dotted keys as --set takes them (streams.logistics.rate_per_year) or span
every stream: arrivals.rate_scale, arrivals.<category>.rate_scale, arrivals.growth_per_year,
withdrawal.hazard_scale. Every candidate runs the same replications (common random numbers).
The output holds calibrated.yaml (a scenario extending the one calibrated, with the fitted
values), calibration.csv (each estimate with its plausible interval and whether the data pin
it down; a parameter that changes no observation is named so and left unset),
calibration.txt (the same in words, with the fit of the best candidate and, where
calibrated.yaml keeps a parameter unfitted, that of calibrated.yaml), observations.csv,
calibration.png and calibration.svg (model against observations at each), evaluations.csv
and run.json. An interrupted calibration keeps its evaluations; the same command with
--resume reuses them, except those whose observations an earlier gridqueue counted otherwise
(said in a warning), which run again.
Method: docs/calibration.md.
"""


def _calibrate_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    calibrate = commands.add_parser(
        "calibrate", help="estimate scenario parameters from its published observations",
        description="Estimate chosen parameters of a scenario so that the simulated\n"
        "observations match the published ones, with the uncertainty of each estimate and a\n"
        "plain statement of which parameters the observations can and cannot pin down.",
        epilog=CALIBRATE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _scenario_arguments(calibrate)
    calibrate.add_argument("--fit", action="append", default=[], required=True,
                           metavar="KEY=LOW:HIGH",
                           help="a parameter to estimate and the range searched (repeatable)")
    calibrate.add_argument("-o", "--output", type=a_path, metavar="DIR",
                           help="output directory (default: results/calibrate-<scenario "
                           "file name>)")
    calibrate.add_argument("--replications", type=int, metavar="N",
                           help="replications per candidate (overrides the scenario's)")
    calibrate.add_argument("--iterations", type=int, default=8, metavar="N",
                           help="generations of the search, 1 to 1000 (default: 8)")
    calibrate.add_argument("--population", type=int, default=6, metavar="N",
                           help="candidates per generation and parameter, 1 to 1000, at least 5 "
                           "in all (default: 6)")
    calibrate.add_argument("--force", action="store_true",
                           help="replace the output directory if gridqueue wrote it, and "
                           "discard an unfinished calibration kept for --resume")
    calibrate.add_argument("--resume", action="store_true",
                           help="continue an interrupted calibration from its evaluations")
    calibrate.add_argument("-q", "--quiet", action="store_true",
                           help="no progress bar and no statements")
    _execution_arguments(calibrate, report=False)
    calibrate.set_defaults(handler=_calibrate)


def _calibrate(args: argparse.Namespace) -> int:
    from sim.analysis.calibration import calibrate_to_directory, parse_fit
    from sim.analysis.parameters import REPLACES

    for name in ("iterations", "population", "replications"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise GridqueueError(f"--{name} {value}: expected a whole number of at least 1")
    parameters = [parse_fit(text) for text in args.fit]
    fits = [(f"--fit {text}", REPLACES.get(p.key, p.key))
            for text, p in zip(args.fit, parameters, strict=True)]
    _refuse_two_ways(args.overrides, [*_given(args, "replications"), *fits])
    output = args.output or Path("results") / f"calibrate-{args.scenario.stem}"
    result = calibrate_to_directory(
        output, args.scenario, parameters, args.overrides, force=args.force,
        resume=args.resume, command=args.command,
        replications=args.replications, iterations=args.iterations,
        population=args.population, workers=args.workers, progress=not args.quiet,
        scheduler=args.scheduler,
    )
    if not args.quiet:
        print("\n".join(result.statements()))
    print(f"calibration: {output}/ (calibrated.yaml, calibration.csv, calibration.png)")
    return 0
