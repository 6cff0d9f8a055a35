"""Nothing lost: ``--force`` replaces only what gridqueue wrote, outputs never overlap inputs.

Every command that writes (``run``, ``compare``, ``sweep``, ``schema``) goes through the real
command line here; each refusal must be exit code 2 with one line, and must leave every file
as it was and no staging folder behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from sim.cli import main
from sim.errors import OutputError
from sim.runs.staging import (
    MARKER,
    check_writable,
    resumable_directory,
    staged_directory,
    write_file,
)
from tests.test_loading import BASE

SMALL = ["--set", "replications=2", "--workers", "1", "-q"]

# What is written, kept and replaced is checked here, not what a figure shows: the figures are
# laid out and written empty (tests/undrawn.py), as drawing them was most of this file's time.
pytestmark = pytest.mark.undrawn


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding a scenario beside a file of the user's own."""
    (tmp_path / "sc").mkdir()
    (tmp_path / "sc" / "s.yaml").write_text(BASE)
    (tmp_path / "sc" / "notes.txt").write_text("mine")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What ``gridqueue run sc/s.yaml -o out`` writes, run once in a folder laid out as ``folder``.

    A test that needs an earlier output of that command, to refuse to replace or to change,
    copies it (:func:`earlier_run`): thirteen tests ran it anew, each drawing its figures.
    """
    root = tmp_path_factory.mktemp("written")
    (root / "sc").mkdir()
    (root / "sc" / "s.yaml").write_text(BASE)
    with contextlib.chdir(root):
        assert main(["run", "sc/s.yaml", "-o", "out", *SMALL]) == 0
    return root / "out"


def one_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, a run's report writes its first figure only, a comparison none.

    For what depends on no figure (where an output goes, which may be replaced): laid out, a
    comparison's seven figures and a run's six took one to three seconds each time. A report
    keeps one, so that its figures/ holds files, as it always does.
    """
    from sim.analysis.comparison import Comparison
    from sim.report import run

    every = run.run_figures
    monkeypatch.setattr(run, "run_figures", lambda *given: dict(list(every(*given).items())[:1]))
    monkeypatch.setattr(Comparison, "figures", lambda _: {})


@pytest.fixture
def few_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    """:func:`one_figure` for the whole test."""
    one_figure(monkeypatch)


def earlier_run(written: Path, output: Path) -> None:
    """``output`` holds what ``gridqueue run sc/s.yaml -o out`` wrote (a copy of ``written``)."""
    shutil.copytree(written, output)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` (hidden ones too) with its bytes."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def refused(args: list[str], capsys: pytest.CaptureFixture[str], root: Path, says: str) -> None:
    """``gridqueue ARGS`` exits 2 with one line containing ``says`` and changes nothing."""
    before = snapshot(root)
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2, err
    assert says in err and len(err.strip().splitlines()) == 1, err
    assert snapshot(root) == before


def test_force_never_deletes_the_scenario_folder(folder, capsys):
    """The reported case: ``-o`` the scenario's own folder with --force."""
    refused(["run", "sc/s.yaml", "-o", "sc", "--force", *SMALL], capsys, folder,
            "overlaps the input sc/s.yaml")


def test_force_never_replaces_an_ancestor_of_an_input(folder, capsys):
    """The working folder (which holds the scenario) is refused too."""
    refused(["run", "sc/s.yaml", "-o", ".", "--force", *SMALL], capsys, folder, "overlaps")


def test_force_never_replaces_a_folder_gridqueue_did_not_write(folder, capsys):
    """A folder of the user's own, with no marker, is never replaced."""
    (folder / "mine").mkdir()
    (folder / "mine" / "thesis.tex").write_text("years of work")
    refused(["run", "sc/s.yaml", "-o", "mine", "--force", *SMALL], capsys, folder,
            f"no {MARKER} file")


def test_force_replaces_what_gridqueue_wrote(folder, capsys, few_figures):
    """Results of an earlier run carry the marker, so --force may replace them."""
    assert main(["run", "sc/s.yaml", "-o", "out", *SMALL]) == 0
    assert json.loads((folder / "out" / MARKER).read_text())["written_by"] == "gridqueue"
    assert main(["run", "sc/s.yaml", "-o", "out", "--force", "--seed", "7", *SMALL]) == 0
    assert json.loads((folder / "out" / "run.json").read_text())["seed"] == 7
    assert sorted(p.name for p in folder.iterdir()) == ["out", "sc"]  # nothing left over


@pytest.mark.parametrize("command", ["run", "compare", "sweep", "calibrate"])
def test_force_never_replaces_a_result_edited_since(folder, written, capsys, command):
    """A table the user changed after gridqueue wrote it stops --force, naming it.

    The marker listed names only: ``echo EDITED >> summary.csv`` and ``--force`` replaced the
    edited file without a word.
    """
    earlier_run(written, folder / "out")
    with open(folder / "out" / "summary.csv", "a") as file:
        file.write("EDITED\n")
    (folder / "out" / "figures" / "queue.svg").write_text("<svg>annotated</svg>")
    for force in ([], ["--force"]):
        refused([*WRITERS[command], "-o", "out", *force, *SMALL], capsys, folder,
                "out: holds files changed since gridqueue wrote them (figures/queue.svg, "
                "summary.csv), so --force will not replace it; move them out first")


def test_force_replaces_an_output_once_its_edited_files_are_moved_out(folder, written, capsys):
    """Moved out, an edited file is kept by the user; what remains is gridqueue's, unchanged."""
    earlier_run(written, folder / "out")
    with open(folder / "out" / "summary.csv", "a") as file:
        file.write("EDITED\n")
    refused(["run", "sc/s.yaml", "-o", "out", "--force", *SMALL], capsys, folder,
            "(summary.csv)")
    (folder / "out" / "summary.csv").rename(folder / "kept.csv")
    assert main(["run", "sc/s.yaml", "-o", "out", "--force", *SMALL]) == 0
    assert (folder / "kept.csv").read_text().endswith("EDITED\n")
    assert (folder / "out" / "summary.csv").is_file()


def test_the_marker_holds_the_sha256_of_every_file_written(written):
    """Every file the marker lists has its SHA-256 there (nested outputs' markers aside)."""
    marker = json.loads((written / MARKER).read_text())
    assert set(marker["sha256"]) == set(marker["files"])
    for name, digest in marker["sha256"].items():
        assert hashlib.sha256((written / name).read_bytes()).hexdigest() == digest, name


def test_an_output_whose_marker_has_no_hashes_is_replaced_as_before(folder, written, capsys):
    """A marker from before markers held hashes tells of no change: --force replaces it."""
    earlier_run(written, folder / "out")
    marker = json.loads((folder / "out" / MARKER).read_text())
    del marker["sha256"]
    (folder / "out" / MARKER).write_text(json.dumps(marker))
    (folder / "out" / "summary.csv").write_text("stale")
    assert main(["run", "sc/s.yaml", "-o", "out", "--force", *SMALL]) == 0
    assert (folder / "out" / "summary.csv").read_text() != "stale"
    assert "sha256" in json.loads((folder / "out" / MARKER).read_text())


def test_a_report_rewritten_later_keeps_the_hashes_in_step(folder, capsys, few_figures,
                                                           monkeypatch):
    """``gridqueue report`` records the hashes of the report it rewrites, in every marker.

    Else the new report.html read as changed since gridqueue wrote it, and --force refused
    the results, and the comparison holding a run whose report was rewritten. The figures a
    report writes are listed in those markers too: the next test sees to them. Each report
    here says it was made at another time, as a later one does: written within the same
    minute, it would be the same bytes, and no hash would have to change.
    """
    times = iter(range(1000))
    monkeypatch.setattr("sim.report.data._made", lambda: f"Made at time {next(times)}.")
    assert main(["run", "sc/s.yaml", "-o", "out", *SMALL]) == 0
    assert main(["report", "out"]) == 0
    check_writable(folder / "out", force=True)
    assert main(["compare", "sc/s.yaml", "out", "-o", "cmp", *SMALL]) == 0
    for run in (folder / "cmp" / "runs").iterdir():
        assert main(["report", str(run)]) == 0
        assert main(["report", str(run)]) == 0
    check_writable(folder / "cmp", force=True)
    marker = json.loads((folder / "cmp" / MARKER).read_text())
    assert all(not name.endswith(f"/{MARKER}") for name in marker["sha256"])
    assert main(["compare", "sc/s.yaml", "out", "-o", "cmp", "--force", *SMALL]) == 0


def test_a_new_report_never_replaces_a_report_edited_since(folder, written, capsys):
    """A report.html the user edited stops ``gridqueue report``, as it stops --force."""
    earlier_run(written, folder / "out")
    with open(folder / "out" / "report.html", "a") as file:
        file.write("<!-- my notes -->")
    refused(["report", "out"], capsys, folder, "holds files changed since gridqueue wrote "
            "them (report.html), and a new report replaces report.html and figures/")


def test_force_refuses_the_output_one_works_in(folder, written, capsys, monkeypatch):
    """Run from inside an earlier output, ``-o .`` is refused with a reason, not an OS error.

    A folder in use cannot be renamed away: it read "could not write the results (Device or
    resource busy)".
    """
    earlier_run(written, folder / "out")
    monkeypatch.chdir(folder / "out")
    refused(["run", "../sc/s.yaml", "-o", ".", "--force", *SMALL], capsys, folder,
            "is the current folder, or holds it")


def test_an_output_is_never_written_inside_another(folder, written, capsys):
    """A run into an earlier output's folder is refused, with --force or without.

    ``-o`` a comparison's ``runs/new`` was accepted: the comparison's file list no longer
    covered what it held, and a later ``--force`` on it refused "files gridqueue did not
    write". ``runs/base --force`` replaced the comparison's own run with another scenario's.
    """
    earlier_run(written, folder / "out")
    for target, force in (("out/runs/new", []), ("out/figures", ["--force"])):
        refused(["run", "sc/s.yaml", "-o", target, *force, *SMALL], capsys, folder,
                f"lies inside {folder / 'out'}, the results gridqueue wrote")


def test_an_output_reached_through_a_link_is_never_written_inside(folder, written, capsys):
    """A link into an earlier output's folder does not let a run be written inside it.

    ``-o runs_link/new``, where ``runs_link`` leads to a comparison's ``runs/``, was accepted:
    only the folders the path names were looked at, not those the link leads to.
    """
    earlier_run(written, folder / "out")
    (folder / "out" / "runs").mkdir()
    (folder / "runs_link").symlink_to(folder / "out" / "runs")
    refused(["run", "sc/s.yaml", "-o", "runs_link/new", *SMALL], capsys, folder,
            f"lies inside {folder / 'out'}, the results gridqueue wrote")


def test_force_names_an_output_left_inside_another(folder, written, capsys):
    """An output another command left inside an earlier one is named as gridqueue's.

    Not as the user's files: earlier versions wrote a run into a comparison's ``runs/``.
    """
    earlier_run(written, folder / "out")
    earlier_run(written, folder / "out" / "runs" / "later")
    refused(["run", "sc/s.yaml", "-o", "out", "--force", *SMALL], capsys, folder,
            "holds runs/later, written there later by another gridqueue command")


def test_force_never_deletes_files_added_to_an_output(folder, written, capsys):
    """Notes or a scenario put into an earlier output make --force refuse, naming them."""
    earlier_run(written, folder / "out")
    (folder / "out" / "my_notes.txt").write_text("what the board asked")
    (folder / "out" / "s.yaml").write_text(BASE)
    (folder / "out" / "figures" / "annotated.png").write_bytes(b"mine")
    refused(["run", "sc/s.yaml", "-o", "out", "--force", *SMALL], capsys, folder,
            "holds files gridqueue did not write (figures/annotated.png, my_notes.txt, s.yaml)")
    for name in ("my_notes.txt", "s.yaml", "figures/annotated.png"):
        (folder / "out" / name).unlink()
    assert main(["run", "sc/s.yaml", "-o", "out", "--force", *SMALL]) == 0  # its own files only


def test_force_never_deletes_folders_added_to_an_output(folder, written, capsys):
    """A folder the user made in an earlier output stops --force as a file there would.

    An empty one held no file to find, and --force deleted it without a word; one made under
    figures/ stops a new report too.
    """
    earlier_run(written, folder / "out")
    (folder / "out" / "mynotes").mkdir()
    refused(["run", "sc/s.yaml", "-o", "out", "--force", *SMALL], capsys, folder,
            "holds folders gridqueue did not write (mynotes/), so --force will not replace it")
    assert (folder / "out" / "mynotes").is_dir()
    (folder / "out" / "figures" / "drafts").mkdir()
    refused(["report", "out"], capsys, folder, "holds folders gridqueue did not write "
            "(figures/drafts/), and a new report replaces report.html and figures/")
    assert (folder / "out" / "figures" / "drafts").is_dir()
    (folder / "out" / "figures" / "drafts").rmdir()
    (folder / "out" / "mynotes").rmdir()
    for figure in (folder / "out" / "figures").iterdir():  # the folder made, its files removed
        figure.unlink()
    assert main(["run", "sc/s.yaml", "-o", "out", "--force", *SMALL]) == 0


def test_a_report_written_later_keeps_the_output_replaceable(folder, capsys, monkeypatch):
    """``gridqueue report`` lists its files in the markers of the results and of their comparison.

    It wrote them unlisted, so a later ``--force`` refused the results (and a comparison whose
    run was reported) as holding files gridqueue did not write. Each report writes its figures
    (empty, tests/undrawn.py), whose names the markers must list; the comparison writes none.
    """
    from sim.analysis.comparison import Comparison

    monkeypatch.setattr(Comparison, "figures", lambda _: {})
    assert main(["run", "sc/s.yaml", "-o", "out", "--no-report", *SMALL]) == 0
    assert main(["report", "out"]) == 0
    check_writable(folder / "out", force=True)  # what run --force asks first
    assert main(["compare", "sc/s.yaml", "out", "-o", "cmp", *SMALL]) == 0
    (run,) = (folder / "cmp" / "runs").iterdir()
    assert main(["report", str(run)]) == 0
    check_writable(folder / "cmp", force=True)
    one_figure(monkeypatch)
    assert main(["run", "sc/s.yaml", "-o", "out", "--force", *SMALL]) == 0  # and the rest


def test_a_new_report_never_deletes_files_the_user_put_in_figures(folder, written, capsys):
    """``gridqueue report`` replaces figures/ whole: a file of the user's there stops it first.

    It deleted them without a word, where ``run --force`` on the same folder refused.
    """
    earlier_run(written, folder / "out")
    mine = folder / "out" / "figures" / "mine"
    mine.mkdir()
    (mine / "a.txt").write_text("keep")
    (folder / "out" / "figures" / "my_plot.png").write_text("keep")
    refused(["report", "out"], capsys, folder, "holds files gridqueue did not write "
            "(figures/mine/a.txt, figures/my_plot.png), and a new report replaces report.html "
            "and figures/; move them out first")  # and nothing changed
    (mine / "a.txt").unlink()
    mine.rmdir()
    (folder / "out" / "figures" / "my_plot.png").unlink()
    assert main(["report", "out"]) == 0
    # An output marked before markers listed files: told apart by the figures' names.
    marker = folder / "out" / MARKER
    marker.write_text(json.dumps({"written_by": "gridqueue", "what": "results"}))
    (folder / "out" / "figures" / "notes.txt").write_text("keep")
    refused(["report", "out"], capsys, folder, "(figures/notes.txt)")


def test_a_report_never_replaces_one_in_a_folder_without_a_marker(folder, written, capsys):
    """A results folder copied without its hidden marker keeps the report and figures there.

    Copied with ``cp -r out/* shared/``, whose report.html and figures the user then made
    their own: ``gridqueue report shared`` replaced both, where --force refused the folder.
    """
    shared = folder / "shared"
    earlier_run(written, shared)
    (shared / MARKER).unlink()
    (shared / "report.html").write_text("mine")
    (shared / "figures" / "wait.svg").write_text("mine")
    refused(["report", "shared"], capsys, folder, f"shared: has no {MARKER} file, so gridqueue "
            "cannot tell whether it wrote report.html and figures/ there, and a new report "
            "replaces them; move them out first")
    shutil.rmtree(shared / "figures")
    refused(["report", "shared"], capsys, folder, "whether it wrote report.html there")
    (shared / "report.html").unlink()
    assert main(["report", "shared"]) == 0  # nothing there to lose
    assert (shared / "figures" / "wait.svg").read_text() != "mine"


def test_an_output_whose_marker_lists_no_files_is_never_replaced(folder, written, capsys):
    """--force refuses an output whose marker, from an earlier gridqueue, lists no files.

    Judged by names, a file of the user's under figures/ or runs/ passed for gridqueue's and
    was deleted.
    """
    earlier_run(written, folder / "out")
    (folder / "out" / MARKER).write_text(json.dumps({"written_by": "gridqueue"}))
    (folder / "out" / "figures" / "wait_annotated.png").write_bytes(b"mine")
    refused(["run", "sc/s.yaml", "-o", "out", "--force", *SMALL], capsys, folder,
            f"was written by an earlier gridqueue whose {MARKER} lists no files, so --force "
            "cannot tell them from files added since")


def test_a_sweep_lists_its_files_and_can_be_replaced(folder, capsys):
    """A sweep's output, kept resumable while it runs, lists its files when complete."""
    sweep = ["sweep", "sc/s.yaml", "--vary", "grid.capacity_mw=1,2", "-o", "sw", *SMALL]
    assert main(sweep) == 0
    listed = json.loads((folder / "sw" / MARKER).read_text())["files"]
    assert "sweep.csv" in listed and MARKER not in listed
    assert main([*sweep, "--force"]) == 0
    (folder / "sw" / "mine.txt").write_text("mine")
    refused([*sweep, "--force"], capsys, folder, "holds files gridqueue did not write")


def test_force_replaces_an_empty_folder(folder, capsys):
    """An empty folder holds nothing to lose."""
    (folder / "empty").mkdir()
    assert main(["run", "sc/s.yaml", "-o", "empty", "--force", *SMALL]) == 0
    assert (folder / "empty" / "summary.csv").is_file()


WRITERS = {
    "run": ["run", "sc/s.yaml"],
    "compare": ["compare", "sc/s.yaml", "sc/s.yaml"],
    "sweep": ["sweep", "sc/s.yaml", "--vary", "grid.capacity_mw=1,2"],
    # an observation to calibrate to: its inputs are checked before the output folder
    "calibrate": ["calibrate", "sc/s.yaml", "--fit", "arrivals.rate_scale=0.5:2", "--set",
                  "observations=[{date: 2026-01-01, quantity: applicants_waiting, value: 20, "
                  "uncertainty: 0.2, source: a test}]"],
}
"""Every command that writes an output folder, as typed but for ``-o`` and the options."""


@pytest.mark.parametrize("command", WRITERS)
@pytest.mark.parametrize("force", [[], ["--force"]], ids=["plain", "force"])
def test_a_folder_of_ones_own_is_refused_at_once_without_suggesting_force(folder, capsys,
                                                                         command, force):
    """A folder gridqueue did not write is named as such straight away, with or without --force.

    Without --force it read "already exists; ... or pass --force to replace it", and --force
    was then refused: "exists and was not written by gridqueue".
    """
    (folder / "mine").mkdir()
    (folder / "mine" / "notes.txt").write_text("x")
    before = snapshot(folder)
    assert main([*WRITERS[command], "-o", "mine", *force, *SMALL]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        f"gridqueue: error: mine: holds files gridqueue did not write (it has no {MARKER} "
        "file), so --force will not replace it; choose another output directory"], err
    assert snapshot(folder) == before


@pytest.mark.parametrize("command", WRITERS)
def test_notes_in_an_earlier_output_are_named_without_suggesting_force(folder, written, capsys,
                                                                      command):
    """Without --force, an earlier output holding notes of the user's read "pass --force"."""
    earlier_run(written, folder / "out")
    (folder / "out" / "my_notes.txt").write_text("mine")
    before = snapshot(folder)
    assert main([*WRITERS[command], "-o", "out", *SMALL]) == 2
    err = capsys.readouterr().err
    assert "holds files gridqueue did not write (my_notes.txt), so --force will not " \
           "replace it" in err and "already exists" not in err, err
    assert snapshot(folder) == before


@pytest.mark.parametrize("command", ["run", "compare", "sweep"])
def test_an_empty_folder_is_used_without_force(folder, capsys, command, few_figures):
    """Users make the output folder first: an empty one is simply written into.

    It was refused as "already exists" unless --force was given.
    """
    (folder / "made").mkdir()
    assert main([*WRITERS[command], "-o", "made", *SMALL]) == 0, capsys.readouterr().err
    assert json.loads((folder / "made" / MARKER).read_text())["written_by"] == "gridqueue"
    assert sorted(p.name for p in folder.iterdir()) == ["made", "sc"]  # nothing left over
    assert main([*WRITERS[command], "-o", "made", *SMALL]) == 2  # no longer empty
    assert "already exists; choose another output directory or pass --force" in \
        capsys.readouterr().err


def test_a_mount_point_is_refused_before_the_run(folder, capsys, monkeypatch):
    """An output is moved into place whole, which a mount point does not allow.

    An empty one was taken, and the move failed only after the whole run.
    """
    (folder / "volume").mkdir()
    real = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda path: Path(path).name == "volume"
                        or real(path))
    assert main([*WRITERS["run"], "-o", "volume", *SMALL]) == 2
    assert "volume: is a mount point" in capsys.readouterr().err
    assert list((folder / "volume").iterdir()) == []


def test_an_empty_folder_is_used_by_a_resumable_output_without_force(tmp_path):
    """What a sweep and a calibration write through: an empty folder is taken as it is."""
    (tmp_path / "cal").mkdir()
    with resumable_directory(tmp_path / "cal", what="calibration") as staging:
        (staging / "evaluations.csv").write_text("candidate\n")
    assert (tmp_path / "cal" / "evaluations.csv").read_text() == "candidate\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cal"]


def test_a_folder_holding_only_a_hidden_file_is_not_empty(folder, capsys):
    """A folder whose only file is hidden (``.DS_Store``) is the user's, not an empty one."""
    (folder / "mine").mkdir()
    (folder / "mine" / ".DS_Store").write_bytes(b"finder")
    for force in ([], ["--force"]):
        refused(["run", "sc/s.yaml", "-o", "mine", *force, *SMALL], capsys, folder,
                "holds files gridqueue did not write")


def test_a_folder_without_a_marker_is_never_replaced(folder, written, capsys):
    """--force never replaces a folder without a marker, even one that looks like an output.

    A user's report.html, figures and a copied run.json naming gridqueue were replaced as if
    gridqueue had written them.
    """
    earlier_run(written, folder / "out")
    (folder / "out" / MARKER).unlink()
    (folder / "out" / "figures" / "fig1_final.png").write_bytes(b"mine")
    refused(["run", "sc/s.yaml", "-o", "out", "--force", *SMALL], capsys, folder,
            "holds files gridqueue did not write")


def test_a_folder_that_appears_at_the_output_while_it_runs_is_left_alone(tmp_path):
    """Checked at the start only, a folder made there during a long sweep was deleted.

    It is judged again before the move: left as it is, and the finished output kept beside.
    """
    target = tmp_path / "out"
    with pytest.raises(OutputError, match=r"out: appeared while this command ran, so it was "
                       r"left as it is; the finished output is in .*out\.new$"):
        with staged_directory(target) as staging:
            (staging / "summary.csv").write_text("new")
            target.mkdir()
            (target / "thesis.txt").write_text("mine")
    assert (target / "thesis.txt").read_text() == "mine"
    assert (tmp_path / "out.new" / "summary.csv").read_text() == "new"
    (tmp_path / "sweep.new").mkdir()  # a name taken already: the next free one
    with pytest.raises(OutputError, match=r"appeared while .* output is in .*sweep\.new-2$"):
        with resumable_directory(tmp_path / "sweep") as staging:
            (staging / "sweep.csv").write_text("cells")
            (tmp_path / "sweep").mkdir()
    assert (tmp_path / "sweep.new-2" / "sweep.csv").read_text() == "cells"
    assert not (tmp_path / "sweep").exists() or not any((tmp_path / "sweep").iterdir())


def test_an_output_that_gains_a_file_while_it_is_replaced_is_left_alone(tmp_path):
    """--force judged the old output at the start; a file added to it since is not lost."""
    target = tmp_path / "out"
    with staged_directory(target) as staging:
        (staging / "summary.csv").write_text("old")
    with pytest.raises(OutputError, match=r"out: changed while this command ran \(holds files "
                       r"gridqueue did not write \(notes.txt\).*the finished output is in"):
        with staged_directory(target, force=True) as staging:
            (staging / "summary.csv").write_text("new")
            (target / "notes.txt").write_text("mine")
    assert (target / "notes.txt").read_text() == "mine"
    assert (target / "summary.csv").read_text() == "old"


@pytest.mark.parametrize("name", [".", "..", "/tmp/elsewhere", "../results", "a/b", ".hidden",
                                  "a\\b", "  ", " base", "base\u00a0", "a\u202eb", "a\x7fb"])
def test_a_scenario_name_is_a_name_never_a_path(folder, written, capsys, name):
    """``name`` becomes the default folder results/<name>: a path there is refused.

    So is a name one could not see or type back: blank, padded with spaces (a no-break space
    too, as pasted from a document), or holding a control or right-to-left character.
    """
    (folder / "results").mkdir()
    earlier_run(written, folder / "results" / "base")
    refused(["run", "sc/s.yaml", "--set", f"name={json.dumps(name)}", "--force", *SMALL],
            capsys, folder, "expected a name, not a path")


def test_compare_never_writes_over_its_own_inputs(folder, written, capsys):
    """A comparison's output may not be, contain or lie inside a results folder it reads."""
    earlier_run(written, folder / "res")
    for output in ("res", "res/cmp"):
        refused(["compare", "res", "sc/s.yaml", "-o", output, "--force", *SMALL], capsys,
                folder, "overlaps the input res")


def test_compare_never_replaces_the_comparison_it_reads(folder, capsys, few_figures):
    """Reading a comparison's runs/ and writing over that same comparison is refused."""
    assert main(["compare", "sc/s.yaml", "sc/s.yaml", "-o", "cmp", *SMALL]) == 0
    capsys.readouterr()  # its warning: the same file twice
    run = next((folder / "cmp" / "runs").iterdir())
    refused(["compare", str(run.relative_to(folder)), "sc/s.yaml", "-o", "cmp", "--force",
             *SMALL], capsys, folder, "overlaps the input")


def test_sweep_never_writes_over_its_scenario(folder, capsys):
    """A sweep's output is checked against the scenario (and its extends chain)."""
    (folder / "child").mkdir()
    (folder / "child" / "c.yaml").write_text("extends: ../sc/s.yaml\n")
    refused(["sweep", "child/c.yaml", "--vary", "grid.capacity_mw=1,2", "-o", "sc",
             "--force", *SMALL], capsys, folder, "overlaps the input")


def test_schema_never_overwrites_a_file_it_did_not_write(folder, capsys):
    """``schema -o FILE`` refuses an existing file; --force replaces only its own schema."""
    for force in ([], ["--force"]):  # without --force it suggested --force, then refused
        refused(["schema", "-o", "sc/s.yaml", *force], capsys, folder,
                "exists and was not written by gridqueue")
    refused(["schema", "-o", "sc"], capsys, folder, "is a directory")
    assert main(["schema", "-o", "schema.json"]) == 0
    assert main(["schema", "-o", "schema.json"]) == 2
    assert main(["schema", "-o", "schema.json", "--force"]) == 0
    assert json.loads((folder / "schema.json").read_text())["title"] == "Scenario"
    assert sorted(p.name for p in folder.iterdir()) == ["sc", "schema.json"]


def test_an_output_below_a_file_is_a_message(folder, capsys):
    """A path through an existing file is one clear line, not a traceback."""
    refused(["run", "sc/s.yaml", "-o", "sc/notes.txt/out", *SMALL], capsys, folder,
            "sc/notes.txt is a file, not a folder")
    refused(["schema", "-o", "sc/notes.txt/schema.json"], capsys, folder, "is a file")


def test_a_folder_without_write_permission_is_a_message(folder, capsys, monkeypatch):
    """No permission to write (simulated: tests may run as root): one line, nothing left."""
    import tempfile

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", denied)
    monkeypatch.setattr(tempfile, "mkstemp", denied)
    (folder / "ro").mkdir()
    refused(["run", "sc/s.yaml", "-o", "ro/out", *SMALL], capsys, folder, "Permission denied")
    refused(["schema", "-o", "ro/schema.json"], capsys, folder, "Permission denied")


def test_a_folder_without_permission_is_refused_before_the_run(folder, capsys, monkeypatch):
    """No write permission is found before anything runs, not after the simulation."""
    import sim.runs.runner

    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: False if Path(path).name == "ro"
                        else real_access(path, mode))
    monkeypatch.setattr(sim.runs.runner, "run", lambda *a, **k: pytest.fail("it ran"))
    (folder / "ro").mkdir()
    refused(["run", "sc/s.yaml", "-o", "ro/out", *SMALL], capsys, folder,
            "no permission to write in")


def test_a_failed_replace_puts_the_old_output_back_and_leaves_nothing(tmp_path, monkeypatch):
    """If moving the new output into place fails, the old one is back and no temp is left."""
    target = tmp_path / "out"
    with staged_directory(target) as staging:
        (staging / "a.csv").write_text("old")
    real_replace = os.replace

    def fail_second(src, dst):
        if Path(src).name.startswith(".out.partial-"):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", fail_second)
    with pytest.raises(Exception, match="nothing was changed"):
        with staged_directory(target, force=True) as staging:
            (staging / "a.csv").write_text("new")
    assert (target / "a.csv").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_check_writable_refuses_a_symbolic_link(tmp_path):
    """--force on a link would replace the link's target folder's name: refused."""
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(Exception, match="symbolic link"):
        check_writable(tmp_path / "link", force=True)


def test_write_file_is_atomic_and_leaves_no_partial(tmp_path, monkeypatch):
    """A failing write keeps the old file whole and leaves no temporary file."""
    target = tmp_path / "schema.json"
    write_file(target, "ours v1", force=False, is_ours="ours")

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(Exception, match="nothing was changed"):
        write_file(target, "ours v2", force=True, is_ours="ours")
    assert target.read_text() == "ours v1"
    assert [p.name for p in tmp_path.iterdir()] == ["schema.json"]


def test_an_output_named_through_dot_dot_is_the_folder_it_names(folder, written, capsys,
                                                                few_figures):
    """``-o out/sub/..`` is ``out``: it was taken as a folder ``..`` inside ``out/sub``.

    The staging folder went inside the earlier output, which gained a ``sub`` folder and a
    finished copy at ``out/sub/...new`` (said to have "appeared while this command ran"), so
    that ``--force`` never again replaced it.
    """
    earlier_run(written, folder / "out")
    assert main(["run", "sc/s.yaml", "-o", "out/sub/..", "--force", *SMALL]) == 0, \
        capsys.readouterr().err
    assert sorted(p.name for p in folder.iterdir()) == ["out", "sc"]
    assert not (folder / "out" / "sub").exists()
    assert main(["run", "sc/s.yaml", "-o", "new/sub/..", *SMALL]) == 0, capsys.readouterr().err
    assert (folder / "new" / "summary.csv").is_file() and not (folder / "new" / "sub").exists()
    assert main(["run", "sc/s.yaml", "-o", "gone/../other", *SMALL]) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["new", "other", "out", "sc"]


def test_a_resumable_output_named_through_dot_dot_is_the_folder_it_names(folder, capsys):
    """A sweep to ``sw/x/..`` keeps its unfinished cells beside ``sw``, not inside it."""
    sweep = ["sweep", "sc/s.yaml", "--vary", "grid.capacity_mw=1,2", *SMALL]
    assert main([*sweep, "-o", "sw"]) == 0
    assert main([*sweep, "-o", "sw/x/..", "--force"]) == 0, capsys.readouterr().err
    assert sorted(p.name for p in folder.iterdir()) == ["sc", "sw"]
    assert not (folder / "sw" / "x").exists()


def test_an_unfinished_output_another_command_is_writing_is_never_taken(folder, capsys):
    """A second sweep to the same output, while the first runs, leaves the first's work be.

    With --force it deleted the cells the first had finished, and with --resume both wrote
    into the same unfinished folder; whichever ended first moved it into place.
    """
    sweep = ["sweep", "sc/s.yaml", "--vary", "grid.capacity_mw=1,2", "-o", "sw", *SMALL]
    with pytest.raises(KeyboardInterrupt):
        with resumable_directory(folder / "sw") as staging:
            (staging / "cells").mkdir()
            (staging / "cells" / "kept.json").write_text("{}")
            for given in ("--force", "--resume"):
                refused([*sweep, given], capsys, folder,
                        "another gridqueue command (process ")
            raise KeyboardInterrupt
    assert (folder / ".sw.partial" / "cells" / "kept.json").read_text() == "{}"
    assert main([*sweep, "--force"]) == 0  # the first is gone: its work may be discarded
    assert sorted(p.name for p in folder.iterdir()) == ["sc", "sw"]


@pytest.mark.parametrize("stop", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_report_stopped_as_it_is_moved_in_keeps_the_earlier_one(folder, written, capsys,
                                                                 monkeypatch, stop):
    """Stopped between its two moves, a new report lost the earlier figures.

    The earlier ``figures/`` went into the staging folder, deleted with it, and the earlier
    ``report.html`` stayed without them; a full disk read as a bare system error.
    """
    earlier_run(written, folder / "out")
    before = snapshot(folder / "out")
    move = os.replace

    def replace(source: str | Path, destination: str | Path) -> None:
        if Path(destination).name == "report.html":
            raise stop
        move(source, destination)

    monkeypatch.setattr(os, "replace", replace)
    code = main(["report", "out"])
    err = capsys.readouterr().err
    assert code == (2 if isinstance(stop, OSError) else 130), err
    assert "the earlier report and tables are as they were" in err or "untouched" in err, err
    assert snapshot(folder / "out") == before
    assert sorted(p.name for p in (folder / "out").iterdir() if p.name.startswith(".")) == [
        MARKER]


def test_resume_never_continues_the_unfinished_output_of_another_command(folder, capsys):
    """``sweep --resume`` continued in what an interrupted calibration kept under that name.

    The finished "sweep" held the calibration's evaluations beside its own cells (and a
    calibration resumed in a sweep's kept a sweep's cells).
    """
    sweep = ["sweep", "sc/s.yaml", "--vary", "grid.capacity_mw=1,2", "-o", "out", *SMALL]
    with pytest.raises(KeyboardInterrupt):
        with resumable_directory(folder / "out", what="calibration") as staging:
            (staging / "evaluations.csv").write_text("candidate\n")
            raise KeyboardInterrupt
    refused([*sweep, "--resume"], capsys, folder,
            "is a calibration's, not a sweep's; pass --force to discard it")
    assert main([*sweep, "--force"]) == 0
    assert not (folder / "out" / "evaluations.csv").exists()


def interrupted_sweep(folder: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The words of a sweep into ``sw``, stopped by Ctrl-C once its cells are kept."""
    from sim.analysis import sweeps

    sweep = ["sweep", "sc/s.yaml", "--vary", "grid.capacity_mw=1,2", "-o", "sw", *SMALL]

    def stopped(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(sweeps.Sweep, "write_summary", stopped)
        assert main(sweep) == 130
    assert len(list((folder / ".sw.partial" / "cells").glob("*.json"))) == 2
    return sweep


def test_resume_and_force_never_take_files_added_to_an_unfinished_output(folder, capsys,
                                                                         monkeypatch):
    """A file put into the folder an interrupted sweep keeps stops --resume and --force.

    --resume moved it into the output, listed with its hash as gridqueue's, and --force
    deleted it without a word.
    """
    sweep = interrupted_sweep(folder, monkeypatch)
    capsys.readouterr()
    kept = folder / ".sw.partial"
    (kept / "notes.txt").write_text("mine")
    (kept / "drafts").mkdir()
    for given in ("--resume", "--force"):
        refused([*sweep, given], capsys, folder, "sw: the unfinished output kept in "
                ".sw.partial holds files and folders gridqueue did not write (drafts/, "
                "notes.txt), which --resume would take into the output and --force would "
                "delete; move them out first")
    assert (kept / "drafts").is_dir()
    (kept / "notes.txt").unlink()
    (kept / "drafts").rmdir()
    cell = sorted((kept / "cells").glob("*.csv"))[0]
    cell.write_text(cell.read_text().replace("\n1,", "\n9,"))
    refused([*sweep, "--resume"], capsys, folder, "holds files changed since gridqueue wrote "
            f"them (cells/{cell.name}), which --resume would take into the output")
    cell.unlink()  # run again
    assert main([*sweep, "--resume"]) == 0
    assert not kept.exists()
    assert "notes.txt" not in (folder / "sw" / MARKER).read_text()


def test_an_unfinished_output_left_by_a_killed_command_is_judged_by_names(folder, capsys,
                                                                         monkeypatch):
    """Killed outright, a sweep cannot list what it kept: what outputs never hold stops it."""
    sweep = interrupted_sweep(folder, monkeypatch)
    capsys.readouterr()
    kept = folder / ".sw.partial"
    marker = json.loads((kept / MARKER).read_text())
    marker.update(kept=False, files=[], sha256={})  # as a killed sweep leaves it
    (kept / MARKER).write_text(json.dumps(marker))
    (kept / "notes.txt").write_text("mine")
    refused([*sweep, "--force"], capsys, folder, "gridqueue did not write (notes.txt)")
    (kept / "notes.txt").unlink()
    assert main([*sweep, "--resume"]) == 0


def test_an_output_that_is_a_file_is_a_message_saying_what_to_do(folder, capsys):
    """``-o`` an existing file said only that it is not a directory."""
    (folder / "table.csv").write_text("mine")
    for force in ([], ["--force"]):
        refused(["run", "sc/s.yaml", "-o", "table.csv", *force, *SMALL], capsys, folder,
                "table.csv: exists and is a file, not a directory; choose another output "
                "directory")
    # a device is no file: /dev/null was said to be one
    refused(["run", "sc/s.yaml", "-o", os.devnull, *SMALL], capsys, folder,
            f"{os.devnull}: exists and is a device or other special file, not a directory")


def test_an_output_name_too_long_to_stage_is_refused_before_the_run(folder, capsys):
    """A scenario named in 300 characters ran every replication, then could not be written.

    The output is written beside it first, as ``.NAME.partial-`` and eight random characters:
    that name must fit.
    """
    limit = os.pathconf(folder, "PC_NAME_MAX")
    longest = "n" * (limit - len(".") - len(".partial-") - 8)
    refused(["run", "sc/s.yaml", "-o", longest + "n", *SMALL], capsys, folder,
            f"expected a folder name of at most {len(longest)} bytes")
    check_writable(longest, force=False)  # the longest that fits is let through


@pytest.mark.parametrize("stage", [staged_directory, resumable_directory],
                         ids=lambda stage: stage.__name__)
def test_folders_made_for_an_output_that_fails_are_taken_back(tmp_path, stage):
    """A sweep that failed (a policy that raises, say) left the empty folders it made for it.

    ``-o new/deeper/out`` created new/ and new/deeper/ before the first cell ran; an output
    written completely or not at all leaves nothing behind, and a folder that was already
    there stays.
    """
    (tmp_path / "there").mkdir()
    with pytest.raises(ZeroDivisionError), stage(tmp_path / "there" / "new" / "deeper" / "out"):
        1 / 0  # noqa: B018
    assert [p.name for p in tmp_path.iterdir()] == ["there"]
    assert list((tmp_path / "there").iterdir()) == []


def test_a_sweep_that_fails_leaves_no_folder_behind(folder, capsys):
    """The same through the command line, with a policy that raises as it ranks."""
    # a name of its own: other tests in this process may have loaded broken_policies already
    shutil.copy(Path(__file__).parent / "bad_inputs" / "broken_policies.py",
                folder / "sc" / "broken_policies_of_a_sweep.py")
    refused(["sweep", "sc/s.yaml", "--vary", "seed=1,2", "-o", "new/deeper/out",
             "--set", "policy={order: 'broken_policies_of_a_sweep:Raises'}", *SMALL], capsys,
            folder,
            "failed while ranking applicants")
    assert not (folder / "new").exists()


def test_a_disk_full_before_anything_is_kept_says_nothing_was_kept(tmp_path, monkeypatch):
    """A calibration on a full disk said its finished parts were kept for --resume.

    The mark naming the process that writes was made but not written, so the folder held it
    and the output's marker only, and was kept as if it held work. It now goes.
    """
    import errno

    from sim.runs import staging

    def full(*args: object) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(staging, "_writing_mark", full)
    with pytest.raises(OutputError, match=r"could not write the output \(No space left on "
                       r"device\); nothing was kept$"):
        with resumable_directory(tmp_path / "cal", what="calibration"):
            pass
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_new_report_never_deletes_a_file_of_the_users_named_figures(folder, written, capsys):
    """A file the user put where figures/ was was replaced by the new figures without a word."""
    earlier_run(written, folder / "out")
    shutil.rmtree(folder / "out" / "figures")
    (folder / "out" / "figures").write_text("keep")
    refused(["report", "out"], capsys, folder, "holds files gridqueue did not write "
            "(figures), and a new report replaces report.html and figures/; move them out first")
    assert (folder / "out" / "figures").read_text() == "keep"
