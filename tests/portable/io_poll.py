# IO waits on raw loopback sockets (unix port only; SKIP on the WebAssembly port): connect,
# accept, a ping-pong, the peer closing (the reader wakes and sees EOF; nothing spins), a socket
# closed while still registered with the poller (nothing spins), notify_closing, and a read
# wait that a timeout cancels.
import errno

import _portable

if not _portable.HAVE_SOCKETS:
    print("SKIP")
    raise SystemExit

import genlet  # noqa: E402
from genlet.kernel import notify_closing, read_wait, write_wait  # noqa: E402
from genlet.kernel.running import current_kernel  # noqa: E402

socket = _portable.socket
events = []


def count_polls():
    """Count the poller's calls (a spinning poller shows here as thousands)."""
    poller = current_kernel()._ensure_io().poller
    inner = poller.poll
    counter = [0]

    def poll(timeout):
        counter[0] += 1
        return inner(timeout)

    poller.poll = poll
    return counter


def recv(sock, size):
    yield from read_wait(sock)
    return sock.recv(size)


def wait_readable(sock):
    yield from read_wait(sock)


def server(listener):
    yield from read_wait(listener)
    conn, _ = listener.accept()
    conn.setblocking(False)
    events.append("accepted")
    data = yield from recv(conn, 100)
    events.append("server got %r" % data)
    yield from write_wait(conn)
    conn.send(b"pong")
    yield from genlet.sleep(0.02)
    conn.close()
    events.append("server closed")


def main():
    polls = count_polls()
    listener, port = _portable.listener()
    srv = genlet.spawn(server, listener)
    client = socket.socket()
    client.setblocking(False)
    try:
        client.connect(_portable.address("127.0.0.1", port))
    except OSError as exc:
        if _portable.errno_of(exc) != errno.EINPROGRESS:
            raise
    yield from write_wait(client)
    events.append("connected")
    client.send(b"ping")
    events.append("client got %r" % (yield from recv(client, 100)))
    events.append("client got %r at EOF" % (yield from recv(client, 100)))
    yield from srv.join()
    print("\n".join(events))

    # The peer is gone, and the client's interest is still registered with the poller: while
    # another task waits on IO (so the kernel polls), the HUP must not make the poller spin.
    idle, port = _portable.listener()
    before = polls[0]
    with genlet.move_on_after(0.1):
        yield from read_wait(idle)
    print("no spin after the peer closed:", polls[0] - before < 10)
    client.close()

    # A socket closed without notify_closing while the poller still holds its interest (the
    # listener, from the accept above; MicroPython's poll then reports POLLNVAL): no spin.
    listener.close()
    before = polls[0]
    with genlet.move_on_after(0.1):
        yield from read_wait(idle)
    print("no spin after closing a registered socket:", polls[0] - before < 10)
    idle.close()

    # notify_closing: the task waiting on the socket gets an OSError, not a hang.
    a, port = _portable.listener()
    waiter = genlet.spawn(wait_readable, a)
    yield
    notify_closing(a)
    a.close()
    try:
        yield from waiter.join()
    except OSError as exc:
        print("waiter of a closed socket got OSError:", "was closed" in str(exc))

    # A read wait cancelled by a timeout leaves nothing behind.
    b, port = _portable.listener()
    with genlet.move_on_after(0.05) as scope:
        yield from read_wait(b)
    print("read wait timed out:", scope.cancelled_caught, "waits left:", current_kernel()._io.count)
    b.close()


genlet.run(main)
