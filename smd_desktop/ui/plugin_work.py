"""Running core work from plugin widgets: one-off jobs and coalesced re-reads.

Part of the desktop plugin API (docs/PLUGINS.md, section 7), shared by every plugin's Qt part.

Both take the data in the core's worker thread (``ui.service.call``) and hand it to a widget
callback on the GUI thread, but only while the widget still exists: profile panels are deleted
when another person is shown, possibly while a read of theirs is in flight.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

from ..core.errors import SmdError
from .sentences import as_sentence
from .service import CoreService

REFRESH_DELAY_MS = 40
"""How long a burst of requests (a sync emits ``records_changed`` often) may last before the
one read that serves them all starts."""


def alive(obj: QObject) -> bool:
    """Whether the Qt object behind ``obj`` still exists."""
    return shiboken6.isValid(obj)


def start[T](
    service: CoreService,
    owner: QObject,
    work: Callable[[], Awaitable[T]],
    done: Callable[[T], None],
    failed: Callable[[str], None] | None = None,
) -> None:
    """Run ``work`` in Trio; then ``done(result)`` if ``owner`` still exists.

    An :class:`SmdError` goes to ``failed(sentence)`` when given (a dialog shows it inline),
    else to the window's error banner (``service.error``).
    """

    async def go() -> None:
        try:
            result = await work()
        except SmdError as exc:
            if failed is None:
                raise
            if alive(owner):
                failed(as_sentence(str(exc)))
            return
        if alive(owner):
            done(result)

    service.run(go)


class Refresher(QObject):
    """Re-reads data for ``widget``: after a short quiet time, one read at a time, only while
    the widget is visible (requests while it is hidden are served when it is shown).

    Rules: call :meth:`request` whenever the data may have changed; ``fetch`` runs in Trio
    and returns the data (it may use ``service.call``), ``show(data)`` runs afterwards on the
    GUI thread unless the widget is gone. A request during a read causes one more read.
    """

    def __init__(
        self,
        service: CoreService,
        widget: QWidget,
        fetch: Callable[[], Awaitable[Any]],
        show: Callable[[Any], None],
        *,
        delay_ms: int = REFRESH_DELAY_MS,
    ) -> None:
        super().__init__(widget)
        self._service = service
        self._widget = widget
        self._fetch = fetch
        self._show = show
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._fire)
        self._running = False
        self._again = False
        self._hidden_request = False
        widget.installEventFilter(self)

    @property
    def busy(self) -> bool:
        """Whether a read is waiting or running."""
        return self._running or self._timer.isActive()

    def request(self) -> None:
        """The data may have changed: read it again soon."""
        if not self._service.is_open:
            return
        if not self._widget.isVisible():
            self._hidden_request = True
            return
        if self._running:
            self._again = True
        else:
            self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """Serve a request made while the widget was hidden once it is shown."""
        if watched is self._widget and event.type() == QEvent.Type.Show and self._hidden_request:
            self._hidden_request = False
            self.request()
        return False

    def _fire(self) -> None:
        self._running = True

        async def read() -> None:
            try:
                data = await self._fetch()
                if alive(self) and alive(self._widget):
                    self._show(data)
            finally:
                if alive(self):
                    self._running = False
                    if self._again:
                        self._again = False
                        self.request()

        self._service.run(read)
