# Sourced by the other scripts: makes sure uv and this repository's environment exist.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v uv >/dev/null 2>&1; then
    echo "==> installing uv (from PyPI)"
    python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
    export PATH="$HOME/.local/bin:$PATH"
fi

can_apt_install() { command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; }
apt_updated=""
apt_install() {
    if [ -z "$apt_updated" ]; then apt-get update -qq >/dev/null; apt_updated=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# mysqlclient, one of the template's drivers, compiles against the MariaDB client headers.
if ! pkg-config --exists libmariadb 2>/dev/null && ! pkg-config --exists mysqlclient 2>/dev/null; then
    if can_apt_install; then
        echo "==> installing the MariaDB client headers and pkg-config (for mysqlclient)"
        apt_install libmariadb-dev pkg-config
    else
        echo "mysqlclient needs the MySQL/MariaDB client headers: install libmariadb-dev" \
             "(Debian/Ubuntu) or mysql-client (Homebrew) and pkg-config, then run again." >&2
        exit 1
    fi
fi

# PgBouncer (transaction mode) for the services rendered with connection_proxy=pgbouncer: the
# tests start their own on a free port. Debian installs it in /usr/sbin.
if ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then
    if can_apt_install; then
        echo "==> installing PgBouncer (for the connection_proxy=pgbouncer tests)"
        apt_install pgbouncer
    else
        echo "PgBouncer is not installed: install the pgbouncer package (Debian/Ubuntu) to run" \
             "the connection_proxy=pgbouncer tests; they are skipped without it (they fail" \
             "under CI=true)." >&2
    fi
fi

# A real Prometheus server scrapes the rendered services' /metrics in the tests, and promtool
# checks the alert rules they ship. Debian installs both in /usr/bin.
if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
    if can_apt_install; then
        echo "==> installing Prometheus (for the pool metrics tests)"
        apt_install --no-install-recommends prometheus
    else
        echo "Prometheus is not installed: install the prometheus package (Debian/Ubuntu) to run" \
             "the pool metrics tests; they are skipped without it (they fail under CI=true)." >&2
    fi
fi

# The catalog tests run Backstage's own code (npm packages, installed by the tests themselves).
if ! command -v npm >/dev/null 2>&1; then
    if can_apt_install; then
        echo "==> installing Node.js and npm (for the Backstage catalog tests)"
        apt_install nodejs npm
    else
        echo "The Backstage catalog tests need Node.js and npm (tested with Node 20): install them" \
             "(they skip without them, and fail under CI=true)." >&2
    fi
fi

# The container tests build and run rendered services' images with their own Docker daemon
# (no bridge network) on a base image made with debootstrap: no registry is needed.
if ! [ -x /usr/bin/docker ] || ! command -v debootstrap >/dev/null 2>&1 \
    || ! command -v docker-compose >/dev/null 2>&1; then
    if can_apt_install; then
        echo "==> installing Docker, debootstrap and docker-compose (for the container tests)"
        apt_install docker.io debootstrap docker-compose
    else
        echo "The container tests need Debian's docker.io, debootstrap and docker-compose, and" \
             "root (they skip without them, and fail under CI=true)." >&2
    fi
fi

uv sync --quiet --locked
