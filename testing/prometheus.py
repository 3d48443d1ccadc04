"""A real Prometheus server (Debian's `prometheus` package) scraping a served project, for the
tests that read its metrics as operators do: through PromQL on Prometheus's HTTP API."""

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from testing.pgbouncer import free_port
from testing.processes import stop

INSTALL_HINT = (
    "Prometheus is not installed: install the `prometheus` package (Debian/Ubuntu: "
    "apt-get install prometheus; scripts/bootstrap.sh does it when run as root)"
)


def binary(name: str) -> str:
    """`prometheus` or `promtool`; the test is skipped without it, except under CI=true."""
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(INSTALL_HINT)
        pytest.skip(INSTALL_HINT)
    return found


class Prometheus:
    def __init__(self, port: int, process: subprocess.Popen[bytes], log: Any) -> None:
        self.port, self.process, self.log = port, process, log

    def api(self, path: str, **params: str) -> Any:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        url = f"http://127.0.0.1:{self.port}/api/v1/{path}{query}"
        with urllib.request.urlopen(url, timeout=10) as response:
            body = json.load(response)
        assert body["status"] == "success", body
        return body["data"]

    def query(self, promql: str) -> float | None:
        """The value of a query with one result (None: no result)."""
        results = self.api("query", query=promql)["result"]
        assert len(results) <= 1, results
        return float(results[0]["value"][1]) if results else None

    def wait_for(self, promql: str, wanted: float, timeout: float = 15) -> float | None:
        """Polls a query until it gives `wanted`; returns its last answer."""
        deadline = time.monotonic() + timeout
        while True:
            answer = self.query(promql)
            if answer == wanted or time.monotonic() > deadline:
                return answer
            time.sleep(0.25)

    def output(self) -> str:
        self.log.seek(0)
        return str(self.log.read().decode(errors="replace"))


@contextmanager
def scraping(target_port: int, rule_files: list[Path]) -> Iterator[Prometheus]:
    """Prometheus on a free 127.0.0.1 port, scraping 127.0.0.1:`target_port`/metrics every
    second with the given rules, its storage in a temporary directory; stopped afterwards."""
    executable = binary("prometheus")
    with tempfile.TemporaryDirectory(prefix="prometheus-") as folder:
        config = Path(folder) / "prometheus.yml"
        config.write_text(
            yaml.safe_dump(
                {
                    "global": {
                        "scrape_interval": "1s",
                        "scrape_timeout": "1s",
                        "evaluation_interval": "1s",
                    },
                    "rule_files": [str(path) for path in rule_files],
                    "scrape_configs": [
                        {
                            "job_name": "service",
                            "static_configs": [{"targets": [f"127.0.0.1:{target_port}"]}],
                        }
                    ],
                }
            )
        )
        port = free_port()
        log = tempfile.TemporaryFile()  # noqa: SIM115 (closed below)
        command = [
            executable,
            f"--config.file={config}",
            f"--storage.tsdb.path={Path(folder) / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ]
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        server = Prometheus(port, process, log)
        try:
            deadline = time.monotonic() + 30
            while True:
                assert process.poll() is None, f"Prometheus exited:\n{server.output()}"
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=1):
                        break
                except OSError:
                    assert time.monotonic() < deadline, f"not ready:\n{server.output()}"
                    time.sleep(0.1)
            yield server
        finally:
            stop(process)
            log.close()
