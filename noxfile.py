"""Project tasks: ``nox`` runs lint, typecheck and tests (the README's test command)."""

from __future__ import annotations

import sys

import nox

nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff: lint rules and formatting."""
    session.install("ruff>=0.5")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package, tests, scripts and benchmarks."""
    session.install("-e", ".[dev]")
    session.run("mypy", "--strict")


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite (unit and loopback integration tests) with coverage >= 90 %."""
    session.install("-e", ".[test]")
    session.run(
        "pytest",
        "--cov",
        "--cov-report=term-missing:skip-covered",
        "--cov-fail-under=90",
        *session.posargs,
    )


@nox.session(venv_backend="none")
def gen(session: nox.Session) -> None:
    """Rewrite the generated sync facade; ``nox -s gen -- --check`` only checks it is current."""
    # The generator needs only the standard library (it reads the source, never imports it),
    # so it runs with the interpreter that runs nox, in no virtualenv.
    session.run(sys.executable, "scripts/gen_sync.py", *session.posargs)
