"""Writing an output directory atomically: fill a staging directory, then move it into place.

Every output (a run's results, a comparison, a sweep) is written this way: an interrupted or
failed write never leaves half an output or damages an earlier one, and an existing output is
replaced only when asked to. A write killed outright (``kill -9``) cannot remove its staging
directory; the next write of the same output removes it once its process is gone, and says so.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import shutil
import socket
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Literal

from sim._version import __version__
from sim.errors import InputError, Interrupted, OutputError, collected, given_as, warn
from sim.inputs.files import SymlinkLoop, resolved
from sim.runs.workers import signals_held

__all__ = [
    "MARKER",
    "REPORT_STAGING",
    "STAGING_MARK",
    "after_interrupt",
    "check_writable",
    "claim",
    "files_added",
    "files_changed",
    "files_moved_in",
    "files_named",
    "interrupted",
    "make_staging",
    "nothing_to_resume",
    "output_path",
    "outputs_placed",
    "partial_directory",
    "resumable_directory",
    "say_placed",
    "some",
    "stale_staging",
    "staged_directory",
    "temporary_directory",
    "write_file",
]

REPORT_STAGING = ".report.partial-"
"""How the folder a report is made in, inside the results folder, is named (and a random end)."""

STAGING_MARK = ".gridqueue-staging"
"""The file gridqueue puts first into a staging folder it makes (a report's inside an output,
an output's beside it), naming the process (and machine) that writes it: a folder left by one
killed is known as gridqueue's. It never reaches the finished output."""

_STAGED_REPORT_FILE = re.compile(r"report\.html|(old-)?figures/[a-z_]+\.(png|svg)")
"""What a report's staging folder may hold, its mark aside: anything else is not gridqueue's."""

SUMMARY_STAGING = ".summary.partial-"
"""How the folder the files of a sweep or calibration are made in, inside its unfinished
output, is named (and a random end): see :func:`files_moved_in`."""

_STAGED_SUMMARY_FILE = re.compile(
    r"(sweep|calibration|evaluations|observations)\.(csv|png|svg|txt)|calibrated\.yaml"
    r"|scenario\.yaml|run\.json")
"""What a summary's staging folder may hold, its mark aside."""

_OWN_STAGING = {REPORT_STAGING: _STAGED_REPORT_FILE, SUMMARY_STAGING: _STAGED_SUMMARY_FILE}
"""The staging folders gridqueue makes inside an output, by the start of their names, and
the files each may hold."""

MARKER = ".gridqueue-output"
"""The file gridqueue puts in every directory it writes, listing every file it wrote there
and the SHA-256 of each: ``--force`` replaces only such a directory, and only while it holds
nothing else and no file changed since."""

KEPT = "kept"
"""Set in the marker of an unfinished output kept for ``--resume`` when its command stopped:
the marker then lists every file gridqueue wrote there. The marker written as a command
starts lists only what was there then; one killed outright leaves that one."""

_UNLISTED_NAMES = frozenset({
    "applicants.csv", "timeseries.csv", "summary.csv", "projects.csv",
    "replication_metrics.csv", "scenario.yaml", "run.json", "waiting_list.csv",
    "comparison.csv", "comparison.json", "report.html", "figures", "runs",
    "sweep.csv", "sweep.png", "sweep.svg", "cells", "observations.csv", "calibration.csv",
    "calibration.txt", "calibrated.yaml", "evaluations.csv", MARKER,
})
"""What a marker that lists no files (written before markers listed them) counts as the
output's own, by the first part of each file's path: enough to tell a report what it may
replace, not for ``--force`` to replace the whole output (see :func:`check_writable`)."""


def output_path(target: str | Path) -> Path:
    """``target`` with every ``..`` that follows a folder's name worked out, as the system does.

    Taken as written, ``out/sub/..`` is a folder named ``..`` inside ``out/sub``: its staging
    folder went inside the output it replaces, and a folder ``sub`` was made there. Leading
    ``..`` (``../results``) are kept as written, so messages name the path as it was given.
    """
    target = Path(target)
    parts = target.parts[1:] if target.anchor else target.parts
    named = list(itertools.dropwhile(lambda part: part == "..", parts))
    if target.name == "..":
        return Path(os.path.realpath(target))
    if ".." in named:
        return Path(os.path.realpath(target.parent)) / target.name
    return target


def _force() -> str:
    """``--force`` on the command line; ``force=True`` for the Python API, which takes it so."""
    return given_as("--force", "force=True")


def _resume() -> str:
    """``--resume`` on the command line; ``resume=True`` for the Python API."""
    return given_as("--resume", "resume=True")


def check_writable(target: str | Path, force: bool, inputs: Iterable[str | Path] = ()) -> None:
    """Refuse early, before any work, a write that could lose something.

    ``target`` must not be, or contain, any of ``inputs`` (nor lie inside an input
    directory). An existing empty directory is replaced without ``force``: it holds nothing
    to lose (the new one has a new folder's permissions). A mount point cannot be replaced,
    so it is refused before the run rather than failing after it. Any other existing ``target`` is
    replaced only with ``force``, and only if gridqueue wrote it (it holds :data:`MARKER`) and
    it holds no file added, nor any changed, since (by the hashes the marker holds): never a
    folder of the user's, nor notes the user put in an output, nor a table the user edited.
    What ``force`` would refuse is refused straight away, with or without it, so that
    no message suggests an option that would be refused in turn.
    """
    target = output_path(target)
    _check_leads_somewhere(target)
    _check_no_overlap(target, inputs)
    _check_folder_writable(target)
    _check_not_inside_output(target)
    if not os.path.lexists(target):
        return
    if target.is_symlink():
        raise OutputError(f"{target}: is a symbolic link; name the directory itself")
    if not target.is_dir():
        kind = "a file" if target.is_file() else "a device or other special file"
        raise OutputError(f"{target}: exists and is {kind}, not a directory; choose "
                          "another output directory")
    if os.path.ismount(target):
        raise OutputError(f"{target}: is a mount point, and gridqueue writes its output aside "
                          "and then moves it into place whole, which a mount point does not "
                          "allow; name a folder inside it")
    _check_replaceable(target)
    if not force and not _is_empty(target):
        raise OutputError(f"{target}: already exists; choose another output directory or "
                          f"pass {_force()} to replace it")


def _check_leads_somewhere(target: Path) -> None:
    """Refuse an output path that runs into a loop of symbolic links: it names no folder."""
    try:
        resolved(target)
    except SymlinkLoop as exc:
        raise OutputError(f"{target}: {exc.strerror}; choose another output directory"
                          ) from None


def _check_replaceable(target: Path) -> None:
    """Refuse an existing directory ``target`` that even ``--force`` may not replace."""
    if not written_by_gridqueue(target):
        raise OutputError(f"{target}: holds files gridqueue did not write (it has no "
                          f"{MARKER} file), so {_force()} will not replace it; choose another "
                          "output directory")
    if _listed_files(target) is None and not _is_empty(target):
        raise OutputError(f"{target}: was written by an earlier gridqueue whose {MARKER} "
                          f"lists no files, so {_force()} cannot tell them from files added "
                          "since and will not replace it; remove it yourself, or choose "
                          "another output directory")
    added = files_added(target)
    nested = _outputs_among(added)
    if nested:
        raise OutputError(f"{target}: holds {some(nested)}, written there later by another "
                          f"gridqueue command and not part of this output, so {_force()} will not "
                          "replace it; move them out first, or choose another output "
                          "directory")
    if added:
        raise OutputError(f"{target}: holds {files_named(added)} gridqueue did not write "
                          f"({some(added)}), so {_force()} will not replace it; move them out "
                          "first, or choose another output directory")
    changed = files_changed(target)
    if changed:
        raise OutputError(f"{target}: holds files changed since gridqueue wrote them "
                          f"({some(changed)}), so {_force()} will not replace it; move them out "
                          "first, or choose another output directory")
    if resolved(Path.cwd()).is_relative_to(resolved(target)):
        raise OutputError(f"{target}: is the current folder, or holds it, and a folder in use "
                          "cannot be replaced; run from another folder, or choose another "
                          "output directory")


def _is_empty(folder: Path) -> bool:
    """Whether ``folder`` holds nothing at all (no hidden file either); False if unreadable."""
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is None
    except OSError:
        return False


def _check_not_inside_output(target: Path) -> None:
    """Refuse an output inside another output of gridqueue (a run in a comparison's ``runs/``).

    It would not be part of that output: the comparison's tables and report would no longer
    match its runs, and its file list would no longer cover what it holds. The folders the
    path names are looked at, and those it leads to through links.
    """
    named = Path(os.path.abspath(target)).parents
    for folder in dict.fromkeys([*named, *resolved(target).parents]):
        if (folder / MARKER).is_file():
            what = _marked_as(folder)
            raise OutputError(f"{target}: lies inside {folder}, {what} gridqueue wrote; an "
                              "output there would not be part of it and would leave its files "
                              "and tables disagreeing; choose a folder outside it")


def _marked_as(folder: Path) -> str:
    """What the marker of ``folder`` says it is ('a comparison'), or 'an output'."""
    what = _field(folder / MARKER, "what")
    known = {"results": "the results", "comparison": "a comparison", "sweep": "a sweep",
             "calibration": "a calibration"}
    return known.get(what, "an output") if isinstance(what, str) else "an output"


def _outputs_among(added: list[str]) -> list[str]:
    """The folders among ``added`` files that are outputs of their own (hold a marker)."""
    return [name.removesuffix(f"/{MARKER}") for name in added
            if name.endswith(f"/{MARKER}")]


def _check_folder_writable(target: Path) -> None:
    """Refuse, before any work, an output whose folder is a file or may not be written."""
    folder = next(p for p in Path(os.path.abspath(target)).parents if os.path.lexists(p))
    if not folder.is_dir():
        raise OutputError(f"{target}: {folder} is a file, not a folder; choose another output "
                          "path")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{target}: no permission to write in {folder}; choose another "
                          "output folder")
    _check_name_fits(target, folder)
    if not os.path.lexists(target):  # else every folder it names exists: the user's own
        _check_name_visible(Path(os.path.abspath(target)).relative_to(folder))


def _check_name_visible(new: Path) -> None:
    r"""Refuse folders to be made whose names hold control or invisible characters.

    ``-o $'new\nline'`` made a folder that ``ls`` shows as '?' and that the line naming the
    results split in two; a scenario name is refused the same way. Folders that exist
    already are the user's own, whatever their names.
    """
    for part in new.parts:
        if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in part):
            raise OutputError(f"{str(new)!r}: expected folder names without control or "
                              f"invisible characters (a newline, a tab), got {part!r}; choose "
                              "another output path with -o")


RANDOM_END = 8
"""Characters ``tempfile.mkdtemp`` adds to a staging or set-aside folder's name."""


def _check_name_fits(target: Path, folder: Path) -> None:
    """Refuse, before any work, an output whose staging folder's name would be too long.

    The output is written beside it as ``.NAME.partial-`` and eight random characters, then
    moved into place: a name near the file system's limit (a scenario named in 300
    characters) passed every check and failed only after the whole run.
    """
    try:
        limit = os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        limit = 255
    longest = max(len(os.fsencode(prefix)) for prefix in (_staging_prefix(target),
                                                          _old_prefix(target)))
    if longest + RANDOM_END > limit:
        most = limit - RANDOM_END - (longest - len(os.fsencode(target.name)))
        raise OutputError(f"{str(target)[:80]}...: expected a folder name of at most {most} "
                          f"bytes (gridqueue writes it aside under a longer name first), got "
                          f"{len(os.fsencode(target.name))}; choose a shorter output name "
                          "with -o, or a shorter scenario name")


def written_by_gridqueue(folder: Path) -> bool:
    """Whether ``folder`` is empty or an output of gridqueue, and so safe to replace."""
    try:
        entries = {entry.name for entry in os.scandir(folder)}
    except OSError:
        return False
    return not entries or MARKER in entries


def some(names: list[str], shown: int = 3) -> str:
    """The first few of ``names``, and how many more: for a message that lists files."""
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def files_added(folder: Path) -> list[str]:
    """Files in an output of gridqueue that it did not write there (paths inside ``folder``).

    Those its marker lists are gridqueue's; a marker that lists none (from before markers
    listed files) vouches for the names outputs have always had, enough for a report to know
    what it may replace (``--force`` replaces no such output: :func:`check_writable`). An
    empty folder counts as a file (its path ends in ``/``): see :func:`_entries_in`.
    """
    return _added(folder, _listed_files(folder))


def _added(folder: Path, listed: list[str] | None) -> list[str]:
    """What of ``folder`` is not among ``listed``, or (None) not named as outputs name files.

    An empty folder is listed itself, or lies on the way to a file listed (one whose files
    the user removed): either way gridqueue made it.
    """
    entries = _outside_own_staging(folder, _entries_in(folder))
    if listed is not None:
        own = {*listed, MARKER, *(parent for name in listed for parent in _folders_of(name))}
        return [name for name in entries if name not in own]
    return [name for name in entries if name.split("/")[0] not in _UNLISTED_NAMES]


def _folders_of(name: str) -> list[str]:
    """The folders a path inside an output lies in, each as ``a/``, ``a/b/``."""
    parts = name.split("/")[:-1]
    return ["/".join(parts[:end]) + "/" for end in range(1, len(parts) + 1)]


def files_named(names: list[str]) -> str:
    """What ``names`` are, for a message: 'files', 'folders' or 'files and folders'.

    A folder among them ends in ``/`` (an empty one: :func:`files_added`).
    """
    folders = sum(name.endswith("/") for name in names)
    if folders == 0:
        return "files"
    return "folders" if folders == len(names) else "files and folders"


def files_changed(folder: Path) -> list[str]:
    """Files of an output of gridqueue whose content changed since it wrote them.

    Judged by the SHA-256 its marker holds of each file; a
    marker without hashes (written before markers held them) tells of no change, and a file
    since removed, or no longer a plain file, has lost nothing that ``--force`` would delete.
    """
    hashes = _field(folder / MARKER, "sha256")
    if not isinstance(hashes, dict):
        return []
    changed = []
    for name, digest in sorted(hashes.items()):
        if not isinstance(digest, str):
            continue
        path = folder / name
        if path.is_symlink() or not path.is_file():
            continue
        if _sha256(path) != digest:
            changed.append(name)
    return changed


def _sha256(path: Path) -> str | None:
    """The SHA-256 of a file's bytes, in hex; None if it cannot be read."""
    try:
        with open(path, "rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    except OSError:
        return None


def _hashes(folder: Path, names: Iterable[str]) -> dict[str, str]:
    """The SHA-256 of each of ``names`` (paths in ``folder``) that is a plain file.

    Markers of outputs nested inside (a comparison's runs) are left out: a report of such a
    run rewrites its marker, which is gridqueue's bookkeeping and no result.
    """
    hashes = {}
    for name in names:
        path = folder / name
        if name.endswith(f"/{MARKER}") or path.is_symlink() or not path.is_file():
            continue
        digest = _sha256(path)
        if digest is not None:
            hashes[name] = digest
    return hashes


def _outside_own_staging(folder: Path, files: list[str]) -> list[str]:
    """``files`` (paths inside ``folder``) but those in staging folders gridqueue left there.

    A report killed part-way (``kill -9``) leaves its ``.report.partial-*`` folder; what it
    holds is gridqueue's, so ``--force`` takes it along (:func:`own_staging`).
    """
    judged: dict[str, bool] = {}
    kept = []
    for name in files:
        parts = name.split("/")
        where = next((i for i, part in enumerate(parts[:-1])
                      if part.startswith(tuple(_OWN_STAGING))), None)
        if where is not None:
            staging = "/".join(parts[:where + 1])
            if staging not in judged:
                judged[staging] = own_staging(folder / staging)
            if judged[staging]:
                continue
        kept.append(name)
    return kept


def make_staging(folder: Path, prefix: str = REPORT_STAGING) -> Path:
    """A new staging folder inside ``folder``, marked first as gridqueue's and this process's."""
    staging = Path(tempfile.mkdtemp(prefix=prefix, dir=folder))
    try:
        (staging / STAGING_MARK).write_text(_writing_mark(), encoding="utf-8")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


@contextmanager
def files_moved_in(folder: Path) -> Iterator[Path]:
    """A staging folder inside ``folder``; once the block ends, its files move into ``folder``.

    For the files a sweep or calibration writes last into its unfinished output, which is
    kept for ``--resume`` when the command stops: each file arrives whole, or not at all (a
    file written straight there was left cut short by Ctrl-C or a full disk, beside the
    finished cells or evaluations). If the block raises, the staging folder is removed; one
    that a command killed outright left is removed by the next (:func:`stale_staging`).
    """
    for entry in os.scandir(folder):
        if entry.name.startswith(SUMMARY_STAGING) and stale_staging(Path(entry.path)):
            shutil.rmtree(entry.path, ignore_errors=True)
    staging = make_staging(folder, SUMMARY_STAGING)
    try:
        yield staging
        for name in sorted(_files_in(staging), key=lambda name: name == "run.json"):
            if name != STAGING_MARK:  # run.json last: it says the rest is written
                os.replace(staging / name, folder / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _writing_mark() -> str:
    """What :data:`STAGING_MARK` holds: that gridqueue writes, in which process and machine.

    With the process's PID namespace where the system has them (:func:`_pid_namespace`).
    """
    return json.dumps({"written_by": "gridqueue", "pid": os.getpid(),
                       "host": socket.gethostname(),
                       "pid_namespace": _pid_namespace()}) + "\n"


def _pid_namespace() -> str | None:
    """The PID namespace of this process (Linux: ``pid:[4026531836]``), None where unknown.

    A process id names a process only within its namespace: a container that shares the
    host's name and its TMPDIR (``--network host``, ``-v /tmp:/tmp``) numbers its processes
    apart, so a live command there looked gone from the host and its folder was removed.
    """
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return None


def own_staging(folder: Path) -> bool:
    """Whether ``folder`` is a report's (or summary's) staging folder that gridqueue made.

    Named so, and holding nothing, or its mark and only files a report (or summary) writes:
    a folder of the user's, however named, holds something else.
    """
    allowed = next((pattern for prefix, pattern in _OWN_STAGING.items()
                    if folder.name.startswith(prefix)), None)
    if allowed is None or folder.is_symlink() or not folder.is_dir():
        return False
    files = _files_in(folder)
    if not files:
        return True  # stopped before even its mark was written
    return STAGING_MARK in files and all(
        allowed.fullmatch(name) for name in files if name != STAGING_MARK)


_Writer = Literal["gone", "running", "unknown"]
"""What is known of the process that made a staging folder (or file)."""


def stale_staging(folder: Path) -> bool:
    """Whether ``folder`` is a staging folder of gridqueue's left by a process that is gone.

    That is one :func:`own_staging` made by a process on this machine that no longer runs;
    another machine's, or a live one, is let be.
    """
    return own_staging(folder) and _writer(folder) == "gone"


def _writer(staging: Path) -> _Writer:
    """Whether the process that made a staging folder is ``"gone"``, ``"running"`` or unknown.

    Its :data:`STAGING_MARK` names the process: gone only if it was on this machine, in this
    PID namespace, and no longer runs. A folder without the mark is gone once it has stayed
    empty a minute (the process stopped before it wrote the mark), running while younger;
    one holding anything without the mark, or of another machine or namespace, is
    ``"unknown"``.
    """
    try:
        mark = json.loads((staging / STAGING_MARK).read_text(encoding="utf-8"))
    except FileNotFoundError:
        if _files_in(staging):
            return "unknown"
        try:
            return "gone" if time.time() - staging.stat().st_mtime > 60 else "running"
        except OSError:
            return "unknown"
    except (OSError, ValueError):
        return "unknown"
    if not isinstance(mark, dict) or mark.get("written_by") != "gridqueue":
        return "unknown"
    # A mark without a namespace was written before they were recorded: taken for this one's.
    here = (mark.get("host") == socket.gethostname()
            and mark.get("pid_namespace", _pid_namespace()) == _pid_namespace())
    return _process(mark.get("pid"), here)


def _process(pid: object, here: bool) -> _Writer:
    """Whether process ``pid`` is ``"gone"`` or ``"running"``, if ``here`` (on this machine).

    One of another machine cannot be looked up: ``"unknown"``.
    """
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0 or not here \
            or sys.platform == "win32":  # os.kill there would end the process
        return "unknown"
    if pid == os.getpid():
        return "running"
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return "gone"
    except OSError:
        return "running"  # as another user
    except OverflowError:  # no process has such an id
        return "unknown"
    return "running"


def _listed_files(folder: Path) -> list[str] | None:
    """The files the marker of ``folder`` lists as gridqueue's; None if it lists none."""
    listed = _field(folder / MARKER, "files")
    return listed if isinstance(listed, list) else None


def _field(mark: Path, key: str) -> object:
    """The value of ``key`` in the JSON object of ``mark`` (a marker); None if unreadable."""
    try:
        return json.loads(mark.read_text(encoding="utf-8")).get(key)
    except (OSError, ValueError, AttributeError):
        return None


def _files_in(folder: Path) -> list[str]:
    """Every file below ``folder`` (symbolic links too, never followed), as relative paths."""
    found = []
    for here, folders, files in os.walk(folder):
        links = [name for name in folders if os.path.islink(os.path.join(here, name))]
        for name in files + links:
            found.append(Path(here, name).relative_to(folder).as_posix())
    return sorted(found)


def _entries_in(folder: Path) -> list[str]:
    """Every file below ``folder`` and every empty folder (as ``name/``), as relative paths.

    An empty folder holds nothing to hash, yet one the user made in an output (``mkdir
    notes``) is theirs as much as a file would be: judged as one, it is never deleted unseen.
    """
    empty = [Path(here).relative_to(folder).as_posix() + "/"
             for here, folders, files in os.walk(folder)
             if not folders and not files and Path(here) != folder]
    return sorted([*_files_in(folder), *empty])


def _check_no_overlap(target: Path, inputs: Iterable[str | Path]) -> None:
    """Refuse an output that is, contains or lies inside one of the inputs."""
    where = Path(os.path.abspath(target))
    real = resolved(where)
    for given in inputs:
        source = Path(os.path.abspath(given))
        for out, into in ((where, source), (real, _input_resolved(source, given))):
            inside_input = source.is_dir() and out.is_relative_to(into)
            if into.is_relative_to(out) or inside_input:
                raise OutputError(f"{target}: overlaps the input {given}; an output must not "
                                  "be, contain or lie inside what it is computed from; choose "
                                  "another output directory")


def _input_resolved(source: Path, given: str | Path) -> Path:
    """The real path of an input (``source``, absolute); one that loops is named as given."""
    try:
        return resolved(source)
    except SymlinkLoop as exc:
        raise InputError(given, "", f"expected an input file or folder; it {exc.strerror}"
                         ) from None


def _mark(folder: Path, what: str, kept: bool = False) -> None:
    """Sign ``folder`` as gridqueue's own, listing its files: a later ``--force`` may replace it.

    Only while it holds nothing added since (a user's notes, say): see :func:`check_writable`.
    An empty folder is listed too (``name/``), else it read as one the user added. ``kept``:
    an unfinished output kept for ``--resume``, whose list is complete (:data:`KEPT`).
    """
    files = [name for name in _entries_in(folder) if name != MARKER]
    mark = {"written_by": "gridqueue", "version": __version__, "what": what, "files": files,
            "sha256": _hashes(folder, files), **({KEPT: True} if kept else {})}
    (folder / MARKER).write_text(json.dumps(mark, indent=1) + "\n", encoding="utf-8")


def claim(folder: Path, names: list[str]) -> None:
    """List ``names`` (paths inside ``folder``) as gridqueue's in the markers that cover them.

    For files written later into an output of gridqueue (a report of a results folder, say),
    so that ``--force`` may still replace that output, and the output holding it (a results
    folder under a comparison's ``runs/``). A marker that lists no files vouches for the
    names outputs have always had already, and one that cannot be read is left as it is.
    A marker that holds the hashes of its files (:func:`files_changed`) gets theirs too.
    """
    folder = resolved(folder)
    hashes = _hashes(folder, names)
    for output in (folder, *folder.parents):
        try:
            marker = json.loads((output / MARKER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(marker, dict) and isinstance(marker.get("files"), list):
            inside = folder.relative_to(output).as_posix()
            paths = {name: name if inside == "." else f"{inside}/{name}" for name in names}
            marker["files"] = sorted({*marker["files"], *paths.values()})
            if isinstance(marker.get("sha256"), dict):
                marker["sha256"] = {**marker["sha256"],
                                    **{paths[name]: digest for name, digest in hashes.items()}}
            (output / MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")


def _replace(staging: Path, target: Path, existed: bool) -> None:
    """Move the finished staging directory into place; the old one goes only after.

    What is at ``target`` is judged again first, as it may have changed while the command
    ran: a folder that appeared there (another command's output, the user's own) is never
    replaced, nor one that no longer passes :func:`check_writable`. The finished output is
    then kept beside it, under a free name, and the message says where.
    """
    if os.path.lexists(target):
        problem = None if existed else "appeared while this command ran"
        if existed:
            try:
                check_writable(target, force=True)
            except OutputError as exc:
                problem = f"changed while this command ran ({exc.args[0].split(': ', 1)[-1]})"
        if problem is not None:
            kept = _free_name(target)
            os.replace(staging, kept)
            raise OutputError(f"{target}: {problem}, so it was left as it is; the finished "
                              f"output is in {kept}")
    if not os.path.lexists(target):
        os.replace(staging, target)
        say_placed(_complete_in(target))
        return
    _put_in_place(staging, target)


def _siblings_named(target: Path, prefix: str) -> list[str] | None:
    """The sorted names beside ``target`` of its temporary folders: ``prefix``, a random tail.

    None where the folder that holds ``target`` cannot be read.
    """
    name = re.compile(re.escape(prefix) + "[a-z0-9_]+")
    try:
        return sorted(entry.name for entry in os.scandir(target.parent)
                      if name.fullmatch(entry.name))
    except OSError:
        return None


def _old_prefix(target: Path) -> str:
    """How the folder the earlier output of ``target`` is set aside in is named, but its end."""
    return f".{target.name}.old-"


def _put_in_place(staging: Path, target: Path) -> None:
    """Replace the earlier output at ``target`` with the finished one in ``staging``.

    The earlier output is set aside, the new one moved in, and the earlier one deleted, with
    Ctrl-C and SIGTERM held back the moment this takes; one that came is then said to have
    come as the command ended, the new output in place. Stopped part-way, the earlier output
    was neither kept nor gone, and the message said it was untouched. Stopped all the same,
    or failing (a file that may not be deleted), the deletion leaves the folder the earlier
    output was set aside in, named in the message or a warning; its mark shows it to be
    gridqueue's, so the next write of ``target`` removes it (:func:`_clear_old_left`).
    """
    done = _complete_in(target)
    so: list[str] = []  # once the new output is in place: what is so, in words
    try:
        with signals_held():
            old = _swap(staging, target)
            so.append(f"{done}; what is left of the earlier one is in {old}, which the next "
                      f"gridqueue command writing {target} removes")
            problem = _delete_set_aside(old)
            if problem is None:
                so.append(f"{done}, and the earlier one it replaced is deleted")
            else:
                so.append(f"{done}; what is left of the earlier one is in {old}")
                warn(f"{target}: the new output is in place, but the earlier one it replaced "
                     f"could not be deleted entirely ({problem}); what is left of it is in "
                     f"{old}: remove it yourself")
    except KeyboardInterrupt:  # held back until now, or raised by the deletion itself
        if not so:
            raise  # before the new output was in place: nothing changed
        say_placed(so[-1])
        raise Interrupted(f"interrupted as it ended: {so[-1]}") from None
    say_placed(so[-1])


def _complete_in(target: Path) -> str:
    """What is so once a new output is at ``target``, in words (:func:`say_placed`)."""
    return f"the new output is complete in {target}"


def _swap(staging: Path, target: Path) -> Path:
    """Set the output at ``target`` aside, move ``staging`` there; return where it was set.

    Aside in a folder beside it marked as gridqueue's (:func:`make_staging`), so that it is
    known as such if left. Stopped between the two moves, the earlier output is put back.
    """
    old = make_staging(target.parent, _old_prefix(target))
    try:
        os.replace(target, old / "results")
    except BaseException:
        shutil.rmtree(old, ignore_errors=True)  # it holds its mark alone
        raise
    try:
        os.replace(staging, target)
    except BaseException:
        os.replace(old / "results", target)
        shutil.rmtree(old, ignore_errors=True)
        raise
    return old


def _delete_set_aside(old: Path) -> str | None:
    """Delete ``old``, the earlier output in it first and its mark last; what failed, if any.

    The mark goes last, so that what an interruption leaves is still known as gridqueue's.
    """
    shutil.rmtree(old / "results", ignore_errors=True)
    try:
        if os.path.lexists(old / "results"):
            shutil.rmtree(old / "results")  # again, to learn why it fails
        (old / STAGING_MARK).unlink(missing_ok=True)
        old.rmdir()
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror or exc}{where}"
    return None


def _clear_old_left(target: Path) -> None:
    """Remove what an interrupted gridqueue left of an earlier output of ``target``; say so.

    Only folders named as :func:`_replace` names the one it sets that output aside in, that
    hold nothing but it (``results``) and the mark of a process of this machine that no longer
    runs, or (set aside by a gridqueue before the mark) nothing but ``results`` with a
    :data:`MARKER` in it. One whose process still runs is let be; any other so named is named
    in a warning and kept.
    """
    found = _siblings_named(target, _old_prefix(target))
    if found is None:
        return  # the write that follows says what is wrong
    earlier = f"what gridqueue left undeleted of an earlier output of {target}"
    removed: list[str] = []
    unknown: list[str] = []
    for old in (target.parent / entry for entry in found):
        writer = _set_aside_by(old)
        if writer == "unknown":
            unknown.append(str(old))
        elif writer == "gone":
            problem = _delete_set_aside(old)
            if problem is None:
                removed.append(str(old))
            else:
                warn(f"could not remove all of {old}, {earlier} ({problem}); remove it "
                     "yourself")
    if removed:
        warn(f"removed {some(removed)}, {earlier}")
    if unknown:
        warn(f"left {some(unknown)} as found: it may hold {earlier}, but gridqueue cannot "
             "tell; remove it yourself if so")


def _set_aside_by(old: Path) -> _Writer:
    """Whether the process that set an earlier output aside in ``old`` is gone or running.

    ``"unknown"`` when ``old`` holds anything but that output and the mark (or is not a
    folder); gone when, set aside by a gridqueue before the mark, it holds that output alone.
    """
    try:
        if old.is_symlink() or not old.is_dir():
            return "unknown"
        entries = {entry.name for entry in os.scandir(old)}
    except OSError:
        return "unknown"
    results = old / "results"
    if "results" in entries and (results.is_symlink() or not results.is_dir()):
        return "unknown"
    if not entries <= {"results", STAGING_MARK}:
        return "unknown"
    if entries == {"results"}:
        return "gone" if (results / MARKER).is_file() else "unknown"
    return _writer(old)


def _free_name(target: Path) -> Path:
    """A name beside ``target`` that nothing has yet: ``NAME.new``, ``NAME.new-2``, ..."""
    candidate, number = target.with_name(f"{target.name}.new"), 1
    while os.path.lexists(candidate):
        number += 1
        candidate = target.with_name(f"{target.name}.new-{number}")
    return candidate


def _make_parent(target: Path) -> list[Path]:
    """Create the folder an output goes in, or say plainly why it cannot be.

    Returns the folders it created, outermost first, for :func:`_remove_made` to take back
    should the output not be written.
    """
    blocking = next((p for p in target.parents if os.path.lexists(p) and not p.is_dir()), None)
    if blocking is not None:
        raise OutputError(f"{target}: {blocking} is a file, not a folder; choose another "
                          "output path")
    made = [p for p in reversed(target.parents) if not os.path.lexists(p)]
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _remove_made(made)
        raise OutputError(f"{target}: cannot create its folder {target.parent} "
                          f"({exc.strerror or exc}); nothing was written") from None
    return made


def _remove_made(made: list[Path]) -> None:
    """Remove the folders :func:`_make_parent` created, innermost first, while empty."""
    for folder in reversed(made):
        try:
            folder.rmdir()
        except OSError:  # not empty (kept for --resume, or something else came), or gone
            return


@contextmanager
def staged_directory(
    target: str | Path, force: bool = False, what: str = "output",
    inputs: Iterable[str | Path] = (),
) -> Iterator[Path]:
    """Yield a staging directory beside ``target``; on success it becomes ``target``.

    Refuses what :func:`check_writable` refuses. If the block raises, the staging directory
    is removed and ``target`` is left as it was. The directory holds only its
    :data:`STAGING_MARK` at first, removed before the output is marked as gridqueue's and
    moved into place; staging directories of ``target`` that killed writes left are removed
    first (:func:`_clear_staging_left`).
    """
    target = output_path(target)
    check_writable(target, force, inputs)
    existed = os.path.lexists(target)
    made = _make_parent(target)
    _clear_staging_left(target)
    _clear_old_left(target)
    try:
        staging = make_staging(target.parent, _staging_prefix(target))
    except OSError as exc:
        _remove_made(made)
        raise OutputError(f"{target}: could not write the {what} ({exc.strerror or exc}); "
                          "nothing was changed") from None
    try:
        staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; outputs are shared
        yield staging
        (staging / STAGING_MARK).unlink(missing_ok=True)  # not the output's: see _mark
        _mark(staging, what)
        _replace(staging, target, existed)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        _remove_made(made)
        raise OutputError(f"{target}: could not write the {what} ({exc.strerror or exc}); "
                          "nothing was changed") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        _remove_made(made)
        raise


def _staging_prefix(target: Path) -> str:
    """How the staging folder (or file) of ``target`` is named, before its random end."""
    return f".{target.name}.partial-"


def _clear_staging_left(target: Path) -> None:
    """Remove the staging folders beside ``target`` that a killed gridqueue left, and say so.

    Only those named as :func:`staged_directory` names them, that hold the mark of a process
    of this machine that no longer runs (:func:`_writer`). Any other so named (a live
    process's, another machine's, one without the mark that holds something, a file or a
    link) is left alone, with a warning when it may be such a leftover.
    """
    found = _siblings_named(target, _staging_prefix(target))
    if found is None:
        return  # the write that follows says what is wrong
    removed: list[str] = []
    unknown: list[str] = []
    for staging in (target.parent / entry for entry in found):
        if staging.is_symlink() or not staging.is_dir():
            unknown.append(str(staging))
        elif (writer := _writer(staging)) == "unknown":
            unknown.append(str(staging))
        elif writer == "gone":
            shutil.rmtree(staging, ignore_errors=True)
            if os.path.lexists(staging):
                warn(f"could not remove all of {staging}, a half-written copy of "
                              f"{target} that a killed gridqueue command left behind; remove "
                              "it yourself")
            else:
                removed.append(str(staging))
    _say_left(target, removed, unknown)


def _say_left(target: Path, removed: list[str], unknown: list[str]) -> None:
    """Warn, in a line each, that the staging ``removed`` were removed and ``unknown`` kept."""
    if removed:
        copies, by = (("a half-written copy", "a killed gridqueue command") if len(removed) == 1
                      else ("half-written copies", "killed gridqueue commands"))
        warn(f"removed {some(removed)}, {copies} of {target} that {by} left behind")
    if unknown:
        it = len(unknown) == 1
        warn(
            f"left {some(unknown)} as {'it is' if it else 'they are'}: "
            f"{'it may be a half-written copy' if it else 'they may be half-written copies'} of "
            f"{target} that {'a killed gridqueue command' if it else 'killed gridqueue commands'}"
            f" left behind, but gridqueue cannot tell; remove {'it' if it else 'them'} yourself "
            f"if no gridqueue command is writing {target}")


TEMPORARY_PREFIXES = ("gridqueue-applicants-", "gridqueue-running-", "gridqueue-reproduce-")
"""How the temporary folders gridqueue makes (in ``TMPDIR``, unless told otherwise) begin: a
spilled run's applicant rows, the marks of the replications running, a reproduced run."""


def temporary_directory(prefix: str,
                        directory: str | Path | None = None) -> tempfile.TemporaryDirectory[str]:
    """A temporary folder named ``prefix...``, marked as gridqueue's and this process's.

    Python removes it when the command ends, but not when the command is killed outright
    (``kill -9``, the machine out of memory): a reproduced run or a spilled run's applicant
    rows, which may be gigabytes, then stayed in ``TMPDIR`` for good. Each new one first
    removes those of :data:`TEMPORARY_PREFIXES` beside it that a process of this machine that
    no longer runs left (:func:`_writer`); any other is left alone. Quietly: they are what
    the killed command would have removed itself, in no folder of the user's, and a command
    killed in another terminal (or test) would otherwise be told of in this one.
    """
    parent = Path(directory) if directory is not None else Path(tempfile.gettempdir())
    _clear_temporary_left(parent)
    folder = tempfile.TemporaryDirectory(prefix=prefix, dir=directory)
    try:
        (Path(folder.name) / STAGING_MARK).write_text(_writing_mark(), encoding="utf-8")
    except BaseException:
        folder.cleanup()
        raise
    return folder


def _clear_temporary_left(parent: Path) -> None:
    """Remove the temporary folders in ``parent`` that killed gridqueue commands left."""
    try:
        names = sorted(entry.name for entry in os.scandir(parent)
                       if entry.name.startswith(TEMPORARY_PREFIXES))
    except OSError:
        return  # making the new folder says what is wrong
    for folder in (parent / name for name in names):
        if not folder.is_symlink() and folder.is_dir() and _writer(folder) == "gone":
            shutil.rmtree(folder, ignore_errors=True)


_PLACED: ContextVar[list[str] | None] = ContextVar("_PLACED", default=None)
"""Where :func:`outputs_placed` collects what each output moved into place left, in words."""


@contextmanager
def outputs_placed() -> Iterator[list[str]]:
    """Collect, while the block runs, what each output moved into place leaves, in words.

    An interrupt that comes once an output is in place (the command still printing, say) must
    not say that earlier results are untouched: :func:`after_interrupt` says what is so.
    """
    with collected(_PLACED) as placed:
        yield placed


def after_interrupt(placed: list[str]) -> str:
    """What an interrupted command leaves, given the outputs it moved into place (words)."""
    return "; ".join(placed) or "earlier results are untouched and nothing partial was written"


def say_placed(words: str) -> None:
    """Note, for :func:`outputs_placed`, what moving an output (or a report) into place left."""
    placed = _PLACED.get()
    if placed is not None:
        placed.append(words)


def partial_directory(target: str | Path) -> Path:
    """Where a resumable output collects its finished parts until it is complete."""
    target = output_path(target)
    return target.parent / f".{target.name}.partial"


@contextmanager
def resumable_directory(target: str | Path, force: bool = False, resume: bool = False,
                        inputs: Iterable[str | Path] = (), what: str = "output",
                        ) -> Iterator[Path]:
    """Like :func:`staged_directory`, but the staging directory survives a failure.

    What it holds stays when the block fails or is interrupted, so a later call with
    ``resume`` continues in it, if it writes the same kind of output (``what``: a sweep, a
    calibration).

    Without ``resume`` an unfinished staging directory is refused (or, with ``force``,
    discarded), so finished work is never thrown away by accident.
    """
    target = output_path(target)
    check_writable(target, force, inputs)
    existed = os.path.lexists(target)
    partial = partial_directory(target)
    if os.path.lexists(partial):
        if not partial.is_dir() or partial.is_symlink() or not written_by_gridqueue(partial):
            raise OutputError(f"{partial}: is in the way of the output and was not written "
                              "by gridqueue; move or remove it yourself")
        _refuse_if_in_use(target, partial)
        _refuse_if_not_as_kept(target, partial)
        if resume:
            _refuse_other_kind(target, partial, what)
        if not resume and not force:
            raise OutputError(f"{target}: an unfinished run is kept in {partial}; pass "
                              f"{_resume()} to continue it or {_force()} to start again")
        if not resume:
            shutil.rmtree(partial)
    made = _make_parent(target)
    _clear_old_left(target)
    claimed = False
    try:
        partial.mkdir(exist_ok=True)
        _mark(partial, what)  # what it is to become, until it is complete
        claimed = _claim_writing(target, partial)
        yield partial
        _release(partial)  # not the output's
        _mark(partial, what)  # now listing what it holds
        _replace(partial, target, existed)
    except OSError as exc:
        if claimed:
            _release(partial)
            _mark_kept(partial, what)
        _drop_if_empty(partial)
        _remove_made(made)
        kept = (f"finished parts are kept in {partial} for {_resume()}" if partial.is_dir()
                else "nothing was kept")
        raise OutputError(f"{target}: could not write the output ({exc.strerror or exc}); "
                          f"{kept}") from None
    except BaseException:
        if claimed:
            _release(partial)
            _mark_kept(partial, what)
        _drop_if_empty(partial)
        _remove_made(made)
        raise


def nothing_to_resume(target: str | Path, what: str, files: Sequence[str]) -> None:
    """Refuse ``--resume`` where a finished ``what`` is and nothing unfinished is kept.

    ``files`` are what a finished ``what`` holds, the first of them only a finished one. Such
    an output was refused as one that "already exists", which read as though the command had
    not seen the run it was asked to continue.
    """
    target = output_path(target)
    if (os.path.lexists(partial_directory(target)) or not (target / files[0]).is_file()
            or not written_by_gridqueue(target)):
        return
    raise OutputError(f"{target}: holds a finished {what} ({', '.join(files)}) and no "
                      f"unfinished one, so there is nothing to resume; to run the {what} there "
                      f"again, pass {_force()} instead of {_resume()}, or choose another output "
                      "directory")


def _mark_kept(partial: Path, what: str) -> None:
    """Mark ``partial``, kept for ``--resume``, as listing every file gridqueue wrote there.

    With their hashes, a file the user adds or changes there later is told from gridqueue's
    (:func:`_refuse_if_not_as_kept`). Marked when the command stops; one killed outright
    cannot, and leaves the marker of its start, which :data:`KEPT` then does not vouch for.
    """
    if partial.is_dir() and not partial.is_symlink():
        try:
            _mark(partial, what, kept=True)
        except OSError:
            pass  # the marker of the start stays, and files are judged by their names


def _refuse_if_not_as_kept(target: Path, partial: Path) -> None:
    """Refuse ``partial`` if it holds files added or changed since gridqueue kept it.

    ``--resume`` took such a file into the output, listed as gridqueue's, and ``--force``
    deleted it. A marker written as the command stopped (:func:`_mark_kept`) tells by its
    list and hashes; one a command killed outright left (or an earlier gridqueue) lists
    only what was there as it started, so the rest is judged by the names outputs have.
    """
    kept = _field(partial / MARKER, KEPT) is True
    added = [name for name in _added(partial, _listed_files(partial) if kept else None)
             if name != STAGING_MARK]
    changed = files_changed(partial) if kept else []
    for names, how in ((added, "gridqueue did not write"),
                       (changed, "changed since gridqueue wrote them")):
        if names:
            raise OutputError(f"{target}: the unfinished output kept in {partial} holds "
                              f"{files_named(names)} {how} ({some(names)}), which "
                              f"{_resume()} would take into the output and {_force()} would "
                              "delete; move them out first")


def _refuse_if_in_use(target: Path, partial: Path) -> None:
    """Refuse ``partial`` while the gridqueue command whose mark it holds still runs.

    Discarded (``--force``) or continued (``--resume``) by a second command, the first one's
    finished work was lost or both wrote into the same folder.
    """
    mark = partial / STAGING_MARK
    if mark.is_file() and not mark.is_symlink() and _writer(partial) == "running":
        pid = _field(mark, "pid")  # running: the mark named a live process of this machine
        raise OutputError(f"{target}: another gridqueue command (process {pid}) is writing it "
                          f"now, in {partial}; wait for it to end, or choose another output "
                          "directory")


def _refuse_other_kind(target: Path, partial: Path, what: str) -> None:
    """Refuse to resume in ``partial`` what another kind of command (``what``) left there.

    A sweep resumed in what a calibration kept became a sweep holding the calibration's
    evaluations. A folder whose marker names no kind (``"output"``) is let be: gridqueue wrote
    it so before kinds were marked.
    """
    kind = _field(partial / MARKER, "what")
    if isinstance(kind, str) and kind not in ("output", what):
        raise OutputError(f"{target}: the unfinished output kept in {partial} is a {kind}'s, "
                          f"not a {what}'s; pass {_force()} to discard it and start again, or "
                          "choose another output directory")


def _claim_writing(target: Path, partial: Path) -> bool:
    """Put this process's :data:`STAGING_MARK` into ``partial``; True once it is there.

    The mark is made only where there is none, so of two commands that start at once only one
    goes on; the mark a command that no longer runs left (killed outright) is taken over.
    """
    mark = partial / STAGING_MARK
    for _ in range(2):
        try:
            file = open(mark, "x", encoding="utf-8")  # closed by the with below
        except FileExistsError:
            _refuse_if_in_use(target, partial)
            mark.unlink(missing_ok=True)
            continue
        try:
            with file:
                file.write(_writing_mark())
        except OSError:  # made but not written (a full disk): no claim, and nothing to keep
            mark.unlink(missing_ok=True)
            raise
        return True
    raise OutputError(f"{target}: another gridqueue command is writing it now, in {partial}; "
                      "wait for it to end, or choose another output directory")


def _release(partial: Path) -> None:
    """Remove this process's :data:`STAGING_MARK` from ``partial``: it writes there no more."""
    (partial / STAGING_MARK).unlink(missing_ok=True)


def interrupted(target: str | Path, what: str, kept: Callable[[Path], str],
                finished: bool) -> Interrupted:
    """The error to raise when a :func:`resumable_directory` block was interrupted.

    Its message says what was left on disk: the staging directory if it was kept (with
    ``kept(partial)`` saying what it holds), else whether the output was already complete
    (``finished``: the block had ended) or nothing was kept.
    """
    target = output_path(target)
    partial = partial_directory(target)
    if partial.is_dir():
        again = given_as("run the same command with --resume",
                         "call it again with resume=True")
        return Interrupted(f"{what} interrupted: {kept(partial)} kept in {partial}; {again} "
                           "to continue")
    if finished:
        return Interrupted(f"{what} interrupted as it ended: its output is complete in "
                           f"{target}")
    return Interrupted(f"{what} interrupted before any part of it finished: nothing was kept, "
                       "and earlier results are untouched")


def _drop_if_empty(folder: Path) -> None:
    """Remove a staging directory that kept nothing worth resuming (its marker aside)."""
    if folder.is_dir() and {entry.name for entry in os.scandir(folder)} <= {MARKER}:
        shutil.rmtree(folder, ignore_errors=True)


def write_file(target: str | Path, text: str, force: bool, is_ours: str,
               unchanged: Callable[[Path], str | None] | None = None) -> None:
    """Write one text file atomically, replacing an existing one only as directories are.

    An existing ``target`` is replaced only with ``force``, and only if it contains the
    text ``is_ours`` (the signature gridqueue writes into such files) and ``unchanged``, if
    given, finds no reason not to (it returns why: the file was edited since). The file is written
    beside it under a name that holds this process's id and machine, which cannot be marked
    inside the file: one that a write killed outright left is removed by the next write of
    ``target`` (:func:`_clear_files_left`).
    """
    target = output_path(target)
    if os.path.lexists(target):
        if target.is_dir():
            raise OutputError(f"{target}: is a directory; name a file to write")
        if target.is_symlink() or not target.is_file() or not _contains(target, is_ours):
            raise OutputError(f"{target}: exists and was not written by gridqueue, so "
                              f"{_force()} will not replace it; choose another file")
        if unchanged is not None and (why := unchanged(target)) is not None:
            raise OutputError(f"{target}: {why}, so {_force()} will not replace it; move it "
                              "aside first, or choose another file")
        if not force:
            raise OutputError(f"{target}: already exists; choose another file or pass "
                              f"{_force()} to replace it")
    made = _make_parent(target)
    _clear_files_left(target, is_ours)
    try:
        handle, name = tempfile.mkstemp(
            prefix=f"{_staging_prefix(target)}{os.getpid()}-{_host_tag()}-", dir=target.parent)
    except OSError as exc:
        _remove_made(made)
        raise OutputError(f"{target}: could not write it ({exc.strerror or exc}); nothing "
                          "was changed") from None
    staging = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        staging.chmod(0o666 & ~_umask())
        os.replace(staging, target)
    except BaseException as exc:
        staging.unlink(missing_ok=True)
        _remove_made(made)
        if isinstance(exc, OSError):
            raise OutputError(f"{target}: could not write it ({exc.strerror or exc}); "
                              "nothing was changed") from None
        raise


def _host_tag() -> str:
    """The machine and PID namespace this runs in, as part of a file's name: a short hash.

    The namespace as in a folder's mark (:func:`_writing_mark`): a container sharing the
    host's name and folder numbers its processes apart, so by name and process id alone the
    host took a file a command there was still writing for a killed write's, and removed it.
    """
    namespace = _pid_namespace()
    machine = socket.gethostname() + ("" if namespace is None else f" {namespace}")
    return hashlib.sha256(machine.encode()).hexdigest()[:8]


def _clear_files_left(target: Path, is_ours: str) -> None:
    """Remove the staging files beside ``target`` that a killed gridqueue left, and say so.

    Only those named as :func:`write_file` names them, by a process of this machine that no
    longer runs, that are empty or hold ``is_ours`` (gridqueue's signature). Any other so
    named (another machine's, one named before names held the process, a folder or a link)
    is left alone, with a warning.
    """
    name = re.compile(re.escape(_staging_prefix(target)) + r"(?:(\d+)-([0-9a-f]{8})-)?[a-z0-9_]+")
    try:
        found = sorted((entry.name, match) for entry in os.scandir(target.parent)
                       if (match := name.fullmatch(entry.name)))
    except OSError:
        return  # the write that follows says what is wrong
    removed: list[str] = []
    unknown: list[str] = []
    for entry, match in found:
        staging = target.parent / entry
        pid, host = match.groups()
        writer = "unknown" if pid is None else _process(int(pid), host == _host_tag())
        if writer == "running":
            continue
        if writer == "gone" and _own_file(staging, is_ours):
            try:
                staging.unlink()
                removed.append(str(staging))
                continue
            except OSError:
                pass
        unknown.append(str(staging))
    _say_left(target, removed, unknown)


def _own_file(path: Path, is_ours: str) -> bool:
    """Whether ``path`` is a file (not a link) that is empty or holds ``is_ours``."""
    try:
        return path.is_file() and not path.is_symlink() and (
            path.stat().st_size == 0 or _contains(path, is_ours))
    except OSError:
        return False


def _contains(path: Path, text: str, limit: int = 4096) -> bool:
    """Whether the first ``limit`` bytes of a file hold ``text``."""
    try:
        with open(path, "rb") as file:
            return text.encode() in file.read(limit)
    except OSError:
        return False


def _umask() -> int:
    """The process's file-mode creation mask (reading it means setting it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
