"""SW004: an engine whose pool hands out connections without checking them first.

Fix: `pool_pre_ping=True` added to the call (safe: what changes at run time is one round trip
to the database when a connection is taken from the pool, and a dead connection replaced
instead of failing the request); an explicit `pool_pre_ping=False` set to True (unsafe: it
undoes a choice someone wrote down, e.g. for a latency budget); a value that comes from
settings or options is display-only (the default belongs where the setting is defined).

Not reported for an engine whose pool serves no request: built in a function nothing in the
project names, or disposed in the function that built it (a throw-away engine).
"""

import ast
from collections.abc import Iterator

from sessionwise.lint.context import FileContext
from sessionwise.lint.findings import DISPLAY_ONLY, SAFE, UNSAFE, Finding, Fix
from sessionwise.lint.resolve import ENGINE_CREATORS, Scope
from sessionwise.lint.summary import FunctionFacts, keyword
from sessionwise.lint.values import Const, DictValue, External

# Pools with nothing stale to check: a new connection each time, or one in-process database.
NO_STALE_CONNECTIONS = {"NullPool", "StaticPool", "SingletonThreadPool", "AssertionPool"}


def check(ctx: FileContext) -> Iterator[Finding]:
    for call in ctx.calls_named({"create_engine", "create_async_engine"}):
        function = ctx.enclosing_function(call)
        scope = ctx.scope(function)
        callee = ctx.resolver.value(call.func, scope)
        if not (isinstance(callee, External) and callee.name in ENGINE_CREATORS):
            continue
        if serves_no_request(ctx, function, call):
            continue
        if on_sqlite(ctx, call, scope) or pool_without_stale_connections(ctx, call, scope):
            continue
        pre_ping = pre_ping_option(ctx, call, scope)
        edit = ctx.edit(call, "keyword", "pool_pre_ping", "True")
        if pre_ping is False:
            literal = isinstance(keyword(call, "pool_pre_ping"), ast.Constant)
            fix = Fix(UNSAFE, (edit,)) if literal else Fix(DISPLAY_ONLY)
            yield ctx.finding(call, "SW004", "off", fix=fix)
        elif pre_ping == "missing":
            yield ctx.finding(call, "SW004", fix=Fix(SAFE, (edit,)))


def serves_no_request(ctx: FileContext, function: FunctionFacts | None, call: ast.Call) -> bool:
    """Built in a function nothing in the project calls, or disposed right after its use:
    its pool never hands a connection to a request."""
    node = ctx.function_node(function)
    return node is not None and (
        ctx.never_called(function) or ctx.disposed_after_use(function, node, call)
    )


def pre_ping_option(ctx: FileContext, call: ast.Call, scope: Scope) -> bool | str | None:
    """True/False when known, "missing" when not given, None when it cannot be known."""
    given = keyword(call, "pool_pre_ping")
    if given is not None:
        return ctx.resolver.truth(given, scope, 0)
    for option in call.keywords:
        if option.arg is None:  # **options
            options = ctx.resolver.value(option.value, scope)
            if not isinstance(options, DictValue):
                return None
            for key, value in options.items:
                if key is None:
                    return None
                if isinstance(key, Const) and key.value == "pool_pre_ping":
                    return ctx.resolver.truth(value, options.scope, 0)
    return "missing"


def on_sqlite(ctx: FileContext, call: ast.Call, scope: Scope) -> bool:
    url = call.args[0] if call.args else keyword(call, "url")
    found = ctx.resolver.value(url, scope) if url is not None else None
    if isinstance(found, Const) and not found.default and str(found.value).startswith("sqlite"):
        return True
    connect_args = keyword(call, "connect_args")
    if connect_args is not None and "check_same_thread" in ast.unparse(connect_args):
        return True
    return any(sqlite_branch(ctx, node, call) for node in ctx.ancestors(call))


def sqlite_branch(ctx: FileContext, node: ast.AST, call: ast.Call) -> bool:
    """`if "sqlite" in url:` (or `url.startswith("sqlite")`) around the call, in its body."""
    if not isinstance(node, ast.If) or "sqlite" not in ast.unparse(node.test):
        return False
    return any(call is n for statement in node.body for n in ast.walk(statement))


def pool_without_stale_connections(ctx: FileContext, call: ast.Call, scope: Scope) -> bool:
    pool = keyword(call, "poolclass")
    if pool is None:
        return False
    branches = [pool.body, pool.orelse] if isinstance(pool, ast.IfExp) else [pool]
    for branch in branches:
        found = ctx.resolver.value(branch, scope)
        if not (
            isinstance(found, External) and found.name.rpartition(".")[2] in NO_STALE_CONNECTIONS
        ):
            return False
    return True
