"""SW008: an async session factory that expires objects on commit, in a project that reads
objects after committing them.

Fix (unsafe): `expire_on_commit=False` on the factory. Objects then keep, after a commit, the
values they had: reads no longer load (and no longer fail with MissingGreenlet), but a value
the database changed at commit (a trigger, a server-side default or onupdate) is no longer
seen, where code that reads through `awaitable_attrs` or `run_sync` saw it before.
"""

import ast
from collections.abc import Iterator

from sessionwise.lint.findings import UNSAFE, Finding, Fix
from sessionwise.lint.model.context import FileContext
from sessionwise.lint.model.resolve import ASYNC_SESSION, Resolver
from sessionwise.lint.model.values import External, Factory, Session
from sessionwise.lint.rule import Rule


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


RULE = Rule(
    code="SW008",
    name="expire-on-commit",
    title="`expire_on_commit=True`",
    message=(
        "async session factory with expire_on_commit=True, and objects are read after a "
        "commit: each read is a lazy load, which fails with MissingGreenlet"
    ),
    fix=(
        "pass expire_on_commit=False to async_sessionmaker / AsyncSession (or refresh the "
        "object after the commit)"
    ),
    fix_applicability=(UNSAFE,),
    check=check,
    docs={
        "What it does": """\
`sessionwise check` reports **SW008** for an async session factory (`async_sessionmaker`,
`sessionmaker(class_=AsyncSession)` or `AsyncSession(...)`) without `expire_on_commit=False`,
when async code in the project reads objects of its sessions after `await session.commit()`:
returns them, reads an attribute, or hands them on, without `refresh()` first. A factory whose
sessions are never read after a commit (results converted before it, `SELECT 1`, a refresh
after it) is not reported. The sync case is not reported: there it costs a query, not an error.
""",
        "Why is this bad?": """\
In an async service, an endpoint that commits and then returns the object fails with a 500, and
the log shows a response validation error caused by:

```text
sqlalchemy.exc.MissingGreenlet: greenlet_spawn has not been called; can't call await_() here. Was IO attempted in an unexpected place?
```

In a sync service the same code works, with one extra `SELECT` per returned object; an object
read after its session is closed fails with
`sqlalchemy.orm.exc.DetachedInstanceError: Instance <Item at 0x...> is not bound to a Session; attribute refresh operation cannot proceed`.

By default (`expire_on_commit=True`, also the default of `async_sessionmaker`) a commit marks
every loaded attribute as stale, so the next read loads it again from the database. FastAPI reads
the attributes when it serialises the returned object. In async mode that read is a lazy load
outside `await`, which SQLAlchemy refuses with `MissingGreenlet`. In sync mode it is a silent
extra query, or an error once the session is closed.
""",  # noqa: E501
        "Example: what the template generates": """\
```python
--8<-- "async-sqlite-explicit/parts/db/SessionLocal.py"
```

Objects keep the values they had at the commit; reload explicitly (`session.refresh(item)`) when
the database computes something at commit time.
""",
        "Generated tests that catch it": """\
In async projects with the `explicit` policy, where endpoints commit and then return the object:

- `test_every_request_returns_its_connection_and_closes_its_session`: its first request,
  `POST /items`, must answer 201.
- `test_create_then_read_an_item`: the created item is returned with its id.

Under `commit_on_success` the commit runs after the response is serialised, and in sync mode the
reload works, so there no generated test fails.
""",
        "Fix safety": """\
`sessionwise check --fix --unsafe-fixes` adds `expire_on_commit=False` to the
`async_sessionmaker(...)` / `AsyncSession(...)` call (or sets it from `True`).

**Unsafe.** After a commit, objects keep the values they had instead of being expired: reads no
longer load (and so no longer fail with `MissingGreenlet`). But a value the database changes at
commit (a trigger, a server-side default or `onupdate`) is no longer reloaded, where code that
read it through `await obj.awaitable_attrs.x`, `session.run_sync` or a sync session saw the new
value before. Refresh those objects explicitly after the commit if you rely on such values.
""",
    },
)
