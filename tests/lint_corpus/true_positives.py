# True positives: each line marked `# expect: CODE` must be reported with that code, and
# nothing else in this file may be. (Read by tests/test_lint.py, never run.)
import socket
import subprocess
import time
import urllib.request
from time import sleep as nap

import genlet
import genlet as g
import genlet.io
import requests
from genlet import Channel, sleep
from genlet.io import open_connection
from genlet.kernel import read_wait


def helper():
    yield from genlet.sleep(1)


def dropped_calls(fd):
    helper()  # expect: GL001
    genlet.sleep(1)  # expect: GL001
    g.sleep(1)  # expect: GL001
    sleep(1)  # expect: GL001
    genlet.kernel.sleep(1)  # expect: GL001
    genlet.select(genlet.Channel().recv_op())  # expect: GL001
    genlet.io.open_connection("example.org", 80)  # expect: GL001
    open_connection("example.org", 80)  # expect: GL001
    read_wait(fd)  # expect: GL001
    yield


def dropped_methods():
    ch = Channel()
    ch.send(1)  # expect: GL001
    ch.recv()  # expect: GL001
    q = genlet.Queue()
    q.get()  # expect: GL001
    q.put(1)  # expect: GL001
    lock = g.Lock()
    lock.acquire()  # expect: GL001
    ev = genlet.Event()
    ev.wait()  # expect: GL001
    sem = genlet.sync.Semaphore(2)
    sem.acquire()  # expect: GL001
    pool = genlet.Pool(2)
    pool.spawn(helper)  # expect: GL001
    task = genlet.spawn(helper)
    task.join()  # expect: GL001
    task.kill()  # expect: GL001
    genlet.Channel().recv()  # expect: GL001
    stream = yield from genlet.io.open_connection("example.org", 80)
    stream.write(b"GET / HTTP/1.0\r\n\r\n")  # expect: GL001
    worker = yield from pool.spawn(helper)
    worker.wait()  # expect: GL001


def dropped_assignments():
    unused = helper()  # expect: GL001
    later = genlet.sleep(1)  # expect: GL001
    yield


def yielded_operations():
    ch = genlet.Channel()
    yield genlet.sleep(1)  # expect: GL002
    yield ch.recv()  # expect: GL002
    yield helper()  # expect: GL002


def blocking_in_a_task(url):
    time.sleep(1)  # expect: GL003
    nap(1)  # expect: GL003
    socket.create_connection(("example.org", 80))  # expect: GL003
    requests.get(url)  # expect: GL003
    urllib.request.urlopen(url)  # expect: GL003
    subprocess.run(["true"])  # expect: GL003
    subprocess.check_output(["true"])  # expect: GL003
    yield from genlet.sleep(0)


class Worker:
    def step(self):
        yield from genlet.sleep(1)

    def run(self):
        self.step()  # expect: GL001
        yield


async def modern():  # expect: GL004
    await modern()  # expect: GL004
    async with modern():  # expect: GL004
        pass


class Hub:
    def __init__(self):
        self.inbox = genlet.Channel()
        self.done: genlet.Event = genlet.Event()

    def serve(self):
        self.inbox.recv()  # expect: GL001
        yield self.done.wait()  # expect: GL002


def annotated(stream: genlet.io.Stream, request: "genlet.http.Request"):
    stream.readline()  # expect: GL001
    request.read()  # expect: GL001
    yield


def http_client(url):
    genlet.http.get(url)  # expect: GL001
    with genlet.http.Client() as client:
        client.post(url, json={})  # expect: GL001
        with (yield from client.stream(url)) as response:
            response.read()  # expect: GL001
    with genlet.io.Process(["true"]) as process:
        process.wait()  # expect: GL001
