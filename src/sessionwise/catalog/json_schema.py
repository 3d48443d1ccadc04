"""copier.yml's answer validators as JSON-schema keywords: a form refuses what copier refuses.

A validator in copier.yml reads `{% if BAD %}message{% elif BAD %}message{% endif %}`: an answer is
valid when no condition holds. The conditions are read from Jinja's syntax tree, never retyped:

- on a `str` answer: `x | regex_search('...')`, `x.strip()`, `x` (not empty), `x in [...]`,
  `x == '...'`, joined with `not`, `and`, `or`; they become `pattern` (alternatives joined with
  `|`) and `not: {enum: [...]}`;
- on an `int` answer: comparisons with whole numbers and `in [...]`, joined the same way; the
  valid numbers become `minimum` / `maximum`, and `not` for the few numbers in between.

A condition outside these raises UntranslatableRuleError rather than leaving it out: a form
without it would accept answers that copier refuses.
"""

import math
import re
from typing import Any

import jinja2
from jinja2 import nodes

Schema = dict[str, Any]
Intervals = list[tuple[float, float]]  # whole numbers lo..hi, both included; ends may be infinite

# Numbers a range can leave out and still read as `minimum`, `maximum` and `not: {enum: [...]}`.
MOST_HOLES = 10


class UntranslatableRuleError(ValueError):
    """A validator with a condition that JSON schema (or this reader) cannot express."""


def rule_schema(name: str, answer_type: str, validator: str) -> Schema:
    """JSON-schema keywords that hold for exactly the answers `validator` accepts."""
    conditions = refusing_conditions(name, validator)
    if answer_type == "int":
        refused: Intervals = []
        for condition in conditions:
            refused = union(refused, numbers_where(condition, name))
        return numbers_schema(name, complement(refused))
    if answer_type == "str":
        schema: Schema = {}
        for condition in conditions:
            schema = all_of(schema, text_where(condition, name, holds=False))
        return schema
    raise UntranslatableRuleError(f"{name}: validators of {answer_type} answers are not read")


def refusing_conditions(name: str, validator: str) -> list[nodes.Node]:
    """The conditions of the validator's `{% if %}` and `{% elif %}` branches."""
    body = [
        node
        for node in jinja2.Environment().parse(validator).body
        if not (isinstance(node, nodes.Output) and is_blank(node))
    ]
    if len(body) != 1 or not isinstance(body[0], nodes.If) or body[0].else_:
        raise UntranslatableRuleError(f"{name}: a validator must be one {{% if %}} without else")
    branch = body[0]
    return [branch.test, *(elif_.test for elif_ in branch.elif_)]


def is_blank(output: nodes.Output) -> bool:
    return all(isinstance(n, nodes.TemplateData) and not n.data.strip() for n in output.nodes)


def constant(node: nodes.Node, name: str) -> Any:
    try:
        if isinstance(node, nodes.Expr):
            return node.as_const()
    except nodes.Impossible:
        pass
    raise UntranslatableRuleError(f"{name}: expected a constant, got {node}")


def is_answer(node: nodes.Node, name: str) -> bool:
    return isinstance(node, nodes.Name) and node.name == name


def comparison(node: nodes.Node, name: str) -> tuple[str, Any] | None:
    """(operator, constant) for `answer OP constant`."""
    if isinstance(node, nodes.Compare) and is_answer(node.expr, name) and len(node.ops) == 1:
        return node.ops[0].op, constant(node.ops[0].expr, name)
    return None


# Whole numbers: sets of intervals.


def numbers_where(node: nodes.Node, name: str) -> Intervals:
    """The whole numbers for which `node` holds."""
    if isinstance(node, nodes.Not):
        return complement(numbers_where(node.node, name))
    if isinstance(node, nodes.And):
        left, right = numbers_where(node.left, name), numbers_where(node.right, name)
        return complement(union(complement(left), complement(right)))
    if isinstance(node, nodes.Or):
        return union(numbers_where(node.left, name), numbers_where(node.right, name))
    compared = comparison(node, name)
    if compared is None:
        raise UntranslatableRuleError(f"{name}: cannot read the condition {node}")
    op, value = compared
    if op in ("in", "notin"):
        points: Intervals = [(v, v) for v in sorted(set(value))]
        return points if op == "in" else complement(points)
    return {
        "lt": [(-math.inf, value - 1)],
        "lteq": [(-math.inf, value)],
        "gt": [(value + 1, math.inf)],
        "gteq": [(value, math.inf)],
        "eq": [(value, value)],
        "ne": complement([(value, value)]),
    }[op]


def union(first: Intervals, second: Intervals) -> Intervals:
    merged: Intervals = []
    for lo, hi in sorted(first + second):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def complement(intervals: Intervals) -> Intervals:
    gaps: Intervals = []
    start = -math.inf
    for lo, hi in intervals:
        if lo > start:
            gaps.append((start, lo - 1))
        start = hi + 1
    if start < math.inf:
        gaps.append((start, math.inf))
    return gaps


def numbers_schema(name: str, valid: Intervals) -> Schema:
    if not valid:
        raise UntranslatableRuleError(f"{name}: the validator refuses every number")
    lo, hi = valid[0][0], valid[-1][1]
    schema: Schema = {}
    if lo > -math.inf:
        schema["minimum"] = int(lo)
    if hi < math.inf:
        schema["maximum"] = int(hi)
    gaps = [(int(a), int(b)) for a, b in complement(valid) if lo < a and b < hi]
    holes = [n for a, b in gaps for n in range(a, b + 1)]
    if len(holes) > MOST_HOLES:
        raise UntranslatableRuleError(f"{name}: too many numbers left out of {lo}..{hi}")
    if holes:
        schema["not"] = {"const": holes[0]} if len(holes) == 1 else {"enum": holes}
    return schema


# Text: JSON-schema keywords.


def text_where(node: nodes.Node, name: str, holds: bool) -> Schema:
    """The answers for which `node` holds (or, with holds=False, does not hold)."""
    if isinstance(node, nodes.Not):
        return text_where(node.node, name, not holds)
    if isinstance(node, nodes.And | nodes.Or):
        left = text_where(node.left, name, holds)
        right = text_where(node.right, name, holds)
        # not (a and b) is (not a) or (not b); not (a or b) is (not a) and (not b)
        return all_of(left, right) if isinstance(node, nodes.And) == holds else any_of(left, right)
    keywords = text_keywords(node, name)
    return keywords if holds else negated(keywords)


def text_keywords(node: nodes.Node, name: str) -> Schema:
    """The answers for which a single condition holds."""
    if is_answer(node, name):
        return {"minLength": 1}
    if (
        isinstance(node, nodes.Filter)
        and node.name == "regex_search"
        and node.node is not None
        and is_answer(node.node, name)
        and len(node.args) == 1
    ):
        pattern = constant(node.args[0], name)
        # regex_search gives the matched text, false when empty: a pattern that can match
        # nothing would hold for JSON schema and not for Jinja.
        if re.search(pattern, "") is not None:
            raise UntranslatableRuleError(f"{name}: {pattern!r} can match an empty string")
        return {"pattern": pattern}
    if (
        isinstance(node, nodes.Call)
        and isinstance(node.node, nodes.Getattr)
        and node.node.attr == "strip"
        and is_answer(node.node.node, name)
        and not node.args
    ):
        return {"pattern": r"\S"}
    compared = comparison(node, name)
    if compared is not None:
        op, value = compared
        if op in ("in", "notin"):
            return {"enum": list(value)} if op == "in" else {"not": {"enum": list(value)}}
        if op in ("eq", "ne"):
            return {"const": value} if op == "eq" else {"not": {"const": value}}
    raise UntranslatableRuleError(f"{name}: cannot read the condition {node}")


def negated(keywords: Schema) -> Schema:
    if keywords == {"minLength": 1}:
        return {"maxLength": 0}
    if list(keywords) == ["not"]:
        return dict(keywords["not"])
    return {"not": keywords}


def all_of(first: Schema, second: Schema) -> Schema:
    if not set(first) & set(second):
        return {**first, **second}
    return {"allOf": [first, second]}


def any_of(first: Schema, second: Schema) -> Schema:
    """Either; two patterns become one with `|` (a form shows one rule, not a choice of two)."""
    patterns = [as_pattern(first), as_pattern(second)]
    if None not in patterns:
        return {"pattern": "|".join(p for p in patterns if p is not None)}
    return {"anyOf": [first, second]}


def as_pattern(keywords: Schema) -> str | None:
    if keywords == {"maxLength": 0}:
        return "^$"
    if list(keywords) == ["pattern"]:
        return str(keywords["pattern"])
    return None
