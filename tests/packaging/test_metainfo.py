"""The AppStream metainfo: valid, and consistent with the project and its screenshots."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import PurePosixPath
from urllib.parse import urlparse

import pytest

from .support import APP_ID, METAINFO_FILE, ROOT, png_header, pyproject

STAND_IN_SCREENSHOT_BASE = "https://example.org/smd/screenshots/"


def component() -> ET.Element:
    return ET.parse(METAINFO_FILE).getroot()


def text(path: str) -> str:
    node = component().find(path)
    assert node is not None, path
    return (node.text or "").strip()


@pytest.mark.skipif(
    shutil.which("appstreamcli") is None,
    reason="appstreamcli not installed (Debian: appstream)",
)
def test_metainfo_passes_appstreamcli_validate() -> None:
    result = subprocess.run(
        ["appstreamcli", "validate", "--no-net", "--pedantic", str(METAINFO_FILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Only the uppercase letter of the app id (pedantic) and the modern <developer> tag, which
    # AppStream before 1.0 does not know (info), are accepted.
    for line in result.stdout.splitlines():
        if line.startswith(("E:", "W:")):
            pytest.fail(line)


def test_metainfo_names_the_app_id_and_licenses() -> None:
    root = component()
    assert root.get("type") == "desktop-application"
    assert text("id") == APP_ID
    assert text("metadata_license") == "CC0-1.0"
    assert text("project_license") == pyproject()["project"]["license"] == "GPL-3.0-or-later"


def test_metainfo_provides_the_installed_commands() -> None:
    project = pyproject()["project"]
    binaries = {b.text for b in component().iterfind("provides/binary")}
    assert binaries == set(project["scripts"]) | set(project["gui-scripts"])


def test_newest_release_is_the_project_version_with_notes() -> None:
    releases = component().findall("releases/release")
    assert releases, "no <release>"
    newest = releases[0]
    assert newest.get("version") == pyproject()["project"]["version"]
    assert newest.get("date")
    assert newest.findall("description/ul/li"), "release notes missing"


def test_content_rating_is_oars() -> None:
    rating = component().find("content_rating")
    assert rating is not None
    assert rating.get("type") == "oars-1.1"
    assert {a.get("id") for a in rating.iterfind("content_attribute")} >= {
        "social-chat",
        "social-info",
        "social-contacts",
    }


def test_screenshots_are_the_docs_screenshots_with_their_real_sizes() -> None:
    images = component().findall("screenshots/screenshot/image")
    assert images
    for image in images:
        url = (image.text or "").strip()
        assert urlparse(url).scheme == "https", url
        assert url.startswith(STAND_IN_SCREENSHOT_BASE), url
        png = ROOT / "docs" / "screenshots" / PurePosixPath(urlparse(url).path).name
        width, height, _ = png_header(png.read_bytes())
        assert (image.get("width"), image.get("height")) == (str(width), str(height)), url


def test_package_script_rewrites_the_same_stand_in_screenshot_base() -> None:
    script = (ROOT / "scripts" / "package").read_text(encoding="utf-8")
    assert f"s|{STAND_IN_SCREENSHOT_BASE}|" in script
