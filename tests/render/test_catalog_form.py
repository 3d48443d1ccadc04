"""The catalog form refuses exactly what copier refuses, and offers only the drivers that fit.

The form is template.yaml's parameter pages. Backstage checks the form answers against every
page on its own, so each page here validates the whole set of answers. Copier gets the same
answers as strings (`--data key=value`, as the fetch:copier action joins them): an answer set is
valid when `copier copy` renders it.
"""

from pathlib import Path
from typing import Any

import pytest
from copier import run_copy
from jsonschema import Draft7Validator

from sessionwise.template.questions import fitting_drivers, question
from testing.answer_matrix import MODE_DATABASE_DRIVER
from testing.backstage_node import node_json
from testing.catalog_form import PAGES, REPOSITORY, form_answers
from testing.template_repo import copy_template_files

MODES = question("mode").values
DATABASES = question("database").values
DRIVERS = question("driver").values


def form_errors(values: dict[str, Any]) -> list[str]:
    return [error.message for page in PAGES for error in Draft7Validator(page).iter_errors(values)]


def as_data(value: Any) -> str:
    """An answer as the action's `--data key=value` carries it: JavaScript's String(value)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


@pytest.fixture(scope="module")
def template_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template as plain files: copier renders them without cloning (four times faster
    than a git snapshot; these renders need no `_commit`)."""
    path = tmp_path_factory.mktemp("form") / "template"
    copy_template_files(path)
    return path


def copier_renders(template: Path, destination: Path, values: dict[str, Any]) -> bool:
    data = {name: as_data(value) for name, value in values.items() if name not in REPOSITORY}
    try:
        run_copy(str(template), destination, data=data, defaults=True, quiet=True)
    except ValueError:  # copier's answer validation; it refuses before writing anything
        assert not destination.exists() or not any(destination.iterdir())
        return False
    return True


DRIVER_CASES = [
    pytest.param(
        form_answers(mode=mode, database=database, driver=driver),
        (mode, database, driver) in MODE_DATABASE_DRIVER,
        id=f"{database}-{mode}-{driver}",
    )
    for database in DATABASES
    for mode in MODES
    for driver in DRIVERS
]
PROXY_CASES = [
    pytest.param(
        form_answers(
            database=database,
            driver=fitting_drivers(database, "sync")[0],
            connection_proxy=proxy,
        ),
        proxy == "none" or database == "postgresql",
        id=f"{database}-{proxy}",
    )
    for database in DATABASES
    for proxy in question("connection_proxy").values
]
VALUE_CASES = [
    pytest.param(form_answers(**{name: value}), valid, id=f"{name}={value!r}")
    for name, value, valid in [
        ("project_name", "Orders API", True),
        ("project_name", " ", False),
        ("project_name", "", False),
        ("project_slug", "orders-api2", True),
        ("project_slug", "Orders_API", False),
        ("project_slug", "orders--api", False),
        ("project_slug", "-orders", False),
        ("project_slug", "", False),
        ("package_name", "_orders", True),
        ("package_name", "class", False),
        ("package_name", "tests", False),
        ("package_name", "1orders", False),
        ("package_name", "orders-api", False),
        ("description", "", True),
        ("description", "Orders: a=b, c", True),
        ("catalog_owner", "group:payments", True),
        ("catalog_owner", "group:default/payments", True),
        ("catalog_owner", "Payments Team", False),
        ("catalog_owner", "group:Payments", False),
        ("database", "oracle", False),
        ("transaction_policy", "commit_on_success", True),
        ("transaction_policy", "always", False),
        ("pool_size", 1, True),
        ("pool_size", 200, True),
        ("pool_size", 0, False),
        ("pool_size", 201, False),
        ("pool_size", "five", False),
        ("max_overflow", 0, True),
        ("max_overflow", -1, False),
        ("max_overflow", 1001, False),
        ("pool_timeout", 600, True),
        ("pool_timeout", 0, False),
        ("pool_timeout", 601, False),
        ("pool_recycle", -1, True),
        ("pool_recycle", 1, True),
        ("pool_recycle", 86400, True),
        ("pool_recycle", -2, False),
        ("pool_recycle", 0, False),
        ("pool_recycle", 86401, False),
        ("pool_pre_ping", False, True),
    ]
]
CASES = DRIVER_CASES + PROXY_CASES + VALUE_CASES


def test_every_page_is_a_json_schema() -> None:
    for page in PAGES:
        Draft7Validator.check_schema(page)


def test_the_form_defaults_are_valid() -> None:
    assert form_errors(form_answers()) == []


@pytest.mark.parametrize(("values", "valid"), CASES)
def test_form_validates_iff_copier_copy_renders(
    tmp_path: Path, template_files: Path, values: dict[str, Any], valid: bool
) -> None:
    errors = form_errors(values)
    renders = copier_renders(template_files, tmp_path / "svc", values)

    assert (not errors) == renders == valid, errors


def test_backstage_checks_the_answers_as_the_form_does() -> None:
    """Backstage's own code gives the same verdicts: the scaffolder backend's check of the
    answers (`jsonschema`) and its frontend's form validation (react-jsonschema-form, ajv)."""
    cases = [param.values for param in CASES]
    request = {"pages": PAGES, "cases": [values for values, _ in cases], "shown": []}

    verdicts = node_json("check_form.js", "validators", request)["cases"]

    for (values, valid), verdict in zip(cases, verdicts, strict=True):
        assert (not verdict["backend"]) == valid, (values, verdict)
        assert (not verdict["frontend"]) == valid, (values, verdict)


def test_backstage_form_offers_exactly_the_drivers_that_fit() -> None:
    page = next(i for i, page in enumerate(PAGES) if "driver" in page["properties"])
    pairs = [(database, mode) for database in DATABASES for mode in MODES]
    request = {
        "pages": PAGES,
        "cases": [],
        "shown": [{"page": page, "values": {"database": d, "mode": m}} for d, m in pairs],
    }

    shown = node_json("check_form.js", "validators", request)["shown"]

    for (database, mode), fields in zip(pairs, shown, strict=True):
        offered = fields["driver"]["enum"]
        assert offered == fitting_drivers(database, mode)
        assert fields["driver"]["default"] == offered[0]
        matrix = [driver for m, d, driver in MODE_DATABASE_DRIVER if (d, m) == (database, mode)]
        assert sorted(offered) == sorted(matrix)


def test_backstage_form_offers_pgbouncer_only_with_postgresql() -> None:
    page = next(i for i, page in enumerate(PAGES) if "connection_proxy" in page["properties"])
    request = {
        "pages": PAGES,
        "cases": [],
        "shown": [{"page": page, "values": {"database": d, "mode": "sync"}} for d in DATABASES],
    }

    shown = node_json("check_form.js", "validators", request)["shown"]

    offered = {
        database: fields["connection_proxy"]["enum"]
        for database, fields in zip(DATABASES, shown, strict=True)
    }
    assert offered == {"sqlite": ["none"], "postgresql": ["none", "pgbouncer"], "mysql": ["none"]}
    assert all(fields["connection_proxy"]["default"] == "none" for fields in shown)
