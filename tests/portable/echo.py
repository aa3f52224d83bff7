# A loopback echo server and clients over genlet.io (unix port only: SKIP on the WebAssembly
# port, which has no sockets): tcp_server, open_connection, streams, several clients at once,
# a client that goes away, and the server's close. Addresses are printed normalised.
import _portable

if not _portable.HAVE_SOCKETS:
    print("SKIP")
    raise SystemExit

import genlet  # noqa: E402
import genlet.io  # noqa: E402

served = []


def echo(stream, address):
    served.append(address[0])
    while True:
        line = yield from stream.readline()
        if not line:
            return
        yield from stream.write(line.upper())


def client(port, name, lines):
    stream = yield from genlet.io.open_connection("127.0.0.1", port)
    got = []
    try:
        for line in lines:
            yield from stream.write(line + b"\n")
            got.append((yield from stream.readline()).strip())
    finally:
        stream.close()
    return name, got


def start_server():
    """tcp_server on a free port. MicroPython cannot tell which port 0 chose (no
    getsockname), so try ports until one binds."""
    port = _portable.free_port_hint()
    for _ in range(200):
        try:
            return genlet.io.tcp_server("127.0.0.1", port, echo)
        except OSError:
            port += 1
    raise OSError("no free port")


def main():
    server = start_server()
    host, port = server.address
    print("listening on", host, "port", "<port>")
    serving = genlet.spawn(server.serve_forever)
    clients = [genlet.spawn(client, port, "c%d" % i, [b"hello %d" % i, b"bye"]) for i in range(3)]
    for t in clients:
        name, got = yield from t.join()
        print(name, [g.decode() for g in got])
    print("served", len(served), "connections from", sorted(set(served)))
    server.close()
    yield from serving.join()
    print("server closed:", server.closed)
    try:
        yield from genlet.io.open_connection("127.0.0.1", port)
    except genlet.io.ConnectionError as exc:
        print("connecting to the closed server:", type(exc).__name__)


genlet.run(main)
