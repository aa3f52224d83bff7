"""task_group: structured concurrency."""

import logging

import pytest

import genlet

from .helpers import vrun


def sleeper(d, trace=None, tag=None):
    try:
        yield from genlet.sleep(d)
    except genlet.Cancelled:
        if trace is not None:
            trace.append(("cancelled", tag, genlet.clock()))
        raise
    if trace is not None:
        trace.append(("done", tag, genlet.clock()))
    return d


def failer(d, exc):
    yield from genlet.sleep(d)
    raise exc


def test_group_waits_for_children_and_returns_body_value():
    trace = []

    def body(group, n):
        for i in range(n):
            group.spawn(sleeper, i + 1, trace, i)
        yield from genlet.sleep(0.5)
        return "body done"

    def main():
        result = yield from genlet.task_group(body, 3)
        assert genlet.clock() == 3
        return result

    assert vrun(main) == "body done"
    assert [t for _, t, _ in trace] == [0, 1, 2]


def test_child_failure_cancels_body_and_siblings_and_propagates_as_itself():
    trace = []

    def body(group):
        group.spawn(sleeper, 10, trace, "sibling")
        group.spawn(failer, 1, ValueError("child broke"))
        try:
            yield from genlet.sleep(100)
        except genlet.Cancelled:
            trace.append(("body cancelled", genlet.clock()))
            raise
        trace.append("body not finished")

    def main():
        with pytest.raises(ValueError, match="child broke"):
            yield from genlet.task_group(body)
        return genlet.clock()

    assert vrun(main) == 1
    assert trace == [("body cancelled", 1), ("cancelled", "sibling", 1)]


def test_several_failures_raise_task_group_error():
    def body(group):
        group.spawn(failer, 1, ValueError("a"))
        group.spawn(failer, 1, KeyError("b"))
        group.spawn(sleeper, 5)
        yield

    def main():
        with pytest.raises(genlet.TaskGroupError) as info:
            yield from genlet.task_group(body)
        errors = info.value.exceptions
        assert [type(e) for e in errors] == [ValueError, KeyError]
        assert "2 tasks in a task group failed" in str(info.value)
        return genlet.clock()

    assert vrun(main) == 1


def test_task_group_error_is_an_exception_group_on_311():
    import builtins

    eg = getattr(builtins, "ExceptionGroup", None)
    if eg is not None:
        assert issubclass(genlet.TaskGroupError, eg)
    err = genlet.TaskGroupError("m", [ValueError("x")])
    assert len(err.exceptions) == 1


def test_body_failure_cancels_children():
    trace = []

    def body(group):
        group.spawn(sleeper, 10, trace, "child")
        yield from genlet.sleep(2)
        raise RuntimeError("body broke")

    def main():
        with pytest.raises(RuntimeError, match="body broke"):
            yield from genlet.task_group(body)
        return genlet.clock()

    assert vrun(main) == 2
    assert trace == [("cancelled", "child", 2)]


def test_children_never_outlive_a_cancelled_parent():
    trace = []

    def stubborn(tag):
        try:
            yield from genlet.sleep(100)
        finally:
            with genlet.CancelScope(shield=True):
                yield from genlet.sleep(3)  # cleanup that takes time
            trace.append(("cleaned", tag, genlet.clock()))

    def body(group):
        group.spawn(stubborn, "a")
        group.spawn(stubborn, "b")
        return "unused"
        yield

    def parent():
        try:
            yield from genlet.task_group(body)
        finally:
            trace.append(("group over", genlet.clock()))

    def main():
        p = genlet.spawn(parent)
        yield from genlet.sleep(1)
        p.cancel()  # while the group waits for its children
        yield from p.wait()
        assert p.cancelled()

    vrun(main)
    assert trace == [("cleaned", "a", 4), ("cleaned", "b", 4), ("group over", 4)]


def test_outer_deadline_during_body_cancels_children_and_raises_outer():
    trace = []

    def body(group):
        group.spawn(sleeper, 10, trace, "child")
        yield from genlet.sleep(10)

    def main():
        with genlet.move_on_after(2) as scope:
            yield from genlet.task_group(body)
        assert scope.cancelled_caught
        return genlet.clock()

    assert vrun(main) == 2
    assert trace == [("cancelled", "child", 2)]


def test_group_cancel_and_spawn_from_child_and_after_close():
    def body(group):
        def spawner():
            group.spawn(sleeper, 1)  # children may start siblings
            yield

        group.spawn(spawner)
        group.spawn(sleeper, 50)
        yield from genlet.sleep(2)
        group.cancel()  # cancel everything: no error, the group just ends
        yield from genlet.sleep(100)
        return "not reached"

    def main():
        holder = []

        def keep(group):
            holder.append(group)
            yield

        assert (yield from genlet.task_group(body)) is None
        assert genlet.clock() == 2
        yield from genlet.task_group(keep)
        with pytest.raises(RuntimeError, match="task group has finished"):
            holder[0].spawn(sleeper, 1)

    vrun(main)


def test_task_group_body_not_a_generator_is_explained():
    def main():
        with pytest.raises(TypeError, match="not a generator. Write the body as a generator function"):
            yield from genlet.task_group(lambda group: None)

    vrun(main)


def test_a_body_that_is_not_a_generator_leaves_no_child_behind():
    children = []

    def child():
        yield from genlet.sleep(10)

    def plain_body(group):
        children.append(group.spawn(child))
        return "oops"

    def main():
        with pytest.raises(TypeError, match="not a generator"):
            yield from genlet.task_group(plain_body)
        assert children[0].done() and children[0].cancelled()  # it did not outlive the group
        return genlet.clock()

    assert vrun(main) == 0


@pytest.mark.parametrize("who", ["the body, then returns", "a child, after the body returned", "the body, catching it"])
def test_a_cancelled_group_returns_none_not_the_body_value(who):
    """docs/sync.md: `group.cancel()` cancels the body and every child; the group then returns
    None. A body that cancelled its group and returned before its next checkpoint (or caught
    the Cancelled) had its value returned instead."""

    def canceller(group):
        yield from genlet.sleep(1)
        group.cancel()

    def body(group):
        group.spawn(sleeper, 50)
        if who == "the body, then returns":
            group.cancel()
            return "value"
        if who == "a child, after the body returned":
            group.spawn(canceller, group)
            return "value"
        try:
            group.cancel()
            yield
        except genlet.Cancelled:
            return "value"  # (swallowing a Cancelled: the group still ends as cancelled)
        yield

    def main():
        assert (yield from genlet.task_group(body)) is None
        return genlet.clock()

    assert vrun(main) == (1 if who.startswith("a child") else 0)


def test_a_childs_failure_is_raised_by_the_group_and_not_also_reported(caplog):
    def boom():
        yield from genlet.sleep(0.1)
        raise KeyError("boom")

    def body(group):
        group.spawn(boom, name="boom")
        yield from genlet.sleep(1)

    def main():
        with pytest.raises(KeyError):
            yield from genlet.task_group(body)
        return "ok"

    with caplog.at_level(logging.ERROR, logger="genlet"):
        assert vrun(main) == "ok"
    assert "nobody was waiting" not in caplog.text
