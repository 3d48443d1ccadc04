"""What an expression is, statically: an engine, a session factory, a session, a dependency...

Names are followed through local assignments, parameters (their annotation, or the dependency
in their `Depends(...)` default, written there or held by a variable), module globals, imports
and re-exports across the project, helper functions (what they return or yield), builder objects
(their attributes, properties and methods) and `app.state`. Library names are canonical:
`sqlmodel.create_engine` is SQLAlchemy's `create_engine`, SQLModel's `AsyncSession` is an
AsyncSession.
"""

import ast
from dataclasses import dataclass, replace

from sessionwise.lint.model.index import ProjectIndex
from sessionwise.lint.model.summary import (
    Binding,
    FunctionFacts,
    ModuleSummary,
    depends_target,
    is_depends_call,
    is_function_scope,
)
from sessionwise.lint.model.values import (
    UNKNOWN,
    Alias,
    BoundBegin,
    ClassRef,
    Const,
    DependsMarker,
    DictValue,
    Engine,
    External,
    Factory,
    FunctionRef,
    Generator,
    Instance,
    ModuleRef,
    Session,
    SessionScope,
    TupleValue,
    Unknown,
)
from sessionwise.lint.syntax.nodes import dotted_tail, keyword

CANONICAL = {
    "sqlmodel.create_engine": "sqlalchemy.create_engine",
    "sqlalchemy.engine.create_engine": "sqlalchemy.create_engine",
    "sqlalchemy.engine.create.create_engine": "sqlalchemy.create_engine",
    "sqlalchemy.ext.asyncio.engine.create_async_engine": (
        "sqlalchemy.ext.asyncio.create_async_engine"
    ),
    "sqlalchemy.orm.session.sessionmaker": "sqlalchemy.orm.sessionmaker",
    "sqlalchemy.ext.asyncio.session.async_sessionmaker": (
        "sqlalchemy.ext.asyncio.async_sessionmaker"
    ),
    "sqlmodel.Session": "sqlalchemy.orm.Session",
    "sqlmodel.orm.session.Session": "sqlalchemy.orm.Session",
    "sqlalchemy.orm.session.Session": "sqlalchemy.orm.Session",
    "sqlmodel.ext.asyncio.session.AsyncSession": "sqlalchemy.ext.asyncio.AsyncSession",
    "sqlalchemy.ext.asyncio.session.AsyncSession": "sqlalchemy.ext.asyncio.AsyncSession",
    "sqlalchemy.orm.scoping.scoped_session": "sqlalchemy.orm.scoped_session",
    "sqlalchemy.ext.asyncio.scoping.async_scoped_session": (
        "sqlalchemy.ext.asyncio.async_scoped_session"
    ),
    "typing_extensions.Annotated": "typing.Annotated",
    "fastapi.params.Depends": "fastapi.Depends",
    "starlette.background.BackgroundTasks": "fastapi.BackgroundTasks",
    "fastapi.background.BackgroundTasks": "fastapi.BackgroundTasks",
}
ENGINE_CREATORS = {"sqlalchemy.create_engine", "sqlalchemy.ext.asyncio.create_async_engine"}
SYNC_SESSION = "sqlalchemy.orm.Session"
ASYNC_SESSION = "sqlalchemy.ext.asyncio.AsyncSession"
SESSION_CLASSES = {SYNC_SESSION: "sync", ASYNC_SESSION: "async"}
FACTORY_CLASSES = {
    "sqlalchemy.orm.sessionmaker": "sync",
    "sqlalchemy.ext.asyncio.async_sessionmaker": "async",
}
SCOPED = {"sqlalchemy.orm.scoped_session", "sqlalchemy.ext.asyncio.async_scoped_session"}
CONTEXT_MANAGER_DECORATORS = {"contextmanager", "asynccontextmanager"}
MAX_DEPTH = 24


def canonical(name: str) -> str:
    return CANONICAL.get(name, name)


@dataclass(frozen=True, eq=False)
class Scope:
    """Where a name is looked up: a module, a function in it, the instance for `self`."""

    module: ModuleSummary
    function: FunctionFacts | None = None
    instance: Instance | None = None


class Resolver:
    def __init__(self, index: ProjectIndex) -> None:
        self.index = index
        self._memo: dict[tuple[int, int, int], object] = {}
        self._active: set[tuple[int, int]] = set()

    # ----- scopes
    def module_scope(self, module: str) -> Scope | None:
        summary = self.index.modules.get(module)
        return Scope(summary) if summary else None

    def function_scope(self, facts: FunctionFacts, instance: Instance | None = None) -> Scope:
        module = self.index.modules[facts.module]
        if instance is None and facts.owner:
            instance = Instance(ClassRef(facts.module, facts.owner))
        return Scope(module, facts, instance)

    # ----- evaluation
    def value(self, node: ast.expr | None, scope: Scope, depth: int = 0) -> object:
        if node is None or depth > MAX_DEPTH:
            return UNKNOWN
        key = (id(node), id(scope.function), id(scope.instance))
        if key in self._memo:
            return self._memo[key]
        guard = (id(node), id(scope.function))
        if guard in self._active:
            return UNKNOWN
        self._active.add(guard)
        try:
            result = self._value(node, scope, depth + 1)
        finally:
            self._active.discard(guard)
        self._memo[key] = result
        return result

    def _value(self, node: ast.expr, scope: Scope, depth: int) -> object:
        if isinstance(node, ast.Constant):
            return Const(node.value)
        if isinstance(node, ast.JoinedStr):
            first = node.values[0] if node.values else None
            if isinstance(first, ast.Constant):
                return Const(str(first.value))
            return UNKNOWN
        if isinstance(node, ast.Name):
            return self.name(node.id, scope, depth)
        if isinstance(node, ast.Attribute):
            return self.attribute(node, scope, depth)
        if is_depends_call(node):
            assert isinstance(node, ast.Call)
            return DependsMarker(node, scope)
        if isinstance(node, ast.Call):
            return self.call(node, scope, depth)
        if isinstance(node, ast.Await):
            return self.value(node.value, scope, depth)
        if isinstance(node, ast.Dict):
            items = tuple(
                (self.value(k, scope, depth) if k is not None else None, v)
                for k, v in zip(node.keys, node.values, strict=True)
            )
            return DictValue(items, scope)
        if isinstance(node, ast.Tuple | ast.List):
            return TupleValue(tuple(self.value(e, scope, depth) for e in node.elts))
        if isinstance(node, ast.Subscript):
            return self.subscript(node, scope, depth)
        if isinstance(node, ast.IfExp):
            for branch in (node.body, node.orelse):
                found = self.value(branch, scope, depth)
                if found is not UNKNOWN:
                    return found
        if isinstance(node, ast.BoolOp):
            for operand in node.values:
                found = self.value(operand, scope, depth)
                if not isinstance(found, Unknown | Const):
                    return found
        return UNKNOWN

    def name(self, name: str, scope: Scope, depth: int) -> object:
        function = scope.function
        if function is not None:
            if name in function.env:
                return self.bindings(function.env[name], scope, depth)
            for param in function.params:
                if param.name == name:
                    if name in {"self", "cls"} and scope.instance is not None:
                        return scope.instance
                    return self.parameter(param.annotation, param.default, scope, depth)
            if "." in function.qualname and function.owner is None:
                outer = scope.module.functions.get(function.qualname.rpartition(".")[0])
                if outer is not None:
                    return self.name(name, Scope(scope.module, outer, scope.instance), depth)
        return self.global_name(scope.module, name, depth)

    def global_name(self, module: ModuleSummary, name: str, depth: int) -> object:
        module_scope = Scope(module)
        if name in module.bindings:
            return self.bindings(module.bindings[name], module_scope, depth)
        if name in module.functions:
            return FunctionRef((module.name, name))
        if name in module.classes:
            return ClassRef(module.name, name)
        if name in module.imports:
            return self.qualified(module.imports[name], module.name, depth)
        if name == "dict":
            return External("builtins.dict")
        for star in module.star_imports:
            target = self.index.module_named(star, near=module.name)
            if target is not None and target is not module:
                found = self.global_name(target, name, depth + 1)
                if found is not UNKNOWN:
                    return found
        return UNKNOWN

    def qualified(self, dotted: str, near: str, depth: int) -> object:
        """A dotted name from an import: a project module, a name in one, or a library."""
        target = self.index.module_named(dotted, near)
        if target is not None:
            return ModuleRef(target.name)
        module, _, attribute = dotted.rpartition(".")
        if module:
            summary = self.index.module_named(module, near)
            if summary is not None and summary.name != near:
                return self.global_name(summary, attribute, depth + 1)
        return External(canonical(dotted))

    def bindings(self, bindings: list[Binding], scope: Scope, depth: int) -> object:
        for binding in reversed(bindings):
            if binding.via == "annotation":
                found = self.annotation(binding.value, scope, depth)
            else:
                found = self.value(binding.value, scope, depth)
                if binding.index is not None:
                    found = (
                        found.items[binding.index]
                        if isinstance(found, TupleValue) and binding.index < len(found.items)
                        else UNKNOWN
                    )
                if binding.via == "with":
                    found = self.entered(found)
                elif binding.via == "for":
                    found = self.iterated(found)
                elif isinstance(found, DependsMarker):  # `SessionDep: Session = Depends(...)`
                    declared = next((b for b in bindings if b.via == "annotation"), None)
                    if declared is not None:
                        found = replace(
                            found, declared=self.annotation(declared.value, scope, depth)
                        )
            if found is not UNKNOWN:
                return found
        return UNKNOWN

    def parameter(
        self, annotation: ast.expr | None, default: ast.expr | None, scope: Scope, depth: int
    ) -> object:
        marker = self.dependency_default(default, scope, depth)
        if marker is not None:
            provided = self.provided_by(marker, depth)
            if provided is not UNKNOWN:
                return provided
        found = self.annotation(annotation, scope, depth)
        if found is UNKNOWN and marker is not None:
            found = marker.declared
        if isinstance(found, Alias):
            return found.value
        return found

    def dependency_default(
        self, default: ast.expr | None, scope: Scope, depth: int
    ) -> DependsMarker | None:
        """The `Depends(...)` a parameter's default is, written there or held by a name
        (`session = SessionDep`). Defaults are read where the function is defined."""
        if default is None:
            return None
        found = self.value(default, self.defining_scope(scope), depth)
        return found if isinstance(found, DependsMarker) else None

    def defining_scope(self, scope: Scope) -> Scope:
        function = scope.function
        if function is not None and function.owner is None and "." in function.qualname:
            outer = scope.module.functions.get(function.qualname.rpartition(".")[0])
            if outer is not None:
                return Scope(scope.module, outer, scope.instance)
        return Scope(scope.module)

    def provided_by(self, marker: DependsMarker, depth: int) -> object:
        """What a parameter with `Depends(dep)` receives: what `dep` yields or returns."""
        return self.result_of(self.dependency(marker, depth), depth, entering=True)

    def dependency(self, marker: DependsMarker, depth: int) -> object:
        """The `dep` of `Depends(dep)`."""
        target = depends_target(marker.call)
        return self.value(target, marker.scope, depth) if target is not None else UNKNOWN

    def annotation(self, node: ast.expr | None, scope: Scope, depth: int) -> object:
        """What a value of this annotated type is: a Session, a factory, an alias..."""
        if node is None:
            return UNKNOWN
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return UNKNOWN
        if isinstance(node, ast.BinOp):  # X | None
            for side in (node.left, node.right):
                found = self.annotation(side, scope, depth)
                if found is not UNKNOWN:
                    return found
            return UNKNOWN
        if isinstance(node, ast.Subscript):
            base = self.value(node.value, scope, depth)
            if isinstance(base, External) and base.name == "typing.Annotated":
                return self.annotated(node, scope, depth)
            if isinstance(base, External) and base.name.rpartition(".")[2] in {
                "Optional",
                "Union",
                "Iterator",
                "Generator",
                "AsyncIterator",
                "AsyncGenerator",
                "Iterable",
                "AsyncIterable",
            }:
                elements = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
                for element in elements:
                    found = self.annotation(element, scope, depth)
                    if found is not UNKNOWN:
                        return found
                return UNKNOWN
            return self.type_value(base)
        found = self.value(node, scope, depth)
        if isinstance(found, Alias):
            return found
        return self.type_value(found)

    def type_value(self, found: object) -> object:
        if isinstance(found, External):
            if found.name in SESSION_CLASSES:
                return Session(SESSION_CLASSES[found.name])
            if found.name in FACTORY_CLASSES:
                return Factory(FACTORY_CLASSES[found.name])
        if isinstance(found, ClassRef):
            return Instance(found)
        if isinstance(found, Alias):
            return found
        return UNKNOWN

    def annotated(self, node: ast.Subscript, scope: Scope, depth: int) -> object:
        elements = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if not elements:
            return UNKNOWN
        value = self.annotation(elements[0], scope, depth)
        if isinstance(value, Alias):
            value = value.value
        for metadata in elements[1:]:
            marker = self.value(metadata, scope, depth)  # Depends(...), or a name holding one
            if isinstance(marker, DependsMarker):
                provided = self.provided_by(marker, depth)
                dependency = self.dependency(marker, depth)
                declared = value.kind if isinstance(value, Session) else None
                if isinstance(provided, Session | Factory) and declared in {None, provided.kind}:
                    value = provided  # a declared session type of another kind wins
                return Alias(
                    value,
                    dependency.key if isinstance(dependency, FunctionRef) else None,
                    is_function_scope(marker.call),
                )
        return value

    def subscript(self, node: ast.Subscript, scope: Scope, depth: int) -> object:
        base = self.value(node.value, scope, depth)
        if isinstance(base, External) and base.name == "typing.Annotated":
            return self.annotated(node, scope, depth)
        if isinstance(base, External) and base.name in FACTORY_CLASSES:
            return base  # async_sessionmaker[AsyncSession] is the class, generic
        return UNKNOWN

    def attribute(self, node: ast.Attribute, scope: Scope, depth: int) -> object:
        if isinstance(node.value, ast.Attribute) and node.value.attr == "state":
            found = self.state(node.attr, depth)
            if found is not UNKNOWN:
                return found
        base = self.value(node.value, scope, depth)
        if isinstance(base, ModuleRef):
            return self.qualified(f"{base.name}.{node.attr}", scope.module.name, depth)
        if isinstance(base, External):
            return External(canonical(f"{base.name}.{node.attr}"))
        if isinstance(base, Instance):
            return self.member(base, node.attr, depth)
        if isinstance(base, ClassRef):
            return self.member(Instance(base), node.attr, depth)
        if isinstance(base, Factory | Session) and node.attr in {"begin", "begin_nested"}:
            return BoundBegin(base)
        return UNKNOWN

    def member(self, instance: Instance, name: str, depth: int) -> object:
        facts = self.index.class_(instance.cls.module, instance.cls.name)
        if facts is None:
            return UNKNOWN
        if name in facts.methods:
            key = (instance.cls.module, facts.methods[name])
            function = self.index.function(key)
            if function is not None and function.decorator_names() & {
                "property",
                "cached_property",
            }:
                return self.returned(function, instance, depth)
            return FunctionRef(key, instance)
        if name in facts.attributes:
            module = self.index.modules[instance.cls.module]
            init = module.functions.get(f"{instance.cls.name}.__init__")
            scope = Scope(module, init, instance) if init else Scope(module, None, instance)
            return self.bindings(facts.attributes[name], scope, depth)
        for base in facts.bases:
            parent = self.value(base, Scope(self.index.modules[instance.cls.module]), depth)
            if isinstance(parent, ClassRef):
                found = self.member(Instance(parent), name, depth + 1)
                if found is not UNKNOWN:
                    return found
        return UNKNOWN

    def state(self, attribute: str, depth: int) -> object:
        for module in self.index.modules.values():
            for assignment in module.state:
                if assignment.attribute != attribute:
                    continue
                function = module.functions.get(assignment.function or "")
                scope = self.function_scope(function) if function else Scope(module)
                found = self.value(assignment.value, scope, depth)
                if found is not UNKNOWN:
                    return found
        return UNKNOWN

    def call(self, node: ast.Call, scope: Scope, depth: int) -> object:
        callee = self.value(node.func, scope, depth)
        if isinstance(callee, External) and callee.name == "builtins.dict" and not node.args:
            return DictValue(tuple((Const(k.arg), k.value) for k in node.keywords if k.arg), scope)
        if isinstance(callee, External):
            return self.library_call(callee.name, node, scope, depth)
        if isinstance(callee, BoundBegin):
            return SessionScope(
                callee.target
                if isinstance(callee.target, Session)
                else Session(callee.target.kind, callee.target),
                commits=True,
            )
        if isinstance(callee, Factory):
            return Session(callee.kind, callee)
        if isinstance(callee, FunctionRef):
            function = self.index.function(callee.key)
            if function is None:
                return UNKNOWN
            return self.called(function, callee.bound, depth)
        if isinstance(callee, ClassRef):
            return Instance(callee)
        return self.configured_default(node, scope, depth)

    def configured_default(self, node: ast.Call, scope: Scope, depth: int) -> object:
        """`config("X", default=False)`, `os.getenv("X", "false")`, `Field(default=...)`: the
        value used unless the environment says otherwise."""
        default = keyword(node, "default")
        if default is None and dotted_tail(node.func) in {"getenv", "get"} and len(node.args) == 2:
            default = node.args[1]
        if default is None and dotted_tail(node.func) == "Field" and node.args:
            default = node.args[0]
        found = self.value(default, scope, depth) if default is not None else UNKNOWN
        return Const(found.value, default=True) if isinstance(found, Const) else found

    def library_call(self, name: str, node: ast.Call, scope: Scope, depth: int) -> object:
        if name in ENGINE_CREATORS:
            return Engine()
        if name in FACTORY_CLASSES:
            kind = FACTORY_CLASSES[name]
            class_ = keyword(node, "class_")
            if class_ is not None:
                session_class = self.value(class_, scope, depth)
                if isinstance(session_class, External) and session_class.name in SESSION_CLASSES:
                    kind = SESSION_CLASSES[session_class.name]
            expire = keyword(node, "expire_on_commit")
            disabled = expire is not None and self.truth(expire, scope, depth) is False
            if expire is None and any(kw.arg is None for kw in node.keywords):
                disabled = True  # **options: not known, not reported
            return Factory(kind, scope.module.name, node.lineno, disabled)
        if name in SESSION_CLASSES:
            return Session(SESSION_CLASSES[name])
        if name in SCOPED:
            return self.value(node.args[0] if node.args else None, scope, depth)
        if name in {"contextlib.contextmanager", "contextlib.asynccontextmanager"}:
            return self.value(node.args[0] if node.args else None, scope, depth)
        return self.configured_default(node, scope, depth)

    def called(self, function: FunctionFacts, bound: Instance | None, depth: int) -> object:
        """What calling a project function gives."""
        if function.is_generator:
            kind = self.yielded(function, bound, depth)
            commits = self.commits_after_yield(function, bound, depth) is not None
            if not isinstance(kind, Session):
                if not commits:
                    return UNKNOWN
                kind = Session("unknown")  # it commits what it yields: a session
            decorators = function.decorator_names()
            if decorators & CONTEXT_MANAGER_DECORATORS:
                return SessionScope(kind, commits)
            return Generator(kind, commits)
        return self.returned(function, bound, depth)

    def returned(self, function: FunctionFacts, bound: Instance | None, depth: int) -> object:
        scope = self.function_scope(function, bound)
        for node in function.returns:
            found = self.value(node, scope, depth)
            if found is not UNKNOWN:
                return found
        annotated = self.annotation(function.returns_annotation, scope, depth)
        return annotated.value if isinstance(annotated, Alias) else annotated

    def yielded(self, function: FunctionFacts, bound: Instance | None, depth: int) -> object:
        scope = self.function_scope(function, bound)
        shape = function.yield_shape
        if shape is not None and shape.delegate is not None:
            found = self.iterated(self.value(shape.delegate, scope, depth))
            if found is not UNKNOWN:
                return found
        for node in function.yields:
            found = self.value(node, scope, depth)
            if found is not UNKNOWN:
                return found
        annotated = self.annotation(function.returns_annotation, scope, depth)
        return annotated.value if isinstance(annotated, Alias) else annotated

    def commits_after_yield(
        self, function: FunctionFacts, bound: Instance | None, depth: int
    ) -> tuple[int, int, str] | None:
        """Where the code after the yield commits (line, col, how), following `with` blocks
        that commit when left and generators it delegates to."""
        shape = function.yield_shape
        if shape is None or depth > MAX_DEPTH:
            return None
        if shape.commit is not None:
            return shape.commit
        scope = self.function_scope(function, bound)
        for context in shape.enclosing_with:
            found = self.value(context, scope, depth)
            if isinstance(found, SessionScope) and found.commits:
                return (context.lineno, context.col_offset, "block")
        if shape.delegate is not None:
            found = self.value(shape.delegate, scope, depth)
            if isinstance(found, Generator) and found.commits:
                return (shape.delegate.lineno, shape.delegate.col_offset, "delegate")
        return None

    def result_of(self, dependency: object, depth: int, entering: bool) -> object:
        """What FastAPI passes for `Depends(dependency)`."""
        if isinstance(dependency, Instance):  # Depends(Provider()): its __call__
            facts = self.index.class_(dependency.cls.module, dependency.cls.name)
            if facts is None or "__call__" not in facts.methods:
                return UNKNOWN
            dependency = FunctionRef((dependency.cls.module, facts.methods["__call__"]), dependency)
        if not isinstance(dependency, FunctionRef):
            return UNKNOWN
        function = self.index.function(dependency.key)
        if function is None:
            return UNKNOWN
        if function.is_generator:
            return self.yielded(function, dependency.bound, depth)
        return self.returned(function, dependency.bound, depth)

    def entered(self, found: object) -> object:
        """The value of `x` in `with found as x`."""
        if isinstance(found, SessionScope):
            return found.session
        if isinstance(found, Session | Factory):
            return found if isinstance(found, Session) else UNKNOWN
        return UNKNOWN

    def iterated(self, found: object) -> object:
        if isinstance(found, Generator):
            return found.session
        return UNKNOWN

    def truth(self, node: ast.expr, scope: Scope, depth: int) -> bool | None:
        """True/False when an option's value is known statically (a constant, a module
        constant, a settings field default, `config("X", default=False)`), else None."""
        found = self.value(node, scope, depth)
        if isinstance(found, Const):
            if isinstance(found.value, bool):
                return found.value
            if isinstance(found.value, str):
                lowered = found.value.strip().lower()
                if lowered in {"true", "1", "yes", "on"}:
                    return True
                if lowered in {"false", "0", "no", "off", ""}:
                    return False
        return None


def build(summaries: list[ModuleSummary]) -> tuple[ProjectIndex, Resolver]:
    index = ProjectIndex({summary.name: summary for summary in summaries})
    resolver = Resolver(index)
    generator_names: set[str] = set()
    for summary in summaries:
        for use in summary.depends:
            function = summary.functions.get(use.function or "")
            scope = resolver.function_scope(function) if function else Scope(summary)
            target = resolver.value(use.target, scope)
            if isinstance(target, Instance):
                facts = index.class_(target.cls.module, target.cls.name)
                if facts and "__call__" in facts.methods:
                    target = FunctionRef((target.cls.module, facts.methods["__call__"]))
            if isinstance(target, FunctionRef):
                index.depends_uses[target.key].append(use.function_scope)
                if not use.function_scope:
                    index.request_scoped_sites[target.key].append((summary.name, use.line, use.col))
        candidates = {
            name
            for name, facts in summary.functions.items()
            if facts.is_generator and "." not in name
        }
        if candidates:
            generator_names.update(candidates)
        for route, function_name in summary.routes:
            function = summary.functions.get(function_name or "")
            scope = resolver.function_scope(function) if function else Scope(summary)
            target = resolver.value(route, scope)
            if isinstance(target, FunctionRef):
                index.endpoints.add(target.key)
    for summary in summaries:  # generators other code calls are helpers, not dependencies
        for caller in summary.functions.values():
            scope = resolver.function_scope(caller)
            for call, _ in caller.calls:
                name = dotted_tail(call.func)
                if name in generator_names:
                    target = resolver.value(call.func, scope)
                    if isinstance(target, FunctionRef):
                        index.called.add(target.key)
    return index, resolver
