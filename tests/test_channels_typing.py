"""Channel is generic for the type checker: ``Channel[int]`` type-checks, and a wrong value
type is an error that mypy reports."""

import textwrap

from mypy import api

SNIPPET = """
from typing import Any, Generator
from genlet import Channel, select

def f() -> Generator[Any, Any, None]:
    ch: Channel[int] = Channel(3)
    x = yield from ch.recv()
    reveal_type(x)
    pair = yield from ch.recv_ok()
    reveal_type(pair)
    reveal_type(ch.recv_nowait())
    yield from ch.send(1)
    i, value = yield from select(ch.recv_op(), ch.send_op(2), timeout=1.0)
    yield from ch.send("not an int")
"""


def mypy_says(tmp_path, snippet):
    """What ``mypy --strict`` says about ``snippet``: its lines without file and line number,
    in one spelling across mypy versions; and the whole output, for an assertion's message."""
    source = tmp_path / "typed.py"
    source.write_text(textwrap.dedent(snippet))
    out, err, status = api.run(
        ["--strict", "--no-error-summary", "--cache-dir", str(tmp_path / "cache"), str(source)]
    )
    return [_plain(line.split(": ", 1)[1]) for line in out.splitlines()], out + err


def test_channel_of_int_type_checks(tmp_path):
    lines, out = mypy_says(tmp_path, SNIPPET)
    assert lines == [
        'note: Revealed type is "int"',
        'note: Revealed type is "tuple[int | None, bool]"',
        'note: Revealed type is "int"',
        'error: Argument 1 to "send" of "Channel" has incompatible type "str"; expected "int"  [arg-type]',
    ], out


def _plain(text):
    """mypy versions spell types differently ("builtins.int", "Tuple", "Union[int, None]")."""
    text = text.replace("builtins.", "").replace("Tuple[", "tuple[")
    return text.replace("Union[int, None]", "int | None")
