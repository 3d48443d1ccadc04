"""Backstage's own code, run in Node: pinned npm packages installed outside the repository.

Each folder under testing/backstage/ with a package.json and package-lock.json is one set of pinned
packages. `node_modules(name)` installs it once with `npm ci` into
`${XDG_CACHE_HOME:-~/.cache}/sessionwise/npm/<name>-<hash of both files>/` and reuses it after;
`run_node` runs one of the scripts of testing/backstage/ against it. Without Node or the npm
registry the tests skip, except under CI=true, where they fail.
"""

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest

SCRIPTS = Path(__file__).resolve().parent / "backstage"
NPM_TIMEOUT = 1800


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sessionwise" / "npm"


def unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def node_modules(name: str) -> Path:
    """The installed packages of testing/backstage/<name>/ (installed on first use)."""
    spec = [SCRIPTS / name / "package.json", SCRIPTS / name / "package-lock.json"]
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in spec)).hexdigest()[:12]
    target = cache_root() / f"{name}-{digest}"
    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / f"{target.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another test process may be installing it right now
        if not (target / "node_modules").is_dir():
            install(spec, target)
    return target / "node_modules"


def install(spec: list[Path], target: Path) -> None:
    """`npm ci` in a scratch folder, renamed into place only when it succeeded.

    `--ignore-scripts`: nothing the tests load needs an install script (the copier action's tree
    holds native modules of other Backstage plugins, which would compile for minutes).
    """
    if shutil.which("npm") is None or shutil.which("node") is None:
        unavailable("Node.js and npm are needed to run Backstage's own code; install them")
    scratch = target.with_name(target.name + ".partial")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    for path in spec:
        shutil.copy2(path, scratch / path.name)
    completed = subprocess.run(
        ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=scratch,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=NPM_TIMEOUT,
        check=False,
    )
    if completed.returncode != 0:
        shutil.rmtree(scratch, ignore_errors=True)
        unavailable(f"npm ci of {spec[0]} failed:\n{completed.stderr[-3000:]}")
    scratch.rename(target)


def run_node(
    script: str,
    packages: str,
    request: Any,
    env: dict[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """`node testing/backstage/<script>` with `request` as JSON on stdin, in its own process group
    (ended on timeout, with whatever it started)."""
    environment = {**(env or os.environ), "NODE_PATH": str(node_modules(packages))}
    process = subprocess.Popen(
        ["node", str(SCRIPTS / script)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(json.dumps(request), timeout=timeout)
    except subprocess.TimeoutExpired:
        end_group(process)
        raise
    if process.returncode != 0:
        end_group(process)  # what it started may outlive it (a copier waiting for an answer)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def end_group(process: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def node_json(script: str, packages: str, request: Any) -> Any:
    """The JSON a checking script prints for `request`."""
    completed = run_node(script, packages, request)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)
