"""`sessionwise check` on reproductions of real public FastAPI code (tests/unit/real_world).

Each project under tests/unit/real_world/projects reproduces, in our own code, patterns read in
public repositories (tests/unit/real_world/manifest.yml says which files, at which commit), and
look-alikes that are fine. `# expect: SWxxx` marks each line a finding belongs to. Precision
and recall are computed per code and overall, for a run over each project and for runs over
one file at a time (as pre-commit does); each must reach 0.9 overall.
"""

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from sessionwise.lint import check_paths
from sessionwise.lint.rules import RULES

REAL_WORLD = Path(__file__).resolve().parent / "real_world"
PROJECTS = sorted(p for p in (REAL_WORLD / "projects").iterdir() if p.is_dir())
EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9,\s]+)$")
THRESHOLD = 0.9
Label = tuple[str, int, str]  # project-relative path, line, code


def expected(project: Path) -> set[Label]:
    labels = set()
    for path in sorted(project.rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            match = EXPECT.search(line)
            if match:
                codes = [code for code in re.split(r"[,\s]+", match.group(1)) if code]
                labels |= {(path.relative_to(project).as_posix(), number, c) for c in codes}
    return labels


def reported(project: Path, per_file: bool) -> set[Label]:
    runs = [[path] for path in sorted(project.rglob("*.py"))] if per_file else [[project]]
    found = set()
    for paths in runs:
        findings, _ = check_paths(paths)
        found |= {
            (f.path.resolve().relative_to(project).as_posix(), f.line, f.code) for f in findings
        }
    return found


def scores(labels: set[Label], found: set[Label], code: str | None) -> tuple[float, float]:
    wanted = {label for label in labels if code in (None, label[2])}
    got = {label for label in found if code in (None, label[2])}
    hits = len(wanted & got)
    return (hits / len(got) if got else 1.0, hits / len(wanted) if wanted else 1.0)


@pytest.fixture(scope="module")
def corpus() -> dict[str, tuple[set[Label], set[Label], set[Label]]]:
    """project -> (expected, reported over the project, reported file by file)."""
    return {
        project.name: (expected(project), reported(project, False), reported(project, True))
        for project in PROJECTS
    }


def table(corpus: dict[str, tuple[set[Label], set[Label], set[Label]]], mode: int) -> str:
    labels = {(name, *label) for name, sets in corpus.items() for label in sets[0]}
    found = {(name, *label) for name, sets in corpus.items() for label in sets[mode]}
    rows = ["code   labelled reported precision recall"]
    for code in [*sorted(RULES), None]:
        wanted = Counter(label[3] for label in labels)
        precision, recall = scores(
            {(a, c, d) for a, b, c, d in labels}, {(a, c, d) for a, b, c, d in found}, code
        )
        if code is None or wanted[code] or any(label[3] == code for label in found):
            count = len([f for f in found if code in (None, f[3])])
            total = sum(wanted.values()) if code is None else wanted[code]
            rows.append(f"{code or 'all':6} {total:8} {count:8} {precision:9.2f} {recall:6.2f}")
    return "\n".join(rows)


@pytest.mark.parametrize("mode", [1, 2], ids=["whole-project", "per-file"])
def test_precision_and_recall_reach_the_threshold(corpus: dict, mode: int) -> None:
    labels = {(name, *label) for name, sets in corpus.items() for label in sets[0]}
    found = {(name, *label) for name, sets in corpus.items() for label in sets[mode]}
    precision, recall = scores(labels, found, None)  # type: ignore[arg-type]

    assert precision >= THRESHOLD and recall >= THRESHOLD, table(corpus, mode)


def test_every_code_has_real_world_cases(corpus: dict) -> None:
    codes = {label[2] for sets in corpus.values() for label in sets[0]}

    assert codes == set(RULES) - {"SW000"}


def test_a_file_checked_alone_gets_the_findings_of_the_project_run(corpus: dict) -> None:
    for name, (_, whole, per_file) in corpus.items():
        assert per_file == whole, name


def test_the_manifest_names_real_files_and_their_reproductions() -> None:
    manifest = yaml.safe_load((REAL_WORLD / "manifest.yml").read_text())
    files = manifest["files"]
    reproduced = {entry["reproduction"] for entry in files}

    assert len(files) >= 40
    assert len({entry["repository"] for entry in files}) >= 20
    for entry in files:
        assert set(entry) >= {"repository", "path", "commit", "description", "reproduction"}
        assert re.fullmatch(r"[0-9a-f]{40}", entry["commit"]), entry
        assert (REAL_WORLD / "projects" / entry["reproduction"]).is_dir(), entry
    assert {project.name for project in PROJECTS} <= reproduced | set(manifest["look_alikes"])
