"""Output formats of `sessionwise check`: text (like ruff), JSON, and SARIF 2.1.0.

Every finding carries its fix: how safe it is to apply, what to do, and (JSON and SARIF) the
edits `--fix` would make, as whole-line replacements.
"""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sessionwise.lint.findings import DISPLAY_ONLY, SAFE, UNSAFE, Finding
from sessionwise.lint.rules import RULES

Applies = Callable[[Finding], bool]  # `--fix` (with the options given) applies its fix

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/sessionwise/sessionwise"


def relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def edits(finding: Finding, root: Path) -> list[dict[str, Any]]:
    if finding.fix is None or not finding.fix.edits:
        return []
    from sessionwise.lint.fixes import preview  # libcst: only for reports that show edits

    return preview(finding.fix.edits, root)


def as_dict(finding: Finding, root: Path, with_edits: bool = True) -> dict[str, Any]:
    """As ruff's JSON: `fix` has the applicability, a message and the edits (each replaces
    the lines from `location` up to, not including, `end_location` with `content`)."""
    rule = RULES[finding.code]
    return {
        "path": relative(finding.path, root),
        "line": finding.line,
        "column": finding.col + 1,
        "code": finding.code,
        "message": finding.message,
        "fix": {
            "applicability": finding.applicability or DISPLAY_ONLY,
            "message": rule.fix,
            "edits": [
                {
                    "path": edit["path"],
                    "location": {"row": edit["first"], "column": 1},
                    "end_location": {"row": edit["end"], "column": 1},
                    "content": edit["content"],
                }
                for edit in (edits(finding, root) if with_edits else [])
            ],
        },
        "url": rule.url,
    }


def text(
    findings: list[Finding],
    files: int,
    root: Path,
    applies: Applies = lambda finding: False,
    fixed: int | None = None,
) -> str:
    """`fixed`: how many findings `--fix` repaired (None: it did not run)."""
    lines = []
    for finding in findings:
        item = as_dict(finding, root, with_edits=False)
        marker = "[*] " if applies(finding) else ""
        lines.append(
            f"{item['path']}:{item['line']}:{item['column']}: {item['code']} {marker}"
            f"{item['message']}"
        )
        applicability = item["fix"]["applicability"]
        lines.append(f"    fix ({applicability}): {item['fix']['message']}")
        lines.append(f"    see: {item['url']}")
    if findings:
        touched = len({f.path for f in findings})
        done = f" ({fixed} fixed, {len(findings)} remaining)" if fixed else ""
        lines.append(f"Found {len(findings)} finding(s) in {touched} of {files} file(s){done}.")
        lines.extend(fix_hint(findings, applies))
    elif fixed:
        lines.append(f"Found {fixed} finding(s) ({fixed} fixed, 0 remaining).")
    else:
        lines.append(f"All checks passed ({files} file(s)).")
    return "\n".join(lines)


def fix_hint(findings: list[Finding], applies: Applies) -> list[str]:
    """As ruff: how many `--fix` would repair, and how many more `--unsafe-fixes` would."""
    fixable = sum(1 for f in findings if applies(f))
    hidden = sum(
        1
        for f in findings
        if not applies(f) and f.applicability == UNSAFE and f.fix and f.fix.edits
    )
    hint = f"({hidden} hidden fix(es) can be enabled with the `--unsafe-fixes` option)"
    if fixable:
        return [
            f"[*] {fixable} fixable with the `--fix` option" + (f" {hint}" if hidden else "") + "."
        ]
    if hidden:
        return [f"No fixes available {hint}."]
    return []


def json_report(findings: list[Finding], root: Path) -> str:
    return json.dumps([as_dict(finding, root) for finding in findings], indent=2)


def sarif_fixes(finding: Finding, root: Path) -> list[dict[str, Any]]:
    """SARIF 2.1.0 `fixes` (section 3.55): for safe and unsafe fixes, the replacements;
    whole lines, each region from column 1 of its first line to column 1 of the next."""
    if finding.applicability not in {SAFE, UNSAFE}:
        return []
    by_path: dict[str, list[dict[str, Any]]] = {}
    for edit in edits(finding, root):
        by_path.setdefault(edit["path"], []).append(
            {
                "deletedRegion": {
                    "startLine": edit["first"],
                    "startColumn": 1,
                    "endLine": edit["end"],
                    "endColumn": 1,
                },
                "insertedContent": {"text": edit["content"]},
            }
        )
    if not by_path:
        return []
    return [
        {
            "description": {"text": f"{RULES[finding.code].fix} ({finding.applicability} fix)"},
            "artifactChanges": [
                {"artifactLocation": {"uri": path}, "replacements": replacements}
                for path, replacements in by_path.items()
            ],
        }
    ]


def sarif(findings: list[Finding], root: Path) -> str:
    used = sorted({finding.code for finding in findings} | set(RULES) - {"SW000"})
    rules = [
        {
            "id": code,
            "name": RULES[code].name,
            "shortDescription": {"text": RULES[code].message},
            "fullDescription": {"text": f"{RULES[code].message}. Fix: {RULES[code].fix}."},
            "helpUri": RULES[code].url,
            "help": {"text": RULES[code].fix},
        }
        for code in used
    ]
    results = [
        {
            "ruleId": finding.code,
            "ruleIndex": used.index(finding.code),
            "level": "error",
            "message": {"text": finding.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": relative(finding.path, root)},
                        "region": {"startLine": finding.line, "startColumn": finding.col + 1},
                    }
                }
            ],
            "properties": {"fixApplicability": finding.applicability or DISPLAY_ONLY},
            **({"fixes": fixes} if (fixes := sarif_fixes(finding, root)) else {}),
        }
        for finding in findings
    ]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "sessionwise",
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2)
