"""The Settings page: passphrase, encrypted backup, data folder, network, theme and auto-lock.

Security work (checking and changing the passphrase, writing a backup) runs in the core
service's worker thread; results come back as a sentence under the section. Network settings
are only stored here: the page emits :attr:`SettingsPage.network_settings_changed` and app.py
restarts the node. Theme and auto-lock are QSettings the app applies
(:attr:`SettingsPage.theme_changed`, :attr:`SettingsPage.auto_lock_changed`).
"""

from __future__ import annotations

import datetime
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core.backup import export_backup
from ..core.errors import SmdError, WrongPassphrase
from ..core.kdf import KdfParams
from ..core.profile import Profile
from ..core.store.db import open_database
from .auto_lock import AUTO_LOCK_CHOICES, AUTO_LOCK_KEY, saved_auto_lock_minutes
from .i18n import QT_TRANSLATE_NOOP, english_plural
from .passphrase_pair import PassphrasePair
from .port_box import PortSpinBox
from .sentences import as_sentence
from .service import CoreService
from .theme import THEME_KEY, THEMES, saved_theme

LISTEN_PORT_KEY = "listen_port"
"""Encrypted meta key of the node's listen port. The same string as
``smd_desktop.node_runner.LISTEN_PORT_KEY``, kept here because the UI may not import the node."""

HOPS_KEY = "network/hops"
"""QSettings key of how many follow hops away feeds are replicated."""
DEFAULT_HOPS = 2
"""The same value as ``smd_desktop.replication.DEFAULT_HOPS``."""
MAX_HOPS = 3

WRONG_CURRENT = QT_TRANSLATE_NOOP(
    "SettingsPage", "The current passphrase is wrong; nothing was changed."
)
"""The English text; the page shows it translated."""
BACKUP_SUFFIX = ".smdbackup"

_THEME_LABELS = {
    "system": QT_TRANSLATE_NOOP("SettingsPage", "System"),
    "light": QT_TRANSLATE_NOOP("SettingsPage", "Light"),
    "dark": QT_TRANSLATE_NOOP("SettingsPage", "Dark"),
}


def saved_hops(settings: QSettings | None = None) -> int:
    """The stored hop count, :data:`DEFAULT_HOPS` when unset or out of range."""
    value = (settings or QSettings()).value(HOPS_KEY, DEFAULT_HOPS)
    try:
        hops = int(str(value))
    except ValueError:
        return DEFAULT_HOPS
    return hops if 0 <= hops <= MAX_HOPS else DEFAULT_HOPS


def check_passphrase(data_dir: Path, passphrase: str) -> None:
    """Raise WrongPassphrase unless ``passphrase`` opens the store in ``data_dir``.

    Opens (and closes) a second connection; a wrong passphrase changes no file. Blocking
    (Argon2id): call it in the worker thread.
    """
    open_database(data_dir, passphrase).close()


def _read_port(profile: Profile) -> int | None:
    stored = profile.store.get_meta(LISTEN_PORT_KEY)
    return None if stored is None else int(stored.decode())


def _write_port(profile: Profile, port: int) -> None:
    profile.store.set_meta({LISTEN_PORT_KEY: str(port).encode()})


def _label(text: str, name: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setAccessibleName(name)
    return label


class SettingsPage(QWidget):
    """All user settings on one scrolling page.

    Rule: built with the core service; reads the listen port whenever a profile unlocks.
    """

    network_settings_changed = Signal()
    """The listen port or hop count changed: restart the node to use them."""
    theme_changed = Signal(str)
    """The theme choice ("system", "light", "dark") changed and was saved."""
    auto_lock_changed = Signal(int)
    """The auto-lock idle time (minutes, 0 = off) changed and was saved."""
    passphrase_changed = Signal()
    """The store was re-keyed under a new passphrase."""
    backup_exported = Signal(str, int)
    """A backup was written: its path and how many records it holds."""

    def __init__(
        self,
        service: CoreService,
        parent: QWidget | None = None,
        *,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.settings = settings or QSettings()
        self.busy = False

        # -- passphrase ------------------------------------------------------------------
        self.current = QLineEdit()
        self.current.setEchoMode(QLineEdit.EchoMode.Password)
        self.current.setAccessibleName(self.tr("Current passphrase"))
        self.new_pair = PassphrasePair()
        self.new_pair.first.setAccessibleName(self.tr("New passphrase"))
        self.new_pair.second.setAccessibleName(self.tr("Repeat the new passphrase"))
        self.change_button = QPushButton(self.tr("Change passphrase"))
        self.change_button.setAccessibleName(self.tr("Change passphrase"))
        self.change_button.clicked.connect(self.change_passphrase)
        self.passphrase_status = _label("", self.tr("Passphrase change result"))
        passphrase_box = QGroupBox(self.tr("Passphrase"))
        form = QFormLayout(passphrase_box)
        form.addRow(self.tr("C&urrent passphrase:"), self.current)
        form.addRow(self.new_pair)
        form.addRow("", self.change_button)
        form.addRow(self.passphrase_status)
        self.current.textChanged.connect(self._update_buttons)
        self.new_pair.changed.connect(self._update_buttons)

        # -- backup ----------------------------------------------------------------------
        self.backup_pair = PassphrasePair()
        self.backup_pair.first.setAccessibleName(self.tr("Backup passphrase"))
        self.backup_pair.second.setAccessibleName(self.tr("Repeat the backup passphrase"))
        self.export_button = QPushButton(self.tr("Export backup…"))
        self.export_button.setAccessibleName(self.tr("Export an encrypted backup"))
        self.export_button.clicked.connect(self._export_clicked)
        self.backup_status = _label("", self.tr("Backup result"))
        backup_box = QGroupBox(self.tr("Encrypted backup"))
        backup_layout = QVBoxLayout(backup_box)
        explanation = QLabel(
            self.tr(
                "A backup holds your identity's key and posts, sealed with the passphrase below. "
                "Keep both: without the passphrase the backup cannot be opened."
            )
        )
        explanation.setWordWrap(True)
        backup_layout.addWidget(explanation)
        backup_layout.addWidget(self.backup_pair)
        backup_layout.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignLeft)
        backup_layout.addWidget(self.backup_status)
        self.backup_pair.changed.connect(self._update_buttons)

        # -- data directory --------------------------------------------------------------
        self.data_dir = _label(str(service.data_dir), self.tr("Data folder"))
        self.data_dir.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        open_folder = QPushButton(self.tr("Open folder"))
        open_folder.setAccessibleName(self.tr("Open the data folder"))
        open_folder.clicked.connect(self.open_data_dir)
        data_box = QGroupBox(self.tr("Data folder"))
        data_row = QHBoxLayout(data_box)
        data_row.addWidget(self.data_dir, 1)
        data_row.addWidget(open_folder)

        # -- network ---------------------------------------------------------------------
        self.port = PortSpinBox()
        self.port.setAccessibleName(self.tr("Listen port"))
        self.port.setToolTip(
            self.tr(
                "automatic: the network picks a free port the first time it starts and keeps it"
            )
        )
        self.port.setEnabled(False)  # until read from the store
        self.port_button = QPushButton(self.tr("Apply"))
        self.port_button.setAccessibleName(self.tr("Use this listen port"))
        self.port_button.setEnabled(False)
        self.port_button.clicked.connect(self.apply_port)
        self.port.valueChanged.connect(self._update_buttons)
        self.stored_port: int | None = None
        self.port_status = _label("", self.tr("Listen port result"))
        self.hops = QSpinBox()
        self.hops.setRange(0, MAX_HOPS)
        self.hops.setValue(saved_hops(self.settings))
        self.hops.setAccessibleName(self.tr("Follow hops to replicate"))
        self.hops.setToolTip(
            self.tr(
                "0: only your own posts; 1: people you follow; 2: also the people they follow; …"
            )
        )
        self.hops.valueChanged.connect(self._hops_changed)
        network_box = QGroupBox(self.tr("Network"))
        network_form = QFormLayout(network_box)
        port_row = QHBoxLayout()
        port_row.addWidget(self.port)
        port_row.addWidget(self.port_button)
        port_row.addStretch(1)
        network_form.addRow(self.tr("Listen port:"), port_row)
        network_form.addRow("", self.port_status)
        network_form.addRow(self.tr("Replicate &follows up to (hops):"), self.hops)

        # -- appearance and security -----------------------------------------------------
        self.theme = QComboBox()
        self.theme.setAccessibleName(self.tr("Theme"))
        for choice in THEMES:
            self.theme.addItem(self.tr(_THEME_LABELS[choice]), choice)
        self.theme.setCurrentIndex(THEMES.index(saved_theme(self.settings)))
        self.theme.currentIndexChanged.connect(self._theme_chosen)
        self.auto_lock = QComboBox()
        self.auto_lock.setAccessibleName(self.tr("Lock after being idle"))
        for minutes in AUTO_LOCK_CHOICES:
            label = self.tr("Off") if minutes == 0 else self.tr("%n minute(s)", "", minutes)
            self.auto_lock.addItem(english_plural(label, minutes), minutes)
        self.auto_lock.setCurrentIndex(
            AUTO_LOCK_CHOICES.index(saved_auto_lock_minutes(self.settings))
        )
        self.auto_lock.currentIndexChanged.connect(self._auto_lock_chosen)
        general_box = QGroupBox(self.tr("Appearance and security"))
        general_form = QFormLayout(general_box)
        general_form.addRow(self.tr("&Theme:"), self.theme)
        general_form.addRow(self.tr("Lock after &idle:"), self.auto_lock)

        content = QWidget()
        column = QVBoxLayout(content)
        for box in (passphrase_box, backup_box, data_box, network_box, general_box):
            column.addWidget(box)
        column.addStretch(1)
        self._column = column
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        service.unlocked.connect(self.reload)
        service.closed.connect(self._forget)
        if service.is_open:
            self.reload()
        self._update_buttons()

    def add_section(self, box: QWidget) -> None:
        """Add a section (e.g. Settings > Plugins) below the built-in ones."""
        self._column.insertWidget(self._column.count() - 1, box)

    # -- passphrase ------------------------------------------------------------------------

    def change_passphrase(self) -> None:
        """Check the current passphrase, then re-key the store (in the worker thread)."""
        if self.busy or not self.service.is_open:
            return
        current, new = self.current.text(), self.new_pair.passphrase()
        if not current:
            self.passphrase_status.setText(self.tr("Type your current passphrase first."))
            return
        if not self.new_pair.is_acceptable():
            self.passphrase_status.setText(self.new_pair.hint.text())
            return
        if new == current:
            self.passphrase_status.setText(
                self.tr("The new passphrase is the same as the current one.")
            )
            return
        self._set_busy(True)
        self.passphrase_status.setText(self.tr("Checking the current passphrase…"))
        self.service.run(self._change, current, new)

    async def _change(self, current: str, new: str) -> None:
        kdf = self.service.kdf
        try:
            await self.service.blocking(check_passphrase, self.service.data_dir, current)
            self.passphrase_status.setText(self.tr("Changing the passphrase…"))
            await self.service.call(Profile.change_passphrase, new, kdf)
        except WrongPassphrase:
            self.passphrase_status.setText(self.tr(WRONG_CURRENT))
            self.current.setFocus()
            self.current.selectAll()
            return
        except SmdError as exc:
            self.passphrase_status.setText(as_sentence(str(exc)))
            return
        finally:
            self._set_busy(False)
        self.current.clear()
        self.new_pair.clear()
        self.passphrase_status.setText(self.tr("Passphrase changed. Use the new one from now on."))
        self.passphrase_changed.emit()

    # -- backup ----------------------------------------------------------------------------

    def choose_backup_path(self) -> Path | None:
        """Ask where to save the backup (a save dialog); None if cancelled."""
        suggested = Path.home() / f"smd-backup-{datetime.date.today().isoformat()}{BACKUP_SUFFIX}"
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Save encrypted backup"),
            str(suggested),
            self.tr("SMD backups (*{suffix})").format(suffix=BACKUP_SUFFIX),
        )
        return Path(path) if path else None

    def export_to(self, path: Path) -> None:
        """Write a backup to ``path`` sealed with the backup passphrase (in the worker thread)."""
        if self.busy or not self.service.is_open:
            return
        if not self.backup_pair.is_acceptable():
            self.backup_status.setText(self.backup_pair.hint.text())
            return
        self._set_busy(True)
        self.backup_status.setText(self.tr("Writing the backup…"))
        self.service.run(self._export, path, self.backup_pair.passphrase())

    def _export_clicked(self) -> None:
        if not self.backup_pair.is_acceptable():
            self.backup_status.setText(self.backup_pair.hint.text())
            return
        path = self.choose_backup_path()
        if path is not None:
            self.export_to(path)

    async def _export(self, path: Path, passphrase: str) -> None:
        kdf = self.service.kdf or KdfParams.moderate()
        try:
            count = await self.service.call(export_backup, path, passphrase, kdf)
        except (SmdError, OSError) as exc:
            text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.backup_status.setText(
                self.tr("The backup was not written: {reason}.").format(reason=text)
            )
            return
        finally:
            self._set_busy(False)
        self.backup_pair.clear()
        saved = english_plural(self.tr("Backup saved to {path} (%n record(s)).", "", count), count)
        self.backup_status.setText(saved.format(path=path))
        self.backup_exported.emit(str(path), count)

    # -- data folder -----------------------------------------------------------------------

    def open_data_dir(self) -> bool:
        """Open the data folder in the file manager; False if the desktop refused."""
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.service.data_dir)))

    # -- network ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the stored listen port (after unlocking, or once the node chose one)."""
        if self.service.is_open:
            self.service.run(self._load_port)

    async def _load_port(self) -> None:
        port = await self.service.call(_read_port)
        self.stored_port = port
        self.port.setEnabled(True)
        self.port.set_port(port)
        if port is None:
            self.port_status.setText(self.tr("No port chosen yet: the network picks a free one."))
        else:
            self.port_status.setText("")
        self._update_buttons()

    def apply_port(self) -> None:
        """Store the spin box's port in the encrypted profile and ask for a node restart.

        "automatic" is not stored: it is what an unset port means, and once the node has picked
        a port it keeps it (so invite codes stay valid)."""
        port = self.port.port()
        if self.busy or not self.service.is_open or port is None:
            return
        self._set_busy(True)
        self.service.run(self._save_port, port)

    async def _save_port(self, port: int) -> None:
        try:
            await self.service.call(_write_port, port)
        except SmdError as exc:
            self.port_status.setText(as_sentence(str(exc)))
            return
        finally:
            self._set_busy(False)
        self.stored_port = port
        self.port_status.setText(
            self.tr("The network now listens on port {port}.").format(port=port)
        )
        self._update_buttons()
        self.network_settings_changed.emit()

    def _hops_changed(self, hops: int) -> None:
        self.settings.setValue(HOPS_KEY, hops)
        self.settings.sync()
        self.network_settings_changed.emit()

    # -- appearance and security -----------------------------------------------------------

    def _theme_chosen(self, index: int) -> None:
        choice = THEMES[index]
        self.settings.setValue(THEME_KEY, choice)
        self.settings.sync()
        self.theme_changed.emit(choice)

    def _auto_lock_chosen(self, index: int) -> None:
        minutes = AUTO_LOCK_CHOICES[index]
        self.settings.setValue(AUTO_LOCK_KEY, minutes)
        self.settings.sync()
        self.auto_lock_changed.emit(minutes)

    # -- state -----------------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self._update_buttons()

    def _update_buttons(self) -> None:
        open_ = self.service.is_open and not self.busy
        self.change_button.setEnabled(
            open_ and bool(self.current.text()) and self.new_pair.is_acceptable()
        )
        self.export_button.setEnabled(open_ and self.backup_pair.is_acceptable())
        port = self.port.port()
        self.port_button.setEnabled(
            open_ and self.port.isEnabled() and port is not None and port != self.stored_port
        )

    def _forget(self) -> None:
        # Locked: drop typed secrets and the port read from the encrypted store.
        self.current.clear()
        self.new_pair.clear()
        self.backup_pair.clear()
        self.stored_port = None
        self.port.set_port(None)
        self.port.setEnabled(False)
        for label in (self.passphrase_status, self.backup_status, self.port_status):
            label.clear()
        self._update_buttons()
