"""The scenarios' key assumptions in the report: what they share once, what differs side by side.

With many scenarios of one family most assumptions are the same; repeating them in every
column buries the few that differ. So the report lists the shared ones once and shows only
the differing ones per scenario, with long lists folded away (``<details>``) and, in each
scenario, the entries unlike the reference's brought forward.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

from sim.inputs.applicants import CATEGORIES
from sim.inputs.distributions import Distribution
from sim.inputs.scenario import Area, Scenario

__all__ = ["SHOWN", "Assumption", "assumptions", "assumptions_html"]

SHOWN = 3
"""Lists up to this long are shown whole; longer ones are folded away."""


@dataclass(frozen=True)
class Assumption:
    """One key assumption in short words, and the entries behind it when it has several."""

    summary: str
    items: tuple[str, ...] = ()


def assumptions(scenario: Scenario) -> dict[str, Assumption]:
    """The key assumptions of a scenario, by name (its description is kept apart)."""
    policy = scenario.policy
    changes = tuple(f"from {c.date}: {c.order or 'same order'}"
                    + (f" ({c.allocation})" if c.allocation else "")
                    + _settings(c.category_order, c.params) for c in policy.changes)
    streams = scenario.streams.values()
    growing = " (some growing)" if any(s.growth_per_year for s in streams) else ""
    waiting = scenario.waiting_list
    if waiting is None:
        waiting_text = "none"
    elif waiting.csv is not None:
        waiting_text = f"from the file {waiting.csv}"
    else:
        waiting_text = f"{waiting.count} generated, requested from {waiting.earliest}"
    onsite = scenario.onsite_generation
    projects = scenario.projects
    return {
        "Period": Assumption(f"{scenario.start} to {scenario.end}"),
        "Seed, replications": Assumption(f"{scenario.seed}, {scenario.replications}"),
        "Queue policy": Assumption(f"{policy.order} ({policy.allocation})"
                                   + _settings(policy.category_order, policy.params), changes),
        "Priority uptake": Assumption(", ".join(
            f"{c} {v:.0%}" for c, v in scenario.priority_uptake.items()) or "none"),
        "On-site generation": Assumption(
            "none" if onsite is None else
            f"{onsite.share:.0%} adopt, covering on average {onsite.cover.mean:.0%} of demand"
            + ("; own settings for " + ", ".join(onsite.by_category)
               if onsite.by_category else "")),
        "Grid": _grid(scenario),
        "Arrival streams": Assumption(
            f"{_count(len(streams), 'stream')}, {sum(s.rate_per_year for s in streams):g} "
            f"requests a year{growing}" if scenario.streams else "none",
            tuple(f"{name} ({s.category}{', ' + s.area if s.area else ''}): "
                  f"{s.rate_per_year:g}/year, mean {s.demand_mw.mean:.2g} MW"
                  + ("" if s.patience_years is None
                     else f", patience mean {s.patience_years.mean:.2g} years")
                  for name, s in scenario.streams.items())),
        "Waiting list at the start": Assumption(waiting_text),
        "Named projects": Assumption(
            _count(len(projects), "project") if projects else "none",
            tuple(f"{p.name} ({p.category}): {p.demand_mw:g} MW requested on {p.date}, "
                  f"{p.self_supply:.0%} generated on site, {p.jobs} jobs" for p in projects)),
    }


def _settings(order: list[str] | None, params: dict[str, Any] | None) -> str:
    """A policy's category order (when not the framework's) and parameters, if any."""
    text = "" if order is None or order == list(CATEGORIES) else ", " + " > ".join(order)
    return text + (f", {params}" if params else "")


def _grid(scenario: Scenario) -> Assumption:
    """Capacity at the start and upgrades; an entry per upgrade, named by area if several."""
    areas = dict(scenario.grid.resolved_areas)
    several = len(areas) > 1
    summary = (f"{len(areas)} areas ({', '.join(areas)})" if several else "one area")
    summary += f", {sum(a.capacity_mw for a in areas.values()):g} MW free at the start"
    summary += _upgrades_sum(areas.values())
    if scenario.grid.upstream is not None:
        upstream = scenario.grid.upstream
        summary += f"; upstream limit {upstream.capacity_mw:g} MW" + _upgrades_sum([upstream])
        areas["upstream"] = upstream
    items = [f"{name}: {area.capacity_mw:g} MW at the start"
             for name, area in areas.items() if several or name == "upstream"]
    items += [(f"{name}: " if several or name == "upstream" else "")
              + f"{u.name} +{u.add_mw:g} MW on {u.date}" + _delay(u.delay_years)
              for name, area in areas.items() for u in area.upgrades]
    return Assumption(summary, tuple(items))


def _upgrades_sum(areas: Iterable[Area]) -> str:
    upgrades = [u for area in areas for u in area.upgrades]
    if not upgrades:
        return ", no upgrades"
    return f", {_count(len(upgrades), 'upgrade')} adding {sum(u.add_mw for u in upgrades):g} MW"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _delay(delay: Distribution | None) -> str:
    return "" if delay is None else f" (delay mean {delay.mean:.2g} years)"


def assumptions_html(scenarios: Mapping[str, Scenario]) -> str:
    """The differing assumptions, a row per scenario, then those every scenario shares.

    ``scenarios`` is keyed by label, the reference first.
    """
    table = {label: assumptions(s) for label, s in scenarios.items()}
    reference = next(iter(table))
    names = list(table[reference])
    differing = [n for n in names if any(row[n] != table[reference][n] for row in table.values())]
    shared = [n for n in names if n not in differing]
    parts = ["<h3>Assumptions that differ</h3>"]
    if differing:
        head = "".join(f"<th>{escape(n)}</th>" for n in differing)
        body = "".join(
            f"<tr><th>{escape(label)}</th>" + "".join(
                "<td>" + _cell(row[n], None if label == reference else table[reference][n],
                               reference) + "</td>" for n in differing) + "</tr>"
            for label, row in table.items())
        parts.append(f'<div class="wide"><table class="assumptions"><thead><tr><th>Scenario'
                     f"</th>{head}</tr></thead><tbody>{body}</tbody></table></div>")
    else:
        parts.append('<p class="note">None: every key assumption below is the same.</p>')
    parts.append("<h3>Shared by every scenario</h3>")
    if shared:
        rows = "".join(f"<tr><th>{escape(n)}</th><td>{_cell(table[reference][n])}</td></tr>"
                       for n in shared)
        parts.append(f'<table class="shared"><tbody>{rows}</tbody></table>')
    else:
        parts.append('<p class="note">None: every key assumption differs somewhere.</p>')
    return "\n".join(parts)


def _cell(value: Assumption, reference: Assumption | None = None, name: str = "") -> str:
    """A summary with its entries: all when few, else folded, those unlike the reference first.

    ``reference`` is the reference's value, named ``name`` (None in the reference's own row
    and for shared values); a value equal to it just says so.
    """
    if reference is not None and value == reference:
        return f'<span class="same">as {escape(name)}</span>'
    html = escape(value.summary)
    if len(value.items) <= SHOWN:
        return html + _list(value.items)
    unlike = [] if reference is None else [i for i in value.items if i not in reference.items]
    if 0 < len(unlike) <= SHOWN:
        html += f'<div class="unlike">Unlike {escape(name)}:{_list(unlike)}</div>'
    return (html + f"<details><summary>all {len(value.items)} entries</summary>"
            f"{_list(value.items)}</details>")


def _list(items: tuple[str, ...] | list[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>" if items else ""
