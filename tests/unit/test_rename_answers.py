"""hooks/rename_answers.py: the `_migrations` command that renames answers in place."""

import subprocess
import sys
from pathlib import Path

import pytest

from testing import ROOT

HOOK = ROOT / "hooks" / "rename_answers.py"
ANSWERS = """\
# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY
_commit: v0.1.0
_src_path: gh:sessionwise/sessionwise
mode: sync
pool_size: 5
transaction_policy: commit_on_success
"""


def run_hook(project: Path, *renames: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(HOOK), *renames],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".copier-answers.yml").write_text(ANSWERS)
    return tmp_path


def answers_text(project: Path) -> str:
    return (project / ".copier-answers.yml").read_text()


def test_only_the_renamed_key_changes(project: Path) -> None:
    result = run_hook(project, "transaction_policy=commit_policy")

    assert result.returncode == 0, result.stderr
    assert answers_text(project) == ANSWERS.replace("transaction_policy:", "commit_policy:")
    assert "transaction_policy -> commit_policy" in result.stderr


def test_running_it_again_changes_nothing(project: Path) -> None:
    run_hook(project, "transaction_policy=commit_policy")

    again = run_hook(project, "transaction_policy=commit_policy")

    assert again.returncode == 0
    assert "nothing to rename" in again.stderr
    assert answers_text(project) == ANSWERS.replace("transaction_policy:", "commit_policy:")


def test_an_answer_under_both_names_stops_with_what_to_delete(project: Path) -> None:
    (project / ".copier-answers.yml").write_text(ANSWERS + "commit_policy: explicit\n")

    result = run_hook(project, "transaction_policy=commit_policy")

    assert result.returncode == 1
    assert "has both 'transaction_policy' and 'commit_policy'" in result.stderr
    assert "delete the other line" in result.stderr
    assert answers_text(project) == ANSWERS + "commit_policy: explicit\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mode: [sync\n", "is not valid YAML"),
        ("- mode\n", "should map question names to answers"),
        # A flow mapping cannot be renamed line by line: left alone, with the rename to do.
        ("{transaction_policy: explicit, mode: sync}\n", "rename transaction_policy"),
    ],
    ids=["not-yaml", "a-list", "flow-mapping"],
)
def test_a_file_it_cannot_rewrite_is_left_untouched(project: Path, text: str, message: str) -> None:
    (project / ".copier-answers.yml").write_text(text)

    result = run_hook(project, "transaction_policy=commit_policy")

    assert result.returncode == 1
    assert message in result.stderr
    assert answers_text(project) == text


def test_a_missing_answers_file_is_named(tmp_path: Path) -> None:
    result = run_hook(tmp_path, "transaction_policy=commit_policy")

    assert result.returncode == 1
    assert "no answers file at .copier-answers.yml" in result.stderr


@pytest.mark.parametrize("pair", ["transaction_policy", "a=a", "1x=y", "a=b-c"])
def test_a_malformed_rename_is_refused(project: Path, pair: str) -> None:
    result = run_hook(project, pair)

    assert result.returncode == 1
    assert "write OLD=NEW" in result.stderr
    assert answers_text(project) == ANSWERS
