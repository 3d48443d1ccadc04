"""SW001: a dependency that returns a session it opened, instead of yielding it.

Fix (unsafe): `return SessionLocal()` becomes `with SessionLocal() as session: yield session`
(`return session` a `try: yield session / finally: session.close()`), and a return annotation
`X` becomes `Iterator[X]`. The function turns into a generator: FastAPI closes the session
after the request, but code that calls the function itself (a script, a test, another
helper) now gets a generator instead of a session.
"""

import ast
from collections.abc import Iterator

from sessionwise.lint.context import FileContext
from sessionwise.lint.findings import DISPLAY_ONLY, UNSAFE, Finding, Fix
from sessionwise.lint.summary import FunctionFacts


def check(ctx: FileContext) -> Iterator[Finding]:
    for facts, node in ctx.functions():
        if facts.is_generator or facts.key not in ctx.index.depends_uses:
            continue
        for child in ctx.own(node):
            if not isinstance(child, ast.Return) or child.value is None:
                continue
            returned = child.value
            if ctx.opened_here(facts, returned):
                yield ctx.finding(child, "SW001", fix=fix(ctx, facts, child, returned))


def fix(ctx: FileContext, facts: FunctionFacts, statement: ast.Return, returned: ast.expr) -> Fix:
    kind = ctx.session_kind(ctx.resolver.value(returned, ctx.scope(facts)))
    is_async = "async" if facts.is_async and kind == "async" else ""
    if isinstance(returned, ast.Call):
        return Fix(UNSAFE, (ctx.edit(statement, "return-to-yield", "with", "", is_async),))
    if isinstance(returned, ast.Name):
        edit = ctx.edit(statement, "return-to-yield", "close", returned.id, is_async)
        return Fix(UNSAFE, (edit,))
    return Fix(DISPLAY_ONLY)
