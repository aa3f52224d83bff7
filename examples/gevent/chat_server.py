"""A chat server, ported from gevent line by line (docs/from-gevent.md, "Porting a gevent program").

    python examples/gevent/chat_server.py [PORT]      (then: nc 127.0.0.1 PORT, from a few terminals)

Every line a client sends goes to every other client. Each connection has a handler task that
reads and a writer task that sends what arrives in the connection's outbox (a Queue), as in the
gevent original. examples/chat_server.py is the same room built on channels, with bounded
outboxes so a client that stops reading cannot make the server buffer without limit.
"""

import sys

import genlet
import genlet.io

clients = {}  # "host:port" -> that client's outbox


def broadcast(sender, text):
    """A plain function, as in gevent: put_nowait() on an unbounded Queue never waits."""
    for who, outbox in list(clients.items()):
        if who != sender:
            outbox.put_nowait(text)


def writer(stream, outbox):
    while True:
        text = yield from outbox.get()
        if text is None:  # the handler is done: everything queued before it has been sent
            return
        try:
            yield from stream.write(text.encode())
        except genlet.io.ConnectionError:  # it vanished; its handler will notice and clean up
            return


def handle(stream, address):
    who = "%s:%d" % address
    outbox = genlet.Queue()
    outbox.put_nowait("welcome, you are %s\n" % who)
    clients[who] = outbox
    sending = genlet.spawn(writer, stream, outbox, name="writer " + who)
    broadcast(who, "* %s joined\n" % who)
    try:
        while True:  # gevent: `for line in sock.makefile("rb"):`
            try:
                line = yield from stream.readline()
            except genlet.io.ConnectionError:  # a reset: the client is gone, not our error
                line = b""
            if not line:
                break
            broadcast(who, "%s: %s" % (who, line.decode("utf-8", "replace")))
    except BaseException:  # cancelled (the server is closing): the writer goes too
        sending.cancel()
        raise
    finally:
        del clients[who]
        broadcast(who, "* %s left\n" % who)
        outbox.put_nowait(None)  # the writer sends what is queued, then ends
    yield from sending.join()  # not in `finally`: a cancelled task cannot wait


def main(port):
    server = genlet.io.tcp_server("127.0.0.1", port, handle)  # bound and listening already
    print("chat on %s:%d" % server.address, flush=True)
    yield from server.serve_forever()


if __name__ == "__main__":
    try:
        genlet.run(main, int(sys.argv[1]) if len(sys.argv) > 1 else 8008)
    except KeyboardInterrupt:
        print("stopped", flush=True)
