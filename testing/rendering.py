"""Rendering the template as a user does: `copier copy` in its own process, and comparing trees."""

import filecmp
import subprocess
import sys
from pathlib import Path

from testing import ROOT

TEMPLATE = ROOT


def copier_copy(
    destination: Path, *data: str, template: Path = TEMPLATE
) -> subprocess.CompletedProcess[str]:
    """`copier copy --defaults` as a user or a CI job runs it: no prompt, no --trust."""
    arguments = [arg for pair in data for arg in ("--data", pair)]
    return subprocess.run(
        [
            *(sys.executable, "-m", "copier", "copy", "--defaults", "--vcs-ref", "HEAD"),
            *arguments,
            str(template),
            str(destination),
        ],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


def same_tree(left: Path, right: Path) -> bool:
    comparison = filecmp.dircmp(left, right)
    if comparison.left_only or comparison.right_only or comparison.diff_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(left, right, comparison.common_files, shallow=False)
    return (
        not mismatch
        and not errors
        and all(same_tree(left / sub, right / sub) for sub in comparison.common_dirs)
    )
