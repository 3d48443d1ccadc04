"""What the template's tests and benchmarks share: databases, PgBouncer, rendered projects,
the template repository stand-in, the planted pitfalls, services under load, Node and the
installed CLI. Not part of the wheel; importable in the development environment."""

from pathlib import Path

# The repository: the template, its copier.yml and everything the tests read from it.
ROOT = Path(__file__).resolve().parent.parent
