"""One version and one template address, everywhere they are written.

The package version (pyproject.toml), the top CHANGELOG section, the `sessionwise_version` that
generated services pin their `sessionwise check` hook to, and the release tag agree; every
address of the template repository is the one the CLI renders from.
"""

import re
import subprocess
import tomllib

import yaml
from packaging.version import Version

from sessionwise.template.source import REPOSITORY, VERSION
from testing import ROOT

# Where users and generated services read the template's address.
ADDRESS_FILES = [
    "README.md",
    "CHANGELOG.md",
    "mkdocs.yml",
    "copier.yml",
    "template.yaml",
    "docs/**/*.md",
    "src/**/*.py",
    "template/**/*.jinja",
]
ADDRESS = re.compile(r"(?:https://github\.com/|gh:)([\w.-]+)/sessionwise\b")


def package_version() -> str:
    version: str = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    return version


def copier_default(name: str) -> str:
    default: str = yaml.safe_load((ROOT / "copier.yml").read_text())[name]["default"]
    return default


def git_tags(*args: str) -> list[str]:
    completed = subprocess.run(
        ["git", "tag", "--list", "v*", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.split()


def test_the_installed_version_is_the_one_in_pyproject() -> None:
    assert package_version() == VERSION, "the environment is stale: run `uv sync`"


def test_the_top_changelog_section_is_the_package_version() -> None:
    sections = re.findall(r"^## \[([^\]]+)\]", (ROOT / "CHANGELOG.md").read_text(), re.MULTILINE)

    assert sections, "CHANGELOG.md has no '## [X.Y.Z] - date' section"
    assert sections[0] == package_version()


def test_generated_services_pin_the_hook_to_the_package_version() -> None:
    assert copier_default("sessionwise_version") == f"v{package_version()}"


def test_a_release_tag_in_this_checkout_carries_its_version() -> None:
    # A clean CI clone may have no tags at all: then there is nothing to contradict.
    version = Version(package_version())
    tags = [tag for tag in git_tags() if re.fullmatch(r"v\d+\.\d+\.\d+", tag)]
    for tag in git_tags("--points-at", "HEAD"):
        assert tag == f"v{version}", f"HEAD is tagged {tag} but pyproject.toml says {version}"
    if tags:
        assert max(Version(tag) for tag in tags) <= version, "a newer release is tagged"
    if f"v{version}" in tags:
        tagged = subprocess.run(
            ["git", "show", f"v{version}:pyproject.toml"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert tomllib.loads(tagged)["project"]["version"] == str(version)


def test_copier_yml_names_the_repository_the_cli_renders_from() -> None:
    assert copier_default("sessionwise_repository") == REPOSITORY


def test_every_address_of_the_template_is_the_published_one() -> None:
    owner = REPOSITORY.removeprefix("https://github.com/").split("/")[0]
    files = sorted({path for pattern in ADDRESS_FILES for path in ROOT.glob(pattern)})
    others = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in files
        for match in ADDRESS.finditer(path.read_text())
        if match.group(1) != owner
    ]

    assert len(files) > 20
    assert others == [], f"use {REPOSITORY} (or gh:{owner}/sessionwise)"
