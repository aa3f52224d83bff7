# benchmarks/echo_client.py
"""The one echo client every server is measured with: plain non-blocking sockets and selectors.

    python -m benchmarks.echo_client PORT CONNECTIONS ROUNDS SIZE [RUNS]

Opens CONNECTIONS connections to 127.0.0.1:PORT first (not timed), then on each of them sends
SIZE bytes and waits until all SIZE come back, ROUNDS times over, all connections at once. It
prints one JSON line: ``{"rate": round trips per second, "seconds": ...}``; with RUNS (default
1), it does all that RUNS times, a line each. It depends on no library under test, so every
server faces exactly the same load.
"""

import json
import selectors
import socket
import sys
import time

IDLE_LIMIT = 20.0  # seconds without any reply: the server is stuck; give up


class Connection:
    __slots__ = ("sock", "rounds_left", "received")

    def __init__(self, sock, rounds):
        self.sock = sock
        self.rounds_left = rounds
        self.received = 0


def connect(port, connections, rounds):
    opened = []
    for _ in range(connections):
        sock = socket.create_connection(("127.0.0.1", port), timeout=IDLE_LIMIT)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        opened.append(Connection(sock, rounds))
    return opened


def drive(opened, size):
    """Run every round trip on every connection; return the seconds it took."""
    payload = b"x" * size
    selector = selectors.DefaultSelector()
    start = time.perf_counter()
    for conn in opened:
        conn.sock.send(payload)
        selector.register(conn.sock, selectors.EVENT_READ, conn)
    active = len(opened)
    while active:
        events = selector.select(IDLE_LIMIT)
        if not events:
            raise TimeoutError("no reply from the server for %.0f s" % IDLE_LIMIT)
        for key, _ in events:
            conn = key.data
            data = conn.sock.recv(65536)
            if not data:
                raise ConnectionError("the server closed a connection with %d round trips to go" % conn.rounds_left)
            conn.received += len(data)
            if conn.received < size:
                continue  # the rest of this reply is still on its way
            conn.received -= size
            conn.rounds_left -= 1
            if conn.rounds_left:
                conn.sock.send(payload)
            else:
                selector.unregister(conn.sock)
                active -= 1
    seconds = time.perf_counter() - start
    selector.close()
    return seconds


def main(argv):
    port, connections, rounds, size, runs = (int(arg) for arg in (argv + ["1"])[:5])
    for _ in range(runs):
        opened = connect(port, connections, rounds)
        try:
            seconds = drive(opened, size)
        finally:
            for conn in opened:
                conn.sock.close()
        print(json.dumps({"rate": connections * rounds / seconds, "seconds": seconds}))
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
