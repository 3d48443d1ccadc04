"""The cookiecutter flavour: a cookiecutter template generated from copier.yml and template/.

Copier's conventions, mapped generally (no file is special-cased):

- a question becomes a cookiecutter variable (choices a list, the default first; help texts
  and choice labels go to `__prompts__`), a conditional one too (cookiecutter asks it always;
  its default is what copier uses when it skips it); `_envops` becomes `_jinja2_env_vars`;
- a `.jinja` file is rendered; any other file is copied as it is (`_copy_without_render`);
- each rendered text (file body, computed default, the hook) starts with
  `{% set name = cookiecutter.name %}` lines for the variables it reads, cast to the question's
  type, and derived values (`when: false`) are computed there from copier.yml's own
  expressions; with `trim_blocks` those lines print nothing, so the body that follows is
  copier's source byte for byte and renders to the same bytes;
- a file or folder name does the same in one line, but holds no quote (Jinja breaks on a
  quote in a template's name), so the derived values it reads are computed once, as private
  `__name` variables of cookiecutter.json, which cruft recomputes on update;
- a name that renders empty means "no file" in both tools (cookiecutter skips a file whose
  name renders empty), so conditional files need no hook;
- the answers file template is left out: cookiecutter keeps none and cruft keeps `.cruft.json`;
- copier's validators become `hooks/pre_gen_project.py` (see `hook_runtime`);
- the filters copier adds to Jinja come from `filters.py`, shipped in the folder as
  `copier_filters.py`.

What cannot be mapped (conditional folders, `_tasks`, Jinja extensions, copier variables
cookiecutter has no value for) is refused with a message that names it.
"""

import argparse
import glob
import json
import re
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
import pathspec
import yaml
from jinja2 import meta, nodes

from sessionwise.catalog import entries as catalog
from sessionwise.cookiecutter import filters, hook_runtime

EXTENSION = "copier_filters.CopierFilters"
HOOK = "hooks/pre_gen_project.py"
GENERATED_BY = "scripts/generate-cookiecutter"
# Copier settings with no cookiecutter counterpart that change what a render produces.
UNSUPPORTED_SETTINGS = ["_tasks", "_jinja_extensions", "_external_data", "_skip_if_exists"]
# How a file name reads a private `__name` value back, without quotes ("1" or "" for a bool).
NAME_CASTS = {"str": "", "int": " | int", "float": " | float", "bool": " | length > 0"}
# What copier's bool cast calls false, besides zero and the empty string.
FALSE_WORDS = sorted(hook_runtime.FALSE_WORDS)
README = """\
# The cookiecutter flavour of this template

Generated from `copier.yml` and `template/` by `{command}`: do not edit by hand.

    cookiecutter gh:sessionwise/sessionwise --directory cookiecutter
    cruft create https://github.com/sessionwise/sessionwise --directory cookiecutter
"""


class FlavourError(Exception):
    """Something in the copier template that the cookiecutter flavour cannot express."""


@dataclass
class Variable:
    """A question of copier.yml, or a value derived from the answers (`when: false`)."""

    name: str
    spec: dict[str, Any]

    @property
    def type(self) -> str:
        return str(self.spec.get("type", "str"))

    @property
    def derived(self) -> bool:
        return self.spec.get("when") is False

    @property
    def default(self) -> Any:
        return self.spec.get("default")

    @property
    def choices(self) -> list[tuple[str, Any, str]]:
        """(label, value, per-choice validator) for each choice, in order."""
        choices = self.spec.get("choices") or {}
        if isinstance(choices, list):
            choices = {str(choice): choice for choice in choices}
        return [
            (str(label), choice["value"], choice.get("validator", ""))
            if isinstance(choice, dict)
            else (str(label), choice, "")
            for label, choice in choices.items()
        ]


def is_templated(value: Any) -> bool:
    return isinstance(value, str) and any(mark in value for mark in ("{{", "{%", "{#"))


def jinja_literal(value: Any) -> str:
    """A Python value as a Jinja literal: JSON's syntax, but `none` for null."""
    if value is None:
        return "none"
    if isinstance(value, list):
        return "[" + ", ".join(jinja_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        items = (f"{json.dumps(str(key))}: {jinja_literal(item)}" for key, item in value.items())
        return "{" + ", ".join(items) + "}"
    return json.dumps(value)


@dataclass
class CopierTemplate:
    """copier.yml and the folder it renders, read for conversion."""

    root: Path
    folder_question: str = "project_slug"
    config: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        config_file = next(
            (
                path
                for path in (self.root / "copier.yml", self.root / "copier.yaml")
                if path.exists()
            ),
            self.root / "copier.yml",
        )
        self.config = yaml.safe_load(config_file.read_text())
        for setting in UNSUPPORTED_SETTINGS:
            if self.config.get(setting):
                raise FlavourError(f"copier.yml uses {setting}, which cookiecutter cannot run")
        if self.folder_question not in self.answered:
            raise FlavourError(f"no question {self.folder_question!r} to name the project folder")

    @cached_property
    def variables(self) -> dict[str, Variable]:
        return {
            name: Variable(name, spec)
            for name, spec in self.config.items()
            if not name.startswith("_") and isinstance(spec, dict)
        }

    @property
    def answered(self) -> list[str]:
        return [name for name, variable in self.variables.items() if not variable.derived]

    @property
    def envops(self) -> dict[str, Any]:
        envops: dict[str, Any] = {"keep_trailing_newline": True, **self.config.get("_envops", {})}
        if "undefined" in envops:
            raise FlavourError("_envops.undefined: cookiecutter always uses StrictUndefined")
        if not envops["keep_trailing_newline"]:
            raise FlavourError("_envops.keep_trailing_newline: cookiecutter always keeps it")
        return envops

    @cached_property
    def env(self) -> jinja2.Environment:
        return jinja2.Environment(extensions=[filters.CopierFilters], **self.envops)

    @property
    def suffix(self) -> str:
        return str(self.config.get("_templates_suffix", ".jinja"))

    @property
    def source(self) -> Path:
        return self.root / str(self.config.get("_subdirectory", ""))

    @property
    def answers_file(self) -> str:
        return str(self.config.get("_answers_file", ".copier-answers.yml"))

    def parse(self, source: str, where: str) -> nodes.Template:
        try:
            parsed = self.env.parse(source)
        except jinja2.TemplateSyntaxError as error:
            raise FlavourError(f"{where}: {error}") from error
        for node in parsed.find_all(nodes.Filter):
            if node.name not in self.env.filters:
                raise FlavourError(
                    f"{where} uses the filter {node.name!r}, which cookiecutter lacks: add it to"
                    " sessionwise/cookiecutter/filters.py"
                )
        return parsed

    def referenced(self, source: str, where: str) -> set[str]:
        """The copier variables a template reads."""
        parsed = self.parse(source, where)
        names = meta.find_undeclared_variables(parsed)
        for node in parsed.find_all(nodes.Getattr):
            reads_conf = isinstance(node.node, nodes.Name) and node.node.name == "_copier_conf"
            if reads_conf and node.attr != "answers_file":
                raise FlavourError(
                    f"{where} reads _copier_conf.{node.attr}: cookiecutter has no value for it"
                )
        # Other names are the template's own (set in a branch, say): Jinja resolves them.
        return names & (set(self.variables) | {"_copier_conf", "_folder_name"})

    def order(self, name: str) -> int:
        return list(self.variables).index(name) if name in self.variables else -1

    def closure(self, names: set[str], where: str) -> list[str]:
        """`names` and the variables their derived values read, each after what it reads."""
        ordered: list[str] = []
        visiting: set[str] = set()

        def visit(name: str) -> None:
            if name in ordered:
                return
            if name in visiting:
                raise FlavourError(f"{where}: derived value {name!r} depends on itself")
            visiting.add(name)
            variable = self.variables.get(name)
            if variable is not None and variable.derived and is_templated(variable.default):
                reads = self.referenced(variable.default, f"copier.yml {name}")
                for dependency in sorted(reads, key=self.order):
                    visit(dependency)
            ordered.append(name)

        for name in sorted(names, key=self.order):
            visit(name)
        return ordered

    def statement(self, name: str) -> str:
        """A `{% set %}` that gives `name` the value copier gives it."""
        if name == "_copier_conf":
            answers_file = jinja_literal(self.answers_file)
            return f"{{% set _copier_conf = {{'answers_file': {answers_file}}} %}}"
        if name == "_folder_name":
            return f"{{% set _folder_name = cookiecutter.{self.folder_question} %}}"
        variable = self.variables[name]
        if not variable.derived:
            if variable.type in {"json", "yaml"}:
                raise FlavourError(f"question {name!r} is of type {variable.type}: not supported")
            return f"{{% set {name} = {cast(f'cookiecutter.{name}', variable.type)} %}}"
        return self.derived_statement(variable)

    def derived_statement(self, variable: Variable) -> str:
        name, default = variable.name, variable.default
        if not is_templated(default):
            if variable.type in {"json", "yaml"}:
                value = default if not isinstance(default, str) else yaml.safe_load(default)
                return f"{{% set {name} = {jinja_literal(value)} %}}"
            return f"{{% set {name} = {cast(jinja_literal(default), variable.type)} %}}"
        expression = single_expression(self.parse(default, f"copier.yml {name}"), default)
        if variable.type in {"json", "yaml"}:
            # copier parses the rendered text; `{{ value | tojson }}` parses back to `value`.
            inner = re.fullmatch(r"(.*?)\s*\|\s*tojson\s*", expression or "", re.DOTALL)
            if inner is None:
                raise FlavourError(
                    f"copier.yml {name}: a derived {variable.type} value must be written"
                    " `{{ expression | tojson }}` for cookiecutter"
                )
            return f"{{% set {name} = {inner.group(1)} %}}"
        if expression is not None and variable.type == "bool" and is_boolean(default, self.env):
            return f"{{% set {name} = {expression} %}}"
        # The text copier renders, then copier's cast. `+` keeps the edges as they are.
        rendered = f"{{% set {name} +%}}{default}{{%+ endset %}}"
        if variable.type == "str":
            return rendered
        return rendered + f"{{% set {name} = {cast(name, variable.type)} %}}"

    def prefix(self, names: set[str], where: str, *, lines: bool) -> str:
        """The `{% set %}` statements that give a text the variables it reads."""
        statements = [self.statement(name) for name in self.closure(names, where)]
        if lines and self.envops.get("trim_blocks"):
            return "".join(f"{statement}\n" for statement in statements)
        return "".join(statements)

    def with_prefix(self, source: str, where: str, *, lines: bool = False) -> str:
        return self.prefix(self.referenced(source, where), where, lines=lines) + source


def cast(expression: str, type_name: str) -> str:
    """A Jinja expression for `expression` cast as copier casts an answer of `type_name`."""
    if type_name in {"int", "float"}:
        return f"{expression} | {type_name}"
    if type_name == "bool":
        falsy = jinja_literal(["", *FALSE_WORDS])
        words = f"({expression} | string | trim | lower)"
        return f"({expression} | float(1) != 0 and {words} not in {falsy})"
    return expression


def single_expression(parsed: nodes.Template, source: str) -> str | None:
    """The expression's text when a template is exactly one `{{ expression }}`, else None."""
    body = parsed.body
    if not (len(body) == 1 and isinstance(body[0], nodes.Output) and len(body[0].nodes) == 1):
        return None
    if isinstance(body[0].nodes[0], nodes.TemplateData):
        return None
    match = re.fullmatch(r"\{\{-?(.*?)-?\}\}", source, re.DOTALL)
    return match.group(1).strip() if match else None


def is_boolean(source: str, env: jinja2.Environment) -> bool:
    """Whether a `{{ expression }}` is a comparison or a test, whose value is already a bool."""
    output = env.parse(source).body[0]
    assert isinstance(output, nodes.Output)
    node = output.nodes[0]
    return isinstance(node, nodes.Compare | nodes.Not | nodes.Test) or (
        isinstance(node, nodes.Const) and isinstance(node.value, bool)
    )


@dataclass(frozen=True)
class TemplateFile:
    """A file of the copier template and where the flavour puts it."""

    source: Path
    target: PurePosixPath  # below the project folder, names converted
    rendered: bool


@dataclass
class Flavour:
    """The cookiecutter template for a copier template."""

    template: CopierTemplate
    # Values file names read, computed once by cookiecutter (`__name` in cookiecutter.json).
    private: dict[str, str] = field(default_factory=dict)

    @property
    def project_folder(self) -> str:
        return f"{{{{cookiecutter.{self.template.folder_question}}}}}"

    def files(self) -> Iterator[TemplateFile]:
        template, source = self.template, self.template.source
        excluded = pathspec.PathSpec.from_lines(
            "gitignore", [*template.config.get("_exclude", []), "__pycache__", "*.py[co]"]
        )
        for path in sorted(source.rglob("*")):
            relative = path.relative_to(source)
            if path.is_dir() or excluded.match_file(relative.as_posix()):
                continue
            if path.is_symlink():
                raise FlavourError(f"{relative} is a symbolic link: not supported")
            rendered = path.name.endswith(template.suffix)
            if not rendered and path.with_name(path.name + template.suffix).exists():
                continue  # copier renders the templated sibling instead
            parts = list(relative.parts)
            if rendered:
                parts[-1] = parts[-1].removesuffix(template.suffix)
            if self.is_answers_file(parts[-1]):
                continue
            target = [
                self.convert_name(part, f"{relative}", is_folder=index < len(parts) - 1)
                for index, part in enumerate(parts)
            ]
            yield TemplateFile(path, PurePosixPath(*target), rendered)

    def is_answers_file(self, name: str) -> bool:
        return name == self.template.answers_file or bool(
            re.fullmatch(r"\{\{\s*_copier_conf\.answers_file\s*\}\}", name)
        )

    def convert_name(self, part: str, where: str, *, is_folder: bool) -> str:
        if not is_templated(part):
            return part
        if is_folder and "{%" in part:
            raise FlavourError(
                f"{where}: a folder name with a Jinja block may render empty, which copier skips"
                " and cookiecutter cannot; make the files inside conditional instead"
            )
        plain = re.fullmatch(r"\{\{\s*(\w+)\s*\}\}", part)
        if plain and plain.group(1) in self.template.answered:
            variable = self.template.variables[plain.group(1)]
            if variable.type == "str":
                return f"{{{{cookiecutter.{variable.name}}}}}"
        where = f"the name {where}"
        reads = sorted(self.template.referenced(part, where), key=self.template.order)
        converted = "".join(self.name_statement(name, where) for name in reads) + part
        if any(mark in converted for mark in ("'", '"', "\n", "/")):
            # Jinja puts a template's name, unescaped, in the code it compiles for an inline
            # `if` without `else`: a quote there breaks the file's template.
            raise FlavourError(f"{where}: a file name cannot hold quotes, newlines or slashes")
        return converted

    def name_statement(self, name: str, where: str) -> str:
        """The `{% set %}` for a variable a file name reads. It must hold no quote, so a derived
        value is computed once by cookiecutter, as a private `__name` variable, and read here."""
        statement = self.template.statement(name)
        variable = self.template.variables.get(name)
        derived = variable is not None and variable.derived
        if not derived and not any(mark in statement for mark in "'\"/\n"):
            return statement
        if variable is None or variable.type not in NAME_CASTS:
            raise FlavourError(f"{where} reads {name}, which a file name cannot compute")
        is_bool = variable.type == "bool"
        text = f"{{% if {name} %}}1{{% endif %}}" if is_bool else f"{{{{ {name} }}}}"
        self.private[f"__{name}"] = self.template.with_prefix(text, where)
        return f"{{% set {name} = cookiecutter.__{name}{NAME_CASTS[variable.type]} %}}"

    def body(self, file: TemplateFile) -> str:
        where = str(file.source.relative_to(self.template.root))
        return self.template.with_prefix(file.source.read_text(), where, lines=True)

    def copy_without_render(self, files: list[TemplateFile]) -> list[str]:
        """fnmatch patterns (cookiecutter matches them against the unrendered paths)."""
        return [glob.escape(str(file.target)) for file in files if not file.rendered]

    def default(self, variable: Variable) -> Any:
        """The cookiecutter.json entry of a question: its default, or its choices."""
        default, where = variable.default, f"copier.yml {variable.name}"
        if is_templated(default):
            self.check_reads_earlier_answers(variable)
            default = self.template.with_prefix(default, where)
        if variable.choices:
            values = [str(value) for _, value, _ in variable.choices]
            if default is None:
                return values
            return [str(default), *(value for value in values if value != str(default))]
        if default is None:
            return False if variable.type == "bool" else ""
        if variable.type == "bool" and not is_templated(variable.default):
            return hook_runtime.cast_to_bool(default)
        return default

    def check_reads_earlier_answers(self, variable: Variable) -> None:
        where = f"copier.yml {variable.name}"
        reads = self.template.closure(self.template.referenced(variable.default, where), where)
        later = [
            name
            for name in reads
            if name in self.template.answered
            and self.template.order(name) >= self.template.order(variable.name)
        ]
        if later:
            raise FlavourError(
                f"{where}: its default reads {', '.join(later)}, which cookiecutter asks later"
            )

    def prompts(self) -> dict[str, Any]:
        prompts: dict[str, Any] = {}
        for name in self.template.answered:
            variable = self.template.variables[name]
            help_text = " ".join(str(variable.spec.get("help", name)).split())
            if variable.choices:
                labels = {str(value): label for label, value, _ in variable.choices}
                prompts[name] = {"__prompt__": help_text, **labels}
            else:
                prompts[name] = help_text
        return prompts

    def cookiecutter_json(self, files: list[TemplateFile]) -> dict[str, Any]:
        template = self.template
        context: dict[str, Any] = {
            name: self.default(template.variables[name]) for name in template.answered
        }
        context.update(self.private)
        context["__prompts__"] = self.prompts()
        context["_extensions"] = [EXTENSION]
        # cookiecutter sets keep_trailing_newline itself and refuses it twice.
        context["_jinja2_env_vars"] = {
            key: value for key, value in template.envops.items() if key != "keep_trailing_newline"
        }
        context["_copy_without_render"] = self.copy_without_render(files)
        return context

    def hook(self) -> str:
        """hooks/pre_gen_project.py: hook_runtime, then the data cookiecutter renders."""
        template = self.template
        questions = [
            {"name": name, "type": template.variables[name].type} for name in template.answered
        ]
        choice_validators = {
            name: {str(value): validator for _, value, validator in variable.choices}
            for name in template.answered
            if (variable := template.variables[name]).choices
        }
        validators = {
            name: str(template.variables[name].spec["validator"])
            for name in template.answered
            if template.variables[name].spec.get("validator")
        }
        # cookiecutter asks every question; copier skips (and does not check) a question whose
        # `when` is false.
        conditions = {
            name: str(when)
            for name in template.answered
            if (when := template.variables[name].spec.get("when", True)) is not True
        }
        sources = [text for texts in choice_validators.values() for text in texts.values()]
        reads = set(template.answered)
        for text in [*sources, *validators.values(), *conditions.values()]:
            reads |= template.referenced(text, "copier.yml validators")
        answers = ", ".join(f'"{name}": cookiecutter.{name}' for name in template.answered)
        lines = [
            "{% raw %}",
            Path(hook_runtime.__file__).read_text().rstrip("\n"),
            "",
            f"QUESTIONS = {questions!r}",
            "{% endraw %}",
            template.prefix(reads, "copier.yml validators", lines=False),
            f"ANSWERS = json.loads({{{{ {{{answers}}} | tojson | tojson }}}})",
            "CHOICE_REFUSALS = {",
        ]
        for name, texts in choice_validators.items():
            lines.append(f"    {json.dumps(name)}: {{")
            lines += [
                f"        {json.dumps(value)}: {rendered(text)}," for value, text in texts.items()
            ]
            lines.append("    },")
        lines += ["}", "VALIDATOR_MESSAGES = {"]
        lines += [f"    {json.dumps(name)}: {rendered(text)}," for name, text in validators.items()]
        lines += ["}", "CONDITIONS = {"]
        lines += [f"    {json.dumps(name)}: {rendered(text)}," for name, text in conditions.items()]
        lines += [
            "}",
            "",
            'if __name__ == "__main__":',
            "    checks = (CHOICE_REFUSALS, VALIDATOR_MESSAGES, CONDITIONS)",
            "    sys.exit(main(QUESTIONS, ANSWERS, *checks))",
        ]
        return "\n".join(lines) + "\n"

    def write(self, destination: Path) -> None:
        """Write the flavour into `destination`, replacing an earlier one there."""
        if destination.exists():
            if any(destination.iterdir()) and not (destination / "cookiecutter.json").exists():
                raise FlavourError(f"{destination} is not empty and holds no cookiecutter.json")
            shutil.rmtree(destination)
        files = list(self.files())
        project = destination / self.project_folder
        for file in files:
            target = project / file.target
            target.parent.mkdir(parents=True, exist_ok=True)
            if file.rendered:
                target.write_text(self.body(file))
            else:
                shutil.copyfile(file.source, target)
            shutil.copymode(file.source, target)
        context = self.cookiecutter_json(files)
        (destination / "cookiecutter.json").write_text(
            json.dumps(context, indent=2, ensure_ascii=False) + "\n"
        )
        (destination / "hooks").mkdir()
        (destination / HOOK).write_text(self.hook())
        shutil.copyfile(filters.__file__, destination / "copier_filters.py")
        (destination / "README.md").write_text(README.format(command=GENERATED_BY))


def rendered(validator: str) -> str:
    """Python source for the text a validator renders to (cookiecutter renders it)."""
    return f"{{% set _rendered +%}}{validator}{{%+ endset %}}{{{{ _rendered | tojson }}}}"


def generate(template_root: Path, destination: Path, folder_question: str = "project_slug") -> None:
    Flavour(CopierTemplate(template_root, folder_question)).write(destination)


def backstage_template(flavour: Path, template_file: Path) -> str:
    """The Backstage template that renders the flavour in `flavour` with `fetch:cookiecutter`,
    as the text of `template_file` (its project folder URL is relative to that file)."""
    context = json.loads((flavour / "cookiecutter.json").read_text())
    project = next(path for path in flavour.iterdir() if path.name.startswith("{{cookiecutter."))
    url = "./" + project.resolve().relative_to(template_file.parent.resolve()).as_posix()
    template = catalog.backstage_cookiecutter_template(
        catalog.DEFAULT_SOURCE, catalog.DEFAULT_OWNER, url, context
    )
    header = f"# Generated from copier.yml by `{GENERATED_BY}`: do not edit by hand.\n"
    return header + catalog.to_yaml(template)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("template", type=Path, nargs="?", default=Path(), help="holds copier.yml")
    parser.add_argument("--output", type=Path, help="default: TEMPLATE/cookiecutter")
    parser.add_argument("--folder-question", default="project_slug")
    parser.add_argument(
        "--backstage", type=Path, help="also write a Backstage template for it to this file"
    )
    arguments = parser.parse_args(argv)
    output = arguments.output or arguments.template / "cookiecutter"
    try:
        generate(arguments.template, output, arguments.folder_question)
    except FlavourError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"Wrote the cookiecutter flavour to {output}")
    if arguments.backstage:
        arguments.backstage.write_text(backstage_template(output, arguments.backstage))
        print(f"Wrote its Backstage template to {arguments.backstage}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
