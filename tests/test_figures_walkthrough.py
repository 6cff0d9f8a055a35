"""What the report and its figures say of what they draw: intervals, units, legends, dates."""

from __future__ import annotations

import pandas as pd
import pytest

from sim import load_scenario, run
from sim.report.data import CAPTIONS, run_page
from sim.report.html import render_report
from tests.comparison_family import write_family


@pytest.fixture(scope="module")
def summary_and_scenario(tmp_path_factory: pytest.TempPathFactory):
    family = write_family(tmp_path_factory.mktemp("family"))
    scenario = load_scenario(family["fifo"], {"replications": 2})
    return run(scenario, workers=1).summary, scenario


def test_the_first_line_tells_confidence_intervals_from_bands_of_replications(
    summary_and_scenario,
):
    """The tables' intervals are 95% CIs of a mean; the bands over time hold 90% of runs.

    The first line said every interval was a 95% confidence interval, while the figures of
    applicants waiting and of MW and jobs connected shade the band of 90% of replications:
    the spread of single outcomes, far wider than the interval of their mean.
    """
    summary, scenario = summary_and_scenario
    images = {name: b"" for name in ("queue", "connected", "withdrawals")}
    page = run_page(summary, scenario, "fifo.yaml", images)
    first = render_report(page).split('<p class="note">', 1)[1].split("</p>", 1)[0]
    assert "Every interval is a 95% confidence interval" not in first
    assert ("Every interval of the headline figures, and of the withdrawals figure, is a 95% "
            "confidence interval over 2 replications") in first
    assert ("The shaded bands of the figures of applicants waiting and of MW and jobs "
            "connected are not: each holds 90% of the replications, the spread of single "
            "outcomes.") in first
    for name in ("queue", "areas", "connected", "observations"):
        assert "90% of" in CAPTIONS[name] and "not a confidence interval" in CAPTIONS[name]
    # Without figures, only the tables' intervals are spoken of.
    bare = run_page(summary, scenario, "fifo.yaml", {}).intervals
    assert "band" not in bare and bare.startswith("Every interval of the headline figures is")
