{% set package_name = cookiecutter.package_name %}
{% set mode = cookiecutter.mode %}
{% set is_async = mode == 'async' %}
{% set aw = "await " if is_async else "" %}
"""The whole API fuzzed against its own OpenAPI document, in this process.

Schemathesis reads /openapi.json and sends each operation valid and invalid requests;
every answer must be one the document declares (status, body, headers), never a server
error, and invalid input must be refused. An endpoint you add joins on its own.
The seed is fixed: the same requests on every run.
"""

{% if is_async %}
import asyncio
{% endif %}
from typing import Any

import pytest
import schemathesis
{% if is_async %}
from httpx import ASGITransport, AsyncClient, Response
{% else %}
from fastapi.testclient import TestClient
{% endif %}
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, Case, GenerationMode

{% if is_async %}
from {{ package_name }}.db import engine
{% endif %}
from {{ package_name }}.main import app

# The fuzzer drives the app as its clients do{{ ", each request on an event loop of its own" if is_async }}:
# on the app's pool, outside the test transaction (every table is emptied after it).
pytestmark = pytest.mark.real_commits

# The document as the app builds it: asking the app for it over ASGI at import would
# open pooled connections outside the tests (on another event loop, in async mode).
schema = schemathesis.openapi.from_dict(app.openapi())


def cases(operation: APIOperation[Any, Any, Any, Any]) -> st.SearchStrategy[Case[Any]]:
    """Valid and invalid requests for one operation."""
    return st.one_of([operation.as_strategy(mode) for mode in GenerationMode])


# Every operation the document declares, yours included.
OPERATIONS = [
    operation for methods in schema.values() for operation in methods.values()
]


def request_arguments(case: Case[Any]) -> dict[str, Any]:
    """What the client sends for this case (httpx takes raw bytes as content=)."""
    arguments = case.as_transport_kwargs()
    if isinstance(arguments.get("data"), bytes | str):
        arguments["content"] = arguments.pop("data")
    return arguments


@settings(
    max_examples=30 * len(OPERATIONS),
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(case=st.sampled_from(OPERATIONS).flatmap(cases))
def test_every_operation_answers_as_documented(case: Case[Any]) -> None:
    arguments = request_arguments(case)
{% if is_async %}
    response = asyncio.run(send(arguments))
{% else %}
    # Server errors become 500 responses, which the checks then report.
    client = TestClient(
        app, raise_server_exceptions=False, cookies=arguments.pop("cookies")
    )
    response = client.request(**arguments)
{% endif %}
    case.validate_response(response)
{% if is_async %}


async def send(arguments: dict[str, Any]) -> Response:
    """One request on an event loop of its own (hypothesis calls the test
    synchronously); the connections it opened are closed on that loop too."""
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    cookies = arguments.pop("cookies")
    try:
        async with AsyncClient(
            transport=transport, base_url="http://test", cookies=cookies
        ) as client:
            return await client.request(**arguments)
    finally:
        await engine.dispose()
{% endif %}
