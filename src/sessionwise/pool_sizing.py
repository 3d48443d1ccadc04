"""Pool sizing by Little's law: connections in use = arrival rate x time each is held."""

import math
from dataclasses import dataclass

TYPICAL_MAX_CONNECTIONS = {"postgresql": 100, "mysql": 151}


@dataclass(frozen=True)
class PoolAdvice:
    needed: int  # connections busy on average at the given load, per worker
    pool_size: int
    max_overflow: int
    warnings: list[str]


def advise(
    requests_per_second: float,
    hold_ms: float,
    *,
    workers: int = 1,
    database: str = "postgresql",
    pool_size: int = 5,
    max_overflow: int = 10,
) -> PoolAdvice:
    """Suggest pool settings for a load, and say when the load exceeds what is configured.

    100 requests/s, each holding its connection 200 ms, keep 100 x 0.2 = 20 connections busy.
    """
    if requests_per_second <= 0 or hold_ms <= 0 or workers < 1:
        raise ValueError("requests per second and hold time must be positive, workers at least 1")
    needed = math.ceil(requests_per_second / workers * hold_ms / 1000)
    suggested_size = max(pool_size, needed)
    suggested_overflow = max(max_overflow, math.ceil(suggested_size / 2))
    warnings = []
    if needed > pool_size + max_overflow:
        warnings.append(
            f"{needed} connections are busy at this load, more than pool_size + max_overflow "
            f"= {pool_size + max_overflow}: requests would wait, then get 503s."
        )
    server_limit = TYPICAL_MAX_CONNECTIONS.get(database)
    total = workers * (suggested_size + suggested_overflow)
    if server_limit and total > server_limit:
        warnings.append(
            f"{workers} worker(s) x {suggested_size + suggested_overflow} connections = {total}, "
            f"more than a default {database} server allows (max_connections = {server_limit})."
        )
    return PoolAdvice(needed, suggested_size, suggested_overflow, warnings)
