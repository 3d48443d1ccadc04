"""The interactive questions of `sessionwise new`, answered by simulated keystrokes."""

from collections.abc import Iterator
from typing import Any

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.output import DummyOutput

from sessionwise.prompts import ask_answers

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
    answers = answer(keyboard, {}, DOWN + ENTER, DOWN + ENTER, ENTER, ENTER, "n")

    assert answers["mode"] == "async"
    assert answers["database"] == "postgresql"
    assert answers["driver"] == "asyncpg"
    assert answers["pool_size"] == 5
    assert "catalog_owner" not in answers  # an empty answer leaves it to copier


def test_pool_is_sized_from_the_expected_load(
    keyboard: PipeInput, capsys: pytest.CaptureFixture[str]
) -> None:
    given = {"mode": "sync", "database": "postgresql", "driver": "psycopg"}

    # transaction policy, "size it?", 100 requests/s, 200 ms (the default), 1 worker
    answers = answer(keyboard, given, ENTER, "y", "100" + ENTER, ENTER, ENTER)

    assert (answers["pool_size"], answers["max_overflow"]) == (20, 10)
    assert "more than pool_size + max_overflow = 15" in capsys.readouterr().out
