"""Where `sessionwise new` takes the template from, and which copier.yml the CLI reads.

These run from the development checkout (an editable install); tests/test_installed_cli.py
runs the built wheel outside it.
"""

import re
from pathlib import Path

import pytest

from sessionwise.template.source import (
    ENVIRONMENT_VARIABLE,
    SourceError,
    TemplateSource,
    checkout_root,
    template_file,
    template_source,
)
from testing import ROOT


@pytest.fixture(autouse=True)
def no_source_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENVIRONMENT_VARIABLE, raising=False)


def test_the_checkout_is_found_from_the_package_not_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    assert checkout_root() == ROOT


def test_a_checkout_reads_its_own_copier_yml() -> None:
    # The editable install also holds a copy made when it was installed: never the one read.
    assert Path(str(template_file("copier.yml"))) == ROOT / "copier.yml"


def test_a_checkout_renders_itself_at_head() -> None:
    assert template_source() == TemplateSource(str(ROOT), "HEAD", "this development checkout")


def test_the_environment_variable_overrides_the_default_and_the_option_overrides_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "gh:example/fork")

    assert template_source() == TemplateSource("gh:example/fork", None, ENVIRONMENT_VARIABLE)
    assert template_source(vcs_ref="v1.0.0").ref == "v1.0.0"
    assert template_source(str(tmp_path)) == TemplateSource(str(tmp_path), None, "--template")


def test_a_relative_folder_is_recorded_as_an_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # copier writes the source into .copier-answers.yml as given; `update` reads it back later.
    monkeypatch.chdir(tmp_path)

    assert template_source("../template").location == str(tmp_path.parent / "template")


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("https://git.example.com/team/sessionwise", "end in .git (or start with git+)"),
        ("no-such-folder", "no such folder"),
        (".", "is not a copier template: it has no copier.yml"),
    ],
)
def test_what_is_not_a_template_is_refused_with_what_to_give(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, location: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)

    with pytest.raises(SourceError, match=re.escape(message)):
        template_source(location).check()


@pytest.mark.parametrize(
    "location", ["gh:sessionwise/sessionwise", "git@github.com:a/b.git", "git+https://x/y"]
)
def test_git_addresses_are_left_to_git(location: str) -> None:
    template_source(location).check()


def test_a_folder_with_copier_yaml_is_a_template(tmp_path: Path) -> None:
    (tmp_path / "copier.yaml").write_text("_subdirectory: template\n")

    template_source(str(tmp_path)).check()
