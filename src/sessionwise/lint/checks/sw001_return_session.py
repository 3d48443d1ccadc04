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
            returned = child.value if isinstance(child, ast.Return) else None
            if returned is not None and ctx.opened_here(facts, returned):
                yield ctx.finding(child, "SW001")
