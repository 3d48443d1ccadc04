"""`sessionwise check --fix`: the findings' edits applied to the source with libcst, which keeps
every comment and all formatting outside the edited constructs.

A rule's fix is a list of `Edit`s, each naming the construct it changes by where that starts
(the position `ast` gave the checker) and an action:

- `keyword` (name, value): set the keyword argument of the call there, or add it;
- `return-to-yield` (form, name, async): turn `return <session>` into `with <session> as session:
  yield session` (form "with") or `try: yield name / finally: name.close()` (form "close"), and
  the function's return annotation `X` into `Iterator[X]` (`AsyncIterator[X]` for `async def`);
- `close-in-finally` (name, async), at a yield: the yield and what follows it in its block are
  wrapped in `try:` ... `finally: name.close()`, and a close they had dropped;
- `close-in-finally-try` (name, async), at a `try` around the yield: the try gains
  `finally: name.close()` (or its `finally` the close), and a close right after it is dropped.

Every edit of one file is applied in one pass of one transformer. An edit whose construct is
no longer where it was (the file changed since the check) is left out, never guessed.
"""

import difflib
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from sessionwise.lint.findings import Edit

ACTIONS = {"keyword", "return-to-yield", "close-in-finally", "close-in-finally-try"}
Position = tuple[int, int]


def char_column(lines: list[str], line: int, byte_col: int) -> int:
    """`ast` counts columns in UTF-8 bytes, libcst in characters."""
    if not 0 < line <= len(lines):
        return byte_col
    return len(lines[line - 1].encode()[:byte_col].decode(errors="ignore"))


def is_close_of(statement: cst.CSTNode, name: str) -> bool:
    """`name.close()` or `await name.close()` as a statement of its own."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    expr = statement.body[0]
    if not isinstance(expr, cst.Expr):
        return False
    value = expr.value.expression if isinstance(expr.value, cst.Await) else expr.value
    return (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Attribute)
        and value.func.attr.value == "close"
        and isinstance(value.func.value, cst.Name)
        and value.func.value.value == name
        and not value.args
    )


def close_statement(name: str, awaited: bool) -> cst.SimpleStatementLine:
    return cst.parse_statement(f"{'await ' if awaited else ''}{name}.close()\n")  # type: ignore[return-value]


class Fixer(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, edits: dict[Position, list[Edit]]) -> None:
        super().__init__()
        self.edits = edits
        self.applied: set[Edit] = set()
        self.annotate: list[bool] = []  # per enclosing function: rewrite its annotation
        self.needed_imports: set[str] = set()

    def at(self, node: cst.CSTNode, action: str) -> list[Edit]:
        start = self.get_metadata(PositionProvider, node).start
        return [e for e in self.edits.get((start.line, start.column), []) if e.action == action]

    # ----- keyword
    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        for edit in self.at(original, "keyword"):
            updated = set_keyword(updated, edit.args[0], edit.args[1])
            self.applied.add(edit)
        return updated

    # ----- return-to-yield (and the annotation of its function)
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.annotate.append(False)

    def leave_FunctionDef(
        self, original: cst.FunctionDef, updated: cst.FunctionDef
    ) -> cst.FunctionDef:
        if not self.annotate.pop() or updated.returns is None:
            return updated
        iterator = "AsyncIterator" if updated.asynchronous else "Iterator"
        returned = updated.returns.annotation
        self.needed_imports.add(iterator)
        wrapped = cst.Subscript(cst.Name(iterator), [cst.SubscriptElement(cst.Index(returned))])
        return updated.with_changes(returns=updated.returns.with_changes(annotation=wrapped))

    def leave_SimpleStatementLine(
        self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> cst.BaseStatement:
        if len(original.body) != 1 or not isinstance(original.body[0], cst.Return):
            return updated
        edits = self.at(original.body[0], "return-to-yield")
        returned = updated.body[0]
        if not edits or not isinstance(returned, cst.Return) or returned.value is None:
            return updated
        edit = edits[0]
        form, name, is_async = edit.args
        self.applied.add(edit)
        if self.annotate:
            self.annotate[-1] = True
        if form == "yield":  # a `with` or `finally` around it closes the session already
            return updated.with_changes(body=[cst.Expr(cst.Yield(returned.value))])
        value = cst.Module([]).code_for_node(returned.value)
        prefix = "async " if is_async else ""
        if form == "with":
            code = f"{prefix}with {value} as session:\n    yield session\n"
        else:
            awaited = "await " if is_async else ""
            code = f"try:\n    yield {name}\nfinally:\n    {awaited}{name}.close()\n"
        block = cst.parse_statement(code)
        assert isinstance(block, cst.With | cst.Try) and isinstance(block.body, cst.IndentedBlock)
        first, *rest = block.body.body
        first = first.with_changes(trailing_whitespace=updated.trailing_whitespace)  # its comment
        body = block.body.with_changes(body=[first, *rest])
        return block.with_changes(body=body, leading_lines=updated.leading_lines)

    # ----- close-in-finally
    def leave_Try(self, original: cst.Try, updated: cst.Try) -> cst.Try:
        for edit in self.at(original, "close-in-finally-try"):
            name, is_async = edit.args[0], bool(edit.args[1])
            close = close_statement(name, is_async)
            self.applied.add(edit)
            handlers = []
            for handler in updated.handlers:  # the close moves to `finally`
                kept = [s for s in handler.body.body if not is_close_of(s, name)]
                if kept and isinstance(handler.body, cst.IndentedBlock):
                    handler = handler.with_changes(body=handler.body.with_changes(body=kept))
                handlers.append(handler)
            updated = updated.with_changes(handlers=handlers)
            if updated.finalbody is None:
                updated = updated.with_changes(
                    finalbody=cst.Finally(body=cst.IndentedBlock(body=[close]))
                )
            elif not any(is_close_of(s, name) for s in updated.finalbody.body.body):
                block = updated.finalbody.body
                assert isinstance(block, cst.IndentedBlock)
                updated = updated.with_changes(
                    finalbody=updated.finalbody.with_changes(
                        body=block.with_changes(body=[*block.body, close])
                    )
                )
        return updated

    def leave_IndentedBlock(
        self, original: cst.IndentedBlock, updated: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        body = list(updated.body)
        for index, statement in enumerate(original.body):
            tried = self.at(statement, "close-in-finally-try")
            if tried:  # the try gained the close: drop one left after it
                name = tried[0].args[0]
                rest = [s for s in body[index + 1 :] if not is_close_of(s, name)]
                return updated.with_changes(body=[*body[: index + 1], *rest])
            edits = [e for e in self.yield_edits(statement) if e.action == "close-in-finally"]
            if edits:
                edit = edits[0]
                name, is_async = edit.args[0], bool(edit.args[1])
                kept = [s for s in body[index:] if not is_close_of(s, name)]
                leading = getattr(kept[0], "leading_lines", [])
                kept[0] = kept[0].with_changes(leading_lines=[])
                wrapped = cst.Try(
                    body=cst.IndentedBlock(body=kept),
                    finalbody=cst.Finally(
                        body=cst.IndentedBlock(body=[close_statement(name, is_async)])
                    ),
                    leading_lines=leading,
                )
                self.applied.add(edit)
                return updated.with_changes(body=[*body[:index], wrapped])
        return updated

    def yield_edits(self, statement: cst.CSTNode) -> list[Edit]:
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            return []
        small = statement.body[0]
        value = small.value if isinstance(small, cst.Expr | cst.Assign) else None
        if not isinstance(value, cst.Yield):
            return []
        return self.at(value, "close-in-finally")


def set_keyword(call: cst.Call, name: str, value: str) -> cst.Call:
    """`call` with `name=value`: the existing argument's value replaced, else one added after
    the last argument, in the layout of the call (one per line when they are)."""
    new_value = cst.parse_expression(value)
    args = list(call.args)
    for index, arg in enumerate(args):
        if arg.keyword is not None and arg.keyword.value == name:
            args[index] = arg.with_changes(value=new_value)
            return call.with_changes(args=args)
    added = cst.Arg(
        value=new_value,
        keyword=cst.Name(name),
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )
    if not args:
        return call.with_changes(args=[added])
    last = args[-1]
    if isinstance(last.comma, cst.Comma):  # a trailing comma: one argument per line
        args[-1], added = (
            last.with_changes(comma=between(args)),
            added.with_changes(comma=without_comment(last.comma)),
        )
    else:
        args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    return call.with_changes(args=[*args, added])


def without_comment(comma: cst.Comma) -> cst.Comma:
    after = comma.whitespace_after
    if isinstance(after, cst.ParenthesizedWhitespace):
        return comma.with_changes(
            whitespace_after=after.with_changes(first_line=cst.TrailingWhitespace())
        )
    return comma


def between(args: list[cst.Arg]) -> cst.Comma:
    """The last argument's comma (and its comment), followed by the indentation the other
    arguments have, for an argument added after it."""
    own = args[-1].comma
    assert isinstance(own, cst.Comma)
    previous = args[-2].comma if len(args) > 1 else None
    own_after, previous_after = own.whitespace_after, getattr(previous, "whitespace_after", None)
    if isinstance(own_after, cst.ParenthesizedWhitespace) and isinstance(
        previous_after, cst.ParenthesizedWhitespace
    ):
        return own.with_changes(
            whitespace_after=own_after.with_changes(
                indent=previous_after.indent, last_line=previous_after.last_line
            )
        )
    return own


def imported_names(module: cst.Module) -> set[str]:
    names = set()
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.ImportFrom) and not isinstance(
                    small.names, cst.ImportStar
                ):
                    for alias in small.names:
                        bound = alias.asname.name if alias.asname else alias.name
                        if isinstance(bound, cst.Name):
                            names.add(bound.value)
    return names


def add_imports(module: cst.Module, names: set[str]) -> cst.Module:
    """`from collections.abc import ...` for the names the module does not import yet."""
    missing = sorted(names - imported_names(module))
    if not missing:
        return module
    names_code = ", ".join(missing)
    added = cst.parse_statement(f"from collections.abc import {names_code}\n")
    body = list(module.body)
    imports = [
        (i, statement.body[0])
        for i, statement in enumerate(body)
        if isinstance(statement, cst.SimpleStatementLine)
        and isinstance(statement.body[0], cst.Import | cst.ImportFrom)
        and not is_future(statement.body[0])
    ]
    # As isort sorts: among the standard library's `from` imports, by module name.
    stdlib = [(i, node) for i, node in imports if top_module(node) in sys.stdlib_module_names]
    after = [
        i
        for i, node in stdlib
        if isinstance(node, cst.ImportFrom) and module_of(node) > "collections.abc"
    ]
    if after:
        position = after[0]
    elif stdlib:
        position = stdlib[-1][0] + 1
    elif imports:
        position = imports[0][0]
        added = added.with_changes(leading_lines=body[position].leading_lines)
        body[position] = body[position].with_changes(leading_lines=[cst.EmptyLine()])
        body.insert(position, added)
        return module.with_changes(body=body)
    else:
        position = next(
            (
                i
                for i, statement in enumerate(body)
                if not (
                    isinstance(statement, cst.SimpleStatementLine)
                    and (
                        is_future(statement.body[0])
                        or isinstance(getattr(statement.body[0], "value", None), cst.SimpleString)
                    )
                )
            ),
            len(body),
        )
    if position < len(body) and position in dict(imports):  # keep the blank lines above
        leading = body[position].leading_lines
        body[position] = body[position].with_changes(leading_lines=[])
        added = added.with_changes(leading_lines=leading)
    body.insert(position, added)
    return module.with_changes(body=body)


def module_of(node: cst.Import | cst.ImportFrom) -> str:
    if isinstance(node, cst.ImportFrom):
        return cst.Module([]).code_for_node(node.module) if node.module else ""
    return cst.Module([]).code_for_node(node.names[0].name)


def top_module(node: cst.Import | cst.ImportFrom) -> str:
    return module_of(node).partition(".")[0]


def is_future(statement: cst.BaseSmallStatement) -> bool:
    return (
        isinstance(statement, cst.ImportFrom)
        and isinstance(statement.module, cst.Name)
        and statement.module.value == "__future__"
    )


def fix_source(source: str, edits: Sequence[Edit]) -> tuple[str, set[Edit]]:
    """The source with `edits` applied, and which of them were."""
    lines = source.splitlines()
    by_position: dict[Position, list[Edit]] = defaultdict(list)
    for edit in edits:
        by_position[(edit.line, char_column(lines, edit.line, edit.col))].append(edit)
    wrapper = MetadataWrapper(cst.parse_module(source))
    fixer = Fixer(by_position)
    fixed = wrapper.visit(fixer)
    if fixer.needed_imports:
        fixed = add_imports(fixed, fixer.needed_imports)
    return fixed.code, fixer.applied


def fixed_files(edits: Iterable[Edit]) -> dict[Path, tuple[str, str, set[Edit]]]:
    """path -> (source, fixed source, edits applied), for every file an edit touches."""
    by_path: dict[Path, list[Edit]] = defaultdict(list)
    for edit in dict.fromkeys(edits):  # one of each, in order
        by_path[edit.path.resolve()].append(edit)
    results = {}
    for path, path_edits in by_path.items():
        try:  # bytes: the file's own line endings are kept
            source = path.read_bytes().decode("utf-8")
            fixed, applied = fix_source(source, path_edits)
        except (UnicodeDecodeError, cst.ParserSyntaxError):
            continue
        results[path] = (source, fixed, applied)
    return results


def preview(edits: Iterable[Edit], root: Path) -> list[dict[str, object]]:
    """What applying `edits` changes, as whole-line replacements per file (for JSON and SARIF)."""
    from sessionwise.lint.report import relative

    found: list[dict[str, object]] = []
    for path, (before, after, _) in fixed_files(edits).items():
        for first, end, content in replacements(before, after):
            found.append(
                {"path": relative(path, root), "first": first, "end": end, "content": content}
            )
    return found


def unified_diff(path: str, before: str, after: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=path,
            tofile=path,
        )
    )


def replacements(before: str, after: str) -> list[tuple[int, int, str]]:
    """The changes from `before` to `after` as whole-line replacements: (first line, line
    after the last one replaced, new text), lines 1-based; an insertion replaces no line."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    found = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            found.append((i1 + 1, i2 + 1, "".join(new[j1:j2])))
    return found
