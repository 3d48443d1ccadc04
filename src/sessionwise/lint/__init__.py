"""`sessionwise check`: find SQLAlchemy session pitfalls in FastAPI code, statically.

Every run indexes the whole project the checked files belong to (the folder above them with
a pyproject.toml or .git), so a file checked alone, as pre-commit does, gets the same findings
as in a run over the project.

This package is the engine: `check_paths` (here), `findings`, `config`, `cache`, `report`
(text, JSON, SARIF) and `fixes` (applies the findings' edits with libcst). It reads code with
`syntax/`, knows the project through `model/`, and runs `rules/` (one file per rule; what a
rule is: `rule`).
"""

import re
from collections.abc import Iterable
from pathlib import Path

from sessionwise.lint.cache import SummaryCache
from sessionwise.lint.config import Config
from sessionwise.lint.findings import SAFE, UNSAFE, Finding
from sessionwise.lint.model.context import FileContext
from sessionwise.lint.model.pins import pinned_fastapi
from sessionwise.lint.model.project import find_root, module_name, python_files
from sessionwise.lint.model.resolve import build
from sessionwise.lint.model.summary import ModuleSummary, summarize
from sessionwise.lint.rules import CHECKS
from sessionwise.lint.syntax.parse import ParseFailure, parse_source

IGNORE_COMMENT = re.compile(r"#\s*sessionwise:\s*ignore(?:\[([A-Z0-9,\s]+)\])?")

__all__ = ["Config", "Finding", "applies", "check_paths", "fix_findings", "python_files"]


def suppressed(lines: list[str], finding: Finding) -> bool:
    """`# sessionwise: ignore` or `# sessionwise: ignore[SW001,SW004]` on the finding's line."""
    if finding.line > len(lines):
        return False
    match = IGNORE_COMMENT.search(lines[finding.line - 1])
    if match is None:
        return False
    return match.group(1) is None or finding.code in re.split(r"[,\s]+", match.group(1))


def pin_folders(paths: list[Path], root: Path | None) -> list[Path]:
    """From the first checked path's folder up to the project root (where the pins are)."""
    if not paths:
        return []
    start = paths[0].resolve()
    start = start if start.is_dir() else start.parent
    folders = [start]
    for folder in start.parents:
        if root is None or not folder.is_relative_to(root.resolve()):
            break
        folders.append(folder)
    return folders


def check_paths(paths: Iterable[Path], config: Config | None = None) -> tuple[list[Finding], int]:
    """The findings in every Python file under `paths`, and how many files were checked."""
    config = config or Config()
    paths = list(paths)
    checked = python_files(paths, config.exclude)
    root = find_root(paths)
    naming_root = root or (paths[0] if paths and paths[0].is_dir() else Path.cwd())
    project = python_files([root]) if root is not None else checked
    checked_set = {path.resolve() for path in checked}

    cache = SummaryCache(root)
    summaries: dict[Path, ModuleSummary] = {}
    trees = {}
    findings: list[Finding] = []
    naming_root = naming_root.resolve()
    for resolved, path in {p.resolve(): p for p in [*project, *checked]}.items():
        name, is_package = module_name(resolved, naming_root)
        is_checked = resolved in checked_set
        cached = cache.get(path, name) if not is_checked else False
        if cached is not False:
            if cached is not None:
                summaries[resolved] = cached  # type: ignore[assignment]
            continue
        source = path.read_text(encoding="utf-8", errors="replace")
        try:
            tree = parse_source(source, str(path))
        except ParseFailure as failure:
            if is_checked:
                findings.append(Finding(path, failure.line, 0, "SW000", detail=str(failure)))
            cache.put(path, None)
            continue
        summary = summarize(tree, name, is_package)
        cache.put(path, summary)
        summaries[resolved] = summary
        if is_checked:
            trees[path] = (resolved, tree, source.splitlines())
    cache.save()

    index, resolver = build(list(summaries.values()))
    index.paths = {summary.name: path for path, summary in summaries.items()}
    index.fastapi = pinned_fastapi(pin_folders(paths, root))
    for path, (resolved, tree, lines) in trees.items():
        context = FileContext(path, tree, summaries[resolved], index, resolver)
        for check in CHECKS:
            for finding in check(context):
                if not suppressed(lines, finding):
                    findings.append(finding)
    kept = sorted(
        {f for f in findings if config.enabled(f.code)},
        key=lambda f: (str(f.path), f.line, f.col, f.code),
    )
    return kept, len(checked)


def applies(finding: Finding, config: Config, unsafe: bool) -> bool:
    """`--fix` applies this finding's fix (`--unsafe-fixes` given or not)."""
    fix = finding.fix
    if fix is None or not fix.edits or not config.may_fix(finding.code):
        return False
    return fix.applicability == SAFE or (unsafe and fix.applicability == UNSAFE)


def fix_findings(
    findings: list[Finding], config: Config, unsafe: bool
) -> tuple[list[Finding], dict[Path, tuple[str, str]]]:
    """The findings whose fixes apply, and each file they change: (source, fixed source).
    Nothing is written."""
    from sessionwise.lint.fixes import fixed_files  # libcst: only when fixing

    chosen = [finding for finding in findings if applies(finding, config, unsafe)]
    results = fixed_files(edit for finding in chosen for edit in finding.fix.edits)  # type: ignore[union-attr]
    applied = set().union(*(done for _, _, done in results.values()))
    fixed = [f for f in chosen if set(f.fix.edits) <= applied]  # type: ignore[union-attr]
    changed = {
        path: (before, after) for path, (before, after, _) in results.items() if before != after
    }
    return fixed, changed
