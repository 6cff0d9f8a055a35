"""A policy named in a scenario file without Python glue: policy.import and entry points."""

from __future__ import annotations

import builtins
import pickle
import re
import shutil
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

from sim import InputError, QueuePolicy, Results, load_scenario, run
from sim.cli import main
from sim.errors import GridqueueError, GridqueueWarning, arguments_as_options
from sim.inputs.rng import RandomStreams
from sim.inputs.sources import generate_applicants
from sim.policies import registry
from sim.policies.checked import CheckedPolicy
from tests.comparison_family import FIFO

# What a policy changes and what is said of it is checked here, not what a figure shows: the
# reports and sweeps written here lay out their figures and write them empty (tests/undrawn.py).
pytestmark = pytest.mark.undrawn

POLICY_MODULE = '''\
from sim import QueuePolicy, register_policy


@register_policy
class JobsPerMWPolicy(QueuePolicy):
    """Most jobs per MW asked first."""

    name = "{name}"
    uses_category_order = False

    def sort_key(self, applicant):
        return (-applicant.jobs / applicant.requested_mw,)
'''


@pytest.fixture
def clean_registry(monkeypatch):
    """Policies registered by a test do not outlive it, nor do its modules."""
    monkeypatch.setattr(registry, "POLICIES", dict(registry.POLICIES))
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if name.startswith("gq_test_"):
            del sys.modules[name]


def scenario_file(folder: Path, policy: str) -> Path:
    path = folder / "s.yaml"
    path.write_text(FIFO + textwrap.dedent(policy), encoding="utf-8")
    return path


def test_policy_import_registers_a_policy_beside_the_scenario(tmp_path, clean_registry):
    """policy.import: [module] imports it from the scenario's folder; its name then works."""
    (tmp_path / "gq_test_mine.py").write_text(POLICY_MODULE.format(name="jobs_first_import"))
    path = scenario_file(tmp_path, """\
        policy:
          import: [gq_test_mine]
          order: jobs_first_import
        """)
    scenario = load_scenario(path, {"replications": 2})
    assert scenario.policy.imports == ["gq_test_mine"]
    results = run(scenario, workers=1)
    assert "jobs_first_import" in registry.POLICIES
    assert len(results.summary) > 0


def test_an_imported_policy_no_period_names_is_warned_of(tmp_path, clean_registry, capsys):
    """A file that imports a policy module and forgets to name its policy ran the old one.

    Its results were those of the policies in force before, with nothing said: the import
    changed no wait. A warning now names the key, the module's policies and those in force;
    a module whose policy a period names, or that registers none (a helper), draws none.
    """
    (tmp_path / "gq_test_forgot.py").write_text(POLICY_MODULE.format(name="jobs_first_forgot"))
    (tmp_path / "gq_test_helper.py").write_text("WEIGHT = 2\n")
    path = scenario_file(tmp_path, "policy: {import: [gq_test_forgot, gq_test_helper]}\n")
    with pytest.warns(GridqueueWarning) as caught:
        load_scenario(path)
    said = [str(w.message) for w in caught]
    assert len(said) == 1, said
    assert re.search(r"s.yaml:\d+: policy.import.0: module 'gq_test_forgot' registers "
                     r"'jobs_first_forgot', which no policy in force names \(in force: fifo\), "
                     r"so it changes no wait", said[0]), said[0]
    assert main(["validate", str(path)]) == 0
    assert "policy.import.0: module 'gq_test_forgot'" in capsys.readouterr().err
    named = scenario_file(tmp_path, "policy: {import: [gq_test_forgot, gq_test_helper], "
                                    "order: fifo, changes: [{date: 2023-06-01, "
                                    "order: jobs_first_forgot}]}\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error", GridqueueWarning)
        load_scenario(named)
    # A sweep that varies the policy may put it in force: nothing is said of the base file.
    swept = tmp_path / "swept.yaml"  # another file: a warning said before is not said again
    swept.write_text(FIFO + "policy: {import: [gq_test_forgot]}\n", encoding="utf-8")
    assert main(["sweep", str(swept), "-o", str(tmp_path / "sweep"), "--replications", "2",
                 "--workers", "1", "-q", "--vary", "policy.order=fifo,jobs_first_forgot"]) == 0
    assert "policy.import" not in capsys.readouterr().err


@pytest.mark.parametrize("derived", [
    "from gq_test_base import JobsPerMWPolicy\n\n\n@register_policy\n"
    "class Derived(JobsPerMWPolicy):\n    name = 'jobs_derived'\n",
    "import gq_test_base\n\n\n@register_policy\nclass Derived(QueuePolicy):\n"
    "    name = 'jobs_derived'\n\n    def sort_key(self, applicant):\n"
    "        return gq_test_base.JobsPerMWPolicy.sort_key(self, applicant)\n",
], ids=["inherits", "imports"])
def test_an_imported_module_the_policy_in_force_draws_on_is_not_warned_of(
        derived, tmp_path, clean_registry):
    """A module a policy in force inherits or imports from is named in policy.import to be kept.

    The results folder does not copy a policy module's imports from its folder unless they are
    named in policy.import, as a warning advises; one that registers a policy of its own was
    then said to change no wait, which it does through the policy in force.
    """
    (tmp_path / "gq_test_base.py").write_text(POLICY_MODULE.format(name="jobs_base"))
    (tmp_path / "gq_test_derived.py").write_text(
        "from sim import QueuePolicy, register_policy\n" + derived)
    path = scenario_file(tmp_path, "policy: {import: [gq_test_derived, gq_test_base], "
                                   "order: jobs_derived}\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error", GridqueueWarning)
        load_scenario(path)


def test_a_policy_import_that_fails_names_the_key(tmp_path, clean_registry):
    """A module that cannot be imported is reported at policy.import.N."""
    path = scenario_file(tmp_path, "policy: {import: [gq_test_missing], order: fifo}\n")
    with pytest.raises(InputError, match=r"s.yaml:\d+: policy.import.0: cannot import policy "
                       "module 'gq_test_missing'"):
        load_scenario(path)
    path = scenario_file(tmp_path, "policy: {import: [not-a-module], order: fifo}\n")
    with pytest.raises(InputError, match="policy.import: expected Python module names"):
        load_scenario(path)


def test_a_module_that_registers_a_taken_name_is_refused(tmp_path, clean_registry, capsys):
    """A policy registered as 'fifo' would replace the built-in everywhere: one line refuses it."""
    (tmp_path / "gq_test_dup.py").write_text(POLICY_MODULE.format(name="fifo"))
    builtin = registry.POLICIES["fifo"]
    path = scenario_file(tmp_path, "policy: {import: [gq_test_dup], order: fifo}\n")
    with pytest.raises(InputError, match=r"s.yaml:\d+: policy.import.0: policy module "
                       r"'gq_test_dup' registers JobsPerMWPolicy as queue policy 'fifo', a name "
                       r"sim.policies.builtin.FIFOPolicy already has"):
        load_scenario(path)
    assert registry.POLICIES["fifo"] is builtin
    path = scenario_file(tmp_path, "policy: {order: 'gq_test_dup:JobsPerMWPolicy'}\n")
    code = main(["validate", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "policy.order: policy module 'gq_test_dup' registers" in err
    assert registry.POLICIES["fifo"] is builtin


def test_importing_a_policy_module_again_is_harmless(tmp_path, clean_registry):
    """The same class registered again (its module imported anew) replaces only itself."""
    (tmp_path / "gq_test_again.py").write_text(POLICY_MODULE.format(name="jobs_first_again"))
    path = scenario_file(tmp_path, "policy: {import: [gq_test_again], order: jobs_first_again}\n")
    load_scenario(path)
    first = registry.POLICIES["jobs_first_again"]
    del sys.modules["gq_test_again"]  # imported anew, as from a results folder's copy
    scenario = load_scenario(path)
    again = sys.modules["gq_test_again"].JobsPerMWPolicy
    assert again is not first and registry.POLICIES["jobs_first_again"] is again
    assert scenario.policy.order == "jobs_first_again"


def test_an_installed_package_offers_a_policy_by_entry_point(tmp_path, monkeypatch,
                                                              clean_registry):
    """A name under the entry-point group gridqueue.policies works with no import at all."""
    site = tmp_path / "site"
    info = site / "gq_test_dist-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: gq-test-dist\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[gridqueue.policies]\njobs_first_ep = gq_test_offered:JobsPerMWPolicy\n")
    (site / "gq_test_offered.py").write_text(POLICY_MODULE.format(name="jobs_first_ep"))
    monkeypatch.syspath_prepend(str(site))
    path = scenario_file(tmp_path, "policy: {order: jobs_first_ep}\n")
    scenario = load_scenario(path, {"replications": 2})
    cls = registry.resolve_policy("jobs_first_ep")
    assert cls.__module__ == "gq_test_offered" and cls.name == "jobs_first_ep"
    assert len(run(scenario, workers=1).summary) > 0


def offer_by_entry_point(site: Path, monkeypatch: pytest.MonkeyPatch, line: str,
                         module: str, code: str) -> None:
    """An installed package in ``site`` whose entry point ``line`` names ``module``."""
    info = site / "gq_test_dist-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: gq-test-dist\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[gridqueue.policies]\n{line}\n")
    (site / f"{module}.py").write_text(code)
    monkeypatch.syspath_prepend(str(site))


def test_an_entry_point_whose_package_fails_to_load_names_the_package_s_error(
    tmp_path, monkeypatch, clean_registry
):
    """The installed package's own error, and that the name came from an installed package."""
    offer_by_entry_point(tmp_path / "site", monkeypatch,
                         "broken_ep = gq_test_broken_ep:JobsPerMWPolicy", "gq_test_broken_ep",
                         "RATE = 1 / 0\n")
    path = scenario_file(tmp_path, "policy: {order: broken_ep}\n")
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert str(caught.value).endswith(
        "policy.order: queue policy 'broken_ep' (gq_test_broken_ep:JobsPerMWPolicy, offered by "
        "an installed package): ZeroDivisionError: division by zero")


def test_an_entry_point_that_is_no_policy_is_refused(tmp_path, monkeypatch, clean_registry):
    """A function offered under the group is not taken for a policy class."""
    offer_by_entry_point(tmp_path / "site", monkeypatch, "ranked_ep = gq_test_plain_ep:rank",
                         "gq_test_plain_ep", "def rank(applicant):\n    return 0\n")
    with pytest.raises(LookupError) as caught:
        registry.resolve_policy("ranked_ep")
    assert str(caught.value) == ("queue policy 'ranked_ep': the installed package's entry point "
                                 "gq_test_plain_ep:rank is not a QueuePolicy subclass")


def test_module_colon_class_resolves_from_the_python_path_without_a_folder(
    tmp_path, monkeypatch, clean_registry
):
    """From Python, with no scenario folder to look in, the Python path alone is searched."""
    (tmp_path / "gq_test_on_path.py").write_text(POLICY_MODULE.format(name="jobs_on_path"))
    monkeypatch.syspath_prepend(str(tmp_path))
    cls = registry.resolve_policy("gq_test_on_path:JobsPerMWPolicy")
    assert (cls.__module__, cls.name) == ("gq_test_on_path", "jobs_on_path")
    assert registry.POLICIES["jobs_on_path"] is cls


def test_a_policy_class_without_a_name_cannot_be_registered(clean_registry):
    """A scenario could not name it: refused when defined, not when a scenario fails to."""
    before = dict(registry.POLICIES)

    with pytest.raises(ValueError, match=r"^Nameless needs a class attribute 'name' to be "
                       r"registered$"):
        @registry.register_policy
        class Nameless(QueuePolicy):
            def sort_key(self, applicant):  # type: ignore[no-untyped-def]
                return (applicant.request_time,)

    assert registry.POLICIES == before


def test_an_unknown_name_says_where_names_come_from(tmp_path, clean_registry):
    """The message for an unknown policy names the built-ins, policy.import and the group."""
    path = scenario_file(tmp_path, "policy: {order: jobs_first_nowhere}\n")
    with pytest.raises(InputError, match=r"policy.order: unknown queue policy "
                       r"'jobs_first_nowhere'.*policy.import.*gridqueue.policies"):
        load_scenario(path)


def test_the_policy_guide_lists_every_applicant_attribute():
    """docs/policies.md documents exactly the attributes a policy's sort_key receives."""
    import dataclasses
    import re

    from sim import Applicant

    guide = (Path(__file__).resolve().parents[1] / "docs" / "policies.md").read_text("utf-8")
    table = guide.split("## What a policy may use", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"^\| `(\w+)` \|", table, re.M)
    assert documented == [field.name for field in dataclasses.fields(Applicant)]


RUNTIME_ERROR = '''\
from sim import QueuePolicy


def per_job(applicant):
    return applicant.requested_mw / applicant.jobz


class Typo(QueuePolicy):
    def sort_key(self, applicant):
        return (per_job(applicant),)


class Mixed(QueuePolicy):
    def sort_key(self, applicant):
        return ("late",) if applicant.applicant_id % 2 else (applicant.request_time,)
'''


def test_a_policy_that_raises_is_named_at_its_file_and_line(tmp_path, clean_registry, capsys):
    """The one line names the last frame in the policy's module, without the contract hint.

    A misspelt applicant attribute (``applicant.jobz``) is followed by the nearest one.
    """
    module = tmp_path / "gq_test_runtime.py"
    module.write_text(RUNTIME_ERROR)
    path = scenario_file(tmp_path, "policy: {order: 'gq_test_runtime:Typo'}\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "the queue policy 'gq_test_runtime:Typo' failed while ranking applicants " \
           "(AttributeError: " in err[0] and "'jobz' (did you mean 'jobs'?))" in err[0]
    assert err[0].endswith(f") in per_job at {module}:5")
    assert "expected sort_key to return" not in err[0]


LATE_BAD_KEY = '''\
from sim import QueuePolicy


class LateNone(QueuePolicy):
    uses_category_order = False
    uses_priority = False

    def sort_key(self, applicant):
        late = applicant.request_time == float.fromhex("{request_time}")
        return None if late else (applicant.request_time,)
'''


def test_a_bad_sort_key_names_the_replication_of_the_applicant(tmp_path, clean_registry,
                                                                capsys):
    """Applicant ids start again at 0 in every replication, so the message names both.

    The check before a run ranks the first replication's applicants only; a key that goes
    wrong for an applicant of a later replication is found in that replication, where
    "applicant N" alone pointed at another applicant: replication 0's of that id, which
    the first replication has too.
    """
    scenario = load_scenario(scenario_file(tmp_path, ""))  # the same applicants, fifo
    first, second = (generate_applicants(scenario, RandomStreams(scenario.seed, r), None)
                     for r in (0, 1))
    late = len(second) - 1  # the last request of replication 1, an id replication 0 has too
    assert late < len(first)
    (tmp_path / "gq_test_late.py").write_text(
        LATE_BAD_KEY.format(request_time=float(second.request_time[late]).hex()))
    path = scenario_file(tmp_path, "policy: {order: 'gq_test_late:LateNone'}\n")
    assert main(["run", str(path), "--replications", "2", "--workers", "1", "-q",
                 "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert ("the queue policy 'gq_test_late:LateNone' returned None (NoneType) as the sort "
            f"key of applicant {late} of replication 1; expected a tuple") in err[0]


def test_a_policy_module_that_fails_on_import_is_named_at_its_file_and_line(tmp_path,
                                                                          clean_registry):
    """As a failing sort_key is: the module's line, or the function of it that raised."""
    top = tmp_path / "gq_test_top.py"
    top.write_text("import math\n\nraise RuntimeError('oops at import')\n")
    nested = tmp_path / "gq_test_nested.py"
    nested.write_text("def load():\n    return 1 / 0\n\n\nVALUE = load()\n")
    syntax = tmp_path / "gq_test_syntax.py"
    syntax.write_text("x = 1\ny = (\n")
    expected = {
        "gq_test_top": f"(RuntimeError: oops at import) at {top}:3",
        "gq_test_nested": f"(ZeroDivisionError: division by zero) in load at {nested}:2",
        "gq_test_syntax": f"at {syntax}:2",
    }
    for module, end in expected.items():
        path = scenario_file(tmp_path, f"policy: {{order: '{module}:Policy'}}\n")
        with pytest.raises(InputError) as caught:
            load_scenario(path)
        message = str(caught.value)
        assert f"policy.order: cannot import policy module '{module}' (" in message, message
        assert message.endswith(end), message
    path = scenario_file(tmp_path, "policy: {order: 'gq_test_absent:Policy'}\n")
    with pytest.raises(InputError, match=r"cannot import policy module 'gq_test_absent' "
                       r"\(looked on the Python path and .*\): ModuleNotFoundError"):
        load_scenario(path)


def test_a_class_that_is_no_queue_policy_is_said_to_be_one(tmp_path, clean_registry):
    """'module:Class' naming a class that exists says it is no QueuePolicy, not that none is."""
    (tmp_path / "gq_test_plain.py").write_text("class Plain:\n    pass\n\n\ndef rank():\n"
                                               "    pass\n")
    path = scenario_file(tmp_path, "policy: {order: 'gq_test_plain:Plain'}\n")
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert str(caught.value).endswith(
        "policy.order: 'gq_test_plain:Plain': 'Plain' in module gq_test_plain is a class, but "
        "not a subclass of QueuePolicy; a policy is a class that subclasses gridqueue's "
        "QueuePolicy (from sim import QueuePolicy, then class Plain(QueuePolicy)) and defines "
        "sort_key(self, applicant) (see docs/policies.md)")
    path = scenario_file(tmp_path, "policy: {order: 'gq_test_plain:rank'}\n")
    with pytest.raises(InputError, match="'rank' in module gq_test_plain is a function, not a "
                       "QueuePolicy subclass; "):
        load_scenario(path)
    path = scenario_file(tmp_path, "policy: {order: 'gq_test_plain:Plan'}\n")
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert str(caught.value).endswith(  # no list of its policies: it has none to list
        "policy.order: 'gq_test_plain:Plan': module gq_test_plain has no QueuePolicy subclass "
        "named 'Plan'; expected 'module:Class' with a class of the module that subclasses "
        "QueuePolicy, and it defines none")


def test_a_misspelt_class_is_answered_with_the_module_s_policies(tmp_path, clean_registry):
    """'module:Class' with a typo, another case or the registered name says what would work."""
    (tmp_path / "gq_test_small.py").write_text(POLICY_MODULE.format(name="jobs_first_typo"))
    for order, hint in [
        ("gq_test_small:JobsPerMWPolicyy", " (did you mean 'JobsPerMWPolicy'?); expected "
         "'module:Class' with one of its classes: JobsPerMWPolicy"),
        ("gq_test_small:jobspermwpolicy", " (did you mean 'JobsPerMWPolicy'?); expected "),
        # too unlike for a spelling hint (difflib minds the case), the same name folded
        ("gq_test_small:JOBSPERMWPOLICY", " (did you mean 'JobsPerMWPolicy'?); expected "),
        ("gq_test_small:jobs_first_typo", "; 'jobs_first_typo' is the name its class "
         "JobsPerMWPolicy registers: expected order: jobs_first_typo with import: "
         "[gq_test_small], or 'gq_test_small:JobsPerMWPolicy'"),
    ]:
        path = scenario_file(tmp_path, f"policy: {{order: '{order}'}}\n")
        with pytest.raises(InputError) as caught:
            load_scenario(path)
        message = str(caught.value)
        assert "\n" not in message and hint in message, message
        assert f"module gq_test_small has no QueuePolicy subclass named '{order[14:]}'" in message


def test_a_class_named_with_a_dot_is_pointed_to_the_colon(tmp_path, clean_registry):
    """'module.Class' is looked up as a policy's name; the message says to write a colon."""
    path = scenario_file(tmp_path, "policy: {order: mypolicies.SmallFirst}\n")
    with pytest.raises(InputError, match=r"unknown queue policy 'mypolicies.SmallFirst' \(a "
                       r"class in a module is named with a colon: 'mypolicies:SmallFirst'\); "
                       r"expected one of fifo"):
        load_scenario(path)


THRESHOLD = textwrap.dedent("""\
    from sim import QueuePolicy


    class SmallFirst(QueuePolicy):
        uses_category_order = False

        def __init__(self, category_order, threshold_mw=0.5):
            super().__init__(category_order)
            self.threshold_mw = threshold_mw

        def sort_key(self, applicant):
            return (applicant.requested_mw >= self.threshold_mw, applicant.request_time)
    """)
"""A policy with a parameter, for a change to a policy without one."""


def test_parameters_a_change_keeps_say_where_they_were_given(tmp_path, clean_registry):
    """A change to fifo keeps the earlier policy's params; the message says so and the fix."""
    (tmp_path / "gq_test_threshold.py").write_text(THRESHOLD)
    policy = """\
        policy:
          order: gq_test_threshold:SmallFirst
          params: {threshold_mw: 0.3}
          changes:
            - {date: 2024-01-01, order: fifo}
        """
    with pytest.raises(InputError) as caught:
        load_scenario(scenario_file(tmp_path, policy))
    assert str(caught.value).endswith(
        "policy.changes.0.params: the policy's parameters do not fit: FIFOPolicy takes no "
        "parameters, got threshold_mw (kept from policy.params: a change keeps the settings "
        "it leaves out; give params: {} in policy.changes.0 for a policy without them)")
    fixed = load_scenario(scenario_file(tmp_path, policy.replace("fifo}", "fifo, params: {}}")))
    assert [regime.params for _, regime in fixed.policy.regimes()] == [{"threshold_mw": 0.3}, {}]


def test_parameters_given_to_the_first_policy_point_to_the_change_that_takes_them(
        tmp_path, clean_registry):
    """``--vary policy.params.threshold_mw`` on a file whose policy comes in by a change.

    docs/policies.md's example keeps fifo until a change to small_first, as the bundled
    files keep their history; a reader who set the parameter at ``policy.params`` was told
    only "FIFOPolicy takes no parameters", a policy they had not named, and not the key
    that would take it.
    """
    (tmp_path / "gq_test_threshold.py").write_text(THRESHOLD)
    policy = """\
        policy:
          order: fifo
          changes:
            - {date: 2024-01-01, order: gq_test_threshold:SmallFirst, params: {threshold_mw: 0.3}}
        """
    with pytest.raises(InputError) as caught:
        load_scenario(scenario_file(tmp_path, policy), ["policy.params.threshold_mw=1"])
    assert str(caught.value).endswith(
        "policy.params: the policy's parameters do not fit: FIFOPolicy takes no parameters, "
        "got threshold_mw (policy.params is for policy.order, fifo; "
        "gq_test_threshold:SmallFirst, which takes threshold_mw, comes in at policy.changes.0: "
        "give it as policy.changes.0.params.threshold_mw)")


def test_a_misspelt_parameter_is_answered_with_the_parameters_the_policy_takes(
        tmp_path, clean_registry):
    """``params: {threshold: 0.3}`` said only "got an unexpected keyword argument".

    The line named the key but not what was expected, so a reader had to open the policy's
    code to find the name; it now lists the parameters ``__init__`` takes (not
    ``category_order``, which has a key of its own) and suggests the nearest.
    """
    (tmp_path / "gq_test_threshold.py").write_text(THRESHOLD)
    policy = """\
        policy:
          order: gq_test_threshold:SmallFirst
          params: {threshold: 0.3}
        """
    with pytest.raises(InputError) as caught:
        load_scenario(scenario_file(tmp_path, policy))
    assert re.search(
        r"policy.params: the policy's parameters do not fit: got an unexpected keyword "
        r"argument 'threshold' \(did you mean 'threshold_mw'\?\); expected threshold_mw "
        r"\(SmallFirst in .*gq_test_threshold.py\)$", str(caught.value))


def test_a_failure_in_one_replication_says_how_to_run_that_one_again():
    """A policy may fail on the applicants of one replication only (validate ranks the first)."""
    from sim.runs.runner import _guarded

    def fails(index: int) -> None:
        raise InputError("s.yaml", "policy.order", "the queue policy 'x' failed", line=3)

    with pytest.raises(InputError) as caught, arguments_as_options():
        _guarded(fails, 17, seed=5)
    assert str(caught.value) == ("s.yaml:3: policy.order: the queue policy 'x' failed (in "
                                 "replication 17: re-run it alone with --seed 5 "
                                 "--only-replication 17)")
    with pytest.raises(InputError) as caught:  # from Python: what sim.run takes
        _guarded(fails, 17, seed=5)
    assert str(caught.value) == ("s.yaml:3: policy.order: the queue policy 'x' failed (in "
                                 "replication 17: re-run it alone with sim.run(scenario, "
                                 "replications=[17]) for the scenario of seed 5)")
    with arguments_as_options():  # from a worker process: said in the caller's words
        assert "--only-replication 17)" in str(pickle.loads(pickle.dumps(caught.value)))


def _fails_in_replication_1(index: int) -> int:
    """A replication task whose replication 1 fails: on bad input, or on anything else."""
    if index == 1:
        raise InputError("s.yaml", "policy.order", "the queue policy 'x' failed", line=3)
    if index == 3:
        raise ValueError("boom")
    return index


@pytest.mark.parametrize("indices, failing", [([0, 1, 2], 1), ([2, 3], 3)])
def test_a_failure_in_a_worker_process_says_how_to_run_it_again_in_the_callers_words(
        indices, failing):
    """From worker processes too, the command line is told its own options, not sim.run's.

    The error came back through the pool's own thread, which does not see that the options
    were given on the command line: ``gridqueue run --workers 2`` was told to re-run the
    replication with sim.run(scenario, replications=[1]), ``--workers 1`` with its options.
    """
    from tqdm import tqdm

    from sim.runs.runner import _parallel

    with pytest.raises(GridqueueError) as caught, arguments_as_options(), \
            tqdm(disable=True) as bar:
        list(_parallel(_fails_in_replication_1, indices, 2, bar, seed=5))
    assert f"re-run it alone with --seed 5 --only-replication {failing}" in str(caught.value)


def test_keys_that_do_not_compare_keep_the_contract_hint(tmp_path, clean_registry, capsys):
    """An error outside the policy's code (comparing its keys) restates what it must return."""
    (tmp_path / "gq_test_runtime.py").write_text(RUNTIME_ERROR)
    path = scenario_file(tmp_path, "policy: {order: 'gq_test_runtime:Mixed'}\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    # Which applicants' keys, and where: the TypeError named neither.
    assert len(err) == 1 and "returned sort keys whose values do not compare: applicant 0 of " \
        "replication 0 got (" in err[0] and \
        "and applicant 1 ('late',) (float against str in place 0 of the key)" in err[0]
    assert err[0].endswith("; expected sort_key to return tuples that compare with each other "
                           "(numbers, or text in the same places) and ranks to place each "
                           "applicant once")


def test_keys_that_meet_only_after_equal_places_are_named_where_they_meet(tmp_path):
    """Keys that differ first are never compared further: the pair named is one that meets.

    (0, 'a'), (1, 'b') and (1, 2): only the last two are compared at their second place.
    """
    class Meeting(QueuePolicy):
        name = "meeting"

        def sort_key(self, applicant):
            return [(0, "a"), (1, "b"), (1, 2)][applicant.applicant_id % 3]

    scenario = load_scenario(scenario_file(tmp_path, ""))
    table = generate_applicants(scenario, RandomStreams(scenario.seed, 0), None)
    assert len(table) >= 3
    checked = CheckedPolicy(Meeting(), "meeting", "s.yaml", "policy.order")
    with pytest.raises(InputError, match=r"applicant 1 got \(1, 'b'\) and applicant 2 \(1, 2\) "
                       r"\(str against int in place 1 of the key\)"):
        checked.ranks(table)


def test_a_module_named_with_its_file_suffix_gets_a_hint(tmp_path: Path):
    """'mypolicies.py:MyPolicy' names a file, not a module: the message says to drop .py."""
    with pytest.raises(LookupError, match=r"\(a module is named without \.py: 'mypolicies'\)"):
        registry.resolve_policy("mypolicies.py:MyPolicy", tmp_path)


def test_a_misspelt_module_is_answered_with_the_module_beside_the_scenario(tmp_path,
                                                                          clean_registry):
    """policy.import: [mypolicy] beside mypolicies.py said only that no such module exists."""
    (tmp_path / "gq_test_mypolicies.py").write_text(POLICY_MODULE.format(name="beside"))
    path = scenario_file(tmp_path, "policy: {import: [gq_test_mypolicy], order: beside}\n")
    with pytest.raises(InputError, match=re.escape(
            "No module named 'gq_test_mypolicy' (did you mean 'gq_test_mypolicies'?)")):
        load_scenario(path)


REVERSED = textwrap.dedent("""\
    from sim import QueuePolicy


    class Reversed(QueuePolicy):
        uses_category_order = False

        def sort_key(self, applicant):
            return (applicant.applicant_id,)

        def ranks(self, table):
            return super().ranks(table)[::-1].copy()
    """)
"""A policy whose own ranks reverse its sort key's order (a module of its own)."""


def test_validate_refuses_ranks_that_disagree_with_the_sort_key(tmp_path: Path, clean_registry,
                                                                capsys):
    """A policy's own ranks must give its sort_key's order; validate compares them."""
    (tmp_path / "gq_test_reversed.py").write_text(REVERSED, encoding="utf-8")
    path = scenario_file(tmp_path, "policy:\n  order: gq_test_reversed:Reversed\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "policy.order: the queue policy 'gq_test_reversed:Reversed' ranks applicants in " \
           "another order than its sort_key (applicant 0, say, is placed " in err, err
    assert len(err.strip().splitlines()) == 1


def test_ranks_given_as_the_serving_order_are_pointed_to_inverse_permutation(
        tmp_path: Path, clean_registry, capsys):
    """``ranks`` returning ``np.lexsort(...)`` itself, the slip docs/policies.md warns of.

    That is who is served at each position, not each applicant's position: a ranking, so
    refused only as "another order than its sort_key", and the line did not say that the
    order was the right one, inverted, nor how to turn it round.
    """
    (tmp_path / "gq_test_argsorted.py").write_text(textwrap.dedent("""\
        import numpy as np

        from sim import QueuePolicy


        class MostJobs(QueuePolicy):
            uses_category_order = False

            def sort_key(self, applicant):
                return (-applicant.jobs, applicant.request_time)

            def ranks(self, table):
                return np.lexsort((table.applicant_id, table.request_time, -table.jobs))
        """), encoding="utf-8")
    path = scenario_file(tmp_path, "policy:\n  order: gq_test_argsorted:MostJobs\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "ranks applicants in another order than its sort_key (applicant " in err
    assert ("it returned the order in which they are served (who is at each place, as "
            "np.lexsort and np.argsort give it), not each one's place: return "
            "sim.inputs.applicants.inverse_permutation of it") in err, err
    assert len(err.strip().splitlines()) == 1


def test_validate_checks_each_distinct_policy_once_and_still_finds_a_late_one(
        tmp_path: Path, clean_registry, capsys, monkeypatch):
    """Forty daily switches between two policies: each is checked once, then a broken third.

    Every change was checked against its sort key one applicant at a time: a file changing
    policy daily for three years (10,000 applicants a year) took over five minutes.
    """
    (tmp_path / "gq_test_reversed.py").write_text(REVERSED, encoding="utf-8")
    days = [f"2024-02-{day:02d}" for day in range(1, 29)] + [
        f"2024-03-{day:02d}" for day in range(1, 14)]
    orders = ["social_priority", "fifo"] * 20 + ["gq_test_reversed:Reversed"]
    changes = "".join(f"    - {{date: {day}, order: '{order}'}}\n"
                      for day, order in zip(days, orders, strict=True))
    path = scenario_file(tmp_path, "policy:\n  order: fifo\n  changes:\n" + changes)
    checked = []
    check = CheckedPolicy.check_ranks_follow_sort_key
    monkeypatch.setattr(CheckedPolicy, "check_ranks_follow_sort_key",
                        lambda self, *args: (checked.append(self.key_path), check(self, *args)))
    assert main(["validate", str(path)]) == 2
    assert checked == ["policy.order", "policy.changes.0.order", "policy.changes.40.order"]
    err = capsys.readouterr().err
    assert "policy.changes.40.order: the queue policy 'gq_test_reversed:Reversed' ranks " in err


def test_a_subclass_of_a_built_in_policy_is_checked_and_the_built_in_is_not(
        tmp_path: Path, clean_registry, capsys, monkeypatch):
    """The built-in policies are left to the suite; a user's subclass of one is checked.

    The subclass below changes the sort key but keeps social priority's fast ranks, which
    then disagree with it: validate must still refuse it. Social priority itself is not
    ranked by its sort key again (one applicant at a time, that made validate of a large
    scenario slower than its run).
    """
    by_key = set()
    sort_key = CheckedPolicy.sort_key
    monkeypatch.setattr(CheckedPolicy, "sort_key",
                        lambda self, applicant: (by_key.add(self.order),
                                                 sort_key(self, applicant))[1])
    social = scenario_file(tmp_path, "policy: {order: social_priority}\n")
    assert main(["validate", str(social)]) == 0
    assert by_key == set()
    (tmp_path / "gq_test_sub.py").write_text(textwrap.dedent("""\
        from sim.policies.builtin import SocialPriorityPolicy


        class Newest(SocialPriorityPolicy):
            def sort_key(self, applicant):
                return (-applicant.request_time, applicant.applicant_id)
        """), encoding="utf-8")
    newest = scenario_file(tmp_path, "policy: {order: 'gq_test_sub:Newest'}\n")
    assert main(["validate", str(newest)]) == 2
    assert by_key == {"gq_test_sub:Newest"}
    assert "ranks applicants in another order than its sort_key" in capsys.readouterr().err


def test_policies_whose_parameters_json_would_merge_are_checked_apart(tmp_path: Path,
                                                                      clean_registry, capsys):
    """A limit of inf, then of -inf: two policies, though both are null in JSON.

    The check keyed the policies on their JSON, which writes inf and -inf alike, so a policy
    broken only at -inf passed validate (found in review).
    """
    (tmp_path / "gq_test_limit.py").write_text(textwrap.dedent("""\
        from sim import QueuePolicy


        class Limited(QueuePolicy):
            uses_category_order = False

            def __init__(self, limit, **rest):
                super().__init__(**rest)
                self.limit = limit

            def sort_key(self, applicant):
                return (applicant.applicant_id,)

            def ranks(self, table):
                ranks = super().ranks(table)
                return ranks[::-1].copy() if self.limit < 0 else ranks
        """), encoding="utf-8")
    path = scenario_file(tmp_path, """\
        policy:
          order: gq_test_limit:Limited
          params: {limit: .inf}
          changes:
            - {date: 2024-01-01, params: {limit: -.inf}}
        """)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err  # named by the change that broke it, not the order before
    assert "policy.changes.0.params: the queue policy 'gq_test_limit:Limited' ranks " \
           "applicants in another order than its sort_key" in err


BAD_INIT = textwrap.dedent("""\
    from sim import QueuePolicy


    class ForgetsSuper(QueuePolicy):
        def __init__(self, category_order, max_mw=1.0):
            self.max_mw = max_mw

        def sort_key(self, applicant):
            return (applicant.requested_mw >= self.max_mw,)


    class NoCategoryOrder(QueuePolicy):
        def __init__(self, max_mw=1.0):
            super().__init__()
            self.max_mw = max_mw

        def sort_key(self, applicant):
            return (applicant.requested_mw >= self.max_mw,)


    class FailsToBuild(QueuePolicy):
        def __init__(self, category_order):
            super().__init__(category_order)
            self.table = {}["weights"]

        def sort_key(self, applicant):
            return (applicant.requested_mw,)
    """)
"""Policies whose __init__ breaks the contract (the review found the first two)."""


@pytest.mark.parametrize(("policy", "params", "expected"), [
    ("ForgetsSuper", "{max_mw: 0.5}", "does not call super().__init__ (it has no "
     "category_order); expected its __init__ to accept category_order and pass it on: "
     "super().__init__(category_order)"),
    ("NoCategoryOrder", "{max_mw: 0.5}", "has an __init__ that does not take category_order"),
    ("NoCategoryOrder", "{}", "has an __init__ that does not take category_order"),
    ("FailsToBuild", "{}", "failed while being built (KeyError: 'weights') in __init__ at "),
])
@pytest.mark.parametrize("command", ["validate", "run"])
def test_a_policy_whose_init_breaks_the_contract_is_named_in_one_line(
        tmp_path: Path, clean_registry, capsys, policy, params, expected, command):
    """Not a traceback (validate) or a replication failing (run), nor blamed on policy.params.

    A policy that forgot super().__init__ failed inside the first replication with an
    AttributeError, and one whose __init__ does not take category_order was reported as
    parameters that do not fit, though the file gave none.
    """
    module = tmp_path / "gq_test_init.py"
    module.write_text(BAD_INIT, encoding="utf-8")
    path = scenario_file(tmp_path, f"policy: {{order: 'gq_test_init:{policy}', "
                                   f"params: {params}}}\n")
    args = [command, str(path)] + (["-o", str(tmp_path / "out"), "-q"] if command == "run"
                                   else [])
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert f"s.yaml:25: policy.order: the queue policy 'gq_test_init:{policy}' ({policy} in " \
           f"{module}) {expected}" in err[0]
    assert "replication" not in err[0]


def test_run_refuses_ranks_that_disagree_with_the_sort_key_as_validate_does(
        tmp_path: Path, clean_registry, capsys, monkeypatch):
    """Validate refused them, but run, compare and sweep used them without a word.

    The check is made once per run, on replication 0's applicants as validate makes it, and
    only for the user's policies: a scenario of gridqueue's own policies ranks nobody by
    sort_key for it.
    """
    (tmp_path / "gq_test_reversed.py").write_text(REVERSED, encoding="utf-8")
    path = scenario_file(tmp_path, "policy:\n  order: gq_test_reversed:Reversed\n")
    assert main(["run", str(path), "-o", str(tmp_path / "out"), "-q"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "policy.order: the queue policy 'gq_test_reversed:Reversed' ranks applicants in " \
           "another order than its sort_key" in err[0]
    assert not (tmp_path / "out").exists()
    with pytest.raises(InputError, match="another order than its sort_key"):
        run(load_scenario(path, {"replications": 2}), workers=1, replications=[1])
    by_key = []
    ranks = QueuePolicy.ranks
    monkeypatch.setattr(QueuePolicy, "ranks",
                        lambda self, table: (by_key.append(type(self)), ranks(self, table))[1])
    run(load_scenario(scenario_file(tmp_path, "policy: {order: social_priority}\n"),
                      {"replications": 2}), workers=1)
    assert by_key == []


NOT_DETERMINISTIC = textwrap.dedent("""\
    import random

    import numpy as np

    from sim import QueuePolicy


    class Lottery(QueuePolicy):
        uses_category_order = False

        def sort_key(self, applicant):
            return (random.random(),)


    class ShuffledRanks(QueuePolicy):
        uses_category_order = False

        def sort_key(self, applicant):
            return (0,)

        def ranks(self, table):
            return np.random.permutation(len(table))
    """)
"""A policy drawing an unseeded key, and one drawing unseeded ranks."""


@pytest.mark.parametrize(("policy", "expected"), [
    ("Lottery", "is not deterministic: its sort_key gave applicant 0 the key ("),
    ("ShuffledRanks", "is not deterministic: its ranks placed applicant "),
])
@pytest.mark.parametrize("command", ["validate", "run"])
def test_a_policy_that_is_not_deterministic_is_refused(tmp_path: Path, clean_registry, capsys,
                                                       policy, expected, command):
    """The same seed gave other tables each run, and reproduce failed without saying why."""
    (tmp_path / "gq_test_random.py").write_text(NOT_DETERMINISTIC, encoding="utf-8")
    path = scenario_file(tmp_path, f"policy: {{order: 'gq_test_random:{policy}'}}\n")
    args = [command, str(path)] + (["-o", str(tmp_path / "out"), "-q"] if command == "run"
                                   else [])
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert f"policy.order: the queue policy 'gq_test_random:{policy}' {expected}" in err[0]
    assert err[0].endswith("expected the same order for the same applicants every time (no "
                           "random numbers, clock or counts kept between calls), so a seed "
                           "gives the same tables")


IDENTITY_LOTTERY = textwrap.dedent("""\
    from sim import QueuePolicy


    class IdentityLottery(QueuePolicy):
        uses_category_order = False

        def sort_key(self, applicant):
            # the same key each time this object is asked, another for an equal applicant
            return (id(applicant) % 1009,)


    class TicketsById(QueuePolicy):
        uses_category_order = False

        def __init__(self, category_order):
            super().__init__(category_order)
            self.tickets = {}

        def sort_key(self, applicant):
            # the ticket is the applicant's own number, but kept by the object's address,
            # which a later applicant takes over once this one is freed
            return (self.tickets.setdefault(id(applicant), -applicant.applicant_id),)
    """)
"""A lottery on the applicant object's address, and tickets kept by it."""


@pytest.mark.parametrize("policy", ["IdentityLottery", "TicketsById"])
@pytest.mark.parametrize("command", ["validate", "run"])
def test_a_key_from_the_applicant_objects_identity_is_refused(tmp_path: Path, clean_registry,
                                                               capsys, command, policy):
    """id(applicant) passed the check of asking the same object twice, and run, and validate.

    The address of an applicant differs from run to run and between worker processes, so
    the same seed gave other tables each time; only reproduce caught it, without naming why.
    Tickets kept by the address go wrong even within a run: ranking makes each applicant
    in turn and frees it, so a later one takes over an earlier one's address and ticket.
    """
    (tmp_path / "gq_test_identity.py").write_text(IDENTITY_LOTTERY, encoding="utf-8")
    path = scenario_file(tmp_path, f"policy: {{order: 'gq_test_identity:{policy}'}}\n")
    args = [command, str(path)] + (["-o", str(tmp_path / "out"), "-q"] if command == "run"
                                   else [])
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert (f"policy.order: the queue policy 'gq_test_identity:{policy}' is not "
            "deterministic: its sort_key gave applicant ") in err[0]
    assert ("to an equal copy of the same applicant: the key depends on which object the "
            "applicant is (id()), which differs from run to run and between worker processes; "
            "draw a lottery from the applicant's numbers instead, e.g. "
            "random.Random(applicant.applicant_id).random() (docs/policies.md)") in err[0]
    assert not (tmp_path / "out").exists()


PROCESS_HASHED = textwrap.dedent("""\
    import random

    import pandas as pd

    from sim import QueuePolicy


    class TextLottery(QueuePolicy):
        uses_category_order = False

        def sort_key(self, applicant):
            return (hash(f"ticket-{applicant.applicant_id}"),)


    class ApplicantLottery(QueuePolicy):
        uses_category_order = False

        def sort_key(self, applicant):
            return (hash(applicant),)


    class NumberLottery(QueuePolicy):
        uses_category_order = False

        def sort_key(self, applicant):
            return (hash((7, applicant.applicant_id)),
                    random.Random(applicant.applicant_id).random())


    class NaNLottery(QueuePolicy):
        uses_category_order = False

        def sort_key(self, applicant):
            return (hash((applicant.applicant_id, float("nan"))),)


    class NoneLottery(QueuePolicy):
        uses_category_order = False

        def sort_key(self, applicant):
            return (hash((applicant.applicant_id, None)),)


    class KeptTickets(QueuePolicy):
        uses_category_order = False

        def __init__(self, category_order):
            super().__init__(category_order)
            self.tickets = {}

        def sort_key(self, applicant):
            # applicants as dict keys: their dataclass __hash__ hashes text, yet a dict
            # finds the same ticket in every process
            return (self.tickets.setdefault(applicant, applicant.applicant_id % 7),)


    class FrameWeights(QueuePolicy):
        uses_category_order = False

        def __init__(self, category_order):
            super().__init__(category_order)
            self.weights = pd.DataFrame({"weight": [2.0, 1.0]}, index=["basic", "other"])

        def sort_key(self, applicant):
            # pandas hashes the column and row names to see that they can be looked up
            stream = applicant.stream if applicant.stream in self.weights.index else "other"
            return (self.weights["weight"][stream], applicant.applicant_id)
    """)
"""Lotteries drawn from hash(): of text or an applicant (per process), of numbers (not); and
a policy that looks its weights up in pandas, which calls hash() on text itself."""


@pytest.mark.parametrize(("policy", "hashed"), [
    ("TextLottery", "str 'ticket-0'"),
    ("ApplicantLottery", "Applicant Applicant(applicant_id=0, name='', so..."),
    ("NaNLottery", "tuple (0, nan)"),
    pytest.param("NoneLottery", "tuple (0, None)", marks=pytest.mark.skipif(
        sys.version_info >= (3, 12), reason="hash(None) is the same in every process")),
])
@pytest.mark.parametrize("command", ["validate", "run"])
def test_a_lottery_from_a_per_process_hash_is_refused(tmp_path: Path, clean_registry, capsys,
                                                      policy, hashed, command):
    """hash() of text passed the check of asking twice, yet every run gave other tables.

    So did hash() of NaN, and before Python 3.12 of None, taken for numbers: their hash is
    their address in memory.

    Python salts the hash of text (and so of an applicant, a frozen dataclass with text
    fields) afresh in every process: the same seed gave other waits with every run and with
    another --workers, and reproduce said only that the tables differ.
    """
    before = builtins.hash
    (tmp_path / "gq_test_hashed.py").write_text(PROCESS_HASHED, encoding="utf-8")
    path = scenario_file(tmp_path, f"policy: {{order: 'gq_test_hashed:{policy}'}}\n")
    args = [command, str(path)] + (["-o", str(tmp_path / "out"), "-q"] if command == "run"
                                   else [])
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert (f"policy.order: the queue policy 'gq_test_hashed:{policy}' is not deterministic: "
            f"it called hash() on {hashed}; Python's hash() of text, a date or an object "
            "changes with every process (hash randomisation)") in err[0]
    assert not (tmp_path / "out").exists()
    assert builtins.hash is before, "hash() is given back after the check"


@pytest.mark.parametrize("policy", ["NumberLottery", "KeptTickets", "FrameWeights"])
def test_a_lottery_from_numbers_is_accepted(tmp_path: Path, clean_registry, capsys, policy):
    """Numbers hash alike in every process, and a dict keyed by applicants finds alike.

    pandas calls hash() on a column or row name it is asked for: a policy that looks its
    weights up in a DataFrame was refused as if it drew a lottery from hash().
    """
    before = builtins.hash
    (tmp_path / "gq_test_hashed.py").write_text(PROCESS_HASHED, encoding="utf-8")
    path = scenario_file(tmp_path, f"policy: {{order: 'gq_test_hashed:{policy}'}}\n")
    assert main(["validate", str(path)]) == 0, capsys.readouterr().err
    assert builtins.hash is before, "hash() is given back after the check"


BAD_RANKS = textwrap.dedent("""\
    import numpy as np

    from sim import QueuePolicy


    class OneBased(QueuePolicy):
        uses_category_order = False

        def sort_key(self, applicant):
            return (applicant.applicant_id,)

        def ranks(self, table):
            return np.arange(1, len(table) + 1)


    class Tied(OneBased):
        def ranks(self, table):
            ranks = np.arange(len(table))
            ranks[1] = 0
            return ranks
    """)
"""Ranks counted from one, and ranks placing two applicants first (none second)."""


@pytest.mark.parametrize(("policy", "got"), [
    ("OneBased", "got values from 1 to {size}"),
    ("Tied", "got 0 2 times and 1 not at all (1 of the values more than once, 1 missing)"),
])
def test_ranks_that_are_not_a_ranking_say_what_is_wrong(tmp_path: Path, clean_registry, capsys,
                                                        policy, got):
    """One-based positions were refused only as 'not a ranking (shape, dtype)'."""
    (tmp_path / "gq_test_ranks.py").write_text(BAD_RANKS, encoding="utf-8")
    path = scenario_file(tmp_path, f"policy: {{order: 'gq_test_ranks:{policy}'}}\n")
    scenario = load_scenario(path)
    size = len(generate_applicants(scenario, RandomStreams(scenario.seed, 0), None))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert (f"the queue policy 'gq_test_ranks:{policy}' returned ranks that are not a ranking "
            f"of the {size} applicants: expected each of 0 to {size - 1} exactly once (0 is "
            f"served first); {got.format(size=size)}; expected sort_key") in err[0]


def test_results_of_a_policy_registered_in_python_read_without_it(tmp_path: Path,
                                                                  clean_registry, capsys):
    """A policy registered in a notebook: write warns, and report reads the tables without it.

    Reading the results imported their policies: 'unknown queue policy' once the notebook was
    gone, though report and compare read only the tables.
    """
    @registry.register_policy
    class MostJobs(QueuePolicy):
        name = "gq_test_most_jobs"
        uses_category_order = False

        def sort_key(self, applicant):  # type: ignore[no-untyped-def]
            return (-applicant.jobs,)

    path = scenario_file(tmp_path, "policy: {order: gq_test_most_jobs}\n")
    results = run(load_scenario(path, {"replications": 2}), workers=1)
    with pytest.warns(GridqueueWarning) as caught:
        results.write(tmp_path / "out")
    assert [str(w.message) for w in caught] == [
        f"{tmp_path / 'out'}: queue policy 'gq_test_most_jobs' (test_results_of_a_policy_"
        "registered_in_python_read_without_it.<locals>.MostJobs, registered in module "
        "tests.test_policy_plugins) is not named by policy.import, so its code is not kept; its "
        "tables are complete and gridqueue report and compare read them, but gridqueue "
        "reproduce cannot run it again (docs/policies.md)"]
    del registry.POLICIES["gq_test_most_jobs"]  # the notebook is gone
    assert Results.read(tmp_path / "out").scenario.policy.order == "gq_test_most_jobs"
    assert main(["report", str(tmp_path / "out")]) == 0, capsys.readouterr().err


def test_a_policy_module_importing_one_beside_it_warns_on_write(tmp_path: Path, clean_registry):
    """Only the named module is copied: its helper beside it is not, and reproduce would fail."""
    (tmp_path / "gq_test_weights.py").write_text("WEIGHT = {'firms': 0}\n", encoding="utf-8")
    (tmp_path / "gq_test_weighted.py").write_text(textwrap.dedent("""\
        import math

        from gq_test_weights import WEIGHT
        from sim import QueuePolicy


        class Weighted(QueuePolicy):
            uses_category_order = False

            def sort_key(self, applicant):
                return (WEIGHT.get(applicant.stream, math.inf),)
        """), encoding="utf-8")
    path = scenario_file(tmp_path, "policy: {order: 'gq_test_weighted:Weighted'}\n")
    results = run(load_scenario(path, {"replications": 2}), workers=1)
    with pytest.warns(GridqueueWarning, match=r"policy module gq_test_weighted imports "
                      r"gq_test_weights from its folder, which is not copied \(name it in "
                      r"policy.import to keep it\); .* gridqueue reproduce cannot run it again"):
        results.write(tmp_path / "out")
    path = scenario_file(tmp_path, "policy: {order: 'gq_test_weighted:Weighted', "
                                   "import: [gq_test_weights]}\n")
    results = run(load_scenario(path, {"replications": 2}), workers=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", GridqueueWarning)
        results.write(tmp_path / "kept")
    assert (tmp_path / "kept" / "gq_test_weights.py").is_file()


def test_a_policy_defined_where_no_source_is_kept_is_named_by_its_module(monkeypatch):
    """A class with no source file to name (a notebook's: inspect raises OSError).

    Its module is named instead; building it raised, and stopped notebook 03.
    """
    import inspect

    from sim.policies.checked import _defined_in

    def no_source(_: object) -> str:
        raise OSError("source code not available")

    monkeypatch.setattr(inspect, "getsourcefile", no_source)
    assert _defined_in(QueuePolicy) == "QueuePolicy in module sim.policies.base"


def _guide_section_as_files(tmp_path: Path, heading: str, module: str, scenario_name: str,
                            monkeypatch: pytest.MonkeyPatch) -> Path:
    """The scenario's path, of a section of docs/policies.md written out as a reader would.

    Its Python code as ``module``.py (imported afresh) and its YAML as ``scenario_name``,
    beside a copy of the Flevoland scenarios.
    """
    guide = (Path(__file__).resolve().parents[1] / "docs" / "policies.md").read_text("utf-8")
    section = guide.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    scenario = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert code is not None and scenario is not None
    folder = tmp_path / "flevoland"
    shutil.copytree(Path(__file__).resolve().parents[1] / "scenarios" / "flevoland", folder)
    (folder / f"{module}.py").write_text(code.group(1), encoding="utf-8")
    path = folder / scenario_name
    path.write_text(scenario.group(1), encoding="utf-8")
    monkeypatch.delitem(sys.modules, module, raising=False)
    return path


def test_the_guide_s_policy_with_a_parameter_works_as_it_says(tmp_path: Path, clean_registry,
                                                              monkeypatch, capsys):
    """docs/policies.md's parameterised policy and file load, take --set, refuse a bad value."""
    path = _guide_section_as_files(tmp_path, "A policy with a parameter", "smallfirst",
                                   "small_first.yaml", monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GridqueueWarning)  # the dropped 2026 restatement
        loaded = load_scenario(path, ["policy.changes.0.params.threshold_mw=1"])
        assert [(regime.order, regime.params) for _, regime in loaded.policy.regimes()] == [
            ("fifo", {}), ("small_first", {"threshold_mw": 1})]
        assert main(["validate", str(path), "--set", "policy.changes.0.params.threshold_mw=0"]
                    ) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("gridqueue: error: --set policy.changes.0.params.threshold_mw=0: "
                          "policy.changes.0.params: the policy's parameters do not fit: ")
    assert "threshold_mw must be MW above 0, got 0" in err and "smallfirst.py:" in err
    sys.modules.pop("smallfirst", None)


def test_the_guide_s_policy_that_keeps_the_categories_works_as_it_says(tmp_path: Path,
                                                                       clean_registry,
                                                                       monkeypatch):
    """docs/policies.md's oldest-first-within-categories policy: its file loads and runs.

    It orders by ``self.category_order`` (a file's ``category_order`` reaches it), queues a
    priority category that did not ask as ``other``, and breaks ties of the request date by
    jobs per MW, as the guide says.
    """
    from sim import Applicant

    path = _guide_section_as_files(tmp_path, "A policy that keeps the framework's categories",
                                   "oldestfirst", "oldest.yaml", monkeypatch)
    order = "[safety, basic_needs, congestion_relief, other]"
    loaded = load_scenario(path, [f"policy.changes.2.category_order={order}",
                                  "replications=2"])
    assert [regime.order for _, regime in loaded.policy.regimes()] == [
        "fifo", "social_priority", "social_priority", "oldest_then_jobs_per_mw"]
    policy = registry.POLICIES["oldest_then_jobs_per_mw"](
        ["safety", "basic_needs", "congestion_relief", "other"])

    def applicant(i: int, category: str, asked: bool, time: float, jobs: int) -> Applicant:
        return Applicant(applicant_id=i, name="", source="stream", stream="s",
                         category=category, area="main", request_time=time, demand_mw=1.0,
                         requested_mw=1.0, self_supply=0.0, jobs=jobs,
                         priority_requested=asked, patience_years=float("inf"),
                         lifetime_years=float("inf"))

    queue = [applicant(0, "other", False, 0.0, 10),
             applicant(1, "congestion_relief", True, 0.1, 0),
             applicant(2, "basic_needs", True, 0.5, 10),
             applicant(3, "basic_needs", True, 0.5, 90),   # same date, more jobs per MW
             applicant(4, "safety", True, 0.9, 5),
             applicant(5, "basic_needs", False, 0.2, 50)]  # did not ask: queues as other
    served = [a.applicant_id for a in sorted(queue, key=policy.sort_key)]
    assert served == [4, 3, 2, 1, 0, 5]
    results = run(loaded, workers=1)
    assert len(results.summary) > 0
    sys.modules.pop("oldestfirst", None)


SIGNATURES = '''\
from sim import QueuePolicy


class NoSelf(QueuePolicy):
    def sort_key(applicant):
        return (applicant.request_time,)


class RanksWithoutTable(QueuePolicy):
    def sort_key(self, applicant):
        return (applicant.request_time,)

    def ranks(self):
        return None


class Static(QueuePolicy):
    @staticmethod
    def sort_key(applicant):
        return (applicant.request_time,)
'''


@pytest.mark.parametrize(("name", "expected"), [
    ("NoSelf", "defines sort_key(applicant), which cannot be called as sort_key(self, "
     "applicant); expected a method that takes self, then the applicant"),
    ("RanksWithoutTable", "defines ranks(self), which cannot be called as ranks(self, "
     "table); expected a method that takes self, then the table"),
])
def test_a_policy_method_the_engine_cannot_call_is_named_with_its_signature(
        tmp_path, clean_registry, capsys, name, expected):
    """A sort_key without self failed only while ranking, blamed on the keys it returned.

    The TypeError of calling it came with the contract's "expected sort_key to return
    tuples", which sent a student looking at the keys. The class is now refused when the
    scenario names it, with the method's parameters as written; a static method is fine.
    """
    (tmp_path / "gq_test_signatures.py").write_text(SIGNATURES)
    path = scenario_file(tmp_path, f"policy: {{order: 'gq_test_signatures:{name}'}}\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert (f"policy.order: queue policy 'gq_test_signatures:{name}': class {name} in module "
            f"gq_test_signatures {expected} (see docs/policies.md)") in err[0]
    assert "expected sort_key to return tuples" not in err[0]
    static = scenario_file(tmp_path, "policy: {order: 'gq_test_signatures:Static'}\n")
    assert main(["validate", str(static)]) == 0


SHORT_RANKS = '''\
import numpy as np
from sim import QueuePolicy


class OneLeftOut(QueuePolicy):
    uses_category_order = False

    def sort_key(self, applicant):
        return (applicant.request_time,)

    def ranks(self, table):
        return np.arange(len(table) - 1)


class NoneReturned(QueuePolicy):
    uses_category_order = False

    def sort_key(self, applicant):
        return (applicant.request_time,)

    def ranks(self, table):
        return None
'''


@pytest.mark.parametrize(("name", "got"), [
    ("OneLeftOut", "got {n_less}, 1 fewer"),
    ("NoneReturned", "got one value, None, not one per applicant"),
])
def test_ranks_of_the_wrong_length_say_how_many_in_words(tmp_path, clean_registry, capsys,
                                                         name, got):
    """Ranks that leave an applicant out said 'got shape (N,)', numpy's words, not a count."""
    (tmp_path / "gq_test_short.py").write_text(SHORT_RANKS)
    fifo = load_scenario(scenario_file(tmp_path, ""))  # the same applicants
    size = len(generate_applicants(fifo, RandomStreams(fifo.seed, 0), None))
    path = scenario_file(tmp_path, f"policy: {{order: 'gq_test_short:{name}'}}\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert (f"returned ranks that are not a ranking of the {size} applicants: expected one "
            f"position per applicant, {size} in all; {got.format(n_less=size - 1)}") in err[0]
    assert "shape" not in err[0]


def test_a_class_that_is_no_queue_policy_cannot_be_registered(tmp_path, clean_registry,
                                                                 capsys):
    """@register_policy on a plain class is refused where it stands, in one line.

    It ended validate with a traceback (AttributeError: ranks) once a scenario named it.
    """
    (tmp_path / "gq_test_plain.py").write_text(
        "from sim import register_policy\n\n\n@register_policy\nclass Plain:\n"
        "    name = 'plain_class'\n\n    def sort_key(self, applicant):\n"
        "        return (applicant.requested_mw,)\n")
    path = scenario_file(tmp_path, "policy: {import: [gq_test_plain], order: plain_class}\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "policy.import.0: cannot import policy module 'gq_test_plain' (TypeError: Plain " \
           "is not a QueuePolicy subclass" in err[0]
    assert f"at {tmp_path / 'gq_test_plain.py'}:4" in err[0]
    assert "plain_class" not in registry.POLICIES


def test_a_name_given_to_register_policy_is_answered_with_the_way_to_give_one(
        tmp_path, clean_registry, capsys):
    """@register_policy("mine"), as other libraries' decorators take a name, says how instead.

    It read "'mine' is not a QueuePolicy subclass ... expected class 'mine'(QueuePolicy)".
    """
    (tmp_path / "gq_test_named.py").write_text(
        "from sim import QueuePolicy, register_policy\n\n\n@register_policy('named_first')\n"
        "class Named(QueuePolicy):\n    def sort_key(self, applicant):\n"
        "        return (applicant.requested_mw,)\n")
    path = scenario_file(tmp_path, "policy: {import: [gq_test_named], order: named_first}\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert ("(TypeError: register_policy takes the class itself, not a name: write "
            "@register_policy without brackets above the class, and give the class "
            "name = 'named_first'") in err[0]
    assert "named_first" not in registry.POLICIES


@pytest.mark.parametrize("order", ["forgotten", "Forgotten"])
def test_a_policy_class_left_unregistered_is_pointed_to_the_decorator(tmp_path, clean_registry,
                                                                       order):
    """A policy class of policy.import that lacks @register_policy is named, with the fix.

    Its name read as an unknown policy with no clue why.
    """
    (tmp_path / "gq_test_unregistered.py").write_text(
        "from sim import QueuePolicy\n\n\nclass Forgotten(QueuePolicy):\n"
        "    name = 'forgotten'\n\n    def sort_key(self, applicant):\n"
        "        return (applicant.requested_mw,)\n")
    path = scenario_file(tmp_path, f"policy: {{import: [gq_test_unregistered], order: {order}}}\n")
    with pytest.raises(InputError, match=re.escape(
            f"unknown queue policy '{order}' (class Forgotten of module "
            "gq_test_unregistered is not registered: put @register_policy above it, or name "
            "it 'gq_test_unregistered:Forgotten'); expected one of")):
        load_scenario(path)


def test_a_policy_class_left_unregistered_in_python_is_pointed_to_the_decorator(
        tmp_path, clean_registry):
    """A class defined in a notebook or script without @register_policy is named too."""

    class NeverRegistered(QueuePolicy):
        name = "never_registered"

        def sort_key(self, applicant):  # type: ignore[no-untyped-def]
            return (applicant.requested_mw,)

    path = scenario_file(tmp_path, "policy: {order: never_registered}\n")
    with pytest.raises(InputError, match=re.escape(
            "unknown queue policy 'never_registered' (class "
            f"{NeverRegistered.__qualname__} of module {__name__} is not registered: put "
            "@register_policy above it); expected")):
        load_scenario(path)


IGNORING = textwrap.dedent("""\
    from sim import QueuePolicy


    class Ignores(QueuePolicy):
        \"\"\"Keeps a parameter and the category order, and ranks by neither.\"\"\"

        def __init__(self, category_order, threshold_mw=0.5, weight=1.0):
            super().__init__(category_order)
            self.threshold_mw = threshold_mw
            self.weight = weight

        def sort_key(self, applicant):
            return (applicant.request_time - self.weight * applicant.jobs / 100,)


    class Categories(QueuePolicy):
        \"\"\"Serves the categories in the order given, then first come, first served.\"\"\"

        def sort_key(self, applicant):
            return (self.category_order.index(applicant.category), applicant.request_time)


    class Required(QueuePolicy):
        \"\"\"Takes a parameter it must be given and ignores it: no default to compare.\"\"\"

        uses_category_order = False

        def __init__(self, category_order, threshold_mw):
            super().__init__(category_order)
            self.threshold_mw = threshold_mw

        def sort_key(self, applicant):
            return (applicant.request_time,)
    """)
"""Policies that ignore a setting they take, and ones that use it or have none to compare."""

UNUSED_PARAMETER = re.compile(
    r"^gridqueue: warning: \S*s\.yaml:\d+: policy\.params\.threshold_mw did nothing in "
    r"replication 0: the queue policy 'gq_test_ignores:Ignores' ranked its \d+ applicants "
    r"exactly as without it \(at its default, 0\.5\); use it in sort_key \(or ranks\), or "
    r"remove it$")
"""The warning for ``threshold_mw`` given to a policy that ignores it."""


@pytest.mark.parametrize("command", [["validate"], ["run", "--workers", "1"],
                                     ["run", "--workers", "2"]])
def test_a_parameter_the_policy_ignores_is_warned_of_once(tmp_path: Path, clean_registry,
                                                          capsys, command):
    """``params: {threshold_mw: 2}`` to a policy that never reads it ran without a word.

    Ranking replication 0's applicants once more without it shows it changes their order in
    nothing; the warning reaches the user once, from validate, and from a run whatever the
    workers (a worker process's warning is said by the main one). The parameter it reads,
    left at its default, is not named.
    """
    (tmp_path / "gq_test_ignores.py").write_text(IGNORING, encoding="utf-8")
    path = scenario_file(tmp_path, """\
        policy:
          order: gq_test_ignores:Ignores
          params: {threshold_mw: 2}
        """)
    args = [*command, str(path), "--set", "replications=2"]
    if command[0] == "run":
        args += ["-o", str(tmp_path / "out"), "-q"]
    assert main(args) == 0
    warned = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert len(warned) == 1, warned
    assert UNUSED_PARAMETER.match(warned[0]), warned[0]


def test_a_parameter_ignored_in_a_worker_process_is_warned_of_in_python(tmp_path: Path,
                                                                       clean_registry):
    """``sim.run`` with two workers warns in the caller's process, as with one."""
    (tmp_path / "gq_test_ignores.py").write_text(IGNORING, encoding="utf-8")
    path = scenario_file(tmp_path, """\
        policy:
          order: gq_test_ignores:Ignores
          params: {threshold_mw: 2}
        """)
    scenario = load_scenario(path, {"replications": 2})
    for workers in (1, 2):
        with pytest.warns(GridqueueWarning) as caught:
            run(scenario, workers=workers)
        said = [str(w.message) for w in caught if "did nothing" in str(w.message)]
        assert len(said) == 1, said
        assert "policy.params.threshold_mw did nothing in replication 0" in said[0]


@pytest.mark.parametrize(("policy", "params"), [
    ("gq_test_ignores:Ignores", "{weight: 2}"),
    ("gq_test_threshold:SmallFirst", "{threshold_mw: 0.3}"),
    ("gq_test_ignores:Required", "{threshold_mw: 2}"),
    ("gq_test_ignores:Ignores", "{threshold_mw: 0.5}"),
    ("social_priority", "{}"),
])
def test_a_parameter_the_policy_uses_or_cannot_leave_out_is_not_warned_of(
        tmp_path: Path, clean_registry, capsys, policy, params):
    """Only a parameter whose absence leaves the ranking as it is, and that has a default.

    One given at its default ranks as without it whether the policy reads it or not, as
    docs/policies.md gives ``threshold_mw: 0.5``: nothing is known of it, so nothing is said.
    """
    (tmp_path / "gq_test_ignores.py").write_text(IGNORING, encoding="utf-8")
    (tmp_path / "gq_test_threshold.py").write_text(THRESHOLD, encoding="utf-8")
    path = scenario_file(tmp_path, f"policy: {{order: '{policy}', params: {params}}}\n")
    assert main(["validate", str(path)]) == 0
    assert "warning" not in capsys.readouterr().err


def test_a_category_order_the_policy_ignores_is_warned_of(tmp_path: Path, clean_registry,
                                                          capsys):
    """A policy that keeps ``uses_category_order = True`` but never reads the order.

    The order given, at ``policy.category_order`` or in a change, ranked replication 0's
    applicants as its reverse does: it did nothing, and the warning names the key where it
    was given and the two ways out.
    """
    (tmp_path / "gq_test_ignores.py").write_text(IGNORING, encoding="utf-8")
    path = scenario_file(tmp_path, """\
        policy:
          order: gq_test_ignores:Ignores
          category_order: [other, basic_needs, safety, congestion_relief]
          changes:
            - {date: 2024-01-01, category_order: [safety, other, basic_needs, congestion_relief]}
        """)
    assert main(["validate", str(path)]) == 0
    warned = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert len(warned) == 2, warned
    for line, key in zip(warned, ["policy.category_order", "policy.changes.0.category_order"],
                         strict=True):
        assert re.match(
            rf"^gridqueue: warning: \S*s\.yaml:\d+: {re.escape(key)} did nothing in "
            r"replication 0: the queue policy 'gq_test_ignores:Ignores' ranked its \d+ "
            r"applicants exactly as with the categories in reverse order; use "
            r"self\.category_order in sort_key \(or ranks\), or set uses_category_order = "
            r"False in Ignores and leave category_order out$", line), line


@pytest.mark.parametrize("policy", ["gq_test_ignores:Categories", "social_priority",
                                    "gq_test_ignores:Ignores"])
def test_a_category_order_the_policy_uses_or_nobody_gave_is_not_warned_of(
        tmp_path: Path, clean_registry, capsys, policy):
    """The order given to a policy that uses it, and the framework's order nobody gave."""
    (tmp_path / "gq_test_ignores.py").write_text(IGNORING, encoding="utf-8")
    order = ("" if policy.endswith("Ignores")
             else ", category_order: [other, basic_needs, safety, congestion_relief]")
    path = scenario_file(tmp_path, f"policy: {{order: '{policy}'{order}}}\n")
    assert main(["validate", str(path)]) == 0
    assert "warning" not in capsys.readouterr().err


def test_a_sweep_says_a_setting_its_policy_ignores_once(tmp_path: Path, clean_registry,
                                                         capsys):
    """Each cell's run checks the policy again; the same warning is said once, not per cell."""
    (tmp_path / "gq_test_ignores.py").write_text(IGNORING, encoding="utf-8")
    path = scenario_file(tmp_path, """\
        policy:
          order: gq_test_ignores:Ignores
          category_order: [other, basic_needs, safety, congestion_relief]
        """)
    assert main(["sweep", str(path), "--vary", "grid.capacity_mw=1,2", "--set",
                 "replications=2", "--workers", "1", "-q", "-o", str(tmp_path / "out")]) == 0
    warned = [line for line in capsys.readouterr().err.splitlines() if "did nothing" in line]
    assert len(warned) == 1, warned
    assert "policy.category_order did nothing in replication 0" in warned[0]


@pytest.mark.parametrize("vary", [[], ["--vary", "policy.params.threshold_mw=1,2"]])
def test_a_sweep_names_a_varied_setting_its_policy_ignores_by_its_cells(
        tmp_path: Path, clean_registry, capsys, vary):
    """A varied parameter is named by the cells that give it, not as a --set nobody typed.

    Each cell warned on its own, as ``--set policy.params.threshold_mw=1``: from a sweep:
    block or --vary, never an option of the command.
    """
    (tmp_path / "gq_test_ignores.py").write_text(IGNORING, encoding="utf-8")
    block = "" if vary else "sweep: {policy.params.threshold_mw: [1, 2]}\n"
    path = scenario_file(tmp_path, "policy: {order: 'gq_test_ignores:Ignores'}\n" + block)
    assert main(["sweep", str(path), *vary, "--set", "replications=2", "--workers", "1", "-q",
                 "-o", str(tmp_path / "out")]) == 0
    warned = [line for line in capsys.readouterr().err.splitlines() if "did nothing" in line]
    assert len(warned) == 1, warned
    assert warned[0].startswith(
        "gridqueue: warning: sweep cells policy.params.threshold_mw=1; "
        "policy.params.threshold_mw=2: policy.params.threshold_mw did nothing in replication 0: "
        "the queue policy 'gq_test_ignores:Ignores' ranked its "), warned[0]
    assert "--set" not in warned[0]


@pytest.mark.parametrize("policy", [
    """\
    policy:
      order: gq_test_ignores:Ignores
      category_order: [other, basic_needs, safety, congestion_relief]
      changes:
        - {date: 2024-01-01, order: social_priority}
    """,
    """\
    policy:
      order: gq_test_ignores:Ignores
      params: {threshold_mw: 2}
      changes:
        - {date: 2024-01-01, order: 'gq_test_threshold:SmallFirst'}
    """,
])
def test_a_setting_a_later_policy_uses_is_not_warned_of(tmp_path: Path, clean_registry,
                                                        capsys, policy):
    """A setting kept by a change acts under the policy it puts in force, if not before."""
    (tmp_path / "gq_test_ignores.py").write_text(IGNORING, encoding="utf-8")
    (tmp_path / "gq_test_threshold.py").write_text(THRESHOLD, encoding="utf-8")
    path = scenario_file(tmp_path, policy)
    assert main(["validate", str(path)]) == 0
    assert "warning" not in capsys.readouterr().err
    assert main(["run", str(path), "--set", "replications=2", "--workers", "1", "-q", "-o",
                 str(tmp_path / "out")]) == 0
    assert "warning" not in capsys.readouterr().err


PRIORITY_BLIND = textwrap.dedent("""\
    from sim import QueuePolicy


    class Jobs(QueuePolicy):
        \"\"\"Most jobs first: ignores who asked for priority, though uses_priority says not.\"\"\"

        uses_category_order = False

        def sort_key(self, applicant):
            return (-applicant.jobs, applicant.request_time)


    class JobsAskersFirst(Jobs):
        \"\"\"Those who asked for priority first, then most jobs.\"\"\"

        def sort_key(self, applicant):
            return (not applicant.priority_requested, *super().sort_key(applicant))


    class JobsDeclared(Jobs):
        \"\"\"Ignores who asked for priority and says so.\"\"\"

        uses_priority = False
    """)
"""A user's policy that ignores priority_requested, one that reads it, one that declares it."""

UPTAKE = "priority_uptake: {basic_needs: 0.5}\n"
"""Half of the basic-needs applicants ask for priority: a setting the scenario states."""


def _priority_warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if "warning" in line and "priority" in line]


@pytest.mark.parametrize("command", [["validate"], ["run", "--workers", "1"],
                                     ["run", "--workers", "2"]])
def test_an_uptake_the_policy_ignores_is_warned_of_once(tmp_path: Path, clean_registry, capsys,
                                                        command):
    """A priority_uptake under a user's policy that never reads priority_requested.

    The policy keeps ``uses_priority = True`` (the default), so nothing said the uptake
    changed no wait: replication 0's applicants are ranked once more as if none had asked,
    and ranked exactly the same, so a warning names the key, the policy, how many asked and
    the ways out; once, from validate and from a run whatever the workers.
    """
    (tmp_path / "gq_test_blind.py").write_text(PRIORITY_BLIND, encoding="utf-8")
    path = scenario_file(tmp_path, UPTAKE + "policy: {order: 'gq_test_blind:Jobs'}\n")
    args = [*command, str(path), "--set", "replications=2"]
    if command[0] == "run":
        args += ["-o", str(tmp_path / "out"), "-q"]
    assert main(args) == 0
    warned = _priority_warnings(capsys.readouterr().err)
    assert len(warned) == 1, warned
    assert re.match(
        r"^gridqueue: warning: \S*s\.yaml:\d+: priority_uptake did nothing in replication 0: "
        r"the queue policy 'gq_test_blind:Jobs' ranked its \d+ applicants exactly as if none "
        r"had asked for priority \([1-9]\d* of them did\); use applicant\.priority_requested "
        r"in sort_key \(or ranks\), or set uses_priority = False in Jobs and leave "
        r"priority_uptake out$", warned[0]), warned[0]


def test_a_base_files_uptake_is_not_to_be_left_out_for_one_child(tmp_path: Path,
                                                                   clean_registry, capsys):
    """An uptake in a family's base file, a child choosing a policy that ignores priority.

    The warning told to leave priority_uptake out of the base file, which would change every
    other file that extends it: it names the policy's two ways out only. Given by the child
    itself, or by --set, the uptake may be left out there.
    """
    (tmp_path / "gq_test_blind.py").write_text(PRIORITY_BLIND, encoding="utf-8")
    base = scenario_file(tmp_path, UPTAKE)
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {base.name}\nname: child\npolicy: {{order: "
                     "'gq_test_blind:Jobs'}\n", encoding="utf-8")
    assert main(["validate", str(child)]) == 0
    (warned,) = _priority_warnings(capsys.readouterr().err)
    assert re.search(r"s\.yaml:\d+: priority_uptake did nothing in replication 0: .*; use "
                     r"applicant\.priority_requested in sort_key \(or ranks\), or set "
                     r"uses_priority = False in Jobs$", warned), warned
    assert main(["validate", str(child), "--set", "priority_uptake.basic_needs=0.4"]) == 0
    (warned,) = _priority_warnings(capsys.readouterr().err)
    assert warned.endswith("or set uses_priority = False in Jobs and leave priority_uptake "
                           "out"), warned


def test_a_projects_and_rows_priority_the_policy_ignores_is_warned_of(tmp_path: Path,
                                                                      clean_registry, capsys):
    """A project's stated priority_requested, and a waiting list's, under the same policy."""
    (tmp_path / "gq_test_blind.py").write_text(PRIORITY_BLIND, encoding="utf-8")
    (tmp_path / "list.csv").write_text(
        "request_date,category,demand_mw,priority_requested\n"
        "2021-05-01,basic_needs,0.3,true\n2021-06-01,basic_needs,0.2,false\n"
        "2021-07-01,other,0.2,\n", encoding="utf-8")
    path = scenario_file(tmp_path, """\
        projects:
          - {name: Clinic, date: 2023-01-01, demand_mw: 0.5, category: basic_needs,
             priority_requested: true}
        waiting_list: {csv: list.csv}
        policy: {order: 'gq_test_blind:Jobs'}
        """)
    assert main(["validate", str(path)]) == 0
    warned = _priority_warnings(capsys.readouterr().err)
    assert len(warned) == 2, warned
    assert re.match(r"^gridqueue: warning: \S*s\.yaml:\d+: projects\.0\.priority_requested did "
                    r"nothing in replication 0: the queue policy 'gq_test_blind:Jobs' ranked "
                    r"its \d+ applicants exactly as if none had asked for priority \(\d+ of "
                    r"them did\); use applicant\.priority_requested in sort_key \(or ranks\), "
                    r"or set uses_priority = False in Jobs and leave "
                    r"projects\.0\.priority_requested out$", warned[0]), warned[0]
    assert re.match(r"^gridqueue: warning: \S*s\.yaml:\d+: the priority_requested column of "
                    r"list\.csv \(2 rows give it\) did nothing in replication 0: the queue "
                    r"policy 'gq_test_blind:Jobs' ranked .* and leave the column out of "
                    r"list\.csv$", warned[1]), warned[1]


@pytest.mark.parametrize("scenario", [
    pytest.param(UPTAKE + "policy: {order: 'gq_test_blind:JobsAskersFirst'}\n", id="reads it"),
    pytest.param(UPTAKE + "policy: {order: 'gq_test_blind:JobsDeclared'}\n", id="declares it"),
    pytest.param("policy: {order: 'gq_test_blind:Jobs'}\n", id="default uptake"),
    pytest.param("priority_uptake: {basic_needs: 0}\npolicy: {order: 'gq_test_blind:Jobs'}\n",
                 id="nobody asked"),
    pytest.param(UPTAKE + "policy:\n  order: 'gq_test_blind:Jobs'\n  changes:\n"
                 "    - {date: 2024-01-01, order: social_priority}\n", id="a later policy"),
    pytest.param(UPTAKE + "policy:\n  order: 'gq_test_blind:Jobs'\n  allocation: rounds\n"
                 "  rounds: {dates: [2023-01-01], between_rounds: [basic_needs]}\n",
                 id="rounds serve it"),
])
def test_priority_that_acts_or_says_nothing_is_not_warned_of(tmp_path: Path, clean_registry,
                                                             capsys, scenario):
    """Priority that acts, or where ranking without it would tell nothing: no warning.

    A policy that reads priority, or declares it ignores it (check_priority_acts's case); an
    uptake nobody changed, or by which nobody asked; a later policy or rounds serving it.
    """
    (tmp_path / "gq_test_blind.py").write_text(PRIORITY_BLIND, encoding="utf-8")
    path = scenario_file(tmp_path, scenario)
    assert main(["validate", str(path)]) == 0
    assert "did nothing" not in capsys.readouterr().err


def test_a_sweep_says_an_uptake_its_policy_ignores_once(tmp_path: Path, clean_registry, capsys):
    """Each cell checks its policy again; the same warning is said once for the sweep."""
    (tmp_path / "gq_test_blind.py").write_text(PRIORITY_BLIND, encoding="utf-8")
    path = scenario_file(tmp_path, "policy: {order: 'gq_test_blind:Jobs'}\n")
    assert main(["sweep", str(path), "--vary", "grid.capacity_mw=1,2", "--set",
                 "priority_uptake.basic_needs=0.5", "--set", "replications=2", "--workers",
                 "2", "-q", "-o", str(tmp_path / "out")]) == 0
    warned = _priority_warnings(capsys.readouterr().err)
    assert len(warned) == 1, warned
    assert warned[0].startswith("gridqueue: warning: --set priority_uptake.basic_needs=0.5: "
                                "priority_uptake did nothing in replication 0"), warned[0]
