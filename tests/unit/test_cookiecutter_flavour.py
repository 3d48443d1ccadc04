"""The flavour generator on small copier templates: copier's conventions it maps (so that a
change to template/ or copier.yml needs no change to the generator), what it refuses, and the
filters it ships, which must give what copier's give."""

import json
import stat
import subprocess
from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml
from copier import run_copy

from sessionwise.cookiecutter import filters as copier_filters
from sessionwise.cookiecutter.generator import FlavourError, generate
from testing.projects import tree
from testing.template_repo import python_tool

COPIER_YML = {
    "_subdirectory": "template",
    "_exclude": ["*.bak"],
    "_envops": {"trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": True},
    "project_name": {"type": "str", "default": "Tiny Tool"},
    "project_slug": {
        "type": "str",
        "default": "{{ project_name | lower | regex_replace('[^a-z0-9]+', '-') }}",
    },
    "kind": {"type": "str", "choices": {"Library": "lib", "Command": "cli"}, "default": "lib"},
    "extras": {"type": "str", "default": "{{ 'docs' if kind == 'lib' else 'none' }}"},
    "workers": {"type": "int", "default": 2},
    "docs_tool": {
        "type": "str",
        "default": "mkdocs",
        "when": "{{ kind == 'lib' }}",
        "validator": "{% if docs_tool not in ['mkdocs', 'sphinx'] %}mkdocs or sphinx{% endif %}",
    },
    "strict": {"type": "bool", "default": False},
    "is_cli": {"type": "bool", "default": "{{ kind == 'cli' }}", "when": False},
    "threads": {"type": "int", "default": "{{ workers * 2 }}", "when": False},
    "flags": {
        "type": "json",
        "default": "{{ (['-x'] + (['-W'] if strict else [])) | tojson }}",
        "when": False,
    },
    "banner": {
        "type": "str",
        "default": "{% if is_cli %}$ {{ project_slug }}{% endif %}",
        "when": False,
    },
}
FILES = {
    "{{_copier_conf.answers_file}}.jinja": "{{ _copier_answers | to_nice_yaml }}",
    "README.md.jinja": "# {{ project_name }} ({{ docs_tool }})\n{{ banner }}\n"
    "threads={{ threads }} strict={{ strict }} flags={{ flags | join(' ') }} extras={{ extras }}\n",
    "notes.txt": "{{ copied as it is }}\n",
    "notes.txt.bak": "excluded\n",
    "{{project_slug}}/__init__.py.jinja": "NAME = {{ project_name | tojson }}\n",
    "{{project_slug}}/{% if is_cli %}cli.py{% endif %}.jinja": "WORKERS = {{ workers }}\n",
    "run.sh.jinja": "#!/bin/sh\n{% if strict %}\nset -eu\n{% endif %}\necho {{ project_slug }}\n",
}


def write_template(root: Path, config: dict[str, Any], files: dict[str, str]) -> Path:
    root.mkdir(parents=True)
    (root / "copier.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    for name, text in files.items():
        path = root / "template" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "template" / "run.sh.jinja").chmod(0o755)
    return root


def cookiecutter(
    flavour: Path, output: Path, answers: dict[str, Any]
) -> subprocess.CompletedProcess[str]:
    pairs = [f"{key}={value}" for key, value in answers.items()]
    return python_tool(
        "cookiecutter", "--no-input", str(flavour), "--output-dir", str(output), *pairs
    )


@pytest.fixture
def tiny_template(tmp_path: Path) -> Path:
    return write_template(tmp_path / "tiny", COPIER_YML, FILES)


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {"kind": "cli", "strict": True, "workers": 5, "project_name": "Big Tool!"},
        {"docs_tool": "sphinx"},
    ],
    ids=["defaults", "cli-strict", "conditional-question"],
)
def test_copier_conventions_render_the_same_through_cookiecutter(
    tiny_template: Path, tmp_path: Path, answers: dict[str, Any]
) -> None:
    generate(tiny_template, tmp_path / "flavour", folder_question="project_slug")
    run_copy(str(tiny_template), tmp_path / "copier", data=answers, defaults=True, quiet=True)
    completed = cookiecutter(tmp_path / "flavour", tmp_path / "cookiecutter", answers)

    assert completed.returncode == 0, completed.stderr
    (project,) = (tmp_path / "cookiecutter").iterdir()
    copied = tree(tmp_path / "copier")
    del copied[".copier-answers.yml"]
    assert tree(project) == copied
    assert copied["notes.txt"][0] == b"{{ copied as it is }}\n"
    assert copied["run.sh"][1] & stat.S_IXUSR
    assert ("big-tool-/cli.py" in copied) is ("kind" in answers)


def test_a_conditional_question_is_checked_only_when_copier_asks_it(
    tiny_template: Path, tmp_path: Path
) -> None:
    generate(tiny_template, tmp_path / "flavour")

    asked = cookiecutter(tmp_path / "flavour", tmp_path / "asked", {"docs_tool": "latex"})
    skipped = cookiecutter(tmp_path / "flavour", tmp_path / "skipped", {"kind": "cli"})

    assert asked.returncode != 0
    assert "Validation error for question 'docs_tool': mkdocs or sphinx" in asked.stderr
    assert skipped.returncode == 0, skipped.stderr


def test_derived_values_are_computed_in_each_file_not_asked(
    tiny_template: Path, tmp_path: Path
) -> None:
    generate(tiny_template, tmp_path / "flavour")

    context = json.loads((tmp_path / "flavour" / "cookiecutter.json").read_text())
    readme = (tmp_path / "flavour" / "{{cookiecutter.project_slug}}" / "README.md").read_text()

    assert not {"is_cli", "threads", "flags", "banner"} & set(context)
    assert context["kind"] == ["lib", "cli"]
    assert context["strict"] is False
    assert readme.endswith(FILES["README.md.jinja"])  # copier's source, after the set lines


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"_tasks": ["echo hi"]}, "_tasks"),
        ({"_jinja_extensions": ["jinja2_time.TimeExtension"]}, "_jinja_extensions"),
        ({"flags": {"type": "json", "default": "{{ ['-x'] }}", "when": False}}, "| tojson"),
        ({"project_name": {"default": "{{ project_slug }}"}}, "cookiecutter asks later"),
    ],
)
def test_what_cookiecutter_cannot_express_is_refused_by_name(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    root = write_template(tmp_path / "t", {**COPIER_YML, **change}, FILES)

    with pytest.raises(FlavourError, match=message.replace("|", r"\|")):
        generate(root, tmp_path / "flavour")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("{% if is_cli %}bin{% endif %}/main.py.jinja", "folder name with a Jinja block"),
        ("where.txt.jinja", "_copier_conf.dst_path"),
        ("{{ 'x' }}.txt.jinja", "cannot hold quotes"),
    ],
)
def test_names_and_variables_cookiecutter_lacks_are_refused(
    tmp_path: Path, name: str, message: str
) -> None:
    files = {**FILES, name: "{{ _copier_conf.dst_path }}"}
    root = write_template(tmp_path / "t", COPIER_YML, files)

    with pytest.raises(FlavourError, match=message):
        generate(root, tmp_path / "flavour")


FILTER_SAMPLES = [
    "{{ 'Orders API v2' | lower | regex_replace('[^a-z0-9]+', '-') }}",
    "{{ 'ABC' | regex_replace('b', 'x', ignorecase=True) }}",
    "{{ 'orders-api' | regex_search('^[a-z]+') }}",
    "{{ 'nope' | regex_search('^[0-9]+') }}",
    "{{ 'key=value' | regex_search('(\\\\w+)=(\\\\w+)', '\\\\2', '\\\\1') }}",
    "{{ 'a1b22c333' | regex_findall('[0-9]+') }}",
    "{{ 'a.b*c' | regex_escape }}",
    "{{ {'b': 1, 'a': [1, 2]} | to_json }}",
    "{{ {'b': 1, 'a': [1, 2]} | to_nice_json }}",
    "{{ '{\"a\": [1]}' | from_json }}",
    "{{ {'b': 1, 'a': {'c': 'd'}} | to_yaml }}",
    "{{ {'b': 1, 'a': {'c': 'd'}, 'e': ['f']} | to_nice_yaml }}",
    "{{ 'a: [1, 2]' | from_yaml }}",
    "{{ ['yes', 'off', '1', 'TRUE', 'x'] | map('bool') | list }}",
    "{{ true | ternary('on', 'off') }} {{ none | ternary('a', 'b', 'c') }}",
]


@pytest.mark.parametrize("source", FILTER_SAMPLES)
def test_shipped_filters_give_what_copiers_filters_give(source: str) -> None:
    copiers = jinja2.Environment(extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"])
    shipped = jinja2.Environment(extensions=[copier_filters.CopierFilters])

    assert shipped.from_string(source).render() == copiers.from_string(source).render()
