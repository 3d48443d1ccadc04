"""A closed-loop HTTP/1.1 load generator: C keep-alive connections on loopback, for D seconds.

    python bench/loadgen.py --port P --method GET --concurrency 100 --duration 5 --ids 1000

Each connection sends a request, reads the response, and sends the next one. GET asks for
/items/{random id}: an id up to --ids exists (200 expected), a share --miss-rate of them do
not (404 expected, the error path of the service). POST creates an item with a unique name
(201 expected). A request that takes longer than --timeout is given up (the connection is
closed and reopened, as a client or proxy would). Prints one JSON object.

The load runs for --ramp seconds before the --duration measured ones. Requests sent during the
ramp (C clients connecting at once, the service's pool growing) count for errors and statuses
but not for req/s and latency, so that these describe the steady state.

It runs in its own process, with uvloop when it is installed, so that it does not share an
event loop or a GIL with the server it measures.
"""

import argparse
import asyncio
import json
import random
import time
from collections import Counter
from typing import Any

STUCK = 2.0  # a request still unanswered at the end after this many seconds is stuck


def percentile_ms(ordered: list[float], share: float) -> float | None:
    if not ordered:
        return None
    return 1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Load:
    def __init__(self, options: argparse.Namespace) -> None:
        self.options = options
        self.latencies: list[float] = []
        self.statuses: Counter[int] = Counter()
        self.unexpected = 0
        self.errors: Counter[str] = Counter()
        self.in_flight_at_end = 0
        self.stuck_at_end = 0
        self.random = random.Random(options.seed)
        self.measured_from = 0.0
        self.deadline = 0.0
        self.answered_in_window = 0

    def request(self, worker: int, number: int) -> tuple[bytes, int]:
        host = f"Host: 127.0.0.1:{self.options.port}\r\n"
        if self.options.method == "GET":
            if self.random.random() < self.options.miss_rate:
                item_id, expected = self.options.ids + 1 + self.random.randrange(10**6), 404
            else:
                item_id, expected = self.random.randint(1, self.options.ids), 200
            return f"GET /items/{item_id} HTTP/1.1\r\n{host}\r\n".encode(), expected
        body = json.dumps(
            {"name": f"{self.options.tag}-{worker}-{number}", "description": "bench"}
        ).encode()
        head = (
            f"POST /items HTTP/1.1\r\n{host}Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body, 201

    async def worker(self, worker: int) -> None:
        options = self.options
        reader: asyncio.StreamReader | None = None
        writer: asyncio.StreamWriter | None = None
        number = 0
        while time.perf_counter() < self.deadline:
            if writer is None or reader is None:
                try:
                    async with asyncio.timeout_at(self.loop_deadline()):
                        reader, writer = await asyncio.open_connection("127.0.0.1", options.port)
                except TimeoutError:
                    break
                except OSError:
                    self.errors["connect"] += 1
                    await asyncio.sleep(0.01)
                    continue
            payload, expected = self.request(worker, number)
            number += 1
            started = time.perf_counter()
            give_up = min(started + options.timeout, self.deadline)
            keep_alive = True
            try:
                async with asyncio.timeout_at(self.to_loop_time(give_up)):
                    writer.write(payload)
                    head = await reader.readuntil(b"\r\n\r\n")
                    status = int(head[9:12])
                    lower = head.lower()
                    at = lower.find(b"content-length:")
                    if at < 0:
                        raise ValueError("no content-length")
                    length = int(lower[at + 15 : lower.find(b"\r\n", at)])
                    await reader.readexactly(length)
                    keep_alive = b"connection: close" not in lower
            except TimeoutError:
                if give_up < self.deadline:
                    self.errors["timeout"] += 1
                else:
                    self.in_flight_at_end += 1
                    self.stuck_at_end += self.deadline - started > STUCK
                keep_alive = False
            except (OSError, asyncio.IncompleteReadError, ValueError):
                self.errors["socket"] += 1
                keep_alive = False
            else:
                finished = time.perf_counter()
                if finished <= self.deadline:
                    self.answered_in_window += finished >= self.measured_from
                    if started >= self.measured_from:
                        self.latencies.append(finished - started)
                    self.statuses[status] += 1
                    self.unexpected += status != expected
            if not keep_alive:
                writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    def to_loop_time(self, moment: float) -> float:
        return asyncio.get_running_loop().time() + (moment - time.perf_counter())

    def loop_deadline(self) -> float:
        return self.to_loop_time(self.deadline)

    async def run(self) -> dict[str, Any]:
        options = self.options
        self.measured_from = time.perf_counter() + options.ramp
        self.deadline = self.measured_from + options.duration
        await asyncio.gather(*(self.worker(n) for n in range(options.concurrency)))
        ordered = sorted(self.latencies)
        non_2xx = sum(n for status, n in self.statuses.items() if not 200 <= status < 300)
        return {
            "method": options.method,
            "concurrency": options.concurrency,
            "duration_s": options.duration,
            "ramp_s": options.ramp,
            "requests": len(ordered),
            "rps": self.answered_in_window / options.duration,
            "p50_ms": percentile_ms(ordered, 0.50),
            "p99_ms": percentile_ms(ordered, 0.99),
            "statuses": {str(status): n for status, n in sorted(self.statuses.items())},
            "non_2xx": non_2xx,
            "server_errors": sum(n for status, n in self.statuses.items() if status >= 500),
            "unexpected_status": self.unexpected,
            "socket_errors": self.errors["socket"] + self.errors["connect"],
            "timeouts": self.errors["timeout"],
            "in_flight_at_end": self.in_flight_at_end,
            "stuck_at_end": self.stuck_at_end,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--method", choices=["GET", "POST"], default="GET")
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--ramp", type=float, default=0.0)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--ids", type=int, default=1000)
    parser.add_argument("--miss-rate", type=float, default=0.05)
    parser.add_argument("--tag", default="bench")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    try:
        import uvloop
    except ImportError:
        result = asyncio.run(Load(options).run())
    else:
        result = uvloop.run(Load(options).run())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
