"""The examples in docs/channels.md run, and print what the page says they print."""

import contextlib
import io
import os
import re

import pytest

DOC = os.path.join(os.path.dirname(__file__), "..", "docs", "channels.md")

# A ```python block, optionally followed (after blank lines only) by the ```text block of what
# it prints.
BLOCK = re.compile(r"```python\n(.*?)```\n(?:\s*```text\n(.*?)```)?", re.S)


def examples():
    with open(DOC) as f:
        text = f.read()
    found = []
    for match in BLOCK.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        code = "\n" * line + match.group(1)  # so that a traceback names the line in the page
        found.append(pytest.param(code, match.group(2), id="line%d" % line))
    assert len(found) >= 5, "docs/channels.md lost its examples"
    return found


@pytest.mark.parametrize("code, output", examples())
def test_docs_example(code, output):
    assert output is not None, "every example is followed by the output it prints"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, DOC, "exec"), {"__name__": "docs_example"})  # noqa: S102
    assert printed.getvalue() == output
