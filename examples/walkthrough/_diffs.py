"""The diff each walkthrough page shows, made from the step programs themselves.

Each page ``docs/walkthrough/NN-name.md`` shows how its step's kernel (everything above the
``# -- a program`` line) differs from the step it builds on, in a ```diff block right after the
marker line below. This script writes those blocks;
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

# Which step each one builds on. The steps make a tree, not a line: each carries only the parts
# of the kernel that its idea and its program need, so that each stays short. Steps 4 (sleep)
# and 5 (IO) branch off step 3; step 6 (wake-ups) goes on from step 3 without timers; step 8
# (timeouts) brings the timers back on top of step 7 (cancellation); steps 9 (channels), 10
# (select) and 11 (deadlock) go on from step 7 without timers or scopes, 10 and 11 from 9.
# From step 7 on there is no join (results travel over channels), and step 10 leaves out
# cancellation: each step stays under about 150 lines.
PARENT = {"02": "01", "03": "02", "04": "03", "05": "03", "06": "03", "07": "06", "08": "07", "09": "07", "10": "09", "11": "09"}


def steps():
    """{"01": Path(step01_round_robin.py), ...}"""
    found = {}
    for path in sorted(HERE.glob("step[0-9][0-9]_*.py")):
        found[path.name[4:6]] = path
    return found


def page(number):
    pages = sorted(PAGES.glob(number + "-*.md"))
    return pages[0] if pages else None


PROGRAM = "# -- a program"  # the line between a step's kernel and its example program


def kernel_part(path):
    """The lines of a step above its example program: what the next step builds on."""
    lines = path.read_text().splitlines(True)
    for index, line in enumerate(lines):
        if line.startswith(PROGRAM):
            return lines[:index]
    return lines


def diff(number):
    """The unified diff of the kernel part, from the parent step to step ``number``."""
    programs = steps()
    old, new = programs[PARENT[number]], programs[number]
    return "".join(difflib.unified_diff(kernel_part(old), kernel_part(new), old.name, new.name, n=2))


INTRO = "The kernel part (everything above the line `# -- a program`; the example program below it is new in each step) changes so:"


def block(number):
    return MARKER + "\n\n" + INTRO + "\n\n```diff\n" + diff(number) + "```\n"


PATTERN = re.compile(re.escape(MARKER) + r"\n\n.*?```diff\n.*?```\n", re.S)


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
