{% set package_name = cookiecutter.package_name %}
{% set mode = cookiecutter.mode %}
{% set is_async = mode == 'async' %}
{% set aw = "await " if is_async else "" %}
{% set fn = "async def" if is_async else "def" %}
{% set Client = "AsyncClient" if is_async else "TestClient" %}
"""Bad input is refused with a status the OpenAPI document declares, never a 500, and
nothing of it is stored (the cases a fuzzer found once, kept as regression tests)."""

{% if is_async %}
import pytest
from httpx import AsyncClient
{% else %}
from fastapi.testclient import TestClient
{% endif %}

from {{ package_name }}.main import app
from {{ package_name }}.models import DESCRIPTION_LENGTH, MAX_ID, NAME_LENGTH
from tests.conftest import item_names
{% if is_async %}

pytestmark = pytest.mark.anyio
{% endif %}

# Beyond the id column's INTEGER, beyond SQLite's 64 bits, and below the first id.
OUT_OF_RANGE = [MAX_ID + 1, 2**63, 10**30, 0, -1]


{{ fn }} test_out_of_range_ids_are_422(client: {{ Client }}) -> None:
    for item_id in OUT_OF_RANGE:
        for method in ("GET", "PUT", "DELETE"):
            response = {{ aw }}client.request(
                method, f"/items/{item_id}", json={"name": "in range"}
            )
            assert response.status_code == 422, (method, item_id, response.text)
            assert response.json()["detail"][0]["loc"] == ["path", "item_id"]
    assert ({{ aw }}client.get(f"/items/{MAX_ID}")).status_code == 404
    assert {{ aw }}item_names() == []


{{ fn }} test_out_of_range_offsets_and_limits_are_422(client: {{ Client }}) -> None:
    for offset in [MAX_ID + 1, 10**30, -1]:
        response = {{ aw }}client.get("/items", params={"offset": offset})
        assert response.status_code == 422, (offset, response.text)
    for limit in [0, 101, 10**30]:
        response = {{ aw }}client.get("/items", params={"limit": limit})
        assert response.status_code == 422, (limit, response.text)
    assert ({{ aw }}client.get("/items", params={"offset": MAX_ID})).json() == []


{{ fn }} test_text_no_database_can_store_is_422_and_stores_nothing(
    client: {{ Client }},
) -> None:
    # NUL, which PostgreSQL text cannot hold; unpaired surrogates, which no driver can
    # encode (sent as JSON escapes, which is how they arrive).
    for body in [
        '{"name": "nul\\u0000"}',
        '{"name": "ok", "description": "nul\\u0000"}',
        '{"name": "lone\\ud800"}',
        '{"name": "ok", "description": "lone\\udc00"}',
    ]:
        response = {{ aw }}client.post(
            "/items", content=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422, (body, response.text)
        assert response.json()["detail"][0]["loc"][0] == "body"
    assert {{ aw }}item_names() == []


{{ fn }} test_text_at_the_column_sizes_is_stored(client: {{ Client }}) -> None:
    name, description = "n" * NAME_LENGTH, "d" * DESCRIPTION_LENGTH
    longest = {"name": name, "description": description}
    created = {{ aw }}client.post("/items", json=longest)
    assert created.status_code == 201, created.text
    too_long = {"name": "x", "description": description + "d"}
    assert ({{ aw }}client.post("/items", json=too_long)).status_code == 422
    assert {{ aw }}item_names() == [name]


{{ fn }} test_malformed_bodies_are_refused_as_documented(client: {{ Client }}) -> None:
    json_body = {"Content-Type": "application/json"}
    not_json = {{ aw }}client.post("/items", content=b'{"name": ', headers=json_body)
    assert not_json.status_code == 422
    assert not_json.json()["detail"][0]["type"] == "json_invalid"
    latin1 = '{"name": "\xff"}'.encode("latin-1")
    not_utf8 = {{ aw }}client.post("/items", content=latin1, headers=json_body)
    assert not_utf8.status_code == 400
    assert "detail" in not_utf8.json()
    assert {{ aw }}item_names() == []


{{ fn }} test_unsupported_methods_are_405_with_every_allowed_method(
    client: {{ Client }},
) -> None:
    for path, allowed in [("/items", "GET, POST"), ("/items/1", "GET, PUT, DELETE")]:
        response = {{ aw }}client.request("PATCH", path)
        assert response.status_code == 405
        assert response.headers["Allow"] == allowed


# The statuses each operation of the example resource declares.
DOCUMENTED = {
    ("GET", "/health"): {"200"},
    ("GET", "/ready"): {"200", "503"},
    ("POST", "/items"): {"201", "400", "409", "422", "500", "503"},
    ("GET", "/items"): {"200", "422", "503"},
    ("GET", "/items/{item_id}"): {"200", "404", "422", "503"},
    ("PUT", "/items/{item_id}"): {"200", "400", "404", "409", "422", "500", "503"},
    ("DELETE", "/items/{item_id}"): {"204", "404", "422", "500", "503"},
}


def test_every_status_the_api_answers_with_is_documented() -> None:
    paths = app.openapi()["paths"]
    for (method, path), statuses in DOCUMENTED.items():
        assert set(paths[path][method.lower()]["responses"]) == statuses, (method, path)
    busy = paths["/items"]["post"]["responses"]["503"]
    assert busy["headers"]["Retry-After"]["required"] is True
