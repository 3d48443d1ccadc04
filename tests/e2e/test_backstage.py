"""template.yaml in Backstage's own code: its Template schema, and its render step run through
the real fetch:copier action against a published (here: local) copy of the template.

See testing/backstage/*.js for what runs in Node, and testing/backstage_node.py for how the pinned
npm packages are installed.
"""

import copy
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from sessionwise.catalog.entries import COPIER_ACTION_MODULE, COPIER_ACTION_VERSION
from sessionwise.template.questions import question, questions
from sessionwise.template.source import RELEASE_TAG
from testing import ROOT
from testing.backstage_node import SCRIPTS, node_json, run_node
from testing.catalog_form import form_answers
from testing.databases import DatabaseFor
from testing.projects import run_project_tests, shell_env
from testing.template_repo import TemplateRepo

TEMPLATE = yaml.safe_load((ROOT / "template.yaml").read_text())
# What copier prints when it asks a question (and, without a terminal, before it).
PROMPT_SIGNS = ["🎤", "Input is not a terminal"]


def render_step(template: dict[str, Any]) -> dict[str, Any]:
    return next(step for step in template["spec"]["steps"] if step["action"] == "fetch:copier")


@pytest.fixture(scope="session")
def published_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The working tree as a git repository tagged with this version, as its `file://` URL.

    The URL ends in `.git`: copier takes a URL as a git repository only when it does (or when
    it is a known host's); the action passes the URL to copier as it is."""
    path = tmp_path_factory.mktemp("published") / "sessionwise.git"
    TemplateRepo.from_working_tree(path, tag=RELEASE_TAG)
    return path.as_uri()


def run_action(
    tmp_path: Path,
    url: str,
    parameters: dict[str, Any],
    template: dict[str, Any] = TEMPLATE,
    stall_seconds: int = 240,
) -> tuple[dict[str, Any], Path]:
    """template.yaml's render step with the form's answers; (the runner's result, workspace)."""
    step = copy.deepcopy(render_step(template))
    step["input"]["url"] = url
    workspace, scratch = tmp_path / "workspace", tmp_path / "scratch"
    workspace.mkdir()
    scratch.mkdir()
    request = {
        "step": step,
        "parameters": parameters,
        "pages": template["spec"]["parameters"],
        "workspace": str(workspace),
        "stallSeconds": stall_seconds,
        "result": str(tmp_path / "result.json"),
    }
    env = shell_env() | {
        # The action runs `copier` and copier runs `git`: the scaffolder's PATH must have both.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "TMPDIR": str(scratch),
        "COPIER_CACHE_DIR": str(scratch / "copier-cache"),
    }
    completed = run_node(
        "run_copier_action.js", "copier-action", request, env=env, timeout=stall_seconds + 120
    )
    result_file = tmp_path / "result.json"
    assert result_file.exists(), completed.stdout + completed.stderr
    result: dict[str, Any] = json.loads(result_file.read_text())
    return result, workspace


def assert_rendered_without_prompt(result: dict[str, Any]) -> None:
    assert result["status"] == "done", result["errors"] + [result["log"]]
    for sign in PROMPT_SIGNS:
        assert sign not in result["log"]


def answers_file(project: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((project / ".copier-answers.yml").read_text())
    return loaded


def assert_answers_kept(project: Path, parameters: dict[str, Any], url: str) -> None:
    """Every form answer reached copier with its type (`--data` carries strings)."""
    recorded = answers_file(project)
    for asked in questions():
        assert recorded[asked.name] == parameters[asked.name], asked.name
        assert type(recorded[asked.name]) is type(parameters[asked.name]), asked.name
    # What `copier update` needs later: where the template came from, and which version.
    assert recorded["_src_path"] == url
    assert recorded["_commit"] == RELEASE_TAG


def test_the_pinned_action_is_the_one_installed() -> None:
    package = json.loads((SCRIPTS / "copier-action" / "package.json").read_text())
    assert package["dependencies"] == {COPIER_ACTION_MODULE: COPIER_ACTION_VERSION}
    assert f"{COPIER_ACTION_MODULE} {COPIER_ACTION_VERSION}" in (ROOT / "template.yaml").read_text()
    docs = (ROOT / "docs" / "catalog.md").read_text()
    assert f"{COPIER_ACTION_MODULE}@{COPIER_ACTION_VERSION}" in docs  # the install command


def broken(change: str) -> dict[str, Any]:
    template = copy.deepcopy(TEMPLATE)
    if change == "no spec.type":
        del template["spec"]["type"]
    elif change == "a step without action":
        del template["spec"]["steps"][0]["action"]
    elif change == "a name with spaces":
        template["metadata"]["name"] = "sessionwise fastapi service"
    return template


def test_template_yaml_is_a_valid_backstage_template() -> None:
    """Checked as Backstage's catalog checks it, with the Template v1beta3 schema published
    in @backstage/plugin-scaffolder-common; broken copies show that the check can fail."""
    changes = ["no spec.type", "a step without action", "a name with spaces"]

    results = node_json(
        "check_entities.js", "validators", [TEMPLATE, *(broken(c) for c in changes)]
    )

    assert results[0] == {"valid": True, "error": ""}
    for change, result in zip(changes, results[1:], strict=True):
        assert not result["valid"], change
    assert "type" in results[1]["error"]
    assert "action" in results[2]["error"]
    assert "metadata.name" in results[3]["error"]


def test_the_action_renders_the_form_defaults(
    tmp_path: Path, published_template: str, database_for: DatabaseFor
) -> None:
    parameters = form_answers()

    result, project = run_action(tmp_path, published_template, parameters)

    assert_rendered_without_prompt(result)
    assert_answers_kept(project, parameters, published_template)
    assert parameters["catalog_owner"] == ""
    assert not (project / "catalog-info.yaml").exists()
    run = run_project_tests(project, database_for(project))
    assert run.returncode == 0, run.output
    assert run.passed and not run.failed


def test_the_action_renders_async_postgresql_with_a_catalog_entry(
    tmp_path: Path, published_template: str, database_for: DatabaseFor
) -> None:
    parameters = form_answers(
        mode="async",
        database="postgresql",
        driver="asyncpg",
        transaction_policy="commit_on_success",
        catalog_owner="group:payments",
        pool_size=7,
        pool_recycle=-1,
    )

    result, project = run_action(tmp_path, published_template, parameters)

    assert_rendered_without_prompt(result)
    assert result["input"]["values"]["pool_size"] == 7  # rendered with its type, as Backstage does
    assert_answers_kept(project, parameters, published_template)
    component = yaml.safe_load((project / "catalog-info.yaml").read_text())
    assert node_json("check_entities.js", "validators", [component]) == [
        {"valid": True, "error": ""}
    ]
    assert component["kind"] == "Component"
    assert component["spec"]["owner"] == "group:payments"
    assert component["metadata"]["name"] == parameters["project_slug"]
    run = run_project_tests(project, database_for(project))
    assert run.returncode == 0, run.output
    assert run.passed and not run.failed


def test_strings_booleans_and_negative_numbers_survive_the_data_flags(
    tmp_path: Path, published_template: str
) -> None:
    parameters = form_answers(
        description="Orders: a=b, and more",
        pool_pre_ping=False,
        pool_recycle=-1,
        max_overflow=0,
        catalog_owner="",
    )

    result, project = run_action(tmp_path, published_template, parameters)

    assert_rendered_without_prompt(result)
    assert_answers_kept(project, parameters, published_template)
    settings = (project / "src/my_service/settings.py").read_text()
    assert "pool_pre_ping: bool = False" in settings
    assert "Field(default=-1, ge=-1)" in settings


def test_the_form_refuses_a_missing_answer_before_the_action_runs(
    tmp_path: Path, published_template: str
) -> None:
    parameters = form_answers()
    del parameters["description"]

    result, workspace = run_action(tmp_path, published_template, parameters)

    assert result["status"] == "refused"
    assert any("description" in error for error in result["errors"])
    assert not any(workspace.iterdir())


def test_an_answer_the_step_does_not_pass_leaves_copier_waiting_for_it(
    tmp_path: Path, published_template: str
) -> None:
    """Why every answer must reach the action: it runs copier without --defaults, so copier
    asks for what is missing, on a stdin that never closes (the task would hang)."""
    template = copy.deepcopy(TEMPLATE)
    del render_step(template)["input"]["values"]["description"]

    result, workspace = run_action(
        tmp_path, published_template, form_answers(), template=template, stall_seconds=20
    )

    assert result["status"] == "stalled"
    assert question("description").help in result["log"]
    assert not any(workspace.iterdir())
