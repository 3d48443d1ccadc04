"""Load benchmark: services rendered from the template, a raw-driver limit and the pitfalls,
side by side under the same load, in one run.

    uv run python bench/run.py                # the full run (about 12 minutes on 2 cores)
    uv run python bench/run.py --smoke        # one service, one short run: is it working?
    uv run python bench/run.py --only asyncpg --concurrency 100 --duration 5

Needs the PostgreSQL and MariaDB servers of the test suite (SESSIONWISE_POSTGRESQL_URL,
SESSIONWISE_MYSQL_URL; see testing/databases.py) and this repository's environment (`uv sync`:
the `rendered` and `bench` dependency groups). No system load generator is needed: the load
comes from bench/loadgen.py, an asyncio HTTP/1.1 client in its own process.

Each run starts the service afresh under uvicorn (one worker, access log off, the pool
settings the template generates: pool_size 5, max_overflow 10, pool_timeout 30 s), warms
it up for a second, then drives GET /items/{id} (5 % unknown ids, so 404s) or POST /items
at a fixed concurrency: a ramp of RAMP seconds, then --duration measured seconds. Writes a
JSON file and a PNG plot to --out and prints a markdown table and the verdicts on the targets
of issues 5 and 13.
"""

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sessionwise.template.drivers import pool_defaults
from testing.databases import created_database
from testing.pgbouncer import INSTALL_HINT, PgBouncer, pgbouncer_binary, running_pgbouncer
from testing.pgbouncer import POOL_SIZE as PGBOUNCER_POOL_SIZE
from testing.pitfalls import PITFALLS
from testing.services import (
    ConnectionWatch,
    Served,
    Service,
    migrate,
    project_environment,
    render,
    seed,
    service_url,
    template_snapshot,
    uvicorn_workers,
)

BENCH = Path(__file__).resolve().parent
SEEDED = 1000
DRAIN_LIMIT = 1.0  # the target: every connection back in the pool within 1 s
DRAIN_WAIT = 3.0  # how long to keep looking before calling a connection leaked
CLIENT_TIMEOUT = 4.0  # a client gives up on a request after this long (an error)
# Load before the measured seconds: C clients connecting at once and the pool growing from
# pool_size to its overflow are the start, not the steady state that latency describes.
RAMP = 1.0


@dataclass(frozen=True)
class Spec:
    name: str
    database: str = "postgresql"
    mode: str = "async"
    driver: str = "asyncpg"
    policy: str = "explicit"
    pitfall: str | None = None  # planted into the rendered service
    variant: str | None = None  # a change under trial, from VARIANTS
    raw: bool = False  # bench/raw_app.py instead of a render
    runs: tuple[tuple[str, int], ...] | None = None  # (method, concurrency); None: all
    # None: bench/serve.py, one instrumented worker; N: plain uvicorn with N worker processes.
    workers: int | None = None
    proxy: str = "none"  # connection_proxy; pgbouncer: served through PgBouncer

    @property
    def kind(self) -> str:
        if self.raw:
            return "raw"
        return "pitfall" if self.pitfall else "variant" if self.variant else "generated"

    def answers(self) -> dict[str, str]:
        return {
            "mode": self.mode,
            "database": self.database,
            "driver": self.driver,
            "transaction_policy": self.policy,
            "connection_proxy": self.proxy,
        }


BROKEN_RUNS = (("GET", 10), ("GET", 100), ("POST", 100))
HOLD_RUNS = (("GET", 10), ("GET", 100), ("POST", 10), ("POST", 100))
SPECS = [
    Spec("raw asyncpg (no ORM)", raw=True),
    Spec("async asyncpg explicit"),
    Spec("async asyncpg commit_on_success", policy="commit_on_success"),
    Spec("async psycopg commit_on_success", driver="psycopg", policy="commit_on_success"),
    Spec("sync psycopg explicit", mode="sync", driver="psycopg"),
    Spec(
        "sync psycopg commit_on_success", mode="sync", driver="psycopg", policy="commit_on_success"
    ),
    Spec("sync pymysql commit_on_success", "mysql", "sync", "pymysql", "commit_on_success"),
    Spec("async asyncmy commit_on_success", "mysql", "async", "asyncmy", "commit_on_success"),
    Spec(
        "PITFALL return instead of yield (async asyncpg)",
        pitfall="return-instead-of-yield",
        runs=BROKEN_RUNS,
    ),
    Spec(
        "PITFALL engine per request (async asyncpg)",
        pitfall="engine-per-request",
        runs=BROKEN_RUNS,
    ),
    Spec(
        "PITFALL sync session in async def (sync psycopg)",
        mode="sync",
        driver="psycopg",
        pitfall="sync-session-in-async-endpoint",
        runs=BROKEN_RUNS,
    ),
    Spec("PITFALL no finally (async asyncpg)", pitfall="no-finally", runs=BROKEN_RUNS),
    Spec(
        "PITFALL commit after response (async asyncpg commit_on_success)",
        policy="commit_on_success",
        pitfall="commit-after-response",
        runs=HOLD_RUNS,
    ),
    Spec(
        "PITFALL commit after response (sync psycopg commit_on_success)",
        mode="sync",
        driver="psycopg",
        policy="commit_on_success",
        pitfall="commit-after-response",
        runs=HOLD_RUNS,
    ),
]
# 1 against 2 worker processes, side by side: plain uvicorn for both, no instruments inside.
WORKER_RUNS = (("GET", 100), ("POST", 100))
SPECS += [
    Spec(
        f"{mode} {driver} commit_on_success, {workers} worker{'s' * (workers > 1)}{where}",
        mode=mode,
        driver=driver,
        policy="commit_on_success",
        runs=WORKER_RUNS,
        workers=workers,
        proxy=proxy,
    )
    for mode, driver, proxy, where in (
        ("async", "asyncpg", "none", ""),
        ("sync", "psycopg", "none", ""),
        ("async", "asyncpg", "pgbouncer", " via PgBouncer"),
    )
    for workers in (1, 2)
]
# Overload: the generated async services next to the same services without their FIFO wait
# for a session place (what the template generated before), c=500 only.
OVERLOAD_RUNS = (("GET", 500), ("POST", 500))
ASYNC_SERVICES = [s for s in SPECS if s.kind == "generated" and s.mode == "async"]
SPECS += [
    Spec(
        f"BEFORE: {s.name}, the pool's queue alone",
        s.database,
        s.mode,
        s.driver,
        s.policy,
        pitfall="pool-queue-alone",
        runs=OVERLOAD_RUNS,
    )
    for s in ASYNC_SERVICES
    if s.workers is None
]
# pool_pre_ping against a ping only for a connection idle longer than a window (HikariCP's
# aliveBypassWindowMs), two runs each, interleaved.
PRE_PING_RUNS = (("GET", 100), ("POST", 100))
SPECS += [
    spec
    for run in (1, 2)
    for spec in (
        Spec(f"async asyncpg explicit, pool_pre_ping, run {run}", runs=PRE_PING_RUNS),
        Spec(
            f"async asyncpg explicit, ping if idle > 500 ms, run {run}",
            variant="ping-if-idle",
            runs=PRE_PING_RUNS,
        ),
    )
]
# Leak detection and the pool's metrics (on in every generated service) against both off,
# interleaved (issue 21).
WATCH_RUNS = (("GET", 100), ("POST", 100))
SPECS += [
    Spec(
        f"{mode} {driver} explicit, pool watch {state}",
        mode=mode,
        driver=driver,
        variant=None if state == "on" else "pool-watch-off",
        runs=WATCH_RUNS,
    )
    for mode, driver in (("sync", "psycopg"), ("async", "asyncpg"))
    for state in ("on", "off")
]
SMOKE = Spec("async asyncpg explicit", runs=(("GET", 10),))

PING_IF_IDLE = """

# Under trial (bench/run.py): pool_pre_ping off; a connection is pinged at checkout only
# when it sat in the pool for more than IDLE_WINDOW seconds.
import time  # noqa: E402

from sqlalchemy import event  # noqa: E402
from sqlalchemy.exc import DisconnectionError  # noqa: E402

IDLE_WINDOW = 0.5


@event.listens_for(engine.sync_engine, "checkin")
def remember_idle_since(dbapi_connection, record):
    record.info["idle_since"] = time.monotonic()


@event.listens_for(engine.sync_engine, "checkout")
def ping_if_idle(dbapi_connection, record, proxy):
    idle_since = record.info.get("idle_since")
    if idle_since is not None and time.monotonic() - idle_since > IDLE_WINDOW:
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError("the connection did not answer the ping") from error
"""


def ping_if_idle(project: Path) -> dict[str, str]:
    """Appends the idle-window ping to db.py; returns the settings it runs with."""
    db = project / "src" / "my_service" / "db.py"
    db.write_text(db.read_text() + PING_IF_IDLE)
    return {"POOL_PRE_PING": "false"}


def pool_watch_off(project: Path) -> dict[str, str]:
    """Neither leak detection nor the pool's metrics (the generated service has both)."""
    return {"LEAK_DETECTION_THRESHOLD": "0", "METRICS_ENABLED": "false"}


VARIANTS = {"ping-if-idle": ping_if_idle, "pool-watch-off": pool_watch_off}
PER_WORKER = pool_defaults()["pool_size"] + pool_defaults()["max_overflow"]


@dataclass
class Prepared:
    spec: Spec
    app: str
    cwd: Path
    project: Path | None
    database_url: str
    db_name: str
    settings: dict[str, str] = field(default_factory=dict)  # more environment variables


def loadgen(
    port: int, method: str, concurrency: int, duration: float, tag: str, ramp: float = 0.0
) -> dict[str, Any]:
    completed = subprocess.run(
        [
            sys.executable,
            str(BENCH / "loadgen.py"),
            f"--port={port}",
            f"--method={method}",
            f"--concurrency={concurrency}",
            f"--duration={duration}",
            f"--ramp={ramp}",
            f"--ids={SEEDED}",
            f"--tag={tag}",
            f"--timeout={CLIENT_TIMEOUT}",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=ramp + duration + 60,
    )
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


def measure(prepared: Prepared, method: str, concurrency: int, duration: float) -> dict[str, Any]:
    spec = prepared.spec
    env = project_environment(prepared.project, prepared.database_url, **prepared.settings)
    service: Served
    if spec.workers is None:
        service = Service(prepared.app, env, prepared.cwd)
    else:
        service = uvicorn_workers(prepared.app, env, prepared.cwd, spec.workers)
    watch = ConnectionWatch(spec.database, prepared.db_name)
    tag = f"{method}{concurrency}-{time.monotonic_ns()}"
    drain: float | None = None
    stats: dict[str, Any] = {}
    try:
        service.wait_ready()
        loadgen(service.port, "GET", 10, 1.0, f"warm-{tag}")
        if isinstance(service, Service):
            service.wait_returned(DRAIN_WAIT)
            service.reset()
        watch.start()
        load = loadgen(service.port, method, concurrency, duration, tag, RAMP)
        stopped = time.monotonic()
        if isinstance(service, Service):
            drain = service.wait_returned(DRAIN_WAIT)
            stats = service.stats()
        else:
            time.sleep(DRAIN_LIMIT)  # no instruments inside: let in-flight requests finish
        waited = time.monotonic() - stopped
        watch.stop()
        final = watch.count()
    finally:
        watch.stop()
        watch.close()
        service.stop()
    errors = load["unexpected_status"] + load["socket_errors"] + load["timeouts"]
    return {
        "service": spec.name,
        "kind": spec.kind,
        "database": spec.database,
        "mode": spec.mode,
        "driver": spec.driver,
        "policy": spec.policy,
        "pitfall": spec.pitfall,
        "variant": spec.variant,
        "workers": spec.workers,
        "proxy": spec.proxy,
        "instrumented": spec.workers is None,
        **load,
        "errors": errors,
        "peak_server_connections": watch.peak,
        "final_server_connections": final,
        "drain_s": drain,
        "checked_out_after_drain_wait": stats.get("checked_out"),
        "drain_wait_s": waited,
        "hold_avg_ms": stats.get("hold_avg_ms"),
        "hold_max_ms": stats.get("hold_max_ms"),
        "checkouts": stats.get("checkouts"),
        "new_connections": stats.get("connects"),
        "max_loop_lag_ms": stats.get("max_loop_lag_ms"),
    }


def prepare(
    spec: Spec,
    snapshot: Path,
    workdir: Path,
    schema_project: Path | None,
    pgbouncer: PgBouncer | None,
) -> Prepared:
    words = "".join(c if c.isalnum() else "_" for c in spec.name.lower())[:32].strip("_")
    slug = f"{words}_{hashlib.sha1(spec.name.encode()).hexdigest()[:6]}"
    db_name = f"swbench_{slug}_{os.getpid()}"  # two runs at once do not collide
    if spec.raw:
        assert schema_project is not None, "the raw app borrows a rendered project's migrations"
        url = service_url("postgresql", "asyncpg", db_name)
        return Prepared(spec, "raw_app:app", BENCH, schema_project, url, db_name)
    project = render(snapshot, workdir / slug, spec.answers())
    if spec.pitfall:
        PITFALLS[spec.pitfall].plant(project, spec.mode)
    settings = VARIANTS[spec.variant](project) if spec.variant else {}
    url = service_url(spec.database, spec.driver, db_name)
    if spec.proxy == "pgbouncer":
        assert pgbouncer is not None
        direct = {"DIRECT_URL": url}
        return Prepared(
            spec, "my_service.main:app", project, project, pgbouncer.url(url), db_name, direct
        )
    return Prepared(spec, "my_service.main:app", project, project, url, db_name, settings)


def run_spec(prepared: Prepared, runs: list[tuple[str, int]], duration: float) -> list[dict]:
    spec = prepared.spec
    results = []
    with created_database(spec.database, prepared.db_name):
        assert prepared.project is not None
        migrate_url = prepared.database_url
        if spec.raw:  # migrate with the borrowed project's own driver
            migrate_url = service_url("postgresql", "asyncpg", prepared.db_name)
        migrate(prepared.project, migrate_url, **prepared.settings)
        seed(spec.database, prepared.db_name, SEEDED)
        if spec.raw:
            prepared.project = None  # the raw app does not import the project
        for method, concurrency in runs:
            result = measure(prepared, method, concurrency, duration)
            results.append(result)
            print(row(result, {}), flush=True)
    return results


def number(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


COLUMNS = (
    "| service | load | req/s | x raw | p50 ms | p99 ms | p99/p50 | non-2xx (5xx) | errors "
    "| server conns peak/final | out after load | hold ms | loop lag ms |"
)


def row(result: dict[str, Any], raw: dict[tuple[str, int], float]) -> str:
    key = (result["method"], result["concurrency"])
    ratio = result["rps"] / raw[key] if raw.get(key) else None
    parts = [
        f"{result[key]} {label}"
        for key, label in (
            ("unexpected_status", "bad status"),
            ("timeouts", "timeouts"),
            ("socket_errors", "socket"),
        )
        if result[key]
    ]
    errors = f"{result['errors']} ({', '.join(parts)})" if len(parts) > 1 else str(result["errors"])
    if result.get("stuck_at_end"):
        errors += f"; {result['stuck_at_end']} stuck at the end"
    if not result.get("instrumented", True):
        out = "-"  # plain uvicorn workers: nothing inside the process counts checkouts
    elif result["drain_s"] is None:
        out = f"**{result['checked_out_after_drain_wait']} after {DRAIN_WAIT:.0f} s**"
    elif result["drain_s"] > DRAIN_LIMIT:
        out = f"**0 after {result['drain_s']:.1f} s**"
    else:
        out = "0"
    return (
        f"| {result['service']} | {result['method']} c={result['concurrency']} "
        f"| {number(result['rps'])} | {number(ratio, 2)} | {number(result['p50_ms'], 1)} "
        f"| {number(result['p99_ms'], 1)} | {number(spread(result), 1)} "
        f"| {result['non_2xx']} ({result['server_errors']}) "
        f"| {errors} | {result['peak_server_connections']}/{result['final_server_connections']} "
        f"| {out} | {number(result['hold_avg_ms'], 2)} | {number(result['max_loop_lag_ms'])} |"
    )


def spread(result: dict[str, Any]) -> float | None:
    """p99 / p50: how much longer the slowest requests wait than the typical one."""
    if not result["p50_ms"] or result["p99_ms"] is None:
        return None
    ratio: float = result["p99_ms"] / result["p50_ms"]
    return ratio


def table(results: list[dict[str, Any]]) -> str:
    raw = {(r["method"], r["concurrency"]): r["rps"] for r in results if r["kind"] == "raw"}
    lines = [COLUMNS, "|" + "---|" * COLUMNS.count(" |")]
    lines += [row(result, raw) for result in results]
    return "\n".join(lines)


def find(results: list[dict], service: str, method: str, concurrency: int) -> dict | None:
    for result in results:
        if (result["service"], result["method"], result["concurrency"]) == (
            service,
            method,
            concurrency,
        ):
            return result
    return None


def verdicts(results: list[dict[str, Any]]) -> list[str]:
    out = []
    raw = find(results, "raw asyncpg (no ORM)", "GET", 100)
    for name in ("async asyncpg explicit", "async asyncpg commit_on_success"):
        generated = find(results, name, "GET", 100)
        if raw and generated:
            ratio = generated["rps"] / raw["rps"]
            met = ratio >= 0.5 and generated["errors"] == 0
            out.append(
                f"{'MET' if met else 'MISSED'}: {name}, GET c=100: {ratio:.2f}x raw asyncpg "
                f"({generated['rps']:,.0f} vs {raw['rps']:,.0f} req/s), "
                f"{generated['errors']} errors (target >= 0.5x, 0 errors)"
            )
    for result in results:
        if (result["kind"], result["mode"], result["concurrency"]) == ("generated", "sync", 500):
            met = result["errors"] == 0 and result["server_errors"] == 0
            out.append(
                f"{'MET' if met else 'MISSED'}: {result['service']}, {result['method']} "
                f"c=500 with pool_size + max_overflow = 15: {result['errors']} errors, "
                f"{result['server_errors']} 5xx (target 0)"
            )
    generated = [
        r for r in results if r["kind"] in ("generated", "raw") and r.get("instrumented", True)
    ]
    late = [r for r in generated if r["drain_s"] is None or r["drain_s"] > DRAIN_LIMIT]
    slowest = max((r["drain_s"] or 0.0 for r in generated), default=0.0)
    out.append(
        f"{'MET' if not late else 'MISSED'}: every connection back in the pool within "
        f"{DRAIN_LIMIT:.0f} s after the load stops, in {len(generated) - len(late)} of "
        f"{len(generated)} runs of the generated services (slowest {slowest:.3f} s)"
    )
    for pitfall in (r for r in results if r["pitfall"] == "commit-after-response"):
        base = f"{pitfall['mode']} {pitfall['driver']} {pitfall['policy']}"
        generated_run = find(results, base, pitfall["method"], pitfall["concurrency"])
        if generated_run and generated_run["hold_avg_ms"] and pitfall["hold_avg_ms"]:
            met = generated_run["hold_avg_ms"] < pitfall["hold_avg_ms"]
            out.append(
                f"{'MET' if met else 'MISSED'}: {base}, {pitfall['method']} "
                f"c={pitfall['concurrency']}: holds a connection "
                f"{generated_run['hold_avg_ms']:.2f} ms per request, vs "
                f"{pitfall['hold_avg_ms']:.2f} ms when the session is released after "
                "the response is sent"
            )
    out += worker_verdicts(results)
    out += overload_verdicts(results)
    out += pre_ping_verdicts(results)
    out += pool_watch_verdicts(results)
    return out


FAIRNESS = 2.0  # the target: p99 <= 2 x p50 at c=500


def overload_verdicts(results: list[dict[str, Any]]) -> list[str]:
    """c=500: the generated async services serve every request, in turn (issue 13)."""
    out = []
    for result in results:
        if (result["kind"], result["concurrency"]) != ("generated", 500):
            continue
        ratio = spread(result)
        fair = ratio is not None and ratio <= FAIRNESS
        met = result["errors"] == 0 and result["stuck_at_end"] == 0 and fair
        before = find(
            results,
            f"BEFORE: {result['service']}, the pool's queue alone",
            result["method"],
            500,
        )
        than_before = (
            f"; {result['rps'] / before['rps']:.2f}x the req/s of the pool's queue alone "
            f"({before['rps']:,.0f} req/s, {before['errors']} errors, "
            f"{before['stuck_at_end']} stuck, p99/p50 {number(spread(before), 1)})"
            if before
            else ""
        )
        target = "target" if result["mode"] == "async" else "measured only, sync"
        out.append(
            f"{'MET' if met else 'MISSED'} ({target}): {result['service']}, "
            f"{result['method']} c=500: {result['errors']} errors, {result['stuck_at_end']} "
            f"stuck at the end, p99/p50 {number(ratio, 2)} (<= {FAIRNESS:.0f}){than_before}"
        )
    return out


def mean_rps(results: list[dict[str, Any]], prefix: str, method: str) -> float | None:
    """The mean req/s of the runs of `method` by services whose name starts with `prefix`."""
    found = [r["rps"] for r in results if r["service"].startswith(prefix) and r["method"] == method]
    return sum(found) / len(found) if found else None


def pre_ping_verdicts(results: list[dict[str, Any]]) -> list[str]:
    """Keep the idle-window ping only if it gains 10 % req/s at c=100 over pool_pre_ping."""
    out = []
    for method in ("GET", "POST"):
        ping = mean_rps(results, "async asyncpg explicit, pool_pre_ping", method)
        window = mean_rps(results, "async asyncpg explicit, ping if idle", method)
        if ping and window:
            gain = window / ping - 1
            out.append(
                f"{'GAIN' if gain >= 0.10 else 'NO GAIN'} (keep pool_pre_ping unless >= 10 %): "
                f"ping if idle > 500 ms, {method} c=100: {window:,.0f} vs {ping:,.0f} req/s "
                f"with pool_pre_ping, mean of two runs each ({gain:+.1%})"
            )
    return out


WATCH_COST = 0.05  # the target: at most 5 % fewer req/s with the pool watched


def pool_watch_verdicts(results: list[dict[str, Any]]) -> list[str]:
    """Leak detection and metrics on against off: same service, load and run (issue 21)."""
    out = []
    for on in (r for r in results if r["service"].endswith(", pool watch on")):
        off = find(
            results,
            on["service"].replace(", pool watch on", ", pool watch off"),
            on["method"],
            on["concurrency"],
        )
        if off is None:
            continue
        cost = 1 - on["rps"] / off["rps"]
        met = cost <= WATCH_COST and on["errors"] == off["errors"]
        out.append(
            f"{'MET' if met else 'MISSED'}: {on['service']}, {on['method']} "
            f"c={on['concurrency']}: {on['rps']:,.0f} vs {off['rps']:,.0f} req/s off "
            f"({-cost:+.1%}; target >= -{WATCH_COST:.0%}), {on['errors']} vs {off['errors']} "
            f"errors, p99/p50 {number(spread(on), 2)} vs {number(spread(off), 2)}"
        )
    return out


def worker_verdicts(results: list[dict[str, Any]]) -> list[str]:
    """2 worker processes against 1, same service and load, in the same run."""
    out = []
    for two in (r for r in results if r.get("workers") == 2):
        same = ("mode", "driver", "policy", "proxy", "method", "concurrency")
        one = next(
            (r for r in results if r.get("workers") == 1 and all(r[k] == two[k] for k in same)),
            None,
        )
        if one is None:
            continue
        if two["proxy"] == "pgbouncer":
            limit, where = PGBOUNCER_POOL_SIZE, "PgBouncer's pool"
        else:
            limit, where = 2 * PER_WORKER, "the budget 2 x (pool_size + max_overflow)"
        met = two["errors"] == 0 and two["peak_server_connections"] <= limit
        out.append(
            f"{'MET' if met else 'MISSED'}: {two['service']}, {two['method']} "
            f"c={two['concurrency']}: {two['rps'] / one['rps']:.2f}x the req/s of 1 worker "
            f"({two['rps']:,.0f} vs {one['rps']:,.0f}), {two['errors']} errors (1 worker: "
            f"{one['errors']}), at most {two['peak_server_connections']} server connections "
            f"(<= {limit}, {where})"
        )
    return out


def plot(results: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    methods = ["GET", "POST"]
    figure, axes = plt.subplots(1, 2, figsize=(16, 7), sharey=True)
    services = list(dict.fromkeys(r["service"] for r in results))
    levels = sorted({r["concurrency"] for r in results})
    width = 0.8 / max(1, len(levels))
    for axis, method in zip(axes, methods, strict=True):
        for index, level in enumerate(levels):
            values = []
            for service in services:
                found = find(results, service, method, level)
                values.append(found["rps"] if found else 0.0)
            positions = [n + index * width for n in range(len(services))]
            axis.barh(positions, values, height=width, label=f"c={level}")
        axis.set_yticks([n + width * (len(levels) - 1) / 2 for n in range(len(services))])
        axis.set_yticklabels(services, fontsize=8)
        axis.invert_yaxis()
        axis.set_title(f"{method}: requests/s (2xx and expected 404s)")
        axis.set_xlabel("requests/s")
        axis.legend()
    figure.suptitle(f"sessionwise bench, {datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} CPUs")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def machine() -> dict[str, Any]:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu": cpu, "python": platform.python_version()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--smoke", action="store_true", help="one service, c=10, 2 s")
    parser.add_argument("--only", action="append", help="services whose name contains this")
    parser.add_argument("--concurrency", default="10,100,500")
    parser.add_argument("--methods", default="GET,POST")
    parser.add_argument("--duration", type=float, default=6.0)
    parser.add_argument("--out", type=Path, default=BENCH / "results")
    options = parser.parse_args()

    levels = [int(level) for level in options.concurrency.split(",")]
    methods = options.methods.split(",")
    specs = [SMOKE] if options.smoke else SPECS
    duration = 2.0 if options.smoke else options.duration
    if options.only:
        specs = [s for s in specs if s.raw or any(o in s.name for o in options.only)]
    started = time.monotonic()
    results: list[dict[str, Any]] = []
    print(COLUMNS, flush=True)
    with ExitStack() as stack:
        workdir = Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="sessionwise-bench-"))
        )
        snapshot = template_snapshot(workdir / "template")
        schema_project = render(snapshot, workdir / "schema", Spec("schema").answers())
        pgbouncer = None
        if any(spec.proxy == "pgbouncer" for spec in specs):
            binary = pgbouncer_binary()
            if binary is None:
                sys.exit(INSTALL_HINT)
            pgbouncer = stack.enter_context(running_pgbouncer(binary))
        for spec in specs:
            runs = [
                (method, level)
                for method, level in (spec.runs or [(m, c) for m in methods for c in levels])
                if method in methods and (options.smoke or level in levels)
            ]
            if not runs:
                continue
            prepared = prepare(spec, snapshot, workdir, schema_project, pgbouncer)
            results += run_spec(prepared, runs, duration)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "duration_s": duration,
        "wall_s": time.monotonic() - started,
        "results": results,
        "verdicts": verdicts(results),
    }
    options.out.mkdir(parents=True, exist_ok=True)
    (options.out / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
    plot(results, options.out / "latest.png")
    print()
    print(table(results))
    print()
    for verdict in report["verdicts"]:
        print(f"- {verdict}")
    print(f"\nwall time {report['wall_s']:.0f} s; wrote {options.out}/latest.json and latest.png")


if __name__ == "__main__":
    main()
