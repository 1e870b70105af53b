"""Fixtures for the Ratings plugin's desktop part: a Trio guest on the Qt loop, Ada's
real encrypted profile (prepared while closed) unlocked through a :class:`CoreService`, and
the :class:`UiContext` the app would hand the plugin (recording what it asks of the window).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

import plugins.ratings.plugin as ratings_plugin
from smd_desktop.core.plugins import PluginHost
from smd_desktop.core.profile import Profile
from smd_desktop.core.testing import make_profile
from smd_desktop.ui.service import CoreService
from smd_desktop.ui.testing import close_service, isolate_settings, running_guest, unlocked_service
from smd_desktop.ui.trio_bridge import TrioGuest

from .support import PASSPHRASE, Window

UI_MODULE = "plugins.ratings.qt"


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path_factory: pytest.TempPathFactory, qapp: QApplication) -> None:
    """QSettings go to a temporary INI file, never the user's real settings."""
    isolate_settings(qapp, tmp_path_factory.mktemp("qsettings"))


@pytest.fixture
def opened_urls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the system browser was asked to open (nothing really opens)."""
    urls: list[str] = []

    def open_url(url: QUrl) -> bool:
        urls.append(url.toString())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(open_url))
    return urls


@pytest.fixture
def guest(qtbot: QtBot) -> Iterator[TrioGuest]:
    """A running Trio guest; shut down (and waited for) after the test."""
    with running_guest(qtbot) as g:
        yield g


def new_profile(path: Path, name: str) -> Profile:
    """A profile with the Ratings plugin (fast key derivation)."""
    return make_profile(path, name, passphrase=PASSPHRASE, plugins=[ratings_plugin])


@pytest.fixture
def open_window(qtbot: QtBot, guest: TrioGuest, tmp_path: Path) -> Iterator[Callable[..., Window]]:
    """``open_window(setup)``: Ada's profile, prepared by ``setup(ada)`` while
    closed, unlocked through a CoreService; the UiContext the app would build."""
    services: list[CoreService] = []

    def open_(setup: Callable[[Profile], None] | None = None) -> Window:
        ada = new_profile(tmp_path / "ada", "Ada")
        try:
            if setup is not None:
                setup(ada)
        finally:
            ada.close()
        host = PluginHost()
        host.add(ratings_plugin)
        service = unlocked_service(qtbot, guest, tmp_path / "ada", PASSPHRASE, host)
        services.append(service)
        return Window(qtbot, service)

    yield open_
    for service in services:
        close_service(qtbot, service)


@pytest.fixture
def others(tmp_path: Path) -> Iterator[Callable[[str], Profile]]:
    """``others("Bob")``: more people with the plugin, closed at the end."""
    made: list[Profile] = []

    def new(name: str) -> Profile:
        profile = new_profile(tmp_path / name.lower(), name)
        made.append(profile)
        return profile

    yield new
    for profile in made:
        profile.close()
