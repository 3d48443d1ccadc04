"""The template's pins are the ones this repository tests with: every requirement a rendered
project declares (its dependencies and its dev group) has the same version range here."""

import tomllib
from typing import Any

import pytest
from packaging.requirements import Requirement

from testing import ROOT
from testing.answer_matrix import ANSWER_MATRIX
from testing.projects import Render


def ranges(requirements: list[Any]) -> dict[str, str]:
    """Each named requirement's version range, by distribution (group includes are skipped)."""
    parsed = [Requirement(item) for item in requirements if isinstance(item, str)]
    return {requirement.name: str(requirement.specifier) for requirement in parsed}


def repository_ranges() -> dict[str, str]:
    groups = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]
    return {name: spec for group in groups.values() for name, spec in ranges(group).items()}


@pytest.mark.parametrize("answers", ANSWER_MATRIX)
def test_rendered_pins_are_the_repositorys_pins(render: Render, answers: dict[str, Any]) -> None:
    rendered = tomllib.loads((render(answers) / "pyproject.toml").read_text())
    declared = ranges(rendered["project"]["dependencies"] + rendered["dependency-groups"]["dev"])
    tested = repository_ranges()

    assert set(declared) <= set(tested), "rendered requirements this repository does not install"
    assert {name: tested[name] for name in declared} == declared
