"""The walkthrough (examples/walkthrough/, docs/walkthrough/): every step runs and prints its
golden output, and every page shows the true diff from the step before, so neither can drift.

The same golden outputs are checked under MicroPython (both ports) by ``.ci/run``, through
``tests/portable/run.py --dir examples/walkthrough``.
"""

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STEPS_DIR = ROOT / "examples" / "walkthrough"
PAGES_DIR = ROOT / "docs" / "walkthrough"
STEPS = sorted(STEPS_DIR.glob("step[0-9][0-9]_*.py"))


def load_diffs():
    spec = importlib.util.spec_from_file_location("_walkthrough_diffs", STEPS_DIR / "_diffs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


diffs = load_diffs()


@pytest.mark.parametrize("step", STEPS, ids=[p.stem for p in STEPS])
def test_step_prints_its_expected_output(step):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONPATH", None)  # a step imports nothing from genlet: it is the kernel
    result = subprocess.run(
        [sys.executable, str(step)], cwd=str(STEPS_DIR), env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == step.with_name(step.name + ".exp").read_text()


@pytest.mark.parametrize("step", STEPS, ids=[p.stem for p in STEPS])
def test_step_is_standalone_and_portable(step):
    text = step.read_text()
    assert not re.search(r"^\s*(import|from)\s+genlet", text, re.M), "a step must not import genlet"
    for module in ("typing", "enum", "dataclasses", "functools", "itertools", "contextlib"):
        assert not re.search(r"^\s*(import|from)\s+%s\b" % module, text, re.M), module


@pytest.mark.parametrize("step", STEPS, ids=[p.stem for p in STEPS])
def test_step_has_a_page_with_its_true_diff(step):
    number = step.name[4:6]
    page = diffs.page(number)
    assert page is not None, "docs/walkthrough/%s-*.md is missing" % number
    text = page.read_text()
    assert "## Exercise" in text, "%s ends with an exercise" % page.name
    if number in diffs.PARENT:
        assert diffs.shown(text) == diffs.block(number), (
            "%s shows a stale diff: run python3 examples/walkthrough/_diffs.py" % page.name
        )
        assert "## What breaks without it" in text, page.name


def test_every_step_has_expected_output_and_the_index_lists_every_page():
    assert len(STEPS) >= 7
    expected = {p.name[: -len(".exp")] for p in STEPS_DIR.glob("*.py.exp")}
    assert expected == {p.name for p in STEPS}
    index = (PAGES_DIR / "README.md").read_text()
    for page in sorted(PAGES_DIR.glob("[0-9][0-9]-*.md")):
        assert "(%s)" % page.name in index, "docs/walkthrough/README.md does not link %s" % page.name


def test_the_diff_check_sees_a_stale_page(tmp_path, monkeypatch):
    """The drift check is real: a page whose diff is off by one line fails it."""
    number = sorted(diffs.PARENT)[0]
    good = diffs.block(number)
    stale = good.replace("\n+", "\n+ ", 1)
    assert stale != good
    assert diffs.shown("text\n" + stale + "more\n") != good


def test_the_portable_runner_runs_the_steps_from_another_folder():
    """What .ci/run does under MicroPython: tests/portable/run.py --dir examples/walkthrough."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "portable" / "run.py"), "--dir", "examples/walkthrough", "step01_round_robin", "step03_spawn_join"],
        cwd=str(ROOT), capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith("portable: 2 passed, 0 skipped, 0 failed")


# -- step 12: from the walkthrough to genlet ------------------------------------------------------
GENLET_PAGE = PAGES_DIR / "12-genlet.md"
VS_GENLET = ROOT / "examples" / "walkthrough_vs_genlet.py"


def test_the_same_workload_runs_on_the_step11_kernel_and_on_genlet():
    result = subprocess.run([sys.executable, str(VS_GENLET)], cwd=str(ROOT), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    walkthrough, _, on_genlet = result.stdout.partition("genlet:\n")
    for part in (walkthrough, on_genlet):
        assert "the consumer got 10 numbers, sum 1520, in order per producer: True\n" in part
        assert "run() returned 1520\n" in part
        assert "left's finally runs\n  right's finally runs\n" in part
        assert part.count(" recv") == 3, part  # the deadlock report names the three channel waits
    # the page shows what the program prints (genlet's own words may change: see test below)
    page = GENLET_PAGE.read_text()
    assert walkthrough in page, "docs/walkthrough/12-genlet.md shows a stale output of %s" % VS_GENLET.name


def genlet_map(text):
    """[(file, name)] from the page's table rows: a cell with one `genlet/.../x.py`, then a cell
    of `names` it defines. A row that names genlet's files any other way is an error, so that
    no row goes unchecked."""
    found = []
    for line in text.splitlines():
        if not line.startswith("|") or "`genlet/" not in line:
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        paths = [index for index, cell in enumerate(cells) if "`genlet/" in cell]
        assert len(paths) == 1 and paths[0] < len(cells) - 1, "one file per row, names after it: " + line
        path = re.fullmatch(r"`(genlet/[\w/]+\.py)`", cells[paths[0]])
        names = re.findall(r"`([A-Za-z_][\w.]*)`", cells[paths[0] + 1])
        assert path and names, "one file per row, names after it: " + line
        found.extend((path.group(1), name) for name in names)
    return found


def defines(source, name):
    """Does the module's source define `name` (a function, class or constant; `Class.method`)?"""
    *owner, leaf = name.split(".")
    if owner and not re.search(r"^class %s\b" % re.escape(owner[0]), source, re.M):
        return False
    return bool(re.search(r"^\s*(def|class) %s\b|^%s\s*=" % (re.escape(leaf), re.escape(leaf)), source, re.M))


def test_the_genlet_map_names_files_and_functions_that_exist():
    """Step 12's page points at genlet's real files: when the kernel moves a name, this fails."""
    found = genlet_map(GENLET_PAGE.read_text())
    assert len(found) >= 40, found
    missing = []
    for path, name in found:
        file = ROOT / path
        if not file.exists() or not defines(file.read_text(), name):
            missing.append("%s: %s" % (path, name))
    assert not missing, "docs/walkthrough/12-genlet.md names what genlet does not define: " + ", ".join(missing)
    paths = set(re.findall(r"`(genlet/[\w/]+\.py)`", GENLET_PAGE.read_text()))
    assert not [p for p in paths if not (ROOT / p).exists()], "the page names a file genlet does not have"


def test_the_genlet_map_check_sees_a_wrong_name():
    source = "class Kernel:\n    def _trap(self):\n        pass\n\nPARK = 'PARK'\n"
    assert defines(source, "Kernel._trap") and defines(source, "PARK") and defines(source, "Kernel")
    assert not defines(source, "Kernel._park") and not defines(source, "Task._trap") and not defines(source, "_trap2")
    assert genlet_map("| 1 | x | `genlet/kernel/loop.py` | `Kernel._run_ready`, `spawn` |") == [
        ("genlet/kernel/loop.py", "Kernel._run_ready"), ("genlet/kernel/loop.py", "spawn")]
    with pytest.raises(AssertionError):  # two files in a cell: which defines what?
        genlet_map("| 1 | x | `genlet/kernel/loop.py`, `genlet/kernel/task.py` | `Task` |")
