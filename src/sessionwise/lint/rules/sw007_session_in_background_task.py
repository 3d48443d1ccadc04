"""SW007: the request's session handed to a background task."""

import ast
from collections.abc import Iterator

from sessionwise.lint.context import FileContext
from sessionwise.lint.findings import Finding


def check(ctx: FileContext) -> Iterator[Finding]:
    for facts, node in ctx.functions():
        if not (ctx.is_endpoint(facts) or ctx.is_dependency(facts)):
            continue
        scope = ctx.scope(facts)
        for child in ctx.own(node):
            if not (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Attribute)
                and child.func.attr == "add_task"
            ):
                continue
            passed = child.args[1:] + [keyword.value for keyword in child.keywords]
            if any(
                isinstance(argument, ast.Name)
                and ctx.session_kind(ctx.resolver.value(argument, scope)) is not None
                for argument in passed
            ):
                yield ctx.finding(child, "SW007")
