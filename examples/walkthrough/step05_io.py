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

    next_id = 1

    def __init__(self, gen, name):
        self.gen, self.name = gen, name
        self.id, Task.next_id = Task.next_id, Task.next_id + 1
        self.reply = None  # sent into the generator when it next runs
        self.error = None  # or thrown into it, if set
        self.done = False
        self.result = self.exception = None  # what it returned, or the exception that ended it
        self.joiners = []  # the tasks parked in join(), waiting for it to finish

    def join(self):
        return (yield Trap(_join, self))

    def __repr__(self):
        return "task %d %r" % (self.id, self.name)


class Trap:
    """An instruction: the kernel calls handler(kernel, task, *args) for the task."""

    def __init__(self, handler, *args):
        self.handler, self.args = handler, args


class Kernel:
    def __init__(self):
        self.ready = []  # Tasks that can run
        self.poller = select.poll()
        self.io_waiting = {}  # file descriptor -> the task parked until it is ready

    def spawn(self, gen, name):
        task = Task(gen, name)
        self.ready.append(task)
        return task

    def reschedule(self, task, reply=None, error=None):
        """End a parked task's wait: it will get `reply` (or `error`) from its trap."""
        task.reply, task.error = reply, error
        self.ready.append(task)

    def run(self, main):
        main_task = self.spawn(main(), "main")
        while self.ready or self.io_waiting:
            self.wait_for_io()
            batch, self.ready = self.ready, []
            for task in batch:
                self.step(task)
        if main_task.exception is not None:
            raise main_task.exception
        return main_task.result

    def wait_for_io(self):
        """Wake the tasks whose sockets are ready; if no task is, block until a socket is."""
        timeout = 0 if self.ready else -1  # only look, or wait as long as it takes
        for key, events in self.poller.poll(timeout):
            fd = key if isinstance(key, int) else key.fileno()  # MicroPython gives the object
            sock, task = self.io_waiting.pop(fd)
            self.poller.unregister(sock)
            self.reschedule(task)

    def step(self, task):
        """Run `task` up to its next `yield`, then carry out what it yielded."""
        reply, error, task.reply, task.error = task.reply, task.error, None, None
        try:
            if error is not None:
                instruction = task.gen.throw(error)  # raise it at the task's `yield`
            else:
                instruction = task.gen.send(reply)  # the `yield` evaluates to `reply`
        except StopIteration as stop:
            return self.finish(task, stop.value, None)
        except Exception as exc:
            return self.finish(task, None, exc)
        self.dispatch(task, instruction)

    def finish(self, task, result, exception):
        """Record how the task ended, and hand that to every task parked in its join()."""
        task.done, task.result, task.exception = True, result, exception
        if exception is not None and not task.joiners and task.name != "main":
            print("%r failed and nobody joins it: %s: %s" % (task, type(exception).__name__, exception))
        for joiner in task.joiners:
            self.reschedule(joiner, result, exception)
        task.joiners = []

    def dispatch(self, task, instruction):
        """Carry out what the task yielded; a bare `yield` (None) just goes to the back."""
        reply = error = None
        if isinstance(instruction, Trap):
            try:
                reply = instruction.handler(self, task, *instruction.args)
            except Exception as exc:  # a trap that fails raises in the task, not the kernel
                error = exc
            if reply is PARK:
                return  # somebody else will reschedule it
        elif instruction is not None:  # a mistake in the task: tell the task, and carry on
            hint = " (did you mean `yield from`?)" if hasattr(instruction, "send") else ""
            error = TypeError("%r yielded %r, not a trap%s" % (task, type(instruction).__name__, hint))
        self.reschedule(task, reply, error)


# -- the traps: each is a handler and a generator function to `yield from` ----------------------
def _spawn(kernel, task, fn, args):
    return kernel.spawn(fn(*args), fn.__name__)


def spawn(fn, *args):
    return (yield Trap(_spawn, fn, args))


def _join(kernel, task, other):
    if not other.done:
        other.joiners.append(task)
        return PARK  # finish() reschedules it
    if other.exception is not None:
        raise other.exception  # the child's exception, raised in the joiner
    return other.result


def _io_wait(kernel, task, sock, event):
    kernel.io_waiting[sock.fileno()] = (sock, task)  # one task per socket, in this small kernel
    kernel.poller.register(sock, event)
    return PARK  # wait_for_io() reschedules it


def read_wait(sock):
    yield Trap(_io_wait, sock, select.POLLIN)


def write_wait(sock):
    yield Trap(_io_wait, sock, select.POLLOUT)


# -- a program: an echo server and 100 clients, over loopback ------------------------------------
CLIENTS = 100


def listen():
    """A listening socket on a free loopback port (MicroPython cannot ask which port 0 took)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    port = 20000 + id(sock) % 20000
    while True:
        try:
            sock.bind(socket.getaddrinfo("127.0.0.1", port)[0][-1])
            break
        except OSError:
            port += 1
    sock.listen(CLIENTS)
    sock.setblocking(False)
    return sock, port


def echo(conn):
    while True:
        yield from read_wait(conn)
        data = conn.recv(1024)
        if not data:  # the client closed its end
            conn.close()
            return
        yield from write_wait(conn)
        conn.send(data)  # small enough to go in one piece


def server(listener):
    for _ in range(CLIENTS):
        yield from read_wait(listener)
        conn, _ = listener.accept()
        conn.setblocking(False)
        yield from spawn(echo, conn)
    listener.close()


def client(port, n):
    sock = socket.socket()
    sock.setblocking(False)
    try:
        sock.connect(socket.getaddrinfo("127.0.0.1", port)[0][-1])
    except OSError as exc:
        if exc.args[0] != errno.EINPROGRESS:  # "connecting": the usual answer
            raise
    yield from write_wait(sock)
    sock.send(b"hello %d" % n)
    yield from read_wait(sock)
    reply = sock.recv(1024)
    sock.close()
    return reply == b"hello %d" % n


def main():
    listener, port = listen()
    yield from spawn(server, listener)
    clients = []
    for n in range(CLIENTS):
        clients.append((yield from spawn(client, port, n)))
    good = 0
    for t in clients:
        good += yield from t.join()
    print(CLIENTS, "clients,", good, "echoes right")
    print("and the kernel stops when nothing waits any more")


Kernel().run(main)
