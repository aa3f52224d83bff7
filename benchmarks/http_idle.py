# benchmarks/http_idle.py
"""The client of the memory row: many idle keep-alive connections, the same for every server.

    python -m benchmarks.http_idle PORT COUNT [COUNT ...]

For each COUNT in turn it opens connections to 127.0.0.1:PORT until COUNT are open, sends one
``GET /`` (HTTP/1.1, keep-alive) on each new one and reads its whole response, so that every
connection has been served once and now sits idle, kept alive. Then it prints
``{"open": COUNT}`` and waits for a line on its standard input (the driver reads the server's
memory meanwhile) before going on. Last it prints ``{"alive": N}``: how many connections the
server still holds open (none was closed by the server meanwhile), and exits.

Connections open in batches of ``BATCH`` (below any listen backlog), all sockets non-blocking
on one selector: 5,000 connections take a few seconds. Depends on no library under test.
"""

import json
import resource
import selectors
import socket
import sys

BATCH = 200
IDLE_LIMIT = 30.0  # seconds without progress: the server is stuck; give up
REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def complete(data):
    """Is ``data`` one whole response (its head, and a body of its Content-Length)?"""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return False
    length = 0
    for line in data[:end].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return len(data) >= end + 4 + length


def open_batch(port, count):
    """``count`` new connections, each served one request; the sockets, still open."""
    socks = []
    selector = selectors.DefaultSelector()
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=IDLE_LIMIT)
        sock.sendall(REQUEST)
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, [b""])
        socks.append(sock)
    waiting = count
    while waiting:
        events = selector.select(IDLE_LIMIT)
        if not events:
            raise TimeoutError("%d responses still missing after %.0f s" % (waiting, IDLE_LIMIT))
        for key, _ in events:
            data = key.fileobj.recv(65536)
            if not data:
                raise ConnectionError("the server closed a connection before its response")
            key.data[0] += data
            if complete(key.data[0]):
                selector.unregister(key.fileobj)
                waiting -= 1
    selector.close()
    return socks


def alive(socks):
    """How many of ``socks`` the server has not closed (nothing to read: still open)."""
    selector = selectors.DefaultSelector()
    for sock in socks:
        selector.register(sock, selectors.EVENT_READ)
    closed = len(selector.select(0))
    selector.close()
    return len(socks) - closed


def main(argv):
    port, counts = int(argv[0]), [int(count) for count in argv[1:]]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = max(counts) + 64
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard))
    socks = []
    for count in counts:
        while len(socks) < count:
            socks += open_batch(port, min(BATCH, count - len(socks)))
        print(json.dumps({"open": len(socks)}))
        sys.stdout.flush()
        sys.stdin.readline()
    print(json.dumps({"alive": alive(socks)}))
    sys.stdout.flush()
    for sock in socks:
        sock.close()


if __name__ == "__main__":
    main(sys.argv[1:])
