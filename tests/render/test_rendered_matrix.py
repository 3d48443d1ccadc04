"""Every supported answer renders a project that is clean and whose own tests pass."""

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from sessionwise.lint import check_paths
from sessionwise.template.drivers import driver, drivers
from testing.answer_matrix import ANSWER_MATRIX
from testing.databases import DatabaseFor
from testing.projects import (
    Render,
    assert_lints_clean,
    dependencies,
    example_env,
    project_env,
    run_project_tests,
)


@pytest.mark.parametrize("answers", ANSWER_MATRIX)
def test_rendered_project_passes_ruff_and_mypy(
    render: Render, mypy_cache_dir: Path, answers: dict[str, Any]
) -> None:
    assert_lints_clean(render(answers), mypy_cache_dir)


@pytest.mark.parametrize("answers", ANSWER_MATRIX)
def test_rendered_project_tests_pass_against_its_database(
    render: Render, database_for: DatabaseFor, answers: dict[str, Any]
) -> None:
    project = render(answers)

    run = run_project_tests(project, database_for(project))

    assert run.returncode == 0, run.output
    assert not run.skipped, run.output
    assert len(run.passed) >= 19, run.output


@pytest.mark.parametrize("answers", ANSWER_MATRIX)
def test_rendered_project_depends_on_exactly_its_driver(
    render: Render, answers: dict[str, Any]
) -> None:
    deps = dependencies(render(answers))

    named = {driver.package for driver in drivers() if driver.package}
    chosen = driver(answers["driver"]).package
    assert {dep.split(">")[0] for dep in deps} & named == ({chosen} if chosen else set())
    async_sqlalchemy = any(dep.startswith("sqlalchemy[asyncio]") for dep in deps)
    assert async_sqlalchemy is (answers["mode"] == "async")


TEXT_SUFFIXES = {".py", ".md", ".toml", ".ini", ".yml", ".example", ".gitignore"}


def template_residue(path: Path) -> list[str]:
    text = path.read_text()
    problems = [marker for marker in ("{{", "}}", "{%", "%}") if marker in text]
    # Python code in a Markdown file keeps its two blank lines between definitions.
    prose = re.sub(r"^```python\n.*?^```$", "```", text, flags=re.M | re.S)
    if "\n\n\n\n" in text or (path.suffix != ".py" and "\n\n\n" in prose):
        problems.append("runs of blank lines")
    if text.startswith("\n") or not text.endswith("\n") or text.endswith("\n\n"):
        problems.append("blank lines at the start or end")
    return problems


def rendered_text_files(project: Path) -> list[Path]:
    # Alembic's own Mako template keeps its ${...} placeholders on purpose; tools that
    # ran in this shared render leave caches, which the template did not write.
    return [
        path
        for path in project.rglob("*")
        if path.is_file()
        and path.stat().st_size
        and path.suffix in TEXT_SUFFIXES
        and not any(part.endswith("cache") or part == "__pycache__" for part in path.parts)
    ]


@pytest.mark.parametrize("answers", ANSWER_MATRIX)
def test_rendered_files_have_no_template_residue(render: Render, answers: dict[str, Any]) -> None:
    project = render(answers)

    residue = {
        str(p.relative_to(project)): template_residue(p) for p in rendered_text_files(project)
    }

    assert {name: found for name, found in residue.items() if found} == {}


# What each PostgreSQL driver is told behind PgBouncer's transaction mode.
PGBOUNCER_DRIVER_SETTINGS = {
    "asyncpg": [
        '"statement_cache_size": 0,',
        '"prepared_statement_cache_size": 0,',
        '"prepared_statement_name_func": lambda: f"__asyncpg_{uuid4()}__",',
    ],
    "psycopg": ['connect_args={"prepare_threshold": None},'],
    "psycopg2": [],  # it never prepares statements on the server
}


@pytest.mark.parametrize("answers", ANSWER_MATRIX)
def test_pgbouncer_is_in_the_project_only_when_chosen(
    render: Render, answers: dict[str, Any]
) -> None:
    project = render(answers)
    db = (project / "src" / "my_service" / "db.py").read_text()

    mentions = sorted(
        str(path.relative_to(project))
        for path in rendered_text_files(project)
        if "pgbouncer" in path.read_text().lower()
    )

    if answers["connection_proxy"] == "none":
        assert mentions == []
        assert "connect_args" not in db
    else:
        assert "tests/test_pgbouncer.py" in mentions
        for setting in PGBOUNCER_DRIVER_SETTINGS[answers["driver"]]:
            assert setting in db
        assert (" connect_args=" in db) is bool(PGBOUNCER_DRIVER_SETTINGS[answers["driver"]])
        direct = example_env(project)["DIRECT_URL"]
        assert ":5432/" in direct
        assert ":6432/" in example_env(project)["DATABASE_URL"]


@pytest.mark.parametrize("answers", ANSWER_MATRIX)
def test_session_code_matches_the_mode(render: Render, answers: dict[str, Any]) -> None:
    db = (render(answers) / "src" / "my_service" / "db.py").read_text()

    if answers["mode"] == "async":
        assert re.search(r"^async def get_session\(\)", db, re.M)
        assert "async_sessionmaker(engine, expire_on_commit=False)" in db
        # Requests wait for a session in arrival order, then ask the pool.
        assert "async with SessionLocal() as session, session_place():" in db
    else:
        assert re.search(r"^def get_session\(\)", db, re.M)
        assert "with SessionLocal() as session:" in db
    # Sync: at most as many requests hold a session as there are worker threads (AnyIO's 40).
    limit = "" if answers["mode"] == "async" else "max_concurrency=40, "
    assert f'Depends(get_session, {limit}scope="function")' in db


@pytest.mark.parametrize("answers", ANSWER_MATRIX)
def test_generated_ci_tests_against_the_chosen_database(
    render: Render, answers: dict[str, Any]
) -> None:
    project = render(answers)
    workflow = yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text())
    hooks = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())

    job = workflow["jobs"]["test"]
    commands = [step.get("run", "") for step in job["steps"]]
    assert {"uv run pytest", "uv run mypy", "uv run ruff check ."} <= set(commands)
    assert any("sessionwise check src" in command for command in commands)
    if answers["database"] == "sqlite":
        assert "services" not in job
    else:
        scheme = example_env(project)["DATABASE_URL"].split("://")[0]
        assert job["env"]["TEST_DATABASE_URL"].startswith(f"{scheme}://")
    hook_ids = {hook["id"] for repo in hooks["repos"] for hook in repo["hooks"]}
    assert {"sessionwise-check", "check-merge-conflict"} <= hook_ids


@pytest.mark.parametrize("answers", ANSWER_MATRIX)
def test_rendered_project_passes_sessionwise_check(render: Render, answers: dict[str, Any]) -> None:
    findings, files = check_paths([render(answers)])

    assert files >= 15
    assert findings == []


SQLITE_MATRIX = [param for param in ANSWER_MATRIX if param.values[0]["database"] == "sqlite"]


@pytest.mark.parametrize("answers", SQLITE_MATRIX)
@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "sqlite+aiosqlite://"])
def test_in_memory_sqlite_is_refused_with_what_to_use(
    render: Render, answers: dict[str, Any], url: str
) -> None:
    project = render(answers)
    env = project_env(project, None) | {"DATABASE_URL": url}

    completed = subprocess.run(
        [sys.executable, "-c", "import my_service.db"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode != 0
    assert "use a file database such as sqlite:///./app.db" in completed.stderr
