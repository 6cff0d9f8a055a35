"""The JSON Schema of scenario files as they are written, for editors (``gridqueue schema``).

A file without ``extends`` is a whole scenario and must give every required key. A file with
``extends`` gives only what it changes, merged onto its parent (:mod:`sim.inputs.scenario_merge`),
so on its own it may leave out required keys, remove an inherited key with ``null`` and edit an
inherited list of named items with ``{remove: [...], add: [...]}``. The schema says both: the
top level lists the keys a file may use, in their looser form, and a file without ``extends``
must also be a whole :class:`~sim.inputs.scenario.Scenario`. What a child gives whole (a
distribution, the items of a list) is checked whole.

A default is what a key gets where no file gives it: a key that a file with ``extends`` leaves
out keeps the value of the file it extends. An editor offers a ``default`` wherever a key may
go, so the looser form has none: its description names the default and where it applies. The
whole scenario, which only a file without ``extends`` must be, and what a child gives whole
(a distribution, an item of a list) keep theirs.
"""

from __future__ import annotations

import json
from typing import Any

from sim.inputs.scenario import Scenario

__all__ = ["scenario_json_schema"]

JsonSchema = dict[str, Any]

EXTENDS = {
    "type": "string",
    "minLength": 1,
    "title": "Extends",
    "description": "Another scenario file, relative to this one, that this file builds on: "
    "mappings merge key by key; lists, plain values and distributions are replaced whole; null "
    "removes an inherited key.",
}
"""The ``extends`` key, read before validation (so it is not a field of the Scenario model)."""

SWEEP = {
    "type": "object",
    "title": "Sweep",
    "description": "A grid of values for gridqueue sweep: each key is a key path as --set "
    "takes it (policy.order, grid.upgrades.8.delay_years, streams.logistics.rate_per_year), "
    "each value the list of values it takes; the sweep runs every combination, each a scenario "
    "of its own with the same seed. --vary on the command line wins for a key given in both. "
    "Only gridqueue sweep runs such a file; gridqueue validate checks the block and names the "
    "grid; gridqueue run and compare refuse it.",
    "minProperties": 1,
    "propertyNames": {"pattern": r"^[^.\s]+(\.[^.\s]+)*$"},
    "additionalProperties": {
        "type": "array",
        "minItems": 1,
        "uniqueItems": True,
        "description": "The values the key takes, each as it would be written in the file.",
    },
}
"""The ``sweep`` block, read only by ``gridqueue sweep`` (:mod:`sim.analysis.sweep_grid`) and
checked by ``gridqueue validate``; not a field of the Scenario model, which runs one cell."""

_REF = "#/$defs/"
_WHOLE = "Scenario"
"""The name under ``$defs`` of the schema of a whole scenario (a file without ``extends``)."""
_ANNOTATIONS = ("title", "description", "default")
"""Keys that describe a value rather than constrain it: kept outside a ``null`` alternative."""


INHERITED = "a file with extends that leaves it out keeps the value of the file it extends"
"""What a key left out means in a file with ``extends``, said after its default."""

OWN_WORDS = {
    ("Scenario", "name"): "",  # never inherited, and its description says what it is left out
    ("Scenario", "description"): " Default: empty, where no file gives it (a file with extends "
    "that leaves it out keeps the description of the file it extends, said to be that "
    "file's: 'Extends fifo: ...').",
    ("Policy", "changes"): " Default: [], where no file gives it (a file with extends that "
    "leaves it out keeps the changes of the file it extends, unless it sets order, which "
    "replaces them).",
}
"""What a key left out gets where :data:`INHERITED` would say less than the truth, by model
and key: a file's name is its own, a description is said to be inherited, and an order set
without changes replaces the inherited schedule (:mod:`sim.inputs.scenario_merge`)."""


def scenario_json_schema() -> JsonSchema:
    """The schema of a scenario file: a whole scenario, or a file that ``extends`` another."""
    whole = Scenario.model_json_schema(by_alias=True)
    defs: dict[str, JsonSchema] = whole.pop("$defs", {})
    assert _WHOLE not in defs, "a model named Scenario would hide the whole scenario's schema"
    defs[_WHOLE] = whole
    layer = _Layers(defs).of_object(whole, _WHOLE)
    # a file is named after itself: 'scenario' is only the name of a Scenario built in Python
    whole["properties"]["name"].pop("default", None)
    whole["properties"] = {**whole["properties"], "sweep": SWEEP}  # a whole file may hold one
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **layer,
        "description": f"{whole['description']} A file with extends gives only what it "
        "changes: a key it leaves out keeps the value of the file it extends, so a default "
        "applies only where no file gives the key.",
        "properties": {"extends": EXTENDS, **layer["properties"], "sweep": _or_null(SWEEP)},
        "if": {"required": ["extends"]},
        "else": {"$ref": _REF + _WHOLE},
        "$defs": dict(sorted(defs.items())),
    }


class _Layers:
    """Turns schemas of whole values into those of what a child file may give instead."""

    def __init__(self, defs: dict[str, JsonSchema]) -> None:
        self.defs = defs
        self.made: set[str] = set()

    def of(self, schema: JsonSchema) -> JsonSchema:
        """What a child may give where a whole file gives ``schema``."""
        if "discriminator" in schema:  # a distribution: one value, given whole
            return schema
        if "$ref" in schema:  # a model
            return {**schema, "$ref": _REF + self._layer_def(schema["$ref"].removeprefix(_REF))}
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return {**schema, key: [self.of(member) for member in schema[key]]}
        if schema.get("type") == "object":
            return self.of_object(schema)
        if schema.get("type") == "array" and self._named_items(schema):
            return _or_list_edit(schema)
        return schema

    def of_object(self, schema: JsonSchema, model: str = "") -> JsonSchema:
        """A mapping whose keys are all optional and may be null (removing what is inherited).

        A key's default is said in words, as what it gets where no file gives it
        (:func:`_inherited`); ``model`` is the name of the model under ``$defs``, if any.
        """
        layer = {key: value for key, value in schema.items() if key != "required"}
        if "properties" in schema:
            layer["properties"] = {name: _inherited(_or_null(self.of(value)), (model, name))
                                   for name, value in schema["properties"].items()}
        if isinstance(schema.get("additionalProperties"), dict):
            layer["additionalProperties"] = _or_null(self.of(schema["additionalProperties"]))
        return layer

    def _layer_def(self, name: str) -> str:
        """The name of the child's form of a model under ``$defs``, added on first use."""
        layer = f"{name}Layer"
        if layer not in self.made:
            assert layer not in self.defs, f"a model named {layer} would be overwritten"
            self.made.add(layer)  # before recursing, so a model that nests itself ends
            model = self.defs[name]
            self.defs[layer] = (self.of_object(model, name) if model.get("type") == "object"
                                else self.of(model))
        return layer

    def _named_items(self, schema: JsonSchema) -> bool:
        """Whether an array holds items with a ``name``, which a child may remove by name."""
        items: JsonSchema = schema.get("items", {})
        model = self.defs.get(items.get("$ref", "").removeprefix(_REF), items)
        return "name" in model.get("properties", {})


def _inherited(schema: JsonSchema, key: tuple[str, str]) -> JsonSchema:
    """A key of a child's mapping without its ``default``, which its description says instead.

    An editor would offer the default in a file with ``extends`` too, where a key left out
    keeps the inherited value instead: a suggested ``order: fifo`` would undo a parent's
    ``social_priority``. ``key``: the model's name and the key's.
    """
    if "default" not in schema:
        return schema
    plain = {name: value for name, value in schema.items() if name != "default"}
    default = schema["default"]
    if key in OWN_WORDS:
        words = OWN_WORDS[key]
    elif isinstance(default, dict) and default and "dist" not in default:
        # merged key by key, unlike a distribution: each key says its own
        words = (" A file with extends that leaves it out, or any key of it, keeps the value "
                 "of the file it extends; a key's default applies where no file gives it.")
    else:
        words = f" Default: {_written(default)}, where no file gives it ({INHERITED})."
    return {**plain, "description": plain.get("description", "") + words} if words else plain


def _written(value: Any) -> str:
    """A default as a file may write it: ``fifo``, ``null``, ``[]``, ``{"dist": "fixed", ...}``."""
    if isinstance(value, str):
        return value or "''"
    return json.dumps(value, separators=(", ", ": "))


def _or_null(schema: JsonSchema) -> JsonSchema:
    """The schema, or ``null``: in a child, null removes an inherited key."""
    if any(member.get("type") == "null" for member in schema.get("anyOf", [])):
        return schema
    if "anyOf" in schema:
        return {**schema, "anyOf": [*schema["anyOf"], {"type": "null"}]}
    outside = {key: schema[key] for key in _ANNOTATIONS if key in schema}
    inside = {key: value for key, value in schema.items() if key not in _ANNOTATIONS}
    return {**outside, "anyOf": [inside, {"type": "null"}]}


def _or_list_edit(schema: JsonSchema) -> JsonSchema:
    """A list of named items, or ``{remove: [names], add: [items]}`` editing the inherited one."""
    items = {key: value for key, value in schema.items() if key not in _ANNOTATIONS}
    edit = {
        "type": "object",
        "description": "Edits the inherited list: drops the items named in remove, then "
        "appends those in add.",
        "properties": {"remove": {"type": "array", "items": {"type": "string"}}, "add": items},
        "additionalProperties": False,
        "minProperties": 1,
    }
    outside = {key: schema[key] for key in _ANNOTATIONS if key in schema}
    return {**outside, "anyOf": [items, edit]}
