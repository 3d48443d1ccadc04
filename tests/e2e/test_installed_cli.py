"""The installed `sessionwise` command, as `uv tool install` / `uvx` / `pipx` users run it.

The wheel is built and installed once per test process into a new virtual environment outside
the checkout. A local git repository made from the working tree and tagged with the package's
version stands in for the published template (SESSIONWISE_TEMPLATE points at it, or git is told
to fetch the published address from it).
"""

import re
import shlex
import shutil
from pathlib import Path

import pexpect
import pytest
import yaml

from sessionwise.template.presets import PRESETS
from sessionwise.template.source import RELEASE_TAG, REPOSITORY, VERSION
from testing import ROOT
from testing.installed_cli import InstalledCli
from testing.rendering import copier_copy, same_tree
from testing.template_repo import TemplateRepo, init_repository

DOWN, ENTER, CLEAR_LINE = "\x1b[B", "\r", "\x15"


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> InstalledCli:
    return InstalledCli.build_and_install(tmp_path_factory.mktemp("installed"))


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> TemplateRepo:
    """The stand-in for the published template repository, at this version's tag."""
    return TemplateRepo.from_working_tree(
        tmp_path_factory.mktemp("published") / "sessionwise", RELEASE_TAG
    )


def answers_of(project: Path) -> dict[str, object]:
    answers: dict[str, object] = yaml.safe_load((project / ".copier-answers.yml").read_text())
    return answers


def listing(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def redirect_published_repository(to: Path) -> dict[str, str]:
    """Git settings (as environment variables) that fetch the published address from `to`."""
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"url.{to}.insteadOf",
        "GIT_CONFIG_VALUE_0": f"{REPOSITORY}.git",
    }


def test_help_lists_every_command(cli: InstalledCli, tmp_path: Path) -> None:
    result = cli.run("--help", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    for command in ("new", "update", "check", "catalog"):
        assert re.search(rf"^\W*{command}\s", result.stdout, re.MULTILINE), result.stdout


def test_version_names_the_published_template_at_its_own_tag(
    cli: InstalledCli, tmp_path: Path
) -> None:
    result = cli.run("--version", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"sessionwise {VERSION}",
        f"template: {REPOSITORY} at {RELEASE_TAG} (the release of sessionwise {VERSION})",
    ]


def test_version_names_the_template_given_by_the_environment(
    cli: InstalledCli, tmp_path: Path, published: TemplateRepo
) -> None:
    result = cli.run("--version", cwd=tmp_path, template=published.path)

    assert f"template: {published.path} at its newest tag (SESSIONWISE_TEMPLATE)" in result.stdout


def test_new_with_a_preset_renders_what_copier_copy_renders(
    cli: InstalledCli, tmp_path: Path, published: TemplateRepo
) -> None:
    result = cli.run("new", "svc", "--preset", "sqlite-sync", cwd=tmp_path, template=published.path)
    preset = [f"{key}={value}" for key, value in PRESETS["sqlite-sync"].items()]
    copied = copier_copy(tmp_path / "copied", *preset, template=published.path)

    assert result.returncode == 0, result.stderr
    assert copied.returncode == 0, copied.stderr
    assert f"Rendered svc from {published.path} at its newest tag" in result.stdout
    assert same_tree(tmp_path / "svc", tmp_path / "copied")
    assert answers_of(tmp_path / "svc")["_src_path"] == str(published.path)
    assert answers_of(tmp_path / "svc")["_commit"] == RELEASE_TAG


def test_new_without_a_source_renders_the_published_repository_at_its_own_tag(
    cli: InstalledCli, tmp_path: Path, published: TemplateRepo
) -> None:
    redirect = redirect_published_repository(published.path)

    result = cli.run("new", "svc", "--preset", "sqlite-sync", cwd=tmp_path, **redirect)

    assert result.returncode == 0, result.stderr
    answers = answers_of(tmp_path / "svc")
    assert (answers["_src_path"], answers["_commit"]) == (REPOSITORY, RELEASE_TAG)
    assert (tmp_path / "svc" / "src" / "my_service" / "db.py").is_file()


def test_new_with_data_and_check_runs_the_services_own_tests(
    cli: InstalledCli, tmp_path: Path, published: TemplateRepo
) -> None:
    data = ["--data", "mode=async", "--data", "database=sqlite", "--data", "driver=aiosqlite"]

    result = cli.run("new", "svc", *data, "--check", cwd=tmp_path, template=published.path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"The service's own tests passed: \d+ passed", result.stdout)
    assert answers_of(tmp_path / "svc")["driver"] == "aiosqlite"
    assert (tmp_path / "svc" / ".venv").is_dir()


# What a user types at each question (a question's prompt starts with its name and a colon).
KEYSTROKES = [
    ("project_name: ", CLEAR_LINE + "Orders API" + ENTER),
    ("project_slug: ", ENTER),  # derived by copier from the name
    ("package_name: ", ENTER),
    ("description: ", ENTER),
    ("mode: ", DOWN + ENTER),  # async
    ("database: ", DOWN + ENTER),  # postgresql
    ("driver: ", DOWN + ENTER),  # only the async PostgreSQL drivers: asyncpg, psycopg
    ("connection_proxy: ", ENTER),  # none (PgBouncer is offered with PostgreSQL)
    ("transaction_policy: ", DOWN + ENTER),  # commit_on_success
    ("Size the pool from your expected load", "y"),
    ("Peak requests per second", "100" + ENTER),
    ("Milliseconds each request holds", ENTER),  # 200
    ("Worker processes per instance", ENTER),  # 1
    ("max_connections", ENTER),  # 100
    ("pool_size: ", ENTER),  # suggested: 20
    ("max_overflow: ", ENTER),
    ("pool_timeout: ", ENTER),
    ("pool_recycle: ", ENTER),
    ("pool_pre_ping: ", ENTER),
    ("catalog_owner: ", "group:orders" + ENTER),
]


def answer_in_terminal(terminal: pexpect.spawn) -> tuple[int, str]:
    """Type KEYSTROKES at the questions; the exit status and what was shown after them."""
    for prompt, typed in KEYSTROKES:
        terminal.expect_exact(prompt)
        terminal.send(typed)
    terminal.expect(pexpect.EOF)
    terminal.close()
    return terminal.exitstatus, terminal.before


def test_new_asks_the_questions_in_a_terminal(
    cli: InstalledCli, tmp_path: Path, published: TemplateRepo
) -> None:
    terminal = cli.spawn("new", "svc", cwd=tmp_path, template=published.path)

    status, shown = answer_in_terminal(terminal)

    assert status == 0, shown
    answers = answers_of(tmp_path / "svc")
    assert answers["project_slug"] == "orders-api"
    chosen = (answers["mode"], answers["database"], answers["driver"])
    assert chosen == ("async", "postgresql", "psycopg")
    assert answers["transaction_policy"] == "commit_on_success"
    assert (answers["pool_size"], answers["max_overflow"]) == (20, 10)
    assert (tmp_path / "svc" / "src" / "orders_api" / "db.py").is_file()
    assert (tmp_path / "svc" / "catalog-info.yaml").is_file()


def test_answers_typed_for_an_unreachable_source_are_printed_to_run_again(
    cli: InstalledCli, tmp_path: Path, published: TemplateRepo
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    terminal = cli.spawn("new", "svc", cwd=work, template="https://127.0.0.1:9/sessionwise.git")

    status, shown = answer_in_terminal(terminal)
    again = re.search(r"Your answers, to run again: sessionwise (new svc .*)", shown)

    assert status == 2, shown
    assert "cannot get the template from https://127.0.0.1:9/sessionwise.git" in shown
    assert listing(work) == []
    assert again, shown
    rerun = cli.run(*shlex.split(again.group(1)), cwd=work, template=published.path)
    assert rerun.returncode == 0, rerun.stderr
    answers = answers_of(work / "svc")
    assert (answers["driver"], answers["pool_size"]) == ("psycopg", 20)
    assert answers["catalog_owner"] == "group:orders"


def test_update_brings_in_the_next_tag(cli: InstalledCli, tmp_path: Path) -> None:
    template = TemplateRepo.from_working_tree(tmp_path / "template", RELEASE_TAG)
    service = tmp_path / "service"
    assert (
        cli.run(
            "new", str(service), "--preset", "sqlite-sync", cwd=tmp_path, template=template.path
        ).returncode
        == 0
    )
    init_repository(service, "Service")
    template.replace(
        "template/README.md.jinja", "# {{ project_name }}", "# {{ project_name }} (updated)"
    )
    template.release("v99.0.0")

    result = cli.run("update", cwd=service)

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Updated from template {RELEASE_TAG} to v99.0.0." in result.stdout
    assert "README.md" in result.stdout
    assert (service / "README.md").read_text().startswith("# My Service (updated)")
    assert answers_of(service)["_commit"] == "v99.0.0"


def test_catalog_backstage_prints_the_repositorys_template_yaml(
    cli: InstalledCli, tmp_path: Path
) -> None:
    result = cli.run("catalog", "--backstage", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout == (ROOT / "template.yaml").read_text()


def test_check_finds_nothing_in_a_rendered_service_and_finds_a_planted_pitfall(
    cli: InstalledCli, tmp_path: Path, published: TemplateRepo
) -> None:
    assert (
        cli.run(
            "new", "svc", "--preset", "postgres-async", cwd=tmp_path, template=published.path
        ).returncode
        == 0
    )

    clean = cli.run("check", "src", cwd=tmp_path / "svc")
    shutil.copy(
        ROOT / "tests/unit/check_fixtures/sw001_return_session.py", tmp_path / "svc/src/leaky.py"
    )
    planted = cli.run("check", "src", cwd=tmp_path / "svc")

    assert clean.returncode == 0, clean.stdout
    assert "SW0" not in clean.stdout
    assert planted.returncode == 1
    assert "leaky.py" in planted.stdout and "SW001" in planted.stdout


@pytest.mark.parametrize("case", ["connection refused", "version not published"])
def test_an_unreachable_source_is_a_clear_error_and_writes_nothing(
    cli: InstalledCli, tmp_path: Path, case: str
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    if case == "connection refused":
        source, settings = (
            "https://127.0.0.1:9/sessionwise.git",
            {"template": "https://127.0.0.1:9/sessionwise.git"},
        )
        reason = "Failed to connect"
    else:  # the published address answers, but has no tag for this version yet
        unreleased = TemplateRepo.from_working_tree(tmp_path / "unreleased", "v0.0.1")
        source, settings = REPOSITORY, redirect_published_repository(unreleased.path)
        reason = f"invalid reference: {RELEASE_TAG}"

    result = cli.run("new", "svc", "--preset", "sqlite-sync", cwd=work, **settings)

    assert result.returncode == 2
    assert f"cannot get the template from {source} " in result.stderr
    assert reason in result.stderr
    assert "--template /path/to/the/clone" in result.stderr
    assert listing(work) == []


def test_a_template_folder_without_copier_yml_is_refused(cli: InstalledCli, tmp_path: Path) -> None:
    folder = tmp_path / "not-a-template"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")

    result = cli.run(
        "new", "svc", "--preset", "sqlite-sync", "--template", str(folder), cwd=tmp_path
    )

    assert result.returncode == 2
    assert f"--template {folder} is not a copier template: it has no copier.yml" in result.stderr
    assert listing(tmp_path) == ["not-a-template", "not-a-template/notes.txt"]
