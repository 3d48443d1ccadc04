"""What copier.yml says about each driver and about the pool, evaluated from its own rules, so
that the tests, the benchmarks and the CLI repeat none of it."""

from dataclasses import dataclass
from typing import Any

import jinja2

from sessionwise.template.questions import copier_config, fitting_drivers, question


@dataclass(frozen=True)
class Driver:
    name: str
    database: str
    mode: str
    url_scheme: str  # SQLAlchemy's dialect+driver, e.g. postgresql+asyncpg
    requirement: str  # the pinned requirement; "" for Python's own sqlite3

    @property
    def package(self) -> str:
        """The distribution the requirement names, with its extras: psycopg[binary]."""
        return self.requirement.split(">")[0]


def derived(name: str, **answers: Any) -> str:
    """The value copier.yml's derived question `name` takes for these answers."""
    rule = copier_config()[name]["default"]
    return jinja2.Environment().from_string(rule).render(**answers).strip()


def drivers() -> list[Driver]:
    """Every database, mode and driver copier.yml accepts, in its order of questions and
    choices (a driver that fits both modes, psycopg, is listed for each)."""
    return [
        Driver(
            name,
            database,
            mode,
            derived("url_scheme", driver=name),
            derived("driver_requirement", driver=name),
        )
        for database in question("database").values
        for mode in question("mode").values
        for name in fitting_drivers(database, mode)
    ]


def driver(name: str) -> Driver:
    """The driver called `name` (its URL scheme and requirement are the same in either mode)."""
    return next(d for d in drivers() if d.name == name)


POOL_QUESTIONS = ("pool_size", "max_overflow", "pool_timeout", "pool_recycle", "pool_pre_ping")


def pool_defaults() -> dict[str, Any]:
    """The pool settings a service gets when nothing is changed: copier.yml's defaults."""
    return {name: question(name).default for name in POOL_QUESTIONS}
