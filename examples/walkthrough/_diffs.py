"""The diff each walkthrough page shows, made from the step programs themselves.

Each page ``docs/walkthrough/NN-name.md`` shows how its step differs from the step it builds
on, in a ```diff block right after the marker line below. This script writes those blocks;
``tests/test_walkthrough.py`` checks that they match the programs, so the pages cannot drift.

    python3 examples/walkthrough/_diffs.py          # rewrite the diff blocks in the pages
"""

import difflib
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PAGES = HERE.parent.parent / "docs" / "walkthrough"
MARKER = "<!-- the diff below is made by examples/walkthrough/_diffs.py: do not edit it by hand -->"

# Which step each one builds on. Step 5 (IO) is a side road: step 6 goes on from step 4, so
# that the programs after it stay short and run where there are no sockets.
PARENT = {"02": "01", "03": "02", "04": "03", "05": "04", "06": "04", "07": "06", "08": "07", "09": "08", "10": "09", "11": "10"}


def steps():
    """{"01": Path(step01_round_robin.py), ...}"""
    found = {}
    for path in sorted(HERE.glob("step[0-9][0-9]_*.py")):
        found[path.name[4:6]] = path
    return found


def page(number):
    pages = sorted(PAGES.glob(number + "-*.md"))
    return pages[0] if pages else None


def diff(number):
    """The unified diff from the parent step to step ``number``, as the page shows it."""
    programs = steps()
    old, new = programs[PARENT[number]], programs[number]
    lines = difflib.unified_diff(
        old.read_text().splitlines(True), new.read_text().splitlines(True), old.name, new.name, n=2
    )
    return "".join(lines)


def block(number):
    return MARKER + "\n\n```diff\n" + diff(number) + "```\n"


PATTERN = re.compile(re.escape(MARKER) + r"\n\n```diff\n.*?```\n", re.S)


def shown(text):
    """The generated block in a page's text, or None."""
    found = PATTERN.search(text)
    return found.group(0) if found else None


def write():
    for number in sorted(PARENT):
        path = page(number)
        if path is None or number not in steps():
            continue
        text = path.read_text()
        if shown(text) is None:
            print("%s: no marker line; add it where the diff goes" % path.name)
            continue
        new = PATTERN.sub(lambda m: block(number), text)
        if new != text:
            path.write_text(new)
            print("updated", path.name)


if __name__ == "__main__":
    write()
    sys.exit(0)
