"""SW002: an engine (a connection pool) created by code that runs on every request.

Not reported in a function nothing in the project names (it runs on no request), nor for an
engine an endpoint disposes after using it (the requests of that one route connect anew,
slowly, but give their connections back); in middleware, which runs on every request, it is.
"""

import ast
from collections.abc import Iterator

from sessionwise.lint.findings import DISPLAY_ONLY, Finding
from sessionwise.lint.model.context import FileContext
from sessionwise.lint.model.index import FunctionKey
from sessionwise.lint.model.resolve import ENGINE_CREATORS, FACTORY_CLASSES, Resolver
from sessionwise.lint.model.summary import FunctionFacts
from sessionwise.lint.model.values import External, FunctionRef
from sessionwise.lint.rule import Rule
from sessionwise.lint.syntax.nodes import keyword


def check(ctx: FileContext) -> Iterator[Finding]:
    for facts, node in ctx.functions():
        if not ctx.per_request(facts) or ctx.never_called(facts):
            continue
        scope = ctx.scope(facts)
        fresh_engines = set()
        for call, cached in facts.calls:
            if cached:
                continue
            callee = ctx.resolver.value(call.func, scope)
            if isinstance(callee, External) and callee.name in ENGINE_CREATORS:
                fresh_engines |= assigned_names(facts, call)
                throw_away = ctx.is_endpoint(facts) and ctx.disposed_after_use(facts, node, call)
                if not throw_away:
                    yield ctx.finding(call, "SW002")
            elif isinstance(callee, FunctionRef) and creates_engine(
                ctx.resolver, callee.key, set()
            ):
                fresh_engines |= assigned_names(facts, call)
                yield ctx.finding(call, "SW002", "helper")
        for call, _ in facts.calls:
            callee = ctx.resolver.value(call.func, scope)
            if isinstance(callee, External) and callee.name in FACTORY_CLASSES:
                bind = call.args[0] if call.args else keyword(call, "bind")
                if isinstance(bind, ast.Name) and bind.id in fresh_engines:
                    yield ctx.finding(call, "SW002", "factory")


def assigned_names(facts: FunctionFacts, call: ast.Call) -> set[str]:
    return {
        name
        for name, bindings in facts.env.items()
        if any(binding.value is call for binding in bindings)
    }


def creates_engine(resolver: Resolver, key: FunctionKey, seen: set[FunctionKey]) -> bool:
    """Calling this project function creates a new engine each time (it is not cached)."""
    facts = resolver.index.function(key)
    if facts is None or facts.cached or key in seen:
        return False
    seen.add(key)
    scope = resolver.function_scope(facts)
    for call, cached in facts.calls:
        if cached:
            continue
        callee = resolver.value(call.func, scope)
        if isinstance(callee, External) and callee.name in ENGINE_CREATORS:
            return True
        if isinstance(callee, FunctionRef) and creates_engine(resolver, callee.key, seen):
            return True
    return False


RULE = Rule(
    code="SW002",
    name="engine-per-request",
    title="an engine per request",
    message=(
        "an engine is created on every request: each one opens its own connection pool, so "
        "every request connects anew and the database runs out of connections"
    ),
    fix="create the engine once, at module level or in the lifespan, and reuse it",
    fix_applicability=(DISPLAY_ONLY,),
    variants={
        "helper": (
            "this call creates a new engine (through a helper) on every request: each one opens "
            "its own connection pool, so every request connects anew and the database runs out of "
            "connections"
        ),
        "factory": (
            "a session factory bound to an engine created on this request: its sessions use a "
            "pool that lives for one request"
        ),
    },
    check=check,
    docs={
        "What it does": """\
`sessionwise check` reports **SW002** for an engine created by code that runs on every request
(a dependency, an endpoint, a middleware), directly or through a helper function that creates
a new engine each time it is called, and for a session factory bound to such an engine. A
`sessionmaker` built per request on a shared engine (or on `engine.execution_options(...)`) is
not reported: it opens no pool. Nor is an engine a helper keeps after the first call (in a
module global, an attribute, or behind `functools.cache`).
""",
        "Why is this bad?": """\
No error at first: requests are slower than they should be (each one opens a new TCP connection,
authenticates, and with TLS negotiates), and the database shows far more connections than the
service's pool allows. Under load the server refuses new connections:

```text
sqlalchemy.exc.OperationalError: (psycopg.OperationalError) connection failed: ... FATAL:  sorry, too many clients already
sqlalchemy.exc.OperationalError: (pymysql.err.OperationalError) (1040, 'Too many connections')
```

```python
def get_db():
    engine = create_engine(DATABASE_URL)  # a new pool for every request
    with Session(engine) as session:
        yield session
```

An engine owns a connection pool. Created inside the dependency, each request gets a new pool
holding one new connection; the pool is thrown away with the engine, and its connection is only
closed when the garbage collector finalises it. Nothing is reused and nothing limits the total.
""",  # noqa: E501
        "Example: what the template generates": """\
One engine per process, created when `db.py` is imported, configured from the settings; the
dependency only opens sessions on it.

```python
--8<-- "sync-sqlite-explicit/parts/db/engine.py"
```
""",
        "Generated tests that catch it": """\
- `test_requests_reuse_the_pooled_connections`: ten requests in a row open no new database
  connection.
- `test_every_request_returns_its_connection_and_closes_its_session`: every request goes through
  the app's one pool and gives its connection back.
""",
        "Fix safety": """\
**Display-only.** The repair is to create the engine once, at module level or in the lifespan,
and reuse it; where it should live (and how the URL reaches it) is a decision about the
application's structure that no single edit makes. The report says what to do; `--fix` changes
nothing.
""",
    },
)
