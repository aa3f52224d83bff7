# benchmarks/http_apps.py
"""The HTTP servers under test, each serving the same application: ``python -m benchmarks.http_apps``.

    python -m benchmarks.http_apps SERVER APP [--threads N] [--idle]

APP is ``hello`` (13 bytes, ``Hello, World!``, with its Content-Length) or ``blocking`` (the
same after ``time.sleep(0.01)``: an application that blocks, as one waiting on a database
does). The program binds 127.0.0.1 on a free port, then prints one JSON line,
``{"status": "serving", "port": N, "version": "...", "setting": "..."}``, and serves until it
is killed; or ``{"status": "missing", "note": why}`` when SERVER does not import here.

``--idle`` (the memory row): keep-alive connections stay open as long as the client wants
(servers that close idle connections after a few seconds get a longer keep-alive timeout)
and no server caps the number of connections. ``--threads N``: the size of the servers'
thread pools, where they have one (the blocking row).

Every server runs at its best documented setting for this work, the one ``SERVERS`` names and
the results page prints: no access log, the fastest loop and parser each one offers.
"""

import json
import logging
import resource
import socket
import sys
import time
import traceback
import warnings

HOST = "127.0.0.1"
BODY = b"Hello, World!"
BACKLOG = 4096  # the 5,000 connections of the memory row open in batches below this
IDLE_KEEPALIVE = 600.0  # seconds: --idle's keep-alive timeout, longer than any run

# The servers, in table order: (package to import, the setting the page prints).
SERVERS = {
    "genlet-wsgi-inline": ("genlet", "`WSGIServer(address, app, threads=0)`: the application runs inline in the kernel"),
    "genlet-wsgi": ("genlet", "`WSGIServer(address, app)`: the application runs on genlet's thread pool (its default of 10 threads; 16 in the blocking row)"),
    "genlet-server": ("genlet", "`Server(address, handler)`: a cooperative handler (a generator function)"),
    "gevent": ("gevent", "`gevent.pywsgi.WSGIServer(address, app, log=None)` (no access log), its default libev loop; the blocking row runs under `gevent.monkey.patch_all()`"),
    "gevent-nodelay": ("gevent", "the same, with `TCP_NODELAY` set on each accepted socket (a `WSGIServer.handle` override): not its default"),
    "eventlet": ("eventlet", "`eventlet.wsgi.server(eventlet.listen(address), app, log_output=False)`, its default hub"),
    "waitress": ("waitress", "`waitress.create_server(app, threads=4)` (its default of 4 threads; 16 in the blocking row)"),
    "uvicorn-httptools": ("uvicorn", "`uvicorn --http httptools --loop uvloop --no-access-log` (its fastest: C parser, C loop), a minimal ASGI app"),
    "uvicorn-h11": ("uvicorn", "`uvicorn --http h11 --loop uvloop --no-access-log` (pure-Python parser h11, on the C loop), the same ASGI app"),
}
# What each peer's HTTP parser is written in: the goal compares genlet with the fastest
# peer whose parser is pure Python, and with uvicorn+httptools (a C parser: the ceiling).
PURE_PYTHON_PARSER = ("gevent", "gevent-nodelay", "eventlet", "waitress", "uvicorn-h11")


def wsgi_app(blocking):
    def hello(environ, start_response):
        if blocking:
            time.sleep(0.01)
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "13")])
        return [BODY]

    return hello


def asgi_app(blocking):
    import asyncio

    async def hello(scope, receive, send):
        if scope["type"] != "http":
            return
        if blocking:
            await asyncio.sleep(0.01)
        headers = [(b"content-type", b"text/plain"), (b"content-length", b"13")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": BODY})

    return hello


PROFILE = []  # --profile: the cProfile.Profile, enabled once the server is ready to serve


def announce(port, version, server):
    emit({"status": "serving", "port": port, "version": version, "setting": SERVERS[server][1]})
    for profile in PROFILE:
        profile.enable()


def emit(record):
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


def serve_genlet(server, app, threads, idle):
    import genlet
    import genlet.http

    limits = {}
    if idle:  # Discussion: by default genlet closes a connection idle for 5 s and caps them at 1,000
        limits = {"keepalive_timeout": IDLE_KEEPALIVE, "max_connections": None}
    if server == "genlet-server":

        def hello(request):
            if app == "blocking":
                yield from genlet.sleep(0.01)
            return genlet.http.Response(200, [("Content-Type", "text/plain")], BODY)
            yield  # a generator function, also when it never waits

        http = genlet.http.Server((HOST, 0), hello, backlog=BACKLOG, **limits)
    else:
        if server == "genlet-wsgi-inline":
            limits["threads"] = 0
        elif threads:
            limits["threads"] = threads
        http = genlet.http.WSGIServer((HOST, 0), wsgi_app(app == "blocking"), backlog=BACKLOG, **limits)
    announce(http.address[1], genlet_version(), server)
    http.serve_forever()


def genlet_version():
    import subprocess

    try:
        out = subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], stderr=subprocess.DEVNULL)
        return "this checkout (%s)" % out.decode().strip()
    except (OSError, subprocess.CalledProcessError):
        return "this checkout"


def serve_gevent(server, app, threads, idle):
    if app == "blocking":  # Discussion: gevent serves a blocking app only monkey-patched
        from gevent import monkey

        monkey.patch_all()
    import gevent
    from gevent.pywsgi import WSGIServer

    class NoDelay(WSGIServer):
        def handle(self, sock, address):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return WSGIServer.handle(self, sock, address)

    kind = NoDelay if server.endswith("-nodelay") else WSGIServer
    http = kind((HOST, 0), wsgi_app(app == "blocking"), log=None, backlog=BACKLOG)
    http.init_socket()
    announce(http.server_port, gevent.__version__, server)
    http.serve_forever()


def serve_eventlet(server, app, threads, idle):
    import eventlet
    import eventlet.wsgi

    if app == "blocking":
        eventlet.monkey_patch()
    listener = eventlet.listen((HOST, 0), backlog=BACKLOG)
    announce(listener.getsockname()[1], version_of("eventlet"), server)
    # Discussion: eventlet serves at most max_size (1,024) connections at once by default
    options = {"max_size": 100000} if idle else {}
    eventlet.wsgi.server(listener, wsgi_app(app == "blocking"), log_output=False, **options)


def serve_waitress(server, app, threads, idle):
    import waitress.server

    options = {"threads": threads or 4, "backlog": BACKLOG}
    if idle:  # Discussion: waitress closes connections beyond 100 and idle ones after 120 s
        options.update(connection_limit=100000, channel_timeout=IDLE_KEEPALIVE)
    http = waitress.server.create_server(wsgi_app(app == "blocking"), host=HOST, port=0, **options)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # no "Task queue depth" lines
    announce(int(http.effective_port), version_of("waitress"), server)
    http.run()


def serve_uvicorn(server, app, threads, idle):
    import uvicorn

    parser = server.split("-")[1]
    options = {"timeout_keep_alive": int(IDLE_KEEPALIVE)} if idle else {}
    config = uvicorn.Config(
        asgi_app(app == "blocking"), http=parser, loop="uvloop", access_log=False, log_level="warning",
        lifespan="off", backlog=BACKLOG, **options
    )  # fmt: skip
    listener = listening_socket()
    announce(listener.getsockname()[1], version_of("uvicorn") + with_versions(parser), server)
    uvicorn.Server(config).run(sockets=[listener])


def with_versions(parser):
    return ", %s %s, uvloop %s" % (parser, version_of(parser), version_of("uvloop"))


def listening_socket():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((HOST, 0))
    listener.listen(BACKLOG)
    return listener


def version_of(package):
    from importlib.metadata import version

    return version(package)


def raise_open_files(wanted):
    """Raise this process's soft RLIMIT_NOFILE to ``wanted`` (at most the hard limit); return it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return soft


SERVE = {"genlet": serve_genlet, "gevent": serve_gevent, "eventlet": serve_eventlet, "waitress": serve_waitress, "uvicorn": serve_uvicorn}


def main(argv):
    import argparse

    parser = argparse.ArgumentParser(prog="python -m benchmarks.http_apps")
    parser.add_argument("server", choices=list(SERVERS))
    parser.add_argument("app", choices=("hello", "blocking"))
    parser.add_argument("--threads", type=int, default=0, help="thread pool size, for servers that have one")
    parser.add_argument("--idle", action="store_true", help="long keep-alive, no connection cap (memory row)")
    parser.add_argument("--profile", metavar="FILE", help="genlet only: run under cProfile, write its stats here on SIGTERM")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    raise_open_files(65536)
    package = SERVERS[args.server][0]
    try:
        __import__(package)
        if args.server.startswith("uvicorn"):
            __import__(args.server.split("-")[1])
            __import__("uvloop")
    except Exception as error:
        emit({"status": "missing", "note": "%s: %s" % (type(error).__name__, error)})
        return 0
    profile = None
    if args.profile:  # genlet's serve_forever returns on SIGTERM (a graceful stop): then the stats
        import cProfile

        profile = cProfile.Profile()
        PROFILE.append(profile)
    try:
        SERVE[package](args.server, args.app, args.threads, args.idle)
    except Exception as error:
        traceback.print_exc(file=sys.stderr)
        emit({"status": "error", "note": "%s: %s" % (type(error).__name__, error)})
        return 1
    finally:
        if profile is not None:
            profile.disable()
            profile.dump_stats(args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
