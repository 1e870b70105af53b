"""UI test fixtures: a Trio guest run on the Qt loop per test, torn down cleanly."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from smd_desktop.ui.testing import isolate_settings, running_guest
from smd_desktop.ui.trio_bridge import TrioGuest


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path_factory: pytest.TempPathFactory, qapp: QApplication) -> None:
    """QSettings go to a temporary INI file, never the user's real settings."""
    isolate_settings(qapp, tmp_path_factory.mktemp("qsettings"))


@pytest.fixture
def guest(qtbot: QtBot) -> Iterator[TrioGuest]:
    """A running Trio guest; shut down (and waited for) after the test."""
    with running_guest(qtbot) as g:
        yield g
