"""``gridqueue reproduce``: a results directory re-runs to identical tables, and tampering shows."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sim.cli import main
from sim.runs.results import TABLES
from tests.test_policy_plugins import POLICY_MODULE

BAD = Path(__file__).parent / "bad_inputs"
ROOT = Path(__file__).resolve().parents[1]

# reproduce compares tables, never figures: the reports' figures are laid out and written
# empty (tests/undrawn.py), as drawing them was most of this file's time.
pytestmark = pytest.mark.undrawn


def gridqueue(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main([*args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A results directory of the corpus's valid scenario (waiting list CSV included), 2 reps."""
    output = tmp_path_factory.mktemp("pristine") / "results"
    code = main(["run", str(BAD / "valid.yaml"), "-o", str(output), "-q",
                 "--replications", "2", "--workers", "1"])
    assert code == 0
    return output


@pytest.fixture
def results(pristine: Path, tmp_path: Path) -> Path:
    """A test's own copy of the pristine results directory, free to tamper with."""
    return Path(shutil.copytree(pristine, tmp_path / "results"))


def test_run_json_holds_what_a_rerun_needs(results):
    """run.json records version, seed, replications, dependency versions and the inputs' hash."""
    info = json.loads((results / "run.json").read_text(encoding="utf-8"))
    assert {"gridqueue_version", "seed", "replications", "python", "dependencies",
            "scenario_sha256"} <= set(info)
    assert {"numpy", "pandas", "simpy", "pydantic"} <= set(info["dependencies"])
    assert (info["seed"], info["replications"]) == (11, 2)
    inputs = (results / "scenario.yaml").read_bytes() + (results / "waiting_list.csv").read_bytes()
    assert info["scenario_sha256"] == hashlib.sha256(inputs).hexdigest()


def test_reproduce_finds_every_table_identical(results, capsys):
    """Re-running an untouched results directory gives identical tables and exit code 0."""
    code, out, err = gridqueue("reproduce", str(results), "-q", "--workers", "2", capsys=capsys)
    assert code == 0, err
    for name in TABLES:
        assert f"  {name}.csv: identical" in out.splitlines()
    assert out.splitlines()[-1] == f"reproduced: all {len(TABLES)} tables identical"


def test_reproduce_reports_a_tampered_table_and_exits_non_zero(results, capsys):
    """A value changed in a stored table is reported by file, line and column; exit code 1."""
    path = results / "replication_metrics.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    cells = lines[3].rstrip("\n").split(",")
    cells[header.index("value")] = "12345"
    lines[3] = ",".join(cells) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    code, out, _ = gridqueue("reproduce", str(results), "-q", "--workers", "1", capsys=capsys)
    assert code == 1
    assert "  replication_metrics.csv: differs from line 4, column value: '12345' then" in out
    assert "  applicants.csv: identical" in out
    assert out.splitlines()[-1] == ("not reproduced: replication_metrics.csv edited since the "
                                    f"run; 1 of {len(TABLES)} tables differ")


def test_a_difference_is_blamed_on_an_edit_only_where_the_stored_table_was_edited(results,
                                                                                   capsys):
    """An edited table read 'not reproduced: 1 of 6 tables differ', as if the model were not.

    The folder's record of what gridqueue wrote tells an edit from a re-run that differs:
    where the record holds the stored file's hash (a difference gridqueue itself wrote, as a
    new version would), nothing is said of an edit.
    """
    path = results / "summary.csv"
    path.write_text(path.read_text(encoding="utf-8")[:-40], encoding="utf-8")
    code, out, _ = gridqueue("reproduce", str(results), "-q", "--workers", "1", capsys=capsys)
    assert code == 1
    assert "  summary.csv: differs from line" in out
    assert "(the stored file was changed since gridqueue wrote it)\n" in out
    assert "  applicants.csv: identical\n" in out
    marker = results / ".gridqueue-output"
    record = json.loads(marker.read_text(encoding="utf-8"))
    record["sha256"]["summary.csv"] = hashlib.sha256(path.read_bytes()).hexdigest()
    marker.write_text(json.dumps(record), encoding="utf-8")
    code, out, _ = gridqueue("reproduce", str(results), "-q", "--workers", "1", capsys=capsys)
    assert code == 1
    assert "changed since gridqueue wrote it" not in out
    assert out.splitlines()[-1] == f"not reproduced: 1 of {len(TABLES)} tables differ"


def test_a_stored_table_that_is_not_utf8_is_said_to_be_so(tmp_path):
    """Its bytes were shown as U+FFFD with no word why."""
    from sim.analysis.reproduce import compare_files

    stored, rerun = tmp_path / "stored.csv", tmp_path / "rerun.csv"
    stored.write_bytes("metric\nconnect_m\xe9dian_years\n".encode("latin-1"))
    rerun.write_bytes(b"metric\nconnect_median_years\n")
    assert compare_files(stored, rerun) == (
        "differs from line 2, column metric: 'connect_m\ufffddian_years' then, "
        "'connect_median_years' now (the stored file is not UTF-8 from byte 16: such bytes "
        "are shown as \ufffd)")


def test_reproduce_reports_a_truncated_table(results, capsys):
    """A stored table that lost its last rows is reported with both lengths."""
    path = results / "applicants.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-2]), encoding="utf-8")
    code, out, _ = gridqueue("reproduce", str(results), "-q", "--workers", "1", capsys=capsys)
    assert code == 1
    assert f"  applicants.csv: {len(lines) - 2} lines then, {len(lines)} lines now" in out


def test_reproduce_reruns_only_the_replications_that_were_run(tmp_path, capsys):
    """A run of chosen replications (--only-replication) re-runs those same replications."""
    output = tmp_path / "one"
    code, _, err = gridqueue("run", str(BAD / "valid.yaml"), "-o", str(output), "-q",
                             "--replications", "3", "--only-replication", "2", "--workers", "1",
                             capsys=capsys)
    assert code == 0, err
    code, out, err = gridqueue("reproduce", str(output), "-q", "--workers", "1", capsys=capsys)
    assert code == 0, out + err
    assert out.splitlines()[0].endswith("re-ran 1 replication (seed 11)")


def test_reproduce_reports_changed_inputs(results, capsys):
    """An edited scenario.yaml is reported even when the tables still come out the same."""
    with (results / "scenario.yaml").open("a", encoding="utf-8") as scenario:
        scenario.write("# edited after the run\n")
    code, out, _ = gridqueue("reproduce", str(results), "-q", "--workers", "1", capsys=capsys)
    assert code == 1
    assert "scenario.yaml or waiting_list.csv: changed since the run" in out
    assert out.splitlines()[-1] == ("not reproduced: the inputs changed since the run; "
                                    f"all {len(TABLES)} tables identical")


def test_reproduce_lists_versions_that_changed_since_the_run(results, capsys):
    """Versions in run.json that differ from those installed now are listed."""
    info = json.loads((results / "run.json").read_text(encoding="utf-8"))
    info["dependencies"]["numpy"] = "0.0.1"
    info["gridqueue_version"] = "0.0.0"
    (results / "run.json").write_text(json.dumps(info), encoding="utf-8")
    code, out, _ = gridqueue("reproduce", str(results), "-q", "--workers", "1", capsys=capsys)
    assert code == 0
    changes = [line for line in out.splitlines() if line.startswith("  version changed: ")]
    assert [line.split()[2:4] for line in changes] == [["gridqueue", "0.0.0"],
                                                       ["numpy", "0.0.1"]]


@pytest.mark.parametrize("damage", ["no run.json", "bad json", "bad replications"])
def test_reproduce_of_something_else_is_one_clear_line(results, capsys, damage):
    """A directory that is not an intact results directory gives exit 2 and one line."""
    run_json = results / "run.json"
    if damage == "no run.json":
        run_json.unlink()
    elif damage == "bad json":
        run_json.write_text("{not json", encoding="utf-8")
    else:
        run_json.write_text(json.dumps({"replications": "all"}), encoding="utf-8")
    code, out, err = gridqueue("reproduce", str(results), "-q", capsys=capsys)
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1
    assert re.match(rf"gridqueue: error: {re.escape(str(run_json))}: (replications: )?expected ",
                    err), err


@pytest.mark.parametrize("key, value, finding", [
    ("seed", 12, "run.json: seed 12, but scenario.yaml has 11"),
    ("replications", 1, "run.json: replications 1, but scenario.yaml has 2"),
])
def test_reproduce_checks_the_seed_and_replications_in_run_json(results, capsys, key, value,
                                                                finding):
    """A seed or replication count edited in run.json is re-run as recorded and reported."""
    info = json.loads((results / "run.json").read_text(encoding="utf-8"))
    info[key] = value
    (results / "run.json").write_text(json.dumps(info), encoding="utf-8")
    code, out, _ = gridqueue("reproduce", str(results), "-q", "--workers", "1", capsys=capsys)
    assert code == 1
    assert f"  {finding}" in out.splitlines()
    assert out.splitlines()[-1].startswith("not reproduced: the inputs changed since the run")


POLICY = """\
from sim import QueuePolicy


class LargestFirst(QueuePolicy):
    def sort_key(self, applicant):
        return (-applicant.requested_mw,)
"""


def run_with_policy_module(tmp_path: Path, module: str, code: str, *overrides: str) -> Path:
    """Results of a scenario whose policy is ``module`` beside it, which is then deleted.

    The module is also forgotten by this process, as in a new one.
    """
    source = tmp_path / "source"
    source.mkdir()
    (source / f"{module}.py").write_text(code, encoding="utf-8")
    shutil.copy(BAD / "valid.yaml", source / "s.yaml")
    shutil.copy(BAD / "waiting_list.csv", source / "waiting_list.csv")
    output = tmp_path / "results"
    sets = [word for override in overrides for word in ("--set", override)]
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        status = main(["run", str(source / "s.yaml"), "-o", str(output), "-q",
                       "--replications", "2", "--workers", "1", *sets])
    assert status == 0, err.getvalue()
    shutil.rmtree(source)
    del sys.modules[module]
    return output


@pytest.fixture(scope="module")
def custom_pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Results of a scenario whose policy module (named ``module:Class``) is then deleted."""
    return run_with_policy_module(tmp_path_factory.mktemp("custom"), "reproduce_policy", POLICY,
                                  "policy.order=reproduce_policy:LargestFirst")


@pytest.fixture
def custom_results(custom_pristine: Path, tmp_path: Path) -> Iterator[Path]:
    """A test's own copy of :func:`custom_pristine`, free to tamper with."""
    yield Path(shutil.copytree(custom_pristine, tmp_path / "results"))
    sys.modules.pop("reproduce_policy", None)  # imported from the copy by reproduce


def test_a_custom_policy_run_is_reproduced_from_its_results_folder_alone(custom_results,
                                                                         capsys):
    """The policy module is kept with the results; reproduce runs that copy."""
    assert (custom_results / "reproduce_policy.py").read_text(encoding="utf-8") == POLICY
    info = json.loads((custom_results / "run.json").read_text(encoding="utf-8"))
    assert info["policy_code"] == {
        "reproduce_policy": hashlib.sha256(POLICY.encode("utf-8")).hexdigest()}
    code, out, err = gridqueue("reproduce", str(custom_results), "-q", "--workers", "1",
                               capsys=capsys)
    assert code == 0, out + err
    assert out.splitlines()[-1] == f"reproduced: all {len(TABLES)} tables identical"


def test_reproduce_reports_changed_policy_code(custom_results, capsys):
    """Policy code edited after the run is reported, even when it orders the same way."""
    with (custom_results / "reproduce_policy.py").open("a", encoding="utf-8") as module:
        module.write("# edited after the run\n")
    code, out, _ = gridqueue("reproduce", str(custom_results), "-q", "--workers", "1",
                             capsys=capsys)
    assert code == 1
    assert ("  policy module reproduce_policy: its code differs from the run's (SHA-256 in "
            "run.json)") in out.splitlines()


REGISTERED = POLICY_MODULE.format(name="jobs_per_mw_imported")
"""A module registering a policy by name, for ``policy.import``."""


def test_a_policy_import_run_is_kept_hashed_and_reproduced_like_module_class(
        tmp_path, capsys, monkeypatch):
    """policy.import: the module is copied beside scenario.yaml and hashed, as module:Class is."""
    from sim.policies import registry

    monkeypatch.setattr(registry, "POLICIES", dict(registry.POLICIES))
    output = run_with_policy_module(tmp_path, "reproduce_import", REGISTERED,
                                    "policy.import=[reproduce_import]",
                                    "policy.order=jobs_per_mw_imported")
    assert (output / "reproduce_import.py").read_text(encoding="utf-8") == REGISTERED
    info = json.loads((output / "run.json").read_text(encoding="utf-8"))
    assert info["policy_code"] == {
        "reproduce_import": hashlib.sha256(REGISTERED.encode("utf-8")).hexdigest()}
    code, out, err = gridqueue("reproduce", str(output), "-q", "--workers", "1", capsys=capsys)
    assert code == 0, out + err
    assert out.splitlines()[-1] == f"reproduced: all {len(TABLES)} tables identical"
    code, out, err = gridqueue("report", str(output), capsys=capsys)
    assert code == 0, out + err
    sys.modules.pop("reproduce_import", None)


def test_reproduce_checks_the_verdicts_of_published_observations(tmp_path, capsys):
    """observations.csv is a table too: an edited verdict is not reproduced; exit code 1.

    It was left out, so a run whose "agrees" had been edited to "model below" passed.
    """
    output = tmp_path / "base"
    assert main(["run", str(ROOT / "scenarios/flevoland/base.yaml"), "-o", str(output), "-q",
                 "--replications", "2", "--workers", "1", "--no-report"]) == 0
    code, out, err = gridqueue("reproduce", str(output), "-q", "--workers", "1", capsys=capsys)
    assert code == 0, err
    assert "  observations.csv: identical" in out.splitlines()
    path = output / "observations.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",agrees,", ",model below,", 1),
                    encoding="utf-8")
    code, out, _ = gridqueue("reproduce", str(output), "-q", "--workers", "1", capsys=capsys)
    assert code == 1
    assert "  observations.csv: differs from line 2, column agreement: 'model below' then" in out
