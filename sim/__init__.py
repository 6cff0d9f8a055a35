"""gridqueue: a discrete-event simulator of businesses waiting for a grid connection.

The public API::

    from sim import load_scenario, run
    scenario = load_scenario("scenarios/flevoland/social_priority.yaml", {"replications": 5})
    results = run(scenario)
    results.summary            # key figures with 95% confidence intervals

Queue policies are small classes; see :class:`QueuePolicy` to write your own.
"""

from sim._version import __version__
from sim.applicants import CATEGORIES, Applicant, ApplicantTable
from sim.errors import GridqueueError, InputError
from sim.loading import load_scenario
from sim.metrics import METRICS
from sim.policies import POLICIES, QueuePolicy, register_policy
from sim.results import Results
from sim.runner import run
from sim.scenario import Scenario

__all__ = [
    "CATEGORIES",
    "METRICS",
    "POLICIES",
    "Applicant",
    "ApplicantTable",
    "GridqueueError",
    "InputError",
    "QueuePolicy",
    "Results",
    "Scenario",
    "__version__",
    "load_scenario",
    "register_policy",
    "run",
]
