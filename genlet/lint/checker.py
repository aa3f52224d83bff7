# genlet/lint/checker.py
"""The checks: GL001 to GL004, on one module's syntax tree.

- GL001: a generator made and dropped: ``helper()`` or ``genlet.sleep(1)`` as a statement, or
  assigned to a name that is never read. Its body never runs (for genlet's operations: the
  wait was registered, or the lock taken, and never waited for).
- GL002: ``yield genlet.sleep(1)``: an operation yielded where ``yield from`` was meant.
- GL003: a call that blocks the whole kernel (``time.sleep``) inside a task.
- GL004: ``async def`` / ``await`` in a module that uses genlet.
"""

import ast
import re
from typing import Dict, Iterator, List, Optional, Tuple, Union

from .resolve import Operation, Resolver
from .scope import Scope, assigned_name, build_scopes
from .table import blocking_replacement

CODES = {
    "GL001": "a generator made and dropped (a missing `yield from`)",
    "GL002": "an operation yielded with `yield` where `yield from` was meant",
    "GL003": "a call that blocks the whole kernel, inside a task",
    "GL004": "`async def` / `await` in a module that uses genlet",
}


class Finding:
    """One mistake: where (``line``, 1-based ``col`` as flake8 prints it), its code, the message."""

    __slots__ = ("line", "col", "code", "message")

    def __init__(self, line: int, col: int, code: str, message: str) -> None:
        self.line = line
        self.col = col
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return "Finding(%d, %d, %r, %r)" % (self.line, self.col, self.code, self.message)

    def format(self, path: str) -> str:
        """``path:line:col: GL001 message``, as flake8 prints it."""
        return "%s:%d:%d: %s %s" % (path, self.line, self.col, self.code, self.message)


def check_tree(tree: "ast.Module") -> "List[Finding]":
    """Every finding in a parsed module, in the order of the source."""
    scopes = build_scopes(tree)
    checker = _Checker(Resolver(scopes, tree), uses_genlet(tree))
    for node, scope in _walk_scoped(tree, scopes):
        checker.visit(node, scope)
    return sorted(checker.findings, key=lambda f: (f.line, f.col, f.code))


def check_source(source: "Union[str, bytes]", filename: str = "<source>") -> "List[Finding]":
    """Every finding in ``source`` that no ``# noqa`` comment silences; SyntaxError if it
    cannot be parsed."""
    tree = ast.parse(source, filename)
    text = source.decode("utf-8", "replace") if isinstance(source, bytes) else source
    lines = re.split(r"\r\n|\r|\n", text)  # as the parser counts lines (not str.splitlines)
    return [f for f in check_tree(tree) if not silenced(f, lines)]


_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.I)


def silenced(finding: Finding, lines: "List[str]") -> bool:
    """Whether the finding's line carries ``# noqa`` (bare) or ``# noqa: GL001[, ...]``
    naming its code (a prefix such as ``GL`` counts, as in flake8)."""
    if not 0 < finding.line <= len(lines):
        return False
    for match in _NOQA.finditer(lines[finding.line - 1]):
        codes = match.group("codes")
        if codes is None or any(finding.code.startswith(c.upper()) for c in re.split(r"[,\s]+", codes)):
            return True
    return False


def uses_genlet(tree: "ast.Module") -> bool:
    """Whether the module imports genlet (or any part of it), anywhere."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(_is_genlet(a.name) for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and not node.level and _is_genlet(node.module or ""):
            return True
    return False


def _is_genlet(module: str) -> bool:
    return module == "genlet" or module.startswith("genlet.")


def _walk_scoped(tree: "ast.Module", scopes: "Dict[ast.AST, Scope]") -> "Iterator[Tuple[ast.AST, Scope]]":
    """Every node of the module with the scope its code runs in."""
    stack = [(tree, scopes[tree])]  # type: List[Tuple[ast.AST, Scope]]
    while stack:
        node, scope = stack.pop()
        yield node, scope
        inner = scopes.get(node, scope)
        for child in reversed(list(ast.iter_child_nodes(node))):
            stack.append((child, scope if _evaluated_outside(node, child) else inner))


def _evaluated_outside(parent: "ast.AST", child: "ast.AST") -> bool:
    """Whether ``child`` of a def, lambda or class runs in the enclosing scope (decorators,
    defaults, bases), not in the new one."""
    if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        args = parent.args
        outside = list(args.defaults) + [d for d in args.kw_defaults if d is not None]
        outside.extend(getattr(parent, "decorator_list", []))
        return any(child is n for n in outside) or child is getattr(parent, "returns", None)
    if isinstance(parent, ast.ClassDef):
        return any(child is n for n in parent.decorator_list + parent.bases + list(parent.keywords))
    return False


def _shown(node: "ast.AST", limit: int = 48) -> str:
    """``node`` as source, its arguments shortened to ``...`` when the whole is long."""
    text = ast.unparse(node)
    if len(text) > limit and isinstance(node, ast.Call):
        text = ast.unparse(node.func) + "(...)"
    return text


class _Checker:
    """Looks at one node at a time; collects the findings."""

    def __init__(self, resolver: Resolver, genlet_module: bool) -> None:
        self.resolver = resolver
        self.genlet_module = genlet_module
        self.findings = []  # type: List[Finding]

    def report(self, node: "ast.AST", code: str, message: str) -> None:
        line, col = getattr(node, "lineno", 1), getattr(node, "col_offset", 0)
        self.findings.append(Finding(line, col + 1, code, message))

    def visit(self, node: "ast.AST", scope: Scope) -> None:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            self.dropped_call(node.value, scope)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            self.dropped_assignment(node, scope)
        elif isinstance(node, ast.Yield) and isinstance(node.value, ast.Call):
            self.yielded_operation(node, node.value, scope)
        elif isinstance(node, ast.Call):
            self.blocking_call(node, scope)
        elif self.genlet_module:
            self.async_syntax(node)

    def operation(self, call: "ast.Call", scope: Scope) -> "Optional[Operation]":
        return self.resolver.operation(call, scope)

    def is_task(self, scope: Scope) -> bool:
        """Whether ``scope`` looks like a task: a generator function that yields no data.

        Discussion: a task yields only to the kernel (bare ``yield``, ``yield from``); a
        generator that yields values (``yield b"tick"``: a WSGI body, an iterator) is consumed
        by a loop somewhere, maybe in a thread, and is not judged as a task. A yielded
        operation (GL002) is a task's mistake, so it still counts as a task.
        """
        if not (scope.is_function and scope.is_generator):
            return False
        for node in scope.yields:
            value = node.value
            if value is None or (isinstance(value, ast.Constant) and value.value is None):
                continue
            if not (isinstance(value, ast.Call) and self.operation(value, scope) is not None):
                return False
        return True

    # -- GL001 ---------------------------------------------------------------------------------
    def dropped_call(self, call: "ast.Call", scope: Scope) -> None:
        operation = self.operation(call, scope)
        if operation is None:
            return
        shown = _shown(call)
        if operation.local:
            why = "makes a generator and drops it, so its body never runs"
        else:
            why = "is a blocking operation called without waiting for it"
        self.report(call, "GL001", "`%s` %s: did you mean `yield from %s`?" % (shown, why, shown))

    def dropped_assignment(self, node: "ast.stmt", scope: Scope) -> None:
        target = assigned_name(node)
        value = getattr(node, "value", None)
        if target is None or not isinstance(value, ast.Call):
            return
        operation = self.operation(value, scope)
        if operation is None or self.resolver.name_is_read(target.id, scope.node):
            return
        shown = _shown(value)
        self.report(
            value,
            "GL001",
            "`%s = %s` keeps a generator that is never used, so it never runs: did you mean `%s = yield from %s`?"
            % (target.id, shown, target.id, shown),
        )

    # -- GL002 ---------------------------------------------------------------------------------
    def yielded_operation(self, node: "ast.Yield", call: "ast.Call", scope: Scope) -> None:
        operation = self.operation(call, scope)
        if operation is None or (operation.local and not (self.genlet_module and self.is_task(scope))):
            return  # Discussion: outside a task, a generator of generators is a fair design
        what = "a generator" if operation.local else "an operation"
        shown = _shown(call)
        self.report(
            node,
            "GL002",
            "`yield %s` hands the kernel %s instead of running it: did you mean `yield from %s`?" % (shown, what, shown),
        )

    # -- GL003 ---------------------------------------------------------------------------------
    def blocking_call(self, call: "ast.Call", scope: Scope) -> None:
        if not (self.genlet_module and self.is_task(scope)):
            return
        qualname = self.resolver.qualname(call.func, scope) or ""
        replacement = blocking_replacement(qualname)
        if replacement is None:
            return
        called = qualname[len("builtins.") :] if qualname.startswith("builtins.") else qualname
        why = "blocks the whole kernel (every task waits until it returns)"
        self.report(call, "GL003", "`%s()` %s: in a task, use %s" % (called, why, replacement))

    # -- GL004 ---------------------------------------------------------------------------------
    def async_syntax(self, node: "ast.AST") -> None:
        if isinstance(node, ast.comprehension):
            if node.is_async:
                self.report(node.target, "GL004", _ASYNC["comprehension"])
            return
        message = _ASYNC.get(type(node).__name__)
        if message is not None:
            self.report(node, "GL004", message)


_PLAIN = "genlet tasks are plain generators"
_ASYNC = {
    "AsyncFunctionDef": "`async def` in a module that uses genlet: %s; write `def`, and `yield from` where you would `await`"
    % _PLAIN,
    "Await": "`await` in a module that uses genlet: %s; write `yield from`" % _PLAIN,
    "AsyncFor": "`async for` in a module that uses genlet: %s; write `for`, and `yield from` each operation" % _PLAIN,
    "AsyncWith": "`async with` in a module that uses genlet: %s; write `with` (`with (yield from lock):`)" % _PLAIN,
    "comprehension": "`async for` in a comprehension, in a module that uses genlet: %s; loop with `for`" % _PLAIN,
}
