"""SW000: a file no Python version accepts (reported by the engine, which parses every
file: `syntax.parse`)."""

from sessionwise.lint.rule import Rule

RULE = Rule(
    code="SW000",
    name="cannot-parse",
    title="a file that cannot be parsed",
    message="no Python version accepts this file, so none of its pitfalls can be checked",
    fix="fix the syntax error at the line given; nothing else in this file was checked",
    fix_applicability=(),
    page="cannot-parse.md",
    docs={
        "What it does": """\
`sessionwise check` reports **SW000** for a file that no Python version accepts. Nothing else
in that file is checked, so its session pitfalls stay hidden until the error is fixed. The
finding gives the line and the parser's message, for example:

```text
app/db.py:12:1: SW000 no Python version accepts this file, so none of its pitfalls can be checked (line 12: invalid syntax)
```

Newer syntax is not an error: code written for Python 3.12 to 3.14 (`type` statements,
generics such as `def first[T](items: list[T]) -> T`, f-strings with nested quotes,
`except ValueError, KeyError:`, t-strings) is read whatever Python runs the checker. Such files
are parsed with [libcst](https://libcst.readthedocs.io), rewritten into equivalent older
syntax that keeps every line where it was, and checked like any other file.
""",  # noqa: E501
        "What to do": """\
Fix the syntax error at the line given (run `python -m py_compile path/to/file.py` with the
Python your project targets to see the same error), or exclude the file if it is not Python
(a template, a generated file):

```toml
[tool.sessionwise]
exclude = ["templates/*"]
```
""",
    },
)
