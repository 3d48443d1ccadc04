"""Mutation proof: plant each pitfall in a rendered project; its generated tests must fail.

A generated test that cannot fail would be a defect, so every pitfall names the tests
that must catch it.
"""

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from sessionwise.lint import check_paths
from sessionwise.template.questions import fitting_drivers, question
from testing.answer_matrix import MATRIX_ANSWERS, MODE_DATABASE_DRIVER, POLICIES, answers, combo_id
from testing.databases import DatabaseFor
from testing.pitfalls import PITFALLS, Pitfall
from testing.projects import Render, run_project_tests

# A planted pitfall must make the whole generated suite fail, and soon: a leaked connection
# that holds a lock makes a suite wait as long as the server lets it (a day on MariaDB)
# unless the suite itself gives up. Far above a passing suite's 5 to 15 s, far below a hang.
FAILS_WITHIN_SECONDS = 120

# One driver per database and mode keeps the suite short; the matrix covers the rest.
ONE_DRIVER_EACH = {
    fitting_drivers(database, mode)[0]
    for database in question("database").values
    for mode in question("mode").values
}


def applies(pitfall: Pitfall, answers: dict[str, str]) -> bool:
    return (
        answers["mode"] in pitfall.modes
        and answers["database"] in pitfall.databases
        and answers["transaction_policy"] in pitfall.policies
        and answers["connection_proxy"] == pitfall.proxy
        and answers["driver"] in (pitfall.drivers or ONE_DRIVER_EACH)
    )


def mutation_cases() -> list[Any]:
    """Every pitfall in every render it applies to. The first render of each database runs
    the whole generated suite (it must fail, and within the bound: no other test may hang on
    what the pitfall left behind); the others run only the tests named to catch it."""
    cases = []
    for name, pitfall in PITFALLS.items():
        databases_seen: set[str] = set()
        for render_answers in MATRIX_ANSWERS:
            if not applies(pitfall, render_answers):
                continue
            whole_suite = render_answers["database"] not in databases_seen
            databases_seen.add(render_answers["database"])
            suite = "whole-suite" if whole_suite else "named-tests"
            case_id = f"{name}-{combo_id(render_answers)}-{suite}"
            cases.append(pytest.param(name, render_answers, whole_suite, id=case_id))
    return cases


@pytest.mark.parametrize(("pitfall", "answers", "whole_suite"), mutation_cases())
def test_generated_tests_catch_the_planted_pitfall(
    pitfall: str,
    answers: dict[str, Any],
    whole_suite: bool,
    render: Render,
    database_for: DatabaseFor,
    tmp_path: Path,
) -> None:
    project = shutil.copytree(render(answers), tmp_path / "project")
    PITFALLS[pitfall].plant(project, answers["mode"])
    only = None if whole_suite else PITFALLS[pitfall].caught_by

    try:
        run = run_project_tests(
            project, database_for(project), timeout=FAILS_WITHIN_SECONDS, only=only
        )
    except subprocess.TimeoutExpired as hung:
        pytest.fail(f"the generated suite hung with {pitfall} planted:\n{hung.stdout}")

    assert run.returncode != 0, f"the generated tests passed with {pitfall} planted"
    expected = {
        name
        for name in PITFALLS[pitfall].caught_by
        if name in run.failed | run.passed | run.skipped
    }
    assert expected, f"none of {sorted(PITFALLS[pitfall].caught_by)} ran:\n{run.output}"
    assert expected <= run.failed, run.output
    shows = PITFALLS[pitfall].shows
    assert shows is None or re.search(shows, run.output), run.output


CHECK_CASES = [
    pytest.param(name, answers(mode, database, driver, policy), id=f"{name}-{mode}-{policy}")
    for name, pitfall in PITFALLS.items()
    if pitfall.code is not None
    for mode, database, driver in MODE_DATABASE_DRIVER
    for policy in POLICIES
    if database == "sqlite" and mode in PITFALLS[name].modes
]


@pytest.mark.parametrize(("pitfall", "answers"), CHECK_CASES)
def test_check_finds_the_planted_pitfall(
    pitfall: str, answers: dict[str, Any], render: Render, tmp_path: Path
) -> None:
    project = shutil.copytree(render(answers), tmp_path / "project")
    PITFALLS[pitfall].plant(project, answers["mode"])

    findings, _ = check_paths([project])

    assert PITFALLS[pitfall].code in {finding.code for finding in findings}
