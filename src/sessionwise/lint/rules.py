"""The session pitfalls `sessionwise check` finds: stable codes, messages, fixes, docs."""

from dataclasses import dataclass

DOCS_URL = "https://github.com/sessionwise/sessionwise/blob/main/docs/pitfalls/{slug}.md"


@dataclass(frozen=True)
class Rule:
    code: str
    slug: str
    message: str
    fix: str

    @property
    def url(self) -> str:
        return DOCS_URL.format(slug=self.slug)


RULES = {
    rule.code: rule
    for rule in [
        Rule(
            "SW000",
            "cannot-parse",
            "file could not be parsed as Python",
            "fix the syntax error; nothing else in this file was checked",
        ),
        Rule(
            "SW001",
            "return-instead-of-yield",
            "session dependency returns the session, so it is never closed",
            "`yield` the session inside `try: ... finally: session.close()` or `with`",
        ),
        Rule(
            "SW002",
            "engine-per-request",
            "engine or session factory created per request: a new pool for every request",
            "create the engine and sessionmaker once, at module level",
        ),
        Rule(
            "SW003",
            "sync-session-in-async",
            "sync Session used in an `async def` endpoint or dependency blocks the event loop",
            "use AsyncSession from async_sessionmaker, or make the endpoint a plain `def`",
        ),
        Rule(
            "SW004",
            "missing-pool-pre-ping",
            "engine without pool_pre_ping=True: requests fail after a database restart",
            "pass pool_pre_ping=True to create_engine / create_async_engine",
        ),
        Rule(
            "SW005",
            "session-not-closed-on-error",
            "yielded session is not closed when the endpoint raises",
            "wrap the `yield` in `try: ... finally: session.close()` or `with`/`async with`",
        ),
        Rule(
            "SW006",
            "commit-after-response",
            "dependency commits after `yield` with the default scope, after the response "
            "is sent: a failed commit reaches the client as a success",
            'use Depends(dependency, scope="function") so the commit runs before the response',
        ),
        Rule(
            "SW007",
            "session-in-background-task",
            "session handed to a background task, which runs after the session is closed",
            "pass ids or data, and open a new session inside the task",
        ),
        Rule(
            "SW008",
            "expire-on-commit",
            "async session factory without expire_on_commit=False: reading attributes "
            "after commit raises MissingGreenlet",
            "pass expire_on_commit=False to async_sessionmaker / AsyncSession",
        ),
    ]
}
