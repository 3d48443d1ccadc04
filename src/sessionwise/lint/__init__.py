"""`sessionwise check`: find SQLAlchemy session pitfalls in FastAPI code, statically."""

import re
from collections.abc import Iterable
from fnmatch import fnmatch
from pathlib import Path

from sessionwise.lint.analysis import FileChecker, Finding, Module, build_index, parse
from sessionwise.lint.config import Config

SKIPPED_FOLDERS = {".venv", "venv", ".git", "node_modules", "__pycache__", "build", "dist"}
IGNORE_COMMENT = re.compile(r"#\s*sessionwise:\s*ignore(?:\[([A-Z0-9,\s]+)\])?")

__all__ = ["Config", "Finding", "check_paths", "python_files"]


def python_files(paths: Iterable[Path], exclude: list[str]) -> list[Path]:
    found = []
    for path in paths:
        candidates = [path] if path.is_file() else sorted(path.rglob("*.py"))
        for candidate in candidates:
            relative = candidate.relative_to(path) if path.is_dir() else candidate
            if SKIPPED_FOLDERS.intersection(relative.parts[:-1]):
                continue
            if excluded(relative, exclude):
                continue
            found.append(candidate)
    return found


def excluded(relative: Path, patterns: list[str]) -> bool:
    """A pattern matches the path below the checked folder, or one folder or file name."""
    names = [relative.as_posix(), *relative.parts]
    return any(fnmatch(name, pattern) for name in names for pattern in patterns)


def suppressed(module: Module, finding: Finding) -> bool:
    """`# sessionwise: ignore` or `# sessionwise: ignore[SW001,SW004]` on the finding's line."""
    if finding.line > len(module.lines):
        return False
    match = IGNORE_COMMENT.search(module.lines[finding.line - 1])
    if match is None:
        return False
    return match.group(1) is None or finding.code in re.split(r"[,\s]+", match.group(1))


def check_paths(paths: Iterable[Path], config: Config | None = None) -> tuple[list[Finding], int]:
    """The findings in every Python file under `paths`, and how many files were checked."""
    config = config or Config()
    files = python_files(paths, config.exclude)
    modules, findings = [], []
    for path in files:
        try:
            modules.append(parse(path))
        except (SyntaxError, ValueError) as error:
            line = getattr(error, "lineno", None) or 1
            findings.append(Finding(path, line, 0, "SW000"))
    index = build_index(modules)
    for module in modules:
        for finding in FileChecker(module, index).run():
            if not suppressed(module, finding):
                findings.append(finding)
    kept = sorted(
        {f for f in findings if config.enabled(f.code)},
        key=lambda f: (str(f.path), f.line, f.col, f.code),
    )
    return kept, len(files)
