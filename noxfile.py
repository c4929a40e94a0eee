"""Project tasks: ``nox`` runs lint, typecheck and tests (the README's test command)."""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
from pathlib import Path

import nox

nox.options.sessions = ["lint", "typecheck", "tests", "package"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True

#: What the benchmarks compare against or need (never dependencies of the library). The tests
#: and typecheck sessions install them too: CI smoke-runs every benchmark and type-checks
#: benchmarks/.
BENCH_DEPS = ["pydantic>=2.6", "msgspec>=0.18", "requests>=2.31", "types-requests", "trustme>=1.1"]


#: Prism, the OpenAPI mock server tests/prism runs the client against (pinned in package-lock).
PRISM_DIR = Path("tools/prism")


def install_prism(session: nox.Session) -> None:
    """``npm ci`` of tools/prism, unless node_modules already holds this lockfile's install.

    Without npm the Prism tests skip with their reason, except under CI=true, where both this
    and the tests fail: CI must run them.
    """
    npm = shutil.which("npm")
    if npm is None:
        message = "npm is not on PATH: tests/prism (Prism) cannot run"
        if os.environ.get("CI", "").lower() == "true":
            session.error(message + ", and CI=true requires them")
        session.warn(message + "; they will be skipped")
        return
    lock = hashlib.sha256((PRISM_DIR / "package-lock.json").read_bytes()).hexdigest()
    stamp = PRISM_DIR / "node_modules" / ".installed-lock-sha256"
    if stamp.exists() and stamp.read_text() == lock:
        return
    quiet = ("--no-audit", "--no-fund", "--loglevel=error")
    session.run(npm, "ci", "--prefix", str(PRISM_DIR), *quiet, external=True, silent=True)
    stamp.write_text(lock)


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff: lint rules and formatting."""
    session.install("ruff>=0.5")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package, tests, scripts and benchmarks."""
    session.install("-e", ".[dev]", *BENCH_DEPS)
    session.run("mypy", "--strict")


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite (unit and loopback integration tests) with coverage >= 90 %."""
    session.install("-e", ".[test]", *BENCH_DEPS)
    install_prism(session)
    session.run(
        "pytest",
        "-rs",  # every skip's reason in the summary (e.g. Prism without npm)
        "--cov",
        "--cov-report=term-missing:skip-covered",
        "--cov-fail-under=90",
        *session.posargs,
    )


@nox.session
def package(session: nox.Session) -> None:
    """Build the sdist and wheel, ``twine check`` them, and run the sdist's own unit tests."""
    session.install("build>=1.2", "twine>=6.1")
    dist = Path(session.create_tmp()) / "dist"
    shutil.rmtree(dist, ignore_errors=True)  # a reused session keeps its tmp directory
    session.run("python", "-m", "build", "--outdir", str(dist), ".")
    session.run("twine", "check", "--strict", *(str(p) for p in sorted(dist.iterdir())))
    (sdist,) = dist.glob("*.tar.gz")
    unpacked = dist / "sdist"
    with tarfile.open(sdist) as archive:
        archive.extractall(unpacked, filter="data")
    (root,) = unpacked.iterdir()
    # From the unpacked sdist alone: what a packager (a distribution, conda-forge) runs.
    session.install(f"{root}[test]")
    with session.chdir(root):
        session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/unit")


@nox.session
def gen(session: nox.Session) -> None:
    """Rewrite the generated sync facade; ``nox -s gen -- --check`` only checks it is current."""
    # The generator reads the source (never imports it) and formats its output with ruff.
    session.install("ruff>=0.5")
    session.run("python", "scripts/gen_sync.py", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Every benchmark, a few minutes on 2 cores; writes benchmarks/RESULTS.md (not run by CI).

    ``nox -s bench -- --quick`` is the smoke size; ``-- --only export typed`` runs a subset.
    """
    # The cli: export (a') runs the command; pyinstrument: to profile what the figures show.
    session.install("-e", ".[cli]", *BENCH_DEPS, "pyinstrument>=4.6")
    session.run("python", "-m", "benchmarks", *session.posargs)
