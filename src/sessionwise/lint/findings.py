"""A finding: where, which code, and which form of the mistake (the message variant)."""

from dataclasses import dataclass
from pathlib import Path

from sessionwise.lint.rules import RULES


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    col: int  # 0-based, as in the AST
    code: str
    variant: str = ""
    detail: str = ""  # e.g. the parser's message for SW000

    @property
    def message(self) -> str:
        text = RULES[self.code].text(self.variant)
        return f"{text} ({self.detail})" if self.detail else text
