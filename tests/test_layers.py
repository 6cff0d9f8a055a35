"""The folder listing is the architecture: each layer of ``sim/`` imports only layers below it.

The layers, bottom to top, are listed in :data:`LAYERS` and described in docs/model.md section
5.1. A module may import its own layer and those below; an import upwards would tie a lower
layer to a higher one and is reported here with the line that does it.
"""

from __future__ import annotations

import ast
from pathlib import Path

SIM = Path(__file__).resolve().parents[1] / "sim"

LAYERS = ("_version", "errors", "inputs", "policies", "engine", "runs", "figures", "report",
          "analysis", "cli")
"""Bottom to top. ``sim/__init__.py`` (the public API) and ``__main__`` may import anything."""

ALLOWED_UPWARDS = {
    ("sim.inputs.loading", "sim.policies"):
        "loading checks that the policies a scenario names import and build, before any run",
}
"""Justified exceptions: (importing module, imported package) and why."""


def layer_of(module: str) -> str | None:
    """The layer of a dotted ``sim`` module name (None for the package's top files)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def module_name(path: Path) -> str:
    """``sim/runs/metrics.py`` -> ``sim.runs.metrics``."""
    relative = path.relative_to(SIM.parent).with_suffix("")
    return ".".join(p for p in relative.parts if p != "__init__")


def imports_of(path: Path) -> list[tuple[str, int]]:
    """Every ``sim.*`` module a file imports (at any depth, lazy ones too), with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
    return [(name, line) for name, line in found if name.startswith("sim.")]


def test_every_module_is_in_a_layer():
    """No module lies loose in sim/ beside the layers (only the package's own top files)."""
    loose = {p.name for p in SIM.glob("*.py")} - {"__init__.py", "__main__.py", "_version.py",
                                                  "errors.py", "cli.py"}
    assert not loose, f"modules outside a layer folder: {sorted(loose)}"


def test_no_layer_imports_a_layer_above_it():
    """Imports only go down the list of layers (or stay in the same layer)."""
    upward = []
    for path in sorted(SIM.rglob("*.py")):
        me = module_name(path)
        mine = layer_of(me)
        if mine is None:
            continue
        for imported, line in imports_of(path):
            theirs = layer_of(imported)
            if theirs is None or LAYERS.index(theirs) <= LAYERS.index(mine):
                continue
            if (me, ".".join(imported.split(".")[:2])) in ALLOWED_UPWARDS:
                continue
            upward.append(f"{path.relative_to(SIM.parent)}:{line} imports {imported}")
    assert not upward, "imports up the layers:\n" + "\n".join(upward)


def test_the_checker_sees_an_upward_import(tmp_path):
    """The check itself works: an engine module importing the report is caught."""
    engine = tmp_path / "sim" / "engine"
    engine.mkdir(parents=True)
    (engine / "bad.py").write_text("def f():\n    from sim.report.html import render\n")
    assert imports_of(engine / "bad.py") == [("sim.report.html", 2)]
    assert LAYERS.index(layer_of("sim.report.html")) > LAYERS.index(layer_of("sim.engine.bad"))
