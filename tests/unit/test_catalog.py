"""Catalog entries: generated from copier.yml, so they cannot drift from the template."""

from pathlib import Path

import yaml
from typer.testing import CliRunner

from sessionwise.catalog.entries import (
    DEFAULT_OWNER,
    DEFAULT_SOURCE,
    backstage_template,
    catalog_entry,
)
from sessionwise.catalog.form import pages
from sessionwise.cli import app
from sessionwise.scaffold.new import render
from sessionwise.template.questions import questions
from testing import ROOT


def test_committed_backstage_template_is_what_the_cli_prints() -> None:
    printed = CliRunner().invoke(app, ["catalog", "--backstage"])

    assert printed.exit_code == 0, printed.output
    assert printed.stdout == (ROOT / "template.yaml").read_text(), (
        "template.yaml is stale: run `sessionwise catalog --backstage > template.yaml`"
    )


def test_committed_backstage_template_is_what_copier_yml_generates() -> None:
    committed = yaml.safe_load((ROOT / "template.yaml").read_text())

    assert committed == backstage_template(DEFAULT_SOURCE, DEFAULT_OWNER)


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
    assert set(render_step["input"]) == {"url", "values"}  # the action's own input names
    expressions = {name: f"${{{{ parameters.{name} }}}}" for name in names}
    assert render_step["input"]["values"] == expressions


def test_every_question_is_required_so_every_answer_reaches_copier() -> None:
    for page in pages():
        assert set(page["required"]) == set(page["properties"])


def test_registration_runs_only_when_a_catalog_file_is_rendered() -> None:
    spec = backstage_template(DEFAULT_SOURCE, DEFAULT_OWNER)["spec"]
    register = next(step for step in spec["steps"] if step["action"] == "catalog:register")
    catalog_link = next(link for link in spec["output"]["links"] if "entityRef" in link)

    assert register["if"] == catalog_link["if"] == "${{ parameters.catalog_owner }}"


def test_choices_defaults_and_rules_mirror_copier_yml() -> None:
    form = catalog_entry(DEFAULT_SOURCE, DEFAULT_OWNER)["parameters"]
    fields = form["properties"]

    assert fields["mode"]["enum"] == ["sync", "async"]
    assert fields["database"]["enum"] == ["sqlite", "postgresql", "mysql"]
    assert fields["pool_size"] == {
        "title": "Pool size",
        "description": "Connections the pool keeps open (pool_size)",
        "type": "integer",
        "default": 5,
        "minimum": 1,
        "maximum": 200,
    }
    assert fields["pool_recycle"]["not"] == {"const": 0}  # -1, or 1 to 86400
    assert "default" not in fields["package_name"]  # copier derives it from the slug
    assert "enum" not in fields["driver"]  # offered per database and mode (test_catalog_form)
    assert "enum" not in fields["connection_proxy"]  # offered per database
    # The drivers for 3 databases x 2 modes, then the proxies for 3 databases.
    assert len(form["dependencies"]["database"]["allOf"]) == 6 + 3


def test_catalog_info_is_rendered_only_for_an_owner(tmp_path: Path) -> None:
    render(tmp_path / "none", {}, vcs_ref="HEAD")
    render(tmp_path / "owned", {"catalog_owner": "group:payments"}, vcs_ref="HEAD")

    assert not (tmp_path / "none" / "catalog-info.yaml").exists()
    component = yaml.safe_load((tmp_path / "owned" / "catalog-info.yaml").read_text())
    assert component["kind"] == "Component"
    assert component["metadata"]["name"] == "my-service"
    assert component["spec"]["owner"] == "group:payments"
