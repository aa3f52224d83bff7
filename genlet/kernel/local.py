# genlet/kernel/local.py
"""Task-local attributes: ``genlet.local()``, like ``threading.local`` and gevent's ``local``.

Each task sees its own attributes. They live in its kernel (``kernel.task_locals``: task ->
``id(local object)`` -> attributes), and the kernel drops a task's entry when the task ends, so
no weak references are needed (MicroPython has none) and tasks that never use a ``local`` pay
nothing. Code running outside any task sees one shared
namespace, kept in the ``local`` object. A subclass's ``__init__`` runs once per task, on that
task's first use, with the arguments the object was made with.

On CPython and PyPy, ``run(..., contextvars=True)`` also gives each task its own
``contextvars`` context (``InContext``), copied from the spawner's when it is spawned.
"""

try:
    from typing import Any, Dict
except ImportError:
    pass

from .running import KERNEL_IN_CONTEXT, running_kernel, set_running_kernel


def _running_task() -> "Any":
    kernel = running_kernel()
    return None if kernel is None else kernel.current


class local:
    """An object whose attributes are separate in every task."""

    def __new__(cls, *args: "Any", **kwargs: "Any") -> "local":
        if (args or kwargs) and cls.__init__ is local.__init__:
            raise TypeError("genlet.local() takes no arguments (subclass it to use __init__ arguments)")
        self = object.__new__(cls)
        object.__setattr__(self, "_genlet_local", ({}, args, kwargs))
        # Discussion: Python calls __init__ right after __new__, in the creating task (or outside
        # any task). Making that namespace now means that call is its one and only __init__.
        self._namespace(False)
        return self

    def __init__(self, *args: "Any", **kwargs: "Any") -> None:
        pass

    def _namespace(self, initialize: bool = True) -> "Dict[str, Any]":
        outside, args, kwargs = self._genlet_local  # in the instance dict: no __getattr__ call
        task = _running_task()
        if task is None:
            return outside  # type: ignore[no-any-return]
        stores = task._kernel.task_locals
        store = stores.get(task)
        if store is None:
            store = stores[task] = {}
        namespace = store.get(id(self))
        if namespace is None:
            namespace = store[id(self)] = {}
            if initialize and type(self).__init__ is not local.__init__:
                type(self).__init__(self, *args, **kwargs)
        return namespace  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> "Any":
        try:
            return self._namespace()[name]
        except KeyError:
            raise AttributeError("this task's %s has no attribute %r" % (type(self).__name__, name))

    def __setattr__(self, name: str, value: "Any") -> None:
        self._namespace()[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self._namespace()[name]
        except KeyError:
            raise AttributeError(name)


def contextvars_module() -> "Any":
    """The ``contextvars`` module, for ``run(contextvars=True)``; a RuntimeError where none is."""
    try:
        import contextvars
    except ImportError:
        raise RuntimeError("contextvars=True needs the contextvars module (CPython, PyPy)")
    return contextvars


class InContext:
    """A generator run inside its own ``contextvars`` context (``run(contextvars=True)``)."""

    __slots__ = ("gen", "context")

    def __init__(self, gen: "Any", context: "Any", kernel: "Any") -> None:
        self.gen = gen
        self.context = context
        if KERNEL_IN_CONTEXT:  # the task must find its kernel from inside its own context
            context.run(set_running_kernel, kernel)

    def send(self, value: "Any") -> "Any":
        return self.context.run(self.gen.send, value)

    def throw(self, error: BaseException) -> "Any":
        return self.context.run(self.gen.throw, error)

    def close(self) -> None:
        self.context.run(self.gen.close)

    @property
    def gi_frame(self) -> "Any":
        return getattr(self.gen, "gi_frame", None)

    @property
    def gi_yieldfrom(self) -> "Any":
        return getattr(self.gen, "gi_yieldfrom", None)
