"""Merging a scenario file onto the file it ``extends``, and the rules that go with it.

Mappings merge key by key and anything else is replaced; a distribution (a mapping whose
``dist`` names a family) is one value, replaced whole too. There are two ways to take away
what a parent gives (``null`` for a key, ``{remove: [names], add: [items]}`` for a list of
named items) and one rule for the policy: a file that sets ``policy.order`` without
``policy.changes`` replaces the inherited schedule. Plain data in, plain data out; errors
name the file, line and key path.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sim.errors import InputError, nearest

__all__ = ["Place", "drop_schedule", "dropped_by_override", "dropped_changes", "dropped_items",
           "merge", "replaces_schedule", "value_text"]


@dataclass(frozen=True)
class Place:
    """A file being merged onto its parent, for errors that name its lines."""

    file: Path
    line: Callable[[tuple[str, ...]], int | None]
    """The line of a key path in the file, when it has one."""
    blank: Callable[[tuple[str, ...]], bool]
    """Whether the file leaves the value of a key path blank, which is no way to remove it."""


def merge(base: dict[str, Any], child: dict[str, Any], place: Place,
          path: tuple[str, ...] = (), fresh: bool = False) -> dict[str, Any]:
    """Deep merge: mappings merge key by key; anything else (lists too) is replaced.

    A distribution, the child's or the parent's, is one value and is replaced whole (merged
    key by key, a new family would keep the old family's parameters). ``null`` removes an
    inherited key (a stream, an area, a block); ``{remove: [names], add: [items]}`` edits an
    inherited list of named items (upgrades, projects). Inside a mapping the parent does not
    have (``fresh``), ``null`` is an ordinary value.
    """
    merged = copy.deepcopy(base)
    for key, value in child.items():
        here = (*path, str(key))
        if value is None and fresh:
            merged[key] = None
        elif value is None:
            if key in merged and place.blank(here):
                raise InputError(place.file, ".".join(here), "expected a value; a blank one "
                                 "would remove the inherited key: write null to remove it",
                                 line=place.line(here))
            if key not in merged:
                raise InputError(place.file, ".".join(here), "expected a key the parent file "
                                 "gives (null removes an inherited key); nothing to remove here"
                                 f"{nearest(str(key), merged)}", line=place.line(here))
            del merged[key]
        elif _is_list_edit(value):
            merged[key] = _edit_list(merged.get(key), value, place, here)
        elif _is_distribution(merged.get(key)) and isinstance(value, dict) and "dist" not in value:
            raise InputError(place.file, ".".join(here), _whole_distribution(merged[key], value),
                             line=place.line(here))
        elif _is_distribution(value) or _is_distribution(merged.get(key)):
            merged[key] = copy.deepcopy(value)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value, place, here, fresh)
        elif isinstance(value, dict) and key not in merged:
            merged[key] = merge({}, value, place, here, fresh=True)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _whole_distribution(inherited: dict[str, Any], given: dict[str, Any]) -> str:
    """Why a child's mapping without ``dist`` cannot edit the parent's distribution, and the fix.

    Where the child gives only parameters the parent's family has, the fix is written out:
    the parent's distribution with the child's values.
    """
    text = ("expected a whole distribution with its dist: the parent file gives "
            f"{value_text(inherited)}, which a child replaces whole rather than edits, so write "
            "every parameter")
    if set(given) <= set(inherited):
        text += f", such as {value_text({**inherited, **given})}"
    return text


def value_text(value: Any) -> str:
    """A value as it would be typed: YAML flow style for lists and mappings, keys as given.

    Sorted keys turned a delay typed as {dist: triangular, low: 0, mode: 1, high: 4} into
    "{dist: triangular, high: 4, low: 0, mode: 1}" in the lines, the figure and sweep.csv, and
    a long value was broken over lines.
    """
    if isinstance(value, (dict, list)):
        return yaml.safe_dump(value, default_flow_style=True, sort_keys=False,
                              width=10**6).strip()
    return str(value)


def _is_distribution(value: Any) -> bool:
    """Whether a value is a distribution, ``{dist: family, ...}``, which merges as one value.

    ``dist`` must name a family (text): a stream or area that happens to be called ``dist``
    holds a mapping, and its neighbours still merge key by key.
    """
    return isinstance(value, dict) and isinstance(value.get("dist"), str)


def _is_list_edit(value: Any) -> bool:
    """Whether a child's value is ``{remove: [...], add: [...]}``, an edit of a named list."""
    return (isinstance(value, dict) and bool(value) and set(value) <= {"remove", "add"}
            and all(isinstance(v, list) for v in value.values()))


def _edit_list(items: Any, edit: dict[str, list[Any]], place: Place, here: tuple[str, ...]
               ) -> list[Any]:
    """The inherited list without the items named in ``remove``, then those in ``add``."""
    if not isinstance(items, list):
        raise InputError(place.file, f"{'.'.join(here)}.remove", "expected an inherited list "
                         "of named items (upgrades, projects) to edit; the parent file gives "
                         "none here", line=place.line(here))
    kept = list(items)
    names = [item.get("name") for item in items if isinstance(item, dict)]
    for index, name in enumerate(edit.get("remove", [])):
        if name not in names:
            where = (*here, "remove", str(index))
            listing = ", ".join(f"'{n}'" for n in names) or "(none)"
            raise InputError(place.file, ".".join(where), f"expected the name of an inherited "
                             f"item, one of {listing}; got {name!r}",
                             line=place.line(where))
        kept = [item for item in kept if not (isinstance(item, dict) and item.get("name") == name)]
    return [*kept, *copy.deepcopy(edit.get("add", []))]


def replaces_schedule(layer: dict[str, Any]) -> bool:
    """Whether a file sets ``policy.order`` without giving ``policy.changes`` of its own."""
    policy = layer.get("policy")
    return isinstance(policy, dict) and "order" in policy and "changes" not in policy


def drop_schedule(data: dict[str, Any], where: str, key: str) -> list[str]:
    """Drop inherited ``policy.changes`` (the rule for a new ``policy.order``); say so."""
    policy = data.get("policy")
    changes = policy.get("changes") if isinstance(policy, dict) else None
    if not isinstance(policy, dict) or not changes:
        return []
    del policy["changes"]
    first = changes[0].get("date") if isinstance(changes[0], dict) else None
    return [f"{where}: {key} applies for the whole period: it replaces the inherited schedule "
            f"policy.changes ({len(changes)} change(s) from {first}); give policy.changes as "
            "well to keep a schedule"]


def dropped_changes(base: dict[str, Any], layer: dict[str, Any], where: str) -> list[str]:
    """Say which inherited ``policy.changes`` a file's own list of changes drops.

    A list replaces the inherited one whole, as ``policy.order`` does, whatever else the
    file's policy says: one that also sets ``policy.order`` (or any other key) drops the
    inherited changes all the same. A change given again (by its date), even altered, is not
    dropped. Nothing is taken away silently, but an empty list says no schedule is wanted,
    as it does of the other lists (:func:`dropped_items`).
    """
    policy, parents = layer.get("policy"), base.get("policy")
    if not isinstance(policy, dict) or not isinstance(parents, dict):
        return []
    changes, inherited = policy.get("changes"), parents.get("changes")
    if not isinstance(changes, list) or not changes or not isinstance(inherited, list):
        return []
    dropped = [str(date) for date in _left_out(inherited, changes, "date")]
    if not dropped:
        return []
    return [f"{where}: policy.changes replaces the inherited schedule whole, dropping the "
            f"change(s) from {', '.join(dropped)}; give policy.changes as {{add: [...]}} to "
            "add changes to the inherited ones"]


NAMED_LISTS = {"upgrades": ("upgrade", "name"), "projects": ("project", "name"),
               "capacity_releases": ("capacity release", "name"),
               "category_changes": ("category change", "date")}
"""Lists of items a child may mean to extend, not replace: the noun for an item and the key
that tells one item from another. ``policy.changes`` has a rule of its own
(:func:`dropped_changes`)."""


def dropped_items(base: dict[str, Any], layer: dict[str, Any], place: Place,
                  path: tuple[str, ...] = ()) -> list[str]:
    """Say which inherited items (upgrades, projects, ...) a file's own list of them drops.

    A list replaces the inherited one whole: a file that gives ``grid.upgrades`` to add or
    move one upgrade loses every other inherited upgrade, and the MW they bring, with no
    error. An item given again (by its name, or date for category changes) is kept, even
    altered; an empty list says plainly that none are wanted. Each list that drops some is
    named, with what it drops.
    """
    notes: list[str] = []
    for key, value in layer.items():
        here, inherited = (*path, str(key)), base.get(key)
        if isinstance(value, dict) and isinstance(inherited, dict) and not _is_list_edit(value):
            notes += dropped_items(inherited, value, place, here)
        elif (str(key) in NAMED_LISTS and isinstance(value, list) and value
              and isinstance(inherited, list)):
            notes += _dropped_from(inherited, value, place, here)
    return notes


def _dropped_from(inherited: list[Any], given: list[Any], place: Place,
                  here: tuple[str, ...]) -> list[str]:
    """The note on one list that drops inherited items, or none."""
    noun, by = NAMED_LISTS[here[-1]]
    named = [item for item in inherited if isinstance(item, dict) and by in item]
    dropped = _left_out(inherited, given, by)
    if not dropped:
        return []
    key = ".".join(here)
    listing = ", ".join(_shown({by: name}, by) for name in dropped)
    line = place.line(here)
    text = (f"{place.file}{f':{line}' if line else ''}: {key} replaces the inherited list "
            f"whole, dropping {len(dropped)} of its {len(inherited)} {noun}"
            f"{'' if len(inherited) == 1 else 's'}: {listing}")
    text += "".join(_lost_keys(named, given, by))
    how = ("{remove: [names], add: [items]} to drop or add some and keep the others"
           if by == "name" else "{add: [items]} to add to the inherited ones")
    text += f"; to keep them, list them again, or give {key} as {how}"
    text += (f"; to change one for a run, leave {key} out of this file and use "
             f"{_one_change(inherited, given, by, key)}")
    return [text]


def dropped_by_override(data: dict[str, Any], path: tuple[str, ...], value: Any,
                        shown: str) -> list[str]:
    """Say which inherited items an override of a whole list drops, as a file's list would.

    ``--set grid.upgrades=[...]`` replaces the scenario's upgrades whole, as a child file's
    list does (:func:`dropped_items`); a file warns of what that drops, and so does an
    override. ``shown`` names the override ('--set grid.upgrades=[...]'). An empty list says
    plainly that none are wanted.
    """
    key = ".".join(path)
    if not path or not isinstance(value, list) or not value:
        return []
    noun, by = ("policy change", "date") if key == "policy.changes" \
        else NAMED_LISTS.get(path[-1], ("", ""))
    inherited: Any = data
    for part in path:
        inherited = inherited.get(part) if isinstance(inherited, dict) else None
    if not by or not isinstance(inherited, list):
        return []
    dropped = _left_out(inherited, value, by)
    if not dropped:
        return []
    listing = ", ".join(_shown({by: name}, by) for name in dropped)
    return [f"{shown}: replaces {key} whole, dropping {len(dropped)} of its {len(inherited)} "
            f"{noun}{'' if len(inherited) == 1 else 's'}: {listing}; to change one, set its "
            f"own key instead (--set {key}.N.<key>=...)"]


def _left_out(inherited: list[Any], given: list[Any], by: str) -> list[Any]:
    """The ``by`` (name, or date) of each inherited item that ``given`` does not give again."""
    ids = {item.get(by) for item in given if isinstance(item, dict)}
    return [item[by] for item in inherited
            if isinstance(item, dict) and by in item and item[by] not in ids]


def _shown(item: dict[str, Any], by: str) -> str:
    """An item as a message names it: 'its name', or its date."""
    return f"'{item[by]}'" if by == "name" else str(item[by])


def _given_again(old: dict[str, Any], given: list[Any], by: str) -> dict[str, Any] | None:
    """The child's item that is the inherited item ``old`` given again, if any."""
    return next((item for item in given if isinstance(item, dict) and item.get(by) == old[by]),
                None)


def _lost_keys(named: list[dict[str, Any]], given: list[Any], by: str) -> list[str]:
    """An item given again without keys the inherited one had: those keys are lost too."""
    lost = []
    for old in named:
        new = _given_again(old, given, by)
        missing = [k for k in old if new is not None and k not in new]
        if missing:
            lost.append(f"; and {_shown(old, by)} as given here has no {', '.join(missing)}, "
                        "which the inherited one had")
    return lost


def _one_change(inherited: list[Any], given: list[Any], by: str, key: str) -> str:
    """``--set KEY.N.FIELD=VALUE`` for the first item given again with another value."""
    for index, old in enumerate(inherited):
        new = _given_again(old, given, by) if isinstance(old, dict) and by in old else None
        for field, value in (new or {}).items():
            if field != by and old.get(field) != value:
                plain = isinstance(value, (str, int, float, dt.date))
                return f"--set {key}.{index}.{field}={value if plain else '...'}"
    return f"--set {key}.N.{'date' if by == 'name' else 'category'}=..."
