{% set package_name = cookiecutter.package_name %}
{% set mode = cookiecutter.mode %}
{% set is_async = mode == 'async' %}
{% set database = cookiecutter.database %}
{% set has_server = database != 'sqlite' %}
"""The pool's metrics, under OpenTelemetry's names for database connection pools
(db.client.connection.*), in the Prometheus text format served on /metrics.

The names are those OpenTelemetry's Prometheus compatibility rules give: dots become
underscores, a unit in seconds adds `_seconds`, a counter ends in `_total`. So a plain
Prometheus and an OpenTelemetry collector's Prometheus receiver read the same series.
"""

import os
import tempfile
{% if is_async %}
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
{% endif %}
from multiprocessing import parent_process
from pathlib import Path
from time import perf_counter
from typing import Any

from {{ package_name }}.settings import settings

{% if has_server %}
# Several worker processes: each writes its values to files in one shared directory, and
# a scrape of any worker sums them all. prometheus_client chooses this mode when it is
# imported, so the directory is set first. Workers started by uvicorn or `fastapi run`
# share the parent's process id; other servers (gunicorn) need PROMETHEUS_MULTIPROC_DIR.
if settings.web_concurrency > 1 and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
{% else %}
# Several worker processes write their values to files in the directory that
# PROMETHEUS_MULTIPROC_DIR names, and a scrape of any worker sums them all.
# prometheus_client chooses this mode when it is imported, so the directory is set
# first: workers started by uvicorn or `fastapi run` share their parent's process id.
if int(os.environ.get("WEB_CONCURRENCY", "1")) > 1 and (
    "PROMETHEUS_MULTIPROC_DIR" not in os.environ
):
{% endif %}
    parent = parent_process()
    service = parent.pid if parent is not None and parent.pid else os.getpid()
    shared = Path(tempfile.gettempdir()) / f"{{ package_name }}-metrics-{service}"
    shared.mkdir(exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(shared)

from fastapi import APIRouter, Response
from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import Engine, event, make_url
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.pool import (
{% if is_async %}
    AsyncAdaptedQueuePool,
{% endif %}
    ConnectionPoolEntry,
    PoolProxiedConnection,
{% if not is_async %}
    QueuePool,
{% endif %}
)

MULTIPROCESS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
POOL = "db_client_connection_pool_name"
# From a millisecond to the longest a request may wait (POOL_TIMEOUT) and beyond, for
# connections held too long.
BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)


def pool_name(url: str) -> str:
    """server.address:server.port/db.namespace, as OpenTelemetry suggests: never the
    user or the password."""
    parsed = make_url(url)
    if parsed.host is None:
        return parsed.database or parsed.drivername
    port = f":{parsed.port}" if parsed.port is not None else ""
    return f"{parsed.host}{port}/{parsed.database or ''}"


POOL_NAME = pool_name(settings.database_url)

# Gauges: each worker's value, summed over the live workers.
connection_count = Gauge(
    "db_client_connection_count",
    "Connections in the state db.client.connection.state (idle or used)",
    [POOL, "db_client_connection_state"],
    multiprocess_mode="livesum",
)
connection_max = Gauge(
    "db_client_connection_max",
    "The most connections the pool may open (pool_size + max_overflow)",
    [POOL],
    multiprocess_mode="livesum",
)
idle_max = Gauge(
    "db_client_connection_idle_max",
    "The most idle connections the pool keeps open (pool_size)",
    [POOL],
    multiprocess_mode="livesum",
)
idle_min = Gauge(
    "db_client_connection_idle_min",
    "The fewest idle connections the pool keeps open (a queue pool keeps no minimum)",
    [POOL],
    multiprocess_mode="livesum",
)
pending_requests = Gauge(
    "db_client_connection_pending_requests",
{% if is_async %}
    "Requests waiting for a connection, or for a session place before it",
{% else %}
    "Requests waiting for a connection",
{% endif %}
    [POOL],
    multiprocess_mode="livesum",
)
timeouts = Counter(
    "db_client_connection_timeouts",
    "Requests that got no connection within pool_timeout",
    [POOL],
)
suspected_leaks = Counter(
    "db_client_connection_suspected_leaks",
    "Connections held past LEAK_DETECTION_THRESHOLD (not an OpenTelemetry name)",
    [POOL],
)
create_time = Histogram(
    "db_client_connection_create_time",
    "The time it took to create a new connection",
    [POOL],
    unit="seconds",
    buckets=BUCKETS,
)
wait_time = Histogram(
    "db_client_connection_wait_time",
    "The time it took to obtain an open connection from the pool",
    [POOL],
    unit="seconds",
    buckets=BUCKETS,
)
use_time = Histogram(
    "db_client_connection_use_time",
    "The time between borrowing a connection and returning it to the pool",
    [POOL],
    unit="seconds",
    buckets=BUCKETS,
)

idle = connection_count.labels(POOL_NAME, "idle")
used = connection_count.labels(POOL_NAME, "used")
pending = pending_requests.labels(POOL_NAME)
timed_out = timeouts.labels(POOL_NAME)
leaked = suspected_leaks.labels(POOL_NAME)
creating = create_time.labels(POOL_NAME)
waiting = wait_time.labels(POOL_NAME)
using = use_time.labels(POOL_NAME)
{% if is_async %}

# What the request waited for its session place (db.py), counted into its wait for the
# connection that follows.
place_wait: ContextVar[float] = ContextVar("place_wait", default=0.0)


@contextmanager
def waiting_for_a_place() -> Iterator[None]:
    """Counts the request as pending while it waits for a session place."""
    started = perf_counter()
    pending.inc()
    try:
        yield
    except PoolTimeoutError:
        timed_out.inc()
        raise
    finally:
        pending.dec()
    place_wait.set(perf_counter() - started)
{% endif %}


class MeasuredPool({{ "AsyncAdaptedQueuePool" if is_async else "QueuePool" }}):
    """The engine's queue pool, timing how long each request waits for a connection."""

    def connect(self) -> PoolProxiedConnection:
        started = perf_counter()
        pending.inc()
        try:
            connection = super().connect()
        except PoolTimeoutError:
            timed_out.inc()
            raise
        finally:
            pending.dec()
{% if is_async %}
        waiting.observe(perf_counter() - started + place_wait.get())
        place_wait.set(0.0)
{% else %}
        waiting.observe(perf_counter() - started)
{% endif %}
        return connection


def on_do_connect(
    dialect: Any, record: ConnectionPoolEntry, cargs: Any, cparams: Any
) -> None:
    record.info["metrics_connecting"] = perf_counter()


def on_connect(_: Any, record: ConnectionPoolEntry) -> None:
    started = record.info.pop("metrics_connecting", None)
    if started is not None:
        creating.observe(perf_counter() - started)
    idle.inc()


def on_checkout(_: Any, record: ConnectionPoolEntry, __: Any) -> None:
    record.info["metrics_checked_out"] = perf_counter()
    idle.dec()
    used.inc()


def on_checkin(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    checked_out = record.info.pop("metrics_checked_out", None)
    if checked_out is None:
        return
    using.observe(perf_counter() - checked_out)
    used.dec()
    if dbapi_connection is not None:  # None: it was invalidated (closed) while in use
        idle.inc()


def on_close(_: Any, record: ConnectionPoolEntry) -> None:
    # A connection closed while in use still counts as used until it is checked in.
    if "metrics_checked_out" not in record.info:
        idle.dec()


def on_detach(_: Any, record: ConnectionPoolEntry) -> None:
    # No longer the pool's: the caller keeps and closes it.
    if record.info.pop("metrics_checked_out", None) is not None:
        used.dec()


def publish_capacity() -> None:
    connection_max.labels(POOL_NAME).set(settings.pool_size + settings.max_overflow)
    idle_max.labels(POOL_NAME).set(settings.pool_size)
    idle_min.labels(POOL_NAME).set(0)


def watch(engine: Engine) -> None:
    """Count the connections of `engine`'s pool, and time their creation and use."""
    if MULTIPROCESS_DIR is None:
        publish_capacity()
    event.listen(engine, "do_connect", on_do_connect)
    event.listen(engine, "connect", on_connect)
    event.listen(engine, "checkout", on_checkout)
    event.listen(engine, "checkin", on_checkin)
    event.listen(engine, "close", on_close)
    event.listen(engine, "detach", on_detach)


def exposition() -> bytes:
    """This process's metrics, or with several workers those of all of them summed."""
    if MULTIPROCESS_DIR is None:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(  # type: ignore[no-untyped-call]
        registry, path=MULTIPROCESS_DIR
    )
    return generate_latest(registry)


def worker_started() -> None:
    """With several workers, each one's pool counts from its start: not in the process
    that imported the app only to start them."""
    if MULTIPROCESS_DIR is None:
        return
    publish_capacity()
    # A worker that crashed left its gauge values behind.
    for values in Path(MULTIPROCESS_DIR).glob("gauge_live*_*.db"):
        pid = int(values.stem.rsplit("_", 1)[1])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            multiprocess.mark_process_dead(  # type: ignore[no-untyped-call]
                pid, MULTIPROCESS_DIR
            )


def worker_stopped() -> None:
    """This worker's gauges leave the sum; its counters and histograms stay in it."""
    if MULTIPROCESS_DIR is not None:
        multiprocess.mark_process_dead(  # type: ignore[no-untyped-call]
            os.getpid(), MULTIPROCESS_DIR
        )


router = APIRouter(tags=["metrics"])


@router.get("/metrics", include_in_schema=False)
def metrics() -> Response:
    """The Prometheus text format 0.0.4, which every Prometheus and OpenTelemetry's
    Prometheus receiver read (a scrape may read files: it runs on a thread)."""
    return Response(exposition(), media_type=CONTENT_TYPE_PLAIN_0_0_4)
