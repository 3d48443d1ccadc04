"""SW001: a dependency that returns a session it opened, instead of yielding it.

Fix (unsafe): `return SessionLocal()` becomes `with SessionLocal() as session: yield session`
(`return session` a `try: yield session / finally: session.close()`, or `yield session` where
a `with` or `finally` around it closes it already), and a return annotation
`X` becomes `Iterator[X]`. The function turns into a generator: FastAPI closes the session
after the request, but code that calls the function itself (a script, a test, another
helper) now gets a generator instead of a session.
"""

import ast
from collections.abc import Iterator

from sessionwise.lint.findings import DISPLAY_ONLY, UNSAFE, Finding, Fix
from sessionwise.lint.model.context import FileContext
from sessionwise.lint.model.summary import FunctionFacts
from sessionwise.lint.rule import Rule
from sessionwise.lint.syntax.nodes import Function, ancestors, is_method_call


def check(ctx: FileContext) -> Iterator[Finding]:
    for facts, node in ctx.functions():
        if facts.is_generator or facts.key not in ctx.index.depends_uses:
            continue
        for child in ctx.own(node):
            if not isinstance(child, ast.Return) or child.value is None:
                continue
            returned = child.value
            if ctx.opened_here(facts, returned):
                yield ctx.finding(child, "SW001", fix=fix(ctx, facts, node, child))


def fix(ctx: FileContext, facts: FunctionFacts, function: Function, statement: ast.Return) -> Fix:
    returned = statement.value
    kind = ctx.session_kind(ctx.resolver.value(returned, ctx.scope(facts)))
    is_async = "async" if facts.is_async and kind == "async" else ""
    if isinstance(returned, ast.Name) and closed_around(function, statement, returned.id):
        return Fix(UNSAFE, (ctx.edit(statement, "return-to-yield", "yield", "", is_async),))
    if isinstance(returned, ast.Call):
        return Fix(UNSAFE, (ctx.edit(statement, "return-to-yield", "with", "", is_async),))
    if isinstance(returned, ast.Name):
        edit = ctx.edit(statement, "return-to-yield", "close", returned.id, is_async)
        return Fix(UNSAFE, (edit,))
    return Fix(DISPLAY_ONLY)


def closed_around(function: Function, statement: ast.Return, name: str) -> bool:
    """The returned session is closed by what encloses the return: `with ... as name:`, or a
    `try` whose `finally` calls `name.close()` (so it was handed out closed)."""
    for node in ancestors(function, statement):
        if isinstance(node, ast.With | ast.AsyncWith) and any(
            isinstance(item.optional_vars, ast.Name) and item.optional_vars.id == name
            for item in node.items
        ):
            return True
        if isinstance(node, ast.Try) and any(
            is_method_call(n, {"close"})
            and isinstance(n.func.value, ast.Name)  # type: ignore[attr-defined]
            and n.func.value.id == name  # type: ignore[attr-defined]
            for statement_ in node.finalbody
            for n in ast.walk(statement_)
        ):
            return True
    return False


RULE = Rule(
    code="SW001",
    name="return-instead-of-yield",
    title="`return` instead of `yield`",
    message=(
        "the dependency returns the session instead of yielding it: FastAPI never closes it, "
        "so every request keeps a pooled connection until garbage collection, and under load "
        "requests fail with `QueuePool limit ... reached`"
    ),
    fix=(
        "`yield` the session inside `with SessionLocal() as session:` (or try/finally with "
        "session.close())"
    ),
    fix_applicability=(UNSAFE, DISPLAY_ONLY),
    check=check,
    docs={
        "What it does": """\
`sessionwise check` reports **SW001** for a dependency (a function or a class's `__call__`
named in `Depends(...)` anywhere in the project) that returns a session it opened, also one it
closes in `finally` or in a `with` block before the endpoint uses it. Returning a session that
already exists (`request.state.db`) is not reported, nor is a helper that is not a dependency.
""",
        "Why is this bad?": """\
The service works in development and in tests, then under real traffic requests hang for
`pool_timeout` seconds and fail with:

```text
sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30.00
```

(with `AsyncSession` the pool class is the async-adapted queue pool; the message is the same).

```python
def get_db():
    return SessionLocal()  # nothing ever closes this session
```

A dependency that returns its value has no clean-up step: FastAPI has nothing to run after the
endpoint. The session keeps its connection checked out until the garbage collector happens to
collect it. Each request can hold one more connection; once `pool_size + max_overflow` are held,
every new request waits for `pool_timeout` and fails.
""",  # noqa: E501
        "Example: what the template generates": """\
A generator dependency whose clean-up always runs: `try`/`finally` in sync mode, `async with` in
async mode.

```python
--8<-- "sync-sqlite-explicit/parts/db/get_session.py"
```

```python
--8<-- "async-sqlite-explicit/parts/db/get_session.py"
```
""",
        "Generated tests that catch it": """\
- `test_every_request_returns_its_connection_and_closes_its_session`: after each request the
  pool has every connection back and no session is open.
- `test_more_concurrent_requests_than_the_pool_holds_all_succeed`: `pool_size + max_overflow + 10`
  concurrent requests all get a 200.
""",
        "Fix safety": """\
`sessionwise check --fix --unsafe-fixes` turns `return SessionLocal()` into

```python
def get_db() -> Iterator[Session]:
    with SessionLocal() as session:
        yield session
```

(`async with` for an `AsyncSession`; a returned local `db` becomes `try: yield db` with
`db.close()` in `finally`), and the return annotation `Session` into `Iterator[Session]`,
importing `Iterator` from `collections.abc` when the module does not yet.

**Unsafe.** For FastAPI the change is the repair itself: the session is closed after the request
instead of when garbage collection gets to it. But the function becomes a generator: any code
that calls it directly, a script, a test or another helper that did `db = get_db()`, now gets a
generator instead of a session, and fails. The checker cannot see every caller (tests, other
packages), so the fix waits for `--unsafe-fixes`.
""",
    },
)
