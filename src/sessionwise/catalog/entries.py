"""Catalog entries for the template: a Backstage Template, and a plain entry for other catalogs.

Both ask copier.yml's questions through the same form (`sessionwise.catalog.form`).
"""

from typing import Any

import yaml

from sessionwise.catalog.form import form_schema, pages
from sessionwise.template.source import REPOSITORY

NAME = "sessionwise-fastapi-service"
TITLE = "FastAPI service with SQLAlchemy sessions done right"
DESCRIPTION = (
    "A FastAPI service (sync or async; SQLite, PostgreSQL or MySQL/MariaDB) whose database "
    "sessions are closed, committed and pooled correctly, with tests that prove it."
)
TAGS = ["python", "fastapi", "sqlalchemy", "alembic", "copier"]
DEFAULT_SOURCE = REPOSITORY
DEFAULT_OWNER = "group:platform"
# The scaffolder module whose `fetch:copier` action renders the template. Three unrelated modules
# register that id; this one takes `url`, `targetPath` and `values`.
COPIER_ACTION_MODULE = "@diamondlightsource/plugin-scaffolder-backend-module-copier"
COPIER_ACTION_VERSION = "0.3.4"
GENERATED_HEADER = f"""\
# Generated from copier.yml by `sessionwise catalog --backstage`: do not edit by hand.
# The render step runs the fetch:copier action of
# {COPIER_ACTION_MODULE} {COPIER_ACTION_VERSION},
# which needs copier and git on the scaffolder's PATH (see docs/catalog.md)."""
# The answer that decides whether the service gets a catalog-info.yaml to register.
OWNER_ANSWER = "catalog_owner"


def catalog_entry(source: str, owner: str) -> dict[str, Any]:
    """A catalog-neutral description of the template; `parameters` is the form's JSON schema."""
    return {
        "name": NAME,
        "title": TITLE,
        "description": DESCRIPTION,
        "tags": TAGS,
        "owner": owner,
        "source": source,
        "engine": "copier>=9.4",
        "parameters": form_schema(),
    }


def backstage_template(source: str, owner: str) -> dict[str, Any]:
    """A Backstage `kind: Template` that renders this template with the `fetch:copier` action."""
    form = pages()
    answers = [name for page in form for name in page["properties"]]
    has_owner = f"${{{{ parameters.{OWNER_ANSWER} }}}}"
    return {
        "apiVersion": "scaffolder.backstage.io/v1beta3",
        "kind": "Template",
        "metadata": {"name": NAME, "title": TITLE, "description": DESCRIPTION, "tags": TAGS},
        "spec": {
            "owner": owner,
            "type": "service",
            "parameters": [
                *form,
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
                        "values": {name: f"${{{{ parameters.{name} }}}}" for name in answers},
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
                    "if": has_owner,
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
                        "if": has_owner,
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


class _ReadableDumper(yaml.SafeDumper):
    """Short lists and small mappings of plain values on one line: `enum: [sync, async]`."""


def _is_plain(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def _represent_list(dumper: yaml.SafeDumper, items: list[Any]) -> yaml.Node:
    """On one line when short; word lists (like Python's keywords) wrap as a paragraph."""
    texts = [str(item) for item in items]
    short = sum(len(text) + 2 for text in texts) <= 72 or all(len(text) <= 12 for text in texts)
    flow = bool(items) and short and all(_is_plain(item) for item in items)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=flow)


def _represent_dict(dumper: yaml.SafeDumper, mapping: dict[str, Any]) -> yaml.Node:
    flow = len(mapping) == 1 and all(_is_plain(value) for value in mapping.values())
    return dumper.represent_mapping("tag:yaml.org,2002:map", mapping, flow_style=flow)


_ReadableDumper.add_representer(list, _represent_list)
_ReadableDumper.add_representer(dict, _represent_dict)


def to_yaml(entry: dict[str, Any]) -> str:
    return yaml.dump(entry, Dumper=_ReadableDumper, sort_keys=False, width=100, allow_unicode=True)
