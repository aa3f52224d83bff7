# Look-alikes: correct code that resembles a mistake. Nothing in this file may be reported.
# (Read by tests/test_lint.py, never run.)
import contextlib
import functools
import queue
import threading
import time

import genlet
from elsewhere import produce  # a generator function the checker cannot see
from genlet import spawn


def numbers():
    yield 1
    yield 2


def helper():
    yield from genlet.sleep(1)


def used_as_iterables():
    for n in numbers():  # a generator used as an iterable
        print(n)
    print(list(numbers()), sum(numbers()), [n for n in numbers()])
    it = numbers()
    print(next(it))
    yield


def passed_on():
    task = spawn(helper)  # a generator function passed to spawn, not called
    genlet.spawn(helper())  # a generator passed to spawn
    yield from task.join()
    return helper()  # returned to a caller who will `yield from` it


def yield_from_a_local_generator():
    gen = helper()
    yield from gen
    yield from helper()
    value = yield from genlet.Channel().recv()
    return value


def operations_as_arguments():
    ch = genlet.Channel()
    i, value = yield from genlet.select(ch.recv_op(), timeout=1)
    waiter = genlet.spawn(ch.recv)
    return (yield from waiter.join())


def unseen():
    produce()  # from another module: the checker cannot know it makes a generator
    yield


def standard_library_namesakes():
    q = queue.Queue()
    q.put(1)
    q.get()
    threading.Event().wait(0)
    lock = threading.Lock()
    lock.acquire()
    lock.release()
    yield


def plain_calls():
    lock = genlet.Lock()
    lock.release()
    ev = genlet.Event()
    ev.set()
    q = genlet.Queue()
    q.put_nowait(1)
    q.get_nowait()
    ch = genlet.Channel()
    ch.send_nowait(1)
    ch.close()
    task = genlet.spawn(helper)
    task.cancel()
    pool = genlet.Pool(2)
    pool.kill()  # a plain call (`yield from pool.kill()` also waits)
    genlet.killall([task])  # cancels without waiting, like gevent's killall(block=False)
    yield


@contextlib.contextmanager
def managed():
    yield


@functools.lru_cache()
def cached():
    yield


def decorated_functions():
    managed()
    cached()
    yield


def shadowing_parameter(helper, sleep):
    helper()  # the parameter, not the module's generator function
    sleep(1)
    yield


def rebound():
    ch = genlet.Channel()
    ch = queue.Queue()  # bound to two things: the lint does not guess
    ch.get()
    yield


def not_a_task():
    time.sleep(0.1)  # a plain function may block (it runs outside the kernel, or in a thread)
    return 1


def generator_of_generators():
    yield "stage one"  # yields data (here, names and generators) to a loop: not a task
    yield numbers()


def wsgi_body():
    while True:
        time.sleep(0.01)  # a generator that yields data is an iterator, not a task
        yield b"tick"


def threaded_work():
    def job():
        time.sleep(1)  # a plain function handed to a thread
        return 1

    return (yield from genlet.io.run_in_thread(job))


class Service:
    def step(self):
        yield from genlet.sleep(1)

    @staticmethod
    def helper(self):
        self.step()  # `self` here is whatever was passed in

    def run(self, other):
        other.step()  # another object: the lint does not guess its class
        yield from self.step()


class Given:
    def __init__(self, inbox):
        self.inbox = inbox  # given, not made here: the lint does not guess its type
        self.jobs = queue.Queue()
        self.lock = genlet.Lock()

    def reset(self):
        self.lock = threading.Lock()  # made as two kinds of lock: not followed

    def run(self):
        self.inbox.recv()
        self.jobs.get()
        self.lock.acquire()
        yield


def annotated(buffer: "io.BytesIO", jobs: queue.Queue, lock: "genlet.Lock | None"):
    buffer.read()
    jobs.get()
    lock.acquire()
    yield


def with_blocks():
    with open("/dev/null", "rb") as f:
        f.read()
    with threading.Lock() as held:
        print(held)
    yield
