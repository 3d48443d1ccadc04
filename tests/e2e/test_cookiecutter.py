"""The cookiecutter flavour (cookiecutter/): generated from copier.yml and template/, it renders
what copier renders, byte for byte, through cookiecutter, cruft and Backstage's
`fetch:cookiecutter`; it refuses what copier refuses; cruft updates what it rendered.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from copier import run_copy

from sessionwise.cookiecutter.generator import backstage_template, generate
from sessionwise.template.questions import fitting_drivers, questions
from testing import ROOT
from testing.answer_matrix import ANSWER_MATRIX
from testing.backstage_node import SCRIPTS
from testing.databases import DatabaseFor
from testing.npm import node_modules
from testing.projects import Render, run_project_tests, tree
from testing.template_repo import (
    TEMPLATE_FILES,
    TemplateRepo,
    git,
    init_repository,
    python_tool,
)
from testing.user_edits import (
    NEW_GENERATED_TEST,
    USER_ENDPOINT,
    files_with_conflict_markers,
    fix_the_template,
    make_user_edits,
)

BACKSTAGE_TEMPLATE = "template-cookiecutter.yaml"
ANSWERS_FILE = ".copier-answers.yml"
# Backstage's built-in action and what the scaffolder uses to read and render a step's input.
BACKSTAGE_PACKAGES = {
    "@backstage/plugin-scaffolder-backend-module-cookiecutter": "0.3.27",
    "@backstage/integration": "2.2.0",
    "@backstage/config": "1.3.11",
    "nunjitsu": "0.7.0",
    "jsonschema": "1.5.0",
    "yaml": "2.9.1",
}
OWNER_AND_POOL = {
    "project_name": "Orders API",  # the slug and package name are computed from it
    "mode": "async",
    "database": "mysql",
    "driver": "aiomysql",
    "transaction_policy": "commit_on_success",
    "pool_size": 7,
    "max_overflow": 3,
    "pool_timeout": 12,
    "pool_recycle": -1,
    "pool_pre_ping": False,
    "catalog_owner": "group:default/payments",
}
RENDER_CASES = [*ANSWER_MATRIX, pytest.param(OWNER_AND_POOL, id="owner-and-pool")]


@pytest.fixture(scope="session")
def cookiecutter_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment cookiecutter and cruft run in: their user config (replay files, clones)
    in a temporary folder, and this environment's tools first on PATH."""
    home = tmp_path_factory.mktemp("cookiecutter-home")
    config = home / "config.yaml"
    config.write_text(f"cookiecutters_dir: {home / 'clones'}\nreplay_dir: {home / 'replay'}\n")
    env = {**os.environ, "COOKIECUTTER_CONFIG": str(config)}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    return env


@pytest.fixture(scope="session")
def flavour_repo(tmp_path_factory: pytest.TempPathFactory) -> TemplateRepo:
    """The working tree's template with its committed flavour, as a git repository (tag v0.1.0)."""
    path = tmp_path_factory.mktemp("flavour") / "template"
    return TemplateRepo.from_working_tree(path, files=[*TEMPLATE_FILES, "cookiecutter"])


def cookiecutter(
    env: dict[str, str], repo: Path, output: Path, answers: dict[str, Any]
) -> subprocess.CompletedProcess[str]:
    pairs = [f"{key}={value}" for key, value in answers.items()]
    return python_tool(
        "cookiecutter", "--no-input", str(repo), "--directory", "cookiecutter",
        "--output-dir", str(output), *pairs, env=env,
    )  # fmt: skip


def cruft_create(
    env: dict[str, str], repo: Path, output: Path, answers: dict[str, Any], *options: str
) -> subprocess.CompletedProcess[str]:
    return python_tool(
        "cruft", "create", str(repo), "--directory", "cookiecutter", "--no-input",
        "--extra-context", json.dumps(answers), "--output-dir", str(output), *options, env=env,
    )  # fmt: skip


def the_project(output: Path) -> Path:
    """The one project folder cookiecutter made in `output`."""
    (project,) = output.iterdir()
    return project


def without(files: dict[str, Any], *names: str) -> dict[str, Any]:
    return {path: content for path, content in files.items() if path not in names}


def test_committed_flavour_is_what_copier_yml_and_template_generate(tmp_path: Path) -> None:
    generate(ROOT, tmp_path / "cookiecutter")
    regenerated = backstage_template(tmp_path / "cookiecutter", tmp_path / BACKSTAGE_TEMPLATE)

    stale = "is stale: run scripts/generate-cookiecutter and commit the result"
    assert tree(tmp_path / "cookiecutter") == tree(ROOT / "cookiecutter"), f"cookiecutter/ {stale}"
    assert regenerated == (ROOT / BACKSTAGE_TEMPLATE).read_text(), f"{BACKSTAGE_TEMPLATE} {stale}"


@pytest.mark.parametrize("answers", RENDER_CASES)
def test_cookiecutter_and_cruft_render_what_copier_renders_byte_for_byte(
    answers: dict[str, Any],
    render: Render,
    flavour_repo: TemplateRepo,
    cookiecutter_env: dict[str, str],
    tmp_path: Path,
) -> None:
    expected = without(tree(render(answers)), ANSWERS_FILE)

    made = cookiecutter(cookiecutter_env, flavour_repo.path, tmp_path / "cookiecutter", answers)
    created = cruft_create(cookiecutter_env, flavour_repo.path, tmp_path / "cruft", answers)

    assert made.returncode == 0, made.stderr
    assert created.returncode == 0, created.stderr
    assert len(expected) > 20
    assert tree(the_project(tmp_path / "cookiecutter")) == expected
    assert without(tree(the_project(tmp_path / "cruft")), ".cruft.json") == expected


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {
            "mode": "async",
            "database": "postgresql",
            "driver": "asyncpg",
            "transaction_policy": "commit_on_success",
        },
    ],
    ids=["defaults", "async-asyncpg-commit_on_success"],
)
def test_a_service_from_cookiecutter_passes_its_own_tests(
    answers: dict[str, str],
    flavour_repo: TemplateRepo,
    cookiecutter_env: dict[str, str],
    database_for: DatabaseFor,
    tmp_path: Path,
) -> None:
    made = cookiecutter(cookiecutter_env, flavour_repo.path, tmp_path, answers)
    assert made.returncode == 0, made.stderr
    project = the_project(tmp_path)

    run = run_project_tests(project, database_for(project))

    assert run.returncode == 0, run.output
    assert run.failed == set()
    assert "test_every_request_returns_its_connection_and_closes_its_session" in run.passed


BAD_ANSWERS = [
    {"package_name": "class"},
    {"package_name": "1service"},
    {"project_slug": "Orders_API"},
    {"project_name": " "},
    {"pool_size": "0"},
    {"pool_size": "five"},
    {"max_overflow": "-3"},
    {"pool_timeout": "0"},
    {"pool_recycle": "0"},
    {"catalog_owner": "Payments Team"},
    {"mode": "async", "database": "postgresql", "driver": "psycopg2"},
    {"database": "sqlite", "driver": "asyncpg"},
    {"mode": "sync", "database": "mysql", "driver": "aiomysql"},
    {"database": "mysql", "driver": "pymysql", "connection_proxy": "pgbouncer"},
]


def copier_refusal(template: Path, answers: dict[str, str], destination: Path) -> str:
    with pytest.raises(ValueError) as refused:
        run_copy(
            str(template), destination, data=answers, defaults=True, vcs_ref="HEAD", quiet=True
        )
    return " ".join(str(refused.value).split())


@pytest.mark.parametrize("answers", BAD_ANSWERS, ids=lambda answers: repr(answers))
def test_the_hook_refuses_what_copier_refuses_with_its_message_and_writes_nothing(
    answers: dict[str, str],
    flavour_repo: TemplateRepo,
    cookiecutter_env: dict[str, str],
    tmp_path: Path,
) -> None:
    copier_says = copier_refusal(flavour_repo.path, answers, tmp_path / "by-copier")

    made = cookiecutter(cookiecutter_env, flavour_repo.path, tmp_path / "out", answers)

    assert made.returncode != 0
    assert copier_says in " ".join(made.stderr.split())
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_cruft_update_brings_the_template_fix_and_keeps_the_users_edits(
    cookiecutter_env: dict[str, str], tmp_path: Path
) -> None:
    template = TemplateRepo.from_working_tree(
        tmp_path / "template", files=[*TEMPLATE_FILES, "cookiecutter"]
    )
    created = cruft_create(cookiecutter_env, template.path, tmp_path, {}, "--checkout", "v0.1.0")
    assert created.returncode == 0, created.stderr
    project = tmp_path / "my-service"
    init_repository(project, "Service created with cruft from sessionwise v0.1.0")
    make_user_edits(project)
    # A maintainer fixes template/ and regenerates the flavour before tagging.
    fix_the_template(template)
    generate(template.path, template.path / "cookiecutter")
    template.release("v0.1.1")

    updated = python_tool(
        "cruft", "update", "-y", "--checkout", "v0.1.1", cwd=project, env=cookiecutter_env
    )

    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert "pool_use_lifo=True" in (project / "src/my_service/db.py").read_text()
    assert (project / "tests/test_health_format.py").read_text() == NEW_GENERATED_TEST
    assert (project / "src/my_service/stats.py").read_text() == USER_ENDPOINT
    assert "app.include_router(stats.router)" in (project / "src/my_service/main.py").read_text()
    assert "price: Mapped[int | None]" in (project / "src/my_service/models.py").read_text()
    assert files_with_conflict_markers(project) == []
    assert not list(project.rglob("*.rej"))
    cruft_state = json.loads((project / ".cruft.json").read_text())
    assert cruft_state["commit"] == git(template.path, "rev-parse", "v0.1.1").strip()
    checked = python_tool("cruft", "check", cwd=project, env=cookiecutter_env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    run = run_project_tests(project, test_database_url=None)
    assert run.returncode == 0, run.output
    assert {"test_health_is_json", "test_stats_counts_items"} <= run.passed


def form_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """What the Backstage form sends: every question, the ones copier computes filled in."""
    form = {question.name: question.default for question in questions()}
    form |= {"project_slug": "my-service", "package_name": "my_service", **answers}
    if "{{" in str(form["driver"]):  # copier computes it from the database and the mode
        form["driver"] = fitting_drivers(form["database"], form["mode"])[0]
    return form


@pytest.mark.parametrize(
    "answers",
    [{}, {**OWNER_AND_POOL, "project_name": "My Service"}],
    ids=["defaults", "owner-and-pool"],
)
def test_backstage_fetch_cookiecutter_renders_what_copier_renders(
    answers: dict[str, Any], render: Render, cookiecutter_env: dict[str, str], tmp_path: Path
) -> None:
    modules = node_modules(BACKSTAGE_PACKAGES)
    parameters = form_answers(answers)
    workspace = tmp_path / "workspace"
    workspace.mkdir()

    completed = subprocess.run(
        [
            "node",
            str(SCRIPTS / "fetch_cookiecutter.cjs"),
            str(modules),
            str(ROOT / BACKSTAGE_TEMPLATE),
            json.dumps(parameters),
            str(workspace),
        ],
        env=cookiecutter_env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    assert tree(workspace) == without(tree(render(parameters)), ANSWERS_FILE)
