"""The release metadata: license, URLs, changelog, version scheme, what the sdist holds."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from screendesk_async import __version__

ROOT = Path(__file__).resolve().parents[2]


def test_version_follows_the_tag_scheme() -> None:
    # Tags are v<version>: MAJOR.MINOR.PATCH, with an optional PEP 440 pre-release suffix.
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+)?", __version__)
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog
    assert "`vMAJOR.MINOR.PATCH`" in changelog
    assert "keepachangelog.com" in changelog


def test_license_and_urls() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert {"Homepage", "Source", "Issues", "Changelog"} <= set(project["urls"])


def test_sdist_holds_what_its_tests_need() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = set(config["tool"]["hatch"]["build"]["targets"]["sdist"]["include"])
    assert {"tests", "scripts", "benchmarks", "noxfile.py", "LICENSE", "CHANGELOG.md"} <= include
