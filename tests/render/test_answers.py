"""copier.yml: defaults, validation of bad answers, and what the answers file keeps."""

from pathlib import Path

import pytest
import yaml
from copier import run_copy

from testing import ROOT
from testing.rendering import copier_copy

TEMPLATE = ROOT


def test_defaults_render_a_sync_sqlite_service_without_trust(tmp_path: Path) -> None:
    completed = copier_copy(tmp_path / "svc")

    assert completed.returncode == 0, completed.stderr
    answers = yaml.safe_load((tmp_path / "svc" / ".copier-answers.yml").read_text())
    assert answers["mode"] == "sync"
    assert answers["database"] == "sqlite"
    assert answers["driver"] == "pysqlite"
    assert answers["_src_path"] == str(TEMPLATE)
    assert "uv run pytest" in completed.stdout + completed.stderr


def test_answers_file_keeps_questions_not_derived_values(tmp_path: Path) -> None:
    run_copy(str(TEMPLATE), tmp_path, defaults=True, vcs_ref="HEAD", quiet=True)

    answers = yaml.safe_load((tmp_path / ".copier-answers.yml").read_text())
    assert {key for key in answers if not key.startswith("_")} == {
        "project_name",
        "project_slug",
        "package_name",
        "description",
        "mode",
        "database",
        "driver",
        "connection_proxy",
        "transaction_policy",
        "pool_size",
        "max_overflow",
        "pool_timeout",
        "pool_recycle",
        "pool_pre_ping",
        "catalog_owner",
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (["package_name=class"], "is a Python keyword"),
        (["package_name=1service"], "is not a valid package name"),
        (["package_name=my-service"], "is not a valid package name"),
        (["project_slug=Orders_API"], "is not a valid slug"),
        (["project_name= "], "Give the service a name"),
        (["pool_size=-1"], "pool_size must be a whole number from 1 to 200"),
        (["pool_size=0"], "pool_size must be a whole number from 1 to 200"),
        (["max_overflow=-3"], "max_overflow must be a whole number from 0 to 1000"),
        (["pool_timeout=0"], "pool_timeout must be a whole number of seconds"),
        (["pool_recycle=0"], "pool_recycle must be -1 (never) or a whole number"),
        (["pool_size=five"], "invalid literal for int()"),
        (["catalog_owner=Payments Team"], "is not an entity reference"),
        (
            ["mode=async", "database=postgresql", "driver=psycopg2"],
            "psycopg2 is PostgreSQL's sync-only driver; with database=postgresql\nand mode=async"
            " choose asyncpg or psycopg",
        ),
        (
            ["database=sqlite", "driver=asyncpg"],
            "with database=sqlite\nand mode=sync choose pysqlite",
        ),
        (
            ["mode=sync", "database=mysql", "driver=aiomysql"],
            "choose pymysql or mysqlclient",
        ),
        (
            ["database=mysql", "driver=pymysql", "connection_proxy=pgbouncer"],
            "Invalid choice for 'connection_proxy': PgBouncer pools PostgreSQL connections"
            " only; with database=mysql choose none",
        ),
        (
            ["connection_proxy=pgbouncer"],
            "PgBouncer pools PostgreSQL connections only; with database=sqlite choose none",
        ),
        (["connection_proxy=pgpool"], "Invalid choice for 'connection_proxy'"),
    ],
)
def test_bad_answer_fails_with_what_to_fix_and_writes_nothing(
    tmp_path: Path, data: list[str], message: str
) -> None:
    destination = tmp_path / "svc"

    completed = copier_copy(destination, *data)

    assert completed.returncode != 0
    assert " ".join(message.split()) in " ".join(completed.stderr.split())
    assert not destination.exists() or not any(destination.iterdir())
