"""How fast `sessionwise check` is on a 1,000-module project: the whole project, and one file
alone (as pre-commit runs it) with and without the summary cache, in this process; then the real
command, `sessionwise check FILE` in a new process, as the pre-commit hook runs it (interpreter
and CLI start-up included). Prints a table.

Run: uv run python bench/check_speed.py [--files N] [--rounds R]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sessionwise.lint import check_paths
from sessionwise.lint.cache import CACHE_FOLDER
from testing import ROOT

LINT_TESTS = ROOT / "tests" / "unit"
SOURCES = [
    *sorted((LINT_TESTS / "check_fixtures").glob("*.py")),
    *sorted((LINT_TESTS / "real_world" / "projects").rglob("*.py")),
]


def corpus(folder: Path, files: int) -> Path:
    """A project of `files` modules cycling through the checker's fixtures and real-world
    reproductions (clean and buggy), 50 to a package; returns one module to check alone."""
    (folder / "pyproject.toml").write_text("[project]\nname = 'bench'\n")
    sources = [path.read_text() for path in SOURCES if path.stat().st_size]
    for number in range(files):
        package = folder / f"service_{number // 50:02d}"
        package.mkdir(exist_ok=True)
        (package / f"module_{number:04d}.py").write_text(sources[number % len(sources)])
    return folder / "service_00" / "module_0003.py"


def cpu_seconds() -> float:
    """User and system time of this process and of the child processes it waited for."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def timed(
    run: Callable[[], object], rounds: int, before: Callable[[], None]
) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of each round (CPU time is steadier on a busy machine)."""
    wall, cpu = [], []
    for _ in range(rounds):
        before()
        started, started_cpu = time.perf_counter(), cpu_seconds()
        run()
        wall.append(time.perf_counter() - started)
        cpu.append(cpu_seconds() - started_cpu)
    return wall, cpu


def command(path: Path) -> Callable[[], object]:
    """`sessionwise check PATH`, the installed console script, in a new process."""
    script = Path(sys.executable).with_name("sessionwise")
    executable = str(script) if script.exists() else shutil.which("sessionwise") or "sessionwise"

    def run() -> object:
        return subprocess.run(
            [executable, "check", str(path)], cwd=path.parent, capture_output=True, check=False
        )

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        single = corpus(folder, options.files)
        lines = sum(len(p.read_text().splitlines()) for p in folder.rglob("*.py"))

        def drop_cache() -> None:
            shutil.rmtree(folder / CACHE_FOLDER, ignore_errors=True)

        def keep_cache() -> None:
            check_paths([single])  # fills the cache once, then nothing to do

        os.environ.pop("SESSIONWISE_NO_CACHE", None)
        rows = [
            (
                "whole project, no cache",
                timed(lambda: check_paths([folder]), options.rounds, drop_cache),
            ),
            (
                "whole project, cache filled",
                timed(lambda: check_paths([folder]), options.rounds, keep_cache),
            ),
            (
                "one file, no cache",
                timed(lambda: check_paths([single]), options.rounds, drop_cache),
            ),
            (
                "one file, cache filled",
                timed(lambda: check_paths([single]), options.rounds, keep_cache),
            ),
            (
                "CLI start-up + one file, no cache",
                timed(command(single), options.rounds, drop_cache),
            ),
            (
                "CLI start-up + one file, cache filled",
                timed(command(single), options.rounds, keep_cache),
            ),
        ]
        findings = len(check_paths([folder])[0])
    print(
        f"{options.files} modules, {lines} lines, {findings} findings, {options.rounds} rounds each"
    )
    print()
    print("| run | wall best s | wall median s | CPU best s | CPU median s |")
    print("|---|---:|---:|---:|---:|")
    for name, (wall, cpu) in rows:
        print(
            f"| {name} | {min(wall):.2f} | {statistics.median(wall):.2f}"
            f" | {min(cpu):.2f} | {statistics.median(cpu):.2f} |"
        )


if __name__ == "__main__":
    main()
