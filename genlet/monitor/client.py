# genlet/monitor/client.py
"""``python -m genlet.monitor [host:port] [command ...]``: talk to a program's monitor.

With commands as arguments, it runs each (``python -m genlet.monitor ps "where 3"``) and
prints the answers; with stdin a terminal, it prompts; otherwise it runs the lines of stdin.
The address defaults to ``GENLET_MONITOR``, else 127.0.0.1:48802. A plain blocking client:
this side has no kernel to watch.
"""

import os
import socket
import sys

try:
    from typing import Any, List, Optional, TextIO, Tuple
except ImportError:
    pass

PROMPT = b"genlet> "
TIMEOUT = 10.0  # seconds to wait for an answer before saying why there is none


class MonitorClient:
    """A connection to a monitor: ``ask(command) -> answer``."""

    def __init__(self, address: "Tuple[str, int]", timeout: float = TIMEOUT) -> None:
        self.address = address
        self.sock = socket.create_connection(address, timeout=timeout)
        self._buffer = b""
        self.greeting = self._answer()

    def _answer(self) -> str:
        """Everything up to the next prompt (or the end of the connection)."""
        while not self._buffer.endswith(PROMPT):
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                raise TimeoutError(
                    "the monitor at %s:%d did not answer within %g s: a task may be holding the kernel "
                    "(a step that never yields); run the program with GENLET_SLOW_STEP=0.05 to name it"
                    % (self.address[0], self.address[1], self.sock.gettimeout() or 0.0)
                )
            except ConnectionResetError:
                data = b""
            if not data:
                if not self._buffer:
                    raise ConnectionError(
                        "the monitor closed the connection: the program's run has ended (or its "
                        "monitor session was cancelled)"
                    )
                break
            self._buffer += data
        text, self._buffer = self._buffer[: -len(PROMPT)] if self._buffer.endswith(PROMPT) else self._buffer, b""
        return text.decode("utf-8", "replace").rstrip("\n")

    def ask(self, command: str) -> str:
        try:
            self.sock.sendall(command.strip().encode() + b"\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # (the monitor has gone: _answer says so)
        return self._answer()

    def close(self) -> None:
        self.sock.close()


def parse(argv: "List[str]") -> "Tuple[Tuple[str, int], List[str]]":
    """The address (the first argument, if it is one) and the commands."""
    address = os.environ.get("GENLET_MONITOR") or "127.0.0.1:48802"
    if argv and (":" in argv[0] or argv[0].isdigit()):
        address, argv = argv[0], argv[1:]
    if address.strip().lower() in ("1", "on", "true", "yes"):
        address = "127.0.0.1:48802"
    host, _, port = address.rpartition(":")
    if not port.isdigit():
        raise SystemExit("genlet.monitor: %r is not host:port (e.g. 127.0.0.1:48802)" % address)
    return (host.strip("[]") or "127.0.0.1", int(port)), argv


def _lines(stdin: "TextIO") -> "Any":
    """The commands a person types (a prompt), or stdin's lines."""
    if not stdin.isatty():
        for line in stdin:
            yield line
        return
    try:
        import readline  # noqa: F401  (line editing and history for input())
    except ImportError:
        pass
    while True:
        try:
            yield input(PROMPT.decode())
        except EOFError:
            print()
            return


def main(argv: "Optional[List[str]]" = None, stdin: "Optional[TextIO]" = None) -> int:
    address, commands = parse(sys.argv[1:] if argv is None else argv)
    stdin = sys.stdin if stdin is None else stdin
    try:
        client = MonitorClient(address)
    except OSError as error:
        print(
            "genlet.monitor: no monitor at %s:%d (%s). Start the program with "
            "GENLET_MONITOR=%s:%d, or genlet.run(main, monitor=True)" % (address + (error,) + address),
            file=sys.stderr,
        )
        return 1
    try:
        if stdin.isatty() and not commands:
            print(client.greeting)
        for command in commands or _lines(stdin):
            if not command.strip():
                continue
            answer = client.ask(command)
            if answer:
                print(answer)
            if command.split()[0].lower() in ("quit", "exit"):
                break
    except (OSError, TimeoutError) as error:
        print("genlet.monitor: %s" % error, file=sys.stderr)
        return 1
    finally:
        client.close()
    return 0
