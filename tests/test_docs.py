"""The examples and the docs are run, so they cannot rot.

Every ```python block in README.md and docs/*.md runs on its own; a line ending in
``# prints: X`` (or ``# X`` after a print call) says what it prints. Every script in
examples/ runs (with its own test where it needs a server or a client).
"""

import contextlib
import io
import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))


def python_blocks(path):
    text = path.read_text()
    for match in re.finditer(r"```python\n(.*?)```", text, re.S):
        line = text.count("\n", 0, match.start()) + 1
        yield "%s:%d" % (path.name, line), match.group(1)


BLOCKS = [block for path in DOCS for block in python_blocks(path)]


def expected_output(code):
    """What the block says it prints: ``# prints: a, then b`` or ``print(x)  # value``."""
    expected = []
    for line in code.splitlines():
        found = re.search(r"#\s*prints:\s*(.*)$", line)
        if found:
            expected.extend(part.strip() for part in re.split(r",\s*then\s+", found.group(1)))
        elif re.match(r"\s*print\(", line) and "#" in line:
            expected.append(line.split("#", 1)[1].strip())
    return expected


@pytest.mark.parametrize("where,code", BLOCKS, ids=[w for w, _ in BLOCKS])
def test_doc_block_runs_and_prints_what_it_says(where, code):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, where, "exec"), {"__name__": "__doc_example__"})
    printed = [line.strip() for line in out.getvalue().splitlines() if line.strip()]
    for want in expected_output(code):
        assert any(line == want or line.startswith(want) for line in printed), (want, printed)


def run_example(name, *args):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run(
        [sys.executable, str(ROOT / "examples" / name), *args], capture_output=True, text=True, timeout=60, env=env
    )


def test_hello_example():
    result = run_example("hello.py")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[0, 1, 4]"
