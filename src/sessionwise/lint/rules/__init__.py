"""The rules `sessionwise check` knows, one file each: its code, name, messages, fix, how safe
the fix is, the text of its docs page, and its check (`check(ctx)` yields the findings of one
file; SW000 has none: the engine reports a file it cannot parse)."""

import importlib
import pkgutil
from collections.abc import Callable, Iterator

from sessionwise.lint.findings import Finding
from sessionwise.lint.model.context import FileContext
from sessionwise.lint.rule import Rule


def _rules_in_this_package() -> dict[str, Rule]:
    """Every module here is one rule, named after its code (`sw001_return_session`)."""
    modules = sorted(module.name for module in pkgutil.iter_modules(__path__))
    rules: list[Rule] = [importlib.import_module(f"{__name__}.{name}").RULE for name in modules]
    return {rule.code: rule for rule in rules}


RULES: dict[str, Rule] = _rules_in_this_package()
CHECKS: list[Callable[[FileContext], Iterator[Finding]]] = [
    rule.check for rule in RULES.values() if rule.check is not None
]
