"""The checks copier makes of answers, in plain Python, for a cookiecutter pre-generation hook.

The cookiecutter flavour's `hooks/pre_gen_project.py` is this module's source followed by the
data cookiecutter renders into it: the answers, and the messages of copier.yml's validators
already rendered by Jinja with those answers. It then refuses what copier refuses, in the same
order and with the same words, and exits 1 before cookiecutter writes any file. So the module
uses nothing but the standard library (and PyYAML, a cookiecutter dependency, for yaml answers).
"""

import json
import sys
from typing import Any

FALSE_WORDS = {"n", "no", "f", "false", "off", "~", "null", "none"}
TRUE_WORDS = {"y", "yes", "t", "true", "on"}


def cast_to_bool(value: Any) -> bool:
    """Copier's reading of a bool answer: a number, then YAML's words, then truthiness."""
    try:
        return bool(float(value))
    except (TypeError, ValueError):
        pass
    if isinstance(value, str):
        lower = value.strip().lower()
        if not lower or lower in FALSE_WORDS:
            return False
        if lower in TRUE_WORDS:
            return True
    return bool(value)


def cast(value: Any, type_name: str) -> Any:
    """An answer as copier casts it to its question's type (a ValueError when it cannot)."""
    if value is None and type_name not in {"json", "yaml"}:
        raise ValueError(f'Invalid answer "{value}" of type "{type(value)}"')
    if type_name == "bool":
        return cast_to_bool(value)
    if type_name in {"json", "yaml"}:
        if not isinstance(value, str):
            return value
        if type_name == "json":
            return json.loads(value)
        import yaml

        return yaml.safe_load(value)
    return {"str": str, "int": int, "float": float}[type_name](value)


def choice_refusal(name: str, answer: Any, type_name: str, refusals: dict[str, str]) -> str | None:
    """Copier's "Invalid choice" message, or None when the answer is an enabled choice.

    `refusals` maps each choice value to its rendered per-choice validator; a non-empty one
    disables that choice.
    """
    enabled = []
    refusal = ""
    for value, disabled in refusals.items():
        choice = cast(value, type_name)
        if not disabled:
            enabled.append(choice)
        if answer == choice:
            if not disabled:
                return None
            refusal = refusal or disabled
    return f"Invalid choice for '{name}': {refusal or f'{answer!r} is not in {enabled}'}"


def first_refusal(
    questions: list[dict[str, Any]],
    answers: dict[str, Any],
    choice_refusals: dict[str, dict[str, str]],
    validator_messages: dict[str, str],
    conditions: dict[str, str],
) -> str | None:
    """The first answer copier would refuse, in the order copier asks: what it says, or None.

    `conditions` holds the rendered `when` of conditional questions: copier skips those whose
    condition is false, and so does not check their default.
    """
    for question in questions:
        name, type_name = question["name"], question["type"]
        if name in conditions and not cast_to_bool(conditions[name]):
            continue
        try:
            answer = cast(answers[name], type_name)
        except ValueError as error:
            return f"Invalid answer for '{name}': {error}"
        if name in choice_refusals and (
            refusal := choice_refusal(name, answer, type_name, choice_refusals[name])
        ):
            return refusal
        if message := validator_messages.get(name, "").strip():
            return f"Validation error for question '{name}': {message}"
    return None


def main(
    questions: list[dict[str, Any]],
    answers: dict[str, Any],
    choice_refusals: dict[str, dict[str, str]],
    validator_messages: dict[str, str],
    conditions: dict[str, str],
) -> int:
    refusal = first_refusal(questions, answers, choice_refusals, validator_messages, conditions)
    if refusal is None:
        return 0
    print(refusal, file=sys.stderr)
    return 1
