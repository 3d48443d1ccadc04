"""A small concurrent HTTP load on a served service, for tests that count what came back."""

import asyncio
from collections import Counter
from itertools import count

import httpx

FAILED = 0  # the status counted for a request that got no response


def concurrent_requests(
    port: int, clients: int, per_client: int, write: bool = False
) -> Counter[int]:
    """`clients` keep-alive clients at once, each sending `per_client` requests one after
    another: GET /items, or (write) POST /items with a new name then GET it back.
    Returns how many requests ended with each status."""
    statuses: Counter[int] = Counter()
    names = count()

    async def send(http: httpx.AsyncClient) -> None:
        if not write:
            statuses[(await http.get("/items")).status_code] += 1
            return
        created = await http.post("/items", json={"name": f"item-{next(names)}"})
        statuses[created.status_code] += 1
        if created.status_code == 201:
            statuses[(await http.get(f"/items/{created.json()['id']}")).status_code] += 1

    async def client(http: httpx.AsyncClient) -> None:
        for _ in range(per_client):
            try:
                await send(http)
            except httpx.HTTPError:
                statuses[FAILED] += 1

    async def load() -> None:
        limits = httpx.Limits(max_connections=clients)
        base_url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as http:
            await asyncio.gather(*(client(http) for _ in range(clients)))

    asyncio.run(load())
    return statuses
