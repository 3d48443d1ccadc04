"""Catalog entries: generated from copier.yml, so they cannot drift from the template."""

from pathlib import Path

import yaml

from sessionwise.catalog import (
    DEFAULT_OWNER,
    DEFAULT_SOURCE,
    backstage_template,
    catalog_entry,
)
from sessionwise.new import render
from sessionwise.questions import questions

ROOT = Path(__file__).resolve().parent.parent


def test_committed_backstage_template_is_what_copier_yml_generates() -> None:
    committed = yaml.safe_load((ROOT / "template.yaml").read_text())

    assert committed == backstage_template(DEFAULT_SOURCE, DEFAULT_OWNER), (
        "template.yaml is stale: run `sessionwise catalog --backstage > template.yaml`"
    )


def test_backstage_form_asks_every_question_and_passes_every_answer_to_copier() -> None:
    template = backstage_template(DEFAULT_SOURCE, DEFAULT_OWNER)
    asked = {
        name
        for page in template["spec"]["parameters"]
        for name in page["properties"]
        if name != "repoUrl"
    }
    render_step = template["spec"]["steps"][0]

    names = {question.name for question in questions()}
    assert asked == names
    assert render_step["action"] == "fetch:copier"
    assert set(render_step["input"]["values"]) == names


def test_choices_and_defaults_mirror_copier_yml() -> None:
    parameters = catalog_entry(DEFAULT_SOURCE, DEFAULT_OWNER)["parameters"]

    assert parameters["mode"]["enum"] == ["sync", "async"]
    assert parameters["database"]["enum"] == ["sqlite", "postgresql", "mysql"]
    assert set(parameters["driver"]["enum"]) >= {"asyncpg", "psycopg2", "aiosqlite"}
    assert parameters["pool_size"] == {
        "title": "Pool size",
        "description": "Connections the pool keeps open (pool_size)",
        "type": "integer",
        "default": 5,
    }
    assert "default" not in parameters["package_name"]  # copier derives it from the slug


def test_catalog_info_is_rendered_only_for_an_owner(tmp_path: Path) -> None:
    render(tmp_path / "none", {}, vcs_ref="HEAD")
    render(tmp_path / "owned", {"catalog_owner": "group:payments"}, vcs_ref="HEAD")

    assert not (tmp_path / "none" / "catalog-info.yaml").exists()
    component = yaml.safe_load((tmp_path / "owned" / "catalog-info.yaml").read_text())
    assert component["kind"] == "Component"
    assert component["metadata"]["name"] == "my-service"
    assert component["spec"]["owner"] == "group:payments"
