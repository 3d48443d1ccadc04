{% set package_name = cookiecutter.package_name %}
{% set mode = cookiecutter.mode %}
{% set is_async = mode == 'async' %}
"""Leak detection, after HikariCP's leakDetectionThreshold: a connection checked out
for longer than LEAK_DETECTION_THRESHOLD is reported once, with the request that holds
it and the application code that took it, and again when it comes back.

One thread per process looks at the checked-out connections a few times per threshold;
a checkout only notes the time, the request and the frames' positions.
"""

{% if is_async %}
import asyncio
{% endif %}
import linecache
import logging
import sys
import sysconfig
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from time import monotonic
from types import CodeType, FrameType
from typing import Any

{% if is_async %}
# SQLAlchemy's asyncio support runs the pool inside a greenlet (greenlet has no types).
import greenlet  # type: ignore[import-untyped]
{% endif %}
from sqlalchemy import Engine, event
from sqlalchemy.pool import ConnectionPoolEntry
from starlette.types import ASGIApp, Receive, Scope, Send

from {{ package_name }} import metrics
from {{ package_name }}.settings import settings

logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)
if not logging.getLogger().handlers:
    # Logging is not configured (uvicorn configures only its own loggers): without a
    # handler Python would print the warnings bare and drop the INFO lines.
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s:  %(name)s: %(message)s"))
    logger.addHandler(handler)

# The files of Python itself and of the installed libraries are not application code,
# unless they are this package's (installed into site-packages, e.g. in an image).
APPLICATION_PATH = str(Path(__file__).parent)
LIBRARY_PATHS = tuple(
    {sysconfig.get_paths()[kind] for kind in ("stdlib", "purelib", "platlib")}
)
# This module and the pool's timer: on every stack, telling nothing.
INSTRUMENTS = (__file__, metrics.__file__)
Frame = tuple[CodeType, int]  # the code and its last instruction's offset

request_scope: ContextVar[Scope | None] = ContextVar("request_scope", default=None)


class RequestNames:
    """ASGI middleware: a connection checked out while serving a request knows which."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = request_scope.set(scope)
        try:
            await self.app(scope, receive, send)
        finally:
            request_scope.reset(token)


def request_name(scope: Scope | None) -> str:
    """The method and the route template, e.g. GET /items/{item_id}: never the URL."""
    if scope is None:
        return "code outside any request"
    route = scope.get("route")
    path = getattr(route, "path", None) or "an unrouted path"
    return f"{scope.get('method', scope['type'])} {path}"


def holder() -> str:
{% if is_async %}
    try:
        task = asyncio.current_task()
    except RuntimeError:  # no event loop in this thread
        task = None
    if task is not None:
        return f"task {task.get_name()}"
{% endif %}
    return f"thread {threading.current_thread().name}"


def caller_frames() -> list[Frame]:
    """Where the checkout was called from, innermost first: the lines are looked up
    only for a report."""
    frames: list[Frame] = []
    frame: FrameType | None = sys._getframe(2)
{% if is_async %}
    current = greenlet.getcurrent()
{% endif %}
    while frame is not None:
        frames.append((frame.f_code, frame.f_lasti))
        frame = frame.f_back
{% if is_async %}
        if frame is None and current.parent is not None:
            # The greenlet's stack ends here; the code that awaited the pool is in the
            # parent's, where it switched to this greenlet.
            current = current.parent
            frame = current.gr_frame
{% endif %}
    return frames


def line_of(code: CodeType, offset: int) -> int:
    for start, end, line in code.co_lines():
        if start <= offset < end and line is not None:
            return line
    return code.co_firstlineno


def application_stack(frames: list[Frame]) -> str:
    """The frames of application code, outermost first, formatted as a traceback."""
    lines = []
    for code, offset in reversed(frames):
        filename = code.co_filename
        if filename in INSTRUMENTS or (
            not filename.startswith(APPLICATION_PATH)
            and (filename.startswith(LIBRARY_PATHS) or filename.startswith("<"))
        ):
            continue
        lineno = line_of(code, offset)
        lines.append(f'  File "{filename}", line {lineno}, in {code.co_name}')
        source = linecache.getline(filename, lineno).strip()
        if source:
            lines.append(f"    {source}")
    return "\n".join(lines) or "  (no application code on the stack)"


@dataclass
class Borrowing:
    since: float
    scope: Scope | None
    holder: str
    frames: list[Frame]
    reported: bool = False

    def who(self) -> str:
        return f"{request_name(self.scope)} on {self.holder}"


class LeakDetector:
    """Reports connections held longer than `threshold` seconds (0: never)."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.borrowed: dict[ConnectionPoolEntry, Borrowing] = {}
        self.lock = threading.Lock()
        self.sweeper: threading.Thread | None = None

    def on_checkout(self, _: Any, record: ConnectionPoolEntry, __: Any) -> None:
        frames = caller_frames()
        borrowing = Borrowing(monotonic(), request_scope.get(), holder(), frames)
        with self.lock:
            self.borrowed[record] = borrowing
            if self.sweeper is None:
                self.sweeper = threading.Thread(
                    target=self.sweep_forever, name="leak detection", daemon=True
                )
                self.sweeper.start()

    def on_checkin(self, _: Any, record: ConnectionPoolEntry) -> None:
        with self.lock:
            borrowing = self.borrowed.pop(record, None)
        if borrowing is not None and borrowing.reported:
            logger.info(
                "Previously reported leaked connection of pool %s (%s) was returned to"
                " the pool after %.1f s",
                metrics.POOL_NAME,
                borrowing.who(),
                monotonic() - borrowing.since,
            )

    def on_detach(self, _: Any, record: ConnectionPoolEntry) -> None:
        with self.lock:
            self.borrowed.pop(record, None)

    def sweep_forever(self) -> None:
        while True:
            # A leak is reported between 1 and 1.5 thresholds (at most 0.25 s late).
            time.sleep(min(self.threshold / 2, 0.25) or 0.25)
            if self.threshold:
                self.sweep()

    def sweep(self) -> None:
        now = monotonic()
        with self.lock:
            for borrowing in self.borrowed.values():
                held = now - borrowing.since
                if borrowing.reported or held <= self.threshold:
                    continue
                borrowing.reported = True
                metrics.leaked.inc()
                logger.warning(
                    "Connection leak detection triggered for a connection of pool %s,"
                    " checked out for %.1f s (LEAK_DETECTION_THRESHOLD %s s) by %s;"
                    " it was taken at (most recent call last):\n%s",
                    metrics.POOL_NAME,
                    held,
                    f"{self.threshold:g}",
                    borrowing.who(),
                    application_stack(borrowing.frames),
                )


detector = LeakDetector(settings.leak_detection_threshold)


def watch(engine: Engine) -> None:
    """Watch every connection `engine`'s pool lends, in requests and outside them."""
    event.listen(engine, "checkout", detector.on_checkout)
    event.listen(engine, "checkin", detector.on_checkin)
    event.listen(engine, "detach", detector.on_detach)
