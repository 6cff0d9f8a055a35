"""Policies by name: the built-ins, those registered by users, and ``module:Class`` paths."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
import traceback
from collections.abc import Sequence
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType

from sim.errors import closest, nearest
from sim.policies.base import QueuePolicy

__all__ = ["ENTRY_POINT_GROUP", "POLICIES", "PolicyNameTaken", "import_policy_modules",
           "register_policy", "resolve_policy"]

POLICIES: dict[str, type[QueuePolicy]] = {}
"""Every registered policy class by its name."""


class PolicyNameTaken(ValueError):
    """A policy registered under a name that another policy already has."""


def register_policy(cls: type[QueuePolicy]) -> type[QueuePolicy]:
    """Class decorator: make a policy available to scenario files under ``cls.name``.

    A name already taken by another policy (a built-in's, say) is refused with
    :class:`PolicyNameTaken`: replacing it would change every scenario of the process that
    names it. The same class registered again (its module imported again) replaces itself.
    A class that does not subclass :class:`QueuePolicy` is refused with a TypeError: it has
    no ``ranks`` for the engine to call, and was found only when a scenario named it. A name
    given to it (``@register_policy("mine")``, as other libraries' decorators take) is
    refused with the way to give one.
    """
    if isinstance(cls, str):
        raise TypeError(
            f"register_policy takes the class itself, not a name: write @register_policy "
            f"without brackets above the class, and give the class name = {cls!r} "
            "(see docs/policies.md)"
        )
    if not (isinstance(cls, type) and issubclass(cls, QueuePolicy)):
        shown = cls.__name__ if isinstance(cls, type) else repr(cls)
        raise TypeError(
            f"{shown} is not a QueuePolicy subclass and cannot be registered as a queue "
            f"policy; expected class {shown}(QueuePolicy) after from sim import QueuePolicy "
            "(see docs/policies.md)"
        )
    if not cls.name:
        raise ValueError(f"{cls.__name__} needs a class attribute 'name' to be registered")
    taken = POLICIES.get(cls.name)
    if taken is not None and not _same_class(taken, cls):
        raise PolicyNameTaken(
            f"policy module '{cls.__module__}' registers {cls.__qualname__} as queue policy "
            f"'{cls.name}', a name {taken.__module__}.{taken.__qualname__} already has; give "
            "the policy another name"
        )
    POLICIES[cls.name] = cls
    return cls


def _same_class(registered: type[QueuePolicy], cls: type[QueuePolicy]) -> bool:
    """Whether ``cls`` is the registered class, or that class of its module imported again."""
    return registered is cls or (registered.__module__, registered.__qualname__) == (
        cls.__module__, cls.__qualname__)


ENTRY_POINT_GROUP = "gridqueue.policies"
"""Installed packages offer policies under this entry-point group: ``name = module:Class``."""


def import_policy_modules(modules: Sequence[str], search_dir: Path | None = None) -> None:
    """Import the modules a scenario's ``policy.import`` names, so their policies register.

    Raises LookupError (naming the module) when one cannot be imported.
    """
    for module_name in modules:
        _import(module_name, search_dir)


def resolve_policy(
    order: str, search_dir: Path | None = None, imports: Sequence[str] = ()
) -> type[QueuePolicy]:
    """The policy class a scenario names: a registered name or ``module:Class``.

    A name is looked up among the registered policies, after importing ``imports`` (the
    scenario's ``policy.import``), then among the installed packages' entry points of the
    group ``gridqueue.policies``. A ``module:Class`` is imported from the Python path or from
    ``search_dir`` (the scenario's own folder). Both run that module's code: scenario files
    are otherwise plain data. Raises LookupError with a message fit for the user when the
    policy cannot be found.
    """
    import_policy_modules(imports, search_dir)
    if ":" not in order:
        if order in POLICIES:
            return _complete(POLICIES[order], order)
        offered = _entry_point(order)
        if offered is not None:
            return _complete(offered, order)
        hint = (_unregistered(order) or nearest(order, POLICIES)
                or _colon_hint(order))
        raise LookupError(
            f"unknown queue policy '{order}'{hint}; "
            f"expected one of {', '.join(sorted(POLICIES))}, a name that policy.import "
            f"registers or an installed package offers ({ENTRY_POINT_GROUP}), or 'module:Class'"
        )
    module_name, _, class_name = order.partition(":")
    module = _import(module_name, search_dir)
    cls = getattr(module, class_name, None) if class_name else None
    if cls is None:
        raise LookupError(_no_such_class(order, module, class_name))
    if not (isinstance(cls, type) and issubclass(cls, QueuePolicy)):
        what = ("a class, but not a subclass of QueuePolicy" if isinstance(cls, type)
                else f"a {type(cls).__name__}, not a QueuePolicy subclass")
        raise LookupError(
            f"'{order}': '{class_name}' in module {module_name} is {what}; a policy is a "
            f"class that subclasses gridqueue's QueuePolicy (from sim import QueuePolicy, then "
            f"class {class_name}(QueuePolicy)) and defines sort_key(self, applicant) (see "
            "docs/policies.md)"
        )
    return _complete(cls, order)


def _unregistered(order: str) -> str:
    """A hint for a policy class that is named but was never registered, or ''.

    Its ``name`` (or the class's own name) given as the order, without ``@register_policy``
    above the class, in a ``policy.import`` module or a notebook: the name read as unknown.
    """
    found, seen = list(QueuePolicy.__subclasses__()), set()
    while found:
        cls = found.pop()
        if cls in seen:
            continue
        seen.add(cls)
        found.extend(cls.__subclasses__())
        if order in (cls.name, cls.__name__) and POLICIES.get(cls.name) is not cls:
            path = f"{cls.__module__}:{cls.__qualname__}"
            other = "" if "<locals>" in path else f", or name it '{path}'"  # importable
            return (f" (class {cls.__qualname__} of module {cls.__module__} is not "
                    f"registered: put @register_policy above it{other})")
    return ""


def _colon_hint(order: str) -> str:
    """A hint for ``module.Class`` written where ``module:Class`` was meant, or ''."""
    module_name, dot, class_name = order.rpartition(".")
    if not dot or not module_name or not class_name[:1].isupper():
        return ""
    return f" (a class in a module is named with a colon: '{module_name}:{class_name}')"


def _no_such_class(order: str, module: ModuleType, class_name: str) -> str:
    """Why ``module:Class`` names no class: the policies the module defines, the nearest first.

    A policy's registered ``name`` given as the class (``mypolicies:jobs_per_mw``) is
    pointed to its own way of being named.
    """
    policies = {name: value for name, value in vars(module).items()
                if isinstance(value, type) and issubclass(value, QueuePolicy)
                and value.__module__ == module.__name__}
    text = (f"'{order}': module {module.__name__} has no QueuePolicy subclass named "
            f"'{class_name}'")
    registered = [name for name, cls in policies.items() if cls.name == class_name]
    if class_name and registered:
        return (f"{text}; '{class_name}' is the name its class {registered[0]} registers: "
                f"expected order: {class_name} with import: [{module.__name__}], or "
                f"'{module.__name__}:{registered[0]}'")
    hint = nearest(class_name, policies) if class_name else ""
    if not hint and class_name:
        folded = {name.casefold(): name for name in policies}
        if class_name.casefold() in folded:
            hint = f" (did you mean '{folded[class_name.casefold()]}'?)"
    if not policies:
        return (f"{text}{hint}; expected 'module:Class' with a class of the module that "
                "subclasses QueuePolicy, and it defines none")
    return (f"{text}{hint}; expected 'module:Class' with one of its classes: "
            f"{', '.join(sorted(policies))}")


def _complete(cls: type[QueuePolicy], order: str) -> type[QueuePolicy]:
    """The class, if it defines every method a policy must have (``sort_key``, misspelt say).

    Python would refuse it only when it is built, as if its parameters were wrong.
    """
    missing = sorted(getattr(cls, "__abstractmethods__", ()))
    if not missing:
        for method, argument in (("sort_key", "applicant"), ("ranks", "table")):
            if (why := _not_called_as(cls, method)) is not None:
                raise LookupError(
                    f"queue policy '{order}': class {cls.__qualname__} in module "
                    f"{cls.__module__} defines {method}{why}, which cannot be called as "
                    f"{method}(self, {argument}); expected a method that takes self, then "
                    f"the {argument} (see docs/policies.md)")
        return cls
    own = [name for name, value in vars(cls).items() if callable(value)]
    misspelt = [(name, match) for name in missing if (match := closest(name, own)) is not None]
    hints = "".join(f"; it defines {written}: rename it {name}" for name, written in misspelt)
    raise LookupError(
        f"queue policy '{order}': class {cls.__qualname__} in module {cls.__module__} does "
        f"not define {', '.join(missing)}{hints}; a policy must define sort_key(self, "
        "applicant), returning the applicant's place in line (see docs/policies.md)"
    )


def _not_called_as(cls: type[QueuePolicy], method: str) -> str | None:
    """``method``'s parameters as written, if the engine cannot call it with one argument.

    A ``sort_key(applicant)`` without ``self``, say, otherwise failed only while ranking,
    with a TypeError that read as if the keys it returned were wrong.
    """
    static = inspect.getattr_static(cls, method)
    function = getattr(cls, method)
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):  # no signature to read (a builtin): calling it will tell
        return None
    # Read from the class, a plain method still has self to fill; a static or class method not.
    arguments = (None,) if isinstance(static, staticmethod | classmethod) else (None, None)
    try:
        signature.bind(*arguments)
    except TypeError:
        return str(signature)
    return None


def _entry_point(name: str) -> type[QueuePolicy] | None:
    """The policy an installed package offers under ``name``, or None if none does."""
    found = entry_points(group=ENTRY_POINT_GROUP, name=name)
    if not found:
        return None
    entry = next(iter(found))
    try:
        cls = entry.load()
    except Exception as exc:  # loading runs the package's code: any failure is reported
        raise LookupError(f"queue policy '{name}' ({entry.value}, offered by an installed "
                          f"package): {type(exc).__name__}: {exc}") from None
    if not (isinstance(cls, type) and issubclass(cls, QueuePolicy)):
        raise LookupError(f"queue policy '{name}': the installed package's entry point "
                          f"{entry.value} is not a QueuePolicy subclass")
    return cls


def _import(module_name: str, search_dir: Path | None) -> ModuleType:
    local = _local_file(module_name, search_dir)
    loaded = sys.modules.get(module_name)
    loaded_file = getattr(loaded, "__file__", None)
    if local is not None and loaded is not None and (
        loaded_file is None or Path(loaded_file).resolve() != local
    ):
        raise LookupError(
            f"cannot import policy module '{module_name}' from {local}: a module of that name "
            f"is already loaded from {loaded_file or 'elsewhere'}; give the file another name"
        )
    added = search_dir is not None and str(search_dir) not in sys.path
    if added:
        sys.path.insert(0, str(search_dir))
    try:
        return _import_refusing_exits(module_name)
    except SystemExit as exc:  # not an Exception: it would end gridqueue as if it had finished
        raise LookupError(_exited(module_name, exc, search_dir)) from None
    except PolicyNameTaken as exc:  # the module was found: what it registers is the problem
        raise LookupError(str(exc)) from None
    except Exception as exc:  # an import runs user code: any failure is the user's to see
        raised = _raised_at(exc, search_dir)
        if raised is not None:  # the module was found, and its code failed
            raise LookupError(f"cannot import policy module '{module_name}' "
                              f"({type(exc).__name__}: {exc}) {raised}") from None
        where = "the Python path" + (f" and {search_dir}" if search_dir is not None else "")
        hint = (f" (a module is named without .py: '{module_name.removesuffix('.py')}')"
                if module_name.endswith(".py") else _beside(module_name, search_dir))
        raise LookupError(
            f"cannot import policy module '{module_name}' (looked on {where}): "
            f"{type(exc).__name__}: {exc}{hint}"
        ) from None
    finally:
        if added:
            sys.path.remove(str(search_dir))


def _beside(module_name: str, search_dir: Path | None) -> str:
    """A hint naming the module file beside the scenario nearest ``module_name``, or ''."""
    if search_dir is None or not search_dir.is_dir():
        return ""
    return nearest(module_name, sorted(path.stem for path in search_dir.glob("*.py")))


def _import_refusing_exits(module_name: str) -> ModuleType:
    """Import a policy module with ``os._exit`` raising SystemExit, as ``sys.exit`` does.

    Its code runs while it is imported; an exit there would end every command with no
    message, and with exit code 0 (``sys.exit(0)``) as if it had done its work.
    """
    from sim.policies.checked import exits_refused  # checked imports this package's modules

    with exits_refused():
        return importlib.import_module(module_name)


def _exited(module_name: str, exc: SystemExit, search_dir: Path | None) -> str:
    """Why a policy module that called ``sys.exit`` or ``os._exit`` while imported is refused.

    Names the file and line of the call (:func:`_raised_at`), or the module's file.
    """
    where = _raised_at(exc, search_dir) or _module_file(module_name)
    return (f"policy module '{module_name}' called sys.exit or os._exit ({exc.code!r}) while "
            f"being imported{f' ({where})' if where else ''}; a policy module must define "
            "policies, not end the program")


def _module_file(module_name: str) -> str | None:
    """``from FILE``: where a module would be imported from, if that can be told."""
    try:
        spec = importlib.util.find_spec(module_name)
    except (ImportError, ValueError):
        return None
    return f"from {spec.origin}" if spec is not None and spec.origin else None


def _raised_at(exc: BaseException, search_dir: Path | None) -> str | None:
    """``at FILE:LINE`` (``in FUNCTION at FILE:LINE`` in a function) where an import failed.

    The last frame of code outside Python's import machinery and gridqueue: the policy
    module's, or a module it imports. One in ``search_dir`` (the scenario's folder), where
    the policy modules are, is preferred to a library's the module called. None when no
    such code ran (the module was not found).
    """
    if isinstance(exc, SyntaxError) and exc.filename and exc.lineno:  # no frame runs it
        return f"at {exc.filename}:{exc.lineno}"
    machinery = (Path(__file__).resolve().parents[1], Path(importlib.__file__).resolve().parent)
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__)
              if not frame.filename.startswith("<frozen ")
              and not any(Path(frame.filename).resolve().is_relative_to(folder)
                          for folder in machinery)]
    if not frames:
        return None
    beside = [frame for frame in frames if search_dir is not None
              and Path(frame.filename).resolve().is_relative_to(search_dir.resolve())]
    frame = (beside or frames)[-1]
    inside = "" if frame.name == "<module>" else f"in {frame.name} "
    return f"{inside}at {frame.filename}:{frame.lineno}"


def _local_file(module_name: str, search_dir: Path | None) -> Path | None:
    """The file in ``search_dir`` that would provide ``module_name``, if there is one."""
    parts = module_name.split(".")
    if search_dir is None or not all(part.isidentifier() for part in parts):
        return None
    for candidate in (search_dir.joinpath(*parts).with_suffix(".py"),
                      search_dir.joinpath(*parts, "__init__.py")):
        if candidate.is_file():
            return candidate.resolve()
    return None
