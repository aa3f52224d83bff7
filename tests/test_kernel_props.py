"""Properties of the kernel over random programs (hypothesis).

A program is a list of steps run by the main task; steps sleep, checkpoint, spawn children
(with programs of their own), join or cancel children, and nest cancel scopes (move_on_after,
fail_after, shields). Under the VirtualClock:

- timers never fire early (and, uncancelled, exactly on time);
- every task that started has its ``finally`` run, exactly once (a task cancelled before it
  started never runs, so it has none to run);
- ``run`` never returns with a task unfinished;
- the same program always gives the same trace.
"""

from hypothesis import given
from hypothesis import strategies as st

import genlet

durations = st.sampled_from([0, 0.5, 1, 2, 3])

simple_steps = st.one_of(
    st.tuples(st.just("sleep"), durations),
    st.just(("yield",)),
    st.tuples(st.just("join"), st.integers(0, 3)),
    st.tuples(st.just("cancel"), st.integers(0, 3)),
)


def _extend(children):
    programs = st.lists(children, max_size=4)
    return st.one_of(
        st.tuples(st.just("spawn"), programs),
        st.tuples(st.sampled_from(["move_on", "fail", "shield"]), durations, programs),
    )


steps = st.recursive(simple_steps, _extend, max_leaves=12)
programs = st.lists(steps, max_size=6)


class Run:
    """Runs a random program and records what happens."""

    def __init__(self):
        self.trace = []
        self.tasks = []
        self.finallies = []
        self.started = []
        self.early = []
        self.names = 0

    def task(self, name, program):
        self.started.append(name)
        try:
            children = []
            yield from self.steps(name, program, children)
            return name
        finally:
            self.finallies.append(name)

    def steps(self, name, program, children):
        for step in program:
            kind = step[0]
            if kind == "sleep":
                deadline = genlet.clock() + step[1]
                yield from genlet.sleep(step[1])
                if genlet.clock() < deadline:
                    self.early.append((name, deadline, genlet.clock()))
                self.trace.append((name, "woke", genlet.clock()))
            elif kind == "yield":
                yield
                self.trace.append((name, "yield", genlet.clock()))
            elif kind == "spawn":
                self.names += 1
                child_name = "%s.%d" % (name, self.names)
                child = genlet.spawn(self.task, child_name, step[1], name=child_name)
                children.append(child)
                self.tasks.append(child)
                self.trace.append((name, "spawn", child_name))
            elif kind == "join" and children:
                child = children[step[1] % len(children)]
                try:
                    result = yield from child.join()
                    self.trace.append((name, "joined", result, genlet.clock()))
                except genlet.TaskCancelled:
                    self.trace.append((name, "joined cancelled", child.name, genlet.clock()))
            elif kind == "cancel" and children:
                children[step[1] % len(children)].cancel()
                self.trace.append((name, "cancel", children[step[1] % len(children)].name))
            elif kind in ("move_on", "fail", "shield"):
                yield from self.scope(name, step, children)

    def scope(self, name, step, children):
        kind, seconds, inner = step
        if kind == "shield":
            with genlet.CancelScope(shield=True):
                yield from self.steps(name, inner, children)
            return
        try:
            scope = genlet.move_on_after(seconds) if kind == "move_on" else genlet.fail_after(seconds)
            with scope:
                yield from self.steps(name, inner, children)
            self.trace.append((name, kind, scope.cancelled_caught, genlet.clock()))
        except TimeoutError:
            self.trace.append((name, "timed out", genlet.clock()))

    def main(self, program):
        return (yield from self.task("main", program))


def run_program(program):
    run = Run()
    result = genlet.run(run.main, program, clock=genlet.VirtualClock(), seed=1)
    return run, result


@given(programs)
def test_random_programs_hold_the_kernel_invariants(program):
    run, result = run_program(program)
    assert result == "main"
    assert run.early == []  # timers never fire early
    assert all(t.done() for t in run.tasks)  # run never returns with a task unfinished
    assert sorted(run.finallies) == sorted(run.started)  # every task that started: its finally ran, once
    assert set(run.started) >= {"main"} | {t.name for t in run.tasks if not t.cancelled()}
    again, _ = run_program(program)
    assert again.trace == run.trace  # deterministic under the VirtualClock


@given(programs, st.integers(0, 5))
def test_cancelling_main_from_outside_finishes_everything(program, passes):
    """Cancel the program at an arbitrary pass: every finally still runs, nothing is left."""
    run = Run()

    def driver():
        t = genlet.spawn(run.main, program, name="program")
        for _ in range(passes):
            yield
        t.cancel()
        yield from t.wait()
        return t

    t = genlet.run(driver, clock=genlet.VirtualClock())
    assert t.done()
    assert all(task.done() for task in run.tasks)
    assert sorted(run.finallies) == sorted(run.started)
    assert run.early == []
