"""What the readers of a comparison's and a sweep's folders share: its JSON, and its kind.

Each folder holds a JSON file of provenance (``comparison.json``, ``run.json``) and a file
only its own command writes; a folder of another command is named as such, not read as a
damaged one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sim.errors import InputError, OutputError
from sim.inputs.files import read_limited
from sim.runs.result_files import MAX_RUN_JSON_BYTES

__all__ = ["OUTPUTS", "read_provenance", "refuse_other_outputs"]

OUTPUTS = {
    "sweep.csv": "the output of gridqueue sweep; read it with Sweep.read",
    "comparison.json": "the output of gridqueue compare; read it with Comparison.read",
    "evaluations.csv": "the output of gridqueue calibrate",
    "run.json": "the results of gridqueue run; read it with Results.read",
}
"""A file each command's folder holds, and what that folder is: the first found names it (a
sweep's folder holds run.json too)."""


def refuse_other_outputs(folder: Path, own: str, command: str) -> None:
    """Refuse a folder without the file ``own``, saying what it is if another command's."""
    if os.path.lexists(folder / own):
        return  # one that is there says why it is bad when read
    if not folder.is_dir():
        raise OutputError(f"{folder}: expected a folder written by gridqueue {command}; no "
                          "such folder")
    found = next((what for name, what in OUTPUTS.items() if (folder / name).is_file()), None)
    raise OutputError(f"{folder}: expected a folder written by gridqueue {command}, with "
                      f"{own}; {f'this is {found}' if found else f'no {own} found'}")


def read_provenance(path: Path, command: str) -> dict[str, Any]:
    """The JSON object of provenance ``gridqueue command`` wrote, or one message saying why not."""
    expected = f"expected readable JSON (the provenance gridqueue {command} writes)"
    try:
        info = json.loads(read_limited(path, MAX_RUN_JSON_BYTES).decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(path, "", f"{expected}; it is not UTF-8 text: damaged") from None
    except json.JSONDecodeError as exc:
        raise InputError(path, "", f"expected readable JSON ({exc.msg}, column {exc.colno}); "
                         "it is damaged", line=exc.lineno) from None
    except ValueError:  # a whole number longer than Python reads
        raise InputError(path, "", f"{expected}; it is damaged") from None
    except OSError as exc:
        raise InputError(path, "", f"{expected}; it cannot be read "
                         f"({exc.strerror or exc})") from None
    if not isinstance(info, dict):
        raise InputError(path, "", f"{expected}; got {type(info).__name__}")
    return info
