"""`sessionwise new`: render a service through copier's API, exactly as `copier copy` would."""

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from copier import run_copy
from plumbum import ProcessExecutionError, local

from sessionwise.template.presets import PRESETS
from sessionwise.template.source import (
    CLONE_HINT,
    REPOSITORY,
    SourceError,
    TemplateSource,
    template_source,
)


class NewError(Exception):
    """Bad input for `sessionwise new`: the message says what to fix."""


def parse_data(pairs: list[str]) -> dict[str, str]:
    answers = {}
    for pair in pairs:
        key, separator, value = pair.partition("=")
        if not separator or not key.strip():
            raise NewError(f"--data {pair!r}: write it as KEY=VALUE, e.g. --data mode=async")
        answers[key.strip()] = value
    return answers


def load_data_file(path: Path) -> dict[str, Any]:
    try:
        answers = yaml.safe_load(path.read_text())
    except OSError as error:
        raise NewError(f"cannot read {path}: {error.strerror}") from error
    except yaml.YAMLError as error:
        raise NewError(f"{path} is not valid YAML: {error}") from error
    if not isinstance(answers, dict):
        raise NewError(f"{path} must hold a mapping of answers, e.g. 'mode: async'")
    return answers


def collect_answers(preset: str | None, data_file: Path | None, data: list[str]) -> dict[str, Any]:
    """Preset, then the data file, then --data: later ones win."""
    answers: dict[str, Any] = {}
    if preset is not None:
        if preset not in PRESETS:
            raise NewError(f"no preset {preset!r}: choose one of {', '.join(PRESETS)}")
        answers.update(PRESETS[preset])
    if data_file is not None:
        answers.update(load_data_file(data_file))
    answers.update(parse_data(data))
    return answers


def check_destination(destination: Path) -> None:
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise NewError(f"{destination} exists and is not empty: choose a new directory")


def created_by(destination: Path) -> Path | None:
    """The outermost folder that writing `destination` will create (None if it exists)."""
    missing = [path for path in [destination, *destination.parents] if not path.exists()]
    return missing[-1] if missing else None


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


@contextmanager
def removed_on_failure(destination: Path) -> Iterator[None]:
    """If the block fails, remove what it wrote for `destination`: the folders it created, or
    in a folder that was there before, the entries it added. Nothing else is touched."""
    destination = destination.absolute()
    created = created_by(destination)
    existing = set() if created is not None else set(destination.iterdir())
    try:
        yield
    except BaseException:
        if created is not None:
            if created.exists():
                remove(created)
        else:
            for entry in set(destination.iterdir()) - existing:
                remove(entry)
        raise


def unreachable(source: TemplateSource, error: ProcessExecutionError) -> str:
    """The message for a source git could not fetch: git's own reason, and what to do."""
    lines = [line.strip() for line in str(error.stderr or "").splitlines() if line.strip()]
    reason = next((line for line in lines if line.startswith("fatal:")), lines[-1] if lines else "")
    return (
        f"cannot get the template from {source.describe()}:\n  {reason}\nNothing was written. "
        f"Check the address and that it has that version. If you are offline or it is not "
        f"published yet, {CLONE_HINT}."
    )


def prepare(destination: Path, template: str | Path | None, vcs_ref: str | None) -> TemplateSource:
    """Check the source and the destination before anything is asked or written."""
    source = template_source(None if template is None else str(template), vcs_ref)
    try:
        source.check()
    except SourceError as error:
        raise NewError(str(error)) from error
    check_destination(destination)
    return source


def render(
    destination: Path,
    answers: dict[str, Any],
    *,
    template: str | Path | None = None,
    vcs_ref: str | None = None,
) -> TemplateSource:
    """Render with every unanswered question at its default; no prompt, no --trust.

    template, vcs_ref: the source and version (`source.template_source` gives the defaults).
    Returns the source rendered.
    """
    source = prepare(destination, template, vcs_ref)
    # The published repository is public: a login prompt from git means it is not there.
    no_login = {"GIT_TERMINAL_PROMPT": "0"} if source.location == REPOSITORY else {}
    with removed_on_failure(destination), local.env(**no_login):
        try:
            run_copy(
                source.location,
                destination,
                data=answers,
                defaults=True,
                unsafe=False,
                quiet=True,
                vcs_ref=source.ref,
            )
        except ValueError as error:
            # copier's validators: the message already says what is wrong and what fits.
            raise NewError(str(error)) from error
        except ProcessExecutionError as error:
            raise NewError(unreachable(source, error)) from error
    return source
