"""MkDocs hook: the options reference and the pool settings table, generated from copier.yml.

A page asks for generated content with a marker on a line of its own:

    <!-- sessionwise:options -->         every question: help, type, default, choices, rules
    <!-- sessionwise:drivers -->         which drivers copier.yml accepts per database and mode
    <!-- sessionwise:pool-settings -->   the pool questions as a settings table

The build fails when copier.yml has a question without a `help` text.
"""

import json
import re
from pathlib import Path
from typing import Any

import jinja2
import yaml

ROOT = Path(__file__).resolve().parents[2]
COPIER_YML = ROOT / "copier.yml"
MARKER = re.compile(r"^<!-- sessionwise:([a-z-]+) -->$", re.M)
POOL_SETTINGS = ["pool_size", "max_overflow", "pool_timeout", "pool_recycle", "pool_pre_ping"]
# SQLAlchemy's own defaults for create_engine, to compare with the template's.
SQLALCHEMY_DEFAULTS = {
    "pool_size": "5",
    "max_overflow": "10",
    "pool_timeout": "30",
    "pool_recycle": "-1 (never)",
    "pool_pre_ping": "false",
}


def load(copier_yml: Path = COPIER_YML) -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load(copier_yml.read_text())
    return config


def questions(copier_yml: Path = COPIER_YML) -> dict[str, dict[str, Any]]:
    """The questions a user answers: no settings (`_...`), no derived `when: false` values."""
    found = {}
    for name, spec in load(copier_yml).items():
        if name.startswith("_") or not isinstance(spec, dict) or spec.get("when") is False:
            continue
        if not str(spec.get("help", "")).strip():
            raise ValueError(f"{copier_yml}: question {name!r} has no help text")
        found[name] = spec
    return found


def derived(copier_yml: Path = COPIER_YML) -> list[str]:
    return [
        name
        for name, spec in load(copier_yml).items()
        if not name.startswith("_") and isinstance(spec, dict) and spec.get("when") is False
    ]


def one_line(text: Any) -> str:
    return " ".join(str(text).split())


def code(value: Any) -> str:
    if isinstance(value, bool):
        value = str(value).lower()
    text = one_line(value)
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def cell(text: Any) -> str:
    """Text for a table cell: one line, its pipes escaped."""
    return one_line(text).replace("|", "\\|")


def messages(validator: str) -> list[str]:
    """The texts a Jinja validator can answer with, its `{% ... %}` tags taken out."""
    parts = re.split(r"\{%-?.*?-?%\}", validator, flags=re.S)
    return [one_line(part) for part in parts if part.strip()]


def choices(spec: dict[str, Any]) -> list[tuple[str, Any, str | None]]:
    """(label, value, per-choice validator) for each choice."""
    found = []
    for label, choice in (spec.get("choices") or {}).items():
        if isinstance(choice, dict):
            found.append((str(label), choice["value"], choice.get("validator")))
        else:
            found.append((str(label), choice, None))
    return found


def options_reference(copier_yml: Path = COPIER_YML) -> str:
    lines = []
    for name, spec in questions(copier_yml).items():
        lines += [f"### `{name}`", "", one_line(spec["help"]), ""]
        lines += ["| | |", "|---|---|", f"| Type | `{spec.get('type', 'str')}` |"]
        default = spec.get("default")
        if isinstance(default, str) and "{{" in default:
            lines.append(f"| Default | computed from earlier answers: {code(default)} |")
        elif default == "":
            lines.append("| Default | empty |")
        else:
            lines.append(f"| Default | {code(default)} |")
        listed = choices(spec)
        if listed:
            shown = "<br>".join(
                code(value) if label == str(value) else f"{code(value)}: {cell(label)}"
                for label, value, _ in listed
            )
            lines.append(f"| Choices | {shown} |")
        if any(rule for _, _, rule in listed):
            lines.append(
                "| Choice rule | a choice that does not fit the earlier answers is not offered, "
                "and is refused when given with `--data` |"
            )
        validator = spec.get("validator")
        if validator:
            refused = "<br>".join(f"“{cell(text)}”" for text in messages(validator))
            lines.append(f"| Refused with | {refused} |")
        lines.append("")
        if validator:
            lines += [
                '??? note "Validation rule (copier.yml)"',
                "",
                "    ```jinja",
                *[f"    {line}".rstrip() for line in validator.strip().splitlines()],
                "    ```",
                "",
            ]
    names = ", ".join(f"`{name}`" for name in derived(copier_yml))
    lines += [
        "### Derived values",
        "",
        f"Computed from the answers, never asked and never stored in the answers file: {names}.",
        "",
    ]
    return "\n".join(lines)


def fitting_drivers(copier_yml: Path = COPIER_YML) -> str:
    rule = load(copier_yml)["fitting_drivers"]["default"]
    databases = [value for _, value, _ in choices(load(copier_yml)["database"])]
    modes = [value for _, value, _ in choices(load(copier_yml)["mode"])]
    lines = ["| database | " + " | ".join(modes) + " |", "|---|" + "---|" * len(modes)]
    for database in databases:
        cells = []
        for mode in modes:
            drivers = json.loads(
                jinja2.Environment().from_string(rule).render(database=database, mode=mode)
            )
            cells.append(", ".join(f"`{driver}`" for driver in drivers))
        lines.append(f"| `{database}` | " + " | ".join(cells) + " |")
    lines += ["", "The first driver of each cell is the default."]
    return "\n".join(lines)


def pool_settings(copier_yml: Path = COPIER_YML) -> str:
    asked = questions(copier_yml)
    lines = [
        "| setting | environment variable | template default | SQLAlchemy default | meaning |",
        "|---|---|---|---|---|",
    ]
    for name in POOL_SETTINGS:
        spec = asked[name]
        lines.append(
            f"| `{name}` | `{name.upper()}` | {code(spec['default'])} | "
            f"`{SQLALCHEMY_DEFAULTS[name]}` | {cell(spec['help'])} |"
        )
    return "\n".join(lines)


GENERATORS = {
    "options": options_reference,
    "drivers": fitting_drivers,
    "pool-settings": pool_settings,
}


def on_page_markdown(markdown: str, **_: Any) -> str:
    def generate(match: re.Match[str]) -> str:
        if match.group(1) not in GENERATORS:
            raise ValueError(f"unknown generated section {match.group(0)}")
        return GENERATORS[match.group(1)]()

    return MARKER.sub(generate, markdown)
