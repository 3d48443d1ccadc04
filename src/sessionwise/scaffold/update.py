"""`sessionwise update`: `copier update` with the project checked first and a summary after.

Copier answers a missing or hand-broken `.copier-answers.yml` with a Python traceback
(`TypeError: Template not found`, a YAML `ParserError`, `AttributeError: 'NoneType' object has
no attribute 'items'`, `ValueError: Unknown revision`). `check_updatable` finds those cases first
and says what to fix; `update_project` runs the update and reports the files it changed and the
files left with conflicts.
"""

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from copier import run_update
from copier.errors import CopierError

ANSWERS_FILE = ".copier-answers.yml"
# The lines `git merge-file` writes around a conflict during `copier update --conflict inline`.
CONFLICT_MARKERS = (b"<<<<<<< before updating", b">>>>>>> after updating")
# `git status --porcelain` codes of unmerged paths (copier records inline conflicts this way).
UNMERGED_CODES = {"DD", "AU", "UD", "UA", "DU", "AA", "UU"}


class UpdateError(Exception):
    """The project cannot be updated as it is: the message says what to fix."""


@dataclass
class UpdateSummary:
    """What an update did, relative to the project directory."""

    old_version: str
    new_version: str
    changed: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    rejects: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if self.old_version == self.new_version:
            lines = [f"Template version {self.new_version} kept (answers re-applied)."]
        else:
            lines = [f"Updated from template {self.old_version} to {self.new_version}."]
        if not self.changed:
            lines.append("No file changed.")
        else:
            lines.append(f"{len(self.changed)} file(s) changed:")
            lines.extend(f"  {path}" for path in self.changed)
        if self.conflicts:
            lines.append(f"{len(self.conflicts)} file(s) with conflicts to resolve by hand:")
            lines.extend(f"  {path}" for path in self.conflicts)
            if self.rejects:
                lines.append(
                    "Your edits that did not apply to the new version are in the .rej files "
                    "next to them: re-apply them by hand, then delete the .rej files."
                )
            else:
                lines.append(
                    "Edit the blocks between '<<<<<<< before updating' and '>>>>>>> after "
                    "updating', then `git add` each file."
                )
        lines.append("Review with `git diff`, run the tests, then commit.")
        return "\n".join(lines)


def git(project: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", *args], cwd=project, capture_output=True, text=True, check=False
    )
    if completed.returncode:
        raise UpdateError(f"git {' '.join(args)} failed in {project}: {completed.stderr.strip()}")
    return completed.stdout


def read_answers(project: Path, answers_file: str = ANSWERS_FILE) -> dict[str, Any]:
    """The answers file as a mapping, or an UpdateError saying how to repair it."""
    path = project / answers_file
    restore = (
        f"Restore it from git (`git log -p -- {answers_file}` shows its history) or write it "
        "again with the answers the service was rendered with."
    )
    if not path.is_file():
        raise UpdateError(
            f"{path} is missing: `copier update` reads the template's address (_src_path), "
            f"the version rendered (_commit) and your answers from it. {restore}"
        )
    try:
        answers = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise UpdateError(f"{path} is not valid YAML ({error}). {restore}") from None
    if not isinstance(answers, dict):
        raise UpdateError(
            f"{path} must map names to answers (`mode: sync`), but it holds "
            f"{'nothing' if answers is None else type(answers).__name__}. {restore}"
        )
    return answers


def check_template_reference(answers: dict[str, Any], path: Path) -> None:
    source, commit = answers.get("_src_path"), answers.get("_commit")
    if not isinstance(source, str) or not source.strip():
        raise UpdateError(
            f"{path} has no _src_path: add the template's address, e.g. "
            "`_src_path: gh:sessionwise/sessionwise` (or the local path or git URL you "
            "rendered from)."
        )
    if not isinstance(commit, str) or not commit.strip():
        raise UpdateError(
            f"{path} has no _commit: add the template version the service was rendered "
            "from, e.g. `_commit: v0.1.0` (see the template's CHANGELOG.md or its git tags)."
        )
    local = Path(source).expanduser()
    if "://" in source or source.startswith(("gh:", "gl:", "git@")) or not local.is_absolute():
        return  # a remote template: copier reports an unreachable one itself
    if not local.is_dir():
        raise UpdateError(
            f"{path} says the template is at {source}, which is not a directory: fix _src_path "
            "to where the template is now (a local path, a git URL or gh:owner/repo)."
        )
    known = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}"],
        cwd=local,
        capture_output=True,
        check=False,
    )
    if known.returncode:
        raise UpdateError(
            f"{path} says the service was rendered from template version {commit}, which the "
            f"template at {source} does not have: set _commit to one of its tags "
            "(`git tag` in the template)."
        )


def check_updatable(project: Path, answers_file: str = ANSWERS_FILE) -> dict[str, Any]:
    """Check everything `copier update` needs of the project; return its answers."""
    if not project.is_dir():
        raise UpdateError(f"{project} is not a directory")
    answers = read_answers(project, answers_file)
    check_template_reference(answers, project / answers_file)
    inside = subprocess.run(
        ["git", "rev-parse", "--is-inside-work-tree"], cwd=project, capture_output=True, check=False
    )
    if inside.returncode:
        raise UpdateError(
            f"{project} is not in a git repository: `copier update` merges the template's changes "
            "into committed work. Run `git init && git add -A && git commit -m 'Service'` first."
        )
    if git(project, "status", "--porcelain", "--", ".").strip():
        raise UpdateError(
            f"{project} has uncommitted changes: commit or stash them first, so that the "
            "update's changes can be reviewed (and undone) on their own."
        )
    return answers


def project_status(project: Path) -> list[tuple[str, str]]:
    """(status code, path relative to the project) for every changed or new file."""
    top = Path(git(project, "rev-parse", "--show-toplevel").strip())
    output = git(
        project, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignored", "--", "."
    )
    entries = output.split("\0")
    result = []
    index = 0
    while index < len(entries):
        entry = entries[index]
        index += 1
        if not entry:
            continue
        code, name = entry[:2], entry[3:]
        if code[0] in "RC":
            index += 1  # the rename's source path follows
        if code == "!!" and not name.endswith(".rej"):
            continue
        path = (top / name).resolve().relative_to(project.resolve())
        result.append((code, path.as_posix()))
    return result


def has_conflict_markers(path: Path) -> bool:
    if not path.is_file():
        return False
    with path.open("rb") as file:
        return any(line.rstrip() in CONFLICT_MARKERS for line in file)


def summarise(project: Path, old_version: str, new_version: str) -> UpdateSummary:
    summary = UpdateSummary(old_version, new_version)
    for code, path in project_status(project):
        if path.endswith(".rej"):
            summary.rejects.append(path)
            summary.conflicts.append(path.removesuffix(".rej"))
            continue
        summary.changed.append(path)
        if code in UNMERGED_CODES or has_conflict_markers(project / path):
            summary.conflicts.append(path)
    summary.conflicts = sorted(set(summary.conflicts))
    return summary


def update_project(
    project: Path,
    vcs_ref: str | None = None,
    *,
    trust: bool = False,
    conflict: Literal["inline", "rej"] = "inline",
    data: dict[str, Any] | None = None,
    quiet: bool = False,
) -> UpdateSummary:
    """`copier update` without questions (answers from the answers file and `data`).

    vcs_ref: the template version to update to (a tag such as v0.2.0); the latest tag if None.
    trust: allow the template's `_migrations` to run, needed when the update crosses one.
    """
    project = project.resolve()
    old_version = str(check_updatable(project)["_commit"])
    try:
        run_update(
            project,
            data=data or {},
            vcs_ref=vcs_ref,
            defaults=True,
            overwrite=True,
            unsafe=trust,
            conflict=conflict,
            quiet=quiet,
        )
    except CopierError as error:
        hint = ""
        if "unsafe feature" in str(error):
            hint = (
                "\nThis update crosses a template version with answer migrations: "
                "read the template's CHANGELOG.md, then run it again with --trust."
            )
        raise UpdateError(f"copier update failed: {error}{hint}") from error
    except ValueError as error:  # copier's message for a ref the template does not have
        raise UpdateError(
            f"copier update failed: {error}. Choose one of the template's tags as --vcs-ref."
        ) from error
    new_version = str(read_answers(project).get("_commit"))
    return summarise(project, old_version, new_version)
