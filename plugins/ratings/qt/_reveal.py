"""Publishing the reveals that are due while the window is open.

A sealed rating of mine is revealed once the other party's sealed rating of the same deal has
arrived, or 14 days after mine. Both can happen while I look at something else, so the Ratings
page asks the facade (``reveal_due``) after records change (a burst is one call), when a profile
is unlocked, and every :data:`CHECK_EVERY_MS` for the 14-day case; unlike the views' reads it
does not wait for the page to be shown.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from smd_desktop.ui.plugin_api import UiContext
from smd_desktop.ui.plugin_work import alive

from ._calls import reveal_due

QUIET_MS = 500
"""How long a burst of ``records_changed`` may last before the one check that serves it."""
CHECK_EVERY_MS = 30 * 60 * 1000
"""How often to look for ratings whose 14 days have passed."""


class Revealer(QObject):
    """Calls ``reveal_due`` in the core's thread, one call at a time, requests merged.

    Emits :attr:`revealed` with the count when it published any, then ``records_changed``
    (so views show the revealed ratings).
    """

    revealed = Signal(int)

    def __init__(self, ui: UiContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self._running = False
        self._again = False
        self._quiet = QTimer(self)
        self._quiet.setSingleShot(True)
        self._quiet.setInterval(QUIET_MS)
        self._quiet.timeout.connect(self._check)
        self._clock = QTimer(self)
        self._clock.setInterval(CHECK_EVERY_MS)
        self._clock.timeout.connect(self.request)
        self._clock.start()
        ui.service.records_changed.connect(self.request)
        ui.service.unlocked.connect(self.request)
        self.request()

    @property
    def busy(self) -> bool:
        """Whether a check is waiting or running."""
        return self._running or self._quiet.isActive()

    def request(self) -> None:
        """Look for due reveals soon."""
        if not self.ui.service.is_open:
            return
        if self._running:
            self._again = True
        else:
            self._quiet.start()

    def _check(self) -> None:
        self._running = True

        async def check() -> None:
            count = 0
            try:
                if self.ui.service.is_open:
                    count = await self.ui.service.call(reveal_due)
            finally:
                if alive(self):
                    self._running = False
                    if count:
                        self.revealed.emit(count)
                        self.ui.service.records_changed.emit()
                    elif self._again:
                        self._again = False
                        self.request()

        self.ui.service.run(check)
