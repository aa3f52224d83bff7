# From gevent: the BoundedSemaphore printer (docs/from-gevent.md, "A semaphore").
# Two tasks print their number, one at a time: each holds the semaphore while it prints.
import genlet


def print_number(number, semaphore):
    with (yield from semaphore):  # waits for the permit; the block's end gives it back
        print(number)


def main():
    semaphore = genlet.BoundedSemaphore(1)
    g1 = genlet.spawn(print_number, 1, semaphore)  # created and started in one call
    g2 = genlet.spawn(print_number, 2, semaphore)
    yield from g1.join()
    yield from g2.join()
    try:
        semaphore.release()  # one release too many: a BoundedSemaphore says so
    except ValueError as error:
        print("ValueError:", error)


genlet.run(main)
