"""The malformed-input corpus, and the rules that keep scenario files plain data.

Every case in ``tests/bad_inputs/cases.yaml`` goes through the real command line: it must fail
with exit code 2 and one line naming the file (and line), the key path and what was expected,
with no traceback and no output left behind.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim import InputError, load_scenario
from sim.cli import main

BAD = Path(__file__).parent / "bad_inputs"
CASES = yaml.safe_load((BAD / "cases.yaml").read_text(encoding="utf-8"))


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run ``gridqueue ARGS`` in this process; return the exit code, stdout and stderr."""
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_corpus_covers_at_least_forty_malformed_inputs():
    """The corpus holds at least 40 cases, each naming where the problem is and what to expect."""
    assert len(CASES) >= 40
    assert all({"file", "where", "expected"} <= set(case) for case in CASES)
    assert len({(case["file"], tuple(case.get("args", []))) for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: " ".join([c["file"], *c.get("args", [])]))
def test_malformed_input_gives_one_clear_line_exit_2_and_no_output(case, tmp_path, monkeypatch,
                                                                     capsys):
    """A malformed input fails with exit 2, one line naming where, what key, what was expected."""
    monkeypatch.chdir(BAD)
    before = sorted(p.name for p in BAD.iterdir())
    output = tmp_path / "out"
    code, out, err = run_cli(["run", case["file"], "-o", str(output), "-q", "--workers", "1",
                              *case.get("args", [])], capsys)
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    key = f"{case['key']}: " if case.get("key") else ""
    prefix = f"gridqueue: error: {case['where']}: {key}"
    assert lines[0].startswith(prefix), lines[0]
    assert lines[0][len(prefix):].startswith(case["expected"]), lines[0]
    assert not output.exists()
    assert list(tmp_path.iterdir()) == []
    assert sorted(p.name for p in BAD.iterdir() if p.name != "__pycache__") == \
        [name for name in before if name != "__pycache__"]


def test_yaml_tags_that_build_python_objects_are_refused_and_never_run(tmp_path, capsys):
    """A !!python/object tag is refused with a clear message, and the code it names never runs."""
    witness = tmp_path / "witness"
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "start: 2024-01-01\nend: 2026-01-01\n"
        f"grid: !!python/object/apply:pathlib.Path.touch [!!python/object/apply:pathlib.Path "
        f"['{witness}']]\n",
        encoding="utf-8",
    )
    code, _, err = run_cli(["validate", str(scenario)], capsys)
    assert code == 2
    assert "grid: the YAML tag !!python/object/apply:pathlib.Path.touch is refused" in err
    assert not witness.exists()


def test_numbers_in_exponent_notation_are_numbers(tmp_path):
    """1e3 and 2.5e-1 are read as numbers (YAML 1.2), not as text."""
    scenario = tmp_path / "s.yaml"
    scenario.write_text("start: 2024-01-01\nend: 2026-01-01\ngrid: {capacity_mw: 1e3}\n"
                        "streams: {firms: {category: other, rate_per_year: 1, demand_mw: 1}}\n"
                        "onsite_generation: {share: 2.5e-1, cover: 0.3}\n", encoding="utf-8")
    loaded = load_scenario(scenario)
    assert loaded.grid.capacity_mw == 1000.0
    assert loaded.onsite_generation is not None
    assert loaded.onsite_generation.share == 0.25


def test_relative_csv_and_extends_paths_resolve_in_the_scenario_folder(tmp_path, monkeypatch,
                                                                      capsys):
    """A scenario's CSV and extends: are found beside it, never in the current directory."""
    home = tmp_path / "scenarios"
    home.mkdir()
    shutil.copy(BAD / "valid.yaml", home / "parent.yaml")
    shutil.copy(BAD / "waiting_list.csv", home / "waiting_list.csv")
    (home / "child.yaml").write_text("extends: parent.yaml\nname: child\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "parent.yaml").write_text("start: 1999-01-01\n", encoding="utf-8")
    (elsewhere / "waiting_list.csv").write_text("request_date,category,demand_mw\n"
                                                "2023-01-01,other,9\n", encoding="utf-8")
    monkeypatch.chdir(elsewhere)
    code, _, err = run_cli(["run", str(home / "child.yaml"), "-o", str(tmp_path / "out"), "-q",
                            "--workers", "1"], capsys)
    assert code == 0, err
    copied = (tmp_path / "out" / "waiting_list.csv").read_bytes()
    assert copied == (BAD / "waiting_list.csv").read_bytes()
    applicants = pd.read_csv(tmp_path / "out" / "applicants.csv")
    assert set(applicants.loc[applicants["source"] == "waiting_list", "name"]) == \
        {"bakery", "school", "clinic"}


def test_custom_policy_is_found_beside_the_scenario_not_in_the_current_directory(
        tmp_path, monkeypatch):
    """A module:Class policy is imported from the scenario's folder or the Python path only."""
    home = tmp_path / "scenarios"
    home.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    policy = ("from sim import QueuePolicy\n\n\nclass Newest(QueuePolicy):\n"
              "    def sort_key(self, applicant):\n        return (-applicant.request_time,)\n")
    (elsewhere / "policy_in_the_current_directory.py").write_text(policy, encoding="utf-8")
    (home / "policy_beside_the_scenario.py").write_text(policy, encoding="utf-8")
    scenario = home / "s.yaml"
    scenario.write_text("start: 2024-01-01\nend: 2026-01-01\ngrid: {capacity_mw: 1}\n",
                        encoding="utf-8")
    monkeypatch.chdir(elsewhere)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", os.getcwd())])
    found = load_scenario(scenario, {"policy.order": "policy_beside_the_scenario:Newest"})
    assert found.policy.order == "policy_beside_the_scenario:Newest"
    with pytest.raises(InputError, match="cannot import policy module "
                                         "'policy_in_the_current_directory'"):
        load_scenario(scenario, {"policy.order": "policy_in_the_current_directory:Newest"})
    assert "policy_in_the_current_directory" not in sys.modules


def test_two_policy_modules_of_the_same_name_are_not_confused(tmp_path):
    """A policy module named like one already loaded from elsewhere is refused, not mixed up."""
    for folder in ("first", "second"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same_name_policy.py").write_text(
            "from sim.policies import FIFOPolicy\n\n\nclass Mine(FIFOPolicy):\n    pass\n",
            encoding="utf-8")
        (tmp_path / folder / "s.yaml").write_text(
            "start: 2024-01-01\nend: 2026-01-01\ngrid: {capacity_mw: 1}\n"
            "policy: {order: 'same_name_policy:Mine'}\n", encoding="utf-8")
    try:
        load_scenario(tmp_path / "first" / "s.yaml")
        with pytest.raises(InputError, match="a module of that name is already loaded from"):
            load_scenario(tmp_path / "second" / "s.yaml")
    finally:
        sys.modules.pop("same_name_policy", None)


def test_yaml_is_read_by_the_yaml_1_2_core_schema(tmp_path):
    """010 is ten, 0o10 eight, NO and true are names: YAML 1.2, not PyYAML's YAML 1.1."""
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "start: 2024-01-01\nend: 2026-01-01\nreplications: 010\n"
        "grid:\n  areas:\n    NO: {capacity_mw: 010}\n    on: {capacity_mw: 0o10}\n"
        "streams:\n  true: {category: other, rate_per_year: 2, demand_mw: 1, area: NO}\n",
        encoding="utf-8")
    loaded = load_scenario(scenario)
    assert loaded.replications == 10
    assert {name: area.capacity_mw for name, area in loaded.grid.resolved_areas.items()} == \
        {"NO": 10.0, "on": 8.0}
    assert list(loaded.streams) == ["true"]
    assert loaded.streams["true"].area == "NO"


def test_resolved_scenario_yaml_reads_back_as_the_same_values(tmp_path):
    """Names that look like YAML 1.2 numbers or booleans are quoted in scenario.yaml."""
    from sim.runs.results import scenario_yaml

    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: '0o10'\nstart: 2024-01-01\nend: 2026-01-01\ngrid: {capacity_mw: 2}\n"
        "streams:\n  'false': {category: other, rate_per_year: 2, demand_mw: 1}\n",
        encoding="utf-8")
    loaded = load_scenario(scenario)
    (tmp_path / "again.yaml").write_text(scenario_yaml(loaded), encoding="utf-8")
    again = load_scenario(tmp_path / "again.yaml")
    assert again.name == "0o10"
    assert again.model_dump() == loaded.model_dump()


@pytest.mark.parametrize("args, message", [
    (["--workers", "-3"], "argument --workers: expected a whole number of at least 1, got -3"),
    (["--workers", "0"], "argument --workers: expected a whole number of at least 1, got 0"),
    (["--replications", "0"], "argument --replications: expected a whole number of at least 1"),
    (["--seed", "-1"], "argument --seed: expected a whole number of at least 0, got -1"),
    (["--only-replication", "-1"], "argument --only-replication: expected a whole number of "
                                   "at least 0"),
    (["--workers", "two"], "argument --workers: expected a whole number, got 'two'"),
])
def test_numeric_options_are_bounded(args, message, tmp_path, capsys):
    """A numeric command-line option out of its range is refused with exit 2, before any run."""
    with pytest.raises(SystemExit) as exited:
        main(["run", str(BAD / "valid.yaml"), "-o", str(tmp_path / "out"), *args])
    assert exited.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1].startswith(f"gridqueue run: error: {message}")
    assert not (tmp_path / "out").exists()


def unblock_later(fifo: Path) -> threading.Timer:
    """Open the pipe for writing after a while, so a reader that waits on it gets an end."""
    timer = threading.Timer(10, lambda: os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)))
    timer.start()
    return timer


@pytest.mark.parametrize("which", ["scenario", "extends", "csv"])
def test_a_named_pipe_is_refused_rather_than_read(which, tmp_path, capsys):
    """A FIFO as the scenario, its extends target or its CSV fails at once, naming it."""
    fifo = tmp_path / ("pipe.csv" if which == "csv" else "pipe.yaml")
    os.mkfifo(fifo)
    shutil.copy(BAD / "valid.yaml", tmp_path / "valid.yaml")
    scenario = {"scenario": fifo, "extends": tmp_path / "child.yaml",
                "csv": tmp_path / "valid.yaml"}[which]
    (tmp_path / "child.yaml").write_text("extends: pipe.yaml\n", encoding="utf-8")
    args = ["--set", "waiting_list.csv=pipe.csv"] if which == "csv" else []
    timer = unblock_later(fifo)
    try:
        code, out, err = run_cli(["validate", str(scenario), *args], capsys)
    finally:
        timer.cancel()
    assert code == 2
    assert err.count("\n") == 1, err
    if which == "csv":
        assert err == (f"gridqueue: error: {fifo}: waiting_list.csv: expected a CSV file, "
                       "found a named pipe (FIFO)\n")
    else:
        where = f"{tmp_path / 'child.yaml'}:1: extends" if which == "extends" else str(fifo)
        assert err == (f"gridqueue: error: {where}: expected a scenario file, '{fifo}' is a "
                       "named pipe (FIFO)\n")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_device_is_refused_rather_than_read(capsys):
    """/dev/zero as a scenario (endless zero bytes) is refused before reading."""
    code, _, err = run_cli(["validate", "/dev/zero"], capsys)
    assert code == 2
    assert err == "gridqueue: error: /dev/zero: expected a scenario file, '/dev/zero' is a " \
        "device\n"


def test_a_scenario_file_above_the_size_limit_is_refused(tmp_path, monkeypatch, capsys):
    """A scenario file larger than the limit is refused, naming the file and the limit."""
    monkeypatch.setattr("sim.inputs.yaml_source.MAX_FILE_BYTES", 100)
    scenario = tmp_path / "big.yaml"
    scenario.write_text("# " + "x" * 200 + "\nstart: 2024-01-01\n", encoding="utf-8")
    code, _, err = run_cli(["validate", str(scenario)], capsys)
    assert code == 2
    assert err == (f"gridqueue: error: {scenario}: expected a scenario file under 100 bytes, "
                   f"'{scenario}' is larger\n")


@pytest.mark.parametrize("command", ["run", "compare", "sweep", "schema"])
def test_an_output_path_below_a_file_is_one_line_not_a_traceback(command, tmp_path, capsys):
    """An output path whose parent is a file fails with exit 2 and one line naming it."""
    (tmp_path / "a_file").write_text("not a folder\n", encoding="utf-8")
    output = tmp_path / "a_file" / "out"
    valid = str(BAD / "valid.yaml")
    args = {"run": ["run", valid, "--workers", "1"],
            "compare": ["compare", valid, valid, "--replications", "2", "--workers", "1"],
            "sweep": ["sweep", valid, "--vary", "seed=1,2", "--replications", "2",
                      "--workers", "1"],
            "schema": ["schema"]}[command]
    code, _, err = run_cli([*args, "-o", str(output), *(["-q"] if command != "schema" else [])],
                           capsys)
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"gridqueue: error: {output}: "), err
    assert f"{tmp_path / 'a_file'} is a file, not a folder" in err, err
    assert (tmp_path / "a_file").read_text(encoding="utf-8") == "not a folder\n"


def test_a_read_only_output_folder_is_one_line(tmp_path, monkeypatch, capsys):
    """A folder the results cannot be created in fails with exit 2 and one line."""
    def refuse(*args, **kwargs):  # as mkdtemp does in a read-only folder (even as root here)
        raise PermissionError(13, "Permission denied", str(tmp_path))

    monkeypatch.setattr("sim.runs.staging.tempfile.mkdtemp", refuse)
    output = tmp_path / "out"
    code, _, err = run_cli(["run", str(BAD / "valid.yaml"), "-o", str(output), "-q",
                            "--workers", "1"], capsys)
    assert code == 2
    assert err == (f"gridqueue: error: {output}: could not write the results "
                   "(Permission denied); nothing was changed\n")


def test_schema_into_a_folder_is_one_line(tmp_path, capsys):
    """Writing the schema into a folder fails with exit 2 and one line, leaving it alone."""
    code, out, err = run_cli(["schema", "-o", str(tmp_path)], capsys)
    assert code == 2
    assert out == ""
    assert err.startswith(f"gridqueue: error: {tmp_path}: is a directory"), err
    assert err.count("\n") == 1


def test_compare_refuses_a_scenario_of_one_replication_before_running(tmp_path, capsys):
    """One replication gives no interval: compare says so before running anything."""
    valid = str(BAD / "valid.yaml")
    code, out, err = run_cli(["compare", valid, valid, "--replications", "1", "-q",
                              "--workers", "1", "-o", str(tmp_path / "cmp")], capsys)
    assert code == 2
    assert out == ""
    assert err == (f"gridqueue: error: {valid}: compare needs at least 2 replications of each "
                   "scenario for a 95% interval, got 1; run it with --replications 2 or more\n")
    assert not (tmp_path / "cmp").exists()


QUESTION = "- question: {question}\n  reference: a.yaml\n  variant: b.yaml\n"


@pytest.fixture
def two_scenarios(tmp_path: Path) -> Path:
    """A folder holding a.yaml and b.yaml, for a questions file to name."""
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text("name: x\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("typed", ["no", "On", "1:30", "1_000"])
def test_a_questions_file_is_read_by_the_yaml_1_2_core_schema(typed, two_scenarios):
    """'no' in a questions file is the text typed, as in a scenario file, not false."""
    from sim.analysis.questions import read_questions

    path = two_scenarios / "q.yaml"
    path.write_text(QUESTION.format(question=typed), encoding="utf-8")
    assert [spec.question for spec in read_questions(path)] == [typed]


@pytest.mark.parametrize(("text", "says"), [
    ("- &q {question: Q, reference: a.yaml, variant: b.yaml}\n- <<: *q\n  question: R\n",
     "q.yaml:2: 1.<<: expected the keys themselves: YAML merge keys (<<: *name) are not read "
     "here (YAML 1.2 has none); write out each question's question, reference and variant"),
    ("- question: Q\n  question: R\n  reference: a.yaml\n  variant: b.yaml\n",
     "q.yaml:2: 0.question: expected each key once, got 'question' twice"),
    ("- question: Q\n  reference: a.yaml\n  variant: b.yaml\n  when: 2026-02-30\n",
     "q.yaml:4: 0.when: expected an ISO date such as 2029-01-01, got '2026-02-30'"),
])
def test_a_questions_file_refuses_what_a_scenario_file_refuses(text, says, two_scenarios,
                                                               capsys):
    """Merge keys, a key twice and an impossible date: one line, exit 2, nothing written."""
    path = two_scenarios / "q.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run_cli(["compare", "--questions", str(path), "-o",
                              str(two_scenarios / "out")], capsys)
    assert (code, out) == (2, "")
    assert err.startswith(f"gridqueue: error: {two_scenarios}/{says}"), err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert not (two_scenarios / "out").exists()


@pytest.mark.parametrize(("text", "line"), [("grid:\n\tcapacity_mw: 5\n", 4),
                                            ("grid: {capacity_mw:\t5}\n", 3)])
def test_a_tab_in_a_scenario_is_named_as_one(text, line, tmp_path, capsys):
    """A tab was refused as "found character that cannot start any token", in PyYAML's words."""
    (tmp_path / "s.yaml").write_text("start: 2024-01-01\nend: 2026-01-01\n" + text,
                                     encoding="utf-8")
    code, out, err = run_cli(["validate", str(tmp_path / "s.yaml")], capsys)
    assert (code, out) == (2, "")
    assert err == (f"gridqueue: error: {tmp_path / 's.yaml'}:{line}: YAML syntax error: expected "
                   "spaces, got a tab (a tab may not indent a line or stand before a value: "
                   "replace it with spaces)\n")


def test_text_a_number_key_reads_as_a_number_is_that_number_as_docs_security_says(tmp_path):
    """docs/security.md said `1_000` is refused where a number is wanted; it is read as 1000.

    `1:30` (90 in YAML 1.1) stays refused, as the docs say.
    """
    path = tmp_path / "numbers.yaml"
    path.write_text((BAD / "valid.yaml").read_text(encoding="utf-8").replace(
        "capacity_mw: 4", "capacity_mw: 1_000").replace("seed: 11", "seed: '12'"),
        encoding="utf-8")
    (tmp_path / "waiting_list.csv").write_bytes((BAD / "waiting_list.csv").read_bytes())
    scenario = load_scenario(path)
    assert (scenario.grid.capacity_mw, scenario.seed) == (1000.0, 12)
    with pytest.raises(InputError, match="grid.capacity_mw: expected a number, got '1:30'"):
        load_scenario(path, {"grid.capacity_mw": "1:30"})
