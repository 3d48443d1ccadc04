"""The values an expression can have, as far as the checks care."""

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sessionwise.lint.model.index import FunctionKey

if TYPE_CHECKING:
    from sessionwise.lint.model.resolve import Scope


@dataclass(frozen=True)
class Unknown:
    pass


UNKNOWN = Unknown()


@dataclass(frozen=True)
class External:
    """Something from outside the project, by canonical qualified name."""

    name: str


@dataclass(frozen=True)
class Engine:
    per_call: bool = True


@dataclass(frozen=True)
class Factory:
    kind: str  # "sync" | "async" | "unknown"
    module: str = ""
    line: int = 0
    expire_disabled: bool = True


@dataclass(frozen=True)
class Session:
    kind: str
    origin: Factory | None = None


@dataclass(frozen=True)
class SessionScope:
    """A context manager that hands out a session (`factory.begin()`, a project
    `@contextmanager`); `commits` when leaving it commits."""

    session: Session
    commits: bool


@dataclass(frozen=True)
class Alias:
    """`Annotated[Session, Depends(get_db)]`: what the parameter receives."""

    value: object
    dependency: FunctionKey | None
    function_scope: bool


@dataclass(frozen=True)
class DependsMarker:
    """A `Depends(dep)` object, wherever it was written: a parameter default, `Annotated`
    metadata, or a module variable (`SessionDep = Depends(get_db)`, imported elsewhere).
    `call` is read in `scope`; `declared` is the type such a variable is annotated with."""

    call: ast.Call
    scope: "Scope"
    declared: object = UNKNOWN


@dataclass(frozen=True)
class FunctionRef:
    key: FunctionKey
    bound: "Instance | None" = None


@dataclass(frozen=True)
class ClassRef:
    module: str
    name: str


@dataclass(frozen=True)
class Instance:
    cls: ClassRef


@dataclass(frozen=True)
class ModuleRef:
    name: str


@dataclass(frozen=True)
class Const:
    value: object
    default: bool = False  # only the fallback of a setting read from the environment


@dataclass(frozen=True)
class DictValue:
    items: tuple[tuple[object, ast.expr], ...]
    scope: "Scope"


@dataclass(frozen=True)
class TupleValue:
    items: tuple[object, ...]


@dataclass(frozen=True)
class Generator:
    """A generator function's result (for `yield from` / `async for`)."""

    session: Session
    commits: bool


@dataclass(frozen=True)
class BoundBegin:
    target: Factory | Session
