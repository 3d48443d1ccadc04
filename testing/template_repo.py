"""Tagged template versions in temporary git repositories, built from the working tree.

`copier update` needs a git template whose versions are tags: a test copies the template files
into a new repository, tags that as the first version, changes files, and tags again.
"""

import io
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from testing import ROOT

TEMPLATE_FILES = ["copier.yml", "template", "hooks"]
GIT_IDENTITY = ["-c", "user.name=sessionwise tests", "-c", "user.email=tests@example.com"]


def git(directory: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", *GIT_IDENTITY, *args],
        cwd=directory,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout


def commit_all(directory: Path, message: str) -> None:
    git(directory, "add", "-A")
    git(directory, "commit", "-q", "--no-verify", "-m", message)


def init_repository(directory: Path, message: str) -> None:
    """A new git repository holding everything in `directory` as its first commit."""
    git(directory, "init", "-q", "-b", "main")
    commit_all(directory, message)


def copy_template_files(path: Path, files: Sequence[str] = TEMPLATE_FILES) -> None:
    """The working tree's template files (what copier reads) in folder `path`."""
    path.mkdir(parents=True, exist_ok=True)
    for name in files:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, path / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, path / name)


def replace_text(target: Path, old: str, new: str, count: int = 1) -> None:
    """Replace text in a file; fails if `old` is not there `count` times."""
    text = target.read_text()
    assert text.count(old) == count, f"{old!r} occurs {text.count(old)} times in {target}"
    target.write_text(text.replace(old, new))


@dataclass
class TemplateRepo:
    """A git copy of the template; `.path` is what `copier copy`/`update` take as source."""

    path: Path

    @classmethod
    def from_working_tree(
        cls, path: Path, tag: str = "v0.1.0", files: Sequence[str] = TEMPLATE_FILES
    ) -> "TemplateRepo":
        copy_template_files(path, files)
        init_repository(path, f"Template {tag}")
        git(path, "tag", tag)
        return cls(path)

    @classmethod
    def from_commit(cls, path: Path, commit: str, tag: str) -> "TemplateRepo":
        """The template as it was at `commit` of this repository (which needs its history)."""
        path.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "archive", "--format=tar", commit, *TEMPLATE_FILES],
            cwd=ROOT,
            capture_output=True,
            check=False,
        )
        assert archive.returncode == 0, (
            f"commit {commit} is not in this clone ({archive.stderr.decode().strip()}):"
            " fetch the history (git fetch --unshallow)"
        )
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(path, filter="data")
        init_repository(path, f"Template {tag}")
        git(path, "tag", tag)
        return cls(path)

    def take_working_tree(self) -> None:
        """Replace the template's files with the working tree's (then `release` them)."""
        for name in TEMPLATE_FILES:
            target = self.path / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
        copy_template_files(self.path)

    def file(self, relative: str) -> Path:
        return self.path / relative

    def replace(self, relative: str, old: str, new: str, count: int = 1) -> None:
        replace_text(self.file(relative), old, new, count)

    def write(self, relative: str, text: str) -> None:
        target = self.file(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)

    def release(self, tag: str) -> None:
        """Commit every change and tag it."""
        commit_all(self.path, f"Template {tag}")
        git(self.path, "tag", tag)


def python_tool(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """A Python tool's command (`python -m TOOL ...`) as a user runs it, with stdin closed so
    that a prompt fails."""
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
        check=False,
    )


def copier(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return python_tool("copier", *args, cwd=cwd)
