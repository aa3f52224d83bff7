"""Issue 15: at most two hand-inlined fast paths, each marked `# inlined copy of X: benchmarks/Y`.

A copy of a function, written out where it is called to save the call, must be kept in step
with the original by hand; the kernel allows itself two (the switch and the spawn), and every
other hot path calls the one definition or reads published attributes instead.
"""

import pathlib
import re

GENLET = pathlib.Path(__file__).resolve().parent.parent / "genlet"
BENCHMARKS = GENLET.parent / "benchmarks"
MARK = re.compile(r"# inlined copy of (.+?): (benchmarks/\w+\.py)")


def marks():
    found = []
    for path in sorted(GENLET.rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if "inlined copy" in line:
                found.append((path.relative_to(GENLET.parent).as_posix(), number, MARK.search(line)))
    return found


def test_at_most_two_marked_copies_each_naming_its_benchmark():
    found = marks()
    assert len(found) <= 2, found
    for where, number, match in found:
        assert match is not None, "%s:%d: write `# inlined copy of X: benchmarks/Y.py`" % (where, number)
        assert (GENLET.parent / match.group(2)).is_file(), "%s:%d names no benchmark file" % (where, number)


def test_the_two_are_the_switch_and_the_spawn():
    assert [(where, match.group(2)) for where, _, match in marks()] == [
        ("genlet/kernel/loop.py", "benchmarks/switch.py"),
        ("genlet/kernel/spawning.py", "benchmarks/spawn.py"),
    ]
