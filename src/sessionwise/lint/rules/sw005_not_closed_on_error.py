"""SW005: a yield dependency whose session is not closed on every path.

Fix (safe): the yield and what follows it go into `try:` with `session.close()` in `finally`
(or the `try` already around the yield gains that `finally`); a close after them is dropped.
On success the same statements run in the same order; on an error the session is now closed,
which rolls back what was not committed and returns the connection to the pool.
"""

import ast
from collections.abc import Iterator

from sessionwise.lint.context import FileContext
from sessionwise.lint.findings import DISPLAY_ONLY, SAFE, Finding, Fix
from sessionwise.lint.summary import Function, FunctionFacts, ancestors


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
