"""SW005: a yield dependency whose session is not closed on every path."""

from collections.abc import Iterator

from sessionwise.lint.context import FileContext
from sessionwise.lint.findings import Finding


def check(ctx: FileContext) -> Iterator[Finding]:
    for facts, _ in ctx.functions():
        shape = facts.yield_shape
        if shape is None or shape.delegate is not None or shape.enclosing_with:
            continue
        if shape.closes_in_finally or not ctx.is_dependency(facts):
            continue
        if not any(ctx.opened_here(facts, value) for value in facts.yields):
            continue
        if shape.closes_after:
            yield ctx.finding((shape.line, shape.col), "SW005")
        elif shape.closes_in_except:
            yield ctx.finding((shape.line, shape.col), "SW005", "on-error-only")
        else:
            yield ctx.finding((shape.line, shape.col), "SW005", "never")
