{% set package_name = cookiecutter.package_name %}
"""The error responses the API documents besides FastAPI's 422, for a client to expect.

Each operation lists the ones it can return, so that its OpenAPI document (and a client
generated from it) knows every status the service answers with.
"""

from typing import Any

from {{ package_name }}.schemas import Message

Responses = dict[int | str, dict[str, Any]]

NOT_FOUND: Responses = {
    404: {"model": Message, "description": "No item has this id"},
}

NAME_TAKEN: Responses = {
    409: {"model": Message, "description": "The name is taken; nothing was saved"},
}

UNREADABLE_BODY: Responses = {
    400: {"model": Message, "description": "The body is unreadable (e.g. not UTF-8)"},
}

# main.py's handler for a pool timeout.
POOL_BUSY: Responses = {
    503: {
        "model": Message,
        "description": "Every database connection stayed busy; nothing was changed",
        "headers": {
            "Retry-After": {
                "description": "Seconds to wait before trying again",
                "schema": {"type": "integer"},
                "required": True,
            }
        },
    }
}

# health.py's readiness check.
DATABASE_UNAVAILABLE: Responses = {
    503: {"model": Message, "description": "No pooled connection answered SELECT 1"},
}

PLAIN_TEXT = {"type": "string"}

# Starlette's answer to an unexpected error, e.g. the database failing at commit.
STORE_FAILED: Responses = {
    500: {
        "description": "The database failed to store the change; nothing was saved",
        "content": {
            "text/plain": {"schema": PLAIN_TEXT},
        },
    }
}
