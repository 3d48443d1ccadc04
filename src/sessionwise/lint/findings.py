"""A finding: where, which code, which form of the mistake (the message variant), and the
fix: the edits that repair it and how safe they are to apply (see `fixes`)."""

from dataclasses import dataclass
from pathlib import Path

# As ruff: a safe fix keeps what the code does apart from the pitfall, and `--fix` applies it;
# an unsafe one may change more, and only `--unsafe-fixes` applies it; a display-only one
# describes the edit, which needs a decision the checker cannot make, and is never applied.
SAFE, UNSAFE, DISPLAY_ONLY = "safe", "unsafe", "display-only"


@dataclass(frozen=True)
class Edit:
    """One change to the construct that starts at (line, col) of `path` (col 0-based)."""

    path: Path
    line: int
    col: int
    action: str  # see fixes.ACTIONS
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fix:
    applicability: str
    edits: tuple[Edit, ...] = ()


DESCRIBED_ONLY = Fix(DISPLAY_ONLY)  # the rule's text says the edit; nothing is applied


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    col: int  # 0-based, as in the AST
    code: str
    variant: str = ""
    detail: str = ""  # e.g. the parser's message for SW000
    fix: Fix | None = None

    @property
    def message(self) -> str:
        from sessionwise.lint.rules import RULES  # the rules import this module

        text = RULES[self.code].text(self.variant)
        return f"{text} ({self.detail})" if self.detail else text

    @property
    def applicability(self) -> str | None:
        return self.fix.applicability if self.fix else None
