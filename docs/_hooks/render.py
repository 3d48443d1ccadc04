"""MkDocs hook: render the template at build time, so code samples are what copier generates.

Each render goes into a temporary directory that the pages include with pymdownx.snippets:

    --8<-- "sync-sqlite-explicit/src/my_service/db.py"          a whole rendered file
    --8<-- "sync-sqlite-explicit/parts/db/get_session.py"       one top-level definition
    --8<-- "sync-sqlite-explicit/parts/README/add-a-resource-and-test-it.md"
                                                                one section of the README
    --8<-- "sync-sqlite-explicit/tree.txt"                      the list of rendered files
    --8<-- "catalog-entry.yaml"                                 the catalog-neutral entry
"""

import ast
import re
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

from copier import run_copy
from copier.errors import DirtyLocalWarning

ROOT = Path(__file__).resolve().parents[2]
RENDERS: dict[str, dict[str, str]] = {
    "sync-sqlite-explicit": {},
    "sync-postgresql-commit": {
        "database": "postgresql",
        "driver": "psycopg",
        "transaction_policy": "commit_on_success",
    },
    "async-sqlite-explicit": {"mode": "async", "driver": "aiosqlite"},
    "async-postgresql-commit": {
        "mode": "async",
        "database": "postgresql",
        "driver": "asyncpg",
        "transaction_policy": "commit_on_success",
    },
    "async-postgresql-pgbouncer": {
        "mode": "async",
        "database": "postgresql",
        "driver": "asyncpg",
        "transaction_policy": "commit_on_success",
        "connection_proxy": "pgbouncer",
    },
    "sync-postgresql-pgbouncer": {
        "database": "postgresql",
        "driver": "psycopg",
        "connection_proxy": "pgbouncer",
    },
}
_made: list[Path] = []


def render_all(destination: Path) -> None:
    for name, data in RENDERS.items():
        project = destination / name
        with warnings.catch_warnings():
            # A working copy with uncommitted changes is rendered as it is, which is wanted.
            warnings.simplefilter("ignore", DirtyLocalWarning)
            run_copy(str(ROOT), project, data=data, defaults=True, vcs_ref="HEAD", quiet=True)
        write_parts(project)
        write_readme_sections(project)
        files = sorted(
            path.relative_to(project).as_posix()
            for path in project.rglob("*")
            if path.is_file() and "parts" not in path.relative_to(project).parts[:1]
        )
        (project / "tree.txt").write_text("\n".join(files) + "\n")
    write_catalog_entry(destination)


def write_parts(project: Path) -> None:
    """parts/<module>/<name>.py: each top-level definition of src/ and tests/."""
    for source in [*project.glob("src/*/*.py"), *project.glob("tests/*.py")]:
        text = source.read_text()
        lines = text.splitlines()
        folder = project / "parts" / source.stem
        for node in ast.parse(text).body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = node.name
                start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if not isinstance(targets[0], ast.Name):
                    continue
                name, start = targets[0].id, node.lineno
                # Keep the comment lines right above an assignment: they say why.
                while start > 1 and lines[start - 2].lstrip().startswith("#"):
                    start -= 1
            else:
                continue
            folder.mkdir(parents=True, exist_ok=True)
            part = "\n".join(lines[start - 1 : node.end_lineno])
            (folder / f"{name}.py").write_text(part + "\n")


def write_readme_sections(project: Path) -> None:
    """parts/README/<slug>.md: each `## ` section of the generated README, without its title."""
    folder = project / "parts" / "README"
    folder.mkdir(parents=True, exist_ok=True)
    for section in (project / "README.md").read_text().split("\n## ")[1:]:
        title, _, body = section.partition("\n")
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        (folder / f"{slug}.md").write_text(body.strip("\n") + "\n")


def write_catalog_entry(destination: Path) -> None:
    from sessionwise.catalog.entries import DEFAULT_OWNER, DEFAULT_SOURCE, catalog_entry, to_yaml

    entry = catalog_entry(DEFAULT_SOURCE, DEFAULT_OWNER)
    (destination / "catalog-entry.yaml").write_text(to_yaml(entry))


def on_config(config: Any) -> Any:
    destination = Path(tempfile.mkdtemp(prefix="sessionwise-docs-"))
    _made.append(destination)
    render_all(destination)
    snippets = config["mdx_configs"].setdefault("pymdownx.snippets", {})
    snippets["base_path"] = [str(ROOT), str(destination)]
    return config


def on_shutdown() -> None:
    while _made:
        shutil.rmtree(_made.pop(), ignore_errors=True)
