"""The app's icon and desktop id (resources/icons, rendered from the SVG)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QIcon

APP_ID = "org.smd.Desktop"
"""The desktop entry's, AppStream file's and icon's name (packaging/linux)."""

ICON_DIR = Path(__file__).resolve().parents[2] / "resources" / "icons" / "hicolor"
"""resources/ sits next to the package in the source tree and in the PyInstaller bundle."""


def app_icon() -> QIcon:
    """The icon in every rendered size, or the installed theme's (wheel installs)."""
    icon = QIcon()
    for png in sorted(ICON_DIR.glob(f"*/apps/{APP_ID}.png")):
        icon.addFile(str(png))
    return icon if not icon.isNull() else QIcon.fromTheme(APP_ID)
