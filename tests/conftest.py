"""Shared test setup: a hypothesis profile that never flakes on a slow machine, and helpers.

``GENLET_HYPOTHESIS_MAX_EXAMPLES=N`` caps the examples per property in the ``ci`` profile:
``.ci/run`` sets it for the extra interpreters (PyPy, the other CPythons); the main run keeps
hypothesis's default.
"""

import os

from hypothesis import HealthCheck, settings

_ci = {}
if os.environ.get("GENLET_HYPOTHESIS_MAX_EXAMPLES"):
    _ci["max_examples"] = int(os.environ["GENLET_HYPOTHESIS_MAX_EXAMPLES"])

settings.register_profile(
    "ci",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=os.environ.get("GENLET_HYPOTHESIS_DERANDOMIZE") == "1",
    **_ci,
)
settings.register_profile("dev", deadline=None, max_examples=200)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
