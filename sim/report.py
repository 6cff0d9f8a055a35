"""The comparison report: one self-contained HTML page that needs no network.

Figures are embedded as base64 PNG; the page has no scripts and links to nothing outside
itself, so it can be mailed, archived or opened offline. It shows the scenarios' descriptions
and key assumptions side by side, the main differences in plain words, the figures and the
key figures with their intervals (the full table is ``comparison.csv``).
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
from sim.applicants import CATEGORIES
from sim.distributions import Distribution
from sim.metrics import ALL
from sim.palette import CATEGORY_LABELS
from sim.scenario import Scenario

if TYPE_CHECKING:
    from sim.comparison import Comparison

__all__ = ["REPORT_METRICS", "assumptions", "render_report"]

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
    "wait": "Wait of the applicants who were connected, by category (all replications).",
    "connected": "Cumulative grid MW and jobs connected: median across replications, shaded "
                 "90% band.",
    "withdrawals": "Applicants who withdrew and the jobs they held, per category: mean with "
                   "95% confidence interval.",
    "differences": "Differences from the reference with 95% confidence intervals; filled "
                   "markers are paired (common random numbers), hollow ones unpaired (Welch).",
    "projects": "Connection dates of named projects: one marker per replication, bar at the "
                "median; the label counts the replications in which the project connected.",
}

STYLE = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:70em;padding:0 1em;
color:#111;line-height:1.45}
table{border-collapse:collapse;margin:1em 0;font-size:.9em}
th,td{border:1px solid #bbb;padding:.3em .6em;text-align:left;vertical-align:top}
td.num{text-align:right;white-space:nowrap}
thead th{background:#eee}
figure{margin:2em 0}
img{max-width:100%;height:auto;border:1px solid #ddd}
figcaption{font-size:.9em;color:#333}
.note{color:#555;font-size:.9em}
.wide{overflow-x:auto}
"""


def render_report(comparison: Comparison, images: Mapping[str, bytes]) -> str:
    """The whole page as HTML text, with ``images`` (PNG bytes by figure name) embedded."""
    labels = list(comparison.results)
    created = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f"<title>gridqueue comparison: {escape(', '.join(labels))}</title>",
        f"<style>{STYLE}</style>", "</head>", "<body>",
        f"<h1>Comparison of {len(labels)} scenarios</h1>",
        f'<p class="note">Made by gridqueue {escape(__version__)} on {created}. Reference: '
        f"<strong>{escape(comparison.reference)}</strong>. Every interval is a 95% "
        "confidence interval over replications.</p>",
        "<h2>Main differences</h2>", "<ul>",
        *(f"<li>{escape(s)}</li>" for s in comparison.sentences()), "</ul>",
        "<h2>Scenarios and key assumptions</h2>", _assumptions_table(comparison),
        "<h2>Figures</h2>",
        *(_figure(name, png) for name, png in images.items()),
        "<h2>Key figures</h2>", _key_table(comparison.table),
        '<p class="note">Each cell: mean [95% CI]; below it (&Delta;) the difference, scenario '
        "minus reference. <em>paired</em>: replication <em>i</em> of both scenarios drew the same "
        "applicants and upgrade delays (same seed and applicant assumptions), so the difference "
        "is taken per replication; <em>unpaired</em>: Welch's interval for two independent "
        "means. Every key figure of every group is in comparison.csv.</p>",
        "</body>", "</html>",
    ]
    return "\n".join(parts) + "\n"


def _figure(name: str, png: bytes) -> str:
    data = base64.b64encode(png).decode("ascii")
    caption = CAPTIONS.get(name, name)
    return (f'<figure id="figure-{escape(name)}"><img src="data:image/png;base64,{data}" '
            f'alt="{escape(caption)}"><figcaption>{escape(caption)}</figcaption></figure>')


def _assumptions_table(comparison: Comparison) -> str:
    columns = {label: assumptions(r.scenario) for label, r in comparison.results.items()}
    for label in columns:
        columns[label]["Source"] = comparison.sources[label]
        columns[label]["Paired with reference"] = (
            "reference" if label == comparison.reference
            else "yes" if comparison.paired[label] else "no (other applicants or random draws)")
    rows = list(next(iter(columns.values())))
    head = "".join(f"<th>{escape(label)}</th>" for label in columns)
    body = "".join(
        f"<tr><th>{escape(row)}</th>"
        + "".join(f"<td>{escape(values[row])}</td>" for values in columns.values()) + "</tr>"
        for row in rows)
    return (f'<div class="wide"><table><thead><tr><th></th>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def assumptions(scenario: Scenario) -> dict[str, str]:
    """The key assumptions of a scenario in short words, by row name."""
    policy = scenario.policy
    regimes = [f"{policy.order} ({policy.allocation})"]
    regimes += [f"from {c.date}: {c.order or 'same order'}"
                + (f" ({c.allocation})" if c.allocation else "") for c in policy.changes]
    grid = scenario.grid
    areas = grid.resolved_areas
    grid_text = [f"{name}: {area.capacity_mw:g} MW" + "".join(
        f"; {u.name} +{u.add_mw:g} MW on {u.date}" + _delay(u.delay_years)
        for u in area.upgrades) for name, area in areas.items()]
    if grid.upstream is not None:
        grid_text.append(f"upstream limit: {grid.upstream.capacity_mw:g} MW")
    streams = [f"{name} ({s.category}): {s.rate_per_year:g}/year, mean {s.demand_mw.mean:.2g} "
               f"MW" + ("" if s.patience_years is None
                        else f", patience mean {s.patience_years.mean:.2g} years")
               for name, s in scenario.streams.items()]
    waiting = scenario.waiting_list
    if waiting is None:
        waiting_text = "none"
    elif waiting.csv is not None:
        waiting_text = f"from the file {waiting.csv}"
    else:
        waiting_text = f"{waiting.count} generated, requested from {waiting.earliest}"
    onsite = scenario.onsite_generation
    return {
        "Description": scenario.description or "(none given)",
        "Period": f"{scenario.start} to {scenario.end}",
        "Seed, replications": f"{scenario.seed}, {scenario.replications}",
        "Queue policy": "; ".join(regimes),
        "Priority uptake": ", ".join(f"{c} {v:.0%}" for c, v in
                                     scenario.priority_uptake.items()) or "none",
        "On-site generation": "none" if onsite is None else
        f"{onsite.share:.0%} adopt, covering on average {onsite.cover.mean:.0%} of demand"
        + ("; own settings for " + ", ".join(onsite.by_category) if onsite.by_category else ""),
        "Grid": "; ".join(grid_text),
        "Arrival streams": "; ".join(streams) or "none",
        "Waiting list at the start": waiting_text,
        "Named projects": "; ".join(f"{p.name} ({p.demand_mw:g} MW, {p.date})"
                                    for p in scenario.projects) or "none",
    }


def _delay(delay: Distribution | None) -> str:
    return "" if delay is None else f" (delay mean {delay.mean:.2g} years)"


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
            rows.append(f"<tr><td>{escape(metric)} ({escape(str(values[0]['unit']))})</td>"
                        f"{line}</tr>")
    return (f'<div class="wide"><table><thead><tr><th>Key figure (unit)</th>{head}</tr>'
            f"</thead><tbody>{''.join(rows)}</tbody></table></div>")


def _cell(mean: float, low: float, high: float) -> str:
    if math.isnan(mean):
        return "&ndash;"
    if math.isnan(low) or math.isnan(high):
        return f"{mean:.3g}"
    return f"{mean:.3g} [{low:.3g}, {high:.3g}]"
