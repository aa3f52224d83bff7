"""Shared test setup: a hypothesis profile that never flakes on a slow machine, and helpers."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=os.environ.get("GENLET_HYPOTHESIS_DERANDOMIZE") == "1",
)
settings.register_profile("dev", deadline=None, max_examples=200)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
