"""SW003: a sync Session used by `async def` code, on the event loop."""

import ast
from collections.abc import Iterator

from sessionwise.lint.context import FileContext
from sessionwise.lint.findings import Finding
from sessionwise.lint.summary import OFFLOADERS, FunctionFacts, Param
from sessionwise.lint.values import External, FunctionRef, Session, SessionScope


def check(ctx: FileContext) -> Iterator[Finding]:
    for facts, node in ctx.functions():
        if not facts.is_async or not (ctx.is_endpoint(facts) or ctx.is_dependency(facts)):
            continue
        scope = ctx.scope(facts)
        nodes = ctx.own(node)
        offloaded = offloaded_arguments(ctx, facts, nodes)
        for param in facts.params:
            value = ctx.resolver.parameter(param.annotation, param.default, scope, 0)
            if ctx.session_kind(value) == "sync" and not only_offloaded(param, node, offloaded):
                yield ctx.finding(param.node, "SW003")
        for child in nodes:
            if isinstance(child, ast.Call) and id(child) not in offloaded:
                value = ctx.resolver.value(child, scope)
                opens = isinstance(value, SessionScope | Session)
                if opens and ctx.session_kind(value) == "sync" and creates(ctx, child, scope):
                    yield ctx.finding(child, "SW003")


def creates(ctx: FileContext, call: ast.Call, scope: object) -> bool:
    """The call opens a session (rather than fetching an existing one)."""
    callee = ctx.resolver.value(call.func, scope)  # type: ignore[arg-type]
    return not isinstance(callee, External) or callee.name.endswith(("Session", "begin"))


def offloaded_arguments(ctx: FileContext, facts: FunctionFacts, nodes: list[ast.AST]) -> set[int]:
    """Ids of the expressions handed to a worker thread (`run_in_threadpool(f, db)`,
    `anyio.to_thread.run_sync`, `asyncio.to_thread`, a project wrapper that does so)."""
    scope = ctx.scope(facts)
    found: set[int] = set()
    for node in nodes:
        if not isinstance(node, ast.Call):
            continue
        callee = ctx.resolver.value(node.func, scope)
        name = (
            node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        )
        wrapper = False
        if isinstance(callee, FunctionRef):
            target = ctx.index.function(callee.key)
            wrapper = bool(target and target.offloaded_params)
        if name in OFFLOADERS or wrapper:
            for argument in [*node.args, *(k.value for k in node.keywords)]:
                found |= {id(n) for n in ast.walk(argument)}
    return found


def only_offloaded(param: Param, function: ast.AST, offloaded: set[int]) -> bool:
    """Every use of the parameter is in what is handed to a worker thread."""
    uses = [n for n in ast.walk(function) if isinstance(n, ast.Name) and n.id == param.name]
    return bool(uses) and all(id(use) in offloaded for use in uses)
