"""The `sessionwise` command line: new, update, check, catalog.

Each command imports what only it needs when it runs: copier alone takes over a second to
import, and `sessionwise check` runs on every commit (pre-commit), so it must not pay for it.
"""

import json
import shlex
import shutil
import subprocess
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from sessionwise.lint import applies, check_paths, fix_findings, report
from sessionwise.lint import config as lint_config
from sessionwise.lint.rules import RULES
from sessionwise.template.presets import PRESETS
from sessionwise.template.source import ENVIRONMENT_VARIABLE, REPOSITORY, VERSION, template_source

app = typer.Typer(
    help="FastAPI services whose SQLAlchemy sessions are right from the first commit.",
    no_args_is_help=True,
    add_completion=False,
)


def print_version(value: bool) -> None:
    if value:
        typer.echo(f"sessionwise {VERSION}")
        typer.echo(f"template: {template_source().describe()}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=print_version,
            is_eager=True,
            help="Print the version and the template source `new` uses, then exit.",
        ),
    ] = False,
) -> None:
    pass


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.secho(f"error: {message}", fg="red", err=True)
    return typer.Exit(code)


@app.command()
def new(
    destination: Annotated[Path, typer.Argument(help="Directory to create the service in")],
    preset: Annotated[str | None, typer.Option(help=f"Answer set: {', '.join(PRESETS)}")] = None,
    data: Annotated[
        list[str] | None, typer.Option("--data", "-d", help="An answer as KEY=VALUE")
    ] = None,
    data_file: Annotated[
        Path | None, typer.Option(help="A YAML file of answers", dir_okay=False)
    ] = None,
    template: Annotated[
        str | None,
        typer.Option(
            help=f"Template source, a folder or git address (default: ${ENVIRONMENT_VARIABLE}, "
            "else the published template at this version's tag; see --version)",
        ),
    ] = None,
    vcs_ref: Annotated[str | None, typer.Option(help="Template version (git ref)")] = None,
    check: Annotated[bool, typer.Option(help="Run the new service's tests afterwards")] = False,
) -> None:
    """Render a new service. Asks in a terminal; with --preset/--data or no terminal, never."""
    from sessionwise.scaffold.new import NewError, collect_answers, prepare, render

    try:
        prepare(destination, template, vcs_ref)
        answers = collect_answers(preset, data_file, data or [])
    except NewError as error:
        raise fail(str(error)) from None
    asked = sys.stdin.isatty() and preset is None and not data and data_file is None
    if asked:
        from sessionwise.scaffold.prompts import ask_answers

        answers = ask_answers(answers)
    try:
        source = render(destination, answers, template=template, vcs_ref=vcs_ref)
    except NewError as error:
        if asked:  # keep what was typed: the same answers, without the questions
            given = " ".join(shlex.quote(f"--data={key}={value}") for key, value in answers.items())
            typer.echo(
                f"Your answers, to run again: sessionwise new {destination} {given}", err=True
            )
        raise fail(str(error)) from None
    typer.secho(f"Rendered {destination} from {source.describe()}", fg="green")
    typer.echo(f"  cd {destination} && uv sync && uv run pytest")
    if check:
        raise typer.Exit(run_service_tests(destination))


def run_service_tests(project: Path) -> int:
    """`uv run pytest` in a new service (uv creates its environment); print the outcome."""
    if shutil.which("uv") is None:
        raise fail("--check runs the service's tests with uv: install it (`pip install uv`)")
    typer.echo("Running the service's own tests (uv run pytest) ...")
    completed = subprocess.run(
        ["uv", "run", "--quiet", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = completed.stdout.strip().splitlines()
    if completed.returncode:
        typer.echo(completed.stdout + completed.stderr, err=True)
        typer.secho(f"The service's own tests FAILED: {lines[-1] if lines else ''}", fg="red")
    else:
        typer.secho(f"The service's own tests passed: {lines[-1]}", fg="green")
    return completed.returncode


@app.command()
def update(
    path: Annotated[Path, typer.Argument(help="The service to update")] = Path(),
    vcs_ref: Annotated[str | None, typer.Option(help="Template version (git ref)")] = None,
    trust: Annotated[
        bool, typer.Option(help="Allow the template's answer migrations to run")
    ] = False,
) -> None:
    """Pull template fixes into a service with `copier update`, then summarise what changed."""
    from sessionwise.scaffold.update import UpdateError, update_project

    try:
        summary = update_project(path, vcs_ref=vcs_ref, trust=trust)
    except UpdateError as error:
        raise fail(str(error)) from None
    typer.echo(summary.describe())
    if summary.conflicts:
        raise typer.Exit(1)


class Format(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"


def code_list(value: str | None) -> set[str] | None:
    if value is None:
        return None
    codes = {code.strip() for code in value.split(",") if code.strip()}
    unknown = sorted(codes - set(RULES))
    if unknown:
        raise fail(f"unknown code(s) {', '.join(unknown)}: known codes are SW000 to SW008")
    return codes


@app.command()
def check(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories to check")],
    output_format: Annotated[Format, typer.Option("--format", help="Output format")] = Format.text,
    output: Annotated[Path | None, typer.Option(help="Write the report to a file")] = None,
    select: Annotated[str | None, typer.Option(help="Only these codes, e.g. SW001,SW005")] = None,
    ignore: Annotated[str | None, typer.Option(help="Skip these codes")] = None,
    fix: Annotated[
        bool, typer.Option("--fix", help="Apply the safe fixes, then report what remains")
    ] = False,
    unsafe_fixes: Annotated[
        bool,
        typer.Option(
            "--unsafe-fixes", help="Also apply (with --fix or --diff) or offer the unsafe fixes"
        ),
    ] = False,
    diff: Annotated[
        bool,
        typer.Option(
            "--diff",
            help="Write nothing: print the diff --fix would make (exit 1 if there is one)",
        ),
    ] = False,
) -> None:
    """Find SQLAlchemy session pitfalls in FastAPI code (static: nothing is imported).

    Exit status: 0 when nothing is (left) to report, 1 when findings remain (with --diff:
    when a fix would change a file), 2 on a usage or configuration error."""
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        raise fail(f"no such file or directory: {', '.join(missing)}")
    try:
        config = lint_config.load(paths[0])
    except lint_config.ConfigError as error:
        raise fail(str(error)) from None
    config.select = code_list(select) or config.select
    config.ignore = code_list(ignore) or config.ignore
    findings, files = check_paths(paths, config)
    root = Path.cwd()
    fixed_count: int | None = None
    if fix or diff:
        fixed, changed = fix_findings(findings, config, unsafe_fixes)
        if diff:
            show_diff(changed, root, len(fixed))
            raise typer.Exit(1 if changed else 0)
        for path, (_, after) in changed.items():
            path.write_bytes(after.encode("utf-8"))
        if changed:
            findings, files = check_paths(paths, config)
        fixed_count = len(fixed)
    if output_format is Format.json:
        rendered = report.json_report(findings, root)
    elif output_format is Format.sarif:
        rendered = report.sarif(findings, root)
    else:
        rendered = report.text(
            findings, files, root, lambda f: applies(f, config, unsafe_fixes), fixed_count
        )
    if output is None:
        typer.echo(rendered)
    else:
        output.write_text(rendered + "\n")
    raise typer.Exit(1 if findings else 0)


def show_diff(changed: dict[Path, tuple[str, str]], root: Path, fixed: int) -> None:
    from sessionwise.lint.fixes import unified_diff

    for path, (before, after) in sorted(changed.items()):
        typer.echo(unified_diff(report.relative(path, root), before, after), nl=False)
    typer.echo(f"Would fix {fixed} finding(s).", err=True)


@app.command()
def catalog(
    backstage: Annotated[
        bool, typer.Option(help="A Backstage `kind: Template` instead of a plain entry")
    ] = False,
    output_format: Annotated[str, typer.Option("--format", help="yaml or json")] = "yaml",
    source: Annotated[
        str | None, typer.Option(help="Where the template lives", show_default=REPOSITORY)
    ] = None,
    owner: Annotated[
        str | None, typer.Option(help="Owning team", show_default="group:platform")
    ] = None,
) -> None:
    """Print a catalog entry for this template, generated from copier.yml."""
    from sessionwise.catalog import entries as catalogs  # yaml and jinja2: a fifth of a second

    if output_format not in {"yaml", "json"}:
        raise fail(f"--format {output_format!r}: choose yaml or json")
    source = source or catalogs.DEFAULT_SOURCE
    owner = owner or catalogs.DEFAULT_OWNER
    entry = (
        catalogs.backstage_template(source, owner)
        if backstage
        else catalogs.catalog_entry(source, owner)
    )
    if output_format == "json":
        typer.echo(json.dumps(entry, indent=2))
    else:
        if backstage:
            typer.echo(catalogs.GENERATED_HEADER)
        typer.echo(catalogs.to_yaml(entry), nl=False)
