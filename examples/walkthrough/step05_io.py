# Step 5: IO. A task that would block on a socket parks until the socket is ready, and the
# kernel asks the operating system, with select.poll, which sockets are: one call, which
# blocks when no task is ready. A working echo server with 100 clients, all at once.
import errno
import select

try:
    import socket
except ImportError:  # MicroPython's WebAssembly port has no sockets
    print("SKIP")
    raise SystemExit

PARK = "PARK"  # what a trap's handler returns when the task must wait for somebody else


class Task:
    """One generator, and what the kernel must remember about it between its turns."""

    count = 0  # tasks made so far: the next one's id is count + 1

    def __init__(self, gen, name):
        Task.count += 1
        self.gen, self.name, self.id = gen, name, Task.count

    def __repr__(self):
        return "task %d %r" % (self.id, self.name)


class Kernel:
    def __init__(self):
        self.ready = []  # (task, reply, error): who runs next, and what its `yield` gives it
        self.poller = select.poll()
        self.io_waiting = {}  # file descriptor -> the task parked until it is ready

    def spawn(self, parent, fn, args):  # also the handler of the spawn trap (parent asks)
        task = Task(fn(*args), fn.__name__)
        self.ready.append((task, None, None))
        return task

    def reschedule(self, task, reply=None, error=None):  # its trap returns `reply` or raises `error`
        self.ready.append((task, reply, error))

    def run(self, main, *args):
        self.spawn(None, main, args)
        while self.ready or self.io_waiting:
            timeout = 0 if self.ready else -1  # only look, or wait as long as it takes
            for fd, events in self.poller.poll(timeout):  # the sockets that are ready
                self.poller.unregister(fd)
                self.reschedule(self.io_waiting.pop(fd))
            batch, self.ready = self.ready, []
            for task, reply, error in batch:
                self.step(task, reply, error)

    def step(self, task, reply, error):
        """Run the task up to its next `yield`, then carry out the trap it yielded."""
        try:
            trap = task.gen.send(reply) if error is None else task.gen.throw(error)
        except StopIteration:
            return
        except Exception as exc:
            print("%r failed: %s: %s" % (task, type(exc).__name__, exc))
            return
        reply = error = None
        if type(trap) is tuple:  # (handler, *args): what the handler returns is the reply
            try:
                reply = trap[0](self, task, *trap[1:])
            except Exception as exc:  # a trap that fails raises in the task, not the kernel
                error = exc
        elif trap is not None:  # a bare `yield` only goes to the back; anything else is a mistake
            error = TypeError("%r yielded a %r, not a trap (forgot `yield from`?)" % (task, type(trap).__name__))
        if reply is not PARK:  # PARK: somebody else will reschedule it
            self.reschedule(task, reply, error)

    def _io_wait(self, task, sock, event):
        self.io_waiting[sock.fileno()] = task  # one task per socket, in this small kernel
        self.poller.register(sock.fileno(), event)
        return PARK  # run() reschedules it when poll() says the socket is ready


def spawn(fn, *args):
    return (yield (Kernel.spawn, fn, args))


def read_wait(sock):
    yield (Kernel._io_wait, sock, select.POLLIN)


def write_wait(sock):
    yield (Kernel._io_wait, sock, select.POLLOUT)


# -- a program: an echo server and 100 clients, over loopback ------------------------------------
CLIENTS = 100


def echo(conn):
    yield from read_wait(conn)
    data = conn.recv(1024)
    yield from write_wait(conn)
    conn.send(data)  # small enough to go in one piece
    conn.close()


def client(port, n):
    sock = socket.socket()
    sock.setblocking(False)
    try:
        sock.connect(socket.getaddrinfo("127.0.0.1", port)[0][-1])
    except OSError as exc:  # EINPROGRESS, "connecting", is the usual answer
        if exc.args[0] != errno.EINPROGRESS:
            raise
    yield from write_wait(sock)  # writable: connected
    sock.send(b"hello %d" % n)
    yield from read_wait(sock)
    echoes.append(sock.recv(1024) == b"hello %d" % n)
    sock.close()


def main():
    listener = socket.socket()  # on a free loopback port (MicroPython cannot ask which port 0 took)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    for port in range(20000 + id(listener) % 20000, 65536):
        try:
            listener.bind(socket.getaddrinfo("127.0.0.1", port)[0][-1])
            break
        except OSError:  # taken: try the next one
            pass
    listener.listen(CLIENTS)
    listener.setblocking(False)
    for n in range(CLIENTS):
        yield from spawn(client, port, n)
    for _ in range(CLIENTS):  # main is the server: it accepts, and an echo task serves each
        yield from read_wait(listener)
        conn, _ = listener.accept()
        conn.setblocking(False)
        yield from spawn(echo, conn)
    listener.close()


echoes = []  # each client's: did its echo come back right?
Kernel().run(main)  # returns when no task is ready and no socket is waited on
print(len(echoes), "clients,", echoes.count(True), "echoes right")
print("and the kernel stops when nothing waits any more")
