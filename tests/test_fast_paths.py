"""Issue 15: at most two hand-inlined fast paths, each marked `# inlined copy of X: benchmarks/Y`.

A copy of a function, written out where it is called to save the call, must be kept in step
with the original by hand; the kernel allows itself two (the switch and the spawn), and every
other hot path calls the one definition or reads published attributes instead.
"""

import pathlib
import re

GENLET = pathlib.Path(__file__).resolve().parent.parent / "genlet"
BENCHMARKS = GENLET.parent / "benchmarks"
MARK = re.compile(r"# inlined copy of (.+?): (benchmarks/\w+\.py)")


def marks():
    found = []
    for path in sorted(GENLET.rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if "inlined copy" in line:
                found.append((path.relative_to(GENLET.parent).as_posix(), number, MARK.search(line)))
    return found


def test_at_most_two_marked_copies_each_naming_its_benchmark():
    found = marks()
    assert len(found) <= 2, found
    for where, number, match in found:
        assert match is not None, "%s:%d: write `# inlined copy of X: benchmarks/Y.py`" % (where, number)
        assert (GENLET.parent / match.group(2)).is_file(), "%s:%d names no benchmark file" % (where, number)


def test_the_two_are_the_switch_and_the_spawn():
    assert [(where, match.group(2)) for where, _, match in marks()] == [
        ("genlet/kernel/loop.py", "benchmarks/switch.py"),
        ("genlet/kernel/spawning.py", "benchmarks/spawn.py"),
    ]


def test_a_kernel_has_no_property_or_descriptor_for_micropython():
    """On MicroPython, a class with a property (or any descriptor) anywhere among its bases
    looks every attribute store up in the class and each base before storing it; the run loop
    stores ``self.current`` at every step. So no class a Kernel is made of defines one: its
    public names are methods and plain attributes (``kernel.has_waker()``, not a property)."""
    from genlet.kernel.loop import Kernel

    def accessor(name, value):
        if name in ("__dict__", "__weakref__"):  # CPython's own, not the class's
            return False
        if name in ("__getattr__", "__setattr__", "__delattr__", "__get__", "__set__", "__delete__"):
            return True
        return isinstance(value, property) or hasattr(type(value), "__set__")

    found = [
        "%s.%s" % (cls.__name__, name)
        for cls in Kernel.__mro__[:-1]  # (not object)
        for name, value in vars(cls).items()
        if accessor(name, value)
    ]
    assert found == [], found


def test_a_kernel_has_at_most_29_instance_attributes():
    """CPython 3.11 keeps at most 29 instance attributes in the compact layout a class's
    instances share, and the run loop's reads and stores of a kernel's attributes are
    specialized for that layout. A 30th (the Ctrl-C wakeup, stored on the kernel during
    ``run``) gave every Kernel a dict of its own, where each read is slower (``ping-pong``)."""
    import signal
    import threading

    import genlet
    from genlet.kernel.running import running_kernel

    if threading.current_thread() is not threading.main_thread():
        return
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # so run() handles Ctrl-C
    kernels = []

    def child(channel):
        yield from channel.send((yield from genlet.sleep(0.001)))

    def main():
        kernels.append(running_kernel())
        channel = genlet.Channel()
        task = genlet.spawn(child, channel)
        yield from channel.recv()
        yield from task.join()

    genlet.run(main)
    names = sorted(vars(kernels[0]))
    assert len(names) <= 29, names
