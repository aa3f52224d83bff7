"""docs/from-gevent.md: the gevent article's examples (examples/gevent/) print what their
``.py.exp`` says, and the ported chat server serves a room of clients over loopback.

The same golden outputs are checked under MicroPython (both ports) by ``.ci/run``, through
``tests/portable/run.py --dir examples/gevent``.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import genlet
import genlet.io
from tests.test_io_examples import ExampleServer

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "gevent"
PROGRAMS = sorted(EXAMPLES.glob("[0-9][0-9]_*.py"))
ENV = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), PYTHONDONTWRITEBYTECODE="1")


def stable(text):
    """The output without the words a report may start with (``Deadlock: ``), which may change."""
    return re.sub(r"^Deadlock: ", "", text, flags=re.M)


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_example_prints_its_expected_output(program):
    result = subprocess.run([sys.executable, str(program)], cwd=str(EXAMPLES), env=ENV, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert stable(result.stdout) == stable(program.with_name(program.name + ".exp").read_text())
    assert result.stderr == "", result.stderr  # no warning, no failure report


def test_every_example_has_expected_output_and_a_section_of_the_page():
    assert len(PROGRAMS) >= 6
    assert {p.name[: -len(".exp")] for p in EXAMPLES.glob("*.py.exp")} == {p.name for p in PROGRAMS}
    page = (ROOT / "docs" / "from-gevent.md").read_text()
    for program in PROGRAMS + [EXAMPLES / "chat_server.py"]:
        assert "examples/gevent/" + program.name in page, program.name
    assert "(docs/from-gevent.md)" in (ROOT / "README.md").read_text()


def test_the_page_shows_each_program_and_its_output_as_they_are():
    """docs/from-gevent.md quotes every program and output whole; neither may drift."""
    page = stable((ROOT / "docs" / "from-gevent.md").read_text())
    for program in PROGRAMS + [EXAMPLES / "chat_server.py"]:
        assert "```python\n%s```" % program.read_text() in page, "%s differs from the page" % program.name
    for program in PROGRAMS:
        output = stable(program.with_name(program.name + ".exp").read_text())
        assert "```text\n%s```" % output in page, "%s.exp differs from the page" % program.name


def test_the_deadlock_example_names_the_cycle():
    out = (EXAMPLES / "06_deadlock.py.exp").read_text()
    assert "task 'task_b' waits for RLock 'lock_a' (held by task 'task_a')" in out
    assert "task 'task_a' waits for RLock 'lock_b' (held by task 'task_b')" in out
    assert out.rstrip().endswith("Task A acquired both locks\nboth ended at 1 s")


def test_the_portable_runner_runs_only_the_golden_scripts_of_a_folder():
    """examples/gevent also holds the chat server: run.py --dir must not start it."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "portable" / "run.py"), "--dir", "examples/gevent"],
        cwd=str(ROOT), env=ENV, capture_output=True, text=True, timeout=60,
    )
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("portable: %d passed, 0 skipped, 0 failed" % len(PROGRAMS)), result.stdout
    assert "chat_server" not in result.stdout


def read_until(stream, text):
    """Lines until one holds ``text``; the server hanging up first is a failure."""
    while True:
        line = yield from stream.readline()
        assert line, "the server hung up before %r" % text
        if text in line.decode():
            return line.decode()


def test_ported_chat_server_fans_messages_out():
    server = ExampleServer("gevent/chat_server.py")

    def main():
        with genlet.fail_after(10):
            alice = yield from genlet.io.open_connection("127.0.0.1", server.port)
            alice_name = (yield from read_until(alice, "welcome, you are ")).split()[-1]
            bob = yield from genlet.io.open_connection("127.0.0.1", server.port)
            bob_name = (yield from read_until(bob, "welcome, you are ")).split()[-1]
            yield from read_until(alice, "* %s joined" % bob_name)
            yield from alice.write(b"hello, bob\n")
            heard = [(yield from read_until(bob, "hello, bob"))]
            yield from bob.write(b"hi alice\n")
            heard.append((yield from read_until(alice, "hi alice")))
            bob.close()
            heard.append((yield from read_until(alice, "left")))
            alice.close()
            return alice_name, bob_name, heard

    try:
        alice_name, bob_name, heard = genlet.run(main)
    finally:
        code, out, err = server.stop()
    assert heard == ["%s: hello, bob\n" % alice_name, "%s: hi alice\n" % bob_name, "* %s left\n" % bob_name]
    assert code == 0, err
    assert out.strip().endswith("stopped") and "Traceback" not in err
