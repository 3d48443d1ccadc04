"""The project index: every module's summary, and the facts that only the whole project knows
(which functions are dependencies and with which scope, which are endpoints, what is stored
on `app.state`)."""

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sessionwise.lint.model.summary import ClassFacts, FunctionFacts, ModuleSummary

FunctionKey = tuple[str, str]  # module name, qualname


@dataclass
class ProjectIndex:
    modules: dict[str, ModuleSummary]
    # dependency -> for each Depends(...) that names it, whether it has scope="function"
    depends_uses: dict[FunctionKey, list[bool]] = field(default_factory=lambda: defaultdict(list))
    # dependency -> the Depends(...) calls that name it without scope="function":
    # (module, line, col) of each
    request_scoped_sites: dict[FunctionKey, list[tuple[str, int, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    paths: dict[str, Path] = field(default_factory=dict)  # module -> its file
    fastapi: tuple[int, int] | None = None  # the FastAPI version the project pins
    endpoints: set[FunctionKey] = field(default_factory=set)
    called: set[FunctionKey] = field(default_factory=set)  # generators other code calls
    _by_suffix: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        suffixes: dict[str, list[str]] = defaultdict(list)
        for name in self.modules:
            parts = name.split(".")
            for start in range(len(parts)):
                suffixes[".".join(parts[start:])].append(name)
        self._by_suffix = dict(suffixes)

    def module_named(self, dotted: str, near: str = "") -> ModuleSummary | None:
        """The project module an import names: an exact match, else the module whose dotted
        path ends with it (source roots such as `src/` or `backend/` are not known), the one
        sharing most of its path with the importing module when several do."""
        if dotted in self.modules:
            return self.modules[dotted]
        candidates = self._by_suffix.get(dotted, [])
        if not candidates:
            return None
        if len(candidates) == 1:
            return self.modules[candidates[0]]
        near_parts = near.split(".")

        def shared(name: str) -> int:
            count = 0
            for mine, theirs in zip(near_parts, name.split("."), strict=False):
                if mine != theirs:
                    break
                count += 1
            return count

        return self.modules[max(candidates, key=shared)]

    def function(self, key: FunctionKey) -> FunctionFacts | None:
        module = self.modules.get(key[0])
        return module.functions.get(key[1]) if module else None

    def class_(self, module: str, name: str) -> ClassFacts | None:
        summary = self.modules.get(module)
        return summary.classes.get(name) if summary else None
