"""Reading a written sweep back: the same tables, words and figure, or one clear refusal."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from sim import GridqueueError, Sweep, sweep
from sim.runs.results import scenario_yaml
from tests.comparison_family import write_family

GRID = {"grid.capacity_mw": [1, 2], "streams.basic.rate_per_year": [5, 8]}
"""Two keys (a heat map), one of which redraws a stream: cells not paired in every group."""


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Sweep, Path]:
    """A sweep of a scenario naming a waiting-list CSV, written."""
    folder = tmp_path_factory.mktemp("sweep")
    write_family(folder)
    (folder / "list.csv").write_text("request_date,category,demand_mw\n2021-03-01,other,0.5\n"
                                     "2021-09-01,basic_needs,0.3\n", encoding="utf-8")
    (folder / "listed.yaml").write_text("extends: fifo.yaml\nname: listed\n"
                                        "waiting_list: {csv: list.csv}\n", encoding="utf-8")
    swept = sweep(folder / "listed.yaml", GRID, replications=2, workers=1)
    swept.write(folder / "out")
    return swept, folder / "out"


def test_read_gives_back_every_table(written: tuple[Sweep, Path]) -> None:
    swept, folder = written
    back = Sweep.read(folder)
    for name in ("cells", "metrics", "table"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(swept, name), obj=name)
    pd.testing.assert_frame_equal(back.with_differences(), swept.with_differences())
    assert (back.vary, back.overrides) == (swept.vary, swept.overrides)
    assert (back.paired, back.members) == (swept.paired, swept.members)
    assert any(not paired for groups in back.paired.values() for paired in groups.values())
    assert back.run_info == json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert scenario_yaml(back.scenario) == scenario_yaml(swept.scenario)
    assert back.describe() == swept.describe()
    plt.close(back.figure())


def test_a_sweep_over_dates_reads_back_dates(tmp_path: Path) -> None:
    """Dates given in Python read back as dates, not as the text JSON writes them."""
    family = write_family(tmp_path)
    days = [dt.date(2023, 6, 1), dt.date(2024, 6, 1)]
    swept = sweep(family["fifo"], {"grid.upgrades.0.date": days}, replications=2, workers=1)
    back = Sweep.read(swept.write(tmp_path / "out"))
    assert back.vary == swept.vary == {"grid.upgrades.0.date": days}
    assert back.overrides == swept.overrides
    assert list(back.cells["grid.upgrades.0.date"]) == days


def test_a_read_sweep_writes_the_same_table(written: tuple[Sweep, Path],
                                            tmp_path: Path) -> None:
    _, folder = written
    Sweep.read(folder).write(tmp_path / "again")
    assert ((tmp_path / "again" / "sweep.csv").read_bytes()
            == (folder / "sweep.csv").read_bytes())


def _without_pairing(folder: Path) -> None:
    info = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    for entry in info["cells"].values():
        del entry["paired"]
    (folder / "run.json").write_text(json.dumps(info), encoding="utf-8")


def _cut_short(folder: Path) -> None:
    data = (folder / "sweep.csv").read_bytes()
    (folder / "sweep.csv").write_bytes(data[: len(data) // 2])


def _first_cell(folder: Path) -> str:
    return next(iter(json.loads((folder / "run.json").read_text(encoding="utf-8"))["cells"]))


def _a_date_nowhere(folder: Path) -> None:
    about = folder / "cells" / f"{_first_cell(folder)}.json"
    info = json.loads(about.read_text(encoding="utf-8"))
    info["dates"] = [{"at": ["nowhere"], "type": "date"}]
    about.write_text(json.dumps(info), encoding="utf-8")


@pytest.mark.parametrize(("damage", "message"), [
    (_a_date_nowhere, r"cells/[^ ]+\.json: dates\.0: expected where among the overrides a "
     "date lies"),
    (_without_pairing, r"run\.json: cells\.[^.]+\.paired: expected .*earlier gridqueue"),
    (_cut_short, r"sweep\.csv:\d+: truncated"),
    (lambda f: (f / "cells" / f"{_first_cell(f)}.csv").unlink(),
     r"cells/[^ ]+\.csv: expected the figures of cell .* per replication; missing"),
    (lambda f: (f / "run.json").write_text("[]", encoding="utf-8"),
     r"run\.json: expected readable JSON \(the provenance gridqueue sweep writes\); got list"),
    (lambda f: (f / "waiting_list.csv").unlink(), r"waiting_list\.csv: expected an existing"),
])
def test_a_damaged_sweep_is_refused(written: tuple[Sweep, Path], tmp_path: Path,
                                    damage: Callable[[Path], None], message: str) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(written[1], copy)
    damage(copy)
    with pytest.raises(GridqueueError, match=message):
        Sweep.read(copy)


def test_other_folders_are_refused(written: tuple[Sweep, Path], tmp_path: Path) -> None:
    _, folder = written
    (tmp_path / "comparison.json").write_text("{}", encoding="utf-8")
    with pytest.raises(GridqueueError, match=f"{re.escape(str(tmp_path))}: expected a folder "
                       "written by gridqueue sweep, with sweep.csv; this is the output of "
                       "gridqueue compare; read it with Comparison.read"):
        Sweep.read(tmp_path)
    with pytest.raises(GridqueueError, match="no sweep.csv found"):
        Sweep.read(folder / "cells")


def test_a_sweep_over_pandas_timestamps_reads_back(tmp_path: Path) -> None:
    """A Timestamp varied in a sweep reads back as the datetime it is.

    Recorded by its own type name, which reading took for a damaged file, the sweep ran,
    wrote, and could not be read back.
    """
    family = write_family(tmp_path)
    days = [pd.Timestamp(2023, 6, 1), pd.Timestamp(2024, 6, 1)]
    swept = sweep(family["fifo"], {"grid.upgrades.0.date": days}, replications=2, workers=1)
    back = Sweep.read(swept.write(tmp_path / "out"))
    assert back.vary == {"grid.upgrades.0.date": [dt.datetime(2023, 6, 1),
                                                  dt.datetime(2024, 6, 1)]}
