"""SW003: a sync Session used by `async def` code, on the event loop."""

import ast
from collections.abc import Iterator

from sessionwise.lint.findings import DISPLAY_ONLY, Finding
from sessionwise.lint.model.context import FileContext
from sessionwise.lint.model.summary import OFFLOADERS, FunctionFacts, Param
from sessionwise.lint.model.values import External, FunctionRef, Session, SessionScope
from sessionwise.lint.rule import Rule


def check(ctx: FileContext) -> Iterator[Finding]:
    for facts, node in ctx.functions():
        if not facts.is_async or not (ctx.is_endpoint(facts) or ctx.is_dependency(facts)):
            continue
        scope = ctx.scope(facts)
        nodes = ctx.own(node)
        offloaded = offloaded_arguments(ctx, facts, nodes)
        for param in facts.params:
            value = ctx.resolver.parameter(param.annotation, param.default, scope, 0)
            if ctx.session_kind(value) == "sync" and not only_offloaded(param, node, offloaded):
                yield ctx.finding(param.node, "SW003")
        for child in nodes:
            if isinstance(child, ast.Call) and id(child) not in offloaded:
                value = ctx.resolver.value(child, scope)
                opens = isinstance(value, SessionScope | Session)
                if opens and ctx.session_kind(value) == "sync" and creates(ctx, child, scope):
                    yield ctx.finding(child, "SW003")


def creates(ctx: FileContext, call: ast.Call, scope: object) -> bool:
    """The call opens a session (rather than fetching an existing one)."""
    callee = ctx.resolver.value(call.func, scope)  # type: ignore[arg-type]
    return not isinstance(callee, External) or callee.name.endswith(("Session", "begin"))


def offloaded_arguments(ctx: FileContext, facts: FunctionFacts, nodes: list[ast.AST]) -> set[int]:
    """Ids of the expressions handed to a worker thread (`run_in_threadpool(f, db)`,
    `anyio.to_thread.run_sync`, `asyncio.to_thread`, a project wrapper that does so)."""
    scope = ctx.scope(facts)
    found: set[int] = set()
    for node in nodes:
        if not isinstance(node, ast.Call):
            continue
        callee = ctx.resolver.value(node.func, scope)
        name = (
            node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        )
        wrapper = False
        if isinstance(callee, FunctionRef):
            target = ctx.index.function(callee.key)
            wrapper = bool(target and target.offloaded_params)
        if name in OFFLOADERS or wrapper:
            for argument in [*node.args, *(k.value for k in node.keywords)]:
                found |= {id(n) for n in ast.walk(argument)}
    return found


def only_offloaded(param: Param, function: ast.AST, offloaded: set[int]) -> bool:
    """Every use of the parameter is in what is handed to a worker thread."""
    uses = [n for n in ast.walk(function) if isinstance(n, ast.Name) and n.id == param.name]
    return bool(uses) and all(id(use) in offloaded for use in uses)


RULE = Rule(
    code="SW003",
    name="sync-session-in-async",
    title="a sync session in an `async def` endpoint",
    message=(
        "a sync Session used in `async def` runs its queries on the event loop: while one "
        "query waits for the database, every other request waits too"
    ),
    fix=(
        "use AsyncSession (async_sessionmaker), make the function a plain `def`, or run the "
        "database work in a thread (run_in_threadpool)"
    ),
    fix_applicability=(DISPLAY_ONLY,),
    check=check,
    docs={
        "What it does": """\
`sessionwise check` reports **SW003** for a sync `Session` that an `async def` endpoint
(including websocket endpoints and routes added with `add_api_route` or `app.get(path)(f)`) or
dependency receives, or that it opens itself (`SessionLocal()`, `Session(engine)`, a project
context manager yielding one). Work handed to a thread is not reported:
`run_in_threadpool(f, db)`, `anyio.to_thread.run_sync`, `asyncio.to_thread`,
`loop.run_in_executor`, or a project helper that passes its function to one of them.
""",
        "Why is this bad?": """\
No exception. Latency rises for every endpoint at once, throughput drops to about one database
query at a time per process, and `/health` times out while the database is slow. With
`PYTHONASYNCIODEBUG=1` asyncio logs warnings such as:

```text
Executing <Task pending name='...' coro=<...>> took 0.205 seconds
```

```python
@app.get("/items/{item_id}")
async def read_item(item_id: int, db: Session = Depends(get_db)):
    return db.get(Item, item_id)  # a blocking call on the event loop
```

FastAPI runs `def` endpoints in a thread pool, but runs `async def` endpoints on the event loop
itself. A sync `Session` blocks that loop for the whole round trip to the database, and every
other request of the process waits. The opposite mistake, an `AsyncSession` used without `await`
from sync code, fails with `sqlalchemy.exc.MissingGreenlet`.
""",
        "Example: what the template generates": """\
One consistent pair, chosen by the `mode` question: `def` endpoints with `Session`, or
`async def` endpoints with `AsyncSession` and `create_async_engine`.

```python
--8<-- "sync-sqlite-explicit/parts/items/read_item.py"
```

```python
--8<-- "async-sqlite-explicit/parts/items/read_item.py"
```
""",
        "Generated tests that catch it": """\
- `test_session_endpoints_match_the_sync_mode` (in a sync project) or
  `test_session_endpoints_match_the_async_mode` (in an async one): every endpoint that takes the
  session is a plain function in sync mode and a coroutine in async mode.
- `test_endpoints_get_a_sync_session` / `test_endpoints_get_an_async_session`: the dependency
  hands out the session type of the mode.
""",
        "Fix safety": """\
**Display-only.** Three repairs exist: an `AsyncSession` (a new driver, `await` on every query),
a plain `def` endpoint (FastAPI runs it in a worker thread), or `run_in_threadpool` around the
database work. Each changes how the endpoint runs and which driver the project needs, so the
choice is left to you; `--fix` changes nothing.
""",
    },
)
