"""``python -m genlet.http module:app``: a real process, served, asked, stopped by SIGTERM."""

import os
import re
import select
import signal
import socket
import subprocess
import sys
import time

import pytest

from genlet.http import cli

from .test_io_tls import certificate  # noqa: F401  (a fixture)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

APP = '''
import os, time

def app(environ, start_response):
    if environ["PATH_INFO"] == "/slow":
        time.sleep(0.3)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [("hello %s %s" % (environ["PATH_INFO"], os.getpid())).encode()]

def handler(request):
    import genlet, genlet.http
    yield from genlet.sleep(0)
    return genlet.http.Response(200, [], b"cooperative " + request.path.encode())

not_callable = 42
'''


@pytest.fixture
def app_dir(tmp_path):
    (tmp_path / "cliapp.py").write_text(APP)
    (tmp_path / "brokenapp.py").write_text("import no_such_dependency_xyz\n")
    return tmp_path


def start(app_dir, *args):
    """Start the command line in ``app_dir``; (process, port) once it says it serves."""
    env = dict(os.environ, PYTHONPATH=ROOT)
    command = [sys.executable, "-m", "genlet.http", "--bind", "127.0.0.1:0"] + list(args)
    # Discussion: unbuffered and os.read, as in test_http_gunicorn.py: a buffered readline()
    # would keep the lines after the first of a chunk where select() cannot see them.
    proc = subprocess.Popen(command, cwd=str(app_dir), env=env, stderr=subprocess.PIPE, bufsize=0)
    deadline = time.monotonic() + 10
    seen = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stderr], [], [], deadline - time.monotonic())
        if not ready:
            break
        data = os.read(proc.stderr.fileno(), 65536)
        seen += data
        match = re.search(rb"^serving on http\S*:(\d+)\s*$", seen, re.M)
        if match:
            return proc, int(match.group(1))
        if not data:
            break
    proc.kill()
    raise AssertionError("the command line did not say where it serves: %r, %r" % (seen, proc.communicate()[1]))


def get(port, path, extra=b""):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: a\r\nConnection: close\r\n" + extra + b"\r\n")
        chunks = []
        while True:
            data = sock.recv(65536)
            if not data:
                return b"".join(chunks)
            chunks.append(data)


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return proc.returncode, err.decode(errors="replace")


def test_serves_a_wsgi_app_and_stops_on_sigterm(app_dir):
    proc, port = start(app_dir, "cliapp:app", "--threads", "2", "--access-log")
    reply = get(port, "/x")
    assert reply.startswith(b"HTTP/1.1 200 OK\r\n") and reply.endswith(b"hello /x %d" % proc.pid)
    status, err = stop(proc)
    assert status == 0, err
    assert '"GET /x HTTP/1.1" 200' in err  # the access log line


def test_sigterm_lets_a_request_in_flight_finish(app_dir):
    proc, port = start(app_dir, "cliapp:app")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /slow HTTP/1.1\r\nHost: a\r\n\r\n")
        time.sleep(0.1)  # the request is in the application's thread now
        proc.send_signal(signal.SIGTERM)
        reply = sock.recv(65536)
    assert reply.startswith(b"HTTP/1.1 200 OK\r\n") and b"Connection: close" in reply
    assert proc.wait(timeout=10) == 0


def test_serves_a_cooperative_handler(app_dir):
    proc, port = start(app_dir, "cliapp:handler", "--cooperative", "--threads", "0")
    assert get(port, "/c").endswith(b"cooperative /c")
    assert stop(proc)[0] == 0


def test_serves_https_with_certfile_and_keyfile(app_dir, certificate):  # noqa: F811
    import ssl

    cert, key = certificate
    proc, port = start(app_dir, "cliapp:app", "--certfile", cert, "--keyfile", key)
    context = ssl.create_default_context(cafile=cert)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as sock:
            sock.sendall(b"GET /tls HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            reply = sock.recv(65536)
    assert reply.startswith(b"HTTP/1.1 200 OK") and b"hello /tls" in reply
    assert stop(proc)[0] == 0


@pytest.mark.parametrize(
    "spec, message",
    [
        ("nosuchmodule_xyz:app", "no module named 'nosuchmodule_xyz': is it in the current directory"),
        ("brokenapp:app", "importing module 'brokenapp' failed: No module named 'no_such_dependency_xyz'"),
        ("cliapp:missing", "module 'cliapp' has no attribute 'missing' (its callables: app, handler)"),
        ("cliapp:not_callable", "cliapp:not_callable is not callable (an object of type int)"),
        ("cliapp", "the application is given as module:attribute"),
    ],
)
def test_a_bad_module_app_says_what_was_wrong(app_dir, monkeypatch, capsys, spec, message):
    monkeypatch.chdir(app_dir)
    monkeypatch.syspath_prepend(str(app_dir))
    with pytest.raises(SystemExit) as exit:
        cli.main([spec, "--bind", "127.0.0.1:0"])
    assert exit.value.code == 2
    assert message in capsys.readouterr().err


def test_a_bad_bind_says_the_form():
    for text in ("8000", "localhost:", "host:99999", ":80"):
        with pytest.raises(ValueError, match="--bind takes HOST:PORT"):
            cli.parse_bind(text)
    assert cli.parse_bind("[::1]:8000") == ("::1", 8000)


def test_help_documents_every_option(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    text = capsys.readouterr().out
    for action in cli.parser()._actions:
        for option in action.option_strings:
            assert option in text
        assert action.help
