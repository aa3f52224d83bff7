"""The gevent WSGI hello world, on genlet: a plain WSGI application, served until Ctrl-C.

    python examples/wsgi_hello.py [PORT]        (default 8000; 0 picks a free one)

With gevent this is ``WSGIServer(('', 8000), application).serve_forever()``; genlet's is the
same two lines. There is no kernel running at the top level, so ``serve_forever()`` runs one
and serves until SIGINT (Ctrl-C) or SIGTERM, then stops gracefully: requests in flight finish,
and the program exits with status 0.
"""

import sys

import genlet.http


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/html")])
    return [b"<b>hello world</b>"]


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
    server = genlet.http.WSGIServer(("127.0.0.1", port), application)
    print("serving on %s:%d" % server.address, flush=True)
    server.serve_forever()
    print("stopped", flush=True)
