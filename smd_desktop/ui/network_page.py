"""The Network page: online status, peers with sync progress, the invite code (text and QR),
adding a peer, and the LAN discovery switch.

It shows plain data the app pushes in (the UI never imports the p2p layer) and asks for
actions through signals; app.py connects both ends to the node.
"""

from __future__ import annotations

import io

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .i18n import QT_TRANSLATE_NOOP, english_plural

COLUMNS = (
    QT_TRANSLATE_NOOP("NetworkPage", "Peer"),
    QT_TRANSLATE_NOOP("NetworkPage", "Addresses"),
    QT_TRANSLATE_NOOP("NetworkPage", "Sync"),
)
"""The peer table's column titles (English: translated when shown)."""


def qr_pixmap(text: str, scale: int = 4) -> QPixmap:
    """A QR code of ``text`` as a pixmap (segno, PNG in memory)."""
    import segno

    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=scale, border=2)
    pixmap = QPixmap()
    pixmap.loadFromData(buffer.getvalue(), "PNG")
    return pixmap


class NetworkPage(QWidget):
    """Shows the node's state; emits what the user asks for."""

    connect_requested = Signal(str)
    """The user wants to dial an invite code or a multiaddr."""
    lan_toggled = Signal(bool)
    """The user switched LAN discovery on or off."""
    invite_requested = Signal()
    """The user wants a fresh invite code."""

    def __init__(self) -> None:
        super().__init__()
        self.status = QLabel(self.tr("Offline"))
        self.status.setAccessibleName(self.tr("Network status"))
        self.listening = QLabel("")
        self.listening.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.listening.setWordWrap(True)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(
            [QCoreApplication.translate("NetworkPage", c) for c in COLUMNS]
        )
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setAccessibleName(self.tr("Connected peers"))
        self.table.verticalHeader().hide()
        self._rows: dict[str, int] = {}

        self.invite = QPlainTextEdit()
        self.invite.setReadOnly(True)
        self.invite.setMaximumHeight(70)
        self.invite.setAccessibleName(self.tr("Your invite code"))
        self.qr = QLabel()
        self.qr.setAccessibleName(self.tr("Your invite code as a QR code"))
        copy = QPushButton(self.tr("Copy"))
        copy.setAccessibleName(self.tr("Copy the invite code"))
        copy.clicked.connect(self.copy_invite)
        fresh = QPushButton(self.tr("New code"))
        fresh.setAccessibleName(self.tr("Make a new invite code"))
        fresh.clicked.connect(self.invite_requested)

        self.target = QLineEdit()
        self.target.setPlaceholderText(self.tr("Paste an invite code or a multiaddr"))
        self.target.setAccessibleName(self.tr("Invite code or address to connect to"))
        self.connect_button = QPushButton(self.tr("Connect"))
        self.connect_button.setAccessibleName(self.tr("Connect to this peer"))
        self.connect_button.clicked.connect(self._connect_clicked)
        self.target.returnPressed.connect(self._connect_clicked)
        self.feedback = QLabel("")
        self.feedback.setWordWrap(True)

        self.lan = QCheckBox(self.tr("Find friends on this network (LAN discovery)"))
        self.lan.setChecked(True)
        self.lan.setAccessibleName(self.tr("LAN discovery"))
        self.lan.toggled.connect(self.lan_toggled)

        invite_row = QHBoxLayout()
        invite_col = QVBoxLayout()
        invite_col.addWidget(QLabel(self.tr("Your invite code: send it to a friend")))
        invite_col.addWidget(self.invite)
        buttons = QHBoxLayout()
        buttons.addWidget(copy)
        buttons.addWidget(fresh)
        buttons.addStretch(1)
        invite_col.addLayout(buttons)
        invite_row.addLayout(invite_col, 1)
        invite_row.addWidget(self.qr)

        add_row = QHBoxLayout()
        add_row.addWidget(self.target, 1)
        add_row.addWidget(self.connect_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.listening)
        layout.addWidget(self.table, 1)
        layout.addLayout(invite_row)
        layout.addWidget(QLabel(self.tr("Add a peer")))
        layout.addLayout(add_row)
        layout.addWidget(self.feedback)
        layout.addWidget(self.lan)

    # -- what the app pushes in -----------------------------------------------------------------

    def set_listening(self, addrs: list[str]) -> None:
        """The node listens: show its addresses and go online."""
        self.listening.setText(
            self.tr("Listening on {addresses}").format(addresses=", ".join(addrs)) if addrs else ""
        )
        self._update_status()

    def set_invite(self, code: str) -> None:
        """Show an invite code as text and as a QR code."""
        self.invite.setPlainText(code)
        self.qr.setPixmap(qr_pixmap(code))

    def peer_connected(self, peer: str, addrs: list[str]) -> None:
        """Add or update a connected peer."""
        row = self._rows.get(peer)
        if row is None:
            row = self.table.rowCount()
            self.table.insertRow(row)
            self._rows[peer] = row
            bar = QProgressBar()
            bar.setRange(0, 1)
            bar.setValue(1)
            bar.setAccessibleName(self.tr("Sync progress with {peer}").format(peer=peer))
            self.table.setCellWidget(row, 2, bar)
        name = QTableWidgetItem("…" + peer[-12:])
        name.setToolTip(peer)
        self.table.setItem(row, 0, name)
        self.table.setItem(row, 1, QTableWidgetItem(", ".join(addrs)))
        self._update_status()

    def peer_disconnected(self, peer: str) -> None:
        """Remove a peer that went away."""
        row = self._rows.pop(peer, None)
        if row is None:
            return
        self.table.removeRow(row)
        self._rows = {p: (r - 1 if r > row else r) for p, r in self._rows.items()}
        self._update_status()

    def sync_progress(self, peer: str, received: int, expected: int) -> None:
        """Update a peer's progress bar (``expected`` 0 means nothing to fetch)."""
        row = self._rows.get(peer)
        if row is None:
            return
        bar = self.table.cellWidget(row, 2)
        if isinstance(bar, QProgressBar):
            bar.setRange(0, max(1, expected))
            bar.setValue(min(received, expected) if expected else 1)

    def connect_result(self, text: str) -> None:
        """Say how a connect request ended (one sentence)."""
        self.feedback.setText(text)
        self.connect_button.setEnabled(True)

    def peer_ids(self) -> list[str]:
        """Connected peers shown, in row order."""
        return [p for p, _ in sorted(self._rows.items(), key=lambda item: item[1])]

    # -- user actions -------------------------------------------------------------------------

    def copy_invite(self) -> None:
        """Put the invite code on the clipboard."""
        QGuiApplication.clipboard().setText(self.invite.toPlainText())
        self.feedback.setText(self.tr("Invite code copied."))

    def _connect_clicked(self) -> None:
        text = self.target.text().strip()
        if not text:
            self.feedback.setText(self.tr("Paste an invite code or an address first."))
            return
        self.connect_button.setEnabled(False)
        self.feedback.setText(self.tr("Connecting…"))
        self.connect_requested.emit(text)

    def _update_status(self) -> None:
        count = len(self._rows)
        online = bool(self.listening.text())
        if not online:
            self.status.setText(self.tr("Offline"))
        elif count == 0:
            self.status.setText(self.tr("Online, no peers connected"))
        else:
            self.status.setText(
                english_plural(self.tr("Online, %n peer(s) connected", "", count), count)
            )
