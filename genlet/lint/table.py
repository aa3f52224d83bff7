# genlet/lint/table.py
"""What the lint knows about genlet's API and about the calls that block a whole kernel.

genlet's blocking operations are plain calls that return a generator for the task to
``yield from``; they act when called (a lock is taken, a wait registered), so a call without
``yield from`` is always a mistake. These tables name them: the module-level operations, the
calls that make an object, and for each object the methods that block.
``tests/test_lint_table.py`` checks them against genlet's own annotations, so that a new
blocking method cannot be forgotten here.
"""

from typing import Dict, FrozenSet, Optional, Tuple

# The operations called on the module: ``yield from genlet.sleep(1)``. Keys are the name's
# last part; "core" is genlet, genlet.kernel and genlet.sync, "io" is genlet.io, "http" is
# genlet.http.
# Discussion: ``genlet.killall(tasks)`` is not one: without ``yield from`` it cancels and does
# not wait, which is gevent's ``killall(block=False)`` (``task.kill()``, alone, is refused).
OPERATIONS = {
    "core": frozenset(["sleep", "sleep_until", "joinall", "select", "task_group", "read_wait", "write_wait"]),
    "io": frozenset(
        [
            "open_connection",
            "open_unix_connection",
            "getaddrinfo",
            "getnameinfo",
            "run_in_thread",
            "run_process",
            "signal_wait",
        ]
    ),
    "http": frozenset(["request", "get", "post", "put", "delete", "head", "stream"]),
}  # type: Dict[str, FrozenSet[str]]
PLAIN_TOO = frozenset(["killall", "Pool.kill"])  # return a wait, and mean something without it

# The calls that make an object the lint follows, and the type of what they make.
MAKERS = {
    "core": {
        "Channel": "Channel",
        "Queue": "Queue",
        "LifoQueue": "LifoQueue",
        "PriorityQueue": "PriorityQueue",
        "Lock": "Lock",
        "RLock": "RLock",
        "Semaphore": "Semaphore",
        "BoundedSemaphore": "BoundedSemaphore",
        "Condition": "Condition",
        "Event": "Event",
        "AsyncResult": "AsyncResult",
        "Pool": "Pool",
        "spawn": "Task",
        "spawn_later": "Task",
        "iwait": "IWait",
    },
    "io": {
        "Socket": "Socket",
        "TLSSocket": "TLSSocket",
        "Stream": "Stream",
        "Server": "Server",
        "Process": "Process",
        "FileDescriptor": "FileDescriptor",
        "udp_socket": "Socket",
        "tcp_server": "Server",
        "unix_server": "Server",
        "fd_stream": "Stream",
    },
    "http": {"Client": "Client"},
}  # type: Dict[str, Dict[str, str]]

_QUEUE = frozenset(["get", "put", "join"])
_LOCK = frozenset(["acquire"])
_SOCKET = frozenset(["accept", "connect", "recv", "recv_into", "recvfrom", "send", "sendall", "sendto", "shutdown"])

# The methods that block, by the type of the object.
METHODS = {
    "Channel": frozenset(["send", "recv", "recv_ok"]),
    "Queue": _QUEUE,
    "LifoQueue": _QUEUE,
    "PriorityQueue": _QUEUE,
    "Lock": _LOCK,
    "RLock": _LOCK,
    "Semaphore": _LOCK,
    "BoundedSemaphore": _LOCK,
    "Condition": frozenset(["acquire", "wait", "wait_for"]),
    "Event": frozenset(["wait"]),
    "AsyncResult": frozenset(["get"]),
    "Pool": frozenset(["spawn", "map", "join"]),
    "Task": frozenset(["join", "wait", "kill"]),
    "IWait": frozenset(["next"]),
    "Socket": _SOCKET,
    "TLSSocket": (_SOCKET - {"recvfrom", "sendto"}) | {"handshake"},
    "Stream": frozenset(["read", "read_exactly", "read_until", "readline", "write", "write_eof"]),
    "Server": frozenset(["serve_forever"]),
    "Process": frozenset(["wait"]),
    "FileDescriptor": frozenset(["recv", "send", "sendall", "shutdown"]),
    "Client": frozenset(["request", "get", "post", "put", "patch", "delete", "head", "options", "stream"]),
    "StreamResponse": frozenset(["read", "read_chunk"]),
    "Request": frozenset(["read"]),  # genlet.http's, as a handler's annotated parameter
}  # type: Dict[str, FrozenSet[str]]

# The types whose ``with x as y:`` gives ``x`` itself.
ENTERED_AS_ITSELF = frozenset(
    ["Client", "FileDescriptor", "IWait", "Process", "Server", "Socket", "Stream", "StreamResponse", "TLSSocket"]
)

# What ``x = yield from <operation>`` gives, where the lint can follow it.
RESULTS = {
    "open_connection": "Stream",
    "open_unix_connection": "Stream",
    "Pool.spawn": "Task",
    "stream": "StreamResponse",
    "Client.stream": "StreamResponse",
}  # type: Dict[str, str]

_THREAD = "`yield from genlet.io.run_in_thread(%s, ...)` (it runs in a worker thread while the other tasks go on)"
_HTTP = "genlet's HTTP client, `yield from genlet.http.%s(url, ...)`, or " + _THREAD
_PROCESS = "`yield from genlet.io.run_process(args, ...)` (or `genlet.io.Process` and `yield from p.wait()`)"
_RESOLVE = "`yield from genlet.io.getaddrinfo(host, port)`"

# Calls that block the whole kernel when a task makes them, and what replaces each.
BLOCKING = {
    "time.sleep": "`yield from genlet.sleep(seconds)`",
    "socket.create_connection": "`stream = yield from genlet.io.open_connection(host, port)`",
    "socket.getaddrinfo": _RESOLVE,
    "socket.gethostbyname": _RESOLVE,
    "socket.gethostbyname_ex": _RESOLVE,
    "socket.getnameinfo": "`yield from genlet.io.getnameinfo(sockaddr, flags)`",
    "socket.gethostbyaddr": "`yield from genlet.io.getnameinfo(sockaddr, flags)`",
    "urllib.request.urlopen": _HTTP % ("get", "urllib.request.urlopen"),
    "subprocess.run": _PROCESS,
    "subprocess.call": _PROCESS,
    "subprocess.check_call": _PROCESS,
    "subprocess.check_output": _PROCESS,
    "subprocess.getoutput": _PROCESS,
    "subprocess.getstatusoutput": _PROCESS,
    "os.system": _PROCESS,
    "os.wait": "`yield from genlet.io.Process(...).wait()`",
    "os.waitpid": "`yield from genlet.io.Process(...).wait()`",
    "select.select": "`yield from genlet.kernel.read_wait(fd)` / `write_wait(fd)`",
    "builtins.input": _THREAD % "input",
}  # type: Dict[str, str]

# ``requests.get(url)`` and its kin: every call that sends a request.
REQUESTS = frozenset(["request", "get", "head", "post", "put", "patch", "delete", "options"])


def genlet_name(qualname: str) -> "Optional[Tuple[str, str]]":
    """("core" or "io", last part) for a name inside genlet (``genlet.kernel.sleep``), else None.

    Discussion: only the last part counts, so ``genlet.sleep``, ``genlet.kernel.sleep`` and
    ``genlet.kernel.traps.sleep`` are one operation. ``genlet.http.get`` is the "http" one.
    """
    parts = qualname.split(".")
    if parts[0] != "genlet" or len(parts) < 2 or parts[1] == "lint":
        return None
    if parts[1] in ("io", "http"):
        return (parts[1], parts[-1]) if len(parts) > 2 else None
    return "core", parts[-1]


def blocking_replacement(qualname: str) -> "Optional[str]":
    """What replaces the blocking call ``qualname`` in a task, or None if it does not block."""
    found = BLOCKING.get(qualname)
    if found is not None:
        return found
    parts = qualname.split(".")
    if parts[0] == "requests" and parts[-1] in REQUESTS and len(parts) <= 3:
        return _HTTP % (parts[-1] if parts[-1] in ("get", "post", "put", "delete", "head") else "request", qualname)
    return None
