"""Catalog entries for the template: a Backstage Template, and a plain entry for other catalogs."""

from typing import Any

from sessionwise.questions import Question, questions
from sessionwise.source import REPOSITORY

NAME = "sessionwise-fastapi-service"
TITLE = "FastAPI service with SQLAlchemy sessions done right"
DESCRIPTION = (
    "A FastAPI service (sync or async; SQLite, PostgreSQL or MySQL/MariaDB) whose database "
    "sessions are closed, committed and pooled correctly, with tests that prove it."
)
TAGS = ["python", "fastapi", "sqlalchemy", "alembic", "copier"]
GENERATED_HEADER = (
    "# Generated from copier.yml by `sessionwise catalog --backstage`: do not edit by hand."
)
DEFAULT_SOURCE = REPOSITORY
DEFAULT_OWNER = "group:platform"
JSON_TYPES = {"str": "string", "int": "integer", "bool": "boolean", "float": "number"}


def parameter_schema(question: Question) -> dict[str, Any]:
    """A JSON-schema property (what Backstage forms and most catalogs take) for a question."""
    schema: dict[str, Any] = {
        "title": question.name.replace("_", " ").capitalize(),
        "description": " ".join(question.help.split()),
        "type": JSON_TYPES[question.type],
    }
    if question.choices:
        schema["enum"] = question.values
        schema["enumNames"] = list(question.choices)
    if has_static_default(question):
        schema["default"] = question.default
    return schema


def has_static_default(question: Question) -> bool:
    """A default a form can show; copier computes the others from earlier answers."""
    return question.default is not None and "{{" not in str(question.default)


def required(names: list[str]) -> list[str]:
    """Questions whose default a form cannot compute must be answered there."""
    return [q.name for q in questions() if q.name in names and not has_static_default(q)]


def parameters() -> dict[str, dict[str, Any]]:
    return {question.name: parameter_schema(question) for question in questions()}


def catalog_entry(source: str, owner: str) -> dict[str, Any]:
    """A catalog-neutral description of the template."""
    return {
        "name": NAME,
        "title": TITLE,
        "description": DESCRIPTION,
        "tags": TAGS,
        "owner": owner,
        "source": source,
        "engine": "copier>=9.4",
        "parameters": parameters(),
    }


def backstage_template(source: str, owner: str) -> dict[str, Any]:
    """A Backstage `kind: Template` that renders this template with the `fetch:copier` action."""
    params = parameters()
    service = ["project_name", "project_slug", "package_name", "description"]
    database = [name for name in params if name not in service]
    return {
        "apiVersion": "scaffolder.backstage.io/v1beta3",
        "kind": "Template",
        "metadata": {"name": NAME, "title": TITLE, "description": DESCRIPTION, "tags": TAGS},
        "spec": {
            "owner": owner,
            "type": "service",
            "parameters": [
                {
                    "title": "Service",
                    "required": ["project_name", *required(service)],
                    "properties": {name: params[name] for name in service},
                },
                {
                    "title": "Database and sessions",
                    "required": required(database),
                    "properties": {name: params[name] for name in database},
                },
                {
                    "title": "Repository",
                    "required": ["repoUrl"],
                    "properties": {
                        "repoUrl": {
                            "title": "Repository location",
                            "type": "string",
                            "ui:field": "RepoUrlPicker",
                        }
                    },
                },
            ],
            "steps": [
                {
                    "id": "render",
                    "name": "Render the service with Copier",
                    "action": "fetch:copier",
                    "input": {
                        "url": source,
                        "values": {name: f"${{{{ parameters.{name} }}}}" for name in params},
                    },
                },
                {
                    "id": "publish",
                    "name": "Publish",
                    "action": "publish:github",
                    "input": {
                        "repoUrl": "${{ parameters.repoUrl }}",
                        "description": "${{ parameters.description }}",
                        "defaultBranch": "main",
                    },
                },
                {
                    "id": "register",
                    "name": "Register in the catalog",
                    "action": "catalog:register",
                    "input": {
                        "repoContentsUrl": "${{ steps.publish.output.repoContentsUrl }}",
                        "catalogInfoPath": "/catalog-info.yaml",
                    },
                },
            ],
            "output": {
                "links": [
                    {"title": "Repository", "url": "${{ steps.publish.output.remoteUrl }}"},
                    {
                        "title": "Open in catalog",
                        "icon": "catalog",
                        "entityRef": "${{ steps.register.output.entityRef }}",
                    },
                ]
            },
        },
    }


def backstage_cookiecutter_template(
    source: str, owner: str, url: str, context: dict[str, Any]
) -> dict[str, Any]:
    """The same form, rendered by Backstage's built-in `fetch:cookiecutter` action from the
    cookiecutter flavour: `url` is its project folder, `context` its cookiecutter.json."""
    template = backstage_template(source, owner)
    template["metadata"].update(
        name=f"{NAME}-cookiecutter",
        title=f"{TITLE} (cookiecutter)",
        tags=[tag for tag in TAGS if tag != "copier"] + ["cookiecutter"],
    )
    values: dict[str, Any] = {
        name: f"${{{{ parameters.{name} }}}}" for name in context if not name.startswith("_")
    }
    # The action writes `values` as the whole cookiecutter.json; the scaffolder renders step
    # inputs as templates first, so the Jinja of the computed values is kept raw.
    values |= {
        name: f"{{% raw %}}{text}{{% endraw %}}"
        for name, text in context.items()
        if name.startswith("__") and isinstance(text, str)
    }
    values["_jinja2_env_vars"] = context["_jinja2_env_vars"]
    template["spec"]["steps"][0] = {
        "id": "render",
        "name": "Render the service with cookiecutter",
        "action": "fetch:cookiecutter",
        "input": {
            "url": url,
            "values": values,
            "copyWithoutRender": context["_copy_without_render"],
        },
    }
    return template
