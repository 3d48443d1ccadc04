"""The FastAPI version a project pins: from a lockfile (uv.lock, poetry.lock, pdm.lock), an
exact requirement (`fastapi==0.110.0`, `~=0.110.0`) in requirements*.txt or pyproject.toml.
None when nothing pins it (a range such as `>=0.100` pins nothing)."""

import re
import tomllib
from pathlib import Path

Version = tuple[int, int]
LOCKFILES = ("uv.lock", "poetry.lock", "pdm.lock")
REQUIREMENT = re.compile(
    r"""(?:^|["'])\s*fastapi(?:\[[^\]]*\])?\s*(==|===|~=)\s*v?(\d+)\.(\d+)""", re.I | re.M
)
POETRY_PIN = re.compile(
    r"""^\s*fastapi\s*=\s*(?:\{[^}]*version\s*=\s*)?["']=?=?(\d+)\.(\d+)""", re.I | re.M
)


def minor(text: str) -> Version | None:
    match = re.match(r"v?(\d+)\.(\d+)", text)
    return (int(match.group(1)), int(match.group(2))) if match else None


def locked(path: Path) -> Version | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8", errors="replace"))
    except (tomllib.TOMLDecodeError, OSError):
        return None
    for package in data.get("package", []):
        if isinstance(package, dict) and str(package.get("name", "")).lower() == "fastapi":
            return minor(str(package.get("version", "")))
    return None


def required(text: str) -> Version | None:
    match = REQUIREMENT.search(text)
    if match:
        return (int(match.group(2)), int(match.group(3)))
    return None


def pinned_fastapi(folders: list[Path]) -> Version | None:
    """The pinned version found in the nearest of `folders` (checked first to last)."""
    for folder in folders:
        for name in LOCKFILES:
            if (folder / name).is_file() and (found := locked(folder / name)):
                return found
        candidates = sorted(folder.glob("requirements*.txt")) + sorted(
            folder.glob("requirements/*.txt")
        )
        pyproject = folder / "pyproject.toml"
        for candidate in [*candidates, *([pyproject] if pyproject.is_file() else [])]:
            text = candidate.read_text(encoding="utf-8", errors="replace")
            found = required(text)
            if found is None and candidate.name == "pyproject.toml":
                match = POETRY_PIN.search(text)
                found = (int(match.group(1)), int(match.group(2))) if match else None
            if found:
                return found
    return None


def exit_code_before_response(version: Version | None) -> bool:
    """FastAPI 0.106 to 0.117 ran a yield dependency's exit code before sending the response
    (0.118 went back to after it; 0.121 added `scope="function"` to choose)."""
    return version is not None and (0, 106) <= version < (0, 118)
