"""SW004: an engine whose pool hands out connections without checking them first.

Fix: `pool_pre_ping=True` added to the call (safe: what changes at run time is one round trip
to the database when a connection is taken from the pool, and a dead connection replaced
instead of failing the request); an explicit `pool_pre_ping=False` set to True (unsafe: it
undoes a choice someone wrote down, e.g. for a latency budget); a value that comes from
settings or options is display-only (the default belongs where the setting is defined).

Not reported for an engine whose pool serves no request: built in a function nothing in the
project names, or disposed in the function that built it (a throw-away engine).
"""

import ast
from collections.abc import Iterator

from sessionwise.lint.findings import DISPLAY_ONLY, SAFE, UNSAFE, Finding, Fix
from sessionwise.lint.model.context import FileContext
from sessionwise.lint.model.resolve import ENGINE_CREATORS, Scope
from sessionwise.lint.model.summary import FunctionFacts
from sessionwise.lint.model.values import Const, DictValue, External
from sessionwise.lint.rule import Rule
from sessionwise.lint.syntax.nodes import keyword

# Pools with nothing stale to check: a new connection each time, or one in-process database.
NO_STALE_CONNECTIONS = {"NullPool", "StaticPool", "SingletonThreadPool", "AssertionPool"}


def check(ctx: FileContext) -> Iterator[Finding]:
    for call in ctx.calls_named({"create_engine", "create_async_engine"}):
        function = ctx.enclosing_function(call)
        scope = ctx.scope(function)
        callee = ctx.resolver.value(call.func, scope)
        if not (isinstance(callee, External) and callee.name in ENGINE_CREATORS):
            continue
        if serves_no_request(ctx, function, call):
            continue
        if on_sqlite(ctx, call, scope) or pool_without_stale_connections(ctx, call, scope):
            continue
        if keyword(call, "pool") is not None:
            continue  # a ready pool keeps the pre-ping it was made with (pool.recreate() too)
        pre_ping = pre_ping_option(ctx, call, scope)
        edit = ctx.edit(call, "keyword", "pool_pre_ping", "True")
        if pre_ping is False:
            literal = isinstance(keyword(call, "pool_pre_ping"), ast.Constant)
            fix = Fix(UNSAFE, (edit,)) if literal else Fix(DISPLAY_ONLY)
            yield ctx.finding(call, "SW004", "off", fix=fix)
        elif pre_ping == "missing":
            yield ctx.finding(call, "SW004", fix=Fix(SAFE, (edit,)))


def serves_no_request(ctx: FileContext, function: FunctionFacts | None, call: ast.Call) -> bool:
    """Built in a function nothing in the project calls, or disposed right after its use:
    its pool never hands a connection to a request."""
    node = ctx.function_node(function)
    return node is not None and (
        ctx.never_called(function) or ctx.disposed_after_use(function, node, call)
    )


def pre_ping_option(ctx: FileContext, call: ast.Call, scope: Scope) -> bool | str | None:
    """True/False when known, "missing" when not given, None when it cannot be known."""
    given = keyword(call, "pool_pre_ping")
    if given is not None:
        return ctx.resolver.truth(given, scope, 0)
    for option in call.keywords:
        if option.arg is None:  # **options
            options = ctx.resolver.value(option.value, scope)
            if not isinstance(options, DictValue):
                return None
            for key, value in options.items:
                if key is None:
                    return None
                if isinstance(key, Const) and key.value == "pool_pre_ping":
                    return ctx.resolver.truth(value, options.scope, 0)
    return "missing"


def on_sqlite(ctx: FileContext, call: ast.Call, scope: Scope) -> bool:
    url = call.args[0] if call.args else keyword(call, "url")
    found = ctx.resolver.value(url, scope) if url is not None else None
    if isinstance(found, Const) and not found.default and str(found.value).startswith("sqlite"):
        return True
    connect_args = keyword(call, "connect_args")
    if connect_args is not None and "check_same_thread" in ast.unparse(connect_args):
        return True
    return any(sqlite_branch(ctx, node, call) for node in ctx.ancestors(call))


def sqlite_branch(ctx: FileContext, node: ast.AST, call: ast.Call) -> bool:
    """`if "sqlite" in url:` (or `url.startswith("sqlite")`) around the call, in its body."""
    if not isinstance(node, ast.If) or "sqlite" not in ast.unparse(node.test):
        return False
    return any(call is n for statement in node.body for n in ast.walk(statement))


def pool_without_stale_connections(ctx: FileContext, call: ast.Call, scope: Scope) -> bool:
    pool = keyword(call, "poolclass")
    if pool is None:
        return False
    branches = [pool.body, pool.orelse] if isinstance(pool, ast.IfExp) else [pool]
    for branch in branches:
        found = ctx.resolver.value(branch, scope)
        if not (
            isinstance(found, External) and found.name.rpartition(".")[2] in NO_STALE_CONNECTIONS
        ):
            return False
    return True


RULE = Rule(
    code="SW004",
    name="missing-pool-pre-ping",
    title="no `pool_pre_ping`",
    message=(
        "engine without pool_pre_ping=True: after a database restart or failover the pool "
        "hands out dead connections, and the first requests fail"
    ),
    fix="pass pool_pre_ping=True to create_engine / create_async_engine",
    fix_applicability=(SAFE, UNSAFE, DISPLAY_ONLY),
    variants={
        "off": (
            "pool_pre_ping is False here (or by the configured default): after a database restart "
            "or failover the pool hands out dead connections, and the first requests fail"
        ),
    },
    check=check,
    docs={
        "What it does": """\
`sessionwise check` reports **SW004** for an engine created without `pool_pre_ping=True`, and
for one where it is off: `False`, or a setting whose default is off (`config("PING",
default=False)`, a settings class field `pool_pre_ping: bool = False`), also when the options
come as `**options` from a dict or a helper returning one. Engines for SQLite (a `sqlite` URL,
`check_same_thread`, or an `if "sqlite" in url:` branch), with `NullPool`, and given a ready
pool (`pool=`, which keeps the pre-ping it was made with) are not reported.
When the value cannot be known statically, nothing is reported.
""",
        "Why is this bad?": """\
After the database restarts, fails over, or closes idle connections (a proxy or firewall timeout,
MySQL's `wait_timeout`), the next request on each pooled connection fails:

```text
sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) server closed the connection unexpectedly
	This probably means the server terminated abnormally
	before or while processing the request.
```

```text
sqlalchemy.exc.OperationalError: (pymysql.err.OperationalError) (2013, 'Lost connection to MySQL server during query')
```

The errors stop by themselves once every stale connection has failed once, which makes them hard
to reproduce.

The pool keeps connections open between requests. It does not know the server has dropped them
until one is used. `pool_pre_ping=True` makes the pool test a connection each time it is checked
out (a cheap ping) and replace it if it is dead, before your query runs on it. `pool_recycle`
replaces connections older than a limit, before a server or proxy timeout drops them.
""",  # noqa: E501
        "Example: what the template generates": """\
`pool_pre_ping` is on by default (question `pool_pre_ping`, environment variable
`POOL_PRE_PING`), with `pool_recycle=1800`:

```python
--8<-- "sync-sqlite-explicit/parts/settings/Settings.py"
```
""",
        "Generated tests that catch it": """\
- `test_requests_succeed_after_the_server_drops_every_connection` (in projects for PostgreSQL or
  MySQL, `tests/test_pre_ping.py`): after one request has pooled a connection, the test makes the
  server terminate every connection of the database; the next requests must still succeed.
""",
        "Fix safety": """\
`sessionwise check --fix` adds `pool_pre_ping=True` to the `create_engine` /
`create_async_engine` call (on a line of its own when the call has one argument per line).

**Safe** when the option was not given: at run time the pool now pings a connection each time
it hands one out (one round trip, well under a millisecond on a local network) and replaces a
dead one instead of failing the request; no query, result or transaction changes.
**Unsafe** where `pool_pre_ping=False` is written in the call: someone chose it (a latency
budget, a proxy that answers pings itself), and the fix undoes that choice; `--fix
--unsafe-fixes` sets it to `True`. **Display-only** where the value comes from settings or an
options dict: the default belongs where the setting is defined, not in the call.
""",
    },
)
