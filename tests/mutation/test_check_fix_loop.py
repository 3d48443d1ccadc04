"""The closed loop: every pitfall `sessionwise check` sees in a rendered service is found,
repaired by `--fix` (with `--unsafe-fixes` where that is its rule's applicability), gone from
a second check, and the service passes ruff, mypy and its own generated tests again.

Display-only rules (an engine per request, a sync session in `async def`) are reported with
the edit they need, and `--fix` of that code leaves the code as it was. SQLite renders only, in the
(mode, policy) where the plant is its mistake alone (`Pitfall.alone_in`).
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sessionwise.lint.cache import CACHE_FOLDER
from sessionwise.lint.rules import RULES
from testing.answer_matrix import MODE_DATABASE_DRIVER, answers
from testing.pitfalls import PITFALLS
from testing.projects import Render, assert_lints_clean, run_project_tests, tree

SESSIONWISE = str(Path(sys.executable).parent / "sessionwise")
SQLITE_DRIVER = {
    mode: driver for mode, database, driver in MODE_DATABASE_DRIVER if database == "sqlite"
}


def cases() -> list[Any]:
    found = []
    for name, pitfall in PITFALLS.items():
        if pitfall.code is None:
            continue
        renders = pitfall.alone_in or [(mode, "explicit") for mode in pitfall.modes]
        for mode, policy in renders:
            found.append(
                pytest.param(
                    name,
                    answers(mode, "sqlite", SQLITE_DRIVER[mode], policy),
                    id=f"{name}-{mode}-{policy}",
                )
            )
    return found


def check(project: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """The installed `sessionwise check`, as a user (or pre-commit) runs it."""
    return subprocess.run(
        [SESSIONWISE, "check", *options, "src"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def sources(project: Path) -> dict[str, tuple[bytes, int]]:
    """The project's files, without the checker's own cache."""
    return {path: kept for path, kept in tree(project).items() if not path.startswith(CACHE_FOLDER)}


def reported(project: Path) -> dict[str, str]:
    """code -> applicability of its fix, for each finding."""
    run = check(project, "--format", "json")
    return {item["code"]: item["fix"]["applicability"] for item in json.loads(run.stdout)}


@pytest.mark.parametrize(("pitfall", "answers"), cases())
def test_check_fix_repairs_the_planted_pitfall(
    pitfall: str,
    answers: dict[str, Any],
    render: Render,
    tmp_path: Path,
    mypy_cache_dir: Path,
) -> None:
    project = shutil.copytree(render(answers), tmp_path / "project")
    planted = PITFALLS[pitfall]
    planted.plant(project, answers["mode"])
    code = planted.code
    assert code in RULES

    found = reported(project)
    assert code in found, found

    if found[code] == "display-only":
        before = sources(project)
        run = check(project, "--fix", "--unsafe-fixes", "--select", code)
        assert run.returncode == 1, run.stdout + run.stderr
        assert f"{code} " in run.stdout and "fix (display-only)" in run.stdout
        assert sources(project) == before
        return

    options = ["--fix"] if found[code] == "safe" else ["--fix", "--unsafe-fixes"]
    fixed = check(project, *options)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "0 remaining" in fixed.stdout, fixed.stdout
    assert code not in reported(project)
    again = check(project, *options)
    assert again.returncode == 0 and "All checks passed" in again.stdout, again.stdout
    assert_lints_clean(project, mypy_cache_dir)
    suite = run_project_tests(project, None, timeout=300)
    assert suite.returncode == 0, suite.output
