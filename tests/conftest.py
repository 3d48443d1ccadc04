"""Fixtures: renders of the template, and fresh databases for the rendered projects."""

import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import make_url

from testing.databases import DatabaseFor, database_name, fresh_database
from testing.pgbouncer import INSTALL_HINT, PgBouncer, pgbouncer_binary, running_pgbouncer
from testing.projects import Render, behind_pgbouncer, example_env
from testing.rendering import render_shared
from testing.template_repo import TemplateRepo

TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each test is marked with its tier, the name of its folder (declared in pyproject.toml)."""
    for item in items:
        item.add_marker(item.path.relative_to(TESTS).parts[0])


@pytest.fixture(scope="session")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This test run's temporary folder, which all pytest-xdist workers share."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if "PYTEST_XDIST_WORKER" in os.environ else base


@pytest.fixture(scope="session")
def render(
    copie_session: Any, tmp_path_factory: pytest.TempPathFactory, run_folder: Path
) -> Render:
    """Render the template once per set of answers, for all test workers; each worker has
    its own copy of a render, which a test copies again before changing it."""
    store = run_folder / "shared-renders"
    renders: dict[tuple[tuple[str, Any], ...], Path] = {}

    def rendered(answers: dict[str, Any]) -> Path:
        result = copie_session.copy(extra_answers=answers)
        assert result.exit_code == 0, result.exception
        project: Path = result.project_dir
        return project

    def render(answers: dict[str, Any]) -> Path:
        key = tuple(sorted(answers.items()))
        if key not in renders:
            renders[key] = render_shared(
                store,
                answers,
                lambda: rendered(answers),
                tmp_path_factory.mktemp("render") / "project",
            )
        return renders[key]

    return render


@pytest.fixture(scope="session")
def mypy_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mypy cache for every render a worker checks: the libraries' stubs are read once.
    mypy re-checks a project's own modules all the same (their paths differ)."""
    return tmp_path_factory.mktemp("mypy-cache")


@pytest.fixture(scope="session")
def pgbouncer_binary_path() -> str:
    """Where PgBouncer is installed; the test is skipped without it, except under CI=true."""
    binary = pgbouncer_binary()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail(INSTALL_HINT)
        pytest.skip(INSTALL_HINT)
    return binary


@pytest.fixture(scope="session")
def pgbouncer(pgbouncer_binary_path: str) -> Iterator[PgBouncer]:
    """PgBouncer in transaction mode in front of the test PostgreSQL server."""
    with running_pgbouncer(pgbouncer_binary_path) as running:
        yield running


@pytest.fixture
def database_for(request: pytest.FixtureRequest) -> Iterator[DatabaseFor]:
    """A new empty database for a rendered project's tests (through PgBouncer for a project
    made for it); None for SQLite projects, whose tests make their own file."""
    with ExitStack() as cleanup:

        def database_for(project: Path) -> str | None:
            url = make_url(example_env(project)["DATABASE_URL"])
            if url.get_backend_name() == "sqlite":
                return None
            name = database_name(request.node.nodeid)
            created = cleanup.enter_context(
                fresh_database(url.get_backend_name(), url.drivername, name)
            )
            if behind_pgbouncer(project):
                bouncer: PgBouncer = request.getfixturevalue("pgbouncer")
                return bouncer.url(created)
            return created

        yield database_for


@pytest.fixture(scope="session")
def template_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The working tree's template committed alone in a new git repository, so that every
    render of it records the same `_commit`."""
    return TemplateRepo.from_working_tree(tmp_path_factory.mktemp("snapshot") / "template").path
