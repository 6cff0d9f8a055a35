"""``gridqueue report DIR`` writing: what a killed report leaves, a full disk, no permission.

A report is made in ``DIR/.report.partial-*`` and moved in when complete. One killed
(``kill -9``) leaves that folder: it is gridqueue's, so ``run --force`` takes it along and the
next report removes it, but a folder of the user's so named is never taken for one. A report
that cannot be written names the results folder, not its staging folder, and says that the
earlier report and tables are as they were.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import NoReturn

import pytest

from sim.cli import main
from sim.runs.staging import check_writable
from tests.test_loading import BASE
from tests.test_output_safety import refused, snapshot

SMALL = ["--set", "replications=2", "--workers", "1", "-q"]
REPORT_STAGING = ".report.partial-"
"""How a report's staging folder inside the results folder is named (and a random end)."""

# Which files a report leaves is checked here, not what its figures show: they are laid out
# and written empty (tests/undrawn.py), in the forked processes of killed reports too.
pytestmark = pytest.mark.undrawn


@pytest.fixture
def results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A results folder without a report, in a working folder."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.yaml").write_text(BASE)
    assert main(["run", "s.yaml", "-o", "out", "--no-report", *SMALL]) == 0
    return tmp_path / "out"


def killed_report(folder: Path) -> Path:
    """The staging folder a report killed part-way (as by ``kill -9``) leaves in ``folder``.

    The report runs in a forked process of its own, which ends at once, with no clean-up, after
    its first figure: its staging folder then names a process that is gone. Forked, not started
    afresh, it needs no second import of gridqueue.
    """
    pid = os.fork()
    if pid == 0:
        _report_killed_after_one_figure(folder)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 137
    (staging,) = (p for p in folder.iterdir() if p.name.startswith(REPORT_STAGING))
    assert (staging / "figures" / "queue.png").is_file()
    return staging


def _report_killed_after_one_figure(folder: Path) -> NoReturn:
    """In the forked process: write the report of ``folder`` and end after its first figure."""
    try:  # the import too: whatever it raises must not carry on the test run in this process
        import sim.report.run as report

        drawn = report.write_figures

        def killed(figures: dict, where: Path, workers: int = 1) -> None:
            drawn(dict(list(figures.items())[:1]), where, 1)
            os._exit(137)

        report.write_figures = killed
        main(["report", str(folder)])
    finally:
        os._exit(1)  # never back into the test run of the parent


def test_force_takes_along_what_a_killed_report_left(results, capsys):
    """Refused before as 'holds files gridqueue did not write (.report.partial-…/figures/…)'."""
    staging = killed_report(results)
    assert staging.name.startswith(REPORT_STAGING)
    check_writable(results, force=True)
    assert main(["run", "s.yaml", "-o", "out", "--force", "--no-report", *SMALL]) == 0
    assert not staging.exists()


def test_a_new_report_removes_what_a_killed_report_left(results):
    staging = killed_report(results)
    assert main(["report", "out"]) == 0
    assert not staging.exists()
    assert not [p for p in results.iterdir() if p.name.startswith(REPORT_STAGING)]


def test_a_folder_of_the_users_so_named_is_never_taken_for_one(results, capsys):
    """Named as a staging folder, but holding a file no report writes: the user's."""
    mine = results / f"{REPORT_STAGING}mine"
    (mine / "figures").mkdir(parents=True)
    (mine / "figures" / "queue.png").write_bytes(b"mine")
    (mine / "notes.txt").write_text("mine")
    refused(["run", "s.yaml", "-o", "out", "--force", *SMALL], capsys, results.parent,
            f"holds files gridqueue did not write ({REPORT_STAGING}mine/figures/queue.png")
    assert main(["report", "out"]) == 0
    assert (mine / "notes.txt").read_text() == "mine"
    assert (mine / "figures" / "queue.png").read_bytes() == b"mine"


def test_a_live_report_is_let_be(results):
    """One of a report still running (here, this process's own) is not removed."""
    from sim.runs.staging import make_staging, stale_staging

    staging = make_staging(results)
    assert not stale_staging(staging)
    assert main(["report", "out"]) == 0
    assert staging.is_dir()


def test_a_full_disk_names_the_results_folder(results, capsys, monkeypatch):
    """Was 'gridqueue: error: No space left on device', naming nothing."""
    import sim.report.run

    def full(figures, folder, workers=1):
        folder.mkdir(parents=True)
        (folder / "queue.png").write_bytes(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    assert main(["report", "out"]) == 0
    monkeypatch.setattr(sim.report.run, "write_figures", full)
    refused(["report", "out"], capsys, results.parent,
            "gridqueue: error: out: could not write the report (No space left on device); the "
            "earlier report and tables are as they were")


def test_a_read_only_results_folder_is_named_not_the_staging_folder(results, capsys,
                                                                     monkeypatch):
    """Was 'out/.report.partial-vntq6sly: Read-only file system'."""
    import tempfile

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system",
                      str(results / f"{REPORT_STAGING}vntq6sly"))

    monkeypatch.setattr(tempfile, "mkdtemp", read_only)
    before = snapshot(results)
    refused(["report", "out"], capsys, results.parent,
            "gridqueue: error: out: no permission to write in it; the earlier report and "
            "tables are as they were")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: False if Path(path).name == "out"
                        else real_access(path, mode))
    refused(["report", "out"], capsys, results.parent, "out: no permission to write in it")
    assert snapshot(results) == before


def test_a_ctrl_c_once_the_new_report_is_in_place_says_so(results, capsys, monkeypatch):
    """It said 'earlier results are untouched': the tables are, but the report was replaced."""
    import sim.report.run

    assert main(["report", "out"]) == 0
    capsys.readouterr()

    def stopped(folder: Path, names: list[str]) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.report.run, "claim", stopped)
    assert main(["report", "out"]) == 130
    assert capsys.readouterr().err.splitlines() == [
        "gridqueue: interrupted; the new report is in place in out, replacing the earlier one"]
