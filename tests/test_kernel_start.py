"""Starting late: ``spawn(fn, *args)`` of a generator function makes the generator at the
task's first step (``NotStarted`` in genlet/kernel/task.py), and nothing else may change.

What must hold: the arguments reach the function and are let go once it has them; arguments
that do not fit still raise TypeError at ``spawn``, as the call itself would; a task cancelled
before its first step never runs a line; reports (name, state, ``where()``) work before it
starts; and no generator exists for a task that has not started.
"""

import gc
import sys
import weakref
from types import GeneratorType

import pytest
from hypothesis import given
from hypothesis import strategies as st

import genlet
from genlet.kernel.spawning import FUNCTION, NotStarted, new_task

from .helpers import vrun

STARTS_LATE = FUNCTION is type(lambda: None)  # False only where functions have no __code__


def generators_of(fn):
    """The live generator objects made by calling ``fn`` (CPython lists them all)."""
    return [o for o in gc.get_objects() if type(o) is GeneratorType and o.gi_code is fn.__code__]


def test_the_generator_is_made_at_the_first_step():
    ran = []

    def child(tag):
        ran.append(tag)
        yield
        return tag

    def main():
        task = genlet.spawn(child, "a")
        assert STARTS_LATE and type(task._gen) is NotStarted
        if sys.implementation.name == "cpython":
            assert generators_of(child) == []
        assert ran == [] and task.state == genlet.READY
        yield  # its first step: it runs up to its bare yield
        assert ran == ["a"] and type(task._gen) is not NotStarted
        if sys.implementation.name == "cpython":
            assert len(generators_of(child)) == 1
        return (yield from task.join())

    assert vrun(main) == "a"


def test_arguments_are_passed_then_let_go():
    class Box:
        pass

    def child(box, n):
        yield
        return n * 2

    def main():
        box = Box()
        ref = weakref.ref(box)
        task = genlet.spawn(child, box, 21)
        del box
        assert ref() is not None  # held by the task until its function has it
        assert (yield from task.join()) == 42
        gc.collect()
        assert ref() is None  # and not a moment longer
        return task

    task = vrun(main)
    assert task.result == 42


def test_arguments_that_do_not_fit_raise_at_spawn_as_the_call_would():
    def none():
        yield

    def one(a):
        yield

    def keyword_only(*, a):
        yield

    def main():
        for fn, args in ((none, (1,)), (one, ()), (one, (1, 2)), (keyword_only, ())):
            with pytest.raises(TypeError):
                genlet.spawn(fn, *args)
        assert len(genlet.kernel.current_kernel().tasks()) == 1  # only main: nothing half-made
        yield

    vrun(main)


def test_defaults_varargs_and_keyword_only_defaults_still_work():
    def defaults(a, b=10):
        return a + b
        yield

    def varargs(*items):
        return sum(items)
        yield

    def keyword_default(a, *, b=5):
        return a * b
        yield

    def main():
        tasks = [
            genlet.spawn(defaults, 1),
            genlet.spawn(defaults, 1, 2),
            genlet.spawn(varargs),
            genlet.spawn(varargs, 1, 2, 3),
            genlet.spawn(keyword_default, 3),
        ]
        results = []
        for task in tasks:
            results.append((yield from task.join()))
        return results

    assert vrun(main) == [11, 3, 0, 6, 15]


def test_cancelled_before_its_first_step_it_never_runs():
    ran = []

    def child():
        try:
            ran.append("started")
            yield
        finally:
            ran.append("finally")

    def main():
        task = genlet.spawn(child)
        task.cancel()
        with pytest.raises(genlet.TaskCancelled):
            yield from task.join()
        assert task.cancelled() and task.done()
        return ran

    assert vrun(main) == []


def test_name_state_and_where_before_it_starts():
    def worker(n):  # the line `where()` names
        yield

    def main():
        task = genlet.spawn(worker, 1)
        assert task.name.startswith("worker-")
        assert task.state == genlet.READY and task.waiting_on is None
        ((filename, line, function),) = task.where()
        assert function == "worker" and filename == __file__
        assert line == worker.__code__.co_firstlineno
        named = genlet.spawn(worker, 2, name="w2")  # named tasks start at once (see Kernel._spawn)
        assert named.name == "w2"
        yield
        assert task.where()[0][2] == "worker" and task.where()[0][1] > line
        yield from genlet.joinall([task, named])

    vrun(main)


def test_tasks_left_unstarted_at_the_end_are_finished_without_running():
    ran = []

    def child():
        ran.append("ran")
        yield

    def main():
        for _ in range(5):
            genlet.spawn(child, daemon=True)
        return "done"
        yield

    assert vrun(main) == "done"
    assert ran == []


def test_a_kernel_made_by_hand_starts_its_tasks_late_too():
    def child(a, b):
        yield
        return a + b

    kernel = genlet.Kernel(clock=genlet.VirtualClock())
    task = kernel.spawn(child, 2, 3)

    def main():
        return (yield from task.join())

    assert kernel.run(main) == 5


def fits(params, defaults, star, count):
    """Would a call with ``count`` positional arguments bind to this signature?"""
    return params - defaults <= count and (star or count <= params)


@given(
    params=st.integers(0, 3),
    defaults=st.integers(0, 3),
    star=st.booleans(),
    count=st.integers(0, 4),
    cancel=st.booleans(),
)
def test_spawn_binds_as_the_call_would(params, defaults, star, count, cancel):
    """Property: for any signature and argument count, spawn raises TypeError at once exactly
    when the call would not bind; otherwise the task returns what the function computes (and
    a task cancelled before its first step ends cancelled, having run nothing)."""
    defaults = min(defaults, params)
    names = ["p%d" % i for i in range(params)]
    signature = names[: params - defaults] + ["%s=%d" % (n, 100) for n in names[params - defaults :]]
    if star:
        signature.append("*rest")
    body = "    ran.append(1)\n    return sum([%s]%s)\n    yield\n" % (", ".join(names), " + list(rest)" if star else "")
    namespace = {"ran": []}
    exec("def fn(%s):\n%s" % (", ".join(signature), body), namespace)
    fn = namespace["fn"]
    args = list(range(1, count + 1))
    expected = sum(args[:params] + [100] * max(0, params - count) + (args[params:] if star else []))

    def main():
        if not fits(params, defaults, star, count):
            with pytest.raises(TypeError):
                genlet.spawn(fn, *args)
            return "refused"
        task = genlet.spawn(fn, *args)
        if cancel:
            task.cancel()
            with pytest.raises(genlet.TaskCancelled):
                yield from task.join()
            return "cancelled"
        return (yield from task.join())

    outcome = vrun(main)
    if not fits(params, defaults, star, count):
        assert outcome == "refused"
    elif cancel:
        assert outcome == "cancelled" and namespace["ran"] == []
    else:
        assert outcome == expected and namespace["ran"] == [1]


def _one(a):
    return ("one", a)
    yield


def _two(a, b=0):
    return ("two", a + b)
    yield


def _keyword_only(a, *, k):
    return ("keyword_only", a + k)
    yield


def _plain(a):
    return _one(a)  # not a generator function: it returns a generator


def _closure(a):
    def inner(x):  # a new function each time, one code object
        return ("closure", x + a)
        yield

    return inner


@given(calls=st.lists(st.tuples(st.sampled_from(["one", "two", "keyword_only", "plain", "closure"]), st.integers(0, 3)), min_size=1, max_size=8))
def test_spawning_again_and_again_binds_as_each_call_would(calls):
    """Property: the answer remembered for the last code spawned (``task.starts_late``)
    never lets a call through that does not fit: each spawn in a sequence refuses at once or
    returns exactly what the call computes."""
    import inspect

    def main():
        outcomes = []
        for kind, count in calls:
            fn = _closure(10) if kind == "closure" else {"one": _one, "two": _two, "keyword_only": _keyword_only, "plain": _plain}[kind]
            args = tuple(range(1, count + 1))
            try:
                inspect.signature(fn).bind(*args)
            except TypeError:
                with pytest.raises(TypeError):
                    genlet.spawn(fn, *args)
                outcomes.append("refused")
                continue
            task = genlet.spawn(fn, *args)
            outcomes.append((yield from task.join()))
        return outcomes

    expected = []
    for kind, count in calls:
        args = list(range(1, count + 1))
        fits = {"one": count == 1, "two": count in (1, 2), "keyword_only": False, "plain": count == 1, "closure": count == 1}[kind]
        if not fits:
            expected.append("refused")
        elif kind == "two":
            expected.append(("two", sum(args)))
        elif kind == "closure":
            expected.append(("closure", args[0] + 10))
        else:
            expected.append(("one", args[0]))
    assert vrun(main) == expected


def test_spawns_fast_path_makes_the_task_new_task_makes(monkeypatch):
    """``genlet.spawn`` fills a Task's slots by hand when it has spawned the function before
    (see ``spawning.spawn``): every slot must come out as ``new_task`` (via Kernel.spawn) sets it."""
    from genlet.kernel import spawning
    from genlet.kernel.flags import ID_STEP
    from genlet.kernel.task import Task

    made = []
    monkeypatch.setattr(spawning, "new_task", lambda *a: made.append(a) or new_task(*a))

    def child(x):
        yield

    def main():
        kernel = genlet.kernel.current_kernel()
        del made[:]  # (main was made by new_task too)
        slow = kernel.spawn(child, 1, daemon=True)  # Kernel._spawn: starts_late, new_task
        assert len(made) == 1
        fast = genlet.spawn(child, 1, daemon=True)  # the code is known now: the fast path
        assert len(made) == 1
        for slot in Task.__slots__:
            if slot != "_flags":
                assert getattr(fast, slot) == getattr(slow, slot), slot
        assert fast._flags - slow._flags == ID_STEP and fast.id == slow.id + 1  # the same state bits
        yield from slow.join()
        yield from fast.join()

    vrun(main)
