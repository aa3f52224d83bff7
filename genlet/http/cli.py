# genlet/http/cli.py
"""``python -m genlet.http module:app``: serve a WSGI application from the command line.

::

    python -m genlet.http myproject.wsgi:application --bind 127.0.0.1:8000 --threads 16

like ``waitress-serve``. It logs ``serving on http://HOST:PORT`` on stderr once it listens
(the real port, also for ``--bind 127.0.0.1:0``), serves until SIGINT or SIGTERM, then stops
gracefully (``--grace`` seconds for the requests in flight) and exits with status 0.
``--help`` lists every option. A ``module:app`` that cannot be loaded ends it with status 2 and
a message that says what was wrong: the module is not found, failed to import, has no such
attribute, or the attribute is not callable.
"""

import argparse
import importlib
import logging
import os
import sys

try:
    from typing import Any, Dict, List, Optional, Tuple
except ImportError:
    pass

from .server import DEFAULTS

_DESCRIPTION = """Serve a WSGI application (or, with --cooperative, a genlet handler) with
genlet.http. It logs "serving on http://HOST:PORT" on stderr once it listens, serves until
SIGINT or SIGTERM, then stops gracefully and exits with status 0."""


def parser() -> argparse.ArgumentParser:
    """The command line's options (``--help`` shows them)."""
    p = argparse.ArgumentParser(prog="python -m genlet.http", description=_DESCRIPTION)
    p.add_argument("app", metavar="module:app", help="where the application is: a module (importable from the current directory) and an attribute in it, e.g. myproject.wsgi:application")
    p.add_argument("--bind", "-b", default="127.0.0.1:8000", metavar="HOST:PORT", help="the address to listen on (default 127.0.0.1:8000; [::1]:8000 for IPv6; port 0: any free port)")
    p.add_argument("--threads", type=int, default=10, metavar="N", help="at most N requests run the application at once, each in a thread (default 10); 0 runs it in the kernel's thread, for applications that never block")
    p.add_argument("--cooperative", action="store_true", help="the application is a genlet handler: a generator function handler(request) returning a genlet.http.Response (genlet.http.Server), not a WSGI application")
    p.add_argument("--access-log", action="store_true", help="log one line per request (common log format) on stderr")
    p.add_argument("--forwarded-allow", default="127.0.0.1,::1", metavar="ADDRESSES", help="comma-separated addresses or networks of the proxies whose X-Forwarded-For/-Proto are believed; '*' for every peer, '' for none (default 127.0.0.1,::1, as gunicorn)")
    p.add_argument("--certfile", help="serve HTTPS with this certificate (PEM; with --keyfile)")
    p.add_argument("--keyfile", help="the private key of --certfile (PEM)")
    p.add_argument("--grace", type=float, default=5.0, metavar="SECONDS", help="on SIGINT/SIGTERM, how long the requests in flight may take to finish (default 5)")
    p.add_argument("--max-connections", type=int, default=DEFAULTS["max_connections"], metavar="N", help="stop accepting while N connections are open (default %(default)s)")
    p.add_argument("--keepalive-timeout", type=float, default=DEFAULTS["keepalive_timeout"], metavar="SECONDS", help="close a keep-alive connection idle this long (default %(default)s)")
    p.add_argument("--header-timeout", type=float, default=DEFAULTS["header_timeout"], metavar="SECONDS", help="a request head (and a TLS handshake) must arrive within this (default %(default)s)")
    p.add_argument("--body-timeout", type=float, default=DEFAULTS["body_timeout"], metavar="SECONDS", help="the longest wait for the next piece of a request body (default %(default)s)")
    p.add_argument("--send-timeout", type=float, default=DEFAULTS["send_timeout"], metavar="SECONDS", help="close a connection whose client reads none of the response this long (default %(default)s)")
    p.add_argument("--max-body-bytes", type=int, default=DEFAULTS["max_body_bytes"], metavar="N", help="refuse a larger request body with 413 (default %(default)s)")
    p.add_argument("--max-head-bytes", type=int, default=DEFAULTS["max_head_bytes"], metavar="N", help="refuse a longer request line and headers with 431 (default %(default)s)")
    p.add_argument("--backlog", type=int, default=511, metavar="N", help="the listen backlog (default 511)")
    return p


def parse_bind(text: str) -> "Tuple[str, int]":
    """``HOST:PORT`` (``[v6]:PORT`` for IPv6) as ``(host, port)``; ValueError says the form."""
    host, sep, port = text.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise ValueError("--bind takes HOST:PORT, such as 127.0.0.1:8000 or [::1]:8000; got %r" % (text,))
    return host, int(port)


def load_app(spec: str) -> "Any":
    """The object ``module:attribute`` names; ValueError says what was wrong, and how to fix it."""
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise ValueError("the application is given as module:attribute, such as myproject.wsgi:application; got %r" % (spec,))
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, "")  # as `python -m` does: the current directory's modules
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and (module_name == exc.name or module_name.startswith(exc.name + ".")):
            raise ValueError("no module named %r: is it in the current directory (%s) or on PYTHONPATH?" % (exc.name, os.getcwd())) from None
        raise ValueError("importing module %r failed: %s (an import inside it)" % (module_name, exc)) from exc
    except Exception as exc:
        raise ValueError("importing module %r failed: %s: %s" % (module_name, type(exc).__name__, exc)) from exc
    app = module
    for part in attribute.split("."):
        if not hasattr(app, part):
            names = sorted(name for name in dir(module) if not name.startswith("_") and callable(getattr(module, name)))
            raise ValueError("module %r has no attribute %r (its callables: %s)" % (module_name, attribute, ", ".join(names) or "none"))
        app = getattr(app, part)
    if not callable(app):
        kind = type(app).__name__
        raise ValueError("%s is not callable (an object of type %s): the application is a WSGI app(environ, start_response)" % (spec, kind))
    return app


def _ssl_context(args: "Any") -> "Any":
    if args.certfile is None and args.keyfile is None:
        return None
    if args.certfile is None:
        raise ValueError("--keyfile needs --certfile")
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.certfile, args.keyfile)
    return context


def build(args: "Any") -> "Any":
    """The server the arguments describe (bound and listening)."""
    from .server import Server
    from .wsgi import WSGIServer

    app = load_app(args.app)
    address = parse_bind(args.bind)
    options = {
        "log": args.access_log,
        "ssl": _ssl_context(args),
        "backlog": args.backlog,
        "forwarded_allow": args.forwarded_allow,
    }  # type: Dict[str, Any]
    for name in ("max_connections", "keepalive_timeout", "header_timeout", "body_timeout", "send_timeout", "max_body_bytes", "max_head_bytes"):
        options[name] = getattr(args, name)
    if args.cooperative:
        return Server(address, app, **options)
    return WSGIServer(address, app, threads=args.threads, **options)


def main(argv: "Optional[List[str]]" = None) -> int:
    """Run the command line; the exit status."""
    p = parser()
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.access_log else logging.WARNING, format="%(message)s", stream=sys.stderr)
    try:
        server = build(args)
    except (ValueError, TypeError) as exc:
        p.error(str(exc))  # exits with status 2
    except OSError as exc:
        print("python -m genlet.http: %s" % (exc,), file=sys.stderr)
        return 1
    host, port = server.address[:2]
    scheme = server.scheme
    shown = "[%s]" % host if ":" in str(host) else host
    print("serving on %s://%s:%s" % (scheme, shown, port), file=sys.stderr, flush=True)
    server.grace = args.grace
    server.serve_forever()
    return 0
