"""SW006: a yield dependency that commits after the yield, used with the default scope.

Fix (unsafe): `scope="function"` on every `Depends(...)` that names the dependency without it.
What runs after the yield (the commit, the close) then runs when the endpoint returns, before
the response is sent: a failed commit becomes an error response. But the session is closed
before FastAPI serializes the response, so an endpoint that returns ORM objects with
attributes not loaded yet (expired by the commit, lazy relationships) now fails there; and
the edit may be in other files than the finding, wherever the dependency is used.

Display-only when the project pins a FastAPI older than 0.121, which has no `scope` (upgrade
first). Not reported when the project pins FastAPI 0.106 to 0.117 (lockfile, `==` or `~=`),
which ran the exit code before the response whatever the scope.
"""

from collections.abc import Iterator

from sessionwise.lint.findings import DISPLAY_ONLY, UNSAFE, Edit, Finding, Fix
from sessionwise.lint.model.context import FileContext
from sessionwise.lint.model.pins import Version, exit_code_before_response
from sessionwise.lint.rule import Rule


def check(ctx: FileContext) -> Iterator[Finding]:
    if exit_code_before_response(ctx.index.fastapi):
        return  # the pinned FastAPI commits before the response whatever the scope
    for facts, _ in ctx.functions():
        if facts.yield_shape is None or not ctx.is_dependency(facts):
            continue
        uses = ctx.index.depends_uses.get(facts.key, [])
        if uses and all(uses):  # every Depends(...) has scope="function"
            continue
        commit = ctx.resolver.commits_after_yield(facts, None, 0)
        if commit is not None:
            line, col, where = commit
            edits = tuple(
                Edit(
                    ctx.index.paths[module], site_line, site_col, "keyword", ("scope", '"function"')
                )
                for module, site_line, site_col in ctx.index.request_scoped_sites.get(facts.key, [])
                if module in ctx.index.paths
            )
            fix = (
                Fix(UNSAFE, edits) if edits and has_scope(ctx.index.fastapi) else Fix(DISPLAY_ONLY)
            )
            yield ctx.finding((line, col), "SW006", "finally" if where == "finally" else "", fix)


def has_scope(pinned: Version | None) -> bool:
    """`Depends(..., scope=...)` exists (FastAPI 0.121 and later), or the version is not
    pinned: under an older pin the edit would fail at import, so the fix is display-only."""
    return pinned is None or pinned >= (0, 121)


RULE = Rule(
    code="SW006",
    name="commit-after-response",
    title="the commit runs after the response",
    message=(
        "this commit runs after the response was sent (the dependency has the default scope): "
        "a failed commit reaches the client as a success, and the data is lost"
    ),
    fix='use Depends(dependency, scope="function") so the commit runs before the response',
    fix_applicability=(UNSAFE, DISPLAY_ONLY),
    variants={
        "finally": (
            "this commit is in `finally`: it runs after the response was sent (default scope), "
            "and also when the endpoint failed, so half-done work is committed and a failed "
            "commit reaches the client as a success"
        ),
    },
    check=check,
    docs={
        "What it does": """\
`sessionwise check` reports **SW006** on the line that commits, for a dependency used with the
default scope whose code after `yield` commits: a `commit()` after the yield (in the body,
`else` or `finally`), a `with session.begin():` block around the yield, or a context manager
or generator it delegates to that commits on exit (`with create_session() as s: yield s`,
`yield from session_generator()`). A commit in `finally` gets its own message: it also runs
when the endpoint failed. Every `Depends(...)` naming the dependency in the project counts;
none with the default scope, no finding.
""",
        "Why is this bad?": """\
The client gets a `201 Created`, but the row is not in the database. The only trace is an error
in the server log, after the request was logged as a success, for example:

```text
sqlalchemy.exc.IntegrityError: (psycopg.errors.UniqueViolation) duplicate key value violates unique constraint "uq_items_name"
```

```python
def get_db():
    with SessionLocal() as db:
        yield db
        db.commit()

SessionDep = Annotated[Session, Depends(get_db)]  # default scope: "request"
```

With the default dependency scope, FastAPI runs the code after `yield` once the response has been
sent. The status code has already gone to the client when the commit fails, and the connection
stays checked out while the response is written. Since FastAPI 0.121,
`Depends(..., scope="function")` runs that code right after the endpoint returns, before the
response is sent, so a failed commit becomes an error the client sees: 409 for a conflict, 500
for anything else. See
[Transaction policies](../transactions.md#the-dependency-scope).
""",  # noqa: E501
        "Example: what the template generates": """\
```python
--8<-- "sync-postgresql-commit/parts/db/SessionDep.py"
```
""",
        "Generated tests that catch it": """\
- `test_conflict_found_at_commit_is_409_and_keeps_nothing` (`commit_on_success` projects): an
  endpoint whose commit fails on a unique constraint must answer 409 and store nothing.
- `test_commit_that_fails_otherwise_is_500_and_keeps_nothing` (`commit_on_success` projects): a
  commit that fails for another reason (here the connection lost during `COMMIT`) must answer
  500 and store nothing.
- `test_nothing_is_committed_that_the_endpoint_did_not_commit` (`explicit` projects): the
  dependency never commits on the endpoint's behalf.
""",
        "Fix safety": """\
`sessionwise check --fix --unsafe-fixes` adds `scope="function"` to every `Depends(...)` that
names the dependency without it (or replaces `scope="request"`), wherever that `Depends` is
written: often another file than the dependency, such as an `Annotated` alias next to the
routes.

**Unsafe.** The commit then runs when the endpoint returns, before the response is sent, which
is the repair: a failed commit becomes an error response. But the session is also closed before
FastAPI serializes the response, so an endpoint that returns ORM objects whose attributes are
not loaded yet (expired by the commit, lazy relationships) now fails while serializing; and the
`scope` parameter needs FastAPI 0.121 or later: where the project pins an older version (in a
lockfile, or with `==` / `~=`), the fix is display-only, since the edit would fail at import;
upgrade FastAPI first. Check the endpoints' return values (the
template's `expire_on_commit=False` and response models avoid both) before applying it.
""",
    },
)
