"""The project a checked file belongs to: its root, its Python files, its module names."""

import os
from collections.abc import Iterable, Sequence
from fnmatch import fnmatch
from pathlib import Path

ROOT_MARKERS = ("pyproject.toml", ".git")
SKIPPED_FOLDERS = {
    ".venv",
    "venv",
    ".git",
    "node_modules",
    "__pycache__",
    "build",
    "dist",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".sessionwise_cache",
}


def find_root(paths: list[Path]) -> Path | None:
    """The nearest folder above the first path with a pyproject.toml or a .git."""
    if not paths:
        return None
    start = paths[0].resolve()
    for folder in [start] if start.is_dir() else []:
        if any((folder / marker).exists() for marker in ROOT_MARKERS):
            return folder
    for folder in start.parents:
        if any((folder / marker).exists() for marker in ROOT_MARKERS):
            return folder
    return None


def python_files(paths: Iterable[Path], exclude: Sequence[str] = ()) -> list[Path]:
    """The .py files named or under `paths`, without virtual environments, caches, builds,
    or what `exclude` matches."""
    found = []
    for path in paths:
        candidates = [path] if path.is_file() else walk(path)
        for candidate in candidates:
            relative = candidate.relative_to(path) if path.is_dir() else candidate
            if not excluded(relative, list(exclude)):
                found.append(candidate)
    return found


def walk(folder: Path) -> list[Path]:
    """The .py files under `folder`, never entering a skipped folder (a `.venv` can hold
    thousands of files)."""
    found = []
    for current, folders, files in os.walk(folder):
        folders[:] = sorted(name for name in folders if name not in SKIPPED_FOLDERS)
        found += [Path(current, name) for name in sorted(files) if name.endswith(".py")]
    return found


def excluded(relative: Path, patterns: list[str]) -> bool:
    """A pattern matches the path below the checked folder, or one folder or file name."""
    names = [relative.as_posix(), *relative.parts]
    return any(fnmatch(name, pattern) for name in names for pattern in patterns)


def module_name(path: Path, root: Path) -> tuple[str, bool]:
    """`src/app/db.py` -> ("app.db", False); `app/__init__.py` -> ("app", True). Both paths
    are resolved (absolute)."""
    try:
        parts = list(path.relative_to(root).with_suffix("").parts)
    except ValueError:
        parts = [path.stem]
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    if len(parts) > 1 and parts[0] == "src":
        parts = parts[1:]
    return ".".join(parts) or path.parent.name, is_package
