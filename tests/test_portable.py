"""The portable golden-output scripts (tests/portable/) under this interpreter.

Each script runs as a program of its own and must print exactly its ``name.py.exp``. The same
scripts run under MicroPython (both ports) through ``tests/portable/run.py`` in ``.ci/run``;
here nothing may be skipped: CPython and PyPy have everything the scripts need.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PORTABLE = ROOT / "tests" / "portable"
SCRIPTS = sorted(p for p in PORTABLE.glob("*.py") if p.name != "run.py" and not p.name.startswith("_"))


def run_python(args, cwd=ROOT):
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(
        [sys.executable, *args], cwd=str(cwd), env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_script_prints_its_expected_output(script):
    result = run_python([str(script)])
    assert result.returncode == 0, result.stderr
    assert result.stdout != "SKIP\n", "%s skipped itself on %s" % (script.name, sys.implementation.name)
    assert result.stdout == script.with_name(script.name + ".exp").read_text()


def test_every_script_has_expected_output_and_every_exp_a_script():
    scripts = {p.name for p in SCRIPTS}
    expected = {p.name[: -len(".exp")] for p in PORTABLE.glob("*.py.exp")}
    assert scripts == expected
    assert len(scripts) >= 7


def test_runner_passes_fails_and_skips(tmp_path):
    """run.py (what MicroPython runs) tells a pass from a failure and a SKIP, and exits 1."""
    shutil.copy(PORTABLE / "run.py", tmp_path / "run.py")
    (tmp_path / "good.py").write_text("def f():\n    print('a', 1, sep='-')\nf()\nprint('b')\n")
    (tmp_path / "good.py.exp").write_text("a-1\nb\n")
    (tmp_path / "wrong.py").write_text("print('c')\n")
    (tmp_path / "wrong.py.exp").write_text("d\n")
    (tmp_path / "broken.py").write_text("print('e')\nraise ValueError('x')\n")
    (tmp_path / "broken.py.exp").write_text("e\n")
    (tmp_path / "skipped.py").write_text("print('SKIP')\nraise SystemExit\n")
    (tmp_path / "skipped.py.exp").write_text("never compared\n")
    result = run_python([str(tmp_path / "run.py")], cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "PASS  good" in lines and "SKIP  skipped" in lines
    assert "FAIL  wrong" in lines and "FAIL  broken" in lines
    assert lines[-1].startswith("portable: 1 passed, 1 skipped, 2 failed (")
    assert "ValueError" in result.stderr

    result = run_python([str(tmp_path / "run.py"), "good"], cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.splitlines()[-1].startswith("portable: 1 passed, 0 skipped, 0 failed")
