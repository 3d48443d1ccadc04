"""The Backstage form's pages and a set of answers to it, as a user fills it in."""

from typing import Any

from sessionwise.catalog.entries import DEFAULT_OWNER, DEFAULT_SOURCE, backstage_template
from sessionwise.template.questions import fitting_drivers, offered_proxies

PAGES = backstage_template(DEFAULT_SOURCE, DEFAULT_OWNER)["spec"]["parameters"]
REPOSITORY = {"repoUrl": "github.com?owner=acme&repo=orders-api"}  # the form's last page


def form_defaults() -> dict[str, Any]:
    """What the form holds before the user types: its defaults, and the answers it requires."""
    defaults = {
        name: field["default"]
        for page in PAGES
        for name, field in page["properties"].items()
        if "default" in field
    }
    # The defaults the form's page gives with the database and mode chosen.
    driver = fitting_drivers(defaults["database"], defaults["mode"])[0]
    proxy = offered_proxies(defaults["database"])[0]
    derived = {"project_slug": "my-service", "package_name": "my_service"}
    return defaults | derived | {"driver": driver, "connection_proxy": proxy}


def form_answers(**changes: Any) -> dict[str, Any]:
    return form_defaults() | REPOSITORY | changes
