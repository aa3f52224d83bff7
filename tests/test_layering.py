"""sync/, io/ and http/ stand on the kernel's published API (genlet.kernel.lowlevel) only.

An AST scan: outside genlet/kernel, no code reads or writes a private attribute (a leading
underscore) of a kernel object, nor imports a private name from the kernel. Their own private
attributes are theirs: a name that sync/, io/ or http/ define on their own objects is left
alone, except the slots of a Task, a Kernel and a WaitQueue, which only the kernel touches.
"""

import ast
import pathlib

import pytest

GENLET = pathlib.Path(__file__).resolve().parent.parent / "genlet"
LAYERS = ("sync", "io", "http")
ALWAYS_THE_KERNELS = {  # a Task's, a Kernel's, a WaitQueue's: never one of theirs
    "_name", "_gen", "_kernel", "_value", "_wait", "_timer", "_scopes", "_cancel", "_joiners",
    "_flags", "_ready", "_spare", "_roll", "_timers", "_io", "_waker", "_calls", "_main",
    "_stepping", "_ensure_io", "_abort", "_interrupt", "_len",
}  # fmt: skip


def _private(name):
    return name.startswith("_") and not name.startswith("__")


def _defined(paths):
    """The private names that code in ``paths`` defines: attributes it stores, slots, methods."""
    names = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier():
                names.add(node.value)  # __slots__ entries (and some strings: harmless here)
    return {name for name in names if _private(name)}


def _files(package):
    return sorted((GENLET / package).rglob("*.py"))


def _kernel_private_names():
    return _defined(_files("kernel")) | ALWAYS_THE_KERNELS


def violations(paths, kernel_names, own_names):
    """``file:line what`` for each touch of a kernel object's private attribute."""
    found = []
    for path in paths:
        where = path.name if GENLET.parent not in path.parents else path.relative_to(GENLET.parent).as_posix()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and _private(node.attr) and node.attr in kernel_names:
                base = node.value
                if isinstance(base, ast.Name) and base.id in ("self", "cls"):
                    continue  # its own attribute
                if node.attr in own_names and node.attr not in ALWAYS_THE_KERNELS:
                    continue
                found.append("%s:%d %s" % (where, node.lineno, ast.unparse(node)))
            elif isinstance(node, ast.ImportFrom) and node.module and "kernel" in node.module:
                for alias in node.names:
                    if _private(alias.name) and alias.name != "_typing":
                        found.append("%s:%d imports %s" % (where, node.lineno, alias.name))
                if node.level and node.module.startswith("kernel."):
                    module = node.module.split(".")[1]
                    if _private(module) and module != "_typing":
                        found.append("%s:%d imports from %s" % (where, node.lineno, node.module))
    return found


@pytest.mark.parametrize("layer", LAYERS)
def test_no_private_attribute_of_a_kernel_object_is_touched(layer):
    paths = _files(layer)
    assert violations(paths, _kernel_private_names(), _defined(paths)) == []


def test_the_scan_catches_a_touch(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from ..kernel.task import _JOIN\n"
        "def f(task, queue, self):\n"
        "    task._flags |= 64\n"
        "    self._own = queue._len\n"
    )  # fmt: skip
    kernel_names = _kernel_private_names()
    found = [line.split(" ", 1)[1] for line in violations([bad], kernel_names, {"_own"})]
    assert sorted(found) == ["imports _JOIN", "queue._len", "task._flags"]
