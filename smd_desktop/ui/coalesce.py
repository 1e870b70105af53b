"""One background read at a time, with the requests made meanwhile merged into one more.

Views re-read the core whenever ``service.records_changed`` fires, and a sync fires it often.
:class:`CoalescedRead` keeps that cheap: while a read is queued or running, further requests
only mark it stale, and one more read follows the current one however many requests came. A
view that passes ``widget`` reads only while that widget is visible: requests while it is
hidden are remembered and served when it is shown (a hidden page then costs nothing during a
sync, and the visible page's first read is not queued behind theirs at start-up).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QWidget

from .service import CoreService


class CoalescedRead(QObject):
    """Runs ``read`` through ``service.run``, never two at once, merging requests.

    Rules:

    * Call :meth:`request` whenever the data may have changed. Requests made before ``read``
      starts are served by that read; a request made while it runs causes exactly one more read
      after it.
    * ``read`` must not raise for ordinary trouble it can report itself; an exception ends the
      read like a return (the service reports :class:`~smd_desktop.core.errors.SmdError`).
    * Requests while no profile is open are dropped: the owner requests again on ``unlocked``.
    """

    busy_changed = Signal(bool)
    """:attr:`busy` changed."""

    def __init__(
        self,
        service: CoreService,
        read: Callable[[], Awaitable[None]],
        *,
        widget: QWidget | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent if parent is not None else widget)
        self.service = service
        self._read = read
        self._widget = widget
        self._busy = False
        self._again = False
        self._stale = False
        if widget is not None:
            widget.installEventFilter(self)

    @property
    def busy(self) -> bool:
        """Whether a read is queued or running (from :meth:`request` until it has returned)."""
        return self._busy

    @property
    def stale(self) -> bool:
        """Whether a request waits for the widget to be shown."""
        return self._stale

    def request(self) -> None:
        """Read now, or after the running read, or once the widget is shown."""
        if not self.service.is_open:
            return
        if self._widget is not None and not self._widget.isVisible():
            self._stale = True
            return
        self._start()

    def _start(self) -> None:
        self._stale = False
        if self._busy:
            self._again = True
            return
        self._busy = True
        self.busy_changed.emit(True)
        self.service.run(self._run)

    async def _run(self) -> None:
        try:
            while True:
                self._again = False  # this read sees everything asked for so far
                await self._read()
                if not (self._again and self.service.is_open):
                    return
                if not self._may_read():
                    self._stale = True  # hidden meanwhile: read once shown again
                    return
        finally:
            self._busy = False
            self.busy_changed.emit(False)

    def _may_read(self) -> bool:
        return self._widget is None or self._widget.isVisible()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """Serve a request remembered while the widget was hidden, once it is shown."""
        shown = watched is self._widget and event.type() == QEvent.Type.Show
        if shown and self._stale and self.service.is_open:
            self._start()
        return False
