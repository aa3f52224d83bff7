"""An echo server: every line a client sends comes back to it.

    python examples/echo_server.py [PORT]        (PORT 0 picks a free one; Ctrl-C stops it)

Each connection gets its own task running `echo`; a slow or silent client holds up nobody.
"""

import sys

import genlet
import genlet.io


def echo(stream, address):
    print("%s:%d connected" % address, flush=True)
    while True:
        line = yield from stream.readline()
        if not line:  # the client closed the connection
            break
        yield from stream.write(line)
    print("%s:%d left" % address, flush=True)


def main(port):
    server = genlet.io.tcp_server("127.0.0.1", port, echo)  # bound and listening already
    print("listening on %s:%d" % server.address, flush=True)
    yield from server.serve_forever()


if __name__ == "__main__":
    try:
        genlet.run(main, int(sys.argv[1]) if len(sys.argv) > 1 else 8007)
    except KeyboardInterrupt:  # genlet cancelled every task (closing every socket) first
        print("stopped", flush=True)
