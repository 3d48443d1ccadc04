"""MkDocs hook: publish bench/results/ (the latest benchmark plot) with the site.

docs/benchmarks.md includes bench/README.md, whose images point at `results/...` next to it;
adding the files under the same path inside the site keeps those links working on both.
"""

from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results"


def on_files(files: Files, config: Any) -> Files:
    for path in sorted(RESULTS.glob("*.png")):
        files.append(File.generated(config, f"results/{path.name}", abs_src_path=str(path)))
    return files
