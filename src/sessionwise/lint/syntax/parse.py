"""Source text to an `ast` tree, whatever Python version the code was written for.

`ast` only reads the syntax of the Python that runs the linter. Code written for 3.12 to 3.14
(`type` statements, PEP 695 generics, PEP 701 f-strings, PEP 758 `except A, B:`, t-strings)
is first parsed by libcst, which knows every version, and rewritten into equivalent older
syntax that keeps every line and column where it was (see `downlevel`), then read by `ast`.
"""

import ast
from dataclasses import dataclass


@dataclass(frozen=True)
class ParseFailure(Exception):
    """Source that no supported Python version accepts."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def parse_source(source: str, filename: str = "<unknown>") -> ast.Module:
    try:
        return ast.parse(source, filename=filename)
    except SyntaxError as error:
        first_error = error
    except ValueError as error:  # e.g. a null byte
        raise ParseFailure(1, str(error)) from None
    # libcst takes half a second to import: only for the rare file that needs it.
    import libcst

    from sessionwise.lint.syntax.downlevel import downlevel

    try:
        rewritten = downlevel(source)
    except libcst.ParserSyntaxError:
        # Not Python in any version: CPython's own message says best what is wrong.
        raise ParseFailure(first_error.lineno or 1, first_error.msg) from None
    try:
        return ast.parse(rewritten, filename=filename)
    except SyntaxError as error:
        raise ParseFailure(error.lineno or 1, error.msg) from None
