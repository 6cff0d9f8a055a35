"""The gridqueue command: outputs of a run, validate, schema, and bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

from sim import cli
from sim.cli import main
from tests.test_loading import BASE

# What a command writes, says and refuses is checked here, not what a figure shows: in this
# process the figures are laid out and written empty (tests/undrawn.py); the commands started
# as processes of their own draw.
pytestmark = pytest.mark.undrawn

OUTPUTS = {".gridqueue-output", "applicants.csv", "timeseries.csv", "summary.csv",
           "replication_metrics.csv", "projects.csv", "scenario.yaml", "run.json"}


def gridqueue(*args, cwd):
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_run_writes_every_table_and_says_where(tmp_path):
    """A run writes the documented files and ends by naming the results directory."""
    (tmp_path / "s.yaml").write_text(BASE)
    done = gridqueue("run", "s.yaml", "-o", "out", "--replications", "3", "--workers", "2",
                     cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert {p.name for p in (tmp_path / "out").iterdir()} == OUTPUTS | {"figures",
                                                                        "report.html"}
    assert done.stdout.strip().splitlines()[-1].startswith("results: out/")
    html = (tmp_path / "out" / "report.html").read_text()
    assert html.index("Headline figures") < html.index('id="figures"')
    applicants = pd.read_csv(tmp_path / "out" / "applicants.csv")
    assert sorted(applicants["replication"].unique()) == [0, 1, 2]
    info = json.loads((tmp_path / "out" / "run.json").read_text())
    assert info["seed"] == 1 and info["replications"] == 3 and info["workers"] == 2


def test_report_command_rewrites_the_report_of_a_results_directory(tmp_path):
    """The report command adds figures and report.html to a run written without them.

    The run is in this process; the report command, the subject, a process of its own.
    """
    (tmp_path / "s.yaml").write_text(BASE)
    assert main(["run", str(tmp_path / "s.yaml"), "-o", str(tmp_path / "out"),
                 "--replications", "2", "--no-report", "-q"]) == 0
    assert {p.name for p in (tmp_path / "out").iterdir()} == OUTPUTS
    made = gridqueue("report", "out", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert {p.name for p in (tmp_path / "out").iterdir()} == OUTPUTS | {"figures",
                                                                        "report.html"}
    assert (tmp_path / "out" / "figures" / "queue.png").stat().st_size > 1000


@pytest.mark.parametrize("written, command", [("sweep.csv", "sweep"),
                                               ("evaluations.csv", "calibrate"),
                                               ("comparison.json", "compare")])
def test_commands_reading_a_run_say_what_wrote_another_folder(tmp_path, capsys, written,
                                                               command):
    """A sweep's, a calibration's or a comparison's folder is named as such, not as a run.

    The first two hold a run.json, so report said 'applicants.csv: No such file or
    directory' and reproduce 'replications: expected a number of replications ... got None';
    a comparison's said it had no run.json.
    """
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "run.json").write_text("{}")
    (folder / written).write_text("")
    for reader in ("report", "reproduce"):
        assert main([reader, str(folder)]) == 2
        error = capsys.readouterr().err
        assert "expected the results of gridqueue run; this is the output of gridqueue " \
               f"{command}" in error, reader


def test_run_refuses_to_overwrite_without_force(tmp_path, monkeypatch, capsys):
    """Earlier results are kept unless --force is given; with it they are replaced.

    In this process: the first test here starts ``gridqueue run`` as a process of its own.
    """
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.yaml").write_text(BASE)
    assert main(["run", "s.yaml", "-o", "out", "--replications", "1", "-q"]) == 0
    earlier = (tmp_path / "out" / "summary.csv").read_bytes()
    capsys.readouterr()
    assert main(["run", "s.yaml", "-o", "out", "--replications", "2"]) == 2
    assert "--force" in capsys.readouterr().err
    assert (tmp_path / "out" / "summary.csv").read_bytes() == earlier
    assert main(["run", "s.yaml", "-o", "out", "--replications", "2", "--force", "-q"]) == 0
    assert (tmp_path / "out" / "summary.csv").read_bytes() != earlier


def test_bad_input_is_one_line_exit_2_and_no_output(tmp_path):
    """Negative MW: one line naming file, line, key path; exit 2; nothing written."""
    (tmp_path / "s.yaml").write_text(BASE.replace("capacity_mw: 4", "capacity_mw: -4"))
    done = gridqueue("run", "s.yaml", "-o", "out", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "gridqueue: error: s.yaml:5: grid.capacity_mw: expected a number >= 0.0, got -4"]
    assert not (tmp_path / "out").exists()


def test_validate_and_schema(tmp_path):
    """Validate says ok for a good file; schema writes a JSON Schema with every top key."""
    (tmp_path / "s.yaml").write_text(BASE)
    assert gridqueue("validate", "s.yaml", cwd=tmp_path).returncode == 0
    done = gridqueue("schema", "-o", "schema.json", cwd=tmp_path)
    assert done.returncode == 0
    schema = json.loads((tmp_path / "schema.json").read_text())
    assert {"start", "end", "grid", "streams", "policy"} <= set(schema["properties"])


def test_run_too_large_for_memory_says_its_report_was_not_made(tmp_path, monkeypatch, capsys):
    """Applicant rows kept on disk are not all read back for figures; the run says so."""
    from sim.cli import main

    monkeypatch.setattr("sim.runs.spool.DEFAULT_BUDGET_ROWS", 5)
    (tmp_path / "s.yaml").write_text(BASE)
    out = tmp_path / "out"
    assert main(["run", str(tmp_path / "s.yaml"), "-o", str(out), "--replications", "2",
                 "--workers", "1", "-q"]) == 0
    assert {p.name for p in out.iterdir()} == OUTPUTS
    assert f"gridqueue report {out} makes it" in capsys.readouterr().err


def test_a_reader_that_stops_early_ends_the_command_quietly():
    """``gridqueue validate FILE | head``: no 'error: Broken pipe', exit code 1."""
    read, write = os.pipe()
    os.close(read)  # the reader has gone before the first line
    try:
        done = subprocess.run(
            [sys.executable, "-m", "sim", "validate",
             str(Path(__file__).resolve().parents[1] / "scenarios/flevoland/base.yaml")],
            stdout=write, stderr=subprocess.PIPE, text=True, check=False)
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (1, "")


def test_a_warning_from_a_library_is_shown_and_the_command_goes_on(monkeypatch, capsys):
    """Another library's warning (matplotlib's, say) is printed as Python prints it."""
    def handler(_args):
        warnings.warn("an axis without a range", RuntimeWarning, stacklevel=1)
        return 0

    monkeypatch.setattr(cli, "_validate", handler)
    assert cli.main(["validate", "anything.yaml"]) == 0
    assert "RuntimeWarning: an axis without a range" in capsys.readouterr().err


NOBODY = """\
name: nobody
start: 2024-01-01
end: 2024-01-15
grid: {capacity_mw: 1}
streams:
  shops: {category: other, rate_per_year: 0.001, demand_mw: 0.5}
"""
"""A run too short for anyone to ask: its tables have no applicants."""


def test_a_run_in_which_nobody_asks_has_a_report_and_can_be_compared(tmp_path, capsys):
    """The figures, report, a re-read report and a comparison say there is nobody to show.

    The headline row says "no applicants", not "none connected", which implies some asked.

    They ended in tracebacks: an empty figure, date columns read back as text, a forest plot
    with no group to draw.
    """
    (tmp_path / "nobody.yaml").write_text(NOBODY)
    (tmp_path / "other.yaml").write_text(NOBODY.replace("nobody", "other").replace(
        "shops: {", "offices: {"))
    assert main(["run", str(tmp_path / "nobody.yaml"), "-o", str(tmp_path / "run"),
                 "--replications", "2", "--workers", "1", "-q"]) == 0
    assert pd.read_csv(tmp_path / "run" / "applicants.csv").empty
    assert main(["report", str(tmp_path / "run")]) == 0
    page = (tmp_path / "run" / "report.html").read_text(encoding="utf-8")
    headline = page.split("<th>All applicants</th>", 1)[1].split("</tr>", 1)[0]
    assert "no applicants" in headline and "none connected" not in headline
    assert main(["compare", str(tmp_path / "run"), str(tmp_path / "other.yaml"),
                 "-o", str(tmp_path / "cmp"), "--replications", "2", "--workers", "1",
                 "-q"]) == 0
    assert (tmp_path / "cmp" / "figures" / "differences.png").is_file()
    assert "Traceback" not in capsys.readouterr().err


FEW = NOBODY.replace("end: 2024-01-15", "end: 2026-01-01").replace("rate_per_year: 0.001",
                                                                    "rate_per_year: 12")
"""Two years of shops asking for half the grid each: a small run with outcomes to count."""


@pytest.mark.parametrize("replications, caution", [
    (3, "Only 3 replications: 95% intervals about 6.7 times as wide as 30 would give, and none "
        "for a time to connection (a median across replications needs 6 or more); run 10 or "
        "more for figures to quote."),
    (6, "Only 6 replications: 95% intervals about 2.8 times as wide as 30 would give; run 10 or "
        "more for figures to quote."),
    (10, None)])
def test_intervals_of_few_replications_say_how_much_wider_they_are(tmp_path, capsys,
                                                                   replications, caution):
    """Beneath the terminal table and beside the report's intervals; not from ten on.

    With two replications an interval is 24 times as wide as thirty would make it, which a
    planner quoting "18.5 (1.67 to 205)" withdrawals was not told.
    """
    (tmp_path / "few.yaml").write_text(FEW)
    assert main(["run", str(tmp_path / "few.yaml"), "-o", str(tmp_path / "out"),
                 "--replications", str(replications), "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    if caution is None:
        assert "Only " not in printed and "<strong>Only " not in page
    else:
        assert caution in printed.splitlines()
        assert f"<strong>{caution}</strong>" in page
        (tmp_path / "more.yaml").write_text(FEW.replace("name: nobody", "name: more"))
        assert main(["compare", str(tmp_path / "out"), str(tmp_path / "more.yaml"), "-o",
                     str(tmp_path / "cmp"), "--replications", "12", "--workers", "1"]) == 0
        compared = (tmp_path / "cmp" / "report.html").read_text(encoding="utf-8")
        assert f"<strong>{caution} " in compared  # the smallest run: this one's, first
        assert caution in capsys.readouterr().out.splitlines()  # under the answers too


def test_names_that_look_like_numbers_are_read_back_as_names(tmp_path, recwarn):
    """A project named 2030 came back from a results folder as 2030.0, without its dates.

    pandas also warned of mixed types in the name column on every read of such a folder.
    """
    from sim import Results
    from sim.report.narrative import project_dates

    (tmp_path / "n.yaml").write_text(FEW.replace("name: nobody", "name: numbered").replace(
        "capacity_mw: 1}", "capacity_mw: 100}").replace("shops:", "'7':") + (
        "projects:\n  - {name: '2030', date: 2024-06-01, demand_mw: 0.5, jobs: 10}\n"
        "  - {name: 'NA', date: 2024-06-02, demand_mw: 0.5, jobs: 10}\n"))
    assert main(["run", str(tmp_path / "n.yaml"), "-o", str(tmp_path / "run"),
                 "--replications", "2", "--workers", "1", "-q", "--no-report"]) == 0
    read = Results.read(tmp_path / "run")
    assert read.projects["project"].tolist() == ["2030", "NA"]  # not 2030.0, nor missing
    assert "7" in set(read.applicants["stream"])  # a stream named 7
    assert "2030" in set(read.applicants["name"])
    assert project_dates({"n": read.projects})[("n", "2030")].startswith("median 2024-06-01")
    assert not [w for w in recwarn if "mixed types" in str(w.message)]


def test_an_unknown_name_of_the_package_is_an_attribute_error():
    """``sim.<name>`` loads the comparison and sweep API on first use, and nothing else."""
    import sim

    assert sim.Comparison.__name__ == "Comparison"
    with pytest.raises(AttributeError, match="module 'sim' has no attribute 'Comparsion'"):
        sim.Comparsion  # noqa: B018  # the attribute access is the test


@pytest.mark.parametrize("command, key", [
    (["run", "--set", "replications=5", "--replications", "2"], "replications"),
    (["run", "--set", "seed=5", "--seed", "9"], "seed"),
    (["run", "--set", "seed=9", "--seed", "9"], "seed"),  # the same value, said twice
    (["compare", "s.yaml", "--set", "2:replications=3", "--replications", "2"],
     "replications"),
    (["sweep", "--set", "grid.capacity_mw=8", "--vary", "grid.capacity_mw=4,16"],
     "grid.capacity_mw"),
    (["sweep", "--set", "grid={capacity_mw: 8}", "--vary", "grid.capacity_mw=4,16"],
     "grid.capacity_mw"),
    (["sweep", "--vary", "grid.capacity_mw=4,16", "--vary", "grid.capacity_mw=8,9"],
     "grid.capacity_mw"),
    (["sweep", "--set", "replications=3", "--replications", "4", "--vary",
      "grid.capacity_mw=4,16"], "replications"),
    (["calibrate", "--set", "streams.firms.rate_per_year=30", "--fit",
      "streams.firms.rate_per_year=20:40"], "streams.firms.rate_per_year"),
    (["calibrate", "--set", "streams.firms.growth_per_year=0.1", "--fit",
      "arrivals.growth_per_year=0:0.1"], "streams.firms.growth_per_year"),
    (["calibrate", "--fit", "arrivals.rate_scale=0.5:2", "--fit", "arrivals.rate_scale=1:3"],
     "arrivals.rate_scale"),
])
def test_a_key_set_two_ways_is_refused_not_lost(tmp_path, monkeypatch, capsys, command, key):
    """--set and --replications, --seed, --vary or --fit of one key: exit 2, nothing written.

    One of them used to win in silence (run --set replications=5 --replications 2 ran 2).
    """
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.yaml").write_text(BASE)
    assert main([command[0], "s.yaml", *command[1:], "-q", "-o", "out"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("gridqueue: error: --")
    assert err[0].endswith(f" both set {key}; give one")
    assert not (tmp_path / "out").exists()


def test_options_for_different_keys_go_together(tmp_path, monkeypatch):
    """Only the same key (or one inside it) is refused: a spanning scale multiplies a --set."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.yaml").write_text(BASE)
    assert main(["run", "s.yaml", "--set", "seed=5", "--replications", "1", "--no-report",
                 "-q", "-o", "out"]) == 0
    assert json.loads((tmp_path / "out" / "run.json").read_text())["seed"] == 5
    cli._refuse_two_ways(["grid.capacity_mw=8", "grid.capacity_mw=9"],
                         [("--vary grid.upgrades.0.add_mw=1,2", "grid.upgrades.0.add_mw")])
    cli._refuse_two_ways(["streams.firms.rate_per_year=30"],
                         [("--fit arrivals.rate_scale=0.5:2", "arrivals.rate_scale")])


def test_run_says_what_became_of_the_waiting_list_in_one_line(tmp_path, monkeypatch, capsys):
    """A run with a waiting-list CSV said nothing of it in the terminal, only in the report."""
    (tmp_path / "flev").mkdir()
    (tmp_path / "wachtlijst.csv").write_text(
        "request_date,category,demand_mw\n2023-01-01,other,0.5\n2023-06-01,other,1.25\n",
        encoding="utf-8")
    (tmp_path / "flev" / "s.yaml").write_text(
        BASE + "waiting_list: {csv: ../wachtlijst.csv, patience_years: 0.5}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["run", "flev/s.yaml", "-o", "out", "--replications", "2", "-q",
                 "--no-report", "--workers", "1"]) == 0
    *_, listed, results = capsys.readouterr().out.strip().splitlines()
    applicants = pd.read_csv(tmp_path / "out" / "applicants.csv")
    outcome = applicants[applicants["source"] == "waiting_list"]["outcome"].value_counts() / 2
    states = (("connected", "connected"), ("withdrawn", "withdrew"), ("waiting", "still waiting"))
    whole = all(outcome.get(state, 0) % 1 == 0 for state, _ in states)
    figures = ", ".join(f"{outcome.get(state, 0):.{0 if whole else 1}f} {said}"
                        for state, said in states)
    assert listed == (f"waiting list: 2 rows of wachtlijst.csv (1.75 MW demand), on average "
                      f"{figures} by the end")
    assert results.startswith("results: out/")
    (tmp_path / "plain.yaml").write_text(BASE, encoding="utf-8")
    assert main(["run", "plain.yaml", "-o", "out2", "--replications", "1", "-q",
                 "--no-report", "--workers", "1"]) == 0
    assert "waiting list" not in capsys.readouterr().out


def test_the_command_loads_no_heavy_library_before_it_can_handle_ctrl_c():
    """Importing the command's module loads neither pandas, pydantic nor matplotlib.

    The ``gridqueue`` script imports ``sim.cli`` before ``main`` can catch a Ctrl-C; with the
    whole API imported by ``sim/__init__``, a Ctrl-C in the first second and a half printed
    a traceback from inside pandas' import. ``from sim import run`` still works, on first use.
    """
    code = ("import sys, sim.cli; heavy = [m for m in ('pandas', 'pydantic', 'matplotlib') "
            "if m in sys.modules]; print(heavy); from sim import run, compare; print(run.__name__, "
            "compare.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert out[0] == "[]" and out[1] == "run compare"


def test_a_ctrl_c_while_the_command_loads_ends_quietly(monkeypatch, capsys):
    """The ``gridqueue`` script calls ``sim.__main__.script``, whose ``main`` loads ``sim.cli``.

    Loading the command's modules takes about 50 ms, in which a Ctrl-C printed the traceback
    of an import. A module that raises ``KeyboardInterrupt`` when asked for ``main`` stands in
    for a Ctrl-C in the middle of that import.
    """
    import tomllib
    import types

    import sim.__main__ as entry

    class Interrupted(types.ModuleType):
        def __getattr__(self, name: str):
            raise KeyboardInterrupt

    monkeypatch.setitem(sys.modules, "sim.cli", Interrupted("sim.cli"))
    assert entry.main(["--version"]) == cli.EXIT_INTERRUPTED == entry.EXIT_INTERRUPTED
    assert capsys.readouterr().err == ("gridqueue: interrupted while starting; nothing was "
                                       "read or written\n")
    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(
        encoding="utf-8"))
    assert project["project"]["scripts"]["gridqueue"] == "sim.__main__:script"


def test_the_command_recorded_is_the_one_main_was_given(tmp_path, monkeypatch):
    """main([...]) from Python recorded the words of the program around it (pytest's, here)."""
    monkeypatch.setattr(sys, "argv", ["some-other-program", "--its-options"])
    (tmp_path / "few.yaml").write_text(FEW)
    given = ["run", str(tmp_path / "few.yaml"), "-o", str(tmp_path / "out"), "--replications",
             "2", "--workers", "1", "-q", "--no-report"]
    assert main(given) == 0
    recorded = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert recorded["command"] == ["gridqueue", *given]


@pytest.mark.parametrize(("seconds", "text"), [(0.0, "under 0.1 s"), (0.049, "under 0.1 s"),
                                               (0.06, "0.1 s"), (12.34, "12.3 s")])
def test_a_fast_run_does_not_say_it_took_no_time(seconds, text):
    """A run of a few tenths of a second said it ran 'in 0.0 s'."""
    assert cli.seconds_text(seconds) == text


def test_quiet_says_in_its_help_what_it_still_prints(capsys):
    """-q's help said 'no summary table', and the line naming the folder stood: it says so."""
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    assert "the last line still names the results folder" in " ".join(
        capsys.readouterr().out.split())


@pytest.mark.parametrize("command", [["report", "results/x"], ["validate", "x.yaml"],
                                     ["reproduce", "results/x"]])
def test_an_option_a_command_lacks_is_told_with_that_commands_usage(capsys, command):
    """'report DIR --workers 1' said 'usage: gridqueue [-h] [--version] COMMAND ...'.

    Nothing names the command whose option it is not; its own usage does.
    """
    with pytest.raises(SystemExit) as ended:
        main([*command, "--no-such-option", "1"])
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: gridqueue {command[0]} ")
    assert f"gridqueue {command[0]}: error: unrecognized arguments: --no-such-option 1" in err
    with pytest.raises(SystemExit):  # one given before the command is gridqueue's
        main(["--no-such-option", *command])
    assert "gridqueue: error: unrecognized arguments: --no-such-option" in capsys.readouterr().err
