"""How fast `sessionwise check` is: 1,000 FastAPI modules, a few rounds, a table.

Run: uv run python bench/check_speed.py [--files N] [--rounds R]
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sessionwise.lint import check_paths

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "check_fixtures"


def corpus(folder: Path, files: int) -> None:
    """`files` modules, cycling through the fixture corpus (clean and buggy) in packages."""
    sources = [path.read_text() for path in sorted(FIXTURES.glob("*.py"))]
    for number in range(files):
        package = folder / f"service_{number // 50:02d}"
        package.mkdir(exist_ok=True)
        (package / f"module_{number:04d}.py").write_text(sources[number % len(sources)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        corpus(folder, options.files)
        lines = sum(len(p.read_text().splitlines()) for p in folder.rglob("*.py"))
        seconds, findings = [], 0
        for _ in range(options.rounds):
            started = time.perf_counter()
            found, checked = check_paths([folder])
            seconds.append(time.perf_counter() - started)
            findings = len(found)
    best, median = min(seconds), statistics.median(seconds)
    print("| files | lines | findings | best s | median s | files/s (best) |")
    print("|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {checked} | {lines} | {findings} | {best:.2f} | {median:.2f} | {checked / best:,.0f} |"
    )


if __name__ == "__main__":
    main()
