"""npm packages the tests run, at pinned versions, installed once into a cache folder outside
the repository (`$XDG_CACHE_HOME/sessionwise/npm`) and reused by later runs."""

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sessionwise" / "npm"


def require_node() -> None:
    """Skip without Node and npm, except under CI=true, where their absence is a failure."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        message = f"{' and '.join(missing)} not found: install Node.js 20 or newer"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def node_modules(packages: dict[str, str]) -> Path:
    """A node_modules folder holding `packages` (name -> exact version), installing it once."""
    require_node()
    key = hashlib.sha1(json.dumps(packages, sort_keys=True).encode()).hexdigest()[:12]
    folder = CACHE / key
    folder.mkdir(parents=True, exist_ok=True)
    with (CACHE / f"{key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel test workers install it once
        if not (folder / "installed").exists():
            manifest = {"private": True, "dependencies": packages}
            (folder / "package.json").write_text(json.dumps(manifest, indent=2))
            subprocess.run(
                ["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--silent"],
                cwd=folder,
                check=True,
                timeout=900,
            )
            (folder / "installed").touch()
    return folder / "node_modules"
