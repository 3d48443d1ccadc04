"""Rename answers in a project's Copier answers file: `rename_answers.py OLD=NEW ...`.

Run by a `_migrations` entry of copier.yml in the `before` stage of `copier update`, in the
project directory, when a template version renames a question:

    _migrations:
      - version: v0.2.0
        when: "{{ _stage == 'before' }}"
        command: [
          "{{ _copier_python }}", "{{ _copier_conf.src_path }}/hooks/rename_answers.py",
          "--answers-file", "{{ _copier_conf.answers_file }}", "transaction_policy=commit_policy",
        ]

Only the key of each renamed top-level entry changes: values, order, comments and every other
line stay as they are. Running it again changes nothing (an answer already under its new name is
left alone). A missing or broken answers file, or an answer present under both names, stops the
update with a message saying what to fix, and the file is not touched.
"""

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class RenameError(Exception):
    """The answers file cannot be rewritten; the message says what to fix."""


def parse_renames(pairs: list[str]) -> dict[str, str]:
    renames: dict[str, str] = {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep or not IDENTIFIER.match(old) or not IDENTIFIER.match(new) or old == new:
            raise RenameError(
                f"{pair!r} is not a rename: write OLD=NEW with two different question names, "
                "e.g. transaction_policy=commit_policy"
            )
        if old in renames:
            raise RenameError(f"{old!r} is renamed twice")
        renames[old] = new
    return renames


def load_answers(path: Path, text: str) -> dict[str, Any]:
    try:
        answers = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RenameError(
            f"{path} is not valid YAML ({error}). Restore it from git "
            f"(git log -p -- {path.name}) and run `copier update` again."
        ) from None
    if not isinstance(answers, dict):
        raise RenameError(
            f"{path} should map question names to answers but holds "
            f"{type(answers).__name__}. Restore it from git and run `copier update` again."
        )
    return answers


def renamed_mapping(answers: dict[str, Any], renames: dict[str, str]) -> dict[str, Any]:
    """The answers as they must read after the renames (or a RenameError)."""
    result = dict(answers)
    for old, new in renames.items():
        if old not in answers:
            continue
        if new in answers:
            raise RenameError(
                f"the answers file has both {old!r} and {new!r}; {old!r} was renamed to "
                f"{new!r}: keep the one with the answer you want and delete the other line"
            )
        result[new] = result.pop(old)
    return result


def rename_keys(text: str, renames: dict[str, str]) -> str:
    """Rewrite the top-level `old:` keys of a block mapping, leaving every other byte alone."""
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        for old, new in renames.items():
            match = re.match(rf"^(['\"]?){re.escape(old)}\1(\s*:)", line)
            if match:
                lines[index] = f"{new}{match.group(2)}{line[match.end() :]}"
    return "".join(lines)


def write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        os.chmod(temporary, path.stat().st_mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def rename_answers(path: Path, renames: dict[str, str]) -> list[str]:
    """Apply the renames to the answers file at `path`; return the `old -> new` done."""
    if not path.is_file():
        raise RenameError(
            f"no answers file at {path}: run this in a project rendered by Copier, "
            "or pass --answers-file"
        )
    text = path.read_text(encoding="utf-8")
    answers = load_answers(path, text)
    expected = renamed_mapping(answers, renames)
    done = [f"{old} -> {new}" for old, new in renames.items() if old in answers]
    if not done:
        return []
    rewritten = rename_keys(text, renames)
    if yaml.safe_load(rewritten) != expected:
        raise RenameError(
            f"{path} is not written as one `name: value` line per answer, so it was left as is: "
            f"rename {', '.join(done)} by hand and run `copier update` again"
        )
    write_atomically(path, rewritten)
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("renames", nargs="+", metavar="OLD=NEW")
    parser.add_argument(
        "--answers-file",
        type=Path,
        default=Path(".copier-answers.yml"),
        help="the answers file, relative to the current directory (default: %(default)s)",
    )
    arguments = parser.parse_args(argv)
    try:
        done = rename_answers(arguments.answers_file, parse_renames(arguments.renames))
    except RenameError as error:
        print(f"rename_answers: {error}", file=sys.stderr)
        return 1
    message = ", ".join(done) if done else "nothing to rename"
    print(f"rename_answers: {arguments.answers_file}: {message}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
