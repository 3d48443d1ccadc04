"""The rules `sessionwise check` knows, one file each: its code, name, messages, fix, how safe
the fix is, the text of its docs page, and its check (`check(ctx)` yields the findings of one
file; SW000 has none: the engine reports a file it cannot parse)."""

from collections.abc import Callable, Iterator

from sessionwise.lint.findings import Finding
from sessionwise.lint.model.context import FileContext
from sessionwise.lint.rule import Rule
from sessionwise.lint.rules import (
    sw000_cannot_parse,
    sw001_return_session,
    sw002_engine_per_request,
    sw003_sync_session_in_async,
    sw004_pool_pre_ping,
    sw005_not_closed_on_error,
    sw006_commit_after_response,
    sw007_session_in_background_task,
    sw008_expire_on_commit,
)

RULES: dict[str, Rule] = {
    module.RULE.code: module.RULE
    for module in [
        sw000_cannot_parse,
        sw001_return_session,
        sw002_engine_per_request,
        sw003_sync_session_in_async,
        sw004_pool_pre_ping,
        sw005_not_closed_on_error,
        sw006_commit_after_response,
        sw007_session_in_background_task,
        sw008_expire_on_commit,
    ]
}
CHECKS: list[Callable[[FileContext], Iterator[Finding]]] = [
    rule.check for rule in RULES.values() if rule.check is not None
]
