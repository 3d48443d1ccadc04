"""Serve an ASGI app under uvicorn (one worker, no access log) with the bench's instruments.

    python bench/serve.py MODULE:APP --port P --stats-port S [--handler-timeout SECONDS]

The instruments see the app from outside, without changing its code:

- every SQLAlchemy pool in the process (event listeners on the Pool class, so an engine
  made per request is seen too): connections checked out now, checkouts, new connections,
  and how long each checkout was held until its checkin;
- the event loop: a task that wakes every 10 ms records how late it wakes (a blocked loop
  shows as a long lag).

They are read from a small HTTP server on its own thread (GET /stats, POST /reset), which
answers even when the event loop is blocked. `--handler-timeout` cancels any request still
running after that many seconds (as an `asyncio.timeout` middleware or a proxy would), to
test that a cancelled request still returns its connection.
"""

import argparse
import asyncio
import importlib
import json
import sys
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import uvicorn

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LAG_TICK = 0.01


class Instruments:
    """Counters shared by the pool listeners, the loop monitor and the stats thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.checked_out = 0
        self.last_tick = time.perf_counter()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.checkouts = 0
            self.checkins = 0
            self.connects = 0
            self.hold_total = 0.0
            self.hold_max = 0.0
            self.peak_checked_out = self.checked_out
            self.max_lag = 0.0

    def checkout(self) -> None:
        with self.lock:
            self.checkouts += 1
            self.checked_out += 1
            self.peak_checked_out = max(self.peak_checked_out, self.checked_out)

    def checkin(self, held: float | None) -> None:
        with self.lock:
            self.checkins += 1
            self.checked_out -= 1
            if held is not None:
                self.hold_total += held
                self.hold_max = max(self.hold_max, held)

    def connect(self) -> None:
        with self.lock:
            self.connects += 1

    def tick(self) -> None:
        now = time.perf_counter()
        lag = now - self.last_tick - LAG_TICK
        self.last_tick = now
        if lag > self.max_lag:
            self.max_lag = lag

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            stalled = time.perf_counter() - self.last_tick - LAG_TICK
            return {
                "checked_out": self.checked_out,
                "peak_checked_out": self.peak_checked_out,
                "checkouts": self.checkouts,
                "checkins": self.checkins,
                "connects": self.connects,
                "hold_avg_ms": 1000 * self.hold_total / self.checkins if self.checkins else None,
                "hold_max_ms": 1000 * self.hold_max,
                "max_loop_lag_ms": 1000 * max(self.max_lag, stalled, 0.0),
            }


INSTRUMENTS = Instruments()


def instrument_sqlalchemy() -> None:
    try:
        from sqlalchemy import event
        from sqlalchemy.pool import Pool
    except ImportError:  # the raw-driver app has no SQLAlchemy
        return

    def on_connect(dbapi_connection: Any, record: Any) -> None:
        INSTRUMENTS.connect()

    def on_checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        record.info["bench_checkout"] = time.perf_counter()
        INSTRUMENTS.checkout()

    def on_checkin(dbapi_connection: Any, record: Any) -> None:
        started = record.info.pop("bench_checkout", None)
        INSTRUMENTS.checkin(None if started is None else time.perf_counter() - started)

    event.listen(Pool, "connect", on_connect)
    event.listen(Pool, "checkout", on_checkout)
    event.listen(Pool, "checkin", on_checkin)


async def watch_the_loop() -> None:
    while True:
        await asyncio.sleep(LAG_TICK)
        INSTRUMENTS.tick()


def instrumented(app: ASGIApp, handler_timeout: float | None) -> ASGIApp:
    tasks: set[asyncio.Task[None]] = set()

    async def bench_app(scope: Scope, receive: Receive, send: Send) -> None:
        if not tasks:
            INSTRUMENTS.last_tick = time.perf_counter()
            tasks.add(asyncio.get_running_loop().create_task(watch_the_loop()))
        if handler_timeout is None or scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = False

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            async with asyncio.timeout(handler_timeout):
                await app(scope, receive, tracked_send)
        except TimeoutError:
            if not started:
                await send({"type": "http.response.start", "status": 504, "headers": []})
                await send({"type": "http.response.body", "body": b"handler cancelled"})

    return bench_app


class StatsHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.answer(INSTRUMENTS.snapshot())

    def do_POST(self) -> None:
        INSTRUMENTS.reset()
        self.answer(INSTRUMENTS.snapshot())

    def answer(self, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("app", help="MODULE:ATTRIBUTE of the ASGI app")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--stats-port", type=int, required=True)
    parser.add_argument("--handler-timeout", type=float)
    options = parser.parse_args()

    # The raw-driver app next to this file (on sys.path: this script's folder) imports the
    # instruments as `serve`: the same module, not a second copy of it.
    sys.modules.setdefault("serve", sys.modules[__name__])
    instrument_sqlalchemy()
    module_name, attribute = options.app.split(":")
    app = getattr(importlib.import_module(module_name), attribute)

    stats = ThreadingHTTPServer(("127.0.0.1", options.stats_port), StatsHandler)
    threading.Thread(target=stats.serve_forever, daemon=True).start()
    uvicorn.run(
        instrumented(app, options.handler_timeout),
        host="127.0.0.1",
        port=options.port,
        workers=1,
        access_log=False,
        log_level="warning",
        lifespan="on",
    )


if __name__ == "__main__":
    main()
