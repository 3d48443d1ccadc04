"""copier.yml validators read as JSON schema: the same verdicts as the Jinja copier runs, and a
clear refusal for rules a form cannot carry."""

import re

import jinja2
import pytest
from jsonschema import Draft7Validator

from sessionwise.catalog.json_schema import UntranslatableRuleError, rule_schema
from sessionwise.template.questions import Question, questions

# copier renders validators with its default extension, which brings `regex_search`.
JINJA = jinja2.Environment(extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"])
JSON_TYPES = {"str": "string", "int": "integer"}
TEXTS = [
    "", " ", "\t", "a", "my-service", "my_service", "My Service", "orders-api2", "-orders",
    "orders--api", "Orders_API", "1orders", "_orders", "class", "tests", "none", "none2",
    "group:payments", "group:default/payments", "user:ada", "Payments Team", "group:Payments",
    ":payments", "payments", "a.b-c_d/e",
]  # fmt: skip


def copier_refuses(validator: str, name: str, answer: object) -> bool:
    return bool(JINJA.from_string(validator).render({name: answer}).strip())


def schema_accepts(schema: dict[str, object], answer_type: str, answer: object) -> bool:
    return Draft7Validator({"type": JSON_TYPES[answer_type], **schema}).is_valid(answer)


def numbers_around(validator: str) -> list[int]:
    """Every whole number within 2 of a number the validator names, and far ones."""
    named = {int(n) for n in re.findall(r"-?\d+", validator)}
    return sorted({n + d for n in named | {0} for d in range(-2, 3)} | {-(10**9), 10**9})


@pytest.mark.parametrize(
    "asked", [q for q in questions() if q.validator and q.name != "driver"], ids=lambda q: q.name
)
def test_each_copier_yml_rule_gives_jinjas_verdicts(asked: Question) -> None:
    assert asked.validator is not None
    schema = rule_schema(asked.name, asked.type, asked.validator)
    samples = numbers_around(asked.validator) if asked.type == "int" else TEXTS

    for answer in samples:
        refused = copier_refuses(asked.validator, asked.name, answer)
        assert schema_accepts(schema, asked.type, answer) is not refused, (answer, schema)


@pytest.mark.parametrize(
    ("answer_type", "validator", "schema"),
    [
        ("int", "{% if x < 1 or x > 9 %}no{% endif %}", {"minimum": 1, "maximum": 9}),
        (
            "int",
            "{% if x != -1 and (x < 1 or x > 9) %}no{% endif %}",
            {"minimum": -1, "maximum": 9, "not": {"const": 0}},
        ),
        (
            "int",
            "{% if x in [2, 4] or x < 0 %}no{% endif %}",
            {"minimum": 0, "not": {"enum": [2, 4]}},
        ),
        (
            "str",
            "{% if not (x | regex_search('^[a-z]+$')) %}no{% elif x in ['if'] %}no{% endif %}",
            {"pattern": "^[a-z]+$", "not": {"enum": ["if"]}},
        ),
        (
            "str",
            "{% if x and not (x | regex_search('^[a-z]+$')) %}no{% endif %}",
            {"pattern": "^$|^[a-z]+$"},
        ),
        ("str", "{% if not x.strip() %}no{% endif %}", {"pattern": r"\S"}),
    ],
)
def test_rules_read_as_plain_keywords(
    answer_type: str, validator: str, schema: dict[str, object]
) -> None:
    assert rule_schema("x", answer_type, validator) == schema


@pytest.mark.parametrize(
    ("answer_type", "validator", "message"),
    [
        ("str", "{% if x not in fitting %}no{% endif %}", "expected a constant"),
        ("str", "{% if x | length > 3 %}no{% endif %}", "cannot read the condition"),
        ("str", "{% if x %}no{% else %}yes{% endif %}", "without else"),
        ("str", "{% if not (x | regex_search('^a*$')) %}no{% endif %}", "can match an empty"),
        ("int", "{% if x != 0 and x != 99 %}no{% endif %}", "too many numbers"),
        ("int", "{% if x == x %}no{% endif %}", "expected a constant"),
        ("bool", "{% if not x %}no{% endif %}", "bool answers are not read"),
    ],
)
def test_a_rule_a_form_cannot_carry_is_refused_not_dropped(
    answer_type: str, validator: str, message: str
) -> None:
    with pytest.raises(UntranslatableRuleError, match=message):
        rule_schema("x", answer_type, validator)
