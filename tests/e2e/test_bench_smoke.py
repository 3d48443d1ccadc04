"""bench/run.py keeps working: its quick mode renders a service, loads it for two seconds
against the real PostgreSQL server, and writes a sane table, JSON and plot.

The numbers themselves are not checked (no timed tests): only that they were measured and
that the generated service had no errors and returned every connection.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from testing import ROOT
from testing.databases import SERVER_URLS, admin_engine


def require_postgresql() -> None:
    engine = admin_engine("postgresql")
    try:
        with engine.connect():
            pass
    except OperationalError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL at {SERVER_URLS['postgresql']} is not reachable: {error.orig}")
    finally:
        engine.dispose()


def test_bench_smoke_run_writes_a_table_json_and_plot(tmp_path: Path) -> None:
    require_postgresql()

    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--smoke", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "| service | load | req/s |" in completed.stdout
    report = json.loads((tmp_path / "latest.json").read_text())
    assert report["machine"]["cpus"] >= 1
    [result] = report["results"]
    assert result["kind"] == "generated"
    assert result["method"] == "GET"
    assert result["concurrency"] == 10
    assert result["requests"] > 0
    assert result["rps"] > 0
    assert 0 < result["p50_ms"] <= result["p99_ms"]
    assert result["statuses"].get("200", 0) > 0
    assert result["errors"] == 0, result
    assert result["server_errors"] == 0
    assert result["checkouts"] >= result["requests"]
    assert result["hold_avg_ms"] > 0
    assert result["peak_server_connections"] >= 1
    assert result["drain_s"] is not None, "connections were still checked out after the load"
    assert result["checked_out_after_drain_wait"] == 0
    assert any("MET: every connection back" in verdict for verdict in report["verdicts"])
    assert (tmp_path / "latest.png").read_bytes().startswith(b"\x89PNG")
