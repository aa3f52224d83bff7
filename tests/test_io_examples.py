"""The genlet.io examples, run as programs (servers in a subprocess, clients real or in-test)."""

import os
import pathlib
import signal
import subprocess
import sys

import genlet
import genlet.io


ROOT = pathlib.Path(__file__).resolve().parent.parent
ENV = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


class ExampleServer:
    """Start examples/NAME with port 0; read the port from its first line; Ctrl-C it at the end."""

    def __init__(self, name):
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "examples" / name), "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV
        )
        first = self.process.stdout.readline()
        assert " on 127.0.0.1:" in first, (first, self.process.stderr.read())
        self.port = int(first.rsplit(":", 1)[1])

    def stop(self):
        self.process.send_signal(signal.SIGINT)
        out, err = self.process.communicate(timeout=20)
        return self.process.returncode, out, err


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
