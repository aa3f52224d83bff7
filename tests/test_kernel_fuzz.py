"""Random programs that race every kind of wake-up against cancellation and shutdown.

Where ``test_kernel_props`` checks timing over structured programs, this one throws a random
mix at the kernel from a seed: hand-offs through a WaitQueue, operations adopted by
``spawn``, selects with and without timeouts or defaults, nested scopes whose deadline and
shield change while tasks are parked, tasks cancelling each other and themselves, tasks that
swallow Cancelled, fail, block in their finally blocks or spawn from them. Then:

- ``run`` returns with every task finished, and no timer entry left live;
- every task that started ran its ``finally`` exactly once;
- no value handed over with ``reschedule`` is lost (unless its task was closed by force);
- the log shows no error from inside the kernel (a task resumed after it finished, a task
  woken twice).
"""

import logging
import random

from hypothesis import given, settings
from hypothesis import strategies as st

import genlet
from genlet.kernel import WaitQueue, park, reschedule
from genlet.kernel.traps import parking_task


class Program:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.queue = WaitQueue("q")
        self.sent, self.got, self.started, self.finallies = [], [], [], []
        self.tasks, self.adopted, self.scopes = [], [], []

    def recv(self):
        task = parking_task()
        return park(task, self.queue.push(task))

    def give(self):
        node = self.queue.pop()
        if node is not None:
            value = self.rng.random()
            self.sent.append(value)
            reschedule(node.task, value)

    def others(self):
        me = genlet.current_task()
        return [t for t in self.tasks if t is not me]

    def scope(self):
        kind, delay = self.rng.choice(["move_on", "fail", "shield", "plain"]), self.rng.choice([0, 0.5, 1, 2])
        if kind == "move_on":
            return genlet.move_on_after(delay)
        if kind == "fail":
            return genlet.fail_after(delay)
        return genlet.CancelScope(shield=kind == "shield")

    def change_a_scope(self):
        scope, r = self.rng.choice(self.scopes), self.rng.random()
        if r < 0.3:
            scope.cancel()
        elif r < 0.6:
            scope.deadline = genlet.clock() + self.rng.choice([0, 0.5, 1, 5, float("inf")])
        else:
            scope.shield = not scope.shield

    def step(self, depth):
        rng, kind = self.rng, self.rng.randrange(14)
        if kind == 0:
            yield from genlet.sleep(rng.choice([0, 0.5, 1, 2]))
        elif kind == 1:
            yield
        elif kind == 2:
            self.got.append((yield from self.recv()))
        elif kind == 3:
            self.give()
        elif kind == 4 and depth < 3:
            self.tasks.append(genlet.spawn(self.body, depth + 1, daemon=rng.random() < 0.2))
        elif kind == 5 and self.tasks:
            rng.choice(self.tasks).cancel()
        elif kind == 6 and self.others():
            ops = [t.join_op() for t in rng.sample(self.others(), min(2, len(self.others())))]
            yield from genlet.select(*ops, timeout=rng.choice([None, 0, 1, 3]))
        elif kind == 7 and depth < 3:
            with self.scope() as scope:
                self.scopes.append(scope)
                for _ in range(rng.randint(0, 3)):
                    yield from self.step(3)
        elif kind == 8 and self.scopes:
            self.change_a_scope()
        elif kind == 9 and self.others():
            with genlet.move_on_after(rng.choice([0.5, 2])):
                yield from rng.choice(self.others()).wait()
        elif kind == 10:
            try:
                yield from genlet.sleep(1)
            except genlet.Cancelled:
                if rng.random() < 0.5:
                    raise  # else: swallowed
        elif kind == 11 and rng.random() < 0.1:
            raise ValueError("boom")
        elif kind == 12:
            self.adopted.append(genlet.spawn(self.recv))
        elif kind == 13:
            ops = [t.join_op() for t in self.others()[:2]]
            yield from genlet.select(*ops, None, default=rng.random() < 0.5)

    def body(self, depth):
        me = genlet.current_task()
        self.started.append(me)
        try:
            for _ in range(self.rng.randint(0, 6)):
                try:
                    yield from self.step(depth)
                except (TimeoutError, ValueError, genlet.TaskCancelled):
                    pass
        finally:
            self.finallies.append(me)
            if self.rng.random() < 0.2:
                with genlet.CancelScope(shield=True):
                    yield from genlet.sleep(0.5)
            if self.rng.random() < 0.1:
                self.give()
            if self.rng.random() < 0.1:
                self.tasks.append(genlet.spawn(self.body, 3))

    def main(self):
        for _ in range(self.rng.randint(1, 4)):
            self.tasks.append(genlet.spawn(self.body, 0))
        yield from genlet.sleep(self.rng.choice([0, 1, 3]))
        while self.queue:
            self.give()


class Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@settings(max_examples=1000)  # each program takes about a millisecond
@given(st.integers(0, 2**32 - 1))
def test_random_races_keep_the_kernel_whole(seed):
    program = Program(seed)
    records = Records()
    logger = logging.getLogger("genlet")
    logger.addHandler(records)
    kernel = genlet.Kernel(clock=genlet.VirtualClock(), seed=seed)
    try:
        kernel.run(program.main)
    except (genlet.Deadlock, ValueError, TimeoutError, genlet.TaskCancelled):
        pass
    finally:
        logger.removeHandler(records)
    assert kernel.tasks() == []
    assert len(kernel._timers) == 0
    assert sorted(t.id for t in program.started) == sorted(t.id for t in program.finallies)
    messages = [r.getMessage() for r in records.records]
    if not any("closing task" in m for m in messages):
        received = set(program.got) | set(t.result for t in program.adopted if t.successful())
        assert set(program.sent) <= received
    for record, message in zip(records.records, messages):
        error = record.exc_info[1] if record.exc_info else None
        assert not isinstance(error, (AttributeError, TypeError)), message
        assert "woken twice" not in message and "without waiting" not in message, message
