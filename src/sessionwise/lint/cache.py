"""Module summaries kept between runs, so a per-file run (pre-commit) does not parse the whole
project again. One pickle under `<root>/.sessionwise_cache/`, keyed by path, mtime and size;
the folder carries its own `.gitignore`. SESSIONWISE_NO_CACHE=1 turns it off."""

import hashlib
import os
import pickle
from pathlib import Path

from sessionwise.lint.model import summary as summary_module
from sessionwise.lint.model.summary import ModuleSummary

CACHE_FOLDER = ".sessionwise_cache"
# A new summary format (any change to summary.py) starts a new cache file.
FORMAT = hashlib.sha1(Path(summary_module.__file__).read_bytes()).hexdigest()[:12]
Key = tuple[int, int]  # mtime_ns, size


class SummaryCache:
    def __init__(self, root: Path | None) -> None:
        self.enabled = root is not None and os.environ.get("SESSIONWISE_NO_CACHE", "") in {"", "0"}
        self.file = (root / CACHE_FOLDER / f"summaries-{FORMAT}.pickle") if root else None
        self.entries: dict[str, tuple[Key, ModuleSummary | None]] = {}
        self.changed = False
        if self.enabled and self.file is not None and self.file.is_file():
            try:
                self.entries = pickle.loads(self.file.read_bytes())
            except Exception:  # a cache from another version, or a broken file: start over
                self.entries = {}

    @staticmethod
    def key(path: Path) -> Key:
        stat = path.stat()
        return (stat.st_mtime_ns, stat.st_size)

    def get(self, path: Path, name: str) -> ModuleSummary | bool | None:
        """The cached summary (None for a file that did not parse), or False when stale."""
        entry = self.entries.get(str(path))
        if entry is None or entry[0] != self.key(path):
            return False
        summary = entry[1]
        if summary is not None and summary.name != name:
            return False
        return summary

    def put(self, path: Path, summary: ModuleSummary | None) -> None:
        self.entries[str(path)] = (self.key(path), summary)
        self.changed = True

    def save(self) -> None:
        if not (self.enabled and self.changed and self.file is not None):
            return
        try:
            self.file.parent.mkdir(exist_ok=True)
            ignore = self.file.parent / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Created by sessionwise check.\n*\n")
            temporary = self.file.with_suffix(".tmp")
            temporary.write_bytes(pickle.dumps(self.entries, protocol=pickle.HIGHEST_PROTOCOL))
            temporary.replace(self.file)
        except OSError:
            pass  # a read-only checkout: run without a cache
