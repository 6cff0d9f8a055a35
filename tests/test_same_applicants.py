"""Which stream settings change who the applicants are, and which only what they do.

A variant that gives a stream's applicants another patience, lifetime, on-site generation,
partial offer, expansion, non-firm offer, efficiency score or jobs keeps the same applicants:
each of these draws from a random stream of its own, so the request dates and demand come
out row for row as before, and the comparison pairs them and counts them in their categories.
Another rate, growth, period, demand or homes per request draws other applicants, and the
comparison sets the stream apart, unpaired. A patience of 4 years for one Flevoland stream
was once compared as "drawn differently (other applicants, unpaired)" although all its
applicants were the same; so were more jobs for logistics, whose waits did not move by a day.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim import InputError, compare, load_scenario
from sim.analysis.differences import NOT_DRAWN_BY_STREAM, NOT_DRAWN_BY_WAITING_LIST, draws_key
from sim.analysis.populations import PROJECT_BEHAVIOUR, definitions
from sim.inputs.scenario import Project, Stream, WaitingList
from sim.runs.metrics import CATEGORY_CHANGED, DRAWN_DIFFERENTLY, EVERY_APPLICANT, IN_BOTH
from tests.comparison_family import write_family

IDENTITY_COLUMNS = ["replication", "applicant_id", "name", "source", "stream", "category",
                    "area", "request_date", "demand_mw", "jobs", "homes"]
"""The columns of ``applicants.csv`` that say who an applicant is."""

SETUP = {
    "non_firm": "non_firm:\n  rights: {firm_85: {hours_share: 0.85}}\n"
                "  pools: {main: {capacity_mw: 0.5}}\nstreams:\n  basic:\n"
                "    non_firm: {right: firm_85, accept_share: 0.5, keep_firm_place_share: 1}\n",
    "efficiency": "policy:\n  order: social_priority\n  within_category: {other: efficiency}\n"
                  "streams:\n  other:\n    efficiency: {dist: uniform, low: 0, high: 1}\n",
}
"""What a key needs in both scenarios before a stream's setting of it can act (a pool to
offer rights from; a rule ranking by score, which needs scores, so there the variant changes
them), where the family lacks it."""

BEHAVIOUR = {
    "patience_years": "patience_years: {dist: exponential, mean: 1}",
    "lifetime_years": "lifetime_years: {dist: uniform, low: 1, high: 3}",
    "onsite_generation": "onsite_generation: {share: 0.5, cover: 0.3}",
    "partial_offer": "partial_offer: {min_share: 0.4, accept_share: 0.5}",
    "expansion": "expansion: {share: 0.3, existing_mw: 0.2}",
    "non_firm": "non_firm: {right: firm_85, accept_share: 0.5, keep_firm_place_share: 0.5}",
    "efficiency": "efficiency: {dist: uniform, low: 0.5, high: 3}",
    "jobs": "jobs: {dist: uniform, low: 500, high: 1500}",
}
"""A setting of each stream key that changes only what the same applicants do or bring."""

IDENTITY = {
    "rate_per_year": "rate_per_year: 10",
    "growth_per_year": "growth_per_year: 0.2",
    "demand_mw": "demand_mw: {dist: lognormal, median: 0.6, sigma: 0.5}",
    "homes_per_request": "homes_per_request: 3",
    "period": "period: {start: 2023-01-01}",
}
"""A setting of each stream key that changes who the applicants are."""

NEITHER = {"category", "area", "category_changes"}
"""Stream keys no draw uses, whose change sets a stream apart in its own way (or not at all)."""


def test_every_stream_key_is_either_who_the_applicants_are_or_what_they_do():
    """A new stream key must be placed on one side, with a setting tested below."""
    assert set(BEHAVIOUR) == set(NOT_DRAWN_BY_STREAM)
    assert set(BEHAVIOUR) | set(IDENTITY) | NEITHER == set(Stream.model_fields)
    assert not set(BEHAVIOUR) & set(IDENTITY)


def _variant(folder: Path, name: str, setting: str,
             parent: str = "social_priority.yaml") -> Path:
    """A member of the family that changes one key of the 'other' stream."""
    path = folder / f"{name}.yaml"
    path.write_text(f"extends: {parent}\nname: {name}\n"
                    f"streams:\n  other:\n    {setting}\n", encoding="utf-8")
    return path


def _identity(applicants: pd.DataFrame) -> pd.DataFrame:
    return applicants[IDENTITY_COLUMNS].reset_index(drop=True)


@pytest.fixture(scope="module")
def family(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_family(tmp_path_factory.mktemp("same_applicants"), projects=False)


@pytest.mark.parametrize("key", list(BEHAVIOUR))
def test_a_behaviour_setting_keeps_the_same_applicants_and_pairs_them(
    family: dict[str, Path], key: str
):
    """The applicants agree row for row; the comparison counts everyone, paired.

    And its answer does not set the stream apart as drawn differently.
    """
    folder = family["fifo"].parent
    reference = folder / f"before_{key}.yaml"
    reference.write_text(f"extends: social_priority.yaml\nname: before_{key}\n"
                         + SETUP.get(key, ""), encoding="utf-8")
    variant = _variant(folder, f"changed_{key}", BEHAVIOUR[key], parent=reference.name)
    both = compare([reference, variant], workers=1, replications=3)
    mine, theirs = (both.results[label].applicants for label in (variant.stem, reference.stem))
    assert len(mine) > 0
    same = [column for column in IDENTITY_COLUMNS if column != key]
    pd.testing.assert_frame_equal(mine[same].reset_index(drop=True),
                                  theirs[same].reset_index(drop=True))
    if key == "jobs":  # the same requests with more at stake: served exactly as before
        assert not mine["jobs"].equals(theirs["jobs"])
        pd.testing.assert_frame_equal(mine[["outcome", "wait_years"]],
                                      theirs[["outcome", "wait_years"]])
    assert both.paired[variant.stem]
    rows = both.differences
    assert set(rows["population"]) == {EVERY_APPLICANT}
    assert rows["paired"].all()
    (text,) = both.sentences()
    assert "drawn differently" not in text and "unpaired" not in text


@pytest.mark.parametrize("key", ["demand_mw", "rate_per_year"])
def test_an_identity_setting_draws_other_applicants_set_apart_unpaired(
    family: dict[str, Path], key: str
):
    """Another demand or rate: the stream's applicants differ and it is set apart."""
    variant = _variant(family["fifo"].parent, f"redrawn_{key}", IDENTITY[key])
    both = compare([family["social_priority"], variant], workers=1, replications=3)
    mine, theirs = (both.results[label].applicants[lambda a: a["stream"] == "other"]
                    for label in (variant.stem, "social_priority"))
    assert not _identity(mine).equals(_identity(theirs))
    assert not both.paired[variant.stem]
    rows = both.differences.drop_duplicates(["population", "origin"])
    assert list(zip(rows["population"], rows["origin"], strict=True)) == [
        (IN_BOTH, ""), (DRAWN_DIFFERENTLY, "other")]
    (text,) = both.sentences()
    assert "; other, drawn differently (other applicants, unpaired): " in text


@pytest.mark.parametrize("key", list(IDENTITY))
def test_each_identity_key_sets_its_stream_apart(family: dict[str, Path], key: str):
    """Every key that changes who the applicants are changes their stream's definition."""
    base = load_scenario(family["social_priority"])
    changed = load_scenario(_variant(family["fifo"].parent, f"key_{key}", IDENTITY[key]))
    assert definitions(changed)["other"] != definitions(base)["other"]
    assert definitions(changed)["basic"] == definitions(base)["basic"]
    assert draws_key(changed) != draws_key(base)


def test_a_csv_list_s_behaviour_settings_keep_its_rows(tmp_path: Path):
    """Patience and the rest of a CSV list's rows naming no stream: the same rows, paired."""
    assert set(NOT_DRAWN_BY_WAITING_LIST) == set(WaitingList.model_fields) - {
        "csv", "count", "earliest", "latest", "mix"}
    write_family(tmp_path, projects=False)
    (tmp_path / "list.csv").write_text("request_date,category,demand_mw\n"
                                       "2021-03-01,other,0.3\n2021-05-01,basic_needs,0.2\n",
                                       encoding="utf-8")
    (tmp_path / "listed.yaml").write_text(
        "extends: social_priority.yaml\nname: listed\nwaiting_list: {csv: list.csv}\n",
        encoding="utf-8")
    base = load_scenario(tmp_path / "listed.yaml")
    patient = load_scenario(tmp_path / "listed.yaml", [
        "waiting_list.patience_years={dist: exponential, mean: 2}",
        "waiting_list.efficiency={dist: uniform, low: 0, high: 1}",
        "waiting_list.partial_offer={min_share: 0.5, accept_share: 0.5}",
        # scores that no rules rank by are refused: a ranking changes no draw either
        "policy.within_category={basic_needs: efficiency}"])
    assert patient.waiting_list is not None and patient.waiting_list.patience_years is not None
    assert definitions(patient) == definitions(base)
    assert draws_key(patient) == draws_key(base)


PROJECT_IDENTITY = {"name", "date", "demand_mw"}
"""What a named project is: the rest of it is what the same request does (PROJECT_BEHAVIOUR)."""


def test_every_project_key_is_either_what_it_is_or_what_it_does():
    assert set(PROJECT_BEHAVIOUR) | PROJECT_IDENTITY == set(Project.model_fields)
    assert not set(PROJECT_BEHAVIOUR) & PROJECT_IDENTITY


def test_a_named_project_that_waits_less_long_is_the_same_request(tmp_path: Path):
    """Another patience, lifetime or priority: compared in its category, not set apart.

    It was once set apart as "requested differently (the same named project, another
    request)"; another date still is.
    """
    paths = write_family(tmp_path)
    behaviour = compare([paths["social_priority"], paths["social_priority"]],
                        ["2:name=impatient", "2:projects.0.patience_years=0.5",
                         "2:projects.0.lifetime_years=2", "2:projects.0.priority_requested=false"],
                        workers=1, replications=3)
    assert set(behaviour.differences["population"]) == {EVERY_APPLICANT}
    assert behaviour.differences["paired"].all()
    (text,) = behaviour.sentences()
    assert "requested differently" not in text
    later = load_scenario(paths["social_priority"], ["projects.0.date=2025-01-01"])
    assert definitions(later)["Campus"] != definitions(
        load_scenario(paths["social_priority"]))["Campus"]


def test_a_project_named_as_a_stream_is_refused(tmp_path: Path):
    """Its rows and the stream's would be one origin, and the project's settings stand for both.

    Raising the rate of the stream 'other' (category other) beside a basic-needs project
    named 'other' then left the sweep's group other paired and without a note: +10.7
    withdrawn (9.2 to 12.1), though the group held 190 applicants in the first cell and 250
    in the second (2 replications); unpaired it is -0.4 to 21.8. ``compare`` compared every
    applicant as if like with like.
    """
    paths = write_family(tmp_path, projects=False)
    with pytest.raises(InputError, match="expected a name no stream has"):
        load_scenario(paths["fifo"], ["projects=[{name: other, date: 2022-06-01, "
                                      "demand_mw: 0.8, category: basic_needs}]"])


def test_a_stream_moved_beside_a_redrawn_one_is_still_compared_paired(tmp_path: Path):
    """A stream moved into another category keeps its applicants whatever else is redrawn.

    Moving 'basic' into safety while another stream's rate changed compared basic unpaired
    (Welch, -44.4 to 59.2 percentage points connected within 2 years over 3 replications),
    though replication *i* held the same basic applicants in both: the moved stream
    followed the question, unpaired as a whole, instead of its own draws.
    """
    write_family(tmp_path, projects=False)
    reference = tmp_path / "three.yaml"
    reference.write_text(
        "extends: social_priority.yaml\nname: three\nstreams:\n  third: {category: other, "
        "rate_per_year: 8, demand_mw: 0.3, patience_years: {dist: exponential, mean: 3}}\n",
        encoding="utf-8")
    variant = tmp_path / "moved.yaml"
    variant.write_text("extends: three.yaml\nname: moved\nstreams:\n  basic: {category: "
                       "safety}\n  other: {rate_per_year: 10}\n", encoding="utf-8")
    both = compare([reference, variant], workers=1, replications=3)
    mine, theirs = (both.results[label].applicants[lambda a: a["stream"] == "basic"]
                    for label in ("moved", "three"))
    columns = [c for c in IDENTITY_COLUMNS if c not in ("applicant_id", "category")]
    pd.testing.assert_frame_equal(mine[columns].reset_index(drop=True),
                                  theirs[columns].reset_index(drop=True))
    rows = both.differences
    moved = rows[(rows["population"] == CATEGORY_CHANGED) & (rows["origin"] == "basic")]
    assert len(moved) > 0 and moved["paired"].all()
    assert not rows.loc[rows["population"] == DRAWN_DIFFERENTLY, "paired"].any()


def test_a_csv_list_s_rows_of_a_redrawn_stream_stay_the_file_s_rows(tmp_path: Path):
    """Another rate for a stream leaves its rows of a CSV list as the file gives them.

    They were set apart as "drawn differently (other applicants, unpaired)", though a row's
    date, demand and jobs come from the file and none of the stream's draws.
    """
    write_family(tmp_path, projects=False)
    (tmp_path / "list.csv").write_text(
        "request_date,category,demand_mw,stream\n2021-03-01,other,0.3,other\n"
        "2021-05-01,basic_needs,0.2,basic\n2021-06-01,other,0.2,other\n", encoding="utf-8")
    reference = tmp_path / "listed.yaml"
    reference.write_text("extends: social_priority.yaml\nname: listed\n"
                         "waiting_list: {csv: list.csv}\n", encoding="utf-8")
    variant = _variant(tmp_path, "faster", IDENTITY["rate_per_year"], parent=reference.name)
    assert definitions(load_scenario(variant))["other (waiting list)"] == \
        definitions(load_scenario(reference))["other (waiting list)"]
    both = compare([reference, variant], workers=1, replications=3)
    mine, theirs = (both.results[label].applicants[lambda a: a["source"] == "waiting_list"]
                    for label in ("faster", "listed"))
    pd.testing.assert_frame_equal(_identity(mine), _identity(theirs))
    rows = both.differences.drop_duplicates(["population", "origin"])
    assert list(zip(rows["population"], rows["origin"], rows["paired"], strict=True)) == [
        (IN_BOTH, "", True), (DRAWN_DIFFERENTLY, "other", False)]
