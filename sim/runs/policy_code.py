"""The code of a scenario's own queue policies: where it is, its hash, and a copy kept with results.

A custom policy is code outside the scenario file, and the tables depend on it as much as on the
scenario. Its module is named in one of two ways, ``policy.order: module:Class`` (or a
``policy.changes`` entry) and ``policy.import: [module]``; both are kept the same way. The
module's source file's SHA-256 is part of what defines a run (see
:func:`sim.runs.results.definition_hash`), and the file is copied into the results directory,
beside ``scenario.yaml``, where the scenario finds it again: ``gridqueue reproduce`` re-runs
that very code, and ``gridqueue sweep --resume`` refuses cells made with other code.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import shutil
import sys
from importlib.metadata import entry_points
from pathlib import Path

from sim.inputs.scenario import Scenario
from sim.policies import import_policy_modules, resolve_policy
from sim.policies.registry import ENTRY_POINT_GROUP

__all__ = ["code_hashes", "copy_policy_code", "not_kept", "policy_files", "policy_modules"]


def policy_modules(scenario: Scenario) -> list[str]:
    """The user modules the scenario's policies come from: policy.import and module:Class."""
    named = list(scenario.policy.imports or [])
    for _, regime in scenario.policy.regimes():
        module_name, colon, _ = regime.order.partition(":")
        if colon:
            named.append(module_name)
    return [name for name in dict.fromkeys(named) if _user_module(name)]


def policy_files(scenario: Scenario) -> dict[str, tuple[Path, Path]]:
    """Each policy module the scenario names (:func:`policy_modules`): its source and its copy.

    The copy's path is relative to a results directory: ``mypolicies.py``, ``pkg/sub.py`` or
    ``pkg/__init__.py``, where the scenario's folder is searched for the module. Modules of
    gridqueue itself (its version is recorded) and modules without a source file (defined in
    a notebook) are left out: there is no file to keep.
    """
    files = {}
    for module_name in policy_modules(scenario):
        import_policy_modules([module_name], scenario.base_dir)  # imported already at loading
        try:
            source = inspect.getsourcefile(sys.modules[module_name])
        except TypeError:  # a module without a file, e.g. one made in a notebook
            source = None
        if source is None:
            continue
        parts = module_name.split(".")
        kept = (Path(*parts, "__init__.py") if Path(source).name == "__init__.py"
                else Path(*parts).with_suffix(".py"))
        files[module_name] = (Path(source), kept)
    return files


def _user_module(name: str) -> bool:
    """Whether a policy module is the user's: gridqueue's own are versioned with it."""
    return name not in ("__main__", "sim") and not name.startswith("sim.")


def code_hashes(scenario: Scenario) -> dict[str, str]:
    """SHA-256 of the source of each policy module the scenario names, by module name."""
    return {module: hashlib.sha256(source.read_bytes()).hexdigest()
            for module, (source, _) in policy_files(scenario).items()}


def copy_policy_code(scenario: Scenario, folder: Path) -> None:
    """Copy each policy module's source into ``folder`` where the scenario will find it."""
    for source, kept in policy_files(scenario).values():
        target = folder / kept
        if target.resolve() == source.resolve():
            continue  # the results directory is where the scenario came from
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def not_kept(scenario: Scenario) -> list[str]:
    """What of the scenario's policy code a results folder will not hold, one line each.

    A policy registered in Python (a notebook, a script's ``__main__``, a module imported
    there) is found by name only in that process, and a copied module's imports of modules
    beside it are not copied. The tables are complete either way, and ``report`` and
    ``compare`` read only them; ``reproduce``, which runs the scenario again, would fail.
    """
    kept = policy_modules(scenario)
    problems = []
    for order in dict.fromkeys(regime.order for _, regime in scenario.policy.regimes()):
        if ":" in order:
            continue  # its module is copied (policy_files), or it has no file: said below
        cls = resolve_policy(order, scenario.base_dir, scenario.policy.imports or ())
        if (cls.__module__ == "sim" or cls.__module__.startswith("sim.")
                or cls.__module__ in kept or entry_points(group=ENTRY_POINT_GROUP, name=order)):
            continue
        problems.append(f"queue policy '{order}' ({cls.__qualname__}, registered in module "
                        f"{cls.__module__}) is not named by policy.import, so its code is not "
                        "kept")
    files = policy_files(scenario)
    for module_name in kept:
        if module_name not in files:
            problems.append(f"policy module {module_name} has no source file to keep")
    for module_name, (source, _) in files.items():
        beside = sorted(name for name in _imported(source)
                        if name not in files and _is_beside(name, source.parent))
        if beside:
            problems.append(f"policy module {module_name} imports {', '.join(beside)} from its "
                            "folder, which is not copied (name it in policy.import to keep it)")
    return problems


def _imported(source: Path) -> set[str]:
    """The top-level modules a source file imports by absolute name."""
    try:
        tree = ast.parse(source.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module.partition(".")[0])
    return names


def _is_beside(name: str, folder: Path) -> bool:
    """Whether a module of that name is a file or package in ``folder``."""
    return (folder / f"{name}.py").is_file() or (folder / name / "__init__.py").is_file()
