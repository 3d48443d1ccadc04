"""`copier update` and `sessionwise update` on services rendered from tagged template versions.

Each test builds the template from the working tree into a temporary git repository tagged
v0.1.0, renders a service from it and commits it as a user would, then changes the template,
tags v0.2.0 and updates the service.
"""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sessionwise.cli import app
from sessionwise.scaffold.update import UpdateError, check_updatable, update_project
from testing.databases import DatabaseFor
from testing.projects import project_env, rendered_answers, run_project_tests, tree
from testing.template_repo import (
    TemplateRepo,
    commit_all,
    copier,
    git,
    init_repository,
)
from testing.user_edits import (
    CONFLICT_START,
    DB_TEMPLATE,
    ENGINE_COMMENT,
    NEW_GENERATED_TEST,
    USER_ENDPOINT,
    edit,
    files_with_conflict_markers,
    fix_the_template,
    make_user_edits,
)

runner = CliRunner()


@pytest.fixture
def template(tmp_path: Path) -> TemplateRepo:
    return TemplateRepo.from_working_tree(tmp_path / "template", tag="v0.1.0")


def render_service(
    template: TemplateRepo, destination: Path, answers: dict[str, Any] | None = None
) -> Path:
    """`copier copy` from v0.1.0, committed as the first commit of the service's repository."""
    data = [f"--data={key}={value}" for key, value in (answers or {}).items()]
    result = copier(
        "copy", "--defaults", "--vcs-ref=v0.1.0", *data, str(template.path), str(destination)
    )
    assert result.returncode == 0, result.stderr
    init_repository(destination, "Service rendered from sessionwise v0.1.0")
    return destination


def release_a_fix(template: TemplateRepo) -> None:
    fix_the_template(template)
    template.release("v0.2.0")


def unmerged(project: Path) -> list[str]:
    return git(project, "diff", "--name-only", "--diff-filter=U").split()


def test_update_brings_the_template_fix_and_keeps_the_users_edits(
    template: TemplateRepo, tmp_path: Path
) -> None:
    project = render_service(template, tmp_path / "service")
    make_user_edits(project)
    release_a_fix(template)

    result = copier("update", "--defaults", "--vcs-ref=v0.2.0", cwd=project)

    assert result.returncode == 0, result.stderr
    assert "pool_use_lifo=True" in (project / "src/my_service/db.py").read_text()
    assert (project / "tests/test_health_format.py").read_text() == NEW_GENERATED_TEST
    assert (project / "src/my_service/stats.py").read_text() == USER_ENDPOINT
    assert "app.include_router(stats.router)" in (project / "src/my_service/main.py").read_text()
    assert "price: Mapped[int | None]" in (project / "src/my_service/models.py").read_text()
    assert (project / "tests/test_stats.py").exists()
    assert files_with_conflict_markers(project) == []
    assert unmerged(project) == []
    assert rendered_answers(project)["_commit"] == "v0.2.0"

    run = run_project_tests(project, test_database_url=None)
    assert run.returncode == 0, run.output
    assert {
        "test_health_is_json",
        "test_stats_counts_items",
        "test_migrations_build_the_models_schema_from_empty_and_undo_it",
    } <= (run.passed)


def make_conflicting_change(template: TemplateRepo, project: Path) -> None:
    edit(project, "src/my_service/db.py", ENGINE_COMMENT, "# Our team's note on the engine.")
    commit_all(project, "Our note")
    template.replace(DB_TEMPLATE, ENGINE_COMMENT, "# One engine per process: one pool to share.")
    template.release("v0.2.0")


def test_a_conflict_leaves_both_versions_between_markers(
    template: TemplateRepo, tmp_path: Path
) -> None:
    project = render_service(template, tmp_path / "service")
    make_conflicting_change(template, project)

    result = copier("update", "--defaults", "--vcs-ref=v0.2.0", cwd=project)

    # copier itself exits 0; the signal is git's unmerged state, which `git status` shows.
    assert result.returncode == 0, result.stderr
    db = (project / "src/my_service/db.py").read_text()
    ours, theirs = (
        db.split(CONFLICT_START, 1)[1].split(">>>>>>> after updating")[0].split("=======")
    )
    assert "# Our team's note on the engine." in ours
    assert "# One engine per process: one pool to share." in theirs
    assert unmerged(project) == ["src/my_service/db.py"]
    assert "both modified:   src/my_service/db.py" in git(project, "status")


def test_sessionwise_update_lists_the_conflict_and_exits_non_zero(
    template: TemplateRepo, tmp_path: Path
) -> None:
    project = render_service(template, tmp_path / "service")
    make_conflicting_change(template, project)

    result = runner.invoke(app, ["update", str(project), "--vcs-ref", "v0.2.0"])

    assert result.exit_code == 1, result.output
    assert "Updated from template v0.1.0 to v0.2.0." in result.output
    assert "1 file(s) with conflicts to resolve by hand:\n  src/my_service/db.py" in result.output
    assert "# Our team's note on the engine." in (project / "src/my_service/db.py").read_text()


def test_reject_files_keep_the_users_code_and_are_reported(
    template: TemplateRepo, tmp_path: Path
) -> None:
    project = render_service(template, tmp_path / "service")
    make_conflicting_change(template, project)

    summary = update_project(project, "v0.2.0", conflict="rej", quiet=True)

    assert summary.conflicts == ["src/my_service/db.py"]
    assert summary.rejects == ["src/my_service/db.py.rej"]
    # The new version is in place; the user's edit that no longer applies is in the .rej file.
    db = (project / "src/my_service/db.py").read_text()
    assert "# One engine per process: one pool to share." in db
    assert "+# Our team's note on the engine." in (project / "src/my_service/db.py.rej").read_text()
    assert ".rej files" in summary.describe()


def test_update_with_defaults_asks_nothing_and_keeps_every_answer(
    template: TemplateRepo, tmp_path: Path
) -> None:
    answers = {
        "mode": "async",
        "driver": "aiosqlite",
        "transaction_policy": "commit_on_success",
        "pool_size": 7,
        "pool_timeout": 12,
        "catalog_owner": "group:default/payments",
    }
    project = render_service(template, tmp_path / "service", answers)
    before = rendered_answers(project)
    release_a_fix(template)

    # stdin is closed: a question would fail the update instead of waiting.
    result = copier("update", "--defaults", cwd=project)

    assert result.returncode == 0, result.stderr
    after = rendered_answers(project)
    assert after.pop("_commit") == "v0.2.0"
    assert before.pop("_commit") == "v0.1.0"
    assert after == before
    assert "pool_use_lifo=True" in (project / "src/my_service/db.py").read_text()


def test_update_without_changes_reports_no_file_changed(
    template: TemplateRepo, tmp_path: Path
) -> None:
    project = render_service(template, tmp_path / "service")

    summary = update_project(project, quiet=True)

    assert (summary.old_version, summary.new_version) == ("v0.1.0", "v0.1.0")
    assert summary.changed == []
    assert "No file changed." in summary.describe()


BREAKAGES = {
    "missing": (None, "is missing"),
    "not YAML": ("_commit: v0.1.0\n_src_path: [oops\n", "is not valid YAML"),
    "empty": ("", "holds nothing"),
    "a list": ("- mode: sync\n", "holds list"),
    "no _src_path": ("_commit: v0.1.0\nmode: sync\n", "has no _src_path"),
    "no _commit": ("_src_path: {template}\nmode: sync\n", "has no _commit"),
    "unknown version": ("_commit: v9.9.9\n_src_path: {template}\n", "does not have"),
    "template moved": ("_commit: v0.1.0\n_src_path: {template}-moved\n", "is not a directory"),
}


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_a_missing_or_broken_answers_file_is_named_with_the_fix(
    template: TemplateRepo, tmp_path: Path, breakage: str
) -> None:
    project = render_service(template, tmp_path / "service")
    text, expected = BREAKAGES[breakage]
    answers_file = project / ".copier-answers.yml"
    if text is None:
        answers_file.unlink()
    else:
        answers_file.write_text(text.format(template=template.path))
    commit_all(project, f"Answers file {breakage}")
    files_before = tree(project)

    result = runner.invoke(app, ["update", str(project)])

    assert result.exit_code == 2
    assert expected in result.output
    assert ".copier-answers.yml" in result.output
    assert tree(project) == files_before


def test_uncommitted_work_is_refused_before_anything_changes(
    template: TemplateRepo, tmp_path: Path
) -> None:
    project = render_service(template, tmp_path / "service")
    edit(project, "src/my_service/items.py", "router = ", "# work in progress\nrouter = ")

    with pytest.raises(UpdateError, match="uncommitted changes: commit or stash them first"):
        check_updatable(project)


def rename_transaction_policy(template: TemplateRepo) -> None:
    """v0.2.0 renames the question `transaction_policy` to `commit_policy`, with a migration."""
    for path in [template.file("copier.yml"), *template.file("template").rglob("*")]:
        if path.is_file() and "transaction_policy" in path.read_text():
            path.write_text(path.read_text().replace("transaction_policy", "commit_policy"))
    migration = """
_migrations:
  - version: v0.2.0
    when: "{{ _stage == 'before' }}"
    command:
      - "{{ _copier_python }}"
      - "{{ _copier_conf.src_path }}/hooks/rename_answers.py"
      - --answers-file
      - "{{ _copier_conf.answers_file }}"
      - transaction_policy=commit_policy
"""
    copier_yml = template.file("copier.yml")
    copier_yml.write_text(copier_yml.read_text() + migration)
    template.release("v0.2.0")


def test_a_renamed_question_keeps_the_old_answer_through_the_migration(
    template: TemplateRepo, tmp_path: Path
) -> None:
    project = render_service(
        template, tmp_path / "service", {"transaction_policy": "commit_on_success"}
    )
    db_before = (project / "src/my_service/db.py").read_text()
    rename_transaction_policy(template)

    result = copier("update", "--defaults", "--trust", "--vcs-ref=v0.2.0", cwd=project)

    assert result.returncode == 0, result.stderr
    answers = rendered_answers(project)
    assert answers["commit_policy"] == "commit_on_success"
    assert "transaction_policy" not in answers
    # The default is `explicit`: without the migration the service would have lost its policy.
    assert (project / "src/my_service/db.py").read_text() == db_before
    assert files_with_conflict_markers(project) == []


def test_a_migration_needs_trust_and_sessionwise_update_says_so(
    template: TemplateRepo, tmp_path: Path
) -> None:
    project = render_service(template, tmp_path / "service")
    rename_transaction_policy(template)

    refused = runner.invoke(app, ["update", str(project)])
    trusted = runner.invoke(app, ["update", str(project), "--trust"])

    assert refused.exit_code == 2
    assert "run it again with --trust" in refused.output
    assert trusted.exit_code == 0, trusted.output
    assert "Updated from template v0.1.0 to v0.2.0." in trusted.output
    assert ".copier-answers.yml" in trusted.output


# The defaults, and a service that differs from them in every answer that changes the code.
SERVICES = pytest.mark.parametrize(
    "answers",
    [
        {},
        {
            "mode": "async",
            "database": "postgresql",
            "driver": "asyncpg",
            "transaction_policy": "commit_on_success",
            "catalog_owner": "group:default/payments",
        },
    ],
    ids=["defaults", "async-postgresql-commit"],
)


@SERVICES
def test_rendering_twice_gives_byte_identical_trees(
    template: TemplateRepo, tmp_path: Path, answers: dict[str, str]
) -> None:
    data = [f"--data={key}={value}" for key, value in answers.items()]
    for name in ("first", "second"):
        result = copier("copy", "--defaults", *data, str(template.path), str(tmp_path / name))
        assert result.returncode == 0, result.stderr

    first, second = tree(tmp_path / "first"), tree(tmp_path / "second")
    assert len(first) > 20
    assert first == second


# The template before connection_proxy, the connection budget and /ready's pool state: what
# services made with sessionwise 0.1 were rendered from.
BEFORE_CONNECTION_BUDGET = "f2ad370804520a3be0745e12690dadc8d6e22487"
# The settings and the engine a service runs with, as its own code sees them.
ENGINE_SETTINGS = """
import json
from my_service.db import engine
from my_service.settings import settings
pool = engine.pool
# The kind of SQLAlchemy pool (the service's own subclass, which measures it, aside).
kind = next(c.__name__ for c in type(pool).__mro__ if c.__module__.startswith("sqlalchemy"))
print(json.dumps({
    "settings": settings.model_dump(),
    "engine": [str(engine.url), kind, pool.size(), pool._max_overflow,
               pool._timeout, pool._recycle, pool._pre_ping],
}))
"""


def engine_settings(project: Path) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-c", ENGINE_SETTINGS],
        cwd=project,
        env=project_env(project, None),
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, Any] = json.loads(completed.stdout)
    return found


@SERVICES
def test_update_from_before_connection_proxy_keeps_the_service_as_it_was(
    tmp_path: Path, database_for: DatabaseFor, answers: dict[str, Any]
) -> None:
    template = TemplateRepo.from_commit(
        tmp_path / "template", BEFORE_CONNECTION_BUDGET, tag="v0.1.0"
    )
    project = render_service(template, tmp_path / "service", answers)
    answers_before, engine_before = rendered_answers(project), engine_settings(project)
    template.take_working_tree()
    template.release("v0.2.0")

    # No --trust: the new question needs no answer migration.
    result = copier("update", "--defaults", "--vcs-ref=v0.2.0", cwd=project)

    assert result.returncode == 0, result.stderr
    assert files_with_conflict_markers(project) == []
    assert unmerged(project) == []
    answers_after = rendered_answers(project)
    assert answers_after.pop("connection_proxy") == "none"
    assert answers_after.pop("_commit") == "v0.2.0"
    assert answers_before.pop("_commit") == "v0.1.0"
    assert answers_after == answers_before
    engine_after = engine_settings(project)
    assert engine_after["engine"] == engine_before["engine"]
    new_settings = engine_after["settings"]
    for name, value in engine_before["settings"].items():
        assert new_settings.pop(name) == value, name
    # What is new says one process, watches the pool, or waits for the database: a warning
    # at most, never a refusal.
    server = answers.get("database", "sqlite") != "sqlite"
    watching = {"leak_detection_threshold": 30, "metrics_enabled": True}
    assert new_settings == (
        watching
        | {
            "web_concurrency": 1,
            "connection_budget": None,
            "refuse_over_budget": False,
            "startup_wait": 30,
        }
        if server
        else watching
    )
    assert "connect_args" not in (project / "src/my_service/db.py").read_text()
    commit_all(project, "Update to v0.2.0")
    run = run_project_tests(project, database_for(project))
    assert run.returncode == 0, run.output
    assert "test_health_and_readiness" in run.passed
