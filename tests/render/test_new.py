"""`sessionwise new`: the same project as `copier copy`, and clear errors that touch nothing."""

from pathlib import Path

import pytest

from sessionwise.scaffold.new import NewError, collect_answers, render
from sessionwise.template.presets import PRESETS
from sessionwise.template.questions import fitting_drivers
from testing.answer_matrix import MODE_DATABASE_DRIVER
from testing.rendering import copier_copy, same_tree


def test_new_renders_what_copier_copy_renders(tmp_path: Path, template_snapshot: Path) -> None:
    answers = {"mode": "async", "database": "postgresql", "driver": "psycopg"}

    render(tmp_path / "via-api", answers, template=template_snapshot, vcs_ref="HEAD")
    completed = copier_copy(
        tmp_path / "via-cli",
        *(f"{k}={v}" for k, v in answers.items()),
        template=template_snapshot,
    )

    assert completed.returncode == 0, completed.stderr
    assert same_tree(tmp_path / "via-api", tmp_path / "via-cli")


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_every_preset_is_a_supported_combination(preset: str) -> None:
    answers = PRESETS[preset]
    combo = (answers["mode"], answers["database"], answers["driver"])
    assert combo in MODE_DATABASE_DRIVER


def test_fitting_drivers_come_from_copier_yml() -> None:
    for mode, database, driver in MODE_DATABASE_DRIVER:
        assert driver in fitting_drivers(database, mode)
    assert fitting_drivers("postgresql", "async") == ["asyncpg", "psycopg"]
    assert "psycopg2" not in fitting_drivers("postgresql", "async")


def test_later_answers_override_the_preset(tmp_path: Path) -> None:
    data_file = tmp_path / "answers.yml"
    data_file.write_text("transaction_policy: commit_on_success\npool_size: 7\n")

    answers = collect_answers("postgres-async", data_file, ["pool_size=9"])

    assert answers["driver"] == "asyncpg"
    assert answers["transaction_policy"] == "commit_on_success"
    assert answers["pool_size"] == "9"


@pytest.mark.parametrize(
    ("preset", "data_file_text", "data", "message"),
    [
        ("postgres", None, [], "no preset 'postgres': choose one of"),
        (None, "- mode\n- async\n", [], "must hold a mapping of answers"),
        (None, "mode: [unclosed\n", [], "is not valid YAML"),
        (None, None, ["mode"], "write it as KEY=VALUE"),
    ],
)
def test_bad_input_says_what_to_fix(
    tmp_path: Path, preset: str | None, data_file_text: str | None, data: list[str], message: str
) -> None:
    data_file = None
    if data_file_text is not None:
        data_file = tmp_path / "answers.yml"
        data_file.write_text(data_file_text)

    with pytest.raises(NewError, match=message.replace("(", r"\(")):
        collect_answers(preset, data_file, data)


def test_a_refused_answer_writes_nothing(tmp_path: Path) -> None:
    destination = tmp_path / "svc"

    with pytest.raises(NewError, match="psycopg2 is PostgreSQL's sync-only driver"):
        render(destination, {"mode": "async", "database": "postgresql", "driver": "psycopg2"})

    assert not destination.exists() or not any(destination.iterdir())


def test_a_non_empty_destination_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")

    with pytest.raises(NewError, match="exists and is not empty"):
        render(tmp_path, {})

    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    assert (tmp_path / "notes.txt").read_text() == "mine"


@pytest.fixture
def template_failing_midway(tmp_path: Path) -> Path:
    """A template whose second file fails to render, after copier wrote the first."""
    template = tmp_path / "failing-template"
    (template / "t" / "later").mkdir(parents=True)
    (template / "copier.yml").write_text("_subdirectory: t\n")
    (template / "t" / "first.txt").write_text("written first\n")
    (template / "t" / "later" / "broken.txt.jinja").write_text("{{ 1 // 0 }}\n")
    return template


def test_a_failed_render_removes_every_folder_it_created(
    tmp_path: Path, template_failing_midway: Path
) -> None:
    work = tmp_path / "work"
    work.mkdir()

    with pytest.raises(ZeroDivisionError):
        render(work / "a" / "b" / "service", {}, template=template_failing_midway)

    assert list(work.iterdir()) == []


def test_a_failed_render_empties_the_empty_folder_it_was_given_and_keeps_it(
    tmp_path: Path, template_failing_midway: Path
) -> None:
    destination = tmp_path / "service"
    destination.mkdir()

    with pytest.raises(ZeroDivisionError):
        render(destination, {}, template=template_failing_midway)

    assert destination.is_dir()
    assert list(destination.iterdir()) == []


def test_an_unreachable_source_names_it_and_writes_nothing(tmp_path: Path) -> None:
    source = "https://127.0.0.1:9/sessionwise.git"

    with pytest.raises(NewError, match=f"cannot get the template from {source}"):
        render(tmp_path / "service", {}, template=source)

    assert list(tmp_path.iterdir()) == []
