"""What one module tells the rest of the project, extracted from its syntax tree alone.

A `ModuleSummary` keeps only what other modules need to resolve names (imports, module-level
bindings, the facts of each function and class, `Depends(...)` uses, routes registered without
a decorator, values stored on `app.state`). It is small and picklable, so the project index can
be cached (see `cache`) and rebuilt from summaries without parsing unchanged files again.
"""

import ast
import re
from dataclasses import dataclass, field

from sessionwise.lint.syntax.nodes import (
    Function,
    ancestors,
    dotted_tail,
    is_method_call,
    keyword,
    own_nodes,
    walk_outside_functions,
)

ROUTE_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "trace", "api_route"}
WEBSOCKET_METHODS = {"websocket", "websocket_route"}
ROUTE_REGISTRATIONS = {"add_api_route", "add_api_websocket_route", "add_websocket_route"}
CACHE_DECORATORS = {"cache", "lru_cache", "cached_property", "cached"}
OFFLOADERS = {
    "run_in_threadpool",
    "run_sync",
    "to_thread",
    "run_in_executor",
    "sync_to_async",
    "run_sync_in_worker_thread",
}


@dataclass
class Binding:
    """`name = value`, or the `index`-th item of `value` for `a, b = value`; `via` tells how
    the value reaches the name: "=", "with" (`with value as name`) or "for" (`for name in`)."""

    value: ast.expr
    index: int | None = None
    via: str = "="


@dataclass
class Param:
    name: str
    annotation: ast.expr | None
    default: ast.expr | None
    node: ast.arg


@dataclass
class YieldShape:
    """How a generator function hands out what it yields, and what runs after the yield."""

    line: int
    col: int
    enclosing_with: list[ast.expr] = field(default_factory=list)
    closes_in_finally: bool = False
    closes_in_except: bool = False
    closes_after: bool = False
    commit: tuple[int, int, str] | None = None  # line, col, "body" | "else" | "finally"
    delegate: ast.expr | None = None  # `yield from x` / `async for v in x: yield v`


@dataclass
class FunctionFacts:
    module: str
    qualname: str
    line: int
    col: int
    is_async: bool
    decorators: list[ast.expr]
    params: list[Param]
    returns_annotation: ast.expr | None
    env: dict[str, list[Binding]]
    returns: list[ast.expr]
    yields: list[ast.expr]
    yield_shape: YieldShape | None
    calls: list[tuple[ast.Call, bool]]  # calls by name, and whether the result is cached
    offloaded_params: set[str]
    cached: bool
    reads_after_commit: list[ast.expr] = field(default_factory=list)  # the sessions
    owner: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.module, self.qualname)

    @property
    def is_generator(self) -> bool:
        return self.yield_shape is not None

    def decorator_names(self) -> set[str]:
        return {dotted_tail(decorator) for decorator in self.decorators}


@dataclass
class ClassFacts:
    name: str
    bases: list[ast.expr]
    methods: dict[str, str]  # method name -> qualname in the module's functions
    attributes: dict[str, list[Binding]]  # self.x = ..., x: T (annotation as binding)


@dataclass
class StateAssignment:
    attribute: str
    value: ast.expr
    function: str | None  # qualname of the function that assigns it, None at module level


@dataclass
class DependsUse:
    target: ast.expr
    function_scope: bool
    function: str | None
    line: int = 0  # where the Depends(...) call starts
    col: int = 0


@dataclass
class ModuleSummary:
    name: str
    package: str
    imports: dict[str, str] = field(default_factory=dict)
    star_imports: list[str] = field(default_factory=list)
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    annotations: dict[str, ast.expr] = field(default_factory=dict)
    functions: dict[str, FunctionFacts] = field(default_factory=dict)
    classes: dict[str, ClassFacts] = field(default_factory=dict)
    depends: list[DependsUse] = field(default_factory=list)
    routes: list[tuple[ast.expr, str | None]] = field(default_factory=list)
    state: list[StateAssignment] = field(default_factory=list)
    # Every name the module uses (loaded names, attributes, identifiers inside strings such
    # as "app.db:init"): a function no module names is called by nothing in the project.
    referenced: set[str] = field(default_factory=set)


def is_depends_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and dotted_tail(node.func) in {"Depends", "Security"}


def depends_target(call: ast.Call) -> ast.expr | None:
    return call.args[0] if call.args else keyword(call, "dependency")


def is_function_scope(call: ast.Call) -> bool:
    scope = keyword(call, "scope")
    return isinstance(scope, ast.Constant) and scope.value == "function"


def closes(statements: list[ast.stmt]) -> bool:
    return any(
        is_method_call(node, {"close", "aclose", "remove"})
        for statement in statements
        for node in ast.walk(statement)
    )


def summarize(tree: ast.Module, name: str, is_package: bool) -> ModuleSummary:
    package = name if is_package else name.rpartition(".")[0]
    summary = ModuleSummary(name=name, package=package)
    _Summarizer(summary).module(tree)
    summary.referenced = referenced_names(tree)
    return summary


def referenced_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).rpartition(".")[2])
            names.add(node.name.rpartition(".")[2])
        elif (
            isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) < 200
        ):
            names.update(re.findall(r"[A-Za-z_]\w*", node.value))
    return names


class _Summarizer:
    def __init__(self, summary: ModuleSummary) -> None:
        self.summary = summary

    def module(self, tree: ast.Module) -> None:
        outside = [
            n
            for statement in tree.body
            if not isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef)
            for n in walk_outside_functions(statement)
        ]
        for node in outside:
            if isinstance(node, ast.Import | ast.ImportFrom):
                self.record_import(node)
        self.body(tree.body, owner=None)
        self.record_depends(outside, function=None)
        self.record_routes_and_state(outside, function=None)

    def record_import(self, node: ast.Import | ast.ImportFrom) -> None:
        imports = self.summary.imports
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    imports[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    imports[top] = top
            return
        base = node.module or ""
        if node.level:
            parts = self.summary.package.split(".") if self.summary.package else []
            parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
            base = ".".join([*parts, *([base] if base else [])])
        for alias in node.names:
            if alias.name == "*":
                self.summary.star_imports.append(base)
            else:
                imports[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name

    def body(self, statements: list[ast.stmt], owner: ClassFacts | None) -> None:
        for node in statements:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.function(node, owner)
            elif isinstance(node, ast.ClassDef) and owner is None:
                self.class_(node)
            elif isinstance(node, ast.Assign | ast.AnnAssign) and owner is None:
                for target, binding in assignment_bindings(node):
                    if isinstance(target, ast.Name) and target.id != "type":
                        self.summary.bindings.setdefault(target.id, []).append(binding)
                if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                    self.summary.annotations[node.target.id] = node.annotation
            elif type(node).__name__ == "TypeAlias" and owner is None:  # Python >= 3.12
                target = node.name  # type: ignore[attr-defined]
                self.summary.bindings.setdefault(target.id, []).append(Binding(node.value))  # type: ignore[attr-defined]
            elif isinstance(node, ast.If | ast.Try) and owner is None:
                for block in (
                    [node.body, node.orelse]
                    if isinstance(node, ast.If)
                    else [node.body, node.orelse, node.finalbody, *[h.body for h in node.handlers]]
                ):
                    self.body(block, owner=None)

    def class_(self, node: ast.ClassDef) -> None:
        facts = ClassFacts(node.name, list(node.bases), {}, {})
        self.summary.classes[node.name] = facts
        for statement in node.body:
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                facts.attributes.setdefault(statement.target.id, []).append(
                    Binding(statement.annotation, via="annotation")
                )
                if statement.value is not None:
                    facts.attributes[statement.target.id].append(Binding(statement.value))
            elif isinstance(statement, ast.Assign):
                for target, binding in assignment_bindings(statement):
                    if isinstance(target, ast.Name):
                        facts.attributes.setdefault(target.id, []).append(binding)
        self.body(node.body, owner=facts)

    def function(self, node: Function, owner: ClassFacts | None, outer: str = "") -> None:
        qualname = f"{owner.name}.{node.name}" if owner else f"{outer}{node.name}"
        nodes = own_nodes(node)
        for child in nodes:
            if isinstance(child, ast.Import | ast.ImportFrom):
                self.record_import(child)
        facts = function_facts(node, self.summary.name, qualname, nodes)
        facts.owner = owner.name if owner else None
        self.summary.functions[qualname] = facts
        if owner is not None:
            owner.methods[node.name] = qualname
            for child in nodes:
                if isinstance(child, ast.Assign | ast.AnnAssign):
                    for target, binding in assignment_bindings(child):
                        if (
                            isinstance(target, ast.Attribute)
                            and isinstance(target.value, ast.Name)
                            and target.value.id == "self"
                        ):
                            owner.attributes.setdefault(target.attr, []).append(binding)
        signature = [*ast.walk(node.args), *(n for d in node.decorator_list for n in ast.walk(d))]
        self.record_depends([*nodes, *signature], function=qualname)
        self.record_routes_and_state(nodes, function=qualname)
        for child in nodes:
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                self.function(child, owner=None, outer=f"{qualname}.")

    def record_depends(self, nodes: list[ast.AST], function: str | None) -> None:
        for node in nodes:
            if is_depends_call(node):
                assert isinstance(node, ast.Call)
                target = depends_target(node)
                if target is not None:
                    self.summary.depends.append(
                        DependsUse(
                            target, is_function_scope(node), function, node.lineno, node.col_offset
                        )
                    )

    def record_routes_and_state(self, nodes: list[ast.AST], function: str | None) -> None:
        for node in nodes:
            if isinstance(node, ast.Call):
                name = dotted_tail(node.func)
                if name in ROUTE_REGISTRATIONS and len(node.args) >= 2:
                    self.summary.routes.append((node.args[1], function))
                elif name in ROUTE_REGISTRATIONS and keyword(node, "endpoint") is not None:
                    self.summary.routes.append((keyword(node, "endpoint"), function))  # type: ignore[arg-type]
                elif (
                    isinstance(node.func, ast.Call)
                    and dotted_tail(node.func.func) in ROUTE_METHODS | WEBSOCKET_METHODS
                    and node.args
                ):  # app.get("/path")(handler)
                    self.summary.routes.append((node.args[0], function))
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if (
                        isinstance(target, ast.Attribute)
                        and isinstance(target.value, ast.Attribute)
                        and target.value.attr == "state"
                    ):
                        self.summary.state.append(
                            StateAssignment(target.attr, node.value, function)
                        )
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "setattr"
                and len(node.args) == 3
                and isinstance(node.args[0], ast.Attribute)
                and node.args[0].attr == "state"
                and isinstance(node.args[1], ast.Constant)
            ):
                self.summary.state.append(
                    StateAssignment(str(node.args[1].value), node.args[2], function)
                )


def assignment_bindings(node: ast.Assign | ast.AnnAssign) -> list[tuple[ast.expr, Binding]]:
    if isinstance(node, ast.AnnAssign):
        annotation = (node.target, Binding(node.annotation, via="annotation"))
        return [annotation, (node.target, Binding(node.value))] if node.value is not None else []
    found = []
    for target in node.targets:
        if isinstance(target, ast.Tuple | ast.List):
            for index, element in enumerate(target.elts):
                found.append((element, Binding(node.value, index=index)))
        else:
            found.append((target, Binding(node.value)))
    return found


def function_facts(
    node: Function, module: str, qualname: str, nodes: list[ast.AST] | None = None
) -> FunctionFacts:
    nodes = own_nodes(node) if nodes is None else nodes
    env: dict[str, list[Binding]] = {}
    returns: list[ast.expr] = []
    yields: list[ast.expr] = []
    first_yield: ast.Yield | ast.YieldFrom | None = None
    for child in sorted(
        (n for n in nodes if hasattr(n, "lineno")),
        key=lambda n: (n.lineno, n.col_offset),  # type: ignore[attr-defined]
    ):
        if isinstance(child, ast.Assign | ast.AnnAssign):
            for target, binding in assignment_bindings(child):
                if isinstance(target, ast.Name):
                    env.setdefault(target.id, []).append(binding)
        elif isinstance(child, ast.NamedExpr):
            env.setdefault(child.target.id, []).append(Binding(child.value))
        elif isinstance(child, ast.With | ast.AsyncWith):
            for item in child.items:
                if isinstance(item.optional_vars, ast.Name):
                    env.setdefault(item.optional_vars.id, []).append(
                        Binding(item.context_expr, via="with")
                    )
        elif isinstance(child, ast.For | ast.AsyncFor) and isinstance(child.target, ast.Name):
            env.setdefault(child.target.id, []).append(Binding(child.iter, via="for"))
        elif isinstance(child, ast.Return) and child.value is not None:
            returns.append(child.value)
        elif isinstance(child, ast.Yield | ast.YieldFrom):
            if child.value is not None:
                yields.append(child.value)
            if first_yield is None:
                first_yield = child
    params = []
    positional = node.args.posonlyargs + node.args.args
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(node.args.defaults))
    for argument, default in zip(positional, defaults + list(node.args.defaults), strict=True):
        params.append(Param(argument.arg, argument.annotation, default, argument))
    for argument, default in zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True):
        params.append(Param(argument.arg, argument.annotation, default, argument))
    decorators = list(node.decorator_list)
    cached = any(dotted_tail(d) in CACHE_DECORATORS for d in decorators)
    return FunctionFacts(
        module=module,
        qualname=qualname,
        line=node.lineno,
        col=node.col_offset,
        is_async=isinstance(node, ast.AsyncFunctionDef),
        decorators=decorators,
        params=params,
        returns_annotation=node.returns,
        env=env,
        returns=returns,
        yields=yields,
        yield_shape=yield_shape(node, first_yield, nodes) if first_yield is not None else None,
        calls=named_calls(node, nodes),
        offloaded_params=offloaded_params(node, nodes),
        cached=cached,
        reads_after_commit=reads_after_commit(node, nodes),
    )


def yield_shape(
    function: Function, first: ast.Yield | ast.YieldFrom, nodes: list[ast.AST]
) -> YieldShape:
    shape = YieldShape(first.lineno, first.col_offset)
    if isinstance(first, ast.YieldFrom):
        shape.delegate = first.value
    trail = ancestors(function, first)
    for node in trail:
        if isinstance(node, ast.With | ast.AsyncWith):
            shape.enclosing_with.extend(item.context_expr for item in node.items)
        if isinstance(node, ast.AsyncFor | ast.For) and shape.delegate is None:
            shape.delegate = node.iter
        if isinstance(node, ast.Try):
            if closes(node.finalbody):
                shape.closes_in_finally = True
            if any(closes(handler.body) for handler in node.handlers):
                shape.closes_in_except = True
    after: list[ast.stmt] = [
        n
        for n in nodes
        if isinstance(n, ast.stmt) and n.lineno > first.lineno and not any(n is t for t in trail)
    ]
    shape.closes_after = closes(after)
    for node in sorted(
        (n for n in nodes if is_method_call(n, {"commit"})),
        key=lambda n: n.lineno,  # type: ignore[attr-defined]
    ):
        if node.lineno > first.lineno:  # type: ignore[attr-defined]
            where = "body"
            for enclosing in ancestors(function, node):
                if isinstance(enclosing, ast.Try):
                    if any(node is n for s in enclosing.finalbody for n in ast.walk(s)):
                        where = "finally"
                    elif any(node is n for s in enclosing.orelse for n in ast.walk(s)):
                        where = "else" if where != "finally" else where
            shape.commit = (node.lineno, node.col_offset, where)  # type: ignore[attr-defined]
            break
    return shape


def named_calls(function: Function, nodes: list[ast.AST]) -> list[tuple[ast.Call, bool]]:
    """Calls to a name or `module.name`, and whether their result is kept for later calls
    (assigned to a global, an attribute of `self`/`cls`, or an item of a cache)."""
    global_names = {n for node in nodes if isinstance(node, ast.Global) for n in node.names}
    cached_calls: set[int] = set()
    for node in nodes:
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if isinstance(node.value, ast.Call) and any(
                (isinstance(t, ast.Name) and t.id in global_names)
                or isinstance(t, ast.Attribute | ast.Subscript)
                for t in targets
            ):
                cached_calls.add(id(node.value))
    found = []
    for node in nodes:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute):
            if isinstance(node.func, ast.Attribute) and not isinstance(node.func.value, ast.Name):
                continue
            found.append((node, id(node) in cached_calls))
    return found


def offloaded_params(function: Function, nodes: list[ast.AST]) -> set[str]:
    """Parameters this function hands to a worker thread (a wrapper such as a cache helper
    that calls `run_in_threadpool(func, ...)`)."""
    names = {a.arg for a in function.args.args + function.args.kwonlyargs}
    found = set()
    for node in nodes:
        if isinstance(node, ast.Call) and dotted_tail(node.func) in OFFLOADERS:
            for argument in node.args:
                if isinstance(argument, ast.Name) and argument.id in names:
                    found.add(argument.id)
    return found


def reads_after_commit(function: Function, nodes: list[ast.AST]) -> list[ast.expr]:
    """Sessions whose objects this async function reads after `await session.commit()`
    (returns them, reads an attribute, or passes them on) without `refresh()` first: with
    expire_on_commit=True each read is a lazy load, which async code cannot do."""
    if not isinstance(function, ast.AsyncFunctionDef):
        return []
    found: list[ast.expr] = []
    commits = [n for n in nodes if is_method_call(n, {"commit"})]
    for commit in commits:
        assert isinstance(commit, ast.Call) and isinstance(commit.func, ast.Attribute)
        session = ast.unparse(commit.func.value)
        objects = set()
        for node in nodes:
            if getattr(node, "lineno", commit.lineno) >= commit.lineno:
                continue
            if is_method_call(node, {"add"}) and ast.unparse(node.func.value) == session:  # type: ignore[attr-defined]
                objects |= {a.id for a in node.args if isinstance(a, ast.Name)}  # type: ignore[attr-defined]
            if isinstance(node, ast.Assign) and loads_objects(node.value, session):
                objects |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        refreshed = {
            a.id
            for n in nodes
            if is_method_call(n, {"refresh"}) and n.lineno > commit.lineno  # type: ignore[attr-defined]
            for a in n.args  # type: ignore[attr-defined]
            if isinstance(a, ast.Name)
        }
        later = [n for n in nodes if getattr(n, "lineno", 0) > commit.lineno]
        for node in later:
            read = (
                isinstance(node, ast.Return)
                and node.value is not None
                and any(isinstance(n, ast.Name) and n.id in objects for n in ast.walk(node.value))
            ) or (
                isinstance(node, ast.Attribute)
                and isinstance(node.ctx, ast.Load)
                and isinstance(node.value, ast.Name)
                and node.value.id in objects
            )
            names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            if read and not names & refreshed & objects:
                found.append(commit.func.value)
                break
    return found


def loads_objects(value: ast.expr, session: str) -> bool:
    """`await session.get(...)`, `(await session.execute(...)).scalars().first()`: a value
    that may be an ORM object loaded through `session` (not a dict or list built from one)."""
    while isinstance(value, ast.Call | ast.Attribute | ast.Await):
        if isinstance(value, ast.Await):
            value = value.value
        elif isinstance(value, ast.Call):
            value = value.func
        else:
            if ast.unparse(value.value) == session:
                return True
            value = value.value
    return False
