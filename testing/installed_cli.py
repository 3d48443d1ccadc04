"""The `sessionwise` command as users install it: the wheel that `uv build` makes, installed
into a new virtual environment outside the checkout, run from a folder that is not a checkout
with an environment that holds nothing of the checkout's."""

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pexpect

from testing import ROOT
from testing.projects import shell_env

# The checkout's interpreter settings: an installed command must work without them.
CHECKOUT_VARIABLES = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "SESSIONWISE_TEMPLATE"}


def uv() -> str:
    found = shutil.which("uv") or os.environ.get("UV")  # `uv run` sets UV to its own path
    assert found, "uv is not on PATH: run the tests with `uv run pytest` (scripts/test does)"
    return found


def run_uv(*args: str, cwd: Path) -> None:
    completed = subprocess.run(
        [uv(), *args], cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )
    assert completed.returncode == 0, f"uv {' '.join(args)}:\n{completed.stderr}"


def user_path() -> str:
    """PATH without the checkout's virtual environment, with uv (as after installing it)."""
    checkout_venvs = {ROOT, Path(os.environ.get("VIRTUAL_ENV", ROOT)).resolve()}
    kept = [
        entry
        for entry in os.environ.get("PATH", "").split(os.pathsep)
        if entry and not checkout_venvs & {Path(entry).resolve(), *Path(entry).resolve().parents}
    ]
    return os.pathsep.join([str(Path(uv()).parent), *kept])


@dataclass
class InstalledCli:
    executable: Path
    home: Path  # cache folders of the installed command's runs, away from the user's own

    @classmethod
    def build_and_install(cls, workdir: Path) -> "InstalledCli":
        """`uv build` (the sdist, then the wheel from the sdist, as a release is built), then
        the wheel alone into a new virtual environment."""
        dist, venv = workdir / "dist", workdir / "venv"
        run_uv("build", "--quiet", "--out-dir", str(dist), cwd=ROOT)
        (wheel,) = dist.glob("sessionwise-*.whl")
        run_uv("venv", "--quiet", str(venv), cwd=workdir)
        run_uv(
            "pip",
            "install",
            "--quiet",
            "--python",
            str(venv / "bin" / "python"),
            str(wheel),
            cwd=workdir,
        )
        home = workdir / "home"
        home.mkdir()
        return cls(venv / "bin" / "sessionwise", home)

    def env(self, template: str | Path | None, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in shell_env().items() if k not in CHECKOUT_VARIABLES}
        env["PATH"] = user_path()
        env["COPIER_CACHE_DIR"] = str(self.home / "copier")
        env["GIT_TERMINAL_PROMPT"] = "0"
        if template is not None:
            env["SESSIONWISE_TEMPLATE"] = str(template)
        return env | extra

    def run(
        self, *args: str, cwd: Path, template: str | Path | None = None, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        """The command with no terminal: stdin closed, output captured."""
        return subprocess.run(
            [str(self.executable), *args],
            cwd=cwd,
            env=self.env(template, **extra),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    def spawn(self, *args: str, cwd: Path, template: str | Path) -> pexpect.spawn:
        """The command in a pseudo terminal, for its interactive questions."""
        env = self.env(template, TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1")
        return pexpect.spawn(
            str(self.executable),
            list(args),
            cwd=str(cwd),
            env=env,
            encoding="utf-8",
            timeout=60,
            dimensions=(50, 250),
        )
