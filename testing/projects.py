"""Running a rendered project's own tools, all in this one shared environment."""

import os
import re
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from testing.pgbouncer import server_url_behind

# A render of the template for a set of answers (the `render` fixture): a project to copy before
# changing it.
Render = Callable[[dict[str, Any]], Path]

# Variables of the developer's own shell that would change what the project under test does.
PROJECT_VARIABLES = [
    "DATABASE_URL",
    "TEST_DATABASE_URL",
    "POOL_SIZE",
    "MAX_OVERFLOW",
    "POOL_TIMEOUT",
    "POOL_RECYCLE",
    "POOL_PRE_PING",
    "WEB_CONCURRENCY",
    "CONNECTION_BUDGET",
    "REFUSE_OVER_BUDGET",
    "STARTUP_WAIT",
    "DIRECT_URL",
    "TEST_DIRECT_URL",
    "PYTEST_ADDOPTS",
    "LEAK_DETECTION_THRESHOLD",
    "METRICS_ENABLED",
    "PROMETHEUS_MULTIPROC_DIR",
]


def shell_env() -> dict[str, str]:
    """This process's environment without the variables that configure a rendered project."""
    return {k: v for k, v in os.environ.items() if k not in PROJECT_VARIABLES}


def project_env(project: Path, test_database_url: str | None) -> dict[str, str]:
    env = shell_env()
    env["PYTHONPATH"] = str(project / "src")
    if test_database_url:
        env["TEST_DATABASE_URL"] = test_database_url
        if behind_pgbouncer(project):
            # Migrations go to the server PgBouncer stands in front of.
            env["TEST_DIRECT_URL"] = server_url_behind(test_database_url)
    return env


def run_tool(
    project: Path,
    *args: str,
    test_database_url: str | None = None,
    timeout: int = 600,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`python -m <tool> ...` in the project directory, output captured."""
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=project,
        env=project_env(project, test_database_url) | (extra_env or {}),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# What the generated CI runs on the code: the project's own ruff and mypy --strict settings.
LINTERS = (["ruff", "check", "."], ["ruff", "format", "--check", "."], ["mypy"])


def assert_lints_clean(project: Path, mypy_cache_dir: Path) -> None:
    """The project passes each of LINTERS; mypy reads the libraries' stubs from a cache
    shared by the renders a worker checks (it analyses the project's own files anew)."""
    for command in LINTERS:
        completed = run_tool(project, *command, extra_env={"MYPY_CACHE_DIR": str(mypy_cache_dir)})
        assert completed.returncode == 0, completed.stdout + completed.stderr


@dataclass
class TestRun:
    returncode: int
    output: str
    passed: set[str]
    failed: set[str]
    skipped: set[str]


# Off in a rendered project's test runs: pytest's cache (it would write into the render), and
# the plugins of the template's own environment that a service's environment does not have.
TEMPLATE_ONLY_PLUGINS = ["-p", "no:cacheprovider", "-p", "no:copie", "-p", "no:xdist"]


def modules_defining(project: Path, names: frozenset[str]) -> list[str]:
    """The project's test modules that define a test of these names: collecting only them
    spares the others' imports (the fuzzer builds its strategies from the whole API)."""
    definition = re.compile(rf"^(async )?def ({'|'.join(map(re.escape, names))})\(", re.M)
    return [
        path.relative_to(project).as_posix()
        for path in sorted((project / "tests").glob("test_*.py"))
        if definition.search(path.read_text())
    ]


def run_project_tests(
    project: Path,
    test_database_url: str | None,
    timeout: int = 600,
    only: frozenset[str] | None = None,
    seed: int | None = None,
) -> TestRun:
    """The project's own pytest suite (or only the test functions named in `only`); outcomes
    by test function name. In file order, or in the random order pytest-randomly draws from
    `seed`."""
    report = project / "pytest-report.xml"
    selection = [*modules_defining(project, only), "-k", " or ".join(sorted(only))] if only else []
    order = ["-p", "no:randomly"] if seed is None else [f"--randomly-seed={seed}"]
    completed = run_tool(
        project,
        "pytest",
        "-q",
        *TEMPLATE_ONLY_PLUGINS,
        *order,
        f"--junitxml={report}",
        *selection,
        test_database_url=test_database_url,
        timeout=timeout,
    )
    run = TestRun(completed.returncode, completed.stdout + completed.stderr, set(), set(), set())
    if not report.exists():
        return run
    for case in ET.parse(report).getroot().iter("testcase"):
        if "name" not in case.attrib:
            # pytest opens a nameless case when a test's setup passed and the run stopped
            # before the test reported (an interrupt, `pytest.exit`): the test did not run.
            continue
        name = case.attrib["name"].split("[")[0]
        if case.find("failure") is not None or case.find("error") is not None:
            run.failed.add(name)
        elif case.find("skipped") is not None:
            run.skipped.add(name)
        else:
            run.passed.add(name)
    report.unlink()
    return run


def tree(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file below `root` except git's and Python's bytecode (a rendered project's tests
    may have run in it): its contents and mode, by relative path."""
    return {
        path.relative_to(root).as_posix(): (path.read_bytes(), path.stat().st_mode)
        for path in sorted(root.rglob("*"))
        if path.is_file() and not {".git", "__pycache__"} & set(path.relative_to(root).parts)
    }


def rendered_answers(project: Path) -> dict[str, Any]:
    answers: dict[str, Any] = yaml.safe_load((project / ".copier-answers.yml").read_text())
    return answers


def behind_pgbouncer(project: Path) -> bool:
    """A project rendered with connection_proxy=pgbouncer: it migrates through DIRECT_URL."""
    return "DIRECT_URL" in example_env(project)


def example_env(project: Path) -> dict[str, str]:
    """The settings .env.example documents, as a dict."""
    lines = (project / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def dependencies(project: Path) -> list[str]:
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    deps: list[str] = pyproject["project"]["dependencies"]
    return deps
