"""Locking the profile after the user has been idle for a while.

:class:`AutoLock` watches every input event of the application (an application-wide event
filter) and emits :attr:`AutoLock.lock_requested` once no key, mouse, wheel or touch input has
arrived for the configured time. The app then closes the profile and shows the unlock dialog.

Input only stamps the time of the last activity (cheap: mouse moves are frequent); one timer
wakes up when the idle time could be over and re-arms for the rest if it is not.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, QTimer, Signal

AUTO_LOCK_KEY = "security/auto_lock_minutes"
"""QSettings key of the idle time before locking, in minutes (0: never)."""

AUTO_LOCK_CHOICES = (0, 5, 15, 30, 60)
"""The minutes the settings page offers; 0 is "Off"."""

DEFAULT_AUTO_LOCK_MINUTES = 0

_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
        QEvent.Type.InputMethod,
    }
)


def _default_clock() -> float:
    # Linux's monotonic clock stops during suspend; the boot-time clock does not, so a laptop
    # that slept past the idle time locks as soon as it wakes.
    boottime = getattr(time, "CLOCK_BOOTTIME", None)
    if boottime is not None:
        return time.clock_gettime(boottime)
    return time.monotonic()


def saved_auto_lock_minutes(settings: QSettings | None = None) -> int:
    """The stored idle time in minutes; 0 (off) when unset or not one of the choices."""
    value = (settings or QSettings()).value(AUTO_LOCK_KEY, DEFAULT_AUTO_LOCK_MINUTES)
    try:
        minutes = int(str(value))
    except ValueError:
        return DEFAULT_AUTO_LOCK_MINUTES
    return minutes if minutes in AUTO_LOCK_CHOICES else DEFAULT_AUTO_LOCK_MINUTES


class AutoLock(QObject):
    """Emits :attr:`lock_requested` after ``interval_ms`` without user input.

    Rule: :meth:`start` it when a profile opens and :meth:`stop` it when it closes; it stops
    itself after asking once. ``interval_ms`` 0 means off (start does nothing). ``clock`` (in
    seconds) is injectable for tests.
    """

    lock_requested = Signal()
    """The user has been idle long enough: lock the profile."""

    def __init__(
        self,
        app: QCoreApplication,
        interval_ms: int = 0,
        *,
        clock: Callable[[], float] = _default_clock,
    ) -> None:
        super().__init__()
        self._app = app
        self._clock = clock
        self._interval_ms = max(0, interval_ms)
        self._last_input = clock()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.check)
        self._filtering = False

    @property
    def interval_ms(self) -> int:
        """The idle time before locking, in milliseconds (0: off)."""
        return self._interval_ms

    @property
    def active(self) -> bool:
        """Whether it is watching for idleness."""
        return self._filtering

    def set_interval_ms(self, interval_ms: int) -> None:
        """Change the idle time; an active watch restarts from now (0 stops it)."""
        self._interval_ms = max(0, interval_ms)
        if self._filtering:
            self.start()

    def set_minutes(self, minutes: int) -> None:
        """Change the idle time in minutes (0: off)."""
        self.set_interval_ms(minutes * 60_000)

    def start(self) -> None:
        """Watch input from now on (no-op while the interval is 0)."""
        if self._interval_ms == 0:
            self.stop()
            return
        if not self._filtering:
            self._app.installEventFilter(self)
            self._filtering = True
        self._last_input = self._clock()
        self._timer.start(self._interval_ms)

    def stop(self) -> None:
        """Stop watching (the profile closed or auto-lock was switched off)."""
        self._timer.stop()
        if self._filtering:
            self._app.removeEventFilter(self)
            self._filtering = False

    def idle_ms(self) -> int:
        """Milliseconds since the last input (or since :meth:`start`)."""
        return int((self._clock() - self._last_input) * 1000)

    def check(self) -> None:
        """Ask for the lock if idle long enough, else wait for the rest of the interval."""
        if not self._filtering:
            return
        remaining = self._interval_ms - self.idle_ms()
        if remaining <= 0:
            self.stop()
            self.lock_requested.emit()
        else:
            self._timer.start(remaining)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Note user input; never consumes an event."""
        if event.type() in _INPUT_EVENTS:
            self._last_input = self._clock()
        return False
