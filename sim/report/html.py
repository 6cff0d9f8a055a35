"""The report: one self-contained HTML page that needs no network, filled from a template.

Figures are embedded as base64 PNG; the page has no scripts and links to nothing outside
itself, so it can be mailed, archived or opened offline. It leads with the answer (one line
per question, or one run's headline figures by category), then the figures, then the detail.
The layout is ``sim/report/templates/report.html.j2`` (with ``assumptions.html.j2`` and
``report.css``); what it shows is a :class:`sim.report.data.Page` of plain data.
"""

from __future__ import annotations

from sim.report.data import ANSWERS_SHOWN, Page
from sim.report.rendering import environment

__all__ = ["render_report"]


def render_report(page: Page) -> str:
    """The whole page as HTML text."""
    return environment().get_template("report.html.j2").render(page=page, shown=ANSWERS_SHOWN)
