"""SW002: an engine (a connection pool) created by code that runs on every request.

Not reported in a function nothing in the project names (it runs on no request), nor for an
engine an endpoint disposes after using it (the requests of that one route connect anew,
slowly, but give their connections back); in middleware, which runs on every request, it is.
"""

import ast
from collections.abc import Iterator

from sessionwise.lint.context import FileContext
from sessionwise.lint.findings import Finding
from sessionwise.lint.index import FunctionKey
from sessionwise.lint.resolve import ENGINE_CREATORS, FACTORY_CLASSES, Resolver
from sessionwise.lint.summary import FunctionFacts, keyword
from sessionwise.lint.values import External, FunctionRef


def check(ctx: FileContext) -> Iterator[Finding]:
    for facts, node in ctx.functions():
        if not ctx.per_request(facts) or ctx.never_called(facts):
            continue
        scope = ctx.scope(facts)
        fresh_engines = set()
        for call, cached in facts.calls:
            if cached:
                continue
            callee = ctx.resolver.value(call.func, scope)
            if isinstance(callee, External) and callee.name in ENGINE_CREATORS:
                fresh_engines |= assigned_names(facts, call)
                throw_away = ctx.is_endpoint(facts) and ctx.disposed_after_use(facts, node, call)
                if not throw_away:
                    yield ctx.finding(call, "SW002")
            elif isinstance(callee, FunctionRef) and creates_engine(
                ctx.resolver, callee.key, set()
            ):
                fresh_engines |= assigned_names(facts, call)
                yield ctx.finding(call, "SW002", "helper")
        for call, _ in facts.calls:
            callee = ctx.resolver.value(call.func, scope)
            if isinstance(callee, External) and callee.name in FACTORY_CLASSES:
                bind = call.args[0] if call.args else keyword(call, "bind")
                if isinstance(bind, ast.Name) and bind.id in fresh_engines:
                    yield ctx.finding(call, "SW002", "factory")


def assigned_names(facts: FunctionFacts, call: ast.Call) -> set[str]:
    return {
        name
        for name, bindings in facts.env.items()
        if any(binding.value is call for binding in bindings)
    }


def creates_engine(resolver: Resolver, key: FunctionKey, seen: set[FunctionKey]) -> bool:
    """Calling this project function creates a new engine each time (it is not cached)."""
    facts = resolver.index.function(key)
    if facts is None or facts.cached or key in seen:
        return False
    seen.add(key)
    scope = resolver.function_scope(facts)
    for call, cached in facts.calls:
        if cached:
            continue
        callee = resolver.value(call.func, scope)
        if isinstance(callee, External) and callee.name in ENGINE_CREATORS:
            return True
        if isinstance(callee, FunctionRef) and creates_engine(resolver, callee.key, seen):
            return True
    return False
