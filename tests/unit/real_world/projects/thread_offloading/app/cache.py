from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool

_results: dict[str, Any] = {}


async def cached(key: str, compute: Callable[..., Any], *args: Any) -> Any:
    """Runs `compute` in a worker thread once per key."""
    if key not in _results:
        _results[key] = await run_in_threadpool(compute, *args)
    return _results[key]
