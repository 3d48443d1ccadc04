"""The template's questions, read from copier.yml: the one source for the CLI and the catalogs."""

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2
import yaml

from sessionwise.template.source import template_file


@dataclass(frozen=True)
class Question:
    name: str
    type: str
    help: str
    default: Any
    choices: dict[str, Any]  # label -> value
    validator: str | None = None  # copier's Jinja rule; a message when the answer is refused

    @property
    def values(self) -> list[Any]:
        return list(self.choices.values())


@cache
def copier_config() -> dict[str, Any]:
    """copier.yml of the template this CLI renders (see `source.template_file`)."""
    config: dict[str, Any] = yaml.safe_load(template_file("copier.yml").read_text())
    return config


def questions() -> list[Question]:
    """The questions a user answers, in order (settings and derived values left out)."""
    found = []
    for name, spec in copier_config().items():
        if name.startswith("_") or spec.get("when") is False:
            continue
        choices = {
            label: choice["value"] if isinstance(choice, dict) else choice
            for label, choice in (spec.get("choices") or {}).items()
        }
        found.append(
            Question(
                name,
                spec.get("type", "str"),
                spec["help"],
                spec.get("default"),
                choices,
                spec.get("validator"),
            )
        )
    return found


def question(name: str) -> Question:
    return next(q for q in questions() if q.name == name)


def fitting_drivers(database: str, mode: str) -> list[str]:
    """The drivers copier.yml accepts for a database and a mode, evaluated from its own rule."""
    rule = copier_config()["fitting_drivers"]["default"]
    drivers: list[str] = json.loads(
        jinja2.Environment().from_string(rule).render(database=database, mode=mode)
    )
    return drivers


def offered_proxies(database: str) -> list[str]:
    """The connection proxies copier.yml accepts for a database: the choices whose own
    validator has nothing to say about it."""
    offered = []
    for choice in copier_config()["connection_proxy"]["choices"].values():
        rule = choice.get("validator", "") if isinstance(choice, dict) else ""
        if not jinja2.Environment().from_string(rule).render(database=database).strip():
            offered.append(choice["value"] if isinstance(choice, dict) else choice)
    return offered
