"""Rendering the template as a user does (`copier copy` in its own process), comparing trees,
and sharing one render of each set of answers among the test workers."""

import filecmp
import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from testing import ROOT
from testing.locks import exclusive

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


def render_shared(
    store: Path, answers: dict[str, Any], render: Callable[[], Path], copy_to: Path
) -> Path:
    """The render for `answers`, made once for every test worker: the first to ask renders
    it and keeps a copy in `store`, the others (waiting meanwhile) copy that one to `copy_to`.
    Each worker so has a render of its own to run tools in."""
    key = hashlib.sha256(json.dumps(answers, sort_keys=True).encode()).hexdigest()[:16]
    kept = store / key
    store.mkdir(parents=True, exist_ok=True)
    with exclusive(store / f"{key}.lock"):
        if not kept.exists():
            rendered = render()
            # Whole or not at all: a copy cut short must not be taken for the render.
            partial = shutil.copytree(rendered, store / f"{key}.partial", symlinks=True)
            Path(partial).rename(kept)
            return rendered
    return Path(shutil.copytree(kept, copy_to, symlinks=True))
