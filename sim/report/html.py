"""The comparison report: one self-contained HTML page that needs no network.

Figures are embedded as base64 PNG; the page has no scripts and links to nothing outside
itself, so it can be mailed, archived or opened offline. It describes the scenarios, states
the main differences in plain words (grouped by scenario), lists the key assumptions (those
shared once, those that differ side by side), then shows the figures and the key figures with
their intervals (the full table is ``comparison.csv``).
"""

from __future__ import annotations

import base64
import datetime
import math
from collections.abc import Mapping
from html import escape
from typing import TYPE_CHECKING

import pandas as pd

from sim._version import __version__
from sim.analysis.narrative import sentences_by_scenario
from sim.figures.palette import CATEGORY_LABELS
from sim.inputs.applicants import CATEGORIES
from sim.report.assumptions import assumptions_html
from sim.runs.metrics import ALL

if TYPE_CHECKING:
    from sim.analysis.comparison import Comparison

__all__ = ["REPORT_METRICS", "render_report"]

REPORT_METRICS = ("applicants", "connected", "withdrawn", "waiting", "wait_mean_years",
                  "wait_p90_years", "connected_within_2y", "jobs_connected", "jobs_withdrawn",
                  "mw_connected", "mw_waiting")
"""Key figures shown in the report's table."""

CAPTIONS = {
    "queue": "Applicants waiting and the grid MW they request over time: median across "
             "replications, shaded 90% band.",
    "time_to_connection": "Time to connection: cumulative share of applicants connected "
                          "(solid) and withdrawn (dashed) by years since their request. "
                          "Withdrawal is a competing outcome; applicants still waiting at the "
                          "end are censored (Aalen-Johansen estimate, replications pooled).",
    "wait": "Wait of the applicants who were connected, by category (all replications): box "
            "from the first to the third quartile, thick line at the median, whiskers to the "
            "furthest wait within 1.5 box lengths, dots beyond.",
    "connected": "Cumulative grid MW and jobs connected: median across replications, shaded "
                 "90% band.",
    "withdrawals": "Applicants who withdrew (top row) and the jobs they held (bottom row), one "
                   "panel per category on its own scale: mean with 95% confidence interval; "
                   "the dotted line marks the reference's mean.",
    "differences": "Differences from the reference with 95% confidence intervals; filled "
                   "markers are paired (common random numbers), hollow ones unpaired (Welch).",
    "projects": "Connection dates of named projects: one marker per replication, bar at the "
                "median; the label counts the replications in which the project connected.",
}

SECTIONS = {"scenarios": "Scenarios", "differences": "Main differences",
            "assumptions": "Key assumptions", "figures": "Figures", "key-figures": "Key figures"}
"""The page's sections by anchor, listed at its top."""

PX_PER_INCH = 100
"""CSS pixels per inch of figure: a 10-point label shows at about 14 CSS pixels."""

STYLE = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:80em;padding:0 1em;
color:#111;line-height:1.45}
h3{margin:1.2em 0 .3em;font-size:1.05em}
table{border-collapse:collapse;margin:.6em 0 1em;font-size:.9em}
th,td{border:1px solid #bbb;padding:.3em .6em;text-align:left;vertical-align:top}
td{max-width:30em;overflow-wrap:anywhere}
td.num{text-align:right;white-space:nowrap;max-width:none}
thead th{background:#eee}
tbody th{background:#f7f7f7;white-space:nowrap}
.wide{overflow-x:auto;max-width:100%}
.wide tbody th:first-child,.wide thead th:first-child{position:sticky;left:0;z-index:1}
.wide thead th:first-child{background:#eee}
td ul{margin:.2em 0;padding-left:1.2em}
.unlike{margin-top:.3em}
.same{color:#777}
details summary{cursor:pointer;color:#245;font-size:.95em}
.group ul{margin:.2em 0 .8em}
.tag{font-weight:normal;font-size:.8em;color:#555;border:1px solid #bbb;border-radius:.3em;
padding:0 .3em;margin-left:.4em}
figure{margin:2em 0}
img{max-width:100%;height:auto;border:1px solid #ddd}
figcaption{font-size:.9em;color:#333}
.note{color:#555;font-size:.9em}
nav{font-size:.9em}
"""


def render_report(comparison: Comparison, images: Mapping[str, bytes]) -> str:
    """The whole page as HTML text, with ``images`` (PNG bytes by figure name) embedded."""
    labels = list(comparison.results)
    created = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    reference = escape(comparison.reference)
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f"<title>gridqueue comparison: {escape(', '.join(labels))}</title>",
        f"<style>{STYLE}</style>", "</head>", "<body>",
        f"<h1>Comparison of {len(labels)} scenarios</h1>",
        f'<p class="note">Made by gridqueue {escape(__version__)} on {created}. Reference: '
        f"<strong>{reference}</strong>. Every interval is a 95% confidence interval over "
        "replications.</p>",
        "<nav>Contents: " + " &middot; ".join(
            f'<a href="#{anchor}">{title}</a>' for anchor, title in SECTIONS.items()) + "</nav>",
        '<h2 id="scenarios">Scenarios</h2>', _scenarios_table(comparison),
        f'<h2 id="differences">Main differences from {reference}</h2>',
        _differences(comparison),
        '<h2 id="assumptions">Key assumptions</h2>',
        assumptions_html({label: r.scenario for label, r in comparison.results.items()}),
        '<h2 id="figures">Figures</h2>',
        *(_figure(name, png) for name, png in images.items()),
        '<h2 id="key-figures">Key figures</h2>', _key_table(comparison.table),
        '<p class="note">Each cell: mean [95% CI]; below it (&Delta;) the difference, scenario '
        "minus reference. <em>paired</em>: replication <em>i</em> of both scenarios drew the same "
        "applicants and upgrade delays (same seed and applicant assumptions), so the difference "
        "is taken per replication; <em>unpaired</em>: Welch's interval for two independent "
        "means. Every key figure of every group is in comparison.csv.</p>",
        "</body>", "</html>",
    ]
    return "\n".join(parts) + "\n"


def _scenarios_table(comparison: Comparison) -> str:
    """A row per scenario: its description, how it is compared, where it came from."""
    rows = []
    for label, results in comparison.results.items():
        paired = ("reference" if label == comparison.reference
                  else "paired" if comparison.paired[label]
                  else "unpaired (other applicants or random draws)")
        rows.append(f"<tr><th>{escape(label)}</th>"
                    f"<td>{escape(results.scenario.description or '(none given)')}</td>"
                    f"<td>{paired}</td><td>{escape(comparison.sources[label])}</td></tr>")
    return ('<div class="wide"><table><thead><tr><th>Scenario</th><th>Description</th>'
            "<th>Compared with the reference</th><th>Source</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def _differences(comparison: Comparison) -> str:
    """The main differences, a heading and a short list per scenario."""
    groups = []
    for label, texts in sentences_by_scenario(comparison.table).items():
        tag = "paired" if comparison.paired.get(label) else "unpaired"
        items = "".join(f"<li>{escape(t)}</li>" for t in texts) or "<li>No difference to state."
        groups.append(f'<div class="group"><h3>{escape(label)}<span class="tag">{tag}</span>'
                      f"</h3><ul>{items}</ul></div>")
    return "\n".join(groups)


def _figure(name: str, png: bytes) -> str:
    data = base64.b64encode(png).decode("ascii")
    caption = CAPTIONS.get(name, name)
    width = _css_width(png)
    size = "" if width is None else f' width="{width}"'
    return (f'<figure id="figure-{escape(name)}"><img src="data:image/png;base64,{data}"{size} '
            f'alt="{escape(caption)}"><figcaption>{escape(caption)}</figcaption></figure>')


def _css_width(png: bytes) -> int | None:
    """Display width in CSS pixels at PX_PER_INCH, from the PNG's size and resolution.

    Shown at one scale, every figure's text has the same size on the page (wider figures
    still shrink to the page). None when the PNG does not record its resolution.
    """
    chunk = png.find(b"pHYs")
    if png[1:4] != b"PNG" or chunk < 0 or png[chunk + 12] != 1:  # 1: pixels per metre
        return None
    per_metre = int.from_bytes(png[chunk + 4:chunk + 8], "big")
    width = int.from_bytes(png[16:20], "big")
    return round(width / (per_metre * 0.0254) * PX_PER_INCH) if per_metre else None


def _key_table(table: pd.DataFrame) -> str:
    """Key figures by group: each scenario's mean with the difference from the reference.

    The header says which differences are paired.
    """
    sizes = table[table["metric"] == "applicants"].groupby("group")["mean"].max()
    groups = [g for g in (*CATEGORIES, ALL) if sizes.get(g, 0) > 0]
    scenarios = list(dict.fromkeys(table["scenario"]))
    reference = scenarios[0]
    paired = table.groupby("scenario", sort=False)["paired"].first()
    head = f"<th>{escape(reference)} (reference)</th>" + "".join(
        f"<th>{escape(s)}<br>{'paired' if paired[s] else 'unpaired'} difference</th>"
        for s in scenarios[1:])
    cells = table.set_index(["scenario", "group", "metric"])
    rows = []
    for group in groups:
        rows.append(f'<tr><th colspan="{len(scenarios) + 1}">'
                    f"{escape(CATEGORY_LABELS[group])}</th></tr>")
        for metric in REPORT_METRICS:
            if (reference, group, metric) not in cells.index:
                continue
            values = [cells.loc[(s, group, metric)] for s in scenarios]
            line = "".join(
                f'<td class="num">{_cell(v["mean"], v["ci_low"], v["ci_high"])}'
                + ("" if i == 0 else "<br>&Delta; " + _cell(
                    v["difference"], v["difference_ci_low"], v["difference_ci_high"]))
                + "</td>" for i, v in enumerate(values))
            rows.append(f"<tr><th>{escape(metric)} ({escape(str(values[0]['unit']))})</th>"
                        f"{line}</tr>")
    return (f'<div class="wide"><table><thead><tr><th>Key figure (unit)</th>{head}</tr>'
            f"</thead><tbody>{''.join(rows)}</tbody></table></div>")


def _cell(mean: float, low: float, high: float) -> str:
    if math.isnan(mean):
        return "&ndash;"
    if math.isnan(low) or math.isnan(high):
        return _number(mean)
    return f"{_number(mean)} [{_number(low)}, {_number(high)}]"


def _number(value: float) -> str:
    """Three significant digits, written out with thousands separators: 3,410 not 3.41e+03."""
    rounded = float(f"{value:.3g}")
    return f"{rounded:,.0f}" if abs(rounded) >= 1000 else f"{value:.3g}"
