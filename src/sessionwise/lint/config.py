"""`[tool.sessionwise]` in pyproject.toml: select, ignore, exclude, fixable and unfixable."""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sessionwise.lint.rules import RULES


class ConfigError(Exception):
    """A configuration the checker cannot use; the message says what to fix."""


@dataclass
class Config:
    select: set[str] = field(default_factory=lambda: set(RULES))
    ignore: set[str] = field(default_factory=set)
    exclude: list[str] = field(default_factory=list)
    fixable: set[str] = field(default_factory=lambda: set(RULES))
    unfixable: set[str] = field(default_factory=set)

    def enabled(self, code: str) -> bool:
        return code in self.select and code not in self.ignore

    def may_fix(self, code: str) -> bool:
        return code in self.fixable and code not in self.unfixable


def codes(value: object, where: str) -> set[str]:
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ConfigError(f'{where} must be a list of codes, e.g. ["SW001"]')
    unknown = sorted(set(value) - set(RULES))
    if unknown:
        raise ConfigError(f"{where}: unknown code(s) {', '.join(unknown)}; known: SW000-SW008")
    return set(value)


def find_pyproject(start: Path) -> Path | None:
    for folder in [start, *start.parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load(start: Path) -> Config:
    """The configuration of the nearest pyproject.toml at or above `start`."""
    pyproject = find_pyproject(start.resolve() if start.is_dir() else start.resolve().parent)
    if pyproject is None:
        return Config()
    try:
        table = tomllib.loads(pyproject.read_text()).get("tool", {}).get("sessionwise", {})
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{pyproject} is not valid TOML: {error}") from error
    config = Config()
    if "select" in table:
        config.select = codes(table["select"], f"{pyproject}: [tool.sessionwise] select")
    if "ignore" in table:
        config.ignore = codes(table["ignore"], f"{pyproject}: [tool.sessionwise] ignore")
    for option in ("fixable", "unfixable"):
        if option in table:
            setattr(
                config, option, codes(table[option], f"{pyproject}: [tool.sessionwise] {option}")
            )
    if "exclude" in table:
        exclude = table["exclude"]
        if not isinstance(exclude, list) or not all(isinstance(p, str) for p in exclude):
            raise ConfigError(f"{pyproject}: [tool.sessionwise] exclude must be a list of globs")
        config.exclude = exclude
    return config
