"""Rendered services built into images and run in containers, by a real Docker daemon of the
tests' own (no bridge network, no registry: testing/containers.py), against this machine's
PostgreSQL and MariaDB on 127.0.0.1, and brought up with their compose.yaml."""

import io
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from testing.answer_matrix import ANSWER_MATRIX, answers, combo_id
from testing.containers import (
    BASE_IMAGE,
    CA_BUNDLE,
    INSTALL_HINT,
    Docker,
    base_rootfs_tarball,
    import_base_image,
    missing_requirement,
    pem_blocks,
    running_dockerd,
    tool,
)
from testing.databases import DatabaseFor
from testing.projects import Render
from testing.services import free_port, http_json

RENDERS = [
    answers("sync", "sqlite", "pysqlite"),
    answers("async", "postgresql", "asyncpg"),
    answers("sync", "mysql", "pymysql"),
]
SQLITE_IN_CONTAINER = "sqlite:////app/data/my_service.db"


@pytest.fixture(scope="session")
def docker(run_folder: Path) -> Iterator[Docker]:
    """The tests' own daemon, with the debootstrap base image imported.
    SESSIONWISE_BASE_ROOTFS names a root file system tarball made earlier, to skip making it."""
    reason = missing_requirement()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    # xdist workers share the run's folder, and so one base file system.
    tarball = Path(os.environ.get("SESSIONWISE_BASE_ROOTFS") or base_rootfs_tarball(run_folder))
    with running_dockerd(Path(tempfile.mkdtemp(prefix="swd-"))) as running:
        import_base_image(running, tarball)
        yield running


def lock(project: Path) -> None:
    """The lockfile the image is built from (a real project commits its uv.lock)."""
    uv = os.environ.get("UV") or shutil.which("uv") or str(Path.home() / ".local/bin/uv")
    subprocess.run([uv, "lock", "--quiet"], cwd=project, check=True, timeout=300)


def build(docker: Docker, project: Path, tag: str, *options: str) -> None:
    docker.run(
        "build",
        *options,
        "--network",
        "host",
        "--build-arg",
        f"BASE={BASE_IMAGE}",
        "--secret",
        f"id=ca_bundle,src={CA_BUNDLE}",
        "-t",
        tag,
        str(project),
        timeout=600,
    )


def wait_healthy(docker: Docker, container: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        status = docker.text("inspect", "-f", "{{.State.Health.Status}}", container)
        if status == "healthy":
            return
        if time.monotonic() > deadline:
            logs = docker.run("logs", container, check=False)
            raise AssertionError(
                f"{container} is {status}, not healthy:\n"
                + (logs.stdout + logs.stderr).decode(errors="replace")[-4000:]
            )
        time.sleep(0.5)


def serves_items(port: int) -> None:
    assert http_json(port, "GET", "/health")[:2] == (200, {"status": "ok"})
    status, ready, _ = http_json(port, "GET", "/ready")
    assert (status, ready["status"]) == (200, "ready")
    status, created, _ = http_json(port, "POST", "/items", {"name": f"boxed-{port}"})
    assert status == 201, created
    status, read, _ = http_json(port, "GET", f"/items/{created['id']}")
    assert (status, read["name"]) == (200, f"boxed-{port}")


def image_files(docker: Docker, tag: str) -> Iterator[tuple[str, bytes]]:
    """Every regular file of the image's file system, with its contents."""
    container = docker.text("create", tag)
    try:
        exported = docker.run("export", container, timeout=300).stdout
    finally:
        docker.run("rm", container)
    with tarfile.open(fileobj=io.BytesIO(exported)) as archive:
        for member in archive:
            if member.isfile():
                stream = archive.extractfile(member)
                assert stream is not None
                yield member.name, stream.read()


@pytest.mark.parametrize("answers", RENDERS, ids=combo_id)
def test_rendered_service_runs_in_its_container_and_under_compose(
    docker: Docker,
    render: Render,
    database_for: DatabaseFor,
    tmp_path: Path,
    answers: dict[str, Any],
) -> None:
    project = shutil.copytree(render(answers), tmp_path / "project")
    url = database_for(project) or SQLITE_IN_CONTAINER
    secret = f"secret-{uuid.uuid4().hex}"
    # Local settings with a credential: .dockerignore must keep them out of the image.
    (project / ".env").write_text(f"DB_PASSWORD={secret}\nPOOL_SIZE=3\n")
    lock(project)
    tag = f"sw-{combo_id(answers)}"
    build(docker, project, tag)
    # The build stage (from the cache: no new build) got the context without .env.
    build(docker, project, f"{tag}-build", "--target", "build")
    context = docker.text("run", "--rm", "--network", "none", f"{tag}-build", "ls", "-A", "/app")
    host_network = ["--network", "host", "--pull", "never", "-e", f"DATABASE_URL={url}"]
    volume = f"sw-data-{uuid.uuid4().hex[:8]}"
    if url == SQLITE_IN_CONTAINER:  # the migrations and the service share the file
        host_network += ["--volume", f"{volume}:/app/data"]

    migrated = docker.run("run", "--rm", *host_network, tag, "alembic", "upgrade", "head")
    port = free_port()
    container = docker.text(
        "run",
        "--detach",
        *host_network,
        "--health-interval",
        "1s",
        "-e",
        "UVICORN_HOST=127.0.0.1",
        "-e",
        f"UVICORN_PORT={port}",
        "-e",
        "WEB_CONCURRENCY=2",
        tag,
    )
    try:
        wait_healthy(docker, container)
        serves_items(port)
        status = docker.text("exec", container, "cat", "/proc/1/status")
        logs = docker.run("logs", container)
    finally:
        docker.run("rm", "--force", container)
        docker.run("volume", "rm", "--force", volume)

    assert ".env" not in context.split() and "pyproject.toml" in context.split()
    assert b"Running upgrade" in migrated.stderr + migrated.stdout
    assert (logs.stdout + logs.stderr).count(b"Started server process") == 2  # the workers
    uids = next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1:]
    assert "0" not in uids, status
    assert docker.text("inspect", "-f", "{{.Config.User}}", tag) == "app"
    config = docker.text("inspect", "-f", "{{json .Config}}", tag)
    assert "DATABASE_URL" not in config and secret not in config

    proxy_certificates = pem_blocks(CA_BUNDLE.read_text()) - pem_blocks(
        docker.text("run", "--rm", "--network", "none", BASE_IMAGE, "cat", str(CA_BUNDLE))
    )
    assert proxy_certificates, "the host's bundle adds no certificate: nothing to look for"

    def leaks(name: str, data: bytes) -> bool:
        if secret.encode() in data or name.endswith("ca_bundle"):
            return True
        return b"BEGIN CERTIFICATE" in data and bool(
            pem_blocks(data.decode(errors="replace")) & proxy_certificates
        )

    assert [name for name, data in image_files(docker, tag) if leaks(name, data)] == []

    compose_brings_up_migrate_then_app(
        docker, project, tag, url if url != SQLITE_IN_CONTAINER else None
    )


def compose_brings_up_migrate_then_app(
    docker: Docker, project: Path, tag: str, url: str | None
) -> None:
    """compose.yaml validated by docker-compose, its migrate and app services brought up."""
    config = docker.compose(project, "config")
    assert config.returncode == 0, config.stderr
    port = free_port()
    # The services as compose.yaml defines them (compose merges what it reads), on the host's
    # network (where published ports mean nothing) and this machine's database.
    on_host = yaml.safe_load(config.stdout)
    for name, service in on_host["services"].items():
        service.pop("ports", None)
        service.pop("networks", None)
        service["network_mode"] = "host"
        if name in ("migrate", "app"):
            service["image"] = tag
            service["environment"] |= {"UVICORN_HOST": "127.0.0.1", "UVICORN_PORT": str(port)}
            if url is not None:
                service["environment"]["DATABASE_URL"] = url
    on_host.pop("networks", None)
    (project / "compose.host.yaml").write_text(yaml.safe_dump(on_host))
    files = ["-p", f"sw{uuid.uuid4().hex[:8]}", "-f", "compose.host.yaml"]

    up = docker.compose(project, *files, "up", "--detach", "--no-deps", "migrate", "app")
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        app = docker.compose(project, *files, "ps", "--quiet", "app").stdout.strip()
        wait_healthy(docker, app)
        serves_items(port)
        migrate = docker.compose(project, *files, "ps", "--all", "--quiet", "migrate").stdout
        migrated = docker.text(
            "inspect", "-f", "{{.State.ExitCode}} {{.State.FinishedAt}}", migrate.strip()
        ).split()
        app_started = docker.text("inspect", "-f", "{{.State.StartedAt}}", app)
        networks = docker.text("network", "ls", "--format", "{{.Name}}").split()
    finally:
        down = docker.compose(project, *files, "down", "--volumes")

    assert migrated[0] == "0"
    assert migrated[1] < app_started  # the app waited for the migrations (RFC 3339, UTC)
    assert sorted(networks) == ["host", "none"]  # compose created no network
    assert down.returncode == 0, down.stderr


@pytest.mark.parametrize("answers", ANSWER_MATRIX)
def test_every_renders_compose_file_is_valid(
    render: Render, tmp_path: Path, answers: dict[str, Any]
) -> None:
    compose = tool("docker-compose")
    if not Path(compose).is_absolute():
        if os.environ.get("CI"):
            pytest.fail(f"docker-compose is not installed: {INSTALL_HINT}")
        pytest.skip(f"docker-compose is not installed: {INSTALL_HINT}")
    project = shutil.copytree(render(answers), tmp_path / "project")
    (project / ".env").write_text("DB_PASSWORD=pw\n")

    config = subprocess.run(
        [compose, "config"], cwd=project, capture_output=True, text=True, timeout=60, check=False
    )

    assert config.returncode == 0, config.stderr
    services = yaml.safe_load(config.stdout)["services"]
    expected = {"migrate", "app"} | ({"db"} if answers["database"] != "sqlite" else set())
    if answers["connection_proxy"] == "pgbouncer":
        expected.add("pgbouncer")
        assert "@pgbouncer:" in services["app"]["environment"]["DATABASE_URL"]
        assert "@db:5432/" in services["migrate"]["environment"]["DIRECT_URL"]
    assert set(services) == expected
    assert services["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
