{% set package_name = cookiecutter.package_name %}
{% set mode = cookiecutter.mode %}
{% set is_async = mode == 'async' %}
{% set aw = "await " if is_async else "" %}
{% set fn = "async def" if is_async else "def" %}
{% set Client = "AsyncClient" if is_async else "TestClient" %}
"""The example resource, end to end over HTTP."""

{% if is_async %}
import pytest
from httpx import AsyncClient
{% else %}
from fastapi.testclient import TestClient
{% endif %}

from {{ package_name }}.settings import settings
from tests.conftest import item_names
{% if is_async %}

pytestmark = pytest.mark.anyio
{% endif %}


{{ fn }} test_create_then_read_an_item(client: {{ Client }}) -> None:
    created = {{ aw }}client.post("/items", json={"name": "lamp", "description": "desk"})
    assert created.status_code == 201
    item = created.json()
    assert item["name"] == "lamp"

    read = {{ aw }}client.get(f"/items/{item['id']}")
    assert read.status_code == 200
    assert read.json() == item
    assert {{ aw }}item_names() == ["lamp"]


{{ fn }} test_list_items_is_paginated_in_id_order(client: {{ Client }}) -> None:
    for name in ["a", "b", "c", "d", "e"]:
        assert ({{ aw }}client.post("/items", json={"name": name})).status_code == 201

    first = {{ aw }}client.get("/items", params={"limit": 2})
    second = {{ aw }}client.get("/items", params={"offset": 2, "limit": 2})
    assert [item["name"] for item in first.json()] == ["a", "b"]
    assert [item["name"] for item in second.json()] == ["c", "d"]
    assert ({{ aw }}client.get("/items", params={"limit": 0})).status_code == 422


{{ fn }} test_replace_an_item(client: {{ Client }}) -> None:
    item = ({{ aw }}client.post("/items", json={"name": "old"})).json()

    replaced = {{ aw }}client.put(f"/items/{item['id']}", json={"name": "new"})
    assert replaced.status_code == 200
    assert replaced.json()["name"] == "new"
    assert {{ aw }}item_names() == ["new"]


{{ fn }} test_delete_an_item(client: {{ Client }}) -> None:
    item = ({{ aw }}client.post("/items", json={"name": "gone"})).json()

    assert ({{ aw }}client.delete(f"/items/{item['id']}")).status_code == 204
    assert ({{ aw }}client.get(f"/items/{item['id']}")).status_code == 404
    assert {{ aw }}item_names() == []


{{ fn }} test_missing_item_is_404(client: {{ Client }}) -> None:
    assert ({{ aw }}client.get("/items/999999")).status_code == 404
    assert ({{ aw }}client.put("/items/999999", json={"name": "x"})).status_code == 404
    assert ({{ aw }}client.delete("/items/999999")).status_code == 404


{{ fn }} test_duplicate_name_is_409_and_keeps_the_first(client: {{ Client }}) -> None:
    assert ({{ aw }}client.post("/items", json={"name": "twin"})).status_code == 201
    other = ({{ aw }}client.post("/items", json={"name": "other"})).json()

    assert ({{ aw }}client.post("/items", json={"name": "twin"})).status_code == 409
    renamed = {{ aw }}client.put(f"/items/{other['id']}", json={"name": "twin"})
    assert renamed.status_code == 409
    assert {{ aw }}item_names() == ["other", "twin"]


{{ fn }} test_invalid_item_is_422(client: {{ Client }}) -> None:
    assert ({{ aw }}client.post("/items", json={"name": ""})).status_code == 422
    assert ({{ aw }}client.post("/items", json={"name": "x" * 101})).status_code == 422
    assert {{ aw }}item_names() == []


{{ fn }} test_health_and_readiness(client: {{ Client }}) -> None:
    assert ({{ aw }}client.get("/health")).json() == {"status": "ok"}
    ready = {{ aw }}client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "pool": {"size": settings.pool_size, "checked_out": 0, "overflow": 0},
    }
