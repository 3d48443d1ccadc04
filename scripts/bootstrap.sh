# Sourced by the other scripts: makes sure uv and this repository's environment exist.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v uv >/dev/null 2>&1; then
    echo "==> installing uv (from PyPI)"
    python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
    export PATH="$HOME/.local/bin:$PATH"
fi

# mysqlclient, one of the template's drivers, compiles against the MariaDB client headers.
if ! pkg-config --exists libmariadb 2>/dev/null && ! pkg-config --exists mysqlclient 2>/dev/null; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        echo "==> installing the MariaDB client headers and pkg-config (for mysqlclient)"
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libmariadb-dev pkg-config >/dev/null
    else
        echo "mysqlclient needs the MySQL/MariaDB client headers: install libmariadb-dev" \
             "(Debian/Ubuntu) or mysql-client (Homebrew) and pkg-config, then run again." >&2
        exit 1
    fi
fi

# The catalog tests run Backstage's own code (npm packages, installed by the tests themselves).
if ! command -v npm >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        echo "==> installing Node.js and npm (for the Backstage catalog tests)"
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
    else
        echo "The Backstage catalog tests need Node.js and npm (tested with Node 20): install them" \
             "(they skip without them, and fail under CI=true)." >&2
    fi
fi

uv sync --quiet --locked
