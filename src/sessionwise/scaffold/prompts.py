"""Interactive answers for `sessionwise new`, asked with questionary in a terminal."""

from typing import Any

import questionary
import typer

from sessionwise.scaffold.pool_sizing import (
    PGBOUNCER_MAX_CLIENT_CONN,
    TYPICAL_MAX_CONNECTIONS,
    advise,
)
from sessionwise.template.questions import Question, fitting_drivers, offered_proxies, questions


def whole_number(text: str) -> bool | str:
    return text.lstrip("-").isdigit() or "type a whole number"


def positive_number(text: str) -> bool | str:
    try:
        return float(text) > 0 or "type a number above 0"
    except ValueError:
        return "type a number, e.g. 200"


def ask_one(question: Question, answers: dict[str, Any], default: Any) -> Any:
    message = f"{question.name}: {' '.join(question.help.split())}"
    if question.name == "driver":
        drivers = fitting_drivers(answers["database"], answers["mode"])
        return questionary.select(message, choices=drivers, default=drivers[0]).unsafe_ask()
    if question.choices:
        choices = [questionary.Choice(label, value) for label, value in question.choices.items()]
        return questionary.select(message, choices=choices, default=default).unsafe_ask()
    if question.type == "bool":
        return questionary.confirm(message, default=bool(default)).unsafe_ask()
    if question.type == "int":
        return int(
            questionary.text(message, default=str(default), validate=whole_number).unsafe_ask()
        )
    return questionary.text(message, default="" if default is None else str(default)).unsafe_ask()


def ask_whole_number(message: str, default: int) -> int:
    return int(questionary.text(message, default=str(default), validate=whole_number).unsafe_ask())


def size_the_pool(answers: dict[str, Any], defaults: dict[str, Any]) -> None:
    """Offer pool settings from the expected load (Little's law), within what the database
    (or PgBouncer) accepts from all the worker processes, and warn where the load exceeds."""
    if (
        answers["database"] == "sqlite"
        or not questionary.confirm(
            "Size the pool from your expected load?", default=False
        ).unsafe_ask()
    ):
        return
    rate = float(
        questionary.text("Peak requests per second:", validate=positive_number).unsafe_ask()
    )
    hold = float(
        questionary.text(
            "Milliseconds each request holds its connection:",
            default="200",
            validate=positive_number,
        ).unsafe_ask()
    )
    workers = ask_whole_number("Worker processes per instance (WEB_CONCURRENCY):", 1)
    if answers.get("connection_proxy") == "pgbouncer":
        limit_question = "PgBouncer's max_client_conn (client connections it accepts):"
        limit_default = PGBOUNCER_MAX_CLIENT_CONN
    else:
        limit_question = "The database server's max_connections:"
        limit_default = TYPICAL_MAX_CONNECTIONS[answers["database"]]
    max_connections = ask_whole_number(limit_question, limit_default)
    try:
        advice = advise(rate, hold, workers=workers, max_connections=max_connections)
    except ValueError as error:
        typer.secho(f"! {error}; keeping the default pool settings.", fg="yellow")
        return
    typer.echo(
        f"About {advice.needed} connections busy per worker: suggesting pool_size="
        f"{advice.pool_size}, max_overflow={advice.max_overflow}. Serve it with "
        f"WEB_CONCURRENCY={workers}; CONNECTION_BUDGET={advice.budget} makes each worker "
        "check at start that the pools fit."
    )
    for warning in advice.warnings:
        typer.secho(f"! {warning}", fg="yellow")
    defaults["pool_size"], defaults["max_overflow"] = advice.pool_size, advice.max_overflow


def ask_answers(given: dict[str, Any]) -> dict[str, Any]:
    """Ask every question not already answered, offering only what fits earlier answers."""
    answers = dict(given)
    defaults: dict[str, Any] = {}
    for question in questions():
        if question.name in answers:
            continue
        if question.name == "connection_proxy" and len(offered_proxies(answers["database"])) < 2:
            continue  # nothing to choose (PgBouncer is for PostgreSQL): copier's default
        if question.name == "pool_size":
            size_the_pool(answers, defaults)
        default = defaults.get(question.name, question.default)
        if isinstance(default, str) and "{{" in default:
            default = None  # copier computes it from earlier answers
        value = ask_one(question, answers, default)
        if value != "":  # an empty answer leaves the default to copier
            answers[question.name] = value
    return answers
