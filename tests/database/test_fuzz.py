"""Rendered services fuzzed as a user would: served by uvicorn, schemathesis run against their
own /openapi.json with all its checks (stateful phase included), on every database.

Afterwards the rows the database holds must be exactly those the fuzzer's 2xx responses
reported: no acknowledged write lost, nothing stored that was refused.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, make_url, text

from testing.answer_matrix import answers, combo_id
from testing.databases import DatabaseFor, admin_engine
from testing.projects import Render
from testing.services import migrate, project_environment, running, uvicorn_workers

RENDERS = [
    answers("sync", "sqlite", "pysqlite", "explicit"),
    answers("sync", "postgresql", "psycopg", "commit_on_success"),
    answers("async", "postgresql", "asyncpg", "commit_on_success"),
    answers("sync", "mysql", "pymysql", "explicit"),
    answers("async", "mysql", "asyncmy", "explicit"),
]
SEED = 20261204
# Per operation, and per phase that generates (coverage, fuzzing); the stateful phase
# chains operations through the links schemathesis infers.
MAX_EXAMPLES = 150
PHASES = "examples,coverage,fuzzing,stateful"
# Far above a run's 10 to 60 s on a busy machine; the run stops by itself before that.
RUN_TIMEOUT = 600

Row = tuple[int, str, str | None]


def fuzz(base_url: str, har: Path) -> subprocess.CompletedProcess[str]:
    """The schemathesis CLI (this environment's pinned one) against the served service.

    One worker: requests go one at a time, so that the recorded order is the order the
    service saw them in.
    """
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{base_url}/openapi.json",
        "--checks=all",
        f"--seed={SEED}",
        f"--max-examples={MAX_EXAMPLES}",
        f"--phases={PHASES}",
        "--workers=1",
        "--generation-database=none",
        "--request-timeout=10",
        "--report=har",
        f"--report-har-path={har}",
        "--no-color",
    ]
    # In the test's own folder: the CLI keeps a replay cache (.schemathesis/) where it runs.
    return subprocess.run(
        command,
        cwd=har.parent,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )


def acknowledged_rows(har: Path) -> set[Row]:
    """The rows the service said it holds, replaying its 2xx answers to writes in order."""
    rows: dict[int, Row] = {}
    for entry in json.loads(har.read_text())["log"]["entries"]:
        method, status = entry["request"]["method"], entry["response"]["status"]
        if method in ("POST", "PUT") and status in (200, 201):
            item: dict[str, Any] = json.loads(entry["response"]["content"]["text"])
            rows[item["id"]] = (item["id"], item["name"], item["description"])
        elif method == "DELETE" and status == 204:
            del rows[int(urlsplit(entry["request"]["url"]).path.rsplit("/", 1)[1])]
    return set(rows.values())


def stored_rows(database_url: str) -> set[Row]:
    url = make_url(database_url)
    backend = url.get_backend_name()
    engine = create_engine(url) if backend == "sqlite" else admin_engine(backend, url.database)
    try:
        with engine.connect() as connection:
            result = connection.execute(text("SELECT id, name, description FROM items"))
            return {(row.id, row.name, row.description) for row in result}
    finally:
        engine.dispose()


def summary(output: str) -> str:
    """The fuzzer's report of its phases and its closing summary."""
    return output[output.find("Examples (") :].strip()


@pytest.mark.parametrize("answers", [pytest.param(a, id=combo_id(a)) for a in RENDERS])
def test_the_fuzzer_finds_nothing_and_nothing_is_lost(
    answers: dict[str, str],
    render: Render,
    database_for: DatabaseFor,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    project = shutil.copytree(render(answers), tmp_path / "project")
    database_url = database_for(project) or f"sqlite:///{tmp_path}/fuzz.db"
    migrate(project, database_url)
    server = uvicorn_workers(
        "my_service.main:app", project_environment(project, database_url), project, workers=1
    )
    har = tmp_path / "fuzz.har"

    with running(server):
        run = fuzz(f"http://127.0.0.1:{server.port}", har)
        log = server.output()

    with capsys.disabled():
        print(f"\n{combo_id(answers)}: {summary(run.stdout)}")
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}\nservice log:\n{log}"
    assert "No issues found" in run.stdout, run.stdout
    acknowledged = acknowledged_rows(har)
    assert acknowledged, "the fuzzer created no item: nothing was checked"
    assert stored_rows(database_url) == acknowledged
