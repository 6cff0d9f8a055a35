"""Published observations beside the model: counted as published, banded, judged plainly."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import InputError, Results, load_scenario, run
from sim.analysis.candidates import synthetic_loss, synthetic_terms
from sim.inputs.observations import Observation
from sim.runs.csv_writer import write_csv
from sim.runs.observed import (
    agreement_sentences,
    few_for_a_band,
    observation_table,
    observed_values,
    published_text,
)

ROOT = Path(__file__).resolve().parents[1]


def _applicants() -> pd.DataFrame:
    """Four hand-made applicants in two areas."""
    return pd.DataFrame({
        "request_date": pd.to_datetime(["2024-01-10", "2024-02-01", "2024-03-01", "2024-05-01"]),
        "connect_date": pd.to_datetime([None, "2024-04-01", None, None]),
        "withdraw_date": pd.to_datetime([None, None, "2024-06-01", None]),
        "area": ["north", "north", "south", "north"],
        "requested_mw": [1.0, 2.0, 4.0, 8.0],
    })


def _observation(**fields) -> Observation:
    return Observation(source="hand-made", value=1, **fields)


def test_each_quantity_is_counted_as_published():
    """Waiting (count and MW) on a date; requests, connections, leavers over a period; by area."""
    observations = [
        _observation(date=dt.date(2024, 3, 15), quantity="applicants_waiting"),
        _observation(date=dt.date(2024, 3, 15), quantity="mw_waiting"),
        _observation(date=dt.date(2024, 4, 1), quantity="applicants_waiting"),  # 2 connected
        _observation(date=dt.date(2024, 6, 1), quantity="applicants_waiting", area="north"),
        _observation(date=dt.date(2024, 6, 1), quantity="applicants_waiting"),  # 1 withdrew
        _observation(date=dt.date(2024, 5, 1), quantity="requests_received",
                     since=dt.date(2024, 2, 1)),
        _observation(date=dt.date(2024, 12, 1), quantity="connections_made",
                     since=dt.date(2024, 1, 1), area="south"),
        # Of the 3 waiting on 15 Mar, one connects and one withdraws; a later arrival is not in it.
        _observation(date=dt.date(2024, 12, 1), quantity="share_leaving",
                     since=dt.date(2024, 3, 15)),
    ]
    values = observed_values(observations, _applicants())
    assert values.tolist() == [3, 7.0, 2, 2, 2, 3, 0, pytest.approx(2 / 3)]


def test_one_still_in_line_for_firm_mw_is_still_on_the_list():
    """A part connected or a non-firm right kept beside a firm place does not leave the list.

    Both keep their place in line for the rest, as the queue of timeseries.csv counts them,
    until the whole request is connected firm: a right kept but never moved to firm stays on
    the list to the end. A right held without a firm place does leave it, on its date. Rows
    written before kept_firm_place take a right never moved to firm for one given up.
    """
    rows = pd.DataFrame({
        "request_date": pd.to_datetime(["2024-01-10"] * 5),
        # part connected; right kept, moved to firm; right alone; whole and firm; right kept,
        # never moved to firm
        "connect_date": pd.to_datetime(["2024-02-01"] * 5),
        "full_connect_date": pd.to_datetime(["2024-09-01", "2024-09-01", None, "2024-02-01",
                                             None]),
        "withdraw_date": pd.to_datetime([None] * 5),
        "non_firm_date": pd.to_datetime([None, "2024-02-01", "2024-02-01", None,
                                         "2024-02-01"]),
        "moved_to_firm": [False, True, False, False, False],
        "kept_firm_place": [False, True, False, False, True],
        "area": ["north"] * 5,
        "requested_mw": [1.0, 2.0, 4.0, 8.0, 16.0],
    })
    observations = [
        _observation(date=dt.date(2024, 6, 1), quantity="applicants_waiting"),
        _observation(date=dt.date(2024, 6, 1), quantity="mw_waiting"),
        _observation(date=dt.date(2024, 12, 1), quantity="share_leaving",
                     since=dt.date(2024, 6, 1)),
        _observation(date=dt.date(2024, 12, 1), quantity="connections_made",
                     since=dt.date(2024, 1, 1)),  # the first connections: all five
    ]
    assert observed_values(observations, rows).tolist() == [3, 19.0, pytest.approx(2 / 3), 5]
    older = rows.drop(columns="kept_firm_place")
    assert observed_values(observations, older).tolist() == [2, 3.0, 1.0, 5]


def test_applicants_waiting_are_the_firm_queue_with_non_firm_rights():
    """In non_firm.yaml a published count is set beside the queue timeseries.csv shows.

    Its rights, from 2026, were once counted as leaving the list, though most holders keep
    their firm place: 54 fewer waiting than in the queue by Dec 2026 in replication 0, and a
    share leaving the list in 2025-2026 far above the queue's. Then, until applicants.csv
    said who kept its place (kept_firm_place), a holder that kept it and was not moved to
    firm by the end of the run was still counted off the list from its right's date: 43
    fewer than the queue's 1,150 in Dec 2034 in replication 0.
    """
    scenario = load_scenario(ROOT / "scenarios/flevoland/non_firm.yaml", {"replications": 2})
    results = run(scenario, workers=1)
    applicants = results.applicants
    assert applicants["non_firm_date"].notna().any()
    kept = applicants["kept_firm_place"] & ~applicants["moved_to_firm"]
    assert kept.any() and applicants.loc[kept, "full_connect_date"].isna().all()
    for morning in ("2026-12-17", "2034-12-17"):
        queue = results.timeseries[results.timeseries["date"].astype(str) == morning]
        # to the end of the day before: the snapshot of the next morning
        day = dt.date.fromisoformat(morning) - dt.timedelta(days=1)
        counted = [_observation(date=day, quantity="applicants_waiting"),
                   _observation(date=day, quantity="mw_waiting")]
        for replication, rows in applicants.groupby("replication"):
            waiting, mw = observed_values(counted, rows)
            snapshot = queue[queue["replication"] == replication].iloc[0]
            assert waiting == snapshot["queue_total"]
            assert mw == pytest.approx(snapshot["queued_mw_total"])


def _in_part() -> pd.DataFrame:
    """Four applicants asking on 10 Jan 2024, as applicants.csv records them at the end."""
    return pd.DataFrame({
        "request_date": pd.to_datetime(["2024-01-10"] * 4),
        # 4 of 10 MW connected; 5 MW connected in part, then whole; never; a right kept
        "connect_date": pd.to_datetime(["2024-02-01", "2024-03-01", None, "2024-02-01"]),
        "full_connect_date": pd.to_datetime([None, "2024-09-01", None, None]),
        "withdraw_date": pd.to_datetime([None] * 4),
        "non_firm_date": pd.to_datetime([None, None, None, "2024-02-01"]),
        "moved_to_firm": [False, False, False, False],
        "kept_firm_place": [False, False, False, True],
        "area": ["north"] * 4,
        "requested_mw": [10.0, 5.0, 2.0, 3.0],
        "connected_mw": [4.0, 5.0, 0.0, 0.0],
        "waiting_mw": [6.0, 0.0, 2.0, 3.0],
    })


def test_mw_waiting_counts_the_rest_of_a_request_connected_in_part():
    """Once connected in part, an applicant waits for its rest, as the key figure counts it.

    On 15 Jan nobody is connected: 10 + 5 + 2 + 3 MW. On 1 Jun the first holds 4 of its
    10 MW and waits for 6; the second, connected in full in September, counts its whole 5
    MW (its rows do not say how much of it came in March); the holder of a right beside its
    firm place waits for all 3: 16 MW, where the whole requests made 20. Rows written
    before waiting_mw count whole requests, as they were counted.
    """
    counted = [_observation(date=dt.date(2024, 1, 15), quantity="mw_waiting"),
               _observation(date=dt.date(2024, 6, 1), quantity="mw_waiting"),
               _observation(date=dt.date(2024, 6, 1), quantity="applicants_waiting")]
    assert observed_values(counted, _in_part()).tolist() == [20.0, 16.0, 4]
    older = _in_part().drop(columns="waiting_mw")
    assert observed_values(counted, older).tolist() == [20.0, 20.0, 4]


def test_mw_waiting_at_the_end_is_the_key_figure_with_partial_offers():
    """On the run's last day, MW waiting is the sum of waiting_mw of those on the list.

    In partial_offers.yaml the first two replications end with applicants connected in
    part; counting their whole requests put the published figure's count 0.17 and 0.19 MW
    above the key figure of the same name.
    """
    scenario = load_scenario(ROOT / "scenarios/flevoland/partial_offers.yaml",
                             {"replications": 2})
    last_day = scenario.start + dt.timedelta(days=int(scenario.horizon_years * 365.25) - 1)
    at_end = [_observation(date=last_day, quantity="mw_waiting")]
    applicants = run(scenario, workers=1).applicants
    partly = applicants["connect_date"].notna() & applicants["full_connect_date"].isna()
    assert (partly & (applicants["waiting_mw"] < applicants["requested_mw"])).any()
    for _, rows in applicants.groupby("replication"):
        assert observed_values(at_end, rows)[0] == pytest.approx(rows["waiting_mw"].sum(),
                                                                 rel=1e-12)


def test_growth_is_the_ratio_to_the_reference_date():
    """A growth observation divides the count at its date by the count at its reference."""
    growth = _observation(date=dt.date(2024, 5, 1), quantity="applicants_waiting",
                          relative_to={"date": "2024-01-31", "value": 10})
    assert observed_values([growth], _applicants()).tolist() == [3.0]  # 3 waiting / 1
    assert growth.observed == 0.1


@pytest.mark.parametrize(("replications", "verdict"), [
    ([90, 100, 110], "agrees"),
    ([130, 140, 150], "model above"),
    ([40, 50, 60], "model below"),
])
def test_agreement_compares_the_published_range_with_the_simulated_band(replications, verdict):
    """Agreement means the published value +- its uncertainty meets the band of replications."""
    observation = Observation(date=dt.date(2024, 1, 1), quantity="applicants_waiting",
                              value=100, uncertainty=0.2, source="a newspaper")
    table = observation_table([observation], [np.array([v]) for v in replications])
    assert table.loc[0, "agreement"] == verdict
    assert table.loc[0, "observed_low"] == pytest.approx(80)
    sentences = agreement_sentences(table)
    agrees = "agrees" if verdict == "agrees" else "does not agree"
    assert sentences[-1] == (f"the one published figure {agrees} with the simulation (a figure "
                             "agrees when its published range meets the band of 90% of "
                             "replications). A band rests on only 3 replications with a "
                             "value: 90% of so few is about their lowest to highest, too rough "
                             "to judge agreement by; 20 or more are needed.")
    enough = observation_table([observation], [np.array([v]) for v in replications * 7])
    assert agreement_sentences(enough)[-1].endswith("the band of 90% of replications).")
    # An observation no replication gives a value is no band resting on few.
    none = enough.assign(replications=[0], agreement=["no simulated value"])
    assert few_for_a_band(pd.concat([enough, none])) == ""


def test_an_agreement_whose_mean_lies_outside_the_published_range_says_so():
    """'published 1.78 (1.60 to 1.96); simulated 1.58 ...: agrees' read as a match.

    The band of 90% of replications meets the published range, so the figure agrees; the
    simulated mean itself lies below it, which the verdict now adds. A mean inside reads
    'agrees' alone.
    """
    observation = Observation(date=dt.date(2024, 1, 1), quantity="applicants_waiting",
                              value=100, uncertainty=0.2, source="a newspaper")
    low = observation_table([observation], [np.array([v]) for v in [60, 70, 85] * 7])
    assert low.loc[0, "agreement"] == "agrees" and low.loc[0, "simulated_mean"] < 80
    assert agreement_sentences(low)[0].endswith(
        ": agrees, though the simulated mean is below the published range.")
    high = observation_table([observation], [np.array([v]) for v in [115, 130, 140] * 7])
    assert agreement_sentences(high)[0].endswith(
        ": agrees, though the simulated mean is above the published range.")
    inside = observation_table([observation], [np.array([v]) for v in [90, 100, 110] * 7])
    assert agreement_sentences(inside)[0].endswith(": agrees.")
    # The count beside them said "1 of 1 published figures agree" alone, and the report's
    # table and a comparison's lines said "agrees" without the rest.
    assert agreement_sentences(low)[-1] == (
        "the one published figure agrees with the simulation (a figure agrees when its "
        "published range meets the band of 90% of replications). In it the simulated mean is "
        "outside the published range.")
    assert agreement_sentences(inside)[-1].endswith("band of 90% of replications).")
    both = pd.concat([low, inside], ignore_index=True)
    assert agreement_sentences(both)[-1].endswith(
        "In 1 of those that agree the simulated mean is outside the published range.")
    away = low.assign(agreement=["agrees"]).pipe(lambda t: pd.concat([t, t.assign(
        agreement=["model below"])], ignore_index=True))
    assert agreement_sentences(away)[-1] == (
        "1 of 2 published figures agrees with the simulation (a figure agrees when its "
        "published range meets the band of 90% of replications). In the one that agrees the "
        "simulated mean is outside the published range.")
    from sim.report.data import observed_section

    section = observed_section({"sp": low, "other": inside}, {})
    assert section is not None
    assert [cell.note for _, _, cells in section.table.rows[1:] for cell in cells] == [
        "agrees, mean below the range", "agrees"]
    assert section.sentences[0].endswith(
        "In it the simulated mean is outside the published range")


UP_TO_120 = "at most 100 (agreeing up to 120, given its uncertainty)"
DOWN_TO_80 = "at least 100 (agreeing down to 80, given its uncertainty)"


@pytest.mark.parametrize(("bound", "replications", "verdict", "published"), [
    ("upper", [40, 50, 60], "agrees", UP_TO_120),
    ("upper", [110, 115, 118], "agrees", UP_TO_120),
    ("upper", [130, 140, 150], "model above", UP_TO_120),
    ("lower", [130, 140, 150], "agrees", DOWN_TO_80),
    ("lower", [40, 50, 60], "model below", DOWN_TO_80),
])
def test_a_bound_is_met_anywhere_on_its_allowed_side(bound, replications, verdict, published):
    """An upper bound agrees with any band that reaches below it; a lower one, above it.

    A bound used to be stated only as a point value with a range, so a model well inside it
    was 'below' and the calibration pulled it up towards the figure.
    """
    observation = Observation(date=dt.date(2024, 1, 1), quantity="applicants_waiting",
                              value=100, uncertainty=0.2, source="a newspaper", bound=bound)
    table = observation_table([observation], [np.array([v]) for v in replications])
    assert table.loc[0, "agreement"] == verdict
    open_end = "observed_low" if bound == "upper" else "observed_high"
    assert np.isnan(table.loc[0, open_end])  # no end: an empty field, as README says
    assert f"published {published} (a newspaper)" in agreement_sentences(table)[0]


def test_a_bound_is_written_without_infinities_or_float_noise(tmp_path):
    """A bound's open side is empty, as every missing value; its ends are exact decimals.

    observations.csv had '-inf' for a bound's open side and 0.30000000000000004 for 0.2 give
    or take half; the ends are now worked out in decimals, as the figures are written.
    """
    liander = Observation(date=dt.date(2025, 12, 31), since=dt.date(2025, 1, 1),
                          quantity="share_leaving", value=0.2, bound="upper",
                          uncertainty=0.5, source="Liander, 2025")
    assert liander.published_range == (None, 0.3)
    growth = Observation(date=dt.date(2025, 7, 1), quantity="mw_waiting", value=9100,
                         relative_to={"date": "2024-06-11", "value": 5116}, uncertainty=0.1,
                         source="Kamerstuk")
    assert growth.published_range == (float(Fraction(9100, 5116) * Fraction(9, 10)),
                                      float(Fraction(9100, 5116) * Fraction(11, 10)))
    table = observation_table([liander], [np.array([v]) for v in (0.1, 0.12, 0.15)])
    path = tmp_path / "observations.csv"
    with open(path, "wb") as file:
        write_csv(file, [table])
    text = path.read_text(encoding="utf-8")
    assert "inf" not in text and "0.30000000000000004" not in text
    assert ",0.2,,0.3," in text
    # Read back, the empty end is still an open side: the same verdict and the same words.
    again = pd.read_csv(path)
    assert published_text(again.iloc[0]) == ("at most 20% (agreeing up to 30%, given its "
                                              "uncertainty)")
    assert agreement_sentences(again)[0] == agreement_sentences(table)[0]
    assert agreement_sentences(table)[0].endswith("simulated 12%, 90% of replications 10% "
                                                  "to 15%: agrees.")
    # Results written before, with an infinite open side, read the same.
    before = again.assign(observed_low=-np.inf)
    assert published_text(before.iloc[0]) == published_text(again.iloc[0])


def test_a_bound_costs_nothing_on_its_allowed_side_and_the_gaussian_beyond():
    """The loss of an upper bound is 0 below it and the point value's penalty above it."""
    observed, uncertainty = np.array([100.0]), np.array([0.2])
    upper, lower = np.array([1]), np.array([-1])
    below = np.array([[40.0], [50.0], [60.0]])
    above = below + 100  # 140 to 160: the same spread, 50 above the figure
    assert synthetic_loss(observed, uncertainty, below, upper) == 0.0
    assert synthetic_loss(observed, uncertainty, above, lower) == 0.0
    point = synthetic_loss(observed, uncertainty, above)
    variance = 20.0 ** 2 + 100.0 * (1 + 1 / 3)
    assert synthetic_loss(observed, uncertainty, above, upper) == pytest.approx(
        point - np.log(variance))
    assert synthetic_loss(observed, uncertainty, above, upper) == pytest.approx(
        50.0 ** 2 / variance)
    terms, misfit = synthetic_terms(observed, uncertainty, below, upper)
    assert terms.tolist() == [0.0] and misfit.tolist() == [0.0]


def test_the_liander_share_is_an_upper_bound():
    """Liander's share leaving counts its whole area, where more room came free: a bound."""
    scenario = load_scenario(ROOT / "scenarios/flevoland/base.yaml")
    liander = [o for o in scenario.observations if o.quantity == "share_leaving"]
    assert [o.bound for o in liander] == ["upper"]


@pytest.fixture(scope="module")
def base_results() -> Results:
    """Three replications of the Flevoland base, which names the observations file."""
    return run(load_scenario(ROOT / "scenarios/flevoland/base.yaml", {"replications": 3}),
               workers=1)


def test_run_writes_observations_csv_beside_the_other_tables(base_results, tmp_path):
    """observations.csv has a row per published figure; read back, it is computed the same."""
    folder = base_results.write(tmp_path / "base")
    written = pd.read_csv(folder / "observations.csv")
    assert len(written) == len(base_results.scenario.observations) == 5
    assert (written["replications"] == 3).all()
    assert (written["simulated_band_low"] <= written["simulated_band_high"]).all()
    assert list(written["note"]) == [o.note for o in base_results.scenario.observations]
    again = Results.read(folder).observations()
    pd.testing.assert_frame_equal(again.assign(date=again["date"].astype(str)),
                                  written.assign(date=written["date"].astype(str)),
                                  check_dtype=False)


def test_replications_count_their_observations_as_the_rows_would(monkeypatch):
    """Each replication counts its observations where its rows are made: as from the rows.

    A large run then need not read its rows back; workers and a spool on disk change nothing.
    """
    monkeypatch.setattr("sim.runs.spool.DEFAULT_BUDGET_ROWS", 50)  # the rows go to disk
    scenario = load_scenario(ROOT / "scenarios/flevoland/base.yaml", {"replications": 4})
    counted = run(scenario, workers=2)
    assert counted.applicants_on_disk
    from_rows = Results(counted.scenario, counted.applicants, counted.timeseries,
                        counted.summary, counted.replication_metrics, counted.projects,
                        counted.run_info)  # no values given: counted from the rows
    pd.testing.assert_frame_equal(counted.observations(), from_rows.observations())
    assert counted.observations()["replications"].eq(4).all()


def test_base_agrees_with_the_october_2023_count(base_results):
    """The Flevoland base reproduces about 210 waiting in Oct 2023 within its band."""
    table = base_results.observations()
    october = table[table["date"] == dt.date(2023, 10, 15)].iloc[0]
    assert october["observed"] == 210
    assert october["agreement"] == "agrees"


def test_a_scenario_without_observations_writes_no_observations_csv(tmp_path):
    """No observations, no observations.csv (and no empty table pretending otherwise)."""
    scenario = load_scenario(ROOT / "tests/bad_inputs/valid.yaml")
    assert not scenario.observations
    folder = run(scenario, workers=1).write(tmp_path / "plain")
    assert not (folder / "observations.csv").exists()


def test_the_observations_file_is_an_input_never_overwritten():
    """The file named by observations: counts among the scenario's inputs."""
    scenario = load_scenario(ROOT / "scenarios/flevoland/base.yaml")
    assert ROOT / "scenarios/flevoland/observations.yaml" in {
        Path(p).resolve() for p in scenario.input_files}


def test_observations_do_not_unpair_scenarios():
    """Stating observations changes no draw, so the scenario stays paired with one without."""
    from sim.analysis.differences import draws_key

    base = load_scenario(ROOT / "scenarios/flevoland/base.yaml")
    assert draws_key(base) == draws_key(base.model_copy(update={"observations": []}))


def test_the_json_schema_takes_a_list_or_a_file_name():
    """Editors checking files against `gridqueue schema` accept both forms of observations."""
    jsonschema = pytest.importorskip("jsonschema")
    from sim import Scenario

    schema = Scenario.model_json_schema(by_alias=True)

    def check(observations: object) -> None:
        jsonschema.validate({"start": "2024-01-01", "end": "2025-01-01",
                             "grid": {"capacity_mw": 1}, "observations": observations}, schema)

    check("observations.yaml")
    check([{"date": "2024-06-01", "quantity": "applicants_waiting", "value": 3, "source": "x"}])
    with pytest.raises(jsonschema.ValidationError):
        check(3)


def test_run_says_in_plain_words_how_well_model_and_data_agree(tmp_path, capsys):
    """The run command prints a sentence per observation and how many agree."""
    from sim.cli import main

    code = main(["run", str(ROOT / "scenarios/flevoland/base.yaml"), "--replications", "2",
                 "--workers", "1", "-o", str(tmp_path / "base")])
    out = capsys.readouterr().out
    assert code == 0
    assert "Applicants waiting, 2023-10-15: published 210 (189 to 231)" in out
    assert (" of 5 published figures agree with the simulation (a figure agrees when its "
            "published range meets the band of 90% of replications).") in out


def test_figure_draws_each_scenario_only_beside_the_observations_it_states():
    """A panel per distinct observation; a scenario lacking one is not drawn in its panel."""
    from sim.figures.observations import observations_figure

    waiting, requests = (
        Observation(date=dt.date(2024, 1, 1), quantity="applicants_waiting", value=10,
                    source="a newspaper"),
        Observation(date=dt.date(2024, 1, 1), quantity="requests_received", value=40,
                    since=dt.date(2023, 1, 1), source="a report"))
    fig = observations_figure({
        "one": observation_table([requests], [np.array([41.0])] * 2),
        "both": observation_table([requests, waiting], [np.array([60.0, 9.0])] * 2)})
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert titles == ["Requests received, 2023-01-01 to 2024-01-01 (a report)",
                      "Applicants waiting, 2024-01-01 (a newspaper)"]
    # The published diamond, then a band and a mean per scenario stating it.
    assert [len(ax.get_lines()) for ax in fig.axes] == [5, 3]
    assert fig.axes[1].get_lines()[1].get_xdata().tolist() == [9.0, 9.0]


def test_every_observations_figure_gives_the_caution_of_a_band_of_few_replications():
    """A run's and a comparison's figure carry it as a calibration's does, and as their text.

    Only calibration.png said that a band of a few replications is too rough to judge
    agreement by; the same figure in a run's or a comparison's report did not.
    """
    from sim.figures.observations import observations_figure

    waiting = Observation(date=dt.date(2024, 1, 1), quantity="applicants_waiting", value=10,
                          source="a newspaper")
    few = observation_table([waiting], [np.array([9.0]), np.array([11.0])])
    caution = few_for_a_band(few).strip()
    assert caution.startswith("A band rests on only 2 replications")
    title = observations_figure({"one": few, "two": few}).get_suptitle()
    assert " ".join(title.split()) == caution
    many = observation_table([waiting], [np.array([float(v)]) for v in range(20)])
    assert observations_figure({"one": many}).get_suptitle() == ""


def test_a_comparisons_observations_keep_each_scenarios_look_from_the_other_figures(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A scenario stating no observations does not shift the others' colours and markers.

    Compared after fifo, which states none, observed_fifo is orange with squares in the queue
    figure but was drawn black with circles, fifo's look, beside the published figures, and
    observed_sp took observed_fifo's: a reader matching colours across figures read one
    scenario's band as another's.
    """
    from sim import Comparison, compare
    from sim.figures.palette import scenario_style
    from tests.comparison_family import write_observed

    monkeypatch.setattr(Comparison, "figures", lambda _: {})  # speed: the one figure drawn
    family = write_observed(tmp_path / "family")
    both = compare([family[n] for n in ("fifo", "observed_fifo", "observed_sp")],
                   replications=2, workers=1)
    fig = both.observations_figure()
    assert fig is not None
    legend = {t.get_text(): h for t, h in zip(fig.legends[0].get_texts(),
                                              fig.legends[0].legend_handles, strict=True)}
    for i, label in enumerate(both.results):
        if label == "fifo":
            assert label not in legend
            continue
        look = scenario_style(i)
        assert (legend[label].get_color(), legend[label].get_marker()) == (look.colour,
                                                                          look.marker)
        drawn = [line for ax in fig.axes for line in ax.get_lines()
                 if line.get_marker() == look.marker]
        assert drawn and all(line.get_color() == look.colour for line in drawn)


def test_an_observations_file_of_a_bare_list_is_told_to_put_observations_above_it(tmp_path):
    """A file holding only the list says it needs observations: above it.

    It used to say "expected a mapping of keys at the top level, got list", which does not
    say what the mapping should hold.
    """
    (tmp_path / "bare.yaml").write_text(
        "- date: 2023-06-15\n  quantity: applicants_waiting\n  value: 100\n  source: test\n",
        encoding="utf-8")
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(f"extends: {(ROOT / 'scenarios/flevoland/base.yaml').as_posix()}\n"
                        "observations: bare.yaml\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_scenario(scenario)
    assert raised.value.source.endswith("bare.yaml") and raised.value.line == 1
    assert "expected observations: at the top level, with the list of observations under it" in (
        str(raised.value))


def _scenario_with_observations(tmp_path: Path, observations: str) -> Path:
    """A base variant whose observations are in a file of their own beside it."""
    (tmp_path / "figures.yaml").write_text(f"observations:\n{observations}", encoding="utf-8")
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(f"extends: {(ROOT / 'scenarios/flevoland/base.yaml').as_posix()}\n"
                        "observations: figures.yaml\n", encoding="utf-8")
    return scenario


@pytest.mark.parametrize("where", ["value", "relative_to.value"])
def test_a_share_written_as_a_percentage_is_refused(tmp_path, where):
    """A share leaving of 20 (meant as 20%) is refused, naming the key: no model can reach it.

    It used to be taken as a share of 20: every candidate of a calibration missed it by
    hundreds of standard deviations, and the search 'pinned down' whatever value came
    nearest.
    """
    value, reference = ("20", "0.1") if where == "value" else ("0.2", "10")
    scenario = _scenario_with_observations(tmp_path, (
        "  - date: 2025-12-31\n    since: 2025-01-01\n    quantity: share_leaving\n"
        f"    value: {value}\n    relative_to: {{date: 2025-06-30, value: {reference}}}\n"
        "    source: test\n"))
    with pytest.raises(InputError) as raised:
        load_scenario(scenario)
    assert raised.value.source.endswith("figures.yaml")
    assert raised.value.key_path == f"observations.0.{where}"
    assert "expected a share from 0 to 1 (0.2 for 20%)" in str(raised.value)


def test_an_observation_dated_outside_the_run_names_the_observations_file(tmp_path):
    """The date is written in the observations file: the message names it and its line.

    It used to name the scenario's line observations: figures.yaml, where no date is.
    """
    scenario = _scenario_with_observations(tmp_path, (
        "  - date: 2023-06-15\n    quantity: applicants_waiting\n    value: 150\n"
        "    source: test\n"
        "  - date: 2040-06-15\n    quantity: applicants_waiting\n    value: 150\n"
        "    source: test\n"))
    with pytest.raises(InputError) as raised:
        load_scenario(scenario)
    assert raised.value.source.endswith("figures.yaml") and raised.value.line == 6
    assert raised.value.key_path == "observations.1.date"
    assert ("expected a date from start (2022-11-17) to the day before end (2036-12-31)"
            in str(raised.value))


def test_an_observation_may_not_count_the_day_the_run_ends(tmp_path):
    """The run stops as its end date begins: a count of that day read as nobody.

    Requests received on 30 and 31 December of a run ending on the 31st simulated 9.85
    against 20 a day, and 'the model is lower' followed.
    """
    scenario = _scenario_with_observations(tmp_path, (
        "  - {date: 2036-12-31, since: 2036-12-30, quantity: requests_received, value: 2,"
        " source: test}\n"))
    with pytest.raises(InputError, match=r"observations.0.date: expected a date from start "
                       r"\(2022-11-17\) to the day before end \(2036-12-31\), got 2036-12-31: "
                       "the run stops as its end date begins, so nothing of that day is "
                       "simulated"):
        load_scenario(scenario)
    day_before = _scenario_with_observations(tmp_path, (
        "  - {date: 2036-12-30, since: 2036-12-29, quantity: requests_received, value: 2,"
        " source: test}\n"))
    assert load_scenario(day_before).observations[0].date.isoformat() == "2036-12-30"


def test_an_observations_file_that_is_a_folder_is_said_to_be_one(tmp_path):
    """A folder named as the observations file is called a folder, not a file not found."""
    (tmp_path / "figures.yaml").mkdir()
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(f"extends: {(ROOT / 'scenarios/flevoland/base.yaml').as_posix()}\n"
                        "observations: figures.yaml\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_scenario(scenario)
    assert raised.value.source == str(scenario) and raised.value.line == 2
    assert raised.value.key_path == "observations"
    assert str(raised.value).endswith(f"'{tmp_path / 'figures.yaml'}' is a directory")


def test_a_share_leaving_reads_in_percent_and_its_growth_as_a_ratio():
    """A share leaving is said in %, as every other share of the report; its growth stays a ratio.

    It used to read 'at most 0.20 (0.30 with its uncertainty)', 'simulated 0.13', beside
    shares in % elsewhere in the report.
    """
    share = Observation(date=dt.date(2025, 12, 31), since=dt.date(2025, 1, 1),
                        quantity="share_leaving", value=0.2, uncertainty=0.5, bound="upper",
                        source="Liander")
    growth = Observation(date=dt.date(2025, 12, 31), since=dt.date(2025, 1, 1),
                         quantity="share_leaving", value=0.2, source="a newspaper",
                         relative_to={"date": "2025-06-30", "value": 0.1})
    table = observation_table([share, growth], [np.array([s, 1.5]) for s in
                                                np.linspace(0.09, 0.17, 11)])
    sentences = agreement_sentences(table)
    assert ("published at most 20% (agreeing up to 30%, given its uncertainty) (Liander); "
            "simulated 13%, 90% of "
            "replications 9% to 17%: agrees.") in sentences[0]
    assert "published 2.00 (a newspaper); simulated 1.50, 90% of replications 1.50 to 1.50" in (
        sentences[1])


@pytest.mark.parametrize(("entry", "key", "line", "expected"), [
    ("    quantity: applicants_waiting\n    value: 150\n", "observations.0.source", 2,
     "missing: this key is required"),
    ("    quantity: requests_received\n    since: 2024-01-01\n    value: 150\n"
     "    source: test\n", "observations.0", 2,
     "expected since before date (2023-06-15), got 2024-01-01"),
    ("    quantity: applicants_waiting\n    value: many\n    source: test\n",
     "observations.0.value", 4,
     "expected a valid number, unable to parse string as a number, got 'many'"),
    ("    quantity: applicants_waiting\n    value: [100, 150]\n    source: test\n",
     "observations.0.value", 4, "expected a valid number"),
    # The base of a growth of a count over a period counted no day: never a value.
    ("    quantity: connections_made\n    since: 2023-01-01\n    value: 30\n"
     "    source: test\n    relative_to: {date: 2022-12-31, value: 10}\n", "observations.0",
     2, "expected relative_to.date on or after since (2023-01-01), got 2022-12-31: the growth "
     "divides the figure from since to date by the same from since to relative_to.date, which "
     "would count no day"),
], ids=["missing key", "period backwards", "text for a number", "list for a number",
        "growth of nothing"])
def test_an_observations_file_s_problem_names_the_file_line_and_key(tmp_path, entry, key, line,
                                                                    expected):
    """In the words of the scenario messages: what was expected, and what was got if it is short.

    A list or mapping given is not repeated: the line shows it.
    """
    scenario = _scenario_with_observations(tmp_path, f"  - date: 2023-06-15\n{entry}")
    with pytest.raises(InputError) as raised:
        load_scenario(scenario)
    assert raised.value.source.endswith("figures.yaml")
    assert (raised.value.key_path, raised.value.line) == (key, line)
    assert raised.value.expected == expected


def test_an_observations_file_that_is_not_yaml_is_named_with_its_line(tmp_path):
    """Not taken for a bare list of observations: the YAML error of the file, at its line."""
    scenario = _scenario_with_observations(
        tmp_path, "  - date: 2023-06-15\n    quantity: [applicants_waiting\n")
    with pytest.raises(InputError) as raised:
        load_scenario(scenario)
    assert raised.value.source.endswith("figures.yaml") and raised.value.line == 4
    assert raised.value.expected == ("YAML syntax error: expected ',' or ']', but got "
                                     "'<stream end>'")


def test_mw_waiting_of_one_that_withdrew_after_a_first_connection_is_its_request():
    """One on the list until it withdrew counts its request there, not the end's zero rest.

    applicants.csv gives a withdrawn applicant no rest (``waiting_mw`` 0), so its rest at the
    end says nothing of what it waited for before withdrawing: on 1 Jun, between its first
    connection and its withdrawal, it is on the list with its whole 10 MW, at most what it
    waited for; after it withdrew, with nothing.
    """
    rows = _in_part().iloc[:1].assign(withdraw_date=pd.to_datetime(["2024-09-01"]),
                                      waiting_mw=[0.0])
    counted = [_observation(date=dt.date(2024, 6, 1), quantity="mw_waiting"),
               _observation(date=dt.date(2024, 6, 1), quantity="applicants_waiting"),
               _observation(date=dt.date(2024, 10, 1), quantity="mw_waiting")]
    assert observed_values(counted, rows).tolist() == [10.0, 1, 0.0]
