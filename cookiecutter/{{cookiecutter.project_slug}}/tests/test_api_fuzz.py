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

from typing import Any

import schemathesis
{% if is_async %}
from httpx import ASGITransport, AsyncClient
{% else %}
from fastapi.testclient import TestClient
{% endif %}
from hypothesis import HealthCheck, settings
from schemathesis import Case

from {{ package_name }}.main import app

schema = schemathesis.openapi.from_asgi("/openapi.json", app)


def request_arguments(case: Case[Any]) -> dict[str, Any]:
    """What the client sends for this case (httpx takes raw bytes as content=)."""
    arguments = case.as_transport_kwargs()
    if isinstance(arguments.get("data"), bytes | str):
        arguments["content"] = arguments.pop("data")
    return arguments


@schema.parametrize()
@settings(
    max_examples=30,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
{% if is_async %}
async def test_every_operation_answers_as_documented(case: Case[Any]) -> None:
    # Runs on the event loop of the test run, which the pool's connections belong to.
    arguments = request_arguments(case)
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(
        transport=transport, base_url="http://test", cookies=arguments.pop("cookies")
    ) as client:
        response = await client.request(**arguments)
{% else %}
def test_every_operation_answers_as_documented(case: Case[Any]) -> None:
    arguments = request_arguments(case)
    # Server errors become 500 responses, which the checks then report.
    client = TestClient(
        app, raise_server_exceptions=False, cookies=arguments.pop("cookies")
    )
    response = client.request(**arguments)
{% endif %}
    case.validate_response(response)
