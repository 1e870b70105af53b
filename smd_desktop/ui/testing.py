"""Test helpers for the desktop app and for plugin authors' UI tests (pytest-qt).

Nothing here is used by the app itself. ``qtbot`` is pytest-qt's fixture; it is typed loosely
so that importing this module does not need pytest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from ..core.ids import IdentityKey
from ..core.plugins import PluginHost
from ..core.testing import FAST_KDF
from .plugin_api import UiContext
from .service import CoreService
from .trio_bridge import TrioGuest

WAIT_MS = 10_000


def isolate_settings(qapp: QApplication, directory: Path) -> None:
    """Send QSettings to INI files in ``directory``, never the user's real settings."""
    qapp.setOrganizationName("SMD-tests")
    qapp.setApplicationName("SMD-tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(directory))


@contextmanager
def running_guest(qtbot: Any) -> Iterator[TrioGuest]:
    """A Trio guest run on the Qt loop; shut down (and waited for) on the way out."""
    guest = TrioGuest()
    with qtbot.waitSignal(guest.started, timeout=5000):
        guest.start()
    try:
        yield guest
    finally:
        if not guest.done:
            with qtbot.waitSignal(guest.finished, timeout=WAIT_MS):
                guest.shutdown()


def in_core(qtbot: Any, service: CoreService, fn: Callable[..., Any], *args: Any) -> Any:
    """Run ``fn(profile, *args)`` in the service's worker thread and wait for its result
    (its exception is re-raised here)."""
    box: list[tuple[bool, Any]] = []

    async def go() -> None:
        try:
            box.append((True, await service.call(fn, *args)))
        except BaseException as exc:
            box.append((False, exc))
            raise

    service.run(go)
    qtbot.waitUntil(lambda: bool(box), timeout=WAIT_MS)
    ok, value = box[0]
    if not ok:
        raise value
    return value


def unlocked_service(
    qtbot: Any, guest: TrioGuest, data_dir: Path, passphrase: str, plugins: PluginHost
) -> CoreService:
    """A :class:`CoreService` with the profile in ``data_dir`` unlocked (fast KDF for new
    keys); close it with :func:`close_service`."""
    service = CoreService(guest, data_dir, kdf=FAST_KDF, plugins=plugins)

    async def unlock() -> None:
        assert await service.unlock(passphrase)

    with qtbot.waitSignal(service.unlocked, timeout=WAIT_MS):
        service.run(unlock)
    return service


def close_service(qtbot: Any, service: CoreService) -> None:
    """Close the service's profile if it is open, and wait for it."""
    if service.is_open:
        with qtbot.waitSignal(service.closed, timeout=WAIT_MS):
            service.run(service.close)


class PluginWindow:
    """What the app gives a plugin for one window, recording what the plugin asked of it."""

    def __init__(self, qtbot: Any, service: CoreService) -> None:
        self.qtbot = qtbot
        self.service = service
        self.pages_shown: list[str] = []
        self.identities_opened: list[IdentityKey] = []
        self.errors: list[str] = []
        service.error.connect(self.errors.append)
        self.ui = UiContext(
            service,
            open_identity=self.identities_opened.append,
            show_page=self.pages_shown.append,
        )

    def in_core(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(profile, *args)`` in the core's thread and wait for its result."""
        return in_core(self.qtbot, self.service, fn, *args)
