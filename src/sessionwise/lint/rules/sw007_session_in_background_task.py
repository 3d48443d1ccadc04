"""SW007: the request's session handed to a background task."""

import ast
from collections.abc import Iterator

from sessionwise.lint.findings import DISPLAY_ONLY, Finding
from sessionwise.lint.model.context import FileContext
from sessionwise.lint.rule import Rule


def check(ctx: FileContext) -> Iterator[Finding]:
    for facts, node in ctx.functions():
        if not (ctx.is_endpoint(facts) or ctx.is_dependency(facts)):
            continue
        scope = ctx.scope(facts)
        for child in ctx.own(node):
            if not (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Attribute)
                and child.func.attr == "add_task"
            ):
                continue
            passed = child.args[1:] + [keyword.value for keyword in child.keywords]
            if any(
                isinstance(argument, ast.Name)
                and ctx.session_kind(ctx.resolver.value(argument, scope)) is not None
                for argument in passed
            ):
                yield ctx.finding(child, "SW007")


RULE = Rule(
    code="SW007",
    name="session-in-background-task",
    title="the request's session in a background task",
    message=(
        "the request's session is handed to a background task, which runs after the response, "
        "when the dependency has closed (or is closing) that session"
    ),
    fix="pass ids or plain data, and open a new session inside the task",
    fix_applicability=(DISPLAY_ONLY,),
    check=check,
    docs={
        "What it does": """\
`sessionwise check` reports **SW007** for a request's session (a parameter or a local holding a
session) passed, by position or keyword, to `background_tasks.add_task(...)`. Other values,
including other `Annotated[...]` parameters, are not.
""",
        "Why is this bad?": """\
Connections leak one per request that schedules the task, until the pool is empty:

```text
sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30.00
```

Writes made by the task are lost without an error, and on SQLite other writers fail with
`sqlite3.OperationalError: database is locked` because the task's transaction is never ended.

```python
@app.post("/orders")
def create_order(session: SessionDep, tasks: BackgroundTasks):
    ...
    tasks.add_task(send_receipt, session)  # runs after the response
```

Background tasks run after the response is sent. By then the dependency has closed the session.
A closed SQLAlchemy session can still be used: it begins a new transaction and checks out a new
connection, but nothing will commit it, roll it back or close it, so the connection stays checked
out until the garbage collector finds the session. With the default dependency scope the task
runs before the clean-up instead, and the request's connection is held for as long as the task
takes.
""",  # noqa: E501
        "Example: what the template generates instead": """\
The generated endpoints do not use background tasks. The session factory is importable, so a task
opens and closes a session of its own:

```python
from my_service.db import SessionLocal

def send_receipt(order_id: int) -> None:
    with SessionLocal() as session, session.begin():
        ...
```

Pass ids, not ORM objects or sessions, to the task.
""",
        "Generated tests that catch it": """\
No generated endpoint schedules a background task, so no generated test fails for this mistake
out of the box. The property it breaks, that every connection is back in the pool once a request
has finished, is what `test_every_request_returns_its_connection_and_closes_its_session` asserts
after each request it makes; add an endpoint that uses background tasks to that test's list of
requests.
""",
        "Fix safety": """\
**Display-only.** The repair is to pass ids or plain data to the task and open a new session
inside it; what the task needs from the request's objects, and how it opens its session, are
the application's to decide. `--fix` changes nothing.
""",
    },
)
