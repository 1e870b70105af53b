"""Drives the bundled app to its first main window, then closes it the way a user does.

Armed by ``SMD_SMOKE_FIRST_WINDOW=1`` in ``entry_smd_desktop.py``; used by
``scripts/smoke-bundle`` only. The app itself is not changed: the hook swaps in a
``QApplication`` subclass before ``smd_desktop.app`` is imported, and that subclass watches
windows being shown:

- a dialog with one password field (the unlock dialog) gets ``SMD_PASSPHRASE`` typed in and
  its default button clicked; any other dialog (the first-run wizard) is rejected, which the
  app treats as "quit";
- it reports how many icon PNGs sit where the app can find them (``resources/icons`` beside
  the ``smd_desktop`` package) and whether the app set a window icon;
- the first main window is closed, which runs the app's normal clean shutdown, once it has
  been up for ``SMD_SMOKE_LINGER_MS`` (default 3000) and the app's background import of the
  p2p node (``SMD_SMOKE_AWAIT_MODULE``, default ``p2p.node``: libp2p) has succeeded, or after
  ``SMD_SMOKE_MAX_MS`` (default 30000) in any case; the line before says which.

Each step is one ``smoke: ...`` line on stderr; the app's exit code is the verdict.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from PySide6 import QtWidgets
from PySide6.QtCore import QEvent, QObject, QTimer

DEFAULT_LINGER_MS = 3000
DEFAULT_MAX_MS = 30_000
POLL_MS = 100


def log(message: str) -> None:
    """One ``smoke:`` line on stderr (the smoke script greps for these)."""
    print(f"smoke: {message}", file=sys.stderr, flush=True)


class SmokeDriver(QObject):
    """Answers the first dialogs and closes the first main window (see the module doc)."""

    def __init__(self, app: QtWidgets.QApplication) -> None:
        super().__init__(app)
        self.handled: set[int] = set()
        self.main_window_seen = False
        self.linger_ms = int(os.environ.get("SMD_SMOKE_LINGER_MS", DEFAULT_LINGER_MS))
        self.max_ms = int(os.environ.get("SMD_SMOKE_MAX_MS", DEFAULT_MAX_MS))
        self.await_module = os.environ.get("SMD_SMOKE_AWAIT_MODULE", "p2p.node")
        self.waited_ms = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if (
            event.type() == QEvent.Type.Show
            and isinstance(watched, (QtWidgets.QMainWindow, QtWidgets.QDialog))
            and watched.isWindow()
            and id(watched) not in self.handled
        ):
            self.handled.add(id(watched))
            # Act once the show has finished (and a modal exec() loop is running).
            QTimer.singleShot(0, lambda w=watched: self._handle(w))
        return False

    def _handle(self, window: QtWidgets.QWidget) -> None:
        name = type(window).__name__
        log(f"window shown: {name} {window.windowTitle()!r}")
        if isinstance(window, QtWidgets.QMainWindow):
            if self.main_window_seen:
                return
            self.main_window_seen = True
            icon_set = not QtWidgets.QApplication.windowIcon().isNull()
            log(f"window icon set by the app: {'yes' if icon_set else 'no'}")
            log(f"first main window up; closing it once {self.await_module} is imported")
            QTimer.singleShot(POLL_MS, lambda: self._close_when_ready(window))
        elif isinstance(window, QtWidgets.QDialog):
            self._answer(window)

    def _answer(self, dialog: QtWidgets.QDialog) -> None:
        password = QtWidgets.QLineEdit.EchoMode.Password
        fields = [f for f in dialog.findChildren(QtWidgets.QLineEdit) if f.echoMode() == password]
        passphrase = os.environ.get("SMD_PASSPHRASE", "")
        default = [b for b in dialog.findChildren(QtWidgets.QPushButton) if b.isDefault()]
        if len(fields) == 1 and passphrase and len(default) == 1:
            log("typing SMD_PASSPHRASE into the dialog and pressing its default button")
            fields[0].setText(passphrase)
            default[0].click()
        else:
            log("dialog not handled by the smoke hook: rejecting it (the app quits)")
            dialog.reject()

    def _close_when_ready(self, window: QtWidgets.QWidget) -> None:
        self.waited_ms += POLL_MS
        loaded = self.await_module in sys.modules  # a failed import leaves no entry
        if self.waited_ms < self.max_ms and not (loaded and self.waited_ms >= self.linger_ms):
            QTimer.singleShot(POLL_MS, lambda: self._close_when_ready(window))
            return
        log(f"{self.await_module} imported: {'yes' if loaded else 'no'}")
        log("closing the main window")
        window.close()


def install() -> None:
    """Make every ``QApplication`` built from now on carry the smoke driver."""
    base = QtWidgets.QApplication

    class SmokeApplication(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            self._smoke_driver = SmokeDriver(self)
            self.installEventFilter(self._smoke_driver)
            log("hook armed")

    QtWidgets.QApplication = SmokeApplication  # type: ignore[misc]
    log(f"bundled icons: {len(bundled_icons())} PNGs")


def bundled_icons() -> list[Path]:
    """The hicolor PNGs where the app looks for them: ``resources/`` beside ``smd_desktop``."""
    import smd_desktop

    hicolor = Path(smd_desktop.__file__).resolve().parent.parent / "resources" / "icons"
    return sorted((hicolor / "hicolor").glob("*/apps/*.png"))
