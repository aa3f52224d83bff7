"""Shared test setup: a hypothesis profile that never flakes on a slow machine, and helpers;
Python's Ctrl-C handler in place, and a check that no test leaves another one behind.

``GENLET_HYPOTHESIS_MAX_EXAMPLES=N`` caps the examples per property in the ``ci`` profile:
``.ci/run`` sets it for the extra interpreters (PyPy, the other CPythons); the main run keeps
hypothesis's default.
"""

import os
import signal

import pytest
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


# Discussion: a shell without job control starts a background job (`pytest &` in a script)
# with SIGINT ignored, and Python then installs no KeyboardInterrupt handler: genlet.run leaves
# Ctrl-C alone (somebody else seems to handle it) and the Ctrl-C tests cannot test it. Such a
# job gets no Ctrl-C from a terminal anyway, so the suite takes Python's usual handler back.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def _sigint_handler_put_back(request):
    """Fail the test that leaves a different SIGINT handler behind, by name, and put the one
    it found back, so that the tests after it do not fail in its place."""
    before = signal.getsignal(signal.SIGINT)
    yield
    after = signal.getsignal(signal.SIGINT)
    if after is not before:
        signal.signal(signal.SIGINT, before)
        pytest.fail("%s left the SIGINT handler %r installed (it found %r)" % (request.node.nodeid, after, before))
