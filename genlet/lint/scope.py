# genlet/lint/scope.py
"""Scopes and names: what a name in a module stands for, as far as the source alone can tell.

The lint flags a call only when it knows what is called, so every name is resolved as Python
would: the function's own names first (parameters, assignments, imports, nested ``def``s,
loop targets...), then the enclosing functions', then the module's, then the builtins; a
class body's names are seen by that body only. A name bound twice in one scope to different
things is "unknown", and an unknown name is never flagged: the lint prefers to miss a mistake
than to accuse correct code.
"""

import ast
import builtins
from typing import Dict, Iterator, List, Optional, Set, Union

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda]
ScopeNode = Union[ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef]
_NEW_SCOPE = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
BUILTINS = frozenset(dir(builtins))


class Binding:
    """What a name stands for: ``kind`` is "import" (``value``: the dotted name imported),
    "genfunc" (``value``: an undecorated generator function's def), "object" (``value``: the
    genlet type it was made as) or "unknown"."""

    __slots__ = ("kind", "value")

    def __init__(self, kind: str, value: "object" = None) -> None:
        self.kind = kind
        self.value = value

    def same(self, other: "Binding") -> bool:
        """Two bindings of one name that agree (two generator defs of it count as one)."""
        if self.kind != other.kind:
            return False
        return self.kind == "genfunc" or self.value == other.value


UNKNOWN = Binding("unknown")


class Scope:
    """One module, class or function body: its binding statements, its parent, its kind."""

    def __init__(self, node: "ScopeNode", parent: "Optional[Scope]") -> None:
        self.node = node
        self.parent = parent
        # name -> what binds it: a node (an assignment, a def, a parameter...) or, for an
        # import, the Binding it makes
        self.sources = {}  # type: Dict[str, List[Union[ast.AST, Binding]]]
        self.is_generator = False
        self.yields = []  # type: List[ast.Yield]  # its own ``yield`` expressions
        self.declared_outside = set()  # type: Set[str]  # global / nonlocal names
        self.claimed = set()  # type: Set[int]  # ids of Name targets bound by their Assign
        self.memo = {}  # type: Dict[str, Binding]

    @property
    def is_function(self) -> bool:
        return not isinstance(self.node, (ast.Module, ast.ClassDef))

    def bind(self, name: str, source: "Union[ast.AST, Binding]") -> None:
        self.sources.setdefault(name, []).append(source)


def is_generator_def(node: "ast.AST") -> bool:
    """An undecorated plain ``def`` whose own body yields: calling it only makes a generator.

    Discussion: a decorator may turn the generator into anything (``contextmanager``,
    ``property``, a registry that returns the function unchanged): the lint cannot know,
    so a decorated function is never taken for a generator function.
    """
    if not isinstance(node, ast.FunctionDef) or node.decorator_list:
        return False
    return any(isinstance(child, (ast.Yield, ast.YieldFrom)) for child in walk_own(node.body))


def walk_own(nodes: "List[ast.stmt]") -> "Iterator[ast.AST]":
    """Every node in ``nodes`` that belongs to their scope: not the bodies of nested
    functions, lambdas and classes (their decorators, defaults and bases are included)."""
    stack = list(reversed(nodes))  # type: List[ast.AST]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(list(_own_children(node))))


def _own_children(node: "ast.AST") -> "Iterator[ast.AST]":
    """The children of ``node`` evaluated in the scope ``node`` is in."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        yield from node.decorator_list
        yield from _defaults(node.args)
        if node.returns is not None:
            yield node.returns
    elif isinstance(node, ast.Lambda):
        yield from _defaults(node.args)
    elif isinstance(node, ast.ClassDef):
        yield from node.decorator_list
        yield from node.bases
        yield from node.keywords
    else:
        yield from ast.iter_child_nodes(node)


def assigned_name(node: "ast.AST") -> "Optional[ast.Name]":
    """The one name a plain ``name = value`` (or ``name: T = value``) assigns, else None."""
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]  # type: ast.AST
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        target = node.target
    else:
        return None
    return target if isinstance(target, ast.Name) else None


def _defaults(args: "ast.arguments") -> "Iterator[ast.AST]":
    yield from args.defaults
    yield from (d for d in args.kw_defaults if d is not None)


def all_args(args: "ast.arguments") -> "List[ast.arg]":
    """Every parameter of a function, of every kind."""
    found = list(getattr(args, "posonlyargs", [])) + list(args.args) + list(args.kwonlyargs)
    found.extend(a for a in (args.vararg, args.kwarg) if a is not None)
    return found


def build_scopes(tree: "ast.Module") -> "Dict[ast.AST, Scope]":
    """A Scope for the module and for each function, lambda and class in it, by node."""
    scopes = {}  # type: Dict[ast.AST, Scope]
    pending = [(tree, None)]  # type: List[tuple[ScopeNode, Optional[Scope]]]
    while pending:
        node, parent = pending.pop()
        scope = Scope(node, parent)
        scopes[node] = scope
        if isinstance(node, ast.Lambda):
            body = [ast.Expr(node.body)]  # type: List[ast.stmt]
        else:
            body = node.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for arg in all_args(node.args):
                scope.bind(arg.arg, arg)
        for child in walk_own(body):
            _record(scope, child)
            if isinstance(child, _NEW_SCOPE) and child is not node:
                pending.append((child, scope))
    return scopes


def _record(scope: Scope, node: "ast.AST") -> None:
    """Note what ``node`` binds in ``scope``, and whether it makes the scope a generator."""
    if isinstance(node, (ast.Yield, ast.YieldFrom)):
        scope.is_generator = True
        if isinstance(node, ast.Yield):
            scope.yields.append(node)
    elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
        if id(node) not in scope.claimed:
            scope.bind(node.id, node)
    elif isinstance(node, (ast.Assign, ast.AnnAssign)):
        target = assigned_name(node)
        if target is not None:
            scope.claimed.add(id(target))
            scope.bind(target.id, node)
    elif isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name):
        scope.claimed.add(id(node.optional_vars))
        scope.bind(node.optional_vars.id, node)
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        scope.bind(node.name, node)
    elif isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                scope.bind(alias.asname, Binding("import", alias.name))
            else:  # ``import genlet.io`` binds ``genlet``
                scope.bind(alias.name.split(".")[0], Binding("import", alias.name.split(".")[0]))
    elif isinstance(node, ast.ImportFrom):
        for alias in node.names:
            made = Binding("import", "%s.%s" % (node.module, alias.name)) if not node.level else UNKNOWN
            scope.bind(alias.asname or alias.name, made)  # ``*``: names this module cannot see
    elif isinstance(node, (ast.Global, ast.Nonlocal)):
        scope.declared_outside.update(node.names)
    elif isinstance(node, ast.ExceptHandler) and node.name:
        scope.bind(node.name, node)
    else:
        for field in ("name", "rest"):  # match patterns (3.10+): MatchAs, MatchStar, MatchMapping
            name = getattr(node, field, None)
            if isinstance(name, str) and type(node).__name__.startswith("Match"):
                scope.bind(name, node)
