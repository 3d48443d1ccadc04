"""Output formats of `sessionwise check`: text (like ruff), JSON, and SARIF 2.1.0."""

import json
from pathlib import Path
from typing import Any

from sessionwise.lint.findings import Finding
from sessionwise.lint.rules import RULES

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/sessionwise/sessionwise"


def relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def as_dict(finding: Finding, root: Path) -> dict[str, Any]:
    rule = RULES[finding.code]
    return {
        "path": relative(finding.path, root),
        "line": finding.line,
        "column": finding.col + 1,
        "code": finding.code,
        "message": finding.message,
        "fix": rule.fix,
        "url": rule.url,
    }


def text(findings: list[Finding], files: int, root: Path) -> str:
    lines = []
    for finding in findings:
        item = as_dict(finding, root)
        lines.append(
            f"{item['path']}:{item['line']}:{item['column']}: {item['code']} {item['message']}"
        )
        lines.append(f"    fix: {item['fix']}")
        lines.append(f"    see: {item['url']}")
    if findings:
        touched = len({f.path for f in findings})
        lines.append(f"Found {len(findings)} finding(s) in {touched} of {files} file(s).")
    else:
        lines.append(f"All checks passed ({files} file(s)).")
    return "\n".join(lines)


def json_report(findings: list[Finding], root: Path) -> str:
    return json.dumps([as_dict(finding, root) for finding in findings], indent=2)


def sarif(findings: list[Finding], root: Path) -> str:
    used = sorted({finding.code for finding in findings} | set(RULES) - {"SW000"})
    rules = [
        {
            "id": code,
            "name": RULES[code].slug,
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
