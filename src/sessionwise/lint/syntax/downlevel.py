"""Rewrite 3.12-3.14 syntax into 3.11 syntax, keeping every line and (nearly) every column.

libcst parses the source and gives the position of each construct `ast` cannot read on the
running Python; each is replaced by text of the same length and the same line breaks:

- `type X[T] = v` becomes `type=X    = v`: an assignment to `X` (and to a name `type`);
- type parameters of `def f[T](...)` and `class C[T]:` become blanks;
- `except A, B:` becomes `except(A, B):` (the only edit that moves a column, on that line);
- an f-string or t-string 3.11 cannot read becomes a plain string of blanks: what is inside
  never matters to the checks.
"""

import ast
from collections.abc import Mapping

import libcst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

Edit = tuple[int, int, str]  # start offset, end offset, replacement


def downlevel(source: str) -> str:
    """3.11 syntax for `source`; raises libcst.ParserSyntaxError when it is not Python."""
    wrapper = MetadataWrapper(libcst.parse_module(source), unsafe_skip_copy=True)
    collector = _Collector(wrapper.resolve(PositionProvider), _LineOffsets(source), source)
    wrapper.module.visit(collector)
    for start, end, text in sorted(collector.edits, reverse=True):
        source = source[:start] + text + source[end:]
    return source


class _LineOffsets:
    def __init__(self, source: str) -> None:
        self.starts = [0]
        for index, char in enumerate(source):
            if char == "\n":
                self.starts.append(index + 1)

    def __call__(self, line: int, column: int) -> int:
        return self.starts[line - 1] + column


def blank(text: str) -> str:
    """Spaces of the same UTF-8 length, line breaks kept: the columns `ast` counts stay put."""
    return "".join(char if char == "\n" else " " * len(char.encode()) for char in text)


def blank_region(text: str) -> str:
    """Blanks that still join the lines the region spanned (a `\\` before each break)."""
    lines = blank(text).split("\n")
    joined = [line[:-1] + "\\" if line else "\\" for line in lines[:-1]]
    return "\n".join([*joined, lines[-1]])


def blank_string(text: str) -> str:
    """A plain string literal as long as `text` (bytes), on the same lines."""
    inner = blank(text)
    if "\n" not in text:
        return '"' + inner[1:-1] + '"'
    lines = inner.split("\n")
    lines[0] = '"""' + lines[0][3:]
    lines[-1] = lines[-1][:-3] + '"""'
    return "\n".join(lines)


def reads_on_311(text: str) -> bool:
    try:
        ast.parse(f"(\n{text}\n)", mode="eval")
    except SyntaxError:
        return False
    return True


class _Collector(libcst.CSTVisitor):
    def __init__(
        self, positions: Mapping[libcst.CSTNode, CodeRange], offset: _LineOffsets, source: str
    ) -> None:
        self.positions = positions
        self.offset = offset
        self.source = source
        self.edits: list[Edit] = []

    def span(self, node: libcst.CSTNode) -> tuple[int, int]:
        where: CodeRange = self.positions[node]
        return (
            self.offset(where.start.line, where.start.column),
            self.offset(where.end.line, where.end.column),
        )

    def blank_node(self, node: libcst.CSTNode) -> None:
        start, end = self.span(node)
        self.edits.append((start, end, blank_region(self.source[start:end])))

    def visit_TypeAlias(self, node: libcst.TypeAlias) -> None:
        start, _ = self.span(node)  # at the `type` keyword
        self.edits.append((start + 4, start + 5, "="))
        if node.type_parameters is not None:
            self.blank_node(node.type_parameters)

    def visit_FunctionDef(self, node: libcst.FunctionDef) -> None:
        if node.type_parameters is not None:
            self.blank_node(node.type_parameters)

    def visit_ClassDef(self, node: libcst.ClassDef) -> None:
        if node.type_parameters is not None:
            self.blank_node(node.type_parameters)

    def visit_ExceptHandler(self, node: libcst.ExceptHandler) -> None:
        self.parenthesize(node.type)

    def visit_ExceptStarHandler(self, node: libcst.ExceptStarHandler) -> None:
        self.parenthesize(node.type)

    def parenthesize(self, caught: libcst.BaseExpression | None) -> None:
        if isinstance(caught, libcst.Tuple) and not caught.lpar:
            start, end = self.span(caught)
            if self.source[start - 1] == " ":
                self.edits.append((start - 1, start, "("))
            else:
                self.edits.append((start, start, "("))
            self.edits.append((end, end, ")"))

    def visit_FormattedString(self, node: libcst.FormattedString) -> bool:
        start, end = self.span(node)
        if not reads_on_311(self.source[start:end]):
            self.edits.append((start, end, blank_string(self.source[start:end])))
            return False
        return True

    def visit_TemplatedString(self, node: libcst.TemplatedString) -> bool:
        start, end = self.span(node)
        self.edits.append((start, end, blank_string(self.source[start:end])))
        return False
