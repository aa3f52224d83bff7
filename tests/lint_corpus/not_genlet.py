# A module that does not use genlet: generators of generators are a fair design here, and
# async code is not genlet's business. Only a dropped generator is reported.
import time


def inner():
    yield 1


def outer():
    yield inner()  # a generator of generators
    time.sleep(0.1)


async def fetch():
    await fetch()


def dropped():
    inner()  # expect: GL001
