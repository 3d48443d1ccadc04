"""Pool sizing by Little's law: connections in use = arrival rate x time each is held."""

import math
from dataclasses import dataclass

TYPICAL_MAX_CONNECTIONS = {"postgresql": 100, "mysql": 151}
# PgBouncer's default max_client_conn: the connections it accepts from all clients.
PGBOUNCER_MAX_CLIENT_CONN = 100


def kept_free(max_connections: int) -> int:
    """Connections left for migrations, administration and monitoring (and, on PostgreSQL,
    the superuser_reserved_connections an application account cannot use)."""
    return max(5, max_connections // 10)


@dataclass(frozen=True)
class PoolAdvice:
    needed: int  # connections busy on average at the given load, per worker
    pool_size: int
    max_overflow: int
    budget: int  # connections left for the service: max_connections minus those kept free
    warnings: list[str]


def advise(
    requests_per_second: float,
    hold_ms: float,
    *,
    workers: int = 1,
    max_connections: int = TYPICAL_MAX_CONNECTIONS["postgresql"],
    pool_size: int = 5,
    max_overflow: int = 10,
) -> PoolAdvice:
    """Suggest pool settings for a load, never more than `max_connections` can hold, and say
    where the load exceeds what is configured or what fits.

    100 requests/s, each holding its connection 200 ms, keep 100 x 0.2 = 20 connections busy.
    """
    if requests_per_second <= 0 or hold_ms <= 0 or workers < 1:
        raise ValueError("requests per second and hold time must be positive, workers at least 1")
    budget = max_connections - kept_free(max_connections)
    fits = budget // workers
    if fits < 1:
        raise ValueError(
            f"{workers} workers cannot each have a connection within max_connections = "
            f"{max_connections} ({kept_free(max_connections)} kept free): use fewer workers, "
            "or PgBouncer in front of PostgreSQL"
        )
    needed = math.ceil(requests_per_second / workers * hold_ms / 1000)
    suggested_size = min(max(pool_size, needed), fits)
    suggested_overflow = min(
        max(max_overflow, math.ceil(suggested_size / 2)), fits - suggested_size
    )
    warnings = []
    if needed > pool_size + max_overflow:
        warnings.append(
            f"{needed} connections are busy at this load, more than pool_size + max_overflow "
            f"= {pool_size + max_overflow}: requests would wait, then get 503s."
        )
    if needed > fits:
        warnings.append(
            f"{workers} worker(s) x {needed} busy connections = {workers * needed}, more than "
            f"the {budget} of max_connections = {max_connections} that are left for the "
            f"service ({kept_free(max_connections)} kept free): suggesting {fits} per worker, "
            "so requests will queue. Hold connections for less time, or raise max_connections "
            "if the database has the cores to run that many queries at once."
        )
    return PoolAdvice(needed, suggested_size, suggested_overflow, budget, warnings)
