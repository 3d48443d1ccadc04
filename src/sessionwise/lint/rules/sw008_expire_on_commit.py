"""SW008: an async session factory that expires objects on commit, in a project that reads
objects after committing them.

Fix (unsafe): `expire_on_commit=False` on the factory. Objects then keep, after a commit, the
values they had: reads no longer load (and no longer fail with MissingGreenlet), but a value
the database changed at commit (a trigger, a server-side default or onupdate) is no longer
seen, where code that reads through `awaitable_attrs` or `run_sync` saw it before.
"""

import ast
from collections.abc import Iterator

from sessionwise.lint.context import FileContext
from sessionwise.lint.findings import UNSAFE, Finding, Fix
from sessionwise.lint.resolve import ASYNC_SESSION, Resolver
from sessionwise.lint.values import External, Factory, Session


def check(ctx: FileContext) -> Iterator[Finding]:
    readers = read_after_commit_origins(ctx.resolver)
    if not readers:
        return
    for call in ctx.calls_named({"sessionmaker", "async_sessionmaker", "AsyncSession"}):
        scope = ctx.scope(ctx.enclosing_function(call))
        found = ctx.resolver.value(call, scope)
        factory = found if isinstance(found, Factory) else None
        callee = ctx.resolver.value(call.func, scope)
        if isinstance(callee, External) and callee.name == ASYNC_SESSION:
            factory = direct_session_factory(ctx, call)
        if factory is None or factory.kind != "async" or factory.expire_disabled:
            continue
        if None in readers or (factory.module, factory.line) in readers:
            edit = ctx.edit(call, "keyword", "expire_on_commit", "False")
            yield ctx.finding(call, "SW008", fix=Fix(UNSAFE, (edit,)))


def direct_session_factory(ctx: FileContext, call: ast.Call) -> Factory | None:
    """`AsyncSession(engine)` is its own factory."""
    expire = next((k.value for k in call.keywords if k.arg == "expire_on_commit"), None)
    disabled = isinstance(expire, ast.Constant) and expire.value is False
    return Factory("async", ctx.summary.name, call.lineno, disabled)


def read_after_commit_origins(resolver: Resolver) -> set[tuple[str, int] | None]:
    """Where the sessions come from that some async code commits and then reads objects of:
    a factory's (module, line), or None when the origin cannot be told."""
    cached: set[tuple[str, int] | None] | None = getattr(resolver, "_read_after_commit", None)
    if cached is not None:
        return cached
    origins: set[tuple[str, int] | None] = set()
    for module in resolver.index.modules.values():
        for facts in module.functions.values():
            for session in facts.reads_after_commit:
                found = resolver.value(session, resolver.function_scope(facts))
                if isinstance(found, Session) and found.kind == "sync":
                    continue
                origin = found.origin if isinstance(found, Session) else None
                origins.add((origin.module, origin.line) if origin else None)
    resolver._read_after_commit = origins  # type: ignore[attr-defined]
    return origins
