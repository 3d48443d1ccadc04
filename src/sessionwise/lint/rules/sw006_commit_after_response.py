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

from sessionwise.lint.context import FileContext
from sessionwise.lint.findings import DISPLAY_ONLY, UNSAFE, Edit, Finding, Fix
from sessionwise.lint.pins import Version, exit_code_before_response


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
