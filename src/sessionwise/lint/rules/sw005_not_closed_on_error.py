"""SW005: a yield dependency whose session is not closed on every path.

Fix (safe): the yield and what follows it go into `try:` with `session.close()` in `finally`
(or the `try` already around the yield gains that `finally`); a close after them is dropped.
On success the same statements run in the same order; on an error the session is now closed,
which rolls back what was not committed and returns the connection to the pool.
"""

import ast
from collections.abc import Iterator

from sessionwise.lint.findings import DISPLAY_ONLY, SAFE, Finding, Fix
from sessionwise.lint.model.context import FileContext
from sessionwise.lint.model.summary import FunctionFacts
from sessionwise.lint.rule import Rule
from sessionwise.lint.syntax.nodes import Function, ancestors


def check(ctx: FileContext) -> Iterator[Finding]:
    for facts, node in ctx.functions():
        shape = facts.yield_shape
        if shape is None or shape.delegate is not None or shape.enclosing_with:
            continue
        if shape.closes_in_finally or not ctx.is_dependency(facts):
            continue
        opened = [value for value in facts.yields if ctx.opened_here(facts, value)]
        if not opened:
            continue
        where = (shape.line, shape.col)
        fix = close_fix(ctx, facts, node, opened[0])
        if shape.closes_after:
            yield ctx.finding(where, "SW005", fix=fix)
        elif shape.closes_in_except:
            yield ctx.finding(where, "SW005", "on-error-only", fix=fix)
        else:
            yield ctx.finding(where, "SW005", "never", fix=fix)


def close_fix(ctx: FileContext, facts: FunctionFacts, node: Function, value: ast.expr) -> Fix:
    first = next(
        (
            n
            for n in ast.walk(node)
            if isinstance(n, ast.Yield)
            and (n.lineno, n.col_offset) == (facts.yield_shape.line, facts.yield_shape.col)  # type: ignore[union-attr]
        ),
        None,
    )
    if first is None or not isinstance(value, ast.Name):
        return Fix(DISPLAY_ONLY)
    kind = ctx.session_kind(ctx.resolver.value(value, ctx.scope(facts)))
    is_async = "async" if facts.is_async and kind == "async" else ""
    trail = ancestors(node, first)
    tries = [
        t
        for t in trail
        if isinstance(t, ast.Try) and any(any(n is s for n in trail) for s in t.body)
    ]
    if tries:
        return Fix(SAFE, (ctx.edit(tries[-1], "close-in-finally-try", value.id, is_async),))
    return Fix(SAFE, (ctx.edit(first, "close-in-finally", value.id, is_async),))


RULE = Rule(
    code="SW005",
    name="session-not-closed-on-error",
    title="the session is not closed when the endpoint fails",
    message=(
        "the yielded session is closed only when the endpoint succeeds: each request that "
        "raises leaks a pooled connection"
    ),
    fix=(
        "wrap the `yield` in `with SessionLocal() as session:` (or try/finally with "
        "session.close())"
    ),
    fix_applicability=(SAFE, DISPLAY_ONLY),
    variants={
        "on-error-only": (
            "the session is closed only when the endpoint fails (in `except`): every successful "
            "request leaks a pooled connection"
        ),
        "never": "the yielded session is never closed: every request leaks a pooled connection",
    },
    check=check,
    docs={
        "What it does": """\
`sessionwise check` reports **SW005** on the `yield` of a dependency that opened the session it
yields and does not close it on every path: closed only after the yield (not when the endpoint
raises), closed only in `except` (leaks on every success), or never closed. A `finally` that
closes, a `with`/`async with` around the yield, or a session received from another dependency
is fine.
""",
        "Why is this bad?": """\
The service runs well until errors start: each 4xx or 500 raised from an endpoint leaves a
connection checked out, often inside an open transaction (PostgreSQL shows it as
`idle in transaction` in `pg_stat_activity`, holding its locks). After enough failed requests the
pool is empty and every request fails with:

```text
sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30.00
```

```python
def get_db():
    db = SessionLocal()
    yield db
    db.commit()
    db.close()  # skipped when the endpoint raised
```

When the endpoint raises, including an `HTTPException`, FastAPI throws the exception into the
dependency at its `yield`. Without `try`/`finally` (or a `with` block) the lines after `yield` do
not run: no rollback, no close.
""",  # noqa: E501
        "Example: what the template generates": """\
The clean-up sits in `finally` (sync) or in `async with` (async), so it runs however the endpoint
ends. Under `commit_on_success` the dependency also rolls back and re-raises:

```python
--8<-- "sync-postgresql-commit/parts/db/get_session.py"
```
""",
        "Generated tests that catch it": """\
- `test_http_error_in_the_endpoint_rolls_back_and_closes`: an endpoint that flushes a row and then
  raises `HTTPException(400)` leaves no row, no open session and no checked-out connection.
- `test_crash_in_the_endpoint_rolls_back_and_closes`: the same for a `RuntimeError` (a 500).
""",
        "Fix safety": """\
`sessionwise check --fix` puts the yield and the statements after it into `try:` with
`session.close()` in `finally` (or gives the `try` already around the yield that `finally`), and
drops the close that ran only on one path:

```python
def get_db():
    db = SessionLocal()
    try:
        yield db
        db.commit()
    finally:
        db.close()
```

**Safe.** When the endpoint succeeds, the same statements run in the same order as before.
When it fails, the session is now closed: what was not committed is rolled back (as the
database would have done when the connection was finally dropped) and the connection goes back
to the pool. Nothing else that runs changes.
""",
    },
)
