"""The public API as an analyst uses it from Python: wrong arguments and tables read back."""

from __future__ import annotations

import pandas as pd
import pytest

from sim import Results, run
from tests.builders import project, scenario


def _small_run(**fields: object) -> Results:
    """Two replications of a year of shops and a named project, with a non-firm pool unused."""
    return run(scenario(
        replications=2, end="2026-01-01", grid={"capacity_mw": 2.0},
        streams={"shops": {"category": "other", "rate_per_year": 12,
                           "demand_mw": {"dist": "fixed", "value": 0.5}}},
        projects=[project("school", "2024-06-01", 0.4, "basic_needs")], **fields), workers=1)


@pytest.mark.parametrize("table", ["applicants", "timeseries", "projects", "summary",
                                   "replication_metrics"])
def test_a_results_folder_reads_back_with_the_dtypes_the_run_gave(tmp_path, table):
    """Categories came back as text, dates in microseconds or as text or floats.

    ``full_connect_date`` read back as text and an unused ``non_firm_date`` as floats, so
    date arithmetic on a read folder failed where it worked on the run's own tables.
    """
    results = _small_run()
    read = Results.read(results.write(tmp_path / "out"))
    pd.testing.assert_frame_equal(getattr(read, table), getattr(results, table))


def test_a_run_without_projects_gives_a_projects_table_of_numbers_and_dates(tmp_path):
    """With no named project the share and wait columns were objects, not floats."""
    results = run(scenario(replications=2), workers=1)
    for projects in (results.projects, Results.read(results.write(tmp_path / "out")).projects):
        assert projects.empty
        assert projects["replications"].dtype == "int64"
        assert projects["connected_share"].dtype == "float64"
        assert projects["wait_mean_years"].dtype == "float64"
        assert projects["connect_date_p50"].dtype == "datetime64[s]"
