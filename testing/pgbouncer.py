"""PgBouncer in transaction mode in front of the test PostgreSQL server, for the renders made
for it (connection_proxy=pgbouncer) and the bench.

Debian's `pgbouncer` package (1.18 on Debian 12: no protocol-level prepared statements, so the
drivers must not prepare statements on the server). PgBouncer refuses to run as root: as root it
is started as the `postgres` user (or `nobody`) with setpriv.
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import make_url
from sqlalchemy.engine import URL

from testing.databases import SERVER_URLS, render_url
from testing.processes import stop

# Server connections per database and user: small, so that the app's pool (15 connections per
# process) is multiplexed onto fewer server connections, as with many replicas.
POOL_SIZE = 10
INSTALL_HINT = (
    "PgBouncer is not installed: install the `pgbouncer` package (Debian/Ubuntu: "
    "apt-get install pgbouncer; scripts/bootstrap.sh does it when run as root)"
)


def pgbouncer_binary() -> str | None:
    # Debian installs it in /usr/sbin, which is not on every user's PATH.
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])
    return shutil.which("pgbouncer", path=search)


def run_as() -> list[str]:
    """The command prefix that drops root, which PgBouncer refuses to run as."""
    if os.geteuid() != 0:
        return []
    for name in ("postgres", "nobody"):
        try:
            user = pwd.getpwnam(name)
        except KeyError:
            continue
        return [
            "setpriv",
            f"--reuid={user.pw_uid}",
            f"--regid={user.pw_gid}",
            "--clear-groups",
        ]
    raise RuntimeError("running as root, and neither a postgres nor a nobody user to run PgBouncer")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def config(server: URL, port: int, auth_file: Path) -> str:
    target = f"host={server.host} port={server.port or 5432}"
    return f"""[databases]
* = {target}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {auth_file}
pool_mode = transaction
default_pool_size = {POOL_SIZE}
max_client_conn = 500
server_idle_timeout = 60
"""


@dataclass(frozen=True)
class PgBouncer:
    port: int
    pool_size: int

    def url(self, server_url: str) -> str:
        """`server_url` (a database on the test server), reached through PgBouncer instead."""
        return render_url(make_url(server_url).set(host="127.0.0.1", port=self.port))


def server_url_behind(pgbouncer_url: str) -> str:
    """The test server's URL for the database a PgBouncer URL names (for migrations)."""
    server = make_url(SERVER_URLS["postgresql"])
    url = make_url(pgbouncer_url).set(
        host=server.host, port=server.port, username=server.username, password=server.password
    )
    return render_url(url)


def wait_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"PgBouncer exited:\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"PgBouncer did not listen on {port} within 10 s:\n{log.read_text()}")


@contextmanager
def running_pgbouncer(binary: str, port: int | None = None) -> Iterator[PgBouncer]:
    """PgBouncer on 127.0.0.1 (on `port`, or a free one), its config and log in a temporary
    folder."""
    server = make_url(SERVER_URLS["postgresql"])
    folder = Path(tempfile.mkdtemp(prefix="sessionwise-pgbouncer-"))
    try:
        folder.chmod(0o755)  # readable by the user PgBouncer runs as
        auth_file = folder / "userlist.txt"
        # trust: clients are not asked for a password; the file's password logs in to the server.
        auth_file.write_text(f'"{server.username}" "{server.password or ""}"\n')
        port = port or free_port()
        ini = folder / "pgbouncer.ini"
        ini.write_text(config(server, port, auth_file))
        log = folder / "pgbouncer.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [*run_as(), binary, str(ini)], stdout=output, stderr=subprocess.STDOUT
            )
        try:
            wait_listening(port, process, log)
            yield PgBouncer(port, POOL_SIZE)
        finally:
            stop(process)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
