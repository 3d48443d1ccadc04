"""A user's own work on a rendered service, and a template fix released after it: what the update
tests (copier, cruft) carry from one version to the next."""

from pathlib import Path

from testing.projects import tree
from testing.template_repo import TemplateRepo, commit_all, replace_text

DB_TEMPLATE = "template/src/{{package_name}}/db.py.jinja"
ENGINE_COMMENT = "# One engine, and so one connection pool, for the whole process."
PRE_PING_LINE = "    pool_pre_ping=settings.pool_pre_ping,\n"
CONFLICT_START = "<<<<<<< before updating"


# A user's own work on a rendered service: a new endpoint module, a changed model and the
# migration that goes with it.
USER_ENDPOINT = """from fastapi import APIRouter
from sqlalchemy import func, select

from my_service.db import SessionDep
from my_service.models import Item

router = APIRouter(prefix="/stats", tags=["stats"])


@router.get("")
def stats(session: SessionDep) -> dict[str, int]:
    return {"items": session.scalar(select(func.count()).select_from(Item)) or 0}
"""


USER_MIGRATION = '''"""Add items.price.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"


def upgrade() -> None:
    with op.batch_alter_table("items") as batch_op:
        batch_op.add_column(sa.Column("price", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("items") as batch_op:
        batch_op.drop_column("price")
'''


USER_TEST = """from fastapi.testclient import TestClient


def test_stats_counts_items(client: TestClient) -> None:
    client.post("/items", json={"name": "a"})
    assert client.get("/stats").json() == {"items": 1}
"""


# A test the template adds in v0.2.0.
NEW_GENERATED_TEST = """from fastapi.testclient import TestClient


def test_health_is_json(client: TestClient) -> None:
    response = client.get("/health")
    assert response.headers["content-type"] == "application/json"
"""


def edit(project: Path, relative: str, old: str, new: str) -> None:
    replace_text(project / relative, old, new)


def make_user_edits(project: Path) -> None:
    (project / "src/my_service/stats.py").write_text(USER_ENDPOINT)
    edit(
        project,
        "src/my_service/main.py",
        "from my_service import health, items",
        "from my_service import health, items, stats",
    )
    edit(
        project,
        "src/my_service/main.py",
        "app.include_router(items.router)\n",
        "app.include_router(items.router)\napp.include_router(stats.router)\n",
    )
    edit(
        project,
        "src/my_service/models.py",
        "    description: Mapped[str | None] = mapped_column(String(DESCRIPTION_LENGTH))\n",
        "    description: Mapped[str | None] = mapped_column(String(DESCRIPTION_LENGTH))\n"
        "    price: Mapped[int | None]\n",
    )
    (project / "migrations/versions/2026_11_26_0002_add_item_price.py").write_text(USER_MIGRATION)
    (project / "tests/test_stats.py").write_text(USER_TEST)
    commit_all(project, "Stats endpoint, item prices")


def fix_the_template(template: TemplateRepo) -> None:
    """A fix in the generated db.py and a new generated test."""
    template.replace(DB_TEMPLATE, PRE_PING_LINE, PRE_PING_LINE + "    pool_use_lifo=True,\n")
    template.write("template/tests/test_health_format.py", NEW_GENERATED_TEST)


def files_with_conflict_markers(project: Path) -> list[str]:
    return [
        name for name, (content, _) in tree(project).items() if CONFLICT_START.encode() in content
    ]
