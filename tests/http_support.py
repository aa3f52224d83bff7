"""Helpers for the HTTP server tests: run a server in a task, talk to it with raw bytes."""

import genlet
import genlet.http
import genlet.io
from genlet.http import NEED_DATA, EndOfMessage, ResponseParser


def read_responses(stream, methods, interim=False):
    """Read one response per method off ``stream``: a list of (head, body, trailers)."""
    parser = ResponseParser()
    for method in methods:
        parser.expect_response(method)
    responses = []
    head, body = None, []
    while len(responses) < len(methods):
        event = parser.next_event()
        if event is NEED_DATA:
            parser.feed((yield from stream.read(65536)))
        elif isinstance(event, genlet.http.ResponseHead):
            head, body = event, []
        elif isinstance(event, bytes):
            body.append(event)
        elif isinstance(event, EndOfMessage):
            responses.append((head, b"".join(body), event.trailers))
        else:
            raise AssertionError("unexpected %r" % (event,))
    return responses


def serving(handler, main, kind=None, **limits):
    """Run ``main(server)`` (a generator function) while ``handler`` is served by a ``kind``
    (default: ``genlet.http.Server``) made with ``limits``; close the server after."""

    def run():
        server = (kind or genlet.http.Server)(("127.0.0.1", 0), handler, **limits)
        task = genlet.spawn(server.serve_forever)
        try:
            return (yield from main(server))
        finally:
            server.close(grace=0)
            yield from task.join()

    return run


def connect(server):
    return genlet.io.open_connection(*server.address)


def ask(server, data, methods=("GET",)):
    """Send ``data`` on a new connection; the responses to ``methods``, and what follows them."""
    stream = yield from connect(server)
    with stream:
        yield from stream.write(data)
        return (yield from read_responses(stream, methods))
