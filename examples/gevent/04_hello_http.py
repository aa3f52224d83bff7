# From gevent: the hello world server (docs/from-gevent.md, "A hello world server").
# genlet.http's Server runs a handler per request, each in its connection's task (the WSGI
# app itself would run on genlet.http.WSGIServer; here, the genlet way). Three clients ask at
# once, and the handler sleeps 1 s for each: all three are answered after 1 s, not 3.
import sys

if sys.implementation.name == "micropython":  # genlet.http's server runs on CPython and PyPy
    print("SKIP")
    raise SystemExit

import genlet
import genlet.http
import genlet.io


def hello_world(request):
    yield from genlet.sleep(1)  # stands for IO
    return genlet.http.Response(200, [("Content-Type", "text/plain")], b"Hello, World!")


def get(address, path):
    stream = yield from genlet.io.open_connection(*address)
    with stream:
        yield from stream.write(b"GET " + path + b" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        reply = yield from stream.read()
    head, body = reply.split(b"\r\n\r\n", 1)
    return "GET %s: %s %r at %.1f s" % (path.decode(), head.split(b"\r\n")[0].decode(), body, genlet.clock())


def main():
    server = genlet.http.Server(("127.0.0.1", 0), hello_world)  # port 0: any free port
    serving = genlet.spawn(server.serve_forever)
    clients = [genlet.spawn(get, server.address, b"/%d" % n) for n in range(3)]
    for client in clients:  # in the order they were sent (they were answered together)
        print((yield from client.join()))
    server.close()
    yield from serving.join()


# Virtual time jumps to the next deadline after 0.1 s of real time with no IO, so the three
# requests are all in before the first handler's second has passed.
genlet.run(main, clock=genlet.VirtualClock(autojump_threshold=0.1))
