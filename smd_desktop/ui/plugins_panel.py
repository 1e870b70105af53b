"""Settings > Plugins: installed plugins, version, owned types, state, enable/disable, and
each plugin's own settings panels.

Enabling or disabling runs in the core service (migrations, index rebuild); the plugin's
pages appear or go at the next start, which the panel says.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ..core.plugins import PluginStatus
from ..core.profile import Profile
from .i18n import QT_TRANSLATE_NOOP
from .plugin_api import PluginPanel
from .service import CoreService

COLUMNS = (
    QT_TRANSLATE_NOOP("PluginsPanel", "Plugin"),
    QT_TRANSLATE_NOOP("PluginsPanel", "Version"),
    QT_TRANSLATE_NOOP("PluginsPanel", "Content types"),
    QT_TRANSLATE_NOOP("PluginsPanel", "State"),
)
"""The table's column titles (English: translated when shown)."""


def state_text(status: PluginStatus) -> str:
    """One phrase for the State column."""
    if status.active:
        return QCoreApplication.translate("PluginsPanel", "Running")
    if not status.enabled:
        return QCoreApplication.translate("PluginsPanel", "Disabled")
    if status.error:
        text = QCoreApplication.translate("PluginsPanel", "Not running: {error}")
        return text.format(error=status.error)
    return QCoreApplication.translate("PluginsPanel", "Not running")


class PluginsPanel(QGroupBox):
    """The Plugins section of the Settings page."""

    changed = Signal()
    """A plugin was enabled or disabled (the list is reloaded)."""

    def __init__(self, service: CoreService) -> None:
        super().__init__(self.tr("Plugins"))
        self.service = service
        self.statuses: list[PluginStatus] = []
        self._loading = False
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.setAccessibleName(self.tr("Installed plugins"))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(self._item_changed)
        self.note = QLabel(
            self.tr(
                "Tick a plugin to enable it for this profile. Its data stays when it is "
                "disabled; its pages appear or disappear the next time SMD starts."
            )
        )
        self.note.setWordWrap(True)
        self.result = QLabel("")
        self.result.setAccessibleName(self.tr("Plugin change result"))
        self.result.setWordWrap(True)
        self.panels = QVBoxLayout()
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table)
        layout.addWidget(self.result)
        layout.addLayout(self.panels)
        service.unlocked.connect(self.reload)

    def reload(self) -> None:
        """Read the plugins' states (in the core thread) and show them."""

        async def load() -> None:
            statuses = await self.service.call(lambda p: p.plugins.statuses())
            self.show_statuses(statuses)

        if self.service.is_open:
            self.service.run(load)

    def show_statuses(self, statuses: list[PluginStatus]) -> None:
        """Fill the table."""
        self._loading = True
        try:
            self.statuses = statuses
            self.table.setRowCount(len(statuses))
            for row, status in enumerate(statuses):
                name = QTableWidgetItem(status.title)
                name.setToolTip(f"{status.name} ({status.source})")
                name.setData(Qt.ItemDataRole.UserRole, status.name)
                loaded = bool(status.version)  # refused plugins never loaded: nothing to tick
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                if loaded:
                    flags |= Qt.ItemFlag.ItemIsUserCheckable
                name.setFlags(flags)
                checked = status.enabled and loaded
                name.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                name.setData(
                    Qt.ItemDataRole.AccessibleTextRole,
                    self.tr("Enable {plugin}").format(plugin=status.title),
                )
                self.table.setItem(row, 0, name)
                self.table.setItem(row, 1, QTableWidgetItem(status.version or "?"))
                self.table.setItem(
                    row, 2, QTableWidgetItem(", ".join(status.types) or self.tr("none"))
                )
                state = QTableWidgetItem(state_text(status))
                state.setToolTip(status.error)
                self.table.setItem(row, 3, state)
        finally:
            self._loading = False

    def add_plugin_panels(self, panels: dict[str, list[PluginPanel]]) -> None:
        """Show each plugin's settings panels under the table."""
        for plugin, items in sorted(panels.items()):
            for panel in items:
                box = QGroupBox(panel.title)
                box.setAccessibleName(
                    self.tr("{plugin} settings: {panel}").format(plugin=plugin, panel=panel.title)
                )
                QVBoxLayout(box).addWidget(panel.widget)
                self.panels.addWidget(box)

    def set_enabled(self, name: str, enabled: bool) -> None:
        """Enable or disable ``name`` in this profile (runs in the core thread)."""

        async def apply() -> None:
            def change(profile: Profile) -> tuple[PluginStatus, list[PluginStatus]]:
                status = profile.plugins.set_enabled(name, enabled)
                return status, profile.plugins.statuses()

            try:
                status, statuses = await self.service.call(change)
            finally:
                self.reload()  # also after a refusal: the box shows the real state again
            if enabled and not status.active:
                text = self.tr("{plugin} is enabled but cannot run: {error}")
                self.result.setText(text.format(plugin=status.title, error=status.error))
            elif enabled:
                self.result.setText(self.tr("{plugin} enabled.").format(plugin=status.title))
            else:
                self.result.setText(self.tr("{plugin} disabled.").format(plugin=status.title))
            self.show_statuses(statuses)
            self.changed.emit()
            self.service.records_changed.emit()  # views that show plugin data refresh

        self.service.run(apply)

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._loading or item.column() != 0:
            return
        name = item.data(Qt.ItemDataRole.UserRole)
        self.set_enabled(str(name), item.checkState() == Qt.CheckState.Checked)
