{% raw %}
"""The checks copier makes of answers, in plain Python, for a cookiecutter pre-generation hook.

The cookiecutter flavour's `hooks/pre_gen_project.py` is this module's source followed by the
data cookiecutter renders into it: the answers, and the messages of copier.yml's validators
already rendered by Jinja with those answers. It then refuses what copier refuses, in the same
order and with the same words, and exits 1 before cookiecutter writes any file. So the module
uses nothing but the standard library (and PyYAML, a cookiecutter dependency, for yaml answers).
"""

import json
import sys
from typing import Any

FALSE_WORDS = {"n", "no", "f", "false", "off", "~", "null", "none"}
TRUE_WORDS = {"y", "yes", "t", "true", "on"}


def cast_to_bool(value: Any) -> bool:
    """Copier's reading of a bool answer: a number, then YAML's words, then truthiness."""
    try:
        return bool(float(value))
    except (TypeError, ValueError):
        pass
    if isinstance(value, str):
        lower = value.strip().lower()
        if not lower or lower in FALSE_WORDS:
            return False
        if lower in TRUE_WORDS:
            return True
    return bool(value)


def cast(value: Any, type_name: str) -> Any:
    """An answer as copier casts it to its question's type (a ValueError when it cannot)."""
    if value is None and type_name not in {"json", "yaml"}:
        raise ValueError(f'Invalid answer "{value}" of type "{type(value)}"')
    if type_name == "bool":
        return cast_to_bool(value)
    if type_name in {"json", "yaml"}:
        if not isinstance(value, str):
            return value
        if type_name == "json":
            return json.loads(value)
        import yaml

        return yaml.safe_load(value)
    return {"str": str, "int": int, "float": float}[type_name](value)


def choice_refusal(name: str, answer: Any, type_name: str, refusals: dict[str, str]) -> str | None:
    """Copier's "Invalid choice" message, or None when the answer is an enabled choice.

    `refusals` maps each choice value to its rendered per-choice validator; a non-empty one
    disables that choice.
    """
    enabled = []
    refusal = ""
    for value, disabled in refusals.items():
        choice = cast(value, type_name)
        if not disabled:
            enabled.append(choice)
        if answer == choice:
            if not disabled:
                return None
            refusal = refusal or disabled
    return f"Invalid choice for '{name}': {refusal or f'{answer!r} is not in {enabled}'}"


def first_refusal(
    questions: list[dict[str, Any]],
    answers: dict[str, Any],
    choice_refusals: dict[str, dict[str, str]],
    validator_messages: dict[str, str],
    conditions: dict[str, str],
) -> str | None:
    """The first answer copier would refuse, in the order copier asks: what it says, or None.

    `conditions` holds the rendered `when` of conditional questions: copier skips those whose
    condition is false, and so does not check their default.
    """
    for question in questions:
        name, type_name = question["name"], question["type"]
        if name in conditions and not cast_to_bool(conditions[name]):
            continue
        try:
            answer = cast(answers[name], type_name)
        except ValueError as error:
            return f"Invalid answer for '{name}': {error}"
        if name in choice_refusals and (
            refusal := choice_refusal(name, answer, type_name, choice_refusals[name])
        ):
            return refusal
        if message := validator_messages.get(name, "").strip():
            return f"Validation error for question '{name}': {message}"
    return None


def main(
    questions: list[dict[str, Any]],
    answers: dict[str, Any],
    choice_refusals: dict[str, dict[str, str]],
    validator_messages: dict[str, str],
    conditions: dict[str, str],
) -> int:
    refusal = first_refusal(questions, answers, choice_refusals, validator_messages, conditions)
    if refusal is None:
        return 0
    print(refusal, file=sys.stderr)
    return 1

QUESTIONS = [{'name': 'project_name', 'type': 'str'}, {'name': 'project_slug', 'type': 'str'}, {'name': 'package_name', 'type': 'str'}, {'name': 'description', 'type': 'str'}, {'name': 'mode', 'type': 'str'}, {'name': 'database', 'type': 'str'}, {'name': 'driver', 'type': 'str'}, {'name': 'connection_proxy', 'type': 'str'}, {'name': 'transaction_policy', 'type': 'str'}, {'name': 'pool_size', 'type': 'int'}, {'name': 'max_overflow', 'type': 'int'}, {'name': 'pool_timeout', 'type': 'int'}, {'name': 'pool_recycle', 'type': 'int'}, {'name': 'pool_pre_ping', 'type': 'bool'}, {'name': 'catalog_owner', 'type': 'str'}]
{% endraw %}
{% set project_name = cookiecutter.project_name %}{% set project_slug = cookiecutter.project_slug %}{% set package_name = cookiecutter.package_name %}{% set description = cookiecutter.description %}{% set mode = cookiecutter.mode %}{% set database = cookiecutter.database %}{% set fitting_drivers = {'sqlite': {'sync': ['pysqlite'], 'async': ['aiosqlite']},
    'postgresql': {'sync': ['psycopg', 'psycopg2'], 'async': ['asyncpg', 'psycopg']},
    'mysql': {'sync': ['pymysql', 'mysqlclient'], 'async': ['asyncmy', 'aiomysql']}}[database][mode] %}{% set driver = cookiecutter.driver %}{% set connection_proxy = cookiecutter.connection_proxy %}{% set transaction_policy = cookiecutter.transaction_policy %}{% set pool_size = cookiecutter.pool_size | int %}{% set max_overflow = cookiecutter.max_overflow | int %}{% set pool_timeout = cookiecutter.pool_timeout | int %}{% set pool_recycle = cookiecutter.pool_recycle | int %}{% set pool_pre_ping = (cookiecutter.pool_pre_ping | float(1) != 0 and (cookiecutter.pool_pre_ping | string | trim | lower) not in ["", "f", "false", "n", "no", "none", "null", "off", "~"]) %}{% set catalog_owner = cookiecutter.catalog_owner %}
ANSWERS = json.loads({{ {"project_name": cookiecutter.project_name, "project_slug": cookiecutter.project_slug, "package_name": cookiecutter.package_name, "description": cookiecutter.description, "mode": cookiecutter.mode, "database": cookiecutter.database, "driver": cookiecutter.driver, "connection_proxy": cookiecutter.connection_proxy, "transaction_policy": cookiecutter.transaction_policy, "pool_size": cookiecutter.pool_size, "max_overflow": cookiecutter.max_overflow, "pool_timeout": cookiecutter.pool_timeout, "pool_recycle": cookiecutter.pool_recycle, "pool_pre_ping": cookiecutter.pool_pre_ping, "catalog_owner": cookiecutter.catalog_owner} | tojson | tojson }})
CHOICE_REFUSALS = {
    "mode": {
        "sync": {% set _rendered +%}{%+ endset %}{{ _rendered | tojson }},
        "async": {% set _rendered +%}{%+ endset %}{{ _rendered | tojson }},
    },
    "database": {
        "sqlite": {% set _rendered +%}{%+ endset %}{{ _rendered | tojson }},
        "postgresql": {% set _rendered +%}{%+ endset %}{{ _rendered | tojson }},
        "mysql": {% set _rendered +%}{%+ endset %}{{ _rendered | tojson }},
    },
    "driver": {
        "pysqlite": {% set _rendered +%}{% if 'pysqlite' not in fitting_drivers %}pysqlite is SQLite's sync driver; with database={{ database }} and mode={{ mode }} choose {{ fitting_drivers | join(' or ') }}{% endif %}{%+ endset %}{{ _rendered | tojson }},
        "aiosqlite": {% set _rendered +%}{% if 'aiosqlite' not in fitting_drivers %}aiosqlite is SQLite's async driver; with database={{ database }} and mode={{ mode }} choose {{ fitting_drivers | join(' or ') }}{% endif %}{%+ endset %}{{ _rendered | tojson }},
        "psycopg": {% set _rendered +%}{% if 'psycopg' not in fitting_drivers %}psycopg is a PostgreSQL driver; with database={{ database }} and mode={{ mode }} choose {{ fitting_drivers | join(' or ') }}{% endif %}{%+ endset %}{{ _rendered | tojson }},
        "psycopg2": {% set _rendered +%}{% if 'psycopg2' not in fitting_drivers %}psycopg2 is PostgreSQL's sync-only driver; with database={{ database }} and mode={{ mode }} choose {{ fitting_drivers | join(' or ') }}{% endif %}{%+ endset %}{{ _rendered | tojson }},
        "asyncpg": {% set _rendered +%}{% if 'asyncpg' not in fitting_drivers %}asyncpg is PostgreSQL's async driver; with database={{ database }} and mode={{ mode }} choose {{ fitting_drivers | join(' or ') }}{% endif %}{%+ endset %}{{ _rendered | tojson }},
        "pymysql": {% set _rendered +%}{% if 'pymysql' not in fitting_drivers %}pymysql is a sync MySQL/MariaDB driver; with database={{ database }} and mode={{ mode }} choose {{ fitting_drivers | join(' or ') }}{% endif %}{%+ endset %}{{ _rendered | tojson }},
        "mysqlclient": {% set _rendered +%}{% if 'mysqlclient' not in fitting_drivers %}mysqlclient is a sync MySQL/MariaDB driver; with database={{ database }} and mode={{ mode }} choose {{ fitting_drivers | join(' or ') }}{% endif %}{%+ endset %}{{ _rendered | tojson }},
        "asyncmy": {% set _rendered +%}{% if 'asyncmy' not in fitting_drivers %}asyncmy is an async MySQL/MariaDB driver; with database={{ database }} and mode={{ mode }} choose {{ fitting_drivers | join(' or ') }}{% endif %}{%+ endset %}{{ _rendered | tojson }},
        "aiomysql": {% set _rendered +%}{% if 'aiomysql' not in fitting_drivers %}aiomysql is an async MySQL/MariaDB driver; with database={{ database }} and mode={{ mode }} choose {{ fitting_drivers | join(' or ') }}{% endif %}{%+ endset %}{{ _rendered | tojson }},
    },
    "connection_proxy": {
        "none": {% set _rendered +%}{%+ endset %}{{ _rendered | tojson }},
        "pgbouncer": {% set _rendered +%}{% if database != 'postgresql' %}PgBouncer pools PostgreSQL connections only; with database={{ database }} choose none{% endif %}{%+ endset %}{{ _rendered | tojson }},
    },
    "transaction_policy": {
        "explicit": {% set _rendered +%}{%+ endset %}{{ _rendered | tojson }},
        "commit_on_success": {% set _rendered +%}{%+ endset %}{{ _rendered | tojson }},
    },
}
VALIDATOR_MESSAGES = {
    "project_name": {% set _rendered +%}{% if not project_name.strip() %} Give the service a name, e.g. "Orders API". {% endif %}{%+ endset %}{{ _rendered | tojson }},
    "project_slug": {% set _rendered +%}{% if not (project_slug | regex_search('^[a-z][a-z0-9]*(-[a-z0-9]+)*$')) %} "{{ project_slug }}" is not a valid slug: use lowercase letters, digits and single hyphens, starting with a letter (e.g. "orders-api"). {% endif %}{%+ endset %}{{ _rendered | tojson }},
    "package_name": {% set _rendered +%}{% if not (package_name | regex_search('^[a-z_][a-z0-9_]*$')) %} "{{ package_name }}" is not a valid package name: use lowercase letters, digits and underscores, not starting with a digit (e.g. "orders_api"). {% elif package_name in ['false', 'none', 'true', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield', 'test', 'tests', 'migrations'] %} "{{ package_name }}" is a Python keyword or a folder name the project already uses: choose another package name. {% endif %}{%+ endset %}{{ _rendered | tojson }},
    "driver": {% set _rendered +%}{% if driver not in fitting_drivers %} The {{ driver }} driver does not fit database={{ database }} with mode={{ mode }}: choose {{ fitting_drivers | join(' or ') }}. {% endif %}{%+ endset %}{{ _rendered | tojson }},
    "pool_size": {% set _rendered +%}{% if pool_size < 1 or pool_size > 200 %} pool_size must be a whole number from 1 to 200 (got {{ pool_size }}). {% endif %}{%+ endset %}{{ _rendered | tojson }},
    "max_overflow": {% set _rendered +%}{% if max_overflow < 0 or max_overflow > 1000 %} max_overflow must be a whole number from 0 to 1000 (got {{ max_overflow }}). {% endif %}{%+ endset %}{{ _rendered | tojson }},
    "pool_timeout": {% set _rendered +%}{% if pool_timeout < 1 or pool_timeout > 600 %} pool_timeout must be a whole number of seconds from 1 to 600 (got {{ pool_timeout }}). {% endif %}{%+ endset %}{{ _rendered | tojson }},
    "pool_recycle": {% set _rendered +%}{% if pool_recycle != -1 and (pool_recycle < 1 or pool_recycle > 86400) %} pool_recycle must be -1 (never) or a whole number of seconds from 1 to 86400 (got {{ pool_recycle }}). {% endif %}{%+ endset %}{{ _rendered | tojson }},
    "catalog_owner": {% set _rendered +%}{% if catalog_owner and not (catalog_owner | regex_search('^([a-z]+:)?[a-z0-9][a-z0-9._/-]*$')) %} "{{ catalog_owner }}" is not an entity reference: use e.g. group:payments or user:ada. {% endif %}{%+ endset %}{{ _rendered | tojson }},
}
CONDITIONS = {
}

if __name__ == "__main__":
    checks = (CHOICE_REFUSALS, VALIDATOR_MESSAGES, CONDITIONS)
    sys.exit(main(QUESTIONS, ANSWERS, *checks))
