"""The release metadata: license, URLs, changelog, version scheme, what the sdist holds."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.version import Version
from yarl import URL

from screendesk_async import __version__

ROOT = Path(__file__).resolve().parents[2]
CHANGELOG = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
#: A release's heading: ``## [0.2.0] - 2026-12-24``.
RELEASED = re.compile(r"^## \[(?P<version>[^]]+)\] - \d{4}-\d{2}-\d{2}$", re.MULTILINE)


def test_version_follows_the_tag_scheme() -> None:
    # Tags are v<version>: MAJOR.MINOR.PATCH, with an optional PEP 440 pre-release suffix;
    # between releases the version is the next one's .devN.
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+)?(\.dev\d+)?", __version__)
    assert "## [Unreleased]" in CHANGELOG
    assert "`vMAJOR.MINOR.PATCH`" in CHANGELOG
    assert "keepachangelog.com" in CHANGELOG


def test_the_version_and_the_changelog_tell_the_same_story() -> None:
    released = [Version(match["version"]) for match in RELEASED.finditer(CHANGELOG)]
    unreleased = CHANGELOG.partition("## [Unreleased]")[2].split("\n## [")[0]
    version = Version(__version__)
    assert released == sorted(released, reverse=True), "the newest release comes first"
    if version.is_devrelease:
        # Work towards the next release: newer than every release, and listed as unreleased.
        assert all(r < Version(version.base_version) for r in released), released
        assert re.search(r"^- ", unreleased, re.MULTILINE), "nothing listed under [Unreleased]"
    else:
        # A release: its own heading is the newest, and nothing is waiting after it.
        assert released[:1] == [version], f"no '## [{version}] - DATE' heading on top"
        assert not re.search(r"^- ", unreleased, re.MULTILINE)


def test_license_and_urls() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    # Only addresses that exist: the service's own (Screendesk's docs give it); the project has
    # no public repository address, and none is made up.
    hosts = {URL(url).host for url in project.get("urls", {}).values()}
    assert hosts <= {"app.screendesk.io"}, hosts


def test_sdist_holds_what_its_tests_need() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = set(config["tool"]["hatch"]["build"]["targets"]["sdist"]["include"])
    assert {"tests", "scripts", "benchmarks", "noxfile.py", "LICENSE", "CHANGELOG.md"} <= include
