"""The app icon comes from resources/ (every rendered size) and the tray uses it."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from smd_desktop.ui.app_icon import app_icon
from smd_desktop.ui.tray import app_pixmap


def test_the_app_icon_has_every_rendered_size(qapp: QApplication) -> None:
    sizes = sorted(s.width() for s in app_icon().availableSizes())
    assert sizes == [16, 24, 32, 48, 64, 128, 256, 512]


def test_the_tray_draws_the_app_icon(qapp: QApplication) -> None:
    pixmap = app_pixmap(32)
    assert (pixmap.width(), pixmap.height()) == (32, 32)
    expected = app_icon().pixmap(32, 32).toImage()
    assert pixmap.toImage() == expected
