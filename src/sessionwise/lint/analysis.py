"""The AST analysis behind `sessionwise check`: it reads code, never imports it.

Two passes over the checked files: the first indexes what is known across modules (session
factories, how dependencies are used with `Depends`, `Annotated` aliases such as `SessionDep`);
the second walks each function with that index and reports pitfalls.
"""

import ast
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

CREATE_ENGINE = {
    "sqlalchemy.create_engine",
    "sqlalchemy.engine.create_engine",
    "sqlalchemy.ext.asyncio.create_async_engine",
}
SYNC_FACTORY = {"sqlalchemy.orm.sessionmaker", "sqlalchemy.orm.session.sessionmaker"}
ASYNC_FACTORY = {"sqlalchemy.ext.asyncio.async_sessionmaker"}
SYNC_SESSION = {"sqlalchemy.orm.Session", "sqlalchemy.orm.session.Session"}
ASYNC_SESSION = {"sqlalchemy.ext.asyncio.AsyncSession"}
DEPENDS = {"fastapi.Depends", "fastapi.params.Depends"}
ANNOTATED = {"typing.Annotated", "typing_extensions.Annotated"}
ROUTE_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "api_route"}
MIDDLEWARE_BASES = {"BaseHTTPMiddleware"}


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    col: int  # 0-based, as in the AST
    code: str


@dataclass
class Module:
    path: Path
    tree: ast.Module
    lines: list[str]
    imports: dict[str, str] = field(default_factory=dict)  # local name -> qualified name

    def qualified(self, node: ast.expr) -> str | None:
        """`S` -> sqlalchemy.orm.Session for `from sqlalchemy.orm import Session as S`."""
        if isinstance(node, ast.Name):
            return self.imports.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            base = self.qualified(node.value)
            return f"{base}.{node.attr}" if base else None
        return None


@dataclass
class Index:
    """What the whole set of checked files says about factories and dependencies."""

    # session factory name -> the module defining it -> "sync" | "async"
    factories: dict[str, dict[Path, str]] = field(default_factory=lambda: defaultdict(dict))
    # dependency name -> for each Depends(...) use, whether it had scope="function"
    depends_uses: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    # Annotated alias name -> the module defining it -> session kind ("sync" | "async" | None)
    aliases: dict[str, dict[Path, str | None]] = field(default_factory=lambda: defaultdict(dict))


def defined(table: Mapping[str, Mapping[Path, T]], module: "Module", name: str) -> T | None:
    """A name's meaning in `module`: its own definition first, else one imported by name."""
    definitions = table.get(name) or {}
    if module.path in definitions:
        return definitions[module.path]
    return next(iter(definitions.values()), None)


def parse(path: Path) -> Module:
    source = path.read_text(encoding="utf-8", errors="replace")
    module = Module(path, ast.parse(source, filename=str(path)), source.splitlines())
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                module.imports[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                module.imports[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return module


def call_name(module: Module, node: ast.AST) -> str | None:
    return module.qualified(node.func) if isinstance(node, ast.Call) else None


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def is_false(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def short(name: str | None) -> str | None:
    return name.rsplit(".", 1)[-1] if name else None


def dependency_target(module: Module, call: ast.Call) -> str | None:
    """The name of what `Depends(x)` calls: a function, or the class of `Depends(C())`."""
    if call_name(module, call) not in DEPENDS and short(call_name(module, call)) != "Depends":
        return None
    target = call.args[0] if call.args else keyword(call, "dependency")
    if isinstance(target, ast.Call):
        target = target.func
    return short(module.qualified(target)) if target is not None else None


def is_function_scope(call: ast.Call) -> bool:
    scope = keyword(call, "scope")
    return isinstance(scope, ast.Constant) and scope.value == "function"


def session_kind(module: Module, index: Index, annotation: ast.expr | None) -> str | None:
    """ "sync" or "async" when an annotation names a session (directly, in Annotated or
    Iterator[...], or through an alias such as SessionDep)."""
    if annotation is None:
        return None
    for node in ast.walk(annotation):
        if isinstance(node, ast.expr):
            name = module.qualified(node)
            if name in SYNC_SESSION:
                return "sync"
            if name in ASYNC_SESSION:
                return "async"
            if isinstance(node, ast.Name) and node.id in index.aliases:
                return defined(index.aliases, module, node.id)
    return None


def factory_kind(module: Module, call: ast.Call) -> str | None:
    name = call_name(module, call)
    if name in ASYNC_FACTORY:
        return "async"
    if name in SYNC_FACTORY:
        class_ = keyword(call, "class_")
        return (
            "async" if class_ is not None and module.qualified(class_) in ASYNC_SESSION else "sync"
        )
    return None


def build_index(modules: list[Module]) -> Index:
    index = Index()
    for module in modules:
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                kind = factory_kind(module, node.value)
                for target in node.targets:
                    if kind and isinstance(target, ast.Name):
                        index.factories[target.id][module.path] = kind
            if isinstance(node, ast.Call):
                dependency = dependency_target(module, node)
                if dependency:
                    index.depends_uses[dependency].append(is_function_scope(node))
    for module in modules:  # aliases may name sessions through other aliases
        for node in module.tree.body:
            if (
                isinstance(node, ast.Assign | ast.AnnAssign)
                and isinstance(node.value, ast.Subscript)
                and module.qualified(node.value.value) in ANNOTATED
            ):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        kind = session_kind(module, index, node.value)
                        index.aliases[target.id][module.path] = kind
    return index


def creates_session(module: Module, index: Index, node: ast.AST) -> bool:
    """A call that opens a session: `SessionLocal()`, `Session(engine)`, `sessionmaker(...)()`."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Name) and func.id in index.factories:
        return True
    if isinstance(func, ast.Call) and factory_kind(module, func):
        return True
    return module.qualified(func) in SYNC_SESSION | ASYNC_SESSION


def session_factory_kind(module: Module, index: Index, node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name) and func.id in index.factories:
        return defined(index.factories, module, func.id)
    if isinstance(func, ast.Call):
        return factory_kind(module, func)
    name = module.qualified(func)
    return "sync" if name in SYNC_SESSION else "async" if name in ASYNC_SESSION else None


Function = ast.FunctionDef | ast.AsyncFunctionDef


def own_nodes(function: Function) -> Iterator[ast.AST]:
    """The function's nodes, without those of functions nested in it."""
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                stack.append(child)


def is_endpoint(module: Module, function: Function) -> bool:
    for decorator in function.decorator_list:
        if (
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr in ROUTE_METHODS
        ):
            return True
    return False


def is_middleware(function: Function, owner: ast.ClassDef | None) -> bool:
    for decorator in function.decorator_list:
        if (
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr == "middleware"
        ):
            return True
    return (
        owner is not None
        and function.name == "dispatch"
        and any(short(ast.unparse(base)) in MIDDLEWARE_BASES for base in owner.bases)
    )


class FileChecker:
    """The per-function rules for one module."""

    def __init__(self, module: Module, index: Index) -> None:
        self.module = module
        self.index = index
        self.findings: list[Finding] = []

    def report(self, node: ast.AST, code: str) -> None:
        line, col = getattr(node, "lineno", 1), getattr(node, "col_offset", 0)
        self.findings.append(Finding(self.module.path, line, col, code))

    def run(self) -> list[Finding]:
        for node in ast.walk(self.module.tree):
            if isinstance(node, ast.Call):
                self.check_engine_call(node)
        self.check_functions(self.module.tree.body, owner=None)
        return self.findings

    def check_functions(self, body: list[ast.stmt], owner: ast.ClassDef | None) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                self.check_functions(node.body, owner=node)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.check_function(node, owner)
                self.check_functions(node.body, owner=None)

    # SW004 and SW008: how engines and async session factories are made, wherever they are.
    def check_engine_call(self, call: ast.Call) -> None:
        name = call_name(self.module, call)
        if name in CREATE_ENGINE:
            url = call.args[0] if call.args else keyword(call, "url")
            on_sqlite = (
                isinstance(url, ast.Constant)
                and isinstance(url.value, str)
                and url.value.startswith("sqlite")
            )
            unknown = any(kw.arg is None for kw in call.keywords)  # **options
            pre_ping = keyword(call, "pool_pre_ping")
            pings = pre_ping is not None and not is_false(pre_ping)
            pool_class = keyword(call, "poolclass")
            # NullPool opens a new connection each time: there is nothing stale to ping.
            null_pool = (
                pool_class is not None and short(self.module.qualified(pool_class)) == "NullPool"
            )
            if not (on_sqlite or unknown or null_pool or pings):
                self.report(call, "SW004")
        if factory_kind(self.module, call) == "async" or name in ASYNC_SESSION:
            expire = keyword(call, "expire_on_commit")
            if not is_false(expire) and not any(kw.arg is None for kw in call.keywords):
                self.report(call, "SW008")

    def dependency_name(self, function: Function, owner: ast.ClassDef | None) -> str:
        return owner.name if owner is not None and function.name == "__call__" else function.name

    def session_parameters(self, function: Function) -> dict[str, str | None]:
        """Parameters that receive a session, and whether it is sync or async."""
        params: dict[str, str | None] = {}
        positional = function.args.posonlyargs + function.args.args
        padding: list[ast.expr | None] = [None] * (len(positional) - len(function.args.defaults))
        pairs = list(zip(positional, padding + list(function.args.defaults), strict=True))
        pairs += zip(function.args.kwonlyargs, function.args.kw_defaults, strict=True)
        for argument, default in pairs:
            kind = session_kind(self.module, self.index, argument.annotation)
            if kind is None and isinstance(default, ast.Call):
                target = dependency_target(self.module, default)
                if target and target in self.index.depends_uses:
                    kind = self.dependency_session_kind(target)
            if kind is not None or self.is_session_alias(argument.annotation):
                params[argument.arg] = kind
        return params

    def is_session_alias(self, annotation: ast.expr | None) -> bool:
        return isinstance(annotation, ast.Name) and annotation.id in self.index.aliases

    def dependency_session_kind(self, name: str) -> str | None:
        for node in ast.walk(self.module.tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
                return session_kind(self.module, self.index, node.returns)
        return None

    def check_function(self, function: Function, owner: ast.ClassDef | None) -> None:
        nodes = list(own_nodes(function))
        yields = [n for n in nodes if isinstance(n, ast.Yield | ast.YieldFrom)]
        session_calls = [n for n in nodes if creates_session(self.module, self.index, n)]
        name = self.dependency_name(function, owner)
        is_dependency = name in self.index.depends_uses
        is_async = isinstance(function, ast.AsyncFunctionDef)
        per_request = (
            is_dependency
            or bool(yields and session_calls)
            or is_endpoint(self.module, function)
            or is_middleware(function, owner)
        )

        # SW002: engines and factories belong at module level, not in per-request code.
        if per_request:
            for node in nodes:
                if isinstance(node, ast.Call) and (
                    call_name(self.module, node) in CREATE_ENGINE or factory_kind(self.module, node)
                ):
                    self.report(node, "SW002")

        # SW001: a dependency that hands over a session with `return`.
        if is_dependency and not yields and session_calls:
            session_vars = self.assigned_from_session(nodes)
            for node in nodes:
                if (
                    isinstance(node, ast.Return)
                    and node.value is not None
                    and (
                        creates_session(self.module, self.index, node.value)
                        or (isinstance(node.value, ast.Name) and node.value.id in session_vars)
                    )
                ):
                    self.report(node, "SW001")

        # SW003: a sync session inside async code.
        if is_async and (is_dependency or is_endpoint(self.module, function)):
            if "sync" in self.session_parameters(function).values():
                self.report(function, "SW003")
            for node in session_calls:
                assert isinstance(node, ast.Call)
                if session_factory_kind(self.module, self.index, node) == "sync":
                    self.report(node, "SW003")

        if yields and session_calls:
            self.check_yielding_dependency(function, yields[0], name)

        # SW007: a session passed to a background task.
        sessions = set(self.session_parameters(function)) | self.assigned_from_session(nodes)
        for node in nodes:
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "add_task"
            ):
                passed = node.args[1:] + [kw.value for kw in node.keywords]
                if any(isinstance(arg, ast.Name) and arg.id in sessions for arg in passed):
                    self.report(node, "SW007")

    def assigned_from_session(self, nodes: list[ast.AST]) -> set[str]:
        names = set()
        for node in nodes:
            if isinstance(node, ast.Assign) and creates_session(
                self.module, self.index, node.value
            ):
                names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
            if isinstance(node, ast.With | ast.AsyncWith):
                for item in node.items:
                    if isinstance(item.optional_vars, ast.Name) and self.opens_session(
                        item.context_expr
                    ):
                        names.add(item.optional_vars.id)
        return names

    def opens_session(self, node: ast.expr) -> bool:
        """`SessionLocal()`, `Session(engine)`, or `SessionLocal.begin()`."""
        if creates_session(self.module, self.index, node):
            return True
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "begin"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in self.index.factories
        )

    def check_yielding_dependency(
        self, function: Function, first_yield: ast.AST, name: str
    ) -> None:
        path = ancestors(function, first_yield)
        protected = any(
            (isinstance(node, ast.Try) and closes(node.finalbody))
            or (
                isinstance(node, ast.With | ast.AsyncWith)
                and any(self.opens_session(item.context_expr) for item in node.items)
            )
            for node in path
        )
        # SW005: nothing closes the session when the endpoint raises.
        if not protected:
            self.report(first_yield, "SW005")

        # SW006: a commit after the yield, and a use with the default scope.
        commits_after = any(
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "commit"
            and node.lineno > first_yield.lineno  # type: ignore[attr-defined]
            for node in own_nodes(function)
        ) or any(
            isinstance(node, ast.With | ast.AsyncWith)
            and any(
                isinstance(item.context_expr, ast.Call)
                and isinstance(item.context_expr.func, ast.Attribute)
                and item.context_expr.func.attr == "begin"
                for item in node.items
            )
            for node in path
        )
        uses = self.index.depends_uses.get(name, [])
        if commits_after and uses and not all(uses):
            self.report(function, "SW006")


def ancestors(function: Function, target: ast.AST) -> list[ast.AST]:
    """The statements enclosing `target` inside `function`, outermost first."""

    def search(node: ast.AST, trail: list[ast.AST]) -> list[ast.AST] | None:
        for child in ast.iter_child_nodes(node):
            if child is target:
                return trail
            found = search(child, [*trail, child])
            if found is not None:
                return found
        return None

    return search(function, []) or []


def closes(statements: list[ast.stmt]) -> bool:
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"close", "aclose"}
        for statement in statements
        for node in ast.walk(statement)
    )
