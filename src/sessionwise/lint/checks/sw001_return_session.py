"""SW001: a dependency that returns a session it opened, instead of yielding it."""

import ast
from collections.abc import Iterator

from sessionwise.lint.context import FileContext
from sessionwise.lint.findings import Finding


def check(ctx: FileContext) -> Iterator[Finding]:
    for facts, node in ctx.functions():
        if facts.is_generator or facts.key not in ctx.index.depends_uses:
            continue
        for child in ctx.own(node):
            if isinstance(child, ast.Return) and child.value is not None:
                if ctx.opened_here(facts, child.value):
                    yield ctx.finding(child, "SW001")
