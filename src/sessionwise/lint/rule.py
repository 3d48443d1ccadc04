"""The session pitfalls `sessionwise check` finds: stable codes, messages, fixes, docs.

Each message says what happens at run time; `fix` says what to do. A rule may have several
messages (variants) for the forms one mistake takes.
"""

from dataclasses import dataclass, field

DOCS_URL = "https://github.com/sessionwise/sessionwise/blob/main/docs/{page}"


@dataclass(frozen=True)
class Rule:
    code: str
    slug: str
    page: str  # under docs/
    message: str
    fix: str
    variants: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return DOCS_URL.format(page=self.page)

    def text(self, variant: str = "") -> str:
        return self.variants.get(variant, self.message)


RULES = {
    rule.code: rule
    for rule in [
        Rule(
            "SW000",
            "cannot-parse",
            "cannot-parse.md",
            "no Python version accepts this file, so none of its pitfalls can be checked",
            "fix the syntax error at the line given; nothing else in this file was checked",
        ),
        Rule(
            "SW001",
            "return-instead-of-yield",
            "pitfalls/return-instead-of-yield.md",
            "the dependency returns the session instead of yielding it: FastAPI never closes "
            "it, so every request keeps a pooled connection until garbage collection, and "
            "under load requests fail with `QueuePool limit ... reached`",
            "`yield` the session inside `with SessionLocal() as session:` (or try/finally "
            "with session.close())",
        ),
        Rule(
            "SW002",
            "engine-per-request",
            "pitfalls/engine-per-request.md",
            "an engine is created on every request: each one opens its own connection pool, "
            "so every request connects anew and the database runs out of connections",
            "create the engine once, at module level or in the lifespan, and reuse it",
            {
                "helper": "this call creates a new engine (through a helper) on every "
                "request: each one opens its own connection pool, so every request connects "
                "anew and the database runs out of connections",
                "factory": "a session factory bound to an engine created on this request: "
                "its sessions use a pool that lives for one request",
            },
        ),
        Rule(
            "SW003",
            "sync-session-in-async",
            "pitfalls/sync-session-in-async.md",
            "a sync Session used in `async def` runs its queries on the event loop: while "
            "one query waits for the database, every other request waits too",
            "use AsyncSession (async_sessionmaker), make the function a plain `def`, or run "
            "the database work in a thread (run_in_threadpool)",
        ),
        Rule(
            "SW004",
            "missing-pool-pre-ping",
            "pitfalls/missing-pool-pre-ping.md",
            "engine without pool_pre_ping=True: after a database restart or failover the "
            "pool hands out dead connections, and the first requests fail",
            "pass pool_pre_ping=True to create_engine / create_async_engine",
            {
                "off": "pool_pre_ping is False here (or by the configured default): after a "
                "database restart or failover the pool hands out dead connections, and the "
                "first requests fail",
            },
        ),
        Rule(
            "SW005",
            "session-not-closed-on-error",
            "pitfalls/session-not-closed-on-error.md",
            "the yielded session is closed only when the endpoint succeeds: each request that "
            "raises leaks a pooled connection",
            "wrap the `yield` in `with SessionLocal() as session:` (or try/finally with "
            "session.close())",
            {
                "on-error-only": "the session is closed only when the endpoint fails (in "
                "`except`): every successful request leaks a pooled connection",
                "never": "the yielded session is never closed: every request leaks a pooled "
                "connection",
            },
        ),
        Rule(
            "SW006",
            "commit-after-response",
            "pitfalls/commit-after-response.md",
            "this commit runs after the response was sent (the dependency has the default "
            "scope): a failed commit reaches the client as a success, and the data is lost",
            'use Depends(dependency, scope="function") so the commit runs before the response',
            {
                "finally": "this commit is in `finally`: it runs after the response was sent "
                "(default scope), and also when the endpoint failed, so half-done work is "
                "committed and a failed commit reaches the client as a success",
            },
        ),
        Rule(
            "SW007",
            "session-in-background-task",
            "pitfalls/session-in-background-task.md",
            "the request's session is handed to a background task, which runs after the "
            "response, when the dependency has closed (or is closing) that session",
            "pass ids or plain data, and open a new session inside the task",
        ),
        Rule(
            "SW008",
            "expire-on-commit",
            "pitfalls/expire-on-commit.md",
            "async session factory with expire_on_commit=True, and objects are read after a "
            "commit: each read is a lazy load, which fails with MissingGreenlet",
            "pass expire_on_commit=False to async_sessionmaker / AsyncSession (or refresh "
            "the object after the commit)",
        ),
    ]
}
