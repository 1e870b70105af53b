"""The system tray icon: unread count (tooltip and a badge on the icon), Show/Quit menu, and
desktop notifications.

Where the platform has no tray (or offscreen, in tests) :class:`Tray` is a no-op that still
keeps :attr:`Tray.unread` and :attr:`Tray.last_notification`, so callers never branch on it.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, QRect, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from .app_icon import app_icon
from .i18n import english_plural

ICON_SIZE = 64
BADGE_COLOR = "#d93025"
APP_COLOR = "#2f6fd1"


def app_pixmap(size: int = ICON_SIZE) -> QPixmap:
    """The app icon at ``size``; a blue rounded square with an "S" if none is installed."""
    icon = app_icon()
    if not icon.isNull():
        return icon.pixmap(size, size)
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(APP_COLOR))
    painter.drawRoundedRect(0, 0, size, size, size / 5, size / 5)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(size * 0.62))
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(QRect(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, "S")
    painter.end()
    return pixmap


def badge_text(count: int) -> str:
    """What the badge says: the count, "99+" above 99, nothing for 0."""
    if count <= 0:
        return ""
    return "99+" if count > 99 else str(count)


def with_badge(base: QPixmap, count: int) -> QPixmap:
    """``base`` with a red count badge in its top-right corner (a copy; ``base`` unchanged)."""
    text = badge_text(count)
    pixmap = QPixmap(base)
    if not text:
        return pixmap
    size = min(pixmap.width(), pixmap.height())
    diameter = max(8, int(size * 0.55))
    rect = QRect(pixmap.width() - diameter, 0, diameter, diameter)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(BADGE_COLOR))
    painter.drawEllipse(rect)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(max(6, int(diameter * (0.6 if len(text) == 1 else 0.42))))
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return pixmap


def tooltip_for(count: int) -> str:
    """The tray tooltip for ``count`` unread posts."""
    if count <= 0:
        return "SMD"
    return english_plural(
        QCoreApplication.translate("Tray", "SMD: %n unread post(s)", "", count), count
    )


class Tray(QObject):
    """The tray icon, or a no-op with the same state where there is no tray.

    ``available`` overrides the platform check (tests). Call :meth:`show` once the window is up.
    """

    show_requested = Signal()
    """The user clicked the icon or chose Show: raise the window."""
    quit_requested = Signal()
    """The user chose Quit: shut the app down (as closing the window does)."""

    def __init__(
        self,
        base: QPixmap | None = None,
        parent: QObject | None = None,
        *,
        available: bool | None = None,
    ) -> None:
        super().__init__(parent)
        self.base = base if base is not None else app_pixmap()
        self.unread = 0
        """The unread count last set."""
        self.last_notification: tuple[str, str] | None = None
        """The (title, message) of the last :meth:`notify`, shown or not."""
        self.available = QSystemTrayIcon.isSystemTrayAvailable() if available is None else available
        self.icon: QSystemTrayIcon | None = None
        self.menu: QMenu | None = None
        if self.available:
            self.menu = QMenu()
            show = QAction(self.tr("Show SMD"), self.menu)
            show.triggered.connect(self.show_requested)
            quit_ = QAction(self.tr("Quit"), self.menu)
            quit_.triggered.connect(self.quit_requested)
            self.menu.addAction(show)
            self.menu.addSeparator()
            self.menu.addAction(quit_)
            self.icon = QSystemTrayIcon(QIcon(self.base), self)
            self.icon.setContextMenu(self.menu)
            self.icon.activated.connect(self._activated)
            self.icon.messageClicked.connect(self.show_requested)
        self._refresh()

    def show(self) -> None:
        """Put the icon in the tray (no-op without a tray)."""
        if self.icon is not None:
            self.icon.show()

    def hide(self) -> None:
        """Take the icon out of the tray."""
        if self.icon is not None:
            self.icon.hide()

    def set_unread(self, count: int) -> None:
        """Show ``count`` unread posts (tooltip and badge); negative counts as 0."""
        count = max(0, count)
        if count != self.unread:
            self.unread = count
            self._refresh()

    def tooltip(self) -> str:
        """The tooltip for the current count (whether or not a tray shows it)."""
        return tooltip_for(self.unread)

    def pixmap(self) -> QPixmap:
        """The icon for the current count."""
        return with_badge(self.base, self.unread)

    def notify(self, title: str, message: str) -> None:
        """A desktop notification (the tray's balloon where the platform supports it)."""
        self.last_notification = (title, message)
        if self.icon is not None and QSystemTrayIcon.supportsMessages():
            self.icon.showMessage(title, message, QIcon(self.base), 8000)

    def _refresh(self) -> None:
        if self.icon is not None:
            self.icon.setToolTip(self.tooltip())
            self.icon.setIcon(QIcon(self.pixmap()))

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.show_requested.emit()
