"""`sessionwise check --fix --unsafe-fixes` over the real-world reproductions
(tests/unit/real_world):
every file still parses (in the Python version it was written for), each changed file is what
tests/unit/real_world/fixed/ holds for it (only the flagged constructs changed; every other file
untouched), a re-check finds none of the fixed codes, and a second `--fix` changes nothing."""

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sessionwise.cli import app
from sessionwise.lint.syntax.parse import parse_source

REAL_WORLD = Path(__file__).resolve().parent / "real_world"
PROJECTS = sorted(p for p in (REAL_WORLD / "projects").iterdir() if p.is_dir())
FIXED = REAL_WORLD / "fixed"

runner = CliRunner()


def sources(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*.py"))}


def findings(project: Path) -> list[dict[str, object]]:
    result = runner.invoke(app, ["check", "--format", "json", str(project)])
    found: list[dict[str, object]] = json.loads(result.output)
    return found


@pytest.mark.parametrize("original", PROJECTS, ids=[p.name for p in PROJECTS])
def test_fix_changes_only_the_flagged_constructs(
    original: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SESSIONWISE_NO_CACHE", "1")
    project = shutil.copytree(original, tmp_path / original.name)
    fixable = {
        str(item["code"])
        for item in findings(project)
        if item["fix"]["applicability"] in {"safe", "unsafe"}  # type: ignore[index]
    }

    result = runner.invoke(app, ["check", "--fix", "--unsafe-fixes", str(project)])

    assert result.exit_code in {0, 1}, result.output
    before, after = sources(original), sources(project)
    assert before.keys() == after.keys()
    for path, text in after.items():
        parse_source(text, path)  # any Python version's syntax, as the checker reads it
        expected = FIXED / original.name / path
        assert text == (expected.read_text() if expected.exists() else before[path]), path
    assert not fixable & {str(item["code"]) for item in findings(project)}
    runner.invoke(app, ["check", "--fix", "--unsafe-fixes", str(project)])
    assert sources(project) == after


def test_every_expected_fixed_file_belongs_to_a_reproduction() -> None:
    for path in FIXED.rglob("*.py"):
        relative = path.relative_to(FIXED)
        assert (REAL_WORLD / "projects" / relative).is_file(), relative
