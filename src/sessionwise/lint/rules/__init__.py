"""One module per rule; each `check(ctx)` yields the findings of one file."""

from collections.abc import Callable, Iterator

from sessionwise.lint.checks import (
    sw001_return_session,
    sw002_engine_per_request,
    sw003_sync_session_in_async,
    sw004_pool_pre_ping,
    sw005_not_closed_on_error,
    sw006_commit_after_response,
    sw007_session_in_background_task,
    sw008_expire_on_commit,
)
from sessionwise.lint.context import FileContext
from sessionwise.lint.findings import Finding

CHECKS: list[Callable[[FileContext], Iterator[Finding]]] = [
    sw001_return_session.check,
    sw002_engine_per_request.check,
    sw003_sync_session_in_async.check,
    sw004_pool_pre_ping.check,
    sw005_not_closed_on_error.check,
    sw006_commit_after_response.check,
    sw007_session_in_background_task.check,
    sw008_expire_on_commit.check,
]
