{% set package_name = cookiecutter.package_name %}
{% set transaction_policy = cookiecutter.transaction_policy %}
{% set mode = cookiecutter.mode %}
{% set is_async = mode == 'async' %}
{% set aw = "await " if is_async else "" %}
{% set fn = "async def" if is_async else "def" %}
{% set Client = "AsyncClient" if is_async else "TestClient" %}
"""Each test runs inside a transaction that is rolled back: what the app commits or
rolls back stays inside it, and nothing reaches the database."""

{% if is_async %}
import pytest
{% endif %}
from fastapi import FastAPI
{% if is_async %}
from httpx import AsyncClient
{% else %}
from fastapi.testclient import TestClient
{% endif %}
from sqlalchemy.exc import IntegrityError

from {{ package_name }}.db import SessionDep
from {{ package_name }}.models import Item
from tests.conftest import committed_item_names, item_names
{% if is_async %}

pytestmark = pytest.mark.anyio
{% endif %}

probe = FastAPI()


@probe.post("/add-each-once")
{{ fn }} add_each_name_once(names: list[str], session: SessionDep) -> list[str]:
    """Adds each name in a savepoint of its own; a name already taken is skipped."""
    added = []
    for name in names:
        try:
            {{ "async " if is_async }}with session.begin_nested():
                session.add(Item(name=name))
        except IntegrityError:
            continue
        added.append(name)
{% if transaction_policy == "explicit" %}
    {{ aw }}session.commit()
{% endif %}
    return added


{{ fn }} test_a_rollback_in_the_app_undoes_only_its_own_request(
    client: {{ Client }},
) -> None:
    assert ({{ aw }}client.post("/items", json={"name": "kept"})).status_code == 201

    # The duplicate fails in the database, and the app rolls its request back.
    assert ({{ aw }}client.post("/items", json={"name": "kept"})).status_code == 409
    assert ({{ aw }}client.post("/items", json={"name": "after"})).status_code == 201

    listed = ({{ aw }}client.get("/items")).json()
    assert [item["name"] for item in listed] == ["kept", "after"]
    # Everything stayed inside the test's transaction: nothing was committed for real.
    assert {{ aw }}committed_item_names() == []


{{ fn }} test_savepoints_of_the_app_nest_inside_the_test_transaction(
    probe_client: {{ Client }},
) -> None:
    response = {{ aw }}probe_client.post("/add-each-once", json=["a", "b", "a", "c"])

    assert response.status_code == 200
    assert response.json() == ["a", "b", "c"]
    assert {{ aw }}item_names() == ["a", "b", "c"]
    assert {{ aw }}committed_item_names() == []


{{ fn }} test_each_test_starts_from_empty_tables(client: {{ Client }}) -> None:
    # Another test of this module wrote "kept" and "a": rolled back, in any order.
    assert {{ aw }}item_names() == []
    assert ({{ aw }}client.post("/items", json={"name": "kept"})).status_code == 201
