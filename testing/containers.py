"""A Docker daemon of the tests' own, with no bridge network and no registry, and a base image
made with debootstrap, for building and running rendered services' images.

Debian's docker.io (its client has BuildKit built in; scripts/bootstrap.sh installs it with
debootstrap and docker-compose). The daemon keeps its data, state and socket in a temporary
folder, creates neither docker0 nor iptables rules, and is stopped by its pid. Images and
containers use the host's network only; anything not in the daemon's own store would be pulled
from a registry, so the base image is always passed in (`--build-arg BASE`, `--pull never`).
"""

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from testing.locks import exclusive
from testing.processes import stop

DOCKER = "/usr/bin/docker"  # Debian's client; another one on PATH may lack BuildKit
BASE_IMAGE = "local/python:3.11-bookworm"
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
DEBIAN_MIRROR = "http://deb.debian.org/debian"
DATA_SIZE = "8g"  # the daemon's tmpfs; three renders' builds fill about a gigabyte
INSTALL_HINT = (
    "the container tests need root and Debian's docker.io, debootstrap and docker-compose"
    " (scripts/bootstrap.sh installs them when run as root)"
)


def tool(name: str) -> str:
    """A tool's path; Debian installs dockerd, debootstrap and chroot in /usr/sbin, which is not
    on every PATH."""
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    return shutil.which(name, path=search) or name


def missing_requirement() -> str | None:
    """Why Docker cannot run here, or None."""
    if os.geteuid() != 0:
        return f"not root: {INSTALL_HINT}"
    for name in ("dockerd", "debootstrap", "chroot", "docker-compose"):
        if not Path(tool(name)).is_absolute():
            return f"{name} is not installed: {INSTALL_HINT}"
    if not Path(DOCKER).exists():
        return f"{DOCKER} is not installed: {INSTALL_HINT}"
    return None


@dataclass(frozen=True)
class Docker:
    """The client, talking to the tests' own daemon."""

    socket: Path

    @property
    def env(self) -> dict[str, str]:
        return os.environ | {"DOCKER_HOST": f"unix://{self.socket}", "DOCKER_BUILDKIT": "1"}

    def run(
        self, *args: str, timeout: float = 300, check: bool = True, stdin: bytes | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        completed = subprocess.run(
            [DOCKER, *args], env=self.env, input=stdin, capture_output=True, timeout=timeout
        )
        if check and completed.returncode != 0:
            raise AssertionError(
                f"docker {' '.join(args)} exited {completed.returncode}:\n"
                + (completed.stdout + completed.stderr).decode(errors="replace")[-6000:]
            )
        return completed

    def text(self, *args: str, timeout: float = 60) -> str:
        return self.run(*args, timeout=timeout).stdout.decode().strip()

    def compose(
        self, project: Path, *args: str, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [tool("docker-compose"), *args],
            cwd=project,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def dockerd_command(folder: Path, data: Path, socket: Path) -> list[str]:
    return [
        tool("dockerd"),
        "--bridge=none",
        "--iptables=false",
        "--ip6tables=false",
        "--ip-masq=false",
        "--ip-forward=false",
        "--storage-driver=overlay2",
        f"--data-root={data}",
        f"--exec-root={folder / 'exec'}",
        f"--pidfile={folder / 'dockerd.pid'}",
        "-H",
        f"unix://{socket}",
    ]


@contextmanager
def running_dockerd(folder: Path) -> Iterator[Docker]:
    """dockerd with everything under `folder` (keep its path short: socket paths are limited),
    host and none networks only; stopped by its pid afterwards, and `folder` removed."""
    socket = folder / "docker.sock"
    log = folder / "dockerd.log"
    # Images, layers and build caches in memory: fast to write, and gone in one unmount (removing
    # them from a disk takes half a minute).
    data = folder / "data"
    data.mkdir()
    mount = ["mount", "-t", "tmpfs", "-o", f"size={DATA_SIZE}", "tmpfs", str(data)]
    subprocess.run(mount, check=True)
    try:
        with log.open("wb") as output:
            process = subprocess.Popen(
                dockerd_command(folder, data, socket),
                stdout=output,
                stderr=subprocess.STDOUT,
                env=os.environ | {"PATH": os.environ.get("PATH", "") + ":/usr/sbin:/sbin"},
            )
        docker = Docker(socket)
        try:
            deadline = time.monotonic() + 60
            while docker.run("version", check=False, timeout=30).returncode != 0:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"dockerd did not start:\n{log.read_text()[-4000:]}")
                time.sleep(0.2)
            yield docker
        finally:
            stop(process, timeout=60)
    finally:
        # The tmpfs, and what the daemon left mounted (its network namespace).
        for line in reversed(Path("/proc/mounts").read_text().splitlines()):
            point = line.split()[1]
            if point == str(data) or point.startswith(f"{folder}/"):
                subprocess.run(["umount", "--lazy", point], check=False)
        subprocess.run(["rm", "-rf", str(folder)], check=False)


def base_rootfs_tarball(shared: Path) -> Path:
    """A Debian bookworm root file system with Python 3.11, venv and CA certificates, as a
    tarball for `docker import`: made once per test run (the xdist workers share `shared`)."""
    tarball = shared / "base-rootfs.tar"
    with exclusive(shared / "base-rootfs.lock"):
        if tarball.exists():
            return tarball
        # In memory where there is /dev/shm: dpkg syncs every file it unpacks, which on a
        # busy disk takes minutes.
        memory = "/dev/shm" if Path("/dev/shm").is_dir() else None
        rootfs = Path(tempfile.mkdtemp(prefix="sw-rootfs-", dir=memory))
        try:
            subprocess.run(
                [tool("debootstrap"), "--variant=minbase", "bookworm", str(rootfs), DEBIAN_MIRROR],
                check=True,
                capture_output=True,
                timeout=600,
            )
            shutil.copy("/etc/resolv.conf", rootfs / "etc" / "resolv.conf")
            subprocess.run(
                [
                    tool("chroot"),
                    str(rootfs),
                    "sh",
                    "-c",
                    "apt-get install -y -qq --no-install-recommends"
                    " python3 python3-venv ca-certificates >/dev/null"
                    " && apt-get clean && rm -rf /var/lib/apt/lists/* /etc/resolv.conf",
                ],
                check=True,
                capture_output=True,
                timeout=600,
                env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND": "noninteractive"},
            )
            partial = tarball.with_suffix(".partial")
            subprocess.run(
                ["tar", "--numeric-owner", "-C", str(rootfs), "-cf", str(partial), "."],
                check=True,
                timeout=300,
            )
            partial.rename(tarball)
        finally:
            subprocess.run(["rm", "-rf", str(rootfs)], check=False)
        return tarball


def import_base_image(docker: Docker, tarball: Path) -> str:
    with tarball.open("rb") as stream:
        subprocess.run(
            [DOCKER, "import", "--change", "ENV LANG=C.UTF-8", "-", BASE_IMAGE],
            env=docker.env,
            stdin=stream,
            check=True,
            capture_output=True,
            timeout=300,
        )
    return BASE_IMAGE


def pem_blocks(text: str) -> set[str]:
    """The certificates of a PEM bundle, each as its base64 body on one line."""
    blocks = set()
    for part in text.split("-----BEGIN CERTIFICATE-----")[1:]:
        body = part.split("-----END CERTIFICATE-----")[0]
        blocks.add("".join(body.split()))
    return blocks
