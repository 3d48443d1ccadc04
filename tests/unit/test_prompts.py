"""The interactive questions of `sessionwise new`, answered by simulated keystrokes."""

from collections.abc import Iterator
from typing import Any

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.output import DummyOutput

from sessionwise.scaffold.prompts import ask_answers

DOWN, ENTER = "\x1b[B", "\r"
NAMES = {"project_name": "Orders", "project_slug": "orders", "package_name": "orders"}


@pytest.fixture
def keyboard() -> Iterator[PipeInput]:
    with create_pipe_input() as keys, create_app_session(input=keys, output=DummyOutput()):
        yield keys


def answer(keyboard: PipeInput, given: dict[str, Any], *keys: str) -> dict[str, Any]:
    keyboard.send_text("".join(keys) + ENTER * 12)  # then accept every remaining default
    return ask_answers({**NAMES, "description": "d", **given})


@pytest.mark.parametrize(("mode", "second_driver"), [("sync", "psycopg2"), ("async", "psycopg")])
def test_driver_menu_offers_only_what_fits_the_mode(
    keyboard: PipeInput, mode: str, second_driver: str
) -> None:
    answers = answer(keyboard, {"mode": mode, "database": "postgresql"}, DOWN + ENTER)

    assert answers["driver"] == second_driver


def test_menus_then_defaults(keyboard: PipeInput) -> None:
    # mode, database, driver, connection proxy, transaction policy, "size it?"
    answers = answer(keyboard, {}, DOWN + ENTER, DOWN + ENTER, ENTER, ENTER, ENTER, "n")

    assert answers["mode"] == "async"
    assert answers["database"] == "postgresql"
    assert answers["driver"] == "asyncpg"
    assert answers["connection_proxy"] == "none"
    assert answers["pool_size"] == 5
    assert "catalog_owner" not in answers  # an empty answer leaves it to copier


def test_pgbouncer_is_offered_for_postgresql(keyboard: PipeInput) -> None:
    given = {"mode": "async", "database": "postgresql", "driver": "asyncpg"}

    answers = answer(keyboard, given, DOWN + ENTER)

    assert answers["connection_proxy"] == "pgbouncer"


def test_no_proxy_question_for_other_databases(keyboard: PipeInput) -> None:
    answers = answer(keyboard, {"mode": "sync", "database": "mysql"}, ENTER, DOWN + ENTER)

    assert answers["driver"] == "pymysql"
    assert "connection_proxy" not in answers  # copier's default, none
    assert answers["transaction_policy"] == "commit_on_success"


SYNC_POSTGRESQL = {"mode": "sync", "database": "postgresql", "driver": "psycopg"}


def test_pool_is_sized_from_the_expected_load(
    keyboard: PipeInput, capsys: pytest.CaptureFixture[str]
) -> None:
    # proxy, policy, "size it?", 100 requests/s, 200 ms, 1 worker, max_connections 100
    keys = [ENTER, ENTER, "y", "100" + ENTER, ENTER, ENTER, ENTER]

    answers = answer(keyboard, SYNC_POSTGRESQL, *keys)

    assert (answers["pool_size"], answers["max_overflow"]) == (20, 10)
    out = capsys.readouterr().out
    assert "more than pool_size + max_overflow = 15" in out
    assert "WEB_CONCURRENCY=1; CONNECTION_BUDGET=90" in out


def test_the_pool_suggested_for_many_workers_fits_max_connections(
    keyboard: PipeInput, capsys: pytest.CaptureFixture[str]
) -> None:
    # 400 requests/s, 250 ms, 4 workers, the server allows 100
    keys = [ENTER, ENTER, "y", "400" + ENTER, "\b\b\b250" + ENTER, "\b4" + ENTER, ENTER]

    answers = answer(keyboard, SYNC_POSTGRESQL, *keys)

    assert (answers["pool_size"], answers["max_overflow"]) == (22, 0)
    assert "4 worker(s) x 25 busy connections = 100" in capsys.readouterr().out


def test_behind_pgbouncer_the_limit_asked_is_its_max_client_conn(
    keyboard: PipeInput, capsys: pytest.CaptureFixture[str]
) -> None:
    # pgbouncer, policy, "size it?", 100 requests/s, 200 ms, 2 workers, max_client_conn 500
    keys = [DOWN + ENTER, ENTER, "y", "100" + ENTER, ENTER, "\b2" + ENTER, "\b\b\b500" + ENTER]

    answers = answer(keyboard, SYNC_POSTGRESQL, *keys)

    assert answers["connection_proxy"] == "pgbouncer"
    assert (answers["pool_size"], answers["max_overflow"]) == (10, 10)
    assert "CONNECTION_BUDGET=450" in capsys.readouterr().out
