"""The freedesktop desktop entry: valid, and consistent with the app it launches."""

from __future__ import annotations

import configparser
import shutil
import subprocess

import pytest

from .support import APP_ID, DESKTOP_FILE, METAINFO_FILE, pyproject

MAIN_CATEGORIES = {
    "AudioVideo", "Audio", "Video", "Development", "Education", "Game", "Graphics",
    "Network", "Office", "Science", "Settings", "System", "Utility",
}  # fmt: skip


def entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment, method-assign]  # keys are case-sensitive
    parser.read(DESKTOP_FILE, encoding="utf-8")
    return parser["Desktop Entry"]


@pytest.mark.skipif(
    shutil.which("desktop-file-validate") is None,
    reason="desktop-file-validate not installed (Debian: desktop-file-utils)",
)
def test_desktop_entry_passes_desktop_file_validate() -> None:
    result = subprocess.run(
        ["desktop-file-validate", str(DESKTOP_FILE)], capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_desktop_entry_launches_the_gui_script_with_the_app_icon() -> None:
    e = entry()
    gui_scripts = pyproject()["project"]["gui-scripts"]
    assert e["Type"] == "Application"
    assert e["Exec"] == "smd-desktop"
    assert e["TryExec"] == "smd-desktop"
    assert gui_scripts["smd-desktop"] == "smd_desktop.app:main"
    assert e["Icon"] == APP_ID
    assert e["Terminal"] == "false"
    assert e["Name"] == "SMD"


def test_desktop_entry_lists_end_with_semicolons_and_name_a_main_category() -> None:
    e = entry()
    for key in ("Categories", "Keywords"):
        assert e[key].endswith(";"), key
    categories = set(e["Categories"].rstrip(";").split(";"))
    assert categories & MAIN_CATEGORIES == {"Network"}


def test_desktop_file_is_named_after_the_app_id_the_metainfo_launches() -> None:
    assert DESKTOP_FILE.name == f"{APP_ID}.desktop"
    assert f'<launchable type="desktop-id">{DESKTOP_FILE.name}</launchable>' in (
        METAINFO_FILE.read_text(encoding="utf-8")
    )
