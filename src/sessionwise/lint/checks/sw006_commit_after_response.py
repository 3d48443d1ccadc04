"""SW006: a yield dependency that commits after the yield, used with the default scope."""

from collections.abc import Iterator

from sessionwise.lint.context import FileContext
from sessionwise.lint.findings import Finding


def check(ctx: FileContext) -> Iterator[Finding]:
    for facts, _ in ctx.functions():
        if facts.yield_shape is None or not ctx.is_dependency(facts):
            continue
        uses = ctx.index.depends_uses.get(facts.key, [])
        if uses and all(uses):  # every Depends(...) has scope="function"
            continue
        commit = ctx.resolver.commits_after_yield(facts, None, 0)
        if commit is not None:
            line, col, where = commit
            yield ctx.finding((line, col), "SW006", "finally" if where == "finally" else "")
