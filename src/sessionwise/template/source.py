"""Where the template comes from: this CLI's version, its published repository, and the
template files (copier.yml) that the CLI reads itself.

Installed from a wheel, `sessionwise new` renders the published repository at the tag of its
own version, and reads the copy of copier.yml packaged with it. Run from a development
checkout (an editable install), it renders that checkout at HEAD and reads its copier.yml.
"""

import os
from dataclasses import dataclass
from importlib import metadata, resources
from importlib.resources.abc import Traversable
from pathlib import Path

# The published template; the catalogs, copier.yml's `sessionwise_repository` and the docs use
# this address too (tests/unit/test_release.py checks that they agree).
REPOSITORY = "https://github.com/sessionwise/sessionwise"
VERSION = metadata.version("sessionwise")
RELEASE_TAG = f"v{VERSION}"
ENVIRONMENT_VARIABLE = "SESSIONWISE_TEMPLATE"
# Address forms that copier clones with git; anything else it takes for a local folder.
GIT_PREFIXES = (
    "gh:",
    "gl:",
    "git@",
    "git+",
    "git://",
    "https://github.com/",
    "https://gitlab.com/",
)
CLONE_HINT = (
    f"clone the template where you can reach it (git clone {REPOSITORY}) and pass "
    f"--template /path/to/the/clone, or set {ENVIRONMENT_VARIABLE} to it"
)


class SourceError(Exception):
    """A template source that cannot be rendered: the message says what to give instead."""


def checkout_root() -> Path | None:
    """The development checkout this package runs from, or None when it is installed.

    Decided by where the package's own files are (src/sessionwise inside a git work tree whose
    root holds copier.yml and template/), never by the current directory.
    """
    root = Path(__file__).resolve().parents[3]
    is_checkout = (
        (root / ".git").exists()
        and (root / "copier.yml").is_file()
        and (root / "template").is_dir()
        and Path(__file__).resolve().parent.parent == root / "src" / "sessionwise"
    )
    return root if is_checkout else None


def template_file(name: str) -> Traversable:
    """A file of the template as this CLI knows it: the checkout's own, else the packaged copy
    (the wheel's build force-includes it from the repository, see pyproject.toml)."""
    root = checkout_root()
    return root / name if root is not None else resources.files("sessionwise") / name


def is_git_address(location: str) -> bool:
    return location.startswith(GIT_PREFIXES) or location.endswith(".git")


@dataclass(frozen=True)
class TemplateSource:
    """What `copier copy` is given: a folder or a git address, and the version to render."""

    location: str
    ref: str | None  # None: copier takes the newest tag
    origin: str  # how it was chosen, for messages

    def describe(self) -> str:
        version = f"at {self.ref}" if self.ref else "at its newest tag"
        return f"{self.location} {version} ({self.origin})"

    def given(self) -> str:
        """The source as the user gave it, e.g. `--template X` or `SESSIONWISE_TEMPLATE=X`."""
        separator = "=" if self.origin == ENVIRONMENT_VARIABLE else " "
        return f"{self.origin}{separator}{self.location}"

    def check(self) -> None:
        """Refuse, before anything is written, a source that is not a template."""
        if is_git_address(self.location):
            return
        if "://" in self.location:
            raise SourceError(
                f"{self.given()}: copier reads only git addresses that end in "
                f".git (or start with git+), e.g. {self.location.rstrip('/')}.git"
            )
        folder = Path(self.location)
        if not folder.is_dir():
            raise SourceError(
                f"{self.given()}: no such folder. Give a clone of the template "
                f"(git clone {REPOSITORY}) or a git address."
            )
        if not any((folder / name).is_file() for name in ("copier.yml", "copier.yaml")):
            raise SourceError(
                f"{self.given()} is not a copier template: it has no copier.yml. "
                f"Point it at a clone of the sessionwise template (git clone {REPOSITORY})."
            )


def explicit(location: str, ref: str | None, origin: str) -> TemplateSource:
    if not is_git_address(location) and "://" not in location:
        # Absolute, because copier records the source as given and `update` reads it back.
        location = str(Path(location).expanduser().resolve())
    return TemplateSource(location, ref, origin)


def template_source(template: str | None = None, vcs_ref: str | None = None) -> TemplateSource:
    """--template, else $SESSIONWISE_TEMPLATE, else this checkout at HEAD, else the published
    repository at this version's tag. An explicit source renders its newest tag unless
    --vcs-ref says otherwise."""
    from_environment = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if template:
        return explicit(template, vcs_ref, "--template")
    if from_environment:
        return explicit(from_environment, vcs_ref, ENVIRONMENT_VARIABLE)
    root = checkout_root()
    if root is not None:
        return TemplateSource(str(root), vcs_ref or "HEAD", "this development checkout")
    return TemplateSource(
        REPOSITORY, vcs_ref or RELEASE_TAG, f"the release of sessionwise {VERSION}"
    )
