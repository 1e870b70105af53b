"""Plugins in the desktop app: their pages (the docs' example plugin), fault isolation of
their Qt parts, Settings > Plugins, and the search box over their search providers."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidgetItem
from pytestqt.qtbot import QtBot

from smd_desktop.core.plugins import PluginHost, SearchHit, hookimpl
from smd_desktop.core.testing import FAST_KDF, make_profile
from smd_desktop.ui.plugin_api import PluginPage, UiContext
from smd_desktop.ui.plugin_ui import PluginUi
from smd_desktop.ui.plugins_panel import PluginsPanel
from smd_desktop.ui.search_dialog import SearchDialog
from smd_desktop.ui.service import CoreService
from smd_desktop.ui.trio_bridge import TrioGuest

from .support import in_core

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "plugin-example"
PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    monkeypatch.syspath_prepend(str(EXAMPLE))
    import smd_reading_list.plugin

    yield smd_reading_list.plugin
    for name in [m for m in sys.modules if m.startswith("smd_reading_list")]:
        del sys.modules[name]


@pytest.fixture
def service(
    qtbot: QtBot, guest: TrioGuest, tmp_path: Path, example: ModuleType
) -> Iterator[CoreService]:
    """Ada's profile with the example plugin, unlocked through the service."""
    make_profile(tmp_path / "ada", "Ada", plugins=[example]).close()
    host = PluginHost()
    host.add(example)
    service = CoreService(guest, tmp_path / "ada", kdf=FAST_KDF, plugins=host)

    async def unlock() -> None:
        assert await service.unlock(PASSPHRASE)

    with qtbot.waitSignal(service.unlocked, timeout=10_000):
        service.run(unlock)
    yield service
    with qtbot.waitSignal(service.closed, timeout=10_000):
        service.run(service.close)


def context(service: CoreService, shown: list[Any] | None = None) -> UiContext:
    shown = shown if shown is not None else []
    return UiContext(service, open_identity=shown.append, show_page=shown.append)


def test_a_plugin_page_adds_and_lists_signed_records(qtbot: QtBot, service: CoreService) -> None:
    ui = PluginUi(service.plugins, context(service))
    pages = ui.pages()
    assert [p.title for p in pages] == ["Reading list"]
    page: Any = pages[0].widget
    qtbot.addWidget(page)
    page.title.setText("Parable of the Sower")
    page.author.setText("Octavia E. Butler")
    page.add.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10_000)
    assert page.model.item(0).text() == "Parable of the Sower by Octavia E. Butler — want (Ada)"
    books = in_core(qtbot, service, lambda p: p.search("sower"))
    assert [b.title for b in books] == ["Parable of the Sower"]


def test_a_plugin_whose_qt_part_fails_is_turned_off_and_the_rest_loads(
    qtbot: QtBot, service: CoreService
) -> None:
    def broken_pages(ui: UiContext) -> list[PluginPage]:
        raise RuntimeError("no widgets today")

    failures: list[tuple[str, str]] = []
    fake = SimpleNamespace(smd_ui_pages=hookimpl(broken_pages))
    ui = PluginUi(
        service.plugins,
        context(service),
        on_failure=lambda name, message: failures.append((name, message)),
        import_module=lambda name: fake,
    )
    assert ui.names == ["readinglist"]
    assert ui.pages() == []
    assert failures == [
        ("readinglist", "failed while building its pages: RuntimeError: no widgets today")
    ]
    assert ui.names == []

    def cannot_import(name: str) -> ModuleType:
        raise ImportError(f"No module named {name!r}")

    failures.clear()
    ui = PluginUi(
        service.plugins,
        context(service),
        on_failure=lambda name, message: failures.append((name, message)),
        import_module=cannot_import,
    )
    assert failures == [
        (
            "readinglist",
            "its window parts cannot load: ImportError: No module named 'smd_reading_list.qt'",
        )
    ]


def test_settings_lists_plugins_and_disables_one_for_this_profile(
    qtbot: QtBot, service: CoreService
) -> None:
    panel = PluginsPanel(service)
    qtbot.addWidget(panel)
    panel.reload()
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=10_000)

    def cell(row: int, column: int) -> QTableWidgetItem:
        item = panel.table.item(row, column)
        assert item is not None
        return item

    cells = [cell(0, c).text() for c in range(4)]
    assert cells == ["Reading list", "1.0.0", "readinglist/book/1", "Running"]

    with qtbot.waitSignal(panel.changed, timeout=10_000):
        cell(0, 0).setCheckState(Qt.CheckState.Unchecked)
    assert cell(0, 3).text() == "Disabled"
    assert panel.result.text() == "Reading list disabled."
    status = in_core(qtbot, service, lambda p: p.plugins.status("readinglist"))
    assert (status.enabled, status.active) == (False, False)

    panel.add_plugin_panels({"readinglist": []})  # nothing to add: no crash, no box
    assert panel.panels.count() == 0


def test_search_finds_plugin_records_and_opens_them(qtbot: QtBot, service: CoreService) -> None:
    from smd_reading_list.plugin import add_book

    in_core(qtbot, service, lambda p: add_book(p, "Kindred", author="Octavia E. Butler"))
    opened: list[SearchHit] = []

    def open_hit(hit: SearchHit) -> bool:
        opened.append(hit)
        return True

    dialog = SearchDialog(service, open_hit)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.searched, timeout=10_000) as found:
        dialog.query.setText("butler")
    assert found.args == [1]
    item = dialog.results.item(0)
    assert item.text() == "Kindred — Ada\nOctavia E. Butler"
    dialog.results.itemActivated.emit(item)
    assert [h.title for h in opened] == ["Kindred"]
    assert dialog.isHidden()

    with qtbot.waitSignal(dialog.searched, timeout=10_000) as found:
        dialog.query.setText("nothing like this")
    assert found.args == [0]
    assert dialog.status.text() == "Nothing found."


def test_ui_context_refuses_non_web_links(qtbot: QtBot, service: CoreService) -> None:
    errors: list[str] = []
    service.error.connect(errors.append)
    assert not context(service).open_url("file:///etc/passwd")
    assert errors == ["Not a web address: file:///etc/passwd"]
