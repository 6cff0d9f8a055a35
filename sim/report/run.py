"""The report of one run: the comparison's figures for a single scenario, and report.html.

``gridqueue run`` writes it beside the tables; ``gridqueue report DIR`` (re)writes it for a
results directory. It leads with the headline figures by category; a scenario stating
published observations also gets their figure and the section setting the model beside them.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from sim.errors import OutputError, listed, warn
from sim.figures import plots
from sim.figures.files import write_figures
from sim.figures.observations import observations_figure
from sim.figures.timelines import area_queue_figure
from sim.report.data import run_page
from sim.report.html import render_report
from sim.report.waiting_list import waiting_list_lines
from sim.runs.results import Results
from sim.runs.runner import default_workers
from sim.runs.staging import (
    MARKER,
    REPORT_STAGING,
    claim,
    files_added,
    files_changed,
    files_named,
    make_staging,
    say_placed,
    some,
    stale_staging,
)
from sim.runs.stats import named_applicants
from sim.runs.workers import signals_held

__all__ = ["run_figures", "write_report", "write_report_files"]


def run_figures(results: Results, observations: pd.DataFrame | None = None
                ) -> dict[str, Figure]:
    """Every comparison figure that applies to one run (no differences: nothing to compare).

    ``observations`` is the run's observations table (:meth:`Results.observations`), given
    when its scenario states published observations: their figure is then made too.
    """
    label = results.scenario.name
    applicants = {label: results.applicants}
    areas = len(results.scenario.area_names) > 1
    figures = {
        "queue": plots.queue_figure({label: results.timeseries}),
        **({"areas": area_queue_figure(results.timeseries, label)} if areas else {}),
        "time_to_connection": plots.time_to_connection_figure(
            applicants, {label: results.scenario.start}),
        "wait": plots.wait_figure(applicants),
        "connected": plots.connected_figure(applicants, {label: results.timeseries}),
        "withdrawals": plots.withdrawals_figure({label: results.summary}),
    }
    if named_applicants(results.applicants).any():
        figures["projects"] = plots.projects_figure(applicants)
    if observations is not None and not observations.empty:
        figures["observations"] = observations_figure({label: observations})
    return figures


def write_report_files(results: Results, folder: Path, source: str) -> None:
    """Write ``figures/`` (PNG and SVG) and ``report.html`` of one run into ``folder``.

    The figures are drawn by as many processes as simulated the run, at most this machine's
    cores (a run read back may come from a larger machine).
    """
    observations = results.observations() if results.scenario.observations else None
    workers = min(int(results.run_info.get("workers") or 1), default_workers())
    images = write_figures(run_figures(results, observations), folder / "figures", workers)
    page = run_page(results.summary, results.scenario, source, images, observations,
                    results.projects, waiting_list_lines(results.scenario, results.applicants),
                    results.areas)
    (folder / "report.html").write_text(render_report(page), encoding="utf-8")


FIGURE_NAMES = ("queue", "areas", "time_to_connection", "wait", "connected", "withdrawals",
                "projects", "observations")
"""The figures a run's report may hold (:func:`run_figures`), each as PNG and SVG."""


def _not_a_figure(figures: Path) -> list[str]:
    """Files in ``figures`` that no report of a run writes, by name, and its empty folders.

    An output from before markers listed their files tells nothing else of what is whose.
    """
    own = {f"{name}.{suffix}" for name in FIGURE_NAMES for suffix in ("png", "svg")}
    if not figures.is_dir():
        return []
    return [f"figures/{path.relative_to(figures).as_posix()}" + ("/" if path.is_dir() else "")
            for path in sorted(figures.rglob("*"))
            if (not path.is_dir() and path.relative_to(figures).as_posix() not in own)
            or (path.is_dir() and not path.is_symlink() and not any(path.iterdir()))]


def write_report(directory: str | Path) -> Path:
    """(Re)write the report of a results directory; returns the path of report.html.

    Made aside and moved in when complete: the tables are untouched and an earlier report
    stays whole until the new one replaces it. ``figures/`` is replaced whole, so a file the
    user put there (or a ``report.html`` of their own, or one of gridqueue's the user changed
    since) stops it before any work, as it would stop ``--force``; so does any earlier report
    in a folder without a marker, as gridqueue cannot tell it from one of the user's. The
    staging folder of a report killed earlier is removed first.
    """
    folder = Path(directory)
    results = Results.read(folder)
    _refuse_unmarked(folder)
    missing = results.figures_lacking()
    if missing:  # its report cannot show them: connections in part, say, as if there were none
        warn(f"{folder}: written by an earlier gridqueue, its tables lack {listed(missing)}, "
             f"so the report goes without {'it' if len(missing) == 1 else 'them'}; run the "
             "scenario again to report every figure")
    if results.mw_waiting_without_rests():  # the figure's words are this version's
        warn(f"{folder}: written by an earlier gridqueue, its MW still waiting at the end count "
             "only the requests of those without any connection, where the report's words "
             "include the rest of requests connected in part or held beside a firm place; run "
             "the scenario again to report them")
    added = sorted({*(name for name in files_added(folder)  # a file named figures too
                      if name in ("report.html", "figures") or name.startswith("figures/")),
                    *_not_a_figure(folder / "figures")})
    if added:
        raise OutputError(f"{folder}: holds {files_named(added)} gridqueue did not write "
                          f"({some(added)}), and a new report replaces report.html and "
                          "figures/; move them out first")
    changed = [name for name in files_changed(folder)
               if name == "report.html" or name.startswith("figures/")]
    if changed:
        raise OutputError(f"{folder}: holds files changed since gridqueue wrote them "
                          f"({some(changed)}), and a new report replaces report.html and "
                          "figures/; move them out first")
    unchanged = "the earlier report and tables are as they were"
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{folder}: no permission to write in it; {unchanged}")
    for entry in os.scandir(folder):  # what a report killed earlier left
        if entry.name.startswith(REPORT_STAGING) and stale_staging(Path(entry.path)):
            shutil.rmtree(entry.path, ignore_errors=True)
    try:
        staging = make_staging(folder)
    except OSError as exc:
        words = ("no permission to write in it"
                 if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS)
                 else f"could not write the report ({exc.strerror or exc})")
        raise OutputError(f"{folder}: {words}; {unchanged}") from None
    try:
        with _as_unwritten(folder, unchanged):
            write_report_files(results, staging, _scenario_source(results, folder))
        with signals_held():  # a Ctrl-C waits until the marker lists the new report
            with _as_unwritten(folder, unchanged):
                _move_in(staging, folder)
            say_placed(f"the new report is in place in {folder}, replacing the earlier one")
            claim(folder, ["report.html",
                           *(f"figures/{name}" for name in os.listdir(folder / "figures"))])
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder / "report.html"


def _scenario_source(results: Results, folder: Path) -> str:
    """The scenario file a run read, and the options it was run with, as its own report says.

    run.json records both (the first of ``scenario_files``, seen from here, and ``options``);
    the results folder stands in only for a run that records no file, so a report made again
    names the file, not the folder.
    """
    files = results.run_info.get("scenario_files") or []
    if not files:
        return str(folder)
    try:
        named = Path(os.path.relpath(files[0])).as_posix()
    except ValueError:  # on another drive than the working folder (Windows)
        named = str(files[0])
    options = results.run_info.get("options")
    given = [str(option) for option in options] if isinstance(options, list) else []
    return ", ".join([named, *given])


@contextmanager
def _as_unwritten(folder: Path, unchanged: str) -> Iterator[None]:
    """Turn a failed write of the report into an error that names ``folder``.

    Raised before the new report is in place (:func:`_move_in` puts the earlier one back), so
    ``unchanged`` says what is as it was.
    """
    try:
        yield
    except OSError as exc:
        raise OutputError(f"{folder}: could not write the report ({exc.strerror or exc}); "
                          f"{unchanged}") from None


def _refuse_unmarked(folder: Path) -> None:
    """Refuse to replace a report.html or figures/ in a folder that has no :data:`MARKER`.

    Only the marker tells what gridqueue wrote (and its hashes, whether it was changed since):
    a results folder copied without its hidden files (``cp -r out/* shared/``) may hold a
    report or figures of the user's own under those names, which a new report replaced.
    """
    if os.path.lexists(folder / MARKER):
        return
    present = [name for name in ("report.html", "figures/")
               if os.path.lexists(folder / name.rstrip("/"))]
    if present:
        them = " and ".join(present)
        raise OutputError(f"{folder}: has no {MARKER} file, so gridqueue cannot tell whether it "
                          f"wrote {them} there, and a new report replaces "
                          f"{'them' if len(present) > 1 else 'it'}; move "
                          f"{'them' if len(present) > 1 else 'it'} out first (a copy that "
                          f"left out hidden files lacks {MARKER})")


def _move_in(staging: Path, folder: Path) -> None:
    """Move the new ``figures/`` and ``report.html`` from ``staging`` into ``folder``.

    The earlier ``figures/`` is set aside in ``staging`` (removed with it) first. Stopped
    before the new ``report.html`` is in place (Ctrl-C, a full disk), the earlier figures are
    put back: the earlier report stays whole, never left without its figures.
    """
    figures = folder / "figures"
    earlier = os.path.lexists(figures)
    if earlier:
        os.replace(figures, staging / "old-figures")
    try:
        os.replace(staging / "figures", figures)
        os.replace(staging / "report.html", folder / "report.html")
    except BaseException:
        if os.path.lexists(figures):
            os.replace(figures, staging / "new-figures")
        if earlier:
            os.replace(staging / "old-figures", figures)
        raise
