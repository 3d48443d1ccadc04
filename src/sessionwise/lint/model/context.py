"""One checked file, with the project index: what each rule asks about its functions."""

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sessionwise.lint.findings import DESCRIBED_ONLY, Edit, Finding, Fix
from sessionwise.lint.model.index import ProjectIndex
from sessionwise.lint.model.resolve import Resolver, Scope
from sessionwise.lint.model.summary import (
    ROUTE_METHODS,
    WEBSOCKET_METHODS,
    FunctionFacts,
    ModuleSummary,
)
from sessionwise.lint.model.values import Alias, Session, SessionScope
from sessionwise.lint.syntax.nodes import Function, dotted_tail, own_nodes

INJECTED = {
    "Request",
    "WebSocket",
    "HTTPConnection",
    "BackgroundTasks",
    "Response",
    "SecurityScopes",
}
MIDDLEWARE_BASES = {"BaseHTTPMiddleware"}


@dataclass
class FileContext:
    path: Path
    tree: ast.Module
    summary: ModuleSummary
    index: ProjectIndex
    resolver: Resolver
    nodes: dict[str, Function] = field(default_factory=dict)
    parents: dict[int, ast.AST] = field(default_factory=dict)
    _calls: list[ast.Call] | None = None
    _own: dict[int, list[ast.AST]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._collect(self.tree.body, prefix="", in_class=False)

    def parent(self, node: ast.AST) -> ast.AST | None:
        self._walk()
        return self.parents.get(id(node))

    def _walk(self) -> None:
        """One walk of the tree, on first use: the parent of each node, and the calls."""
        if self._calls is not None:
            return
        self._calls = []
        for parent in ast.walk(self.tree):
            for child in ast.iter_child_nodes(parent):
                self.parents[id(child)] = parent
            if isinstance(parent, ast.Call):
                self._calls.append(parent)

    def own(self, function: Function) -> list[ast.AST]:
        if id(function) not in self._own:
            self._own[id(function)] = own_nodes(function)
        return self._own[id(function)]

    def calls_named(self, names: set[str]) -> Iterator[ast.Call]:
        """Calls whose callee is spelled with one of `names` or a local alias of a library
        name ending so (`from sqlalchemy import create_engine as ce`)."""
        local = names | {
            alias
            for alias, qualified in self.summary.imports.items()
            if qualified.rpartition(".")[2] in names
        }
        self._walk()
        for node in self._calls or []:
            func = node.func
            tail = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if tail in local:
                yield node

    def _collect(self, body: list[ast.stmt], prefix: str, in_class: bool) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef) and not prefix:
                self._collect(node.body, prefix=f"{node.name}.", in_class=True)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self._collect_function(node, f"{prefix}{node.name}")
            elif isinstance(node, ast.If | ast.Try) and not in_class:
                blocks = [node.body, node.orelse]
                if isinstance(node, ast.Try):
                    blocks += [node.finalbody, *[h.body for h in node.handlers]]
                for block in blocks:
                    self._collect(block, prefix, in_class)

    def _collect_function(self, node: Function, qualname: str) -> None:
        self.nodes[qualname] = node
        for child in own_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                self._collect_function(child, f"{qualname}.{child.name}")

    def functions(self) -> Iterator[tuple[FunctionFacts, Function]]:
        for qualname, facts in self.summary.functions.items():
            node = self.nodes.get(qualname)
            if node is not None:
                yield facts, node

    def scope(self, facts: FunctionFacts | None) -> Scope:
        if facts is None:
            return Scope(self.summary)
        return self.resolver.function_scope(facts)

    def enclosing_function(self, node: ast.AST) -> FunctionFacts | None:
        current = self.parent(node)
        while current is not None:
            if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
                for qualname, candidate in self.nodes.items():
                    if candidate is current:
                        return self.summary.functions.get(qualname)
                return None
            current = self.parent(current)
        return None

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        current = self.parent(node)
        while current is not None:
            yield current
            current = self.parent(current)

    def finding(
        self,
        node: ast.AST | tuple[int, int],
        code: str,
        variant: str = "",
        fix: Fix | None = DESCRIBED_ONLY,
    ) -> Finding:
        """A finding at `node`; its fix, display-only (the rule's text alone) unless given."""
        if isinstance(node, tuple):
            line, col = node
        else:
            line, col = getattr(node, "lineno", 1), getattr(node, "col_offset", 0)
        return Finding(self.path, line, col, code, variant, fix=fix)

    def edit(self, node: ast.AST, action: str, *args: str, module: str | None = None) -> Edit:
        """An edit of the construct `node` starts, in this file or in project `module`'s."""
        path = self.index.paths.get(module, self.path) if module else self.path
        return Edit(path, node.lineno, node.col_offset, action, args)  # type: ignore[attr-defined]

    # ----- what kind of function this is
    def is_endpoint(self, facts: FunctionFacts) -> bool:
        for decorator in facts.decorators:
            if (
                isinstance(decorator, ast.Call)
                and isinstance(decorator.func, ast.Attribute)
                and decorator.func.attr in ROUTE_METHODS | WEBSOCKET_METHODS
            ):
                return True
        return facts.key in self.index.endpoints

    def is_middleware(self, facts: FunctionFacts) -> bool:
        for decorator in facts.decorators:
            if isinstance(decorator, ast.Call) and dotted_tail(decorator) == "middleware":
                return True
        if facts.owner and facts.qualname.endswith(".dispatch"):
            owner = self.summary.classes.get(facts.owner)
            return owner is not None and any(
                dotted_tail(base) in MIDDLEWARE_BASES for base in owner.bases
            )
        return False

    def is_dependency(self, facts: FunctionFacts) -> bool:
        """Named in a `Depends(...)` somewhere in the project, or a generator that yields a
        session and whose parameters FastAPI could fill (the usual `get_db`)."""
        if facts.key in self.index.depends_uses:
            return True
        if not facts.is_generator or facts.owner is not None or "." in facts.qualname:
            return False
        if facts.decorator_names() or facts.key in self.index.called:
            return False  # @contextmanager, @pytest.fixture, a helper other code calls
        if not all(self.injectable(facts, p.annotation, p.default) for p in facts.params):
            return False
        return (
            isinstance(self.yielded(facts), Session)
            or self.resolver.commits_after_yield(facts, None, 0) is not None
        )

    def injectable(
        self, facts: FunctionFacts, annotation: ast.expr | None, default: ast.expr | None
    ) -> bool:
        if self.resolver.dependency_default(default, self.scope(facts), 0) is not None:
            return True
        if annotation is not None and dotted_tail(annotation) in INJECTED:
            return True
        if annotation is not None:
            return isinstance(self.resolver.annotation(annotation, self.scope(facts), 0), Alias)
        return False

    def never_called(self, facts: FunctionFacts | None) -> bool:
        """A plain module-level function that no module of the project names (nor a string
        in it): nothing in the project calls it, so it serves no request."""
        if facts is None or facts.owner is not None or "." in facts.qualname or facts.decorators:
            return False
        name = facts.qualname
        return not any(name in module.referenced for module in self.index.modules.values())

    def disposed_after_use(
        self, facts: FunctionFacts | None, node: Function, call: ast.Call
    ) -> bool:
        """The engine `call` creates is disposed in the same plain function (not a generator
        or lifespan, whose engine serves what runs in between): a throw-away engine."""
        if facts is None or facts.is_generator:
            return False
        parent = self.parent(call)
        if not isinstance(parent, ast.Assign | ast.AnnAssign):
            return False
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        names = {t.id for t in targets if isinstance(t, ast.Name)}
        return any(
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr == "dispose"
            and isinstance(n.func.value, ast.Name)
            and n.func.value.id in names
            for n in self.own(node)
        )

    def function_node(self, facts: FunctionFacts | None) -> Function | None:
        return self.nodes.get(facts.qualname) if facts is not None else None

    def per_request(self, facts: FunctionFacts) -> bool:
        return self.is_endpoint(facts) or self.is_dependency(facts) or self.is_middleware(facts)

    def yielded(self, facts: FunctionFacts) -> object:
        return self.resolver.yielded(facts, None, 0)

    def opened_here(self, facts: FunctionFacts, value: ast.expr) -> bool:
        """`value` is a session this function opened: a call, or a local name bound to one
        (not a parameter, not an attribute such as `request.state.db`)."""
        if isinstance(value, ast.Call):
            return isinstance(self.resolver.value(value, self.scope(facts)), Session)
        if not isinstance(value, ast.Name) or value.id not in facts.env:
            return False
        if any(p.name == value.id for p in facts.params):
            return False
        bindings = [b for b in facts.env[value.id] if b.via != "annotation"]
        return (
            bool(bindings)
            and all(isinstance(b.value, ast.Call) for b in bindings)
            and isinstance(self.resolver.value(value, self.scope(facts)), Session)
        )

    def session_kind(self, found: object) -> str | None:
        if isinstance(found, SessionScope):
            found = found.session
        if isinstance(found, Alias):
            found = found.value
        return found.kind if isinstance(found, Session) else None
