"""copier.yml's questions as a JSON-schema form: pages of fields that refuse what copier refuses.

Everything comes from copier.yml: types, choices and static defaults from the questions, value
rules from their validators (`answer_rules`), and the drivers offered for each database and mode
from its `fitting_drivers` rule, as JSON-schema `dependencies` with `if` / `then` on the page that
holds all three (Backstage evaluates dependencies within one page).

Every field is required, so every answer reaches copier: an action that runs `copier copy`
without `--defaults` (Backstage's `fetch:copier` does) otherwise waits for the missing answer on a
stdin that never closes. The pages do not depend on the action that renders the template.
"""

from typing import Any

from sessionwise.catalog.json_schema import rule_schema
from sessionwise.template.questions import (
    Question,
    fitting_drivers,
    offered_proxies,
    question,
    questions,
)

Schema = dict[str, Any]
JSON_TYPES = {"str": "string", "int": "integer", "bool": "boolean", "float": "number"}
PAGES = {
    "Service": ["project_name", "project_slug", "package_name", "description", "catalog_owner"],
    "Database and sessions": [
        "mode",
        "database",
        "driver",
        "connection_proxy",
        "transaction_policy",
    ],
    "Connection pool": [
        "pool_size",
        "max_overflow",
        "pool_timeout",
        "pool_recycle",
        "pool_pre_ping",
    ],
}
# The question whose choices depend on others, through copier.yml's `fitting_drivers` rule.
DEPENDENT = "driver"
DEPENDS_ON = ("database", "mode")
# The connection proxies offered depend on the database (PgBouncer: PostgreSQL only).
PROXY = "connection_proxy"


def field(question: Question) -> Schema:
    """A question as a JSON-schema property, with the rules copier applies to its answer."""
    schema: Schema = {
        "title": question.name.replace("_", " ").capitalize(),
        "description": " ".join(question.help.split()),
        "type": JSON_TYPES[question.type],
    }
    if question.name in (DEPENDENT, PROXY):
        return schema  # its choices and default come with the answers it depends on
    if question.choices:
        schema["enum"] = question.values
        if list(question.choices) != question.values:
            schema["enumNames"] = list(question.choices)
    if has_static_default(question):
        schema["default"] = question.default
    if question.validator:
        schema.update(rule_schema(question.name, question.type, question.validator))
    is_text = question.type == "str" and not question.choices
    if is_text and (not question.validator or question.default == ""):
        # Backstage's form (react-jsonschema-form) turns a cleared text field into a missing
        # answer; copier takes an empty one here.
        schema["ui:emptyValue"] = ""
    return schema


def has_static_default(question: Question) -> bool:
    """A default a form can show; copier computes the others from earlier answers."""
    return question.default is not None and "{{" not in str(question.default)


def dependent_choices() -> Schema:
    """For each database and mode, the drivers copier accepts (the first is its default)."""
    labels = {value: label for label, value in question(DEPENDENT).choices.items()}
    database, mode = (question(name) for name in DEPENDS_ON)
    branches = []
    for database_value in database.values:
        for mode_value in mode.values:
            drivers = fitting_drivers(database_value, mode_value)
            branches.append(
                {
                    "if": {
                        "properties": {
                            database.name: {"const": database_value},
                            mode.name: {"const": mode_value},
                        }
                    },
                    "then": {
                        "properties": {
                            DEPENDENT: {
                                "enum": drivers,
                                "enumNames": [labels[driver] for driver in drivers],
                                "default": drivers[0],
                            }
                        }
                    },
                }
            )
    return {database.name: {"allOf": branches}}


def proxy_choices() -> list[Schema]:
    """For each database, the connection proxies copier accepts (the first is the default)."""
    labels = {value: label for label, value in question(PROXY).choices.items()}
    branches = []
    for database in question("database").values:
        proxies = offered_proxies(database)
        branches.append(
            {
                "if": {"properties": {"database": {"const": database}}},
                "then": {
                    "properties": {
                        PROXY: {
                            "enum": proxies,
                            "enumNames": [labels[proxy] for proxy in proxies],
                            "default": proxies[0],
                        }
                    }
                },
            }
        )
    return branches


def page(title: str | None, names: list[str]) -> Schema:
    """One form page (a JSON schema) asking `names`, all required."""
    by_name = {q.name: q for q in questions()}
    schema: Schema = {} if title is None else {"title": title}
    schema["required"] = list(names)
    schema["properties"] = {name: field(by_name[name]) for name in names}
    if DEPENDENT in names:
        missing = [name for name in DEPENDS_ON if name not in names]
        if missing:
            raise ValueError(f"{DEPENDENT} must be on the page of {', '.join(missing)}")
        schema["dependencies"] = dependent_choices()
    if PROXY in names:
        if "database" not in names:
            raise ValueError(f"{PROXY} must be on the page of database")
        schema.setdefault("dependencies", {"database": {"allOf": []}})
        schema["dependencies"]["database"]["allOf"] += proxy_choices()
    return schema


def pages() -> list[Schema]:
    """The form as pages (PAGES says which question goes where)."""
    placed = [name for names in PAGES.values() for name in names]
    unplaced = [q.name for q in questions() if q.name not in placed]
    if unplaced:
        raise ValueError(f"questions on no form page (add them to form.PAGES): {unplaced}")
    return [page(title, names) for title, names in PAGES.items()]


def form_schema() -> Schema:
    """The whole form as one JSON schema (for catalogs without pages)."""
    return {"type": "object", **page(None, [q.name for q in questions()])}
