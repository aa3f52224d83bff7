"""The genlet.io examples, run as programs (servers in a subprocess, clients real or in-test)."""

import os
import pathlib
import signal
import socket
import subprocess
import sys

import genlet
import genlet.io

ROOT = pathlib.Path(__file__).resolve().parent.parent
ENV = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def _default_sigint():
    """In the child before exec: SIGINT back to its default action.

    Discussion: a shell that starts a job in the background without job control (``pytest &``
    in a script) ignores SIGINT in it, and an ignored SIGINT stays ignored across exec: the
    server would then sleep through ``stop()``'s Ctrl-C. Python installs its
    KeyboardInterrupt handler at start only where SIGINT is at its default.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class ExampleServer:
    """Start examples/NAME with port 0; read the port from its first line; Ctrl-C it at the end."""

    def __init__(self, name):
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "examples" / name), "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
            preexec_fn=_default_sigint,
        )
        first = self.process.stdout.readline()
        assert " on 127.0.0.1:" in first, (first, self.process.stderr.read())
        self.port = int(first.rsplit(":", 1)[1])

    def stop(self):
        self.process.send_signal(signal.SIGINT)
        out, err = self.process.communicate(timeout=20)
        return self.process.returncode, out, err


def test_a_server_started_while_ctrl_c_is_ignored_still_stops_on_ctrl_c():
    """As under ``pytest &`` in a script: the server must not inherit the ignored SIGINT."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        server = ExampleServer("echo_server.py")
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        # Serving first (one echo), so that the Ctrl-C tests what this test is about, the
        # inherited disposition, and not a Ctrl-C that lands while the server starts up.
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as client:
            client.sendall(b"ping\n")
            assert client.recv(100).startswith(b"ping")
        code, out, err = server.stop()
    finally:
        if server.process.poll() is None:
            server.process.kill()
            server.process.communicate()
    assert code == 0 and out.strip().endswith("stopped"), err


def test_echo_server_and_client():
    server = ExampleServer("echo_server.py")
    try:
        client = subprocess.run(
            [sys.executable, str(ROOT / "examples" / "echo_client.py"), str(server.port), "ping", "pong"],
            capture_output=True, text=True, timeout=60, env=ENV,
        )
    finally:
        code, out, err = server.stop()
    assert client.returncode == 0, client.stderr
    lines = client.stdout.splitlines()
    assert sorted(lines) == sorted("client %d got %r" % (n, m) for n in range(3) for m in ("ping", "pong"))
    for n in range(3):  # each client's echoes arrive in order
        assert [line for line in lines if line.startswith("client %d" % n)] == ["client %d got 'ping'" % n, "client %d got 'pong'" % n]
    assert code == 0, err
    assert out.count("connected") == 3 and out.count("left") == 3 and out.strip().endswith("stopped")
    assert "Traceback" not in err


def test_chat_server_fans_messages_out():
    server = ExampleServer("chat_server.py")

    def expect(stream, text):
        """Read lines until ``text`` arrives (join and leave notices may come first)."""
        with genlet.fail_after(10):
            while True:
                line = yield from stream.readline()
                assert line, "the server hung up before %r" % text
                if text in line.decode():
                    return line.decode()

    def main():
        streams = []
        for _ in range(3):
            stream = yield from genlet.io.open_connection("127.0.0.1", server.port)
            greeting = yield from expect(stream, "welcome, you are ")
            streams.append((stream, greeting.rsplit(" ", 1)[1].strip()))
        (alice, alice_name), (bob, bob_name), (carol, carol_name) = streams
        yield from expect(alice, "* %s joined" % carol_name)
        yield from alice.write(b"hello, room\n")
        heard = [(yield from expect(bob, "hello, room")), (yield from expect(carol, "hello, room"))]
        yield from bob.write(b"hi alice\n")
        heard.append((yield from expect(alice, "hi alice")))
        bob.close()
        heard.append((yield from expect(carol, "* %s left" % bob_name)))
        alice.close()
        carol.close()
        return heard, alice_name, bob_name

    try:
        heard, alice_name, bob_name = genlet.run(main)  # real time: the server is another process
    finally:
        code, out, err = server.stop()
    assert heard[0] == heard[1] == "%s: hello, room\n" % alice_name
    assert heard[2] == "%s: hi alice\n" % bob_name
    assert code == 0, err
    assert "Traceback" not in err


def test_downloader_fetches_pages_concurrently_within_its_pool():
    import http.server
    import threading

    lock = threading.Lock()
    state = {"active": 0, "peak": 0}
    four_at_once = threading.Event()  # the first requests wait until four are in flight

    class Pages(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            with lock:
                state["active"] += 1
                state["peak"] = max(state["peak"], state["active"])
                if state["active"] >= 4:
                    four_at_once.set()
            four_at_once.wait(10)
            number = int(self.path.rsplit("/", 1)[1])
            body = b"p" * (100 * number)
            self.send_response(200 if number else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            with lock:
                state["active"] -= 1

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    urls = ["http://127.0.0.1:%d/page/%d" % (port, n) for n in range(20)]
    try:
        result = subprocess.run(
            [sys.executable, str(ROOT / "examples" / "downloader.py"), "-n", "4"] + urls + ["http://127.0.0.1:1/refused"],
            capture_output=True, text=True, timeout=60, env=ENV,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:20] == ["%s %d %d bytes" % (url, 200 if n else 404, 100 * n) for n, url in enumerate(urls)]
    assert lines[20].startswith("http://127.0.0.1:1/refused ConnectionRefusedError: ")
    assert state["peak"] == 4  # four at once, never more
