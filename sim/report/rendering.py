"""The Jinja2 environment of the report templates in ``sim/report/templates``, autoescaped."""

from __future__ import annotations

import functools

import jinja2

from sim.report.narrative import split_item

__all__ = ["environment"]


@functools.cache
def environment() -> jinja2.Environment:
    """Templates from the package, every value escaped unless marked safe.

    ``split_item`` (:func:`sim.report.narrative.split_item`) lists the figures of an answer's
    line over everyone, and its areas, beneath it, as the terminal does.
    """
    templates = jinja2.Environment(loader=jinja2.PackageLoader("sim.report", "templates"),
                                   autoescape=True, undefined=jinja2.StrictUndefined,
                                   keep_trailing_newline=True)
    templates.filters["split_item"] = split_item
    return templates
