# tests/portable/run.py
"""Run the golden-output scripts beside this file; compare what each prints with ``name.py.exp``.

The same scripts run under CPython (``tests/test_portable.py`` runs each one as a program) and
under MicroPython, which has no ``subprocess``: this runner executes each script in its own
namespace, with a ``print`` that records the lines, and compares them with the expected ones.
A script that needs something the interpreter lacks (sockets on the WebAssembly port) prints
``SKIP`` and stops, MicroPython's convention. Works on CPython too.

    MICROPYPATH=. bash ../shared/tools/micropython tests/portable/run.py [name ...]
    PYTHONPATH=. python3 tests/portable/run.py [name ...]
    PYTHONPATH=. python3 tests/portable/run.py --write [name ...]   # record name.py.exp
    python3 tests/portable/run.py --dir examples/walkthrough [--write] [name ...]  # another folder
                                    (there, only the scripts with a name.py.exp are run)

The last line is ``portable: N passed, M skipped, K failed (interpreter)``; the exit status
is 1 if any script failed.
"""

import os
import sys

HERE = sys.path[0] if sys.path and sys.path[0] else "."
OTHER_DIR = False  # --dir: only the scripts with a .py.exp beside them are golden-output ones


def scripts(names):
    """The golden-output scripts to run: every ``*.py`` here but this one and ``_helpers``.

    Discussion: in another folder (``--dir``), only the scripts with a ``.py.exp`` count:
    examples/gevent/ also holds a chat server, a program that serves until it is stopped.
    A script named on the command line counts anyway (to record its first .py.exp).
    """
    found = []
    listed = os.listdir(HERE)
    for name in listed:
        if name.endswith(".py") and name != "run.py" and not name.startswith("_"):
            if not OTHER_DIR or name + ".exp" in listed or name[:-3] in names:
                found.append(name[:-3])
    found.sort()
    if names:
        missing = [n for n in names if n not in found]
        if missing:
            raise SystemExit("run.py: no such script: %s" % ", ".join(missing))
        found = [n for n in found if n in names]
    return found


def read(path):
    with open(path) as f:
        return f.read()


def run_script(name):
    """Execute ``name.py``; return (lines it printed, the error that stopped it or None)."""
    lines = []

    def captured_print(*args, sep=" ", end="\n", file=None):
        if file is not None and file is not sys.stdout:
            print(*args, sep=sep, end=end, file=file)  # stderr: let it through
        else:
            lines.append(sep.join([str(a) for a in args]) + end)

    path = HERE + "/" + name + ".py"
    namespace = {"__name__": "__main__", "__file__": path, "print": captured_print}
    error = None
    try:
        exec(compile(read(path), path, "exec"), namespace)
    except SystemExit as stop:
        if stop.args and stop.args[0] not in (0, None):
            error = stop
    except BaseException as exc:  # noqa: B036 - a runner reports everything
        error = exc
    return "".join(lines), error


def print_error(error):
    if hasattr(sys, "print_exception"):
        sys.print_exception(error)  # MicroPython
    else:
        import traceback

        traceback.print_exception(type(error), error, error.__traceback__)


def show_difference(expected, got):
    want, have = expected.split("\n"), got.split("\n")
    for index in range(max(len(want), len(have))):
        a = want[index] if index < len(want) else "<nothing>"
        b = have[index] if index < len(have) else "<nothing>"
        if a != b:
            print("    first difference at line %d:" % (index + 1))
            print("      expected: %r" % a)
            print("      got:      %r" % b)
            break
    print("    --- got ---")
    for line in have:
        print("    | " + line)


def interpreter():
    impl = sys.implementation
    version = ".".join([str(n) for n in impl.version[:3]])
    machine = getattr(impl, "_machine", "")
    port = " webassembly" if "Emscripten" in machine else (" unix" if impl.name == "micropython" else "")
    return "%s %s%s" % (impl.name, version, port)


def expected_output(name):
    try:
        return read(HERE + "/" + name + ".py.exp")
    except OSError:
        return "<%s.py.exp is missing: make it with `python3 tests/portable/run.py --write %s`>" % (name, name)


def write_expected(names):
    """``--write``: record what this interpreter prints as the expected output (use CPython)."""
    for name in scripts(names):
        got, error = run_script(name)
        if error is not None:
            print_error(error)
            return 1
        with open(HERE + "/" + name + ".py.exp", "w") as f:
            f.write(got)
        print("wrote %s.py.exp (%d lines)" % (name, got.count("\n")))
    return 0


def main(argv):
    global HERE, OTHER_DIR
    if argv and argv[0] == "--dir":  # the scripts of another folder (the walkthrough's steps)
        HERE, argv, OTHER_DIR = argv[1], argv[2:], True
    if argv and argv[0] == "--write":
        return write_expected(argv[1:])
    passed, skipped, failed = [], [], []
    for name in scripts(argv):
        got, error = run_script(name)
        if error is None and got == "SKIP\n":
            skipped.append(name)
            print("SKIP  " + name)
            continue
        expected = expected_output(name)
        if error is None and got == expected:
            passed.append(name)
            print("PASS  " + name)
            continue
        failed.append(name)
        print("FAIL  " + name)
        if error is not None:
            print_error(error)
        show_difference(expected, got)
    print(
        "portable: %d passed, %d skipped, %d failed (%s)"
        % (len(passed), len(skipped), len(failed), interpreter())
        + (": " + ", ".join(failed) if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
