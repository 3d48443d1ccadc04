"""The Jinja filters copier adds to every template and cookiecutter lacks.

Copier loads `jinja2_ansible_filters.AnsibleCoreFiltersExtension` by default, so copier.yml and
template files may use `regex_replace`, `to_nice_yaml` and the like. Cookiecutter has only
Jinja's built-ins plus a few of its own. This module gives it the same filters, with the same
results as copier's, as a Jinja extension that needs nothing but Jinja and PyYAML (both
cookiecutter dependencies): the cookiecutter flavour ships this file next to its
`cookiecutter.json` and lists it under `_extensions`, which cookiecutter and cruft import from
the template folder.
"""

import json
import re
from typing import Any

import yaml
from jinja2 import Environment
from jinja2.ext import Extension


def regex_flags(ignorecase: bool = False, multiline: bool = False) -> int:
    return (re.IGNORECASE if ignorecase else 0) | (re.MULTILINE if multiline else 0)


def regex_replace(
    value: Any = "",
    pattern: str = "",
    replacement: str = "",
    ignorecase: bool = False,
    multiline: bool = False,
) -> str:
    return re.sub(pattern, replacement, str(value), flags=regex_flags(ignorecase, multiline))


def regex_search(
    value: str, regex: str, *groups: str, ignorecase: bool = False, multiline: bool = False
) -> str | list[Any] | None:
    """The matched text, or the groups named as `'\\1'` / `'\\g<name>'`; None without a match."""
    match = re.search(regex, value, regex_flags(ignorecase, multiline))
    if match is None:
        return None
    if not groups:
        return match.group()
    wanted: list[int | str] = []
    for group in groups:
        if named := re.fullmatch(r"\\g<(\S+)>", group):
            wanted.append(named.group(1))
        elif numbered := re.fullmatch(r"\\(\d+)", group):
            wanted.append(int(numbered.group(1)))
        else:
            raise ValueError(f"regex_search: unknown group reference {group!r}")
    return [match.group(group) for group in wanted]


def regex_findall(
    value: str, regex: str, multiline: bool = False, ignorecase: bool = False
) -> list[Any]:
    return re.findall(regex, value, regex_flags(ignorecase, multiline))


def regex_escape(value: str) -> str:
    return re.escape(value)


def to_json(value: Any, *args: Any, **kwargs: Any) -> str:
    return json.dumps(value, *args, **kwargs)


def to_nice_json(value: Any, indent: int = 4, sort_keys: bool = True, **kwargs: Any) -> str:
    return json.dumps(value, indent=indent, sort_keys=sort_keys, separators=(",", ": "), **kwargs)


def to_yaml(value: Any, **kwargs: Any) -> str:
    kwargs.setdefault("default_flow_style", None)
    return str(yaml.dump(value, allow_unicode=True, **kwargs))


def to_nice_yaml(value: Any, indent: int = 4, **kwargs: Any) -> str:
    return str(
        yaml.dump(value, indent=indent, allow_unicode=True, default_flow_style=False, **kwargs)
    )


def from_yaml(value: Any) -> Any:
    return yaml.safe_load(value) if isinstance(value, str) else value


def to_bool(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        value = value.lower()
    return value in ("yes", "on", "1", "true", 1)


def ternary(value: Any, true_value: Any, false_value: Any, none_value: Any = None) -> Any:
    if value is None and none_value is not None:
        return none_value
    return true_value if value else false_value


FILTERS = {
    "regex_replace": regex_replace,
    "regex_search": regex_search,
    "regex_findall": regex_findall,
    "regex_escape": regex_escape,
    "to_json": to_json,
    "to_nice_json": to_nice_json,
    "from_json": json.loads,
    "to_yaml": to_yaml,
    "to_nice_yaml": to_nice_yaml,
    "from_yaml": from_yaml,
    "bool": to_bool,
    "ternary": ternary,
}


class CopierFilters(Extension):
    """Adds FILTERS to the environment (`_extensions: ["copier_filters.CopierFilters"]`)."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters.update(FILTERS)
