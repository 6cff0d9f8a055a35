"""The comparison report: self-contained, and every figure loads in a real headless browser."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sim import Comparison, compare
from tests.comparison_family import write_family

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--virtual-time-budget=15000", "--dump-dom")

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


@pytest.fixture
def chromium() -> str:
    found = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (apt-get install chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium); CI runs this test")
    return found


def test_report_is_self_contained(report: Path, comparison: Comparison):
    """No scripts, no stylesheets or images from elsewhere: every figure is embedded."""
    html = report.read_text(encoding="utf-8")
    parser = _Images()
    parser.feed(html)
    assert len(parser.images) == len(comparison.figures())
    assert all(str(image["src"]).startswith("data:image/png;base64,")
               for image in parser.images)
    assert not re.search(r"<script|<link|<iframe|\bsrc=\"(?!data:)|url\(", html)
    for label, results in comparison.results.items():
        assert f"<th>{label}</th>" in html
        assert results.scenario.description in html
    assert "Compared with fifo, under social_priority" in html


def test_report_opens_in_headless_chromium_with_every_image_loaded(
    report: Path, chromium: str, tmp_path: Path
):
    """Chromium renders the report offline and decodes every embedded figure."""
    page = tmp_path / "report-checked.html"
    page.write_text(report.read_text(encoding="utf-8").replace("</body>", CHECK + "</body>"),
                    encoding="utf-8")
    profile = tmp_path / "profile"
    done = subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    dom = _Images()
    dom.feed(done.stdout)
    assert dom.body.get("data-checked") == "yes", "the check did not run after loading"
    assert dom.body.get("data-fetched") == "0"
    figures = [image for image in dom.images if image.get("id") != "broken-control"]
    control = [image for image in dom.images if image.get("id") == "broken-control"]
    assert len(figures) == 7
    assert [image.get("data-loaded") for image in figures] == ["yes"] * 7
    assert [image.get("data-loaded") for image in control] == ["no"]  # the check can fail
