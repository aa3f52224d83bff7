# Step 1: round robin. A task is a generator; the kernel is a list of them, run in passes.
# Every `yield` hands control back to the kernel, which moves on to the next task.


class Kernel:
    """Run generators in turn until every one of them has finished."""

    def __init__(self):
        self.ready = []  # the generators that can run, in the order they will

    def spawn(self, gen):
        self.ready.append(gen)

    def run(self):
        while self.ready:
            # One pass: each task that was ready when the pass began runs once, in order.
            batch, self.ready = self.ready, []
            for gen in batch:
                try:
                    next(gen)  # run the task up to its next `yield`
                except StopIteration:
                    continue  # it returned: drop it
                self.ready.append(gen)  # it yielded: its turn comes again next pass


# -- a program -----------------------------------------------------------------------------------
def countdown(name, n):
    while n > 0:
        print(name, n)
        yield  # "I can pause here": let the others run
        n -= 1
    print(name, "done")


kernel = Kernel()
kernel.spawn(countdown("a", 3))
kernel.spawn(countdown("b", 2))
kernel.spawn(countdown("c", 1))
kernel.run()
print("all tasks finished")
