"""A small concurrent HTTP load on a served service, for tests that count what came back."""

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from itertools import count

import httpx


@dataclass
class Outcome:
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)  # requests that got no response


def concurrent_requests(port: int, clients: int, per_client: int, write: bool = False) -> Outcome:
    """`clients` keep-alive clients at once, each sending `per_client` requests one after
    another: GET /items, or (write) POST /items with a new name then GET it back."""
    outcome = Outcome()
    names = count()

    async def send(http: httpx.AsyncClient) -> None:
        if not write:
            outcome.statuses[(await http.get("/items")).status_code] += 1
            return
        created = await http.post("/items", json={"name": f"item-{next(names)}"})
        outcome.statuses[created.status_code] += 1
        if created.status_code == 201:
            read = await http.get(f"/items/{created.json()['id']}")
            outcome.statuses[read.status_code] += 1

    async def client(http: httpx.AsyncClient) -> None:
        for _ in range(per_client):
            try:
                await send(http)
            except httpx.HTTPError as error:
                outcome.failures.append(repr(error))

    async def load() -> None:
        # uvicorn closes a keep-alive connection idle for 5 s; the client drops its own sooner,
        # so that it never sends a request on one the server is closing.
        limits = httpx.Limits(max_connections=clients, keepalive_expiry=1.0)
        base_url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as http:
            await asyncio.gather(*(client(http) for _ in range(clients)))

    asyncio.run(load())
    return outcome
