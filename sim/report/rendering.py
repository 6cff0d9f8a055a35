"""The Jinja2 environment of the report templates in ``sim/report/templates``, autoescaped."""

from __future__ import annotations

import functools

import jinja2

__all__ = ["environment"]


@functools.cache
def environment() -> jinja2.Environment:
    """Templates from the package, every value escaped unless marked safe."""
    return jinja2.Environment(loader=jinja2.PackageLoader("sim.report", "templates"),
                              autoescape=True, undefined=jinja2.StrictUndefined,
                              keep_trailing_newline=True)
