"""`sessionwise check --fix / --unsafe-fixes / --diff`: each rule's edit, its applicability,
comments and layout kept, one pass, idempotent, and the fixes in JSON and SARIF."""

import json
import shlex
import textwrap
from pathlib import Path

import yaml
from typer.testing import CliRunner

from sessionwise.cli import app
from testing import ROOT

runner = CliRunner()

PROJECT = '[project]\nname = "demo"\n'


def project(tmp_path: Path, files: dict[str, str], pyproject: str = PROJECT) -> Path:
    (tmp_path / "pyproject.toml").write_text(pyproject)
    for name, source in files.items():
        (tmp_path / name).write_text(textwrap.dedent(source).lstrip())
    return tmp_path


def check(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["check", *args])
    return result.exit_code, result.output


ENGINE = """
from sqlalchemy import create_engine

# the one engine
engine = create_engine(
    "postgresql+psycopg://db/app",  # from the environment in production
    pool_size=10,
)
"""

ENGINE_FIXED = """
from sqlalchemy import create_engine

# the one engine
engine = create_engine(
    "postgresql+psycopg://db/app",  # from the environment in production
    pool_size=10,
    pool_pre_ping=True,
)
"""


def test_safe_fix_keeps_comments_and_layout_and_is_idempotent(tmp_path: Path) -> None:
    root = project(tmp_path, {"db.py": ENGINE})

    code, output = check("--fix", str(root))

    assert code == 0, output
    assert "Found 1 finding(s) (1 fixed, 0 remaining)." in output
    assert (root / "db.py").read_text() == textwrap.dedent(ENGINE_FIXED).lstrip()
    code, output = check("--fix", str(root))
    assert code == 0, output
    assert (root / "db.py").read_text() == textwrap.dedent(ENGINE_FIXED).lstrip()


def test_diff_writes_nothing_and_exits_1_only_when_something_would_change(
    tmp_path: Path,
) -> None:
    root = project(tmp_path, {"db.py": ENGINE})

    code, output = check("--diff", str(root / "db.py"))

    assert code == 1
    assert "+    pool_pre_ping=True,\n" in output
    assert "Would fix 1 finding(s)." in output
    assert (root / "db.py").read_text() == textwrap.dedent(ENGINE).lstrip()
    check("--fix", str(root))
    code, output = check("--diff", str(root / "db.py"))
    assert (code, output.strip()) == (0, "Would fix 0 finding(s).")


EXPIRING = """
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

engine = create_async_engine("sqlite+aiosqlite:///app.db")
SessionLocal = async_sessionmaker(engine)


async def rename(item_id: int, name: str) -> str:
    async with SessionLocal() as session:
        item = await session.get(Item, item_id)
        item.name = name
        await session.commit()
        return item.name
"""


def test_unsafe_fix_only_with_unsafe_fixes(tmp_path: Path) -> None:
    root = project(tmp_path, {"db.py": EXPIRING})

    code, output = check("--fix", str(root))

    assert code == 1
    assert "SW008 async session factory" in output
    assert "No fixes available (1 hidden fix(es) can be enabled" in output
    assert "async_sessionmaker(engine)\n" in (root / "db.py").read_text()

    code, output = check("--unsafe-fixes", str(root))
    assert "SW008 [*] async session factory" in output
    assert "[*] 1 fixable with the `--fix` option." in output

    code, output = check("--fix", "--unsafe-fixes", str(root))
    assert code == 0, output
    assert "async_sessionmaker(engine, expire_on_commit=False)\n" in (root / "db.py").read_text()


RETURNED = """
from collections.abc import Iterator

from fastapi import Depends, FastAPI
from sqlalchemy.orm import Session, sessionmaker

SessionLocal = sessionmaker()
app = FastAPI()


def get_db() -> Session:
    # one per request
    return SessionLocal()


def get_named() -> Session:
    db = SessionLocal()
    return db


@app.get("/")
def index(db: Session = Depends(get_db), other: Session = Depends(get_named)) -> int:
    return 1
"""

RETURNED_FIXED = """
from collections.abc import Iterator

from fastapi import Depends, FastAPI
from sqlalchemy.orm import Session, sessionmaker

SessionLocal = sessionmaker()
app = FastAPI()


def get_db() -> Iterator[Session]:
    # one per request
    with SessionLocal() as session:
        yield session


def get_named() -> Iterator[Session]:
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


@app.get("/")
def index(db: Session = Depends(get_db), other: Session = Depends(get_named)) -> int:
    return 1
"""


def test_returned_session_becomes_a_yielded_one(tmp_path: Path) -> None:
    root = project(tmp_path, {"deps.py": RETURNED})

    code, output = check("--fix", "--unsafe-fixes", str(root))

    assert code == 0, output
    assert (root / "deps.py").read_text() == textwrap.dedent(RETURNED_FIXED).lstrip()


ASYNC_RETURNED = """
from fastapi import Depends, FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

SessionLocal = async_sessionmaker(expire_on_commit=False)
app = FastAPI()


async def get_db() -> AsyncSession:
    return SessionLocal()


@app.get("/")
async def index(db: AsyncSession = Depends(get_db)) -> int:
    return 1
"""


def test_async_returned_session_gets_async_with_and_the_import(tmp_path: Path) -> None:
    root = project(tmp_path, {"deps.py": ASYNC_RETURNED})

    code, output = check("--fix", "--unsafe-fixes", str(root))

    assert code == 0, output
    fixed = (root / "deps.py").read_text()
    assert fixed.startswith("from collections.abc import AsyncIterator\n")
    assert (
        "async def get_db() -> AsyncIterator[AsyncSession]:\n"
        "    async with SessionLocal() as session:\n"
        "        yield session\n"
    ) in fixed


NOT_CLOSED = """
from fastapi import Depends, FastAPI
from sqlalchemy.orm import Session, sessionmaker

SessionLocal = sessionmaker()
app = FastAPI()


def get_db():
    db = SessionLocal()
    yield db
    db.commit()
    db.close()


def get_on_error():
    db = SessionLocal()
    try:
        yield db
    except Exception:
        db.rollback()
        raise
    db.close()


def get_never():
    db = SessionLocal()
    yield db


@app.get("/")
def index(
    a: Session = Depends(get_db, scope="function"),
    b: Session = Depends(get_on_error),
    c: Session = Depends(get_never),
) -> int:
    return 1
"""

NOT_CLOSED_FIXED = """
def get_db():
    db = SessionLocal()
    try:
        yield db
        db.commit()
    finally:
        db.close()


def get_on_error():
    db = SessionLocal()
    try:
        yield db
    except Exception:
        db.rollback()
        raise
    finally:
        db.close()


def get_never():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()
"""


def test_every_shape_of_an_unclosed_session_closes_in_finally(tmp_path: Path) -> None:
    root = project(tmp_path, {"deps.py": NOT_CLOSED})

    code, output = check("--fix", str(root))

    assert code == 0, output
    assert textwrap.dedent(NOT_CLOSED_FIXED) in (root / "deps.py").read_text()


DEPENDENCY = """
from sqlalchemy.orm import sessionmaker

SessionLocal = sessionmaker()


def get_db():
    with SessionLocal() as db:
        yield db
        db.commit()
"""

ROUTES = """
from typing import Annotated

from fastapi import Depends, FastAPI
from sqlalchemy.orm import Session

from demo.db import get_db

app = FastAPI()
DbDep = Annotated[Session, Depends(get_db)]


@app.get("/")
def index(db: DbDep) -> int:
    return 1


@app.post("/")
def create(db: Session = Depends(get_db, scope="request")) -> int:
    return 2
"""


def test_scope_is_set_on_every_depends_of_the_dependency_in_other_files(tmp_path: Path) -> None:
    (tmp_path / "demo").mkdir()
    root = project(
        tmp_path, {"demo/__init__.py": "", "demo/db.py": DEPENDENCY, "demo/routes.py": ROUTES}
    )

    code, output = check("--fix", "--unsafe-fixes", str(root / "demo" / "db.py"))

    assert code == 0, output
    routes = (root / "demo" / "routes.py").read_text()
    assert 'DbDep = Annotated[Session, Depends(get_db, scope="function")]' in routes
    assert 'db: Session = Depends(get_db, scope="function")' in routes
    assert (root / "demo" / "db.py").read_text() == textwrap.dedent(DEPENDENCY).lstrip()


def test_unfixable_codes_are_reported_and_left_alone(tmp_path: Path) -> None:
    config = PROJECT + '[tool.sessionwise]\nunfixable = ["SW004"]\n'
    root = project(tmp_path, {"db.py": ENGINE}, pyproject=config)

    code, output = check("--fix", str(root))

    assert code == 1
    assert "SW004 engine without pool_pre_ping" in output
    assert (root / "db.py").read_text() == textwrap.dedent(ENGINE).lstrip()
    config = PROJECT + '[tool.sessionwise]\nfixable = ["SW001"]\n'
    (root / "pyproject.toml").write_text(config)
    assert check("--fix", str(root))[0] == 1
    (root / "pyproject.toml").write_text(PROJECT + '[tool.sessionwise]\nfixable = ["SW9"]\n')
    code, output = check(str(root))
    assert code == 2
    assert "fixable: unknown code(s) SW9" in output


def test_json_and_sarif_carry_the_edits(tmp_path: Path) -> None:
    root = project(tmp_path, {"db.py": ENGINE, "deps.py": NOT_CLOSED})
    report = tmp_path / "report.sarif"

    code, output = check("--format", "json", str(root / "db.py"))
    check("--format", "sarif", "--output", str(report), str(root))

    assert code == 1
    (finding,) = json.loads(output)
    edit = {
        "location": {"row": 7, "column": 1},
        "end_location": {"row": 7, "column": 1},
        "content": "    pool_pre_ping=True,\n",
    }
    assert finding["fix"]["applicability"] == "safe"
    assert [{k: e[k] for k in edit} for e in finding["fix"]["edits"]] == [edit]
    results = json.loads(report.read_text())["runs"][0]["results"]
    engine = next(r for r in results if r["ruleId"] == "SW004")
    (change,) = engine["fixes"][0]["artifactChanges"]
    assert change["replacements"] == [
        {
            "deletedRegion": {"startLine": 7, "startColumn": 1, "endLine": 7, "endColumn": 1},
            "insertedContent": {"text": "    pool_pre_ping=True,\n"},
        }
    ]
    assert {r["properties"]["fixApplicability"] for r in results} == {"safe"}
    assert all("fixes" in r for r in results)


def test_scope_fix_is_display_only_under_a_fastapi_without_scope(tmp_path: Path) -> None:
    (tmp_path / "demo").mkdir()
    root = project(
        tmp_path,
        {"demo/__init__.py": "", "demo/db.py": DEPENDENCY, "demo/routes.py": ROUTES},
        pyproject=PROJECT + 'dependencies = ["fastapi==0.100.1"]\n',
    )

    code, output = check("--fix", "--unsafe-fixes", str(root))

    assert code == 1
    assert "SW006 this commit runs after the response" in output
    assert "fix (display-only)" in output
    assert (root / "demo" / "routes.py").read_text() == textwrap.dedent(ROUTES).lstrip()


def test_no_commit_after_response_under_a_fastapi_that_commits_before_it(tmp_path: Path) -> None:
    (tmp_path / "demo").mkdir()
    files = {"demo/__init__.py": "", "demo/db.py": DEPENDENCY, "demo/routes.py": ROUTES}
    root = project(tmp_path, files, pyproject=PROJECT + 'dependencies = ["fastapi~=0.112.0"]\n')

    assert check(str(root)) == (0, "All checks passed (3 file(s)).\n")


def test_the_fixing_pre_commit_hook_repairs_the_staged_file(tmp_path: Path) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (fixing,) = [hook for hook in hooks if hook["id"] == "sessionwise-check-fix"]
    program, *arguments = shlex.split(fixing["entry"])
    root = project(tmp_path, {"db.py": ENGINE})

    assert program == "sessionwise"
    result = runner.invoke(app, [*arguments, str(root / "db.py")])  # pre-commit adds the files

    assert result.exit_code == 0, result.output
    assert (root / "db.py").read_text() == textwrap.dedent(ENGINE_FIXED).lstrip()
    assert fixing["types"] == ["python"] and fixing["require_serial"] is True


def test_a_file_with_windows_line_endings_keeps_them(tmp_path: Path) -> None:
    root = project(tmp_path, {})
    source = textwrap.dedent(ENGINE).lstrip().replace("\n", "\r\n")
    (root / "db.py").write_bytes(source.encode())

    code, output = check("--fix", str(root))

    assert code == 0, output
    fixed = textwrap.dedent(ENGINE_FIXED).lstrip().replace("\n", "\r\n")
    assert (root / "db.py").read_bytes() == fixed.encode()
