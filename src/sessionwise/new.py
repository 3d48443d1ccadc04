"""`sessionwise new`: render a service through copier's API, exactly as `copier copy` would."""

from pathlib import Path
from typing import Any

import yaml
from copier import run_copy

from sessionwise.presets import PRESETS
from sessionwise.questions import TEMPLATE_ROOT


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


def render(
    destination: Path,
    answers: dict[str, Any],
    *,
    template: str | Path = TEMPLATE_ROOT,
    vcs_ref: str | None = None,
) -> Path:
    """Render with every unanswered question at its default; no prompt, no --trust."""
    check_destination(destination)
    if vcs_ref is None and Path(template).resolve() == TEMPLATE_ROOT:
        # The template this CLI came with: its own commit, not the newest tag copier would take.
        vcs_ref = "HEAD"
    try:
        run_copy(
            str(template),
            destination,
            data=answers,
            defaults=True,
            unsafe=False,
            quiet=True,
            vcs_ref=vcs_ref,
        )
    except ValueError as error:
        # copier's validators: the message already says what is wrong and what fits.
        raise NewError(str(error)) from error
    return destination
