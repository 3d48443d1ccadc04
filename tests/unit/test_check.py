"""`sessionwise check`: each fixture yields exactly the findings its `# expect:` comments name."""

import ast
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import sessionwise.lint.rules
from sessionwise.cli import app
from sessionwise.lint import check_paths
from sessionwise.lint.config import Config
from sessionwise.lint.findings import SAFE, UNSAFE
from sessionwise.lint.rules import RULES
from sessionwise.lint.syntax.downlevel import downlevel
from testing import ROOT
from testing.docs import nav_pages

FIXTURES = Path(__file__).resolve().parent / "check_fixtures"
EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9,\s]+)$")
runner = CliRunner()


def expected_findings(path: Path) -> set[tuple[int, str]]:
    found = set()
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            found |= {(number, code) for code in re.split(r"[,\s]+", match.group(1)) if code}
    return found


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*.py")), ids=lambda p: p.stem)
def test_fixture_gives_exactly_the_expected_findings(fixture: Path) -> None:
    findings, files = check_paths([fixture])

    assert files == 1
    assert {(f.line, f.code) for f in findings} == expected_findings(fixture)


def test_each_rule_file_begins_with_the_code_of_its_rule() -> None:
    files = sorted(Path(sessionwise.lint.rules.__file__).parent.glob("sw*.py"))
    rules = [importlib.import_module(f"sessionwise.lint.rules.{f.stem}").RULE for f in files]

    assert [f.stem.split("_")[0] for f in files] == [rule.code.lower() for rule in rules]
    assert sorted(rule.code for rule in rules) == sorted(RULES)


def test_every_rule_has_a_positive_fixture() -> None:
    expected = {code for path in FIXTURES.glob("*.py") for _, code in expected_findings(path)}

    assert expected == set(RULES) - {"SW000"}


def test_each_rule_declares_the_applicabilities_its_fixes_have() -> None:
    """No finding carries a fix applicability its rule's file does not declare."""
    real_world = FIXTURES.parent / "real_world" / "projects"
    findings, _ = check_paths([FIXTURES, *sorted(real_world.iterdir())])
    seen: dict[str, set[str]] = {code: set() for code in RULES}
    for finding in findings:
        if finding.applicability is not None:
            seen[finding.code].add(finding.applicability)

    for code, rule in RULES.items():
        assert seen[code] <= set(rule.fix_applicability), code
    assert seen["SW004"] == {SAFE, UNSAFE}  # the fixtures reach more than one


def test_clean_fixtures_expect_nothing() -> None:
    assert not expected_findings(FIXTURES / "clean_sync_app.py")
    assert not expected_findings(FIXTURES / "clean_async_app.py")


def test_unparsable_file_is_reported_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("def broken(:\n")
    (tmp_path / "fine.py").write_text(
        "from sqlalchemy import create_engine\nx = create_engine('pg')\n"
    )

    findings, files = check_paths([tmp_path])

    assert files == 2
    assert {(f.path.name, f.code) for f in findings} == {
        ("broken.py", "SW000"),
        ("fine.py", "SW004"),
    }


def test_directories_skip_virtual_environments(tmp_path: Path) -> None:
    for folder in (".venv/lib", "venv", "build", "src/app"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "db.py").write_text(
            "import sqlalchemy\nsqlalchemy.create_engine('pg')\n"
        )

    findings, files = check_paths([tmp_path])

    assert files == 1
    assert [f.path.relative_to(tmp_path).as_posix() for f in findings] == ["src/app/db.py"]


def test_cli_text_output_and_exit_code() -> None:
    result = runner.invoke(app, ["check", str(FIXTURES / "sw008_read_after_commit.py")])

    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert re.fullmatch(
        r".*sw008_read_after_commit\.py:7:12: SW008 async session factory .*", first
    )
    assert "fix (unsafe): pass expire_on_commit=False" in result.output
    assert "docs/pitfalls/expire-on-commit.md" in result.output
    assert result.output.rstrip().endswith(
        "Found 1 finding(s) in 1 of 1 file(s).\n"
        "No fixes available (1 hidden fix(es) can be enabled with the `--unsafe-fixes` option)."
    )


def test_cli_clean_exit_code() -> None:
    result = runner.invoke(app, ["check", str(FIXTURES / "clean_async_app.py")])

    assert result.exit_code == 0, result.output
    assert "All checks passed (1 file(s))." in result.output


def test_cli_json_output() -> None:
    result = runner.invoke(
        app, ["check", "--format", "json", str(FIXTURES / "sw007_background_task.py")]
    )

    findings = json.loads(result.output)
    expected = expected_findings(FIXTURES / "sw007_background_task.py")
    assert {(f["line"], f["code"]) for f in findings} == expected
    assert len(findings) == 2
    assert set(findings[0]) == {"path", "line", "column", "code", "message", "fix", "url"}
    assert findings[0]["fix"] == {
        "applicability": "display-only",
        "message": "pass ids or plain data, and open a new session inside the task",
        "edits": [],
    }


def test_cli_sarif_output_is_code_scanning_shaped(tmp_path: Path) -> None:
    report = tmp_path / "report.sarif"

    result = runner.invoke(
        app, ["check", "--format", "sarif", "--output", str(report), str(FIXTURES)]
    )

    assert result.exit_code == 1
    log = json.loads(report.read_text())
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert set(rules) >= set(RULES) - {"SW000"}
    for item in run["results"]:
        assert rules[item["ruleIndex"]] == item["ruleId"]
        location = item["locations"][0]["physicalLocation"]
        assert not location["artifactLocation"]["uri"].startswith("/")
        assert "\\" not in location["artifactLocation"]["uri"]
        assert location["region"]["startColumn"] >= 1
    findings, _ = check_paths([FIXTURES])
    assert len(run["results"]) == len(findings) >= 25


def test_cli_select_and_ignore() -> None:
    path = str(FIXTURES / "sw002_engine_per_request.py")

    selected = runner.invoke(app, ["check", "--format", "json", "--select", "SW004", path])
    ignored = runner.invoke(app, ["check", "--format", "json", "--ignore", "SW002", path])
    unknown = runner.invoke(app, ["check", "--select", "SW999", path])

    assert json.loads(selected.output) == []
    assert selected.exit_code == 0
    assert json.loads(ignored.output) == []
    assert unknown.exit_code == 2
    assert "unknown code(s) SW999" in unknown.output


def test_pyproject_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.sessionwise]\nignore = ["SW004"]\nexclude = ["legacy/*"]\n'
    )
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "old.py").write_text(
        (FIXTURES / "sw008_expire_on_commit.py").read_text()
    )
    (tmp_path / "engines.py").write_text("import sqlalchemy\nsqlalchemy.create_engine('pg')\n")
    monkeypatch.chdir(tmp_path)

    result = runner.invoke(app, ["check", "."])

    assert result.exit_code == 0, result.output
    assert "All checks passed (1 file(s))." in result.output


def test_broken_pyproject_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.sessionwise]\nselect = "SW001"\n')

    result = runner.invoke(app, ["check", str(tmp_path)])

    assert result.exit_code == 2
    assert "select must be a list of codes" in result.output


def test_missing_path_is_a_usage_error() -> None:
    result = runner.invoke(app, ["check", "no/such/dir"])

    assert result.exit_code == 2
    assert "no such file or directory: no/such/dir" in result.output


def test_default_config_enables_every_rule() -> None:
    assert Config().select == set(RULES)


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_code_links_to_a_page_of_the_site(code: str) -> None:
    prefix = "https://github.com/sessionwise/sessionwise/blob/main/docs/"
    url = RULES[code].url
    nav = nav_pages(yaml.safe_load((ROOT / "mkdocs.yml").read_text())["nav"])

    assert url.startswith(prefix)
    page = url.removeprefix(prefix)
    assert (ROOT / "docs" / page).is_file(), url
    assert page in nav, f"{page} is not in mkdocs.yml's nav"
    assert code in (ROOT / "docs" / page).read_text()


def test_sw000_says_what_failed_and_where(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("import os\n\ndef broken(:\n    pass\n")

    result = runner.invoke(app, ["check", str(tmp_path / "broken.py")])

    first = result.output.splitlines()[0]
    assert re.fullmatch(r".*broken\.py:3:1: SW000 .*\(line 3: .+\)", first), first
    assert "docs/cannot-parse.md" in result.output


NEWER_SYNTAX = """\
from typing import Annotated

from fastapi import Depends
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

engine = create_engine("postgresql://db/app")  # line 7: SW004
type SessionDep = Annotated[Session, Depends(lambda: None)]


class Page[T]:
    items: list[T]


def first[T: (int, str) = int](items: list[T]) -> T:
    try:
        return items[0]
    except IndexError, KeyError:
        raise
    finally:
        try:
            pass
        except* ValueError:
            pass


def label(row: dict[str, str]) -> str:
    return f"{row["name"]}: {f"{row['kind']}"}"


def rows(names: list[str]) -> str:
    return f"{
        ", ".join(names)  # a comment inside an f-string
    }"


def template(name: str) -> object:
    return t"hello {name}"


late = create_engine("mysql://db/app")  # line 41: SW004
"""


def test_code_for_python_3_12_to_3_14_is_checked_on_any_python(tmp_path: Path) -> None:
    (tmp_path / "modern.py").write_text(NEWER_SYNTAX)

    findings, _ = check_paths([tmp_path / "modern.py"])

    assert [(f.line, f.col, f.code) for f in findings] == [(7, 9, "SW004"), (41, 7, "SW004")]


def test_down_levelling_keeps_lines_and_columns() -> None:
    rewritten = downlevel(NEWER_SYNTAX)

    assert rewritten.count("\n") == NEWER_SYNTAX.count("\n")
    original, new = NEWER_SYNTAX.splitlines(), rewritten.splitlines()
    for number in (7, 41):
        assert new[number - 1] == original[number - 1]
    tree = ast.parse(rewritten)
    names = [node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.ClassDef)]
    assert names == ["Page", "first", "label", "rows", "template"]


def project_with_a_dependency(root: Path, dependency_body: str) -> Path:
    (root / "pyproject.toml").write_text("[project]\nname = 'svc'\n")
    (root / "app").mkdir(exist_ok=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "db.py").write_text(
        "from sqlalchemy import create_engine\n"
        "from sqlalchemy.orm import Session\n\n"
        "engine = create_engine('postgresql://db/app', pool_pre_ping=True)\n\n\n"
        f"def get_db():\n{dependency_body}"
    )
    endpoint = root / "app" / "routes.py"
    endpoint.write_text(
        "from fastapi import Depends, FastAPI\n\nfrom app.db import get_db\n\napp = FastAPI()\n\n\n"
        "@app.get('/')\nasync def read(db=Depends(get_db)):\n    return db.get(dict, 1)\n"
    )
    return endpoint


def test_a_file_checked_alone_resolves_names_from_the_rest_of_the_project(tmp_path: Path) -> None:
    endpoint = project_with_a_dependency(
        tmp_path, "    with Session(engine) as session:\n        yield session\n"
    )

    alone, files = check_paths([endpoint])

    assert files == 1
    assert [(f.path.name, f.line, f.code) for f in alone] == [("routes.py", 9, "SW003")]
    assert (tmp_path / ".sessionwise_cache" / ".gitignore").read_text().endswith("*\n")


def test_the_project_cache_follows_edits(tmp_path: Path) -> None:
    endpoint = project_with_a_dependency(
        tmp_path, "    with Session(engine) as session:\n        yield session\n"
    )
    check_paths([endpoint])
    project_with_a_dependency(tmp_path, "    yield 'not a session'\n")

    findings, _ = check_paths([endpoint])

    assert findings == []


def test_the_cache_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESSIONWISE_NO_CACHE", "1")
    endpoint = project_with_a_dependency(
        tmp_path, "    with Session(engine) as session:\n        yield session\n"
    )

    findings, _ = check_paths([endpoint])

    assert [f.code for f in findings] == ["SW003"]
    assert not (tmp_path / ".sessionwise_cache").exists()


DEPENDS_VARIABLE_DEPS = """\
from fastapi import Depends
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

engine = create_engine("postgresql://db/app", pool_pre_ping=True)
SessionLocal = sessionmaker(engine)


def get_db():
    db = SessionLocal()
    try:
        yield db
        db.commit()  # line 13: SW006
    finally:
        db.close()


Db = Depends(get_db{scope})
"""
DEPENDS_VARIABLE_ROUTES = """\
from typing import Annotated

from fastapi import BackgroundTasks, Depends, FastAPI
from sqlalchemy.orm import Session

from app import shared
from app.deps import Db, get_db

app = FastAPI()
Local = Depends(get_db)


def work(db):
    db.execute("SELECT 1")


@app.get("/")
async def read({signature}):  # line 18: SW003
    return db.get(dict, 1)


@app.post("/")
def write(tasks: BackgroundTasks, {signature}):
    tasks.add_task(work, db)  # line 24: SW007
"""


def project_with_a_depends_variable(root: Path, signature: str, scope: str = "") -> None:
    """get_db commits after its yield; `Db = Depends(get_db)` holds it in a module variable,
    re-exported by app.shared; the endpoints take it as `signature` says."""
    (root / "pyproject.toml").write_text("[project]\nname = 'svc'\n")
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "deps.py").write_text(DEPENDS_VARIABLE_DEPS.format(scope=scope))
    (root / "app" / "shared.py").write_text("from app.deps import Db as Db\n")
    (root / "app" / "routes.py").write_text(DEPENDS_VARIABLE_ROUTES.format(signature=signature))


@pytest.mark.parametrize(
    "signature",
    [
        "db=Depends(get_db)",
        "db=Db",
        "db=Local",
        "db=shared.Db",
        "db: Annotated[Session, Db]",
        "db: Annotated[object, shared.Db]",  # only the dependency says it is a session
    ],
    ids=["inline", "imported", "same-module", "re-exported", "annotated", "annotated-untyped"],
)
def test_a_depends_object_held_in_a_variable_is_followed_by_every_rule(
    tmp_path: Path, signature: str
) -> None:
    project_with_a_depends_variable(tmp_path, signature)
    routes = tmp_path / "app" / "routes.py"

    whole, _ = check_paths([tmp_path])
    alone, _ = check_paths([routes])

    assert {(f.path.name, f.line, f.code) for f in whole} == {
        ("deps.py", 13, "SW006"),
        ("routes.py", 18, "SW003"),
        ("routes.py", 24, "SW007"),
    }
    assert alone == [f for f in whole if f.path.name == "routes.py"]


def test_the_scope_of_a_depends_variable_counts(tmp_path: Path) -> None:
    project_with_a_depends_variable(tmp_path, "db=shared.Db", scope=", scope='function'")
    (tmp_path / "app" / "routes.py").write_text(
        (tmp_path / "app" / "routes.py").read_text().replace("Local = Depends(get_db)", "")
    )

    findings, _ = check_paths([tmp_path])

    assert "SW006" not in {f.code for f in findings}
    assert {f.code for f in findings} == {"SW003", "SW007"}


def test_a_depends_variable_annotated_as_a_session_is_one(tmp_path: Path) -> None:
    """`Db: Session = Depends(dep)` with `dep` from a library: the annotation says what it is."""
    (tmp_path / "routes.py").write_text(
        "from fastapi import Depends, FastAPI\n"
        "from sqlalchemy.orm import Session\n"
        "from vendor.db import session_from_pool\n\n"
        "app = FastAPI()\n"
        "Db: Session = Depends(session_from_pool)\n"
        "Other = Depends(session_from_pool)\n\n\n"
        "@app.get('/')\n"
        "async def read(db=Db, other=Other):\n"
        "    return db.get(dict, 1)\n"
    )

    findings, _ = check_paths([tmp_path / "routes.py"])

    assert [(f.line, f.col, f.code) for f in findings] == [(11, 15, "SW003")]


# Runs `sessionwise check FILE` in a fresh interpreter, then prints the heavy modules it loaded.
CHECK_AND_LIST_IMPORTS = """
import sys
from sessionwise.cli import app
try:
    app(["check", sys.argv[1]])
except SystemExit:
    pass
print(sorted(name for name in ("copier", "libcst") if name in sys.modules))
"""


@pytest.mark.parametrize(
    ("source", "imported"),
    [
        ("from sqlalchemy import create_engine\nengine = create_engine('pg')\n", []),
        (  # PEP 758 (Python 3.14) syntax
            "try:\n    pass\nexcept ValueError, KeyError:\n    pass\n",
            ["libcst"] if sys.version_info < (3, 14) else [],
        ),
    ],
    ids=["ast-reads-it", "needs-down-levelling"],
)
def test_check_imports_neither_copier_nor_libcst_unless_a_file_needs_it(
    tmp_path: Path, source: str, imported: list[str]
) -> None:
    """copier takes over a second to import and libcst half a second: pre-commit runs
    `sessionwise check` on every commit."""
    (tmp_path / "module.py").write_text(source)

    completed = subprocess.run(
        [sys.executable, "-c", CHECK_AND_LIST_IMPORTS, str(tmp_path / "module.py")],
        capture_output=True,
        text=True,
        check=True,
    )

    assert completed.stdout.splitlines()[-1] == repr(imported), completed.stdout
