"""A chat server: every line a client sends goes to every other client.

    python examples/chat_server.py [PORT]        (then: nc 127.0.0.1 PORT, from a few terminals)

The messages fan out through channels. Each connection's reader sends what its client says to
one shared `inbox`; the hub task takes each message from the inbox and hands it to every other
client's `outbox`; each connection's writer task sends what arrives in its outbox. A client
that stops reading fills only its own outbox, and the hub drops what does not fit instead of
waiting for it, so one slow client never holds up the room.
"""

import sys

import genlet
import genlet.io
from genlet import Channel, WouldBlock

OUTBOX_SIZE = 100  # messages waiting for one slow client before it starts missing some


class Room:
    def __init__(self):
        self.inbox = Channel(OUTBOX_SIZE)  # (who, text) from every client
        self.outboxes = {}  # who -> that client's Channel of texts

    def hub(self):
        """The one task that fans each message out (a daemon: it runs as long as the room)."""
        while True:
            sender, text = yield from self.inbox.recv()
            for who, outbox in list(self.outboxes.items()):
                if who != sender:
                    try:
                        outbox.send_nowait(text)
                    except WouldBlock:  # that client does not keep up: it misses this one
                        pass

    def say(self, who, text):
        yield from self.inbox.send((who, text))

    def client(self, stream, address):
        """A connection's task reads; a second task writes what arrives in its outbox."""
        who = "%s:%d" % address
        outbox = Channel(OUTBOX_SIZE)
        outbox.send_nowait("welcome, you are %s\n" % who)
        self.outboxes[who] = outbox
        writer = genlet.spawn(deliver, stream, outbox, name="writer " + who)
        try:
            yield from self.say(who, "* %s joined\n" % who)
            while True:
                try:
                    line = yield from stream.readline()
                except genlet.io.ConnectionError:  # it vanished (a reset): not our error
                    line = b""
                if not line:
                    break
                yield from self.say(who, "%s: %s" % (who, line.decode("utf-8", "replace")))
        except BaseException:  # cancelled (the server is closing), or the connection broke
            writer.cancel()
            raise
        finally:
            del self.outboxes[who]
            outbox.close()  # the writer sends what is left in it, then ends
            try:
                self.inbox.send_nowait((who, "* %s left\n" % who))
            except WouldBlock:
                pass
        yield from writer.join()


def deliver(stream, outbox):
    while True:
        text, ok = yield from outbox.recv_ok()
        if not ok:
            return
        try:
            yield from stream.write(text.encode())
        except genlet.io.ConnectionError:  # it vanished; its reader will notice and clean up
            return


def main(port):
    room = Room()
    genlet.spawn(room.hub, daemon=True)
    server = genlet.io.tcp_server("127.0.0.1", port, room.client)
    print("chat on %s:%d" % server.address, flush=True)
    yield from server.serve_forever()


if __name__ == "__main__":
    try:
        genlet.run(main, int(sys.argv[1]) if len(sys.argv) > 1 else 8008)
    except KeyboardInterrupt:
        print("stopped", flush=True)
