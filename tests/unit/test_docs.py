"""The documentation site: it builds cleanly, every page is reachable, nothing has drifted."""

import html
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from sessionwise.lint.rule import docs_page
from sessionwise.lint.rules import RULES
from testing import ROOT
from testing.docs import nav_pages

DOCS = ROOT / "docs"
# The pitfall pages: every rule with a check (SW000's page is not one of them).
PITFALL_CODES = {rule.name: code for code, rule in RULES.items() if rule.check is not None}


def load_hook(name: str) -> ModuleType:
    path = DOCS / "_hooks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"docs_hook_{name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    destination = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(destination)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return destination


def page_text(site: Path, page: str) -> str:
    text = re.sub(r"<[^>]+>", "", (site / page / "index.html").read_text())
    return " ".join(html.unescape(text).split())


def test_the_site_builds_with_no_warning(site: Path) -> None:
    assert (site / "index.html").exists()
    assert (site / "pitfalls" / "expire-on-commit" / "index.html").exists()


def test_every_page_is_in_the_nav() -> None:
    nav = nav_pages(yaml.safe_load((ROOT / "mkdocs.yml").read_text())["nav"])
    pages = {
        path.relative_to(DOCS).as_posix()
        for path in DOCS.rglob("*.md")
        if "_hooks" not in path.relative_to(DOCS).parts
    }
    assert pages - set(nav) == set(), "pages missing from the nav"
    assert set(nav) - pages <= {"updating.md"}, "nav entries without a page"
    assert "updating.md" in nav


def test_every_question_is_in_the_built_options_reference(site: Path) -> None:
    config = yaml.safe_load((ROOT / "copier.yml").read_text())
    asked = [
        name
        for name, spec in config.items()
        if not name.startswith("_") and spec.get("when") is not False
    ]
    reference = page_text(site, "options")
    assert len(asked) >= 14
    for name in asked:
        assert f'id="{name}"' in (site / "options" / "index.html").read_text(), name
        # The help is Markdown on the page: `name` is shown as code, without the backticks.
        assert " ".join(config[name]["help"].replace("`", "").split()) in reference, name


def test_the_options_reference_follows_copier_yml(tmp_path: Path) -> None:
    options = load_hook("options")
    copier_yml = tmp_path / "copier.yml"
    text = (ROOT / "copier.yml").read_text()
    copier_yml.write_text(
        text + "\nretries:\n  type: int\n  help: How often a request is retried\n  default: 3\n"
    )
    assert "### `retries`" in options.options_reference(copier_yml)
    assert "How often a request is retried" in options.options_reference(copier_yml)


def test_a_question_without_help_stops_the_options_reference(tmp_path: Path) -> None:
    options = load_hook("options")
    copier_yml = tmp_path / "copier.yml"
    text = (ROOT / "copier.yml").read_text()
    copier_yml.write_text(text + "\nretries:\n  type: int\n  default: 3\n")
    with pytest.raises(ValueError, match="'retries' has no help text"):
        options.options_reference(copier_yml)


def generated_test_names() -> list[re.Pattern[str]]:
    """The test functions of template/tests, a Jinja expression in a name matching any word."""
    names = []
    for path in (ROOT / "template" / "tests").iterdir():
        found = re.findall(
            r"^(?:async def|def|\{\{ fn \}\}) (test_[^(]+)\(", path.read_text(), flags=re.M
        )
        for name in found:
            parts = re.split(r"\{\{.*?\}\}", name)
            names.append(re.compile(r"\w+".join(re.escape(part) for part in parts)))
    return names


@pytest.mark.parametrize("slug", PITFALL_CODES)
def test_each_pitfall_page_names_its_generated_tests_and_code(slug: str) -> None:
    text = (DOCS / "pitfalls" / f"{slug}.md").read_text()
    assert PITFALL_CODES[slug] in text
    section = text.split("## Generated tests", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`(test_\w+)`", section))
    assert named, f"{slug}: no generated test named"
    patterns = generated_test_names()
    for name in named:
        assert any(pattern.fullmatch(name) for pattern in patterns), f"{slug}: no test {name}"


@pytest.mark.parametrize("code", RULES)
def test_each_rule_page_is_what_its_rule_file_generates(code: str) -> None:
    """The pages are output: their text lives in src/sessionwise/lint/rules/."""
    rule = RULES[code]
    assert (DOCS / rule.docs_path).read_text() == docs_page(rule), (
        f"docs/{rule.docs_path} differs from {code}'s rule file: run scripts/generate-rule-docs"
    )


def test_the_benchmarks_page_shows_the_latest_table_and_plot(site: Path) -> None:
    page = (site / "benchmarks" / "index.html").read_text()
    plots = re.findall(r'<img[^>]+src="([^"]+\.png)"', page)

    assert "<table>" in page
    assert plots, "no plot on the benchmarks page"
    for plot in plots:
        assert (site / "benchmarks" / plot).resolve().is_file(), plot
