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

from sessionwise.lint.context import FileContext
from sessionwise.lint.findings import DISPLAY_ONLY, UNSAFE, Finding, Fix
from sessionwise.lint.summary import Function, FunctionFacts, ancestors, is_method_call


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
