"""What leak detection and the pool's metrics cost per connection checkout, on their own.

    uv run python bench/pool_watch_cost.py

bench/run.py compares whole services with the pool watch on and off under load, but on a
shared machine its req/s move by more than the few percent asked for. This measures the cost
where it is paid: a rendered SQLite service (sync and async) checks a connection out of its
pool and back in, many times, in a fresh process each with LEAK_DETECTION_THRESHOLD and
METRICS_ENABLED on or off, interleaved; the fastest of several rounds is kept (contention
only ever adds time). Prints a markdown table.
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from services import project_environment, render, template_snapshot

CYCLES = 3000
ROUNDS = 7

MEASURE = {
    "sync": """
import time
from sqlalchemy import text
from my_service.db import engine

with engine.connect() as connection:
    connection.execute(text("SELECT 1"))
best = float("inf")
for _ in range({rounds}):
    started = time.perf_counter()
    for _ in range({cycles}):
        with engine.connect():
            pass
    best = min(best, (time.perf_counter() - started) / {cycles})
print(best * 1e6)
""",
    "async": """
import asyncio
import time
from sqlalchemy import text
from my_service.db import engine


async def main() -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
    best = float("inf")
    for _ in range({rounds}):
        started = time.perf_counter()
        for _ in range({cycles}):
            async with engine.connect():
                pass
        best = min(best, (time.perf_counter() - started) / {cycles})
    print(best * 1e6)
    await engine.dispose()


asyncio.run(main())
""",
}
STATES = {
    "on": {"LEAK_DETECTION_THRESHOLD": "30", "METRICS_ENABLED": "true"},
    "off": {"LEAK_DETECTION_THRESHOLD": "0", "METRICS_ENABLED": "false"},
}


def microseconds(project: Path, mode: str, state: str, database: Path) -> float:
    env = project_environment(project, f"sqlite:///{database}", **STATES[state])
    if mode == "async":
        env["DATABASE_URL"] = f"sqlite+aiosqlite:///{database}"
    code = MEASURE[mode].format(rounds=ROUNDS, cycles=CYCLES)
    completed = subprocess.run(
        [sys.executable, "-c", code],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return float(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3, help="on/off pairs per mode")
    options = parser.parse_args()
    print("| mode | pool watch on, µs per checkout + checkin | off | cost, µs |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="sessionwise-watch-") as folder:
        workdir = Path(folder)
        snapshot = template_snapshot(workdir / "template")
        for mode, driver in (("sync", "pysqlite"), ("async", "aiosqlite")):
            answers = {"mode": mode, "database": "sqlite", "driver": driver}
            project = render(snapshot, workdir / mode, answers)
            database = workdir / f"{mode}.db"
            best = {"on": float("inf"), "off": float("inf")}
            for _ in range(options.repeat):
                for state in ("on", "off"):
                    best[state] = min(best[state], microseconds(project, mode, state, database))
            cost = best["on"] - best["off"]
            print(f"| {mode} | {best['on']:.1f} | {best['off']:.1f} | {cost:.1f} |", flush=True)


if __name__ == "__main__":
    main()
