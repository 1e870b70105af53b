"""Trio as a guest of the Qt event loop: the one place where Qt and Trio meet.

Trio's guest mode runs the Trio scheduler inside the Qt loop (``trio.lowlevel.start_guest_run``)
so network I/O and the UI share one thread without blocking each other; anything blocking goes
through ``trio.to_thread``. Measured here (../shared/notes): GUI timer lag p99 3.5-7.7 ms during
a 2000-message burst, shutdown 6 ms.

Rules:

* Qt code starts Trio work only through :meth:`TrioGuest.start_soon` (thread-safe, from any
  slot); an exception from such a task is reported through :attr:`TrioGuest.task_failed` and
  does not end the run.
* Trio code touches widgets freely: it runs on the GUI thread.
* :meth:`TrioGuest.shutdown` cancels everything and returns once Trio has finished; a window
  that ignores its close event until then must accept it afterwards (Qt 6 re-sends closes).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

import trio
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Signal

logger = logging.getLogger(__name__)

_EVENT_TYPE = QEvent.Type(QEvent.registerEventType())


class _CallbackEvent(QEvent):
    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__(_EVENT_TYPE)
        self.fn = fn


class _Reenter(QObject):
    """Runs callbacks posted from any thread on the Qt (GUI) thread."""

    def event(self, event: QEvent) -> bool:
        if event.type() == _EVENT_TYPE and isinstance(event, _CallbackEvent):
            event.fn()
            return True
        return super().event(event)


class TrioGuest(QObject):
    """Owns one Trio run hosted by the running Qt application."""

    started = Signal()
    """Trio is running; :meth:`start_soon` works from now on."""
    finished = Signal()
    """The Trio run ended (after :meth:`shutdown` or a crash)."""
    task_failed = Signal(str)
    """A task started with :meth:`start_soon` raised; the argument is a plain sentence."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._reenter = _Reenter()
        self._nursery: trio.Nursery | None = None
        self._token: trio.lowlevel.TrioToken | None = None
        self._running = False
        self._done = False
        self.crash: BaseException | None = None

    @property
    def running(self) -> bool:
        """Whether Trio runs and accepts new tasks."""
        return self._running and not self._done

    @property
    def done(self) -> bool:
        """Whether the Trio run has ended."""
        return self._done

    def start(self) -> None:
        """Start the Trio run as a guest of the Qt loop (call once the QApplication exists)."""
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("create the QApplication first")

        def post(fn: Callable[[], Any]) -> None:
            QCoreApplication.postEvent(self._reenter, _CallbackEvent(fn))

        trio.lowlevel.start_guest_run(
            self._main,
            run_sync_soon_threadsafe=post,
            done_callback=self._on_done,
        )

    async def _main(self) -> None:
        self._token = trio.lowlevel.current_trio_token()
        async with trio.open_nursery() as nursery:
            self._nursery = nursery
            self._running = True
            self.started.emit()
            await trio.sleep_forever()

    def _on_done(self, outcome: Any) -> None:
        self._running = False
        self._done = True
        try:
            outcome.unwrap()
        except BaseException as exc:
            if not isinstance(exc, trio.Cancelled):
                self.crash = exc
                logger.error("the Trio run crashed: %s", "".join(traceback.format_exception(exc)))
        self.finished.emit()

    def start_soon(self, fn: Callable[..., Awaitable[Any]], *args: Any) -> None:
        """Run ``fn(*args)`` as a Trio task. Safe from any Qt slot; ignored once shut down."""
        if not self.running or self._nursery is None:
            return
        nursery = self._nursery

        async def guarded() -> None:
            try:
                await fn(*args)
            except Exception as exc:  # reported as a sentence; never ends the run
                logger.exception("background task failed")
                self.task_failed.emit(str(exc) or type(exc).__name__)

        nursery.start_soon(guarded)

    def shutdown(self) -> None:
        """Cancel every task and end the run; :attr:`finished` follows."""
        if self._nursery is not None and self.running:
            self._running = False
            self._nursery.cancel_scope.cancel()
