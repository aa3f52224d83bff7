# genlet/lint/resolve.py
"""What an expression is, as far as the source tells: a dotted name from an import, a genlet
object (a Channel, a Task...), or a call that makes a generator (an operation to ``yield from``).
"""

import ast
from typing import Dict, List, Optional, Set, Tuple, Union

from .scope import BUILTINS, UNKNOWN, Binding, Scope, all_args, assigned_name, is_generator_def, walk_own
from .table import ENTERED_AS_ITSELF, MAKERS, METHODS, OPERATIONS, RESULTS, genlet_name

_IN_PROGRESS = Binding("unknown", "in progress")
BLOCKING_METHODS = frozenset(name for names in METHODS.values() for name in names)


class Operation:
    """A call that only makes a generator: ``text`` is the callee as written (``ch.recv``),
    ``local`` tells a generator function of this module from a genlet operation, ``result``
    the genlet type ``yield from`` gives (``open_connection``: "Stream"), if the lint follows it."""

    __slots__ = ("text", "local", "result")

    def __init__(self, text: str, local: bool, result: "Optional[str]" = None) -> None:
        self.text = text
        self.local = local
        self.result = result


class Resolver:
    """Answers questions about names and calls in one module, given its scopes."""

    def __init__(self, scopes: "Dict[ast.AST, Scope]", module: "ast.Module") -> None:
        self.scopes = scopes
        self.module = scopes[module]
        self._attributes = {}  # type: Dict[Tuple[int, str], Optional[str]]
        self._class_stores = {}  # type: Dict[int, Dict[str, List[Tuple[Optional[ast.expr], Scope]]]]

    # -- names -------------------------------------------------------------------------------
    def lookup(self, name: str, scope: Scope) -> Binding:
        """What ``name`` stands for where ``scope``'s code reads it (Python's scoping rules)."""
        current = scope  # type: Optional[Scope]
        first = True
        while current is not None:
            visible = first or not isinstance(current.node, ast.ClassDef)
            if visible and name in current.sources and name not in current.declared_outside:
                return self.binding_in(current, name)
            first = False
            current = current.parent
        if "*" in self.module.sources:
            return UNKNOWN  # ``from x import *``: the name may come from there
        return Binding("import", "builtins." + name) if name in BUILTINS else UNKNOWN

    def binding_in(self, scope: Scope, name: str) -> Binding:
        """The binding of ``name`` in ``scope``: what all its binding statements agree on."""
        found = scope.memo.get(name)
        if found is not None:
            return found
        scope.memo[name] = _IN_PROGRESS  # a name defined through itself stays unknown
        merged = None  # type: Optional[Binding]
        for source in scope.sources[name]:
            binding = self._binding_of(source, scope)
            if merged is None:
                merged = binding
            elif not merged.same(binding):
                merged = UNKNOWN
                break
        scope.memo[name] = merged or UNKNOWN
        return scope.memo[name]

    def _binding_of(self, source: "Union[ast.AST, Binding]", scope: Scope) -> Binding:
        if isinstance(source, Binding):
            return source
        if is_generator_def(source):
            return Binding("genfunc", source)
        made = None  # type: Optional[str]
        if isinstance(source, (ast.Assign, ast.AnnAssign)) and source.value is not None:
            made = self.object_type(source.value, scope)
        elif isinstance(source, ast.withitem):  # ``with genlet.http.Client() as client:``
            made = self.object_type(source.context_expr, scope)
            made = made if made in ENTERED_AS_ITSELF else None
        elif isinstance(source, ast.arg) and source.annotation is not None:
            made = self.annotated_type(source.annotation, scope.parent or scope)
        return UNKNOWN if made is None else Binding("object", made)

    def annotated_type(self, annotation: "ast.AST", scope: Scope) -> "Optional[str]":
        """The genlet type a parameter is annotated with (``stream: genlet.io.Stream``, also
        quoted), else None."""
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                annotation = ast.parse(annotation.value, mode="eval").body
            except SyntaxError:
                return None
        found = genlet_name(self.qualname(annotation, scope) or "")
        return found[1] if found is not None and found[1] in METHODS else None

    def qualname(self, expr: "ast.AST", scope: Scope) -> "Optional[str]":
        """The dotted name ``expr`` reads through an import (``g.io.open_connection`` after
        ``import genlet as g``: "genlet.io.open_connection"), else None."""
        if isinstance(expr, ast.Name):
            binding = self.lookup(expr.id, scope)
            return binding.value if binding.kind == "import" else None  # type: ignore[return-value]
        if isinstance(expr, ast.Attribute):
            base = self.qualname(expr.value, scope)
            return None if base is None else base + "." + expr.attr
        return None

    # -- objects and operations ----------------------------------------------------------------
    def object_type(self, expr: "ast.AST", scope: Scope) -> "Optional[str]":
        """The genlet type of what ``expr`` gives (``genlet.Channel()``: "Channel"), else None."""
        if isinstance(expr, ast.Name):
            binding = self.lookup(expr.id, scope)
            return binding.value if binding.kind == "object" else None  # type: ignore[return-value]
        if isinstance(expr, ast.Attribute):
            cls = self.self_class(expr.value, scope)
            return None if cls is None else self.attribute_type(cls, expr.attr)
        if isinstance(expr, ast.YieldFrom) and isinstance(expr.value, ast.Call):
            operation = self.operation(expr.value, scope)
            return operation.result if operation is not None else None
        if isinstance(expr, ast.Call):
            found = genlet_name(self.qualname(expr.func, scope) or "")
            if found is not None:
                return MAKERS[found[0]].get(found[1])
        return None

    def operation(self, call: "ast.Call", scope: Scope) -> "Optional[Operation]":
        """The Operation ``call`` is, if it only makes a generator, else None."""
        func = call.func
        if isinstance(func, ast.Name):
            binding = self.lookup(func.id, scope)
            if binding.kind == "genfunc":
                return Operation(func.id, True)
        found = genlet_name(self.qualname(func, scope) or "")
        if found is not None:
            family, name = found
            if name in OPERATIONS[family]:
                return Operation(ast.unparse(func), False, RESULTS.get(name))
            return None
        if isinstance(func, ast.Attribute):
            made = self.object_type(func.value, scope) if func.attr in BLOCKING_METHODS else None
            if made is not None and func.attr in METHODS[made]:
                return Operation(ast.unparse(func), False, RESULTS.get(made + "." + func.attr))
            if self._own_generator_method(func, scope):
                return Operation(ast.unparse(func), True)
        return None

    def _own_generator_method(self, func: "ast.Attribute", scope: Scope) -> bool:
        """``self.step()`` in a method, where ``step`` is a generator function of that class."""
        cls = self.self_class(func.value, scope)
        return cls is not None and func.attr in cls.sources and self.binding_in(cls, func.attr).kind == "genfunc"

    def self_class(self, expr: "ast.AST", scope: Scope) -> "Optional[Scope]":
        """The class whose method ``scope`` is, if ``expr`` is that method's ``self``.

        Discussion: only the method's own first parameter, never rebound, and not in a
        ``staticmethod``; then ``self.step`` is what the class body defines (a subclass may
        override it: the lint takes the class at its word).
        """
        node, parent = scope.node, scope.parent
        if not isinstance(expr, ast.Name) or parent is None or not isinstance(parent.node, ast.ClassDef):
            return None
        if not isinstance(node, ast.FunctionDef) or any(_is_name(d, "staticmethod") for d in node.decorator_list):
            return None
        params = all_args(node.args)
        if not params or params[0].arg != expr.id or len(scope.sources[expr.id]) != 1:
            return None
        return parent

    def attribute_type(self, cls: Scope, attr: str) -> "Optional[str]":
        """The genlet type of ``self.<attr>`` in class ``cls``: what every ``self.<attr> = ...``
        in its methods makes, if they all agree (a Channel made in ``__init__``), else None."""
        key = (id(cls), attr)
        if key not in self._attributes:
            self._attributes[key] = None  # a self.x made from self.x stays unknown
            made = set()  # type: Set[Optional[str]]
            for value, method in self._stores(cls).get(attr, []):
                made.add(None if value is None else self.object_type(value, method))
            self._attributes[key] = made.pop() if len(made) == 1 else None
        return self._attributes[key]

    def _stores(self, cls: Scope) -> "Dict[str, List[Tuple[Optional[ast.expr], Scope]]]":
        """Every store to ``self.<attr>`` in the methods of ``cls``, by attr: the value of a
        plain ``self.x = value``, or None for any other store (``+=``, a loop target)."""
        found = self._class_stores.get(id(cls))
        if found is not None:
            return found
        found = {}
        for method in self.scopes.values():
            if method.parent is not cls or not isinstance(method.node, ast.FunctionDef):
                continue
            values = {}  # type: Dict[int, ast.expr]  # id of a lone target -> its Assign's value
            for node in walk_own(method.node.body):
                if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    if len(targets) == 1:
                        values[id(targets[0])] = node.value
                elif isinstance(node, ast.Attribute) and not isinstance(node.ctx, ast.Load):
                    if self.self_class(node.value, method) is not None:
                        found.setdefault(node.attr, []).append((values.get(id(node)), method))
        self._class_stores[id(cls)] = found
        return found

    def name_is_read(self, name: str, node: "ast.AST") -> bool:
        """Whether ``name`` is read anywhere in ``node`` (nested functions included)."""
        return any(isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load) for n in ast.walk(node))


def _is_name(node: "ast.AST", name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


__all__ = ["Operation", "Resolver", "assigned_name"]
