"""The comparison report: self-contained, and every figure loads in a real headless browser."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sim import Comparison, compare, load_scenario
from sim.report.assumptions import assumptions_html
from tests.comparison_family import write_family

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--virtual-time-budget=15000", "--window-size=1280,900", "--dump-dom")

# Added to a copy of the report: after the page has loaded, mark each image as loaded or not
# and count resources fetched from anywhere but the page itself.
CHECK = """
<img id="broken-control" alt="control" src="data:image/png;base64,AAAA">
<script>
window.addEventListener("load", () => {
  for (const image of document.images) {
    image.dataset.loaded = image.complete && image.naturalWidth > 0 ? "yes" : "no";
  }
  const fetched = performance.getEntriesByType("resource")
    .filter((entry) => !entry.name.startsWith("data:"));
  document.body.dataset.fetched = String(fetched.length);
  const answers = document.getElementById("answers").getBoundingClientRect();
  document.body.dataset.answersBottom = String(Math.round(answers.bottom));
  document.body.dataset.firstHeading = document.querySelector("h2").textContent;
  document.body.dataset.checked = "yes";
});
</script>
"""


class _Images(HTMLParser):
    """Collects the attributes of every img and of the body in a dumped DOM."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []
        self.body: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.append(dict(attrs))
        elif tag == "body":
            self.body = dict(attrs)


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> Comparison:
    family = write_family(tmp_path_factory.mktemp("family"))
    return compare([family["fifo"], family["social_priority"]], replications=3, workers=1)


@pytest.fixture(scope="module")
def report(comparison: Comparison, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return comparison.write(tmp_path_factory.mktemp("out") / "cmp") / "report.html"


def _section(html: str, start: str, end: str) -> str:
    return html[html.index(start):html.index(end, html.index(start))]


def test_report_shows_shared_assumptions_once_and_differing_ones_per_scenario(report: Path):
    """Only the policy differs: it is shown per scenario, the rest once as shared."""
    html = report.read_text(encoding="utf-8")
    differing = _section(html, "Assumptions that differ", "Shared by every scenario")
    shared = _section(html, "Shared by every scenario", "</body>")
    assert "<th>Queue policy</th>" in differing
    assert "<tr><th>fifo</th><td>fifo (strict)</td></tr>" in differing
    assert "<tr><th>social_priority</th><td>social_priority (strict)</td></tr>" in differing
    for name in ("Period", "Grid", "Arrival streams", "Named projects"):
        assert f"<th>{name}</th>" in shared and f"<th>{name}</th>" not in differing
    assert html.count("Shared by every scenario") == 1


def test_differing_assumptions_bring_forward_what_is_unlike_the_reference(tmp_path: Path):
    """A long list is folded, its entries unlike the reference shown; equal values say so."""
    family = write_family(tmp_path)
    upgrades = [{"name": f"release {y}", "date": f"{y}-06-01", "add_mw": 1} for y in (2022, 2023)]
    upgrades += [{"name": "station", "date": "2024-06-01", "add_mw": 5},
                 {"name": "cable", "date": "2025-06-01", "add_mw": 2}]
    base = load_scenario(family["fifo"], {"grid.upgrades": upgrades})
    late = [*upgrades[:2], {**upgrades[2], "date": "2025-09-01"}, upgrades[3]]
    delayed = load_scenario(family["fifo"], {"grid.upgrades": late, "name": "delayed"})
    html = assumptions_html({"fifo": base, "delayed": delayed})
    differing = _section(html, "Assumptions that differ", "Shared by every scenario")
    assert differing.count("<tr>") == 3  # the header and a row per scenario
    row = _section(differing, "<th>delayed</th>", "</tr>")
    assert "Unlike fifo:<ul><li>station +5 MW on 2025-09-01</li></ul>" in row
    assert "<details><summary>all 4 entries</summary>" in row
    assert "release 2023" not in row.split("<details>")[0]
    same = assumptions_html({"fifo": base, "again": base})
    assert "None: every key assumption below is the same." in same
    # More entries unlike it than a cell lists: the first few, and how many more there are.
    bigger = [{**u, "add_mw": u["add_mw"] + 1} for u in upgrades]
    every = load_scenario(family["fifo"], {"grid.upgrades": bigger, "name": "every"})
    row = _section(assumptions_html({"fifo": base, "every": every}), "<th>every</th>",
                   "</tr>")
    assert "<li>station +6 MW on 2024-06-01</li></ul>and 1 more, in the full list</div>" in row


def test_differing_assumptions_name_what_the_reference_has_and_this_lacks(tmp_path: Path):
    """A child whose upgrades list leaves out its parent's reinforcement says it is gone.

    Listing only what the child adds read as if it kept the parent's 2033 reinforcement.
    """
    family = write_family(tmp_path)
    upgrades = [{"name": "station", "date": "2024-06-01", "add_mw": 5},
                {"name": "cable", "date": "2025-06-01", "add_mw": 2}]
    base = load_scenario(family["fifo"], {"grid.upgrades": upgrades})
    early = load_scenario(family["fifo"], {"name": "early", "grid.upgrades": [
        {"name": "cable", "date": "2023-06-01", "add_mw": 2}]})
    row = _section(assumptions_html({"fifo": base, "early": early}), "<th>early</th>", "</tr>")
    assert ("In fifo, not in early:<ul><li>station +5 MW on 2024-06-01</li>"
            "<li>cable +2 MW on 2025-06-01</li></ul>") in row
    assert "<li>cable +2 MW on 2023-06-01</li>" in row


def test_an_entry_the_scenario_changes_is_not_said_to_be_the_references_only(tmp_path: Path):
    """The reference's form of a changed entry is named as not in this scenario, by name.

    "In campus only: High-tech campus (ASMI) ... 0% generated on site" beside campus_onsite's
    own ASMI campus at 40% read as if campus_onsite had no campus at all.
    """
    family = write_family(tmp_path)
    upgrades = [{"name": "station", "date": "2024-06-01", "add_mw": 5}]
    base = load_scenario(family["fifo"], {"grid.upgrades": upgrades})
    late = load_scenario(family["fifo"], {"name": "late", "grid.upgrades": [
        {"name": "station", "date": "2025-06-01", "add_mw": 5}]})
    row = _section(assumptions_html({"fifo": base, "late": late}), "<th>late</th>", "</tr>")
    assert "only:" not in row
    assert "In fifo, not in late:<ul><li>station +5 MW on 2024-06-01</li></ul>" in row
    assert "<li>station +5 MW on 2025-06-01</li>" in row


def test_summary_block_comes_first_and_answers_each_question(
    report: Path, comparison: Comparison
):
    """The answers lead the page: each question, its effects listed beneath with intervals."""
    html = report.read_text(encoding="utf-8")
    assert html.index('<section class="answers" id="answers">') < html.index('id="figures"')
    block = _section(html, '<section class="answers"', "</section>")
    items = re.findall(r"<li><strong>(.*?)</strong>(.*?)</ul></li>", block, flags=re.S)
    assert [question for question, _ in items] == [q.question for q in comparison.questions]
    for _, body in items:
        points = re.findall(r"<li>(.*?)</li>", body)
        assert points and "95% CI" in points[0]


@pytest.fixture
def chromium() -> str:
    found = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (apt-get install chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium); CI runs this test")
    return found


def test_report_is_self_contained(report: Path, comparison: Comparison):
    """Nothing from elsewhere (no scripts, styles, images); figures embedded at one scale."""
    html = report.read_text(encoding="utf-8")
    parser = _Images()
    parser.feed(html)
    assert len(parser.images) == len(comparison.figures())
    assert all(str(image["src"]).startswith("data:image/png;base64,")
               for image in parser.images)
    assert not re.search(r"<script|<link|<iframe|\bsrc=\"(?!data:)|url\(", html)
    widths = {image["alt"]: int(str(image["width"])) for image in parser.images}
    queue = comparison.queue_figure().get_figwidth() * 100  # shown at 100 CSS px per inch
    assert [w for alt, w in widths.items() if str(alt).startswith("Applicants waiting")] == [
        round(queue)]
    for label, results in comparison.results.items():
        assert f"<th>{label}</th>" in html
        assert results.scenario.description in html
    assert "social_priority against fifo (" in html


def _rendered(page: Path, html: str, chromium: str, flags: Sequence[str] = FLAGS) -> _Images:
    """Write ``html`` to ``page``, load it in headless Chromium, and parse the DOM it dumps."""
    page.write_text(html, encoding="utf-8")
    done = subprocess.run(
        [chromium, *flags, f"--user-data-dir={page.parent / 'profile'}", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    dom = _Images()
    dom.feed(done.stdout)
    return dom


def test_report_opens_in_headless_chromium_with_every_image_loaded(
    report: Path, chromium: str, tmp_path: Path
):
    """Chromium renders the report offline and decodes every embedded figure."""
    dom = _rendered(tmp_path / "report-checked.html",
                    report.read_text(encoding="utf-8").replace("</body>", CHECK + "</body>"),
                    chromium)
    assert dom.body.get("data-checked") == "yes", "the check did not run after loading"
    assert dom.body.get("data-fetched") == "0"
    assert dom.body.get("data-first-heading") == "The answers"
    assert int(str(dom.body.get("data-answers-bottom"))) <= 900, "answers below the first screen"
    figures = [image for image in dom.images if image.get("id") != "broken-control"]
    control = [image for image in dom.images if image.get("id") == "broken-control"]
    assert len(figures) == 7
    assert [image.get("data-loaded") for image in figures] == ["yes"] * 7
    assert [image.get("data-loaded") for image in control] == ["no"]  # the check can fail


# Added to a copy of the report: every column of numbers as narrow as the browser can make
# it, its heading aside (as a narrow screen or a printed page squeezes the widest tables),
# then count the numbers it broke across two lines (a range over one with two line boxes).
BROKEN_NUMBERS = """
<style>thead{display:none} td.num{width:0}</style>
<script>
window.addEventListener("load", () => {
  let broken = 0;
  let numbers = 0;
  for (const cell of document.querySelectorAll("td.num")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/[+-]?\\d[\\d,.]*%?/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        numbers += 1;
        if (lines.size > 1) broken += 1;
      }
    }
  }
  document.body.dataset.numbers = String(numbers);
  document.body.dataset.broken = String(broken);
});
</script>
"""


def test_numbers_in_tables_are_never_broken_across_lines(
    report: Path, chromium: str, tmp_path: Path
):
    """However narrow a column, a cell wraps between numbers, never inside one ("711,80" / "7")."""
    dom = _rendered(tmp_path / "report-numbers.html", report.read_text(encoding="utf-8").replace(
        "</body>", BROKEN_NUMBERS + "</body>"), chromium)
    assert int(str(dom.body.get("data-numbers"))) > 100
    assert dom.body.get("data-broken") == "0"


# Added to a copy of the report: the most lines any column heading takes, and its text.
TALLEST_HEADING = """
<script>
window.addEventListener("load", () => {
  let tallest = 0;
  for (const heading of document.querySelectorAll("thead th")) {
    const range = document.createRange();
    range.selectNodeContents(heading);
    const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
    if (lines > tallest) {
      tallest = lines;
      document.body.dataset.heading = heading.textContent;
    }
  }
  document.body.dataset.tallest = String(tallest);
});
</script>
"""


def test_no_column_heading_is_taller_than_six_lines(report: Path, chromium: str,
                                                    tmp_path: Path):
    """A window 1280 pixels wide showed the mean wait's heading 15 lines tall, as a tower.

    What a marked cell holds is said beneath the table instead (:attr:`KeyTable.legend`).
    """
    html = report.read_text(encoding="utf-8")
    body = _rendered(tmp_path / "report-headings.html",
                     html.replace("</body>", TALLEST_HEADING + "</body>"), chromium).body
    assert 1 < int(str(body.get("data-tallest"))) <= 6, body.get("data-heading")


# Added to a copy of the report whose print rules apply on screen too, shown as wide as an A4
# page's printable width: count the tables that run past its right edge or are cut off by a
# scrolling box (paper cannot scroll), and the folded contents that paper would not show.
PRINTED = """
<script>
window.addEventListener("load", () => {
  const width = document.documentElement.clientWidth;
  const tables = [...document.querySelectorAll("table")];
  document.body.dataset.tables = String(tables.length);
  document.body.dataset.offPage = String(
    tables.filter((table) => table.getBoundingClientRect().right > width + 1).length);
  document.body.dataset.cut = String([...document.querySelectorAll(".wide")]
    .filter((box) => box.scrollWidth > box.clientWidth + 1).length);
  const folded = [...document.querySelectorAll("details > :not(summary)")];
  document.body.dataset.folded = String(folded.length);
  document.body.dataset.hidden = String(folded.filter((part) => !part.checkVisibility()).length);
});
</script>
"""


def test_printed_report_shows_every_table_whole_and_every_folded_part(
    report: Path, chromium: str, tmp_path: Path
):
    """On paper no table loses its right-hand columns and nothing stays folded away."""
    html = report.read_text(encoding="utf-8")
    assert "@media print" in html
    flags = [flag if not flag.startswith("--window-size") else "--window-size=718,1000"
             for flag in FLAGS]
    body = _rendered(tmp_path / "report-printed.html", html.replace(
        "@media print", "@media all").replace("</body>", PRINTED + "</body>"),
        chromium, flags).body
    assert int(str(body.get("data-tables"))) >= 4 and int(str(body.get("data-folded"))) >= 2
    assert (body.get("data-off-page"), body.get("data-cut"), body.get("data-hidden")) == (
        "0", "0", "0")


# Added to a copy of the report: how large each figure is shown against its own scale (100
# CSS px per inch, its width attribute), whether the page itself runs past the window, and
# how many figures' boxes scroll sideways.
SCALES = """
<script>
window.addEventListener("load", () => {
  const width = document.documentElement.clientWidth;
  const shown = [...document.querySelectorAll("figure img")].map(
    (image) => image.getBoundingClientRect().width / Number(image.getAttribute("width")));
  document.body.dataset.smallest = String(Math.min(...shown));
  document.body.dataset.pageWider = String(document.documentElement.scrollWidth > width + 1);
  document.body.dataset.scrolling = String([...document.querySelectorAll("figure")]
    .filter((box) => box.querySelector("img") && [...box.children].some(
      (part) => part.scrollWidth > part.clientWidth + 1)).length);
  document.body.dataset.captionsInside = String([...document.querySelectorAll("figcaption")]
    .every((caption) => caption.getBoundingClientRect().right <= width + 1));
});
</script>
"""


@pytest.mark.parametrize(("window", "scrolling"), [(800, True), (1280, False)])
def test_figures_are_never_shown_too_small_to_read(report: Path, chromium: str,
                                                   tmp_path: Path, window: int,
                                                   scrolling: bool):
    """In a window 800 pixels wide the differences figure shrank to half its scale.

    Its labels were then too small to read. A figure is shown at 80% of its scale at least:
    one wider than the page scrolls sideways in its own box, while the page and the captions
    keep the window's width; at 1280 pixels nothing needs to scroll.
    """
    flags = [flag if not flag.startswith("--window-size") else f"--window-size={window},900"
             for flag in FLAGS]
    body = _rendered(tmp_path / f"report-{window}.html", report.read_text(
        encoding="utf-8").replace("</body>", SCALES + "</body>"), chromium, flags).body
    assert float(str(body.get("data-smallest"))) >= 0.8 - 1e-3
    assert (body.get("data-page-wider"), body.get("data-captions-inside")) == ("false", "true")
    assert (int(str(body.get("data-scrolling"))) > 0) == scrolling
