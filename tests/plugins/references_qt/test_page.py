"""The References page over a real encrypted profile: adding through the dialog, its inline
messages, editing and deleting with confirmation, choosing whose directory, exporting."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from plugins.references.core import Directory, EntryView
from plugins.references.qt import ReferencesPage
from plugins.references.qt._entry_dialog import EntryDialog
from plugins.references.qt._entry_form import UNDISCLOSED_AFFILIATE
from smd_desktop.core.profile import Profile
from smd_desktop.core.testing import copy_records
from smd_desktop.ui.plugin_work import alive

from .support import WAIT_MS, Window, draft

SM7B = "https://www.shure.com/sm7b"
NT1 = "https://rode.com/nt1"


def open_page(qtbot: QtBot, window: Window) -> ReferencesPage:
    """The page, shown, once its first read is on screen."""
    page = ReferencesPage(window.ui)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    qtbot.waitUntil(lambda: page.listing is not None and not page.busy, timeout=WAIT_MS)
    return page


def rows(page: ReferencesPage) -> list[list[str]]:
    model = page.entries
    return [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def titles(page: ReferencesPage) -> list[str]:
    return [row[0] for row in rows(page)]


def tree(page: ReferencesPage) -> list[str]:
    """The category tree, depth-first, indented by two spaces per level."""
    model = page.categories
    out: list[str] = []

    def walk(parent: QModelIndex, depth: int) -> None:
        for r in range(model.rowCount(parent)):
            index = model.index(r, 0, parent)
            out.append("  " * depth + index.data())
            walk(index, depth + 1)

    walk(QModelIndex(), 0)
    return out


def select(page: ReferencesPage, title: str) -> None:
    page.list.setCurrentIndex(page.entries.index(titles(page).index(title), 0))


def open_dialog(qtbot: QtBot, page: ReferencesPage, action: Any) -> EntryDialog:
    action.trigger()
    dialog = page.entry_actions.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    return dialog


def save(qtbot: QtBot, dialog: EntryDialog) -> EntryView:
    """Click Save and wait until the entry is stored and the dialog closed."""
    stored: list[EntryView] = []
    dialog.saved.connect(stored.append)
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(stored) or dialog.message.isVisible(), timeout=WAIT_MS)
    assert len(stored) == 1, dialog.message.text()
    qtbot.waitUntil(lambda: not alive(dialog) or not dialog.isVisible(), timeout=WAIT_MS)
    return stored[0]


def test_ctrl_n_adds_an_entry_that_shows_in_the_tree_the_list_and_the_detail(
    qtbot: QtBot, open_window: Callable[..., Window]
) -> None:
    window = open_window()
    page = open_page(qtbot, window)
    assert rows(page) == [] and tree(page) == ["All categories (0)"]
    assert page.summary.text() == "0 entries."

    page.activateWindow()
    page.list.setFocus()
    QTest.keyClick(page.list, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = page.entry_actions.dialog
    assert dialog is not None and dialog.isVisible() and dialog.windowTitle() == "New entry"
    form = dialog.form
    form.title.setText("Shure SM7B")
    form.url.setText("HTTPS://www.Shure.com/sm7b?utm_source=newsletter#specs")
    form.category.setText("Audio / Microphones")
    form.tags.setText("podcast, #XLR")
    form.verdict.setCurrentIndex(form.verdict.findData("essential"))
    form.usage.setCurrentIndex(1)
    form.since.setText("2021-03")
    form.ids["gtin"].setText("0042406 07014 0")
    form.disclose["free"].setChecked(True)
    entry = save(qtbot, dialog)

    assert (entry.url, entry.tags, entry.since, entry.still_using) == (
        SM7B,
        ("podcast", "xlr"),
        "2021-03",
        True,
    )
    qtbot.waitUntil(lambda: len(rows(page)) == 1, timeout=WAIT_MS)
    assert rows(page) == [["Shure SM7B", "Audio / Microphones", "Ada", "Received free"]]
    assert tree(page) == ["All categories (1)", "  Audio (1)", "    Microphones (1)"]
    qtbot.waitUntil(lambda: page.detail.title.text() == "Shure SM7B", timeout=WAIT_MS)
    assert page.detail.usage.text() == "Still using it, since 2021-03"
    assert page.detail.ids.text() == "GTIN/EAN 0042406070140"
    assert not page.detail.endorse.isVisible()  # one's own entry
    assert page.status.text() == "Saved \u201cShure SM7B\u201d."
    assert window.errors == []


def test_the_dialog_says_inline_why_an_entry_cannot_be_saved(
    qtbot: QtBot, open_window: Callable[..., Window]
) -> None:
    window = open_window()
    page = open_page(qtbot, window)
    dialog = open_dialog(qtbot, page, page.entry_actions.new)
    form = dialog.form
    form.title.setText("Kindle Paperwhite")
    form.url.setText("ftp://amazon.com/dp/B08KTZ8249")
    assert not dialog.message.isVisible() and dialog.save_button.isEnabled()

    form.affiliate.add_row("Amazon Associates", "https://amazon.com/dp/B08KTZ8249?tag=ada-20")
    assert dialog.message.isVisible() and dialog.message.text() == UNDISCLOSED_AFFILIATE
    assert not dialog.save_button.isEnabled()
    form.disclose["affiliate"].setChecked(True)
    assert not dialog.message.isVisible() and dialog.save_button.isEnabled()

    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.message.isVisible, timeout=WAIT_MS)
    assert dialog.message.text() == (
        "Invalid URL 'ftp://amazon.com/dp/B08KTZ8249': only http:// and https:// URLs are allowed."
    )
    assert dialog.isVisible() and dialog.save_button.isEnabled()
    assert window.errors == []  # inline, not in the window's banner

    form.url.setText("https://amazon.com/dp/B08KTZ8249")
    entry = save(qtbot, dialog)
    assert [(a.network, a.url) for a in entry.affiliate] == [
        ("Amazon Associates", "https://amazon.com/dp/B08KTZ8249?tag=ada-20")
    ]
    assert entry.disclosures == ("affiliate",)
    qtbot.waitUntil(lambda: titles(page) == ["Kindle Paperwhite"], timeout=WAIT_MS)


def test_edit_changes_an_entry_and_delete_asks_first(
    qtbot: QtBot, open_window: Callable[..., Window], monkeypatch: pytest.MonkeyPatch
) -> None:
    def setup(_: Profile, directory: Directory) -> None:
        directory.add(draft("Shure SM7B", SM7B, category=("Audio",), note="Warm."))
        directory.add(draft("Rode NT1", NT1, category=("Audio",)))

    window = open_window(setup)
    page = open_page(qtbot, window)
    assert titles(page) == ["Rode NT1", "Shure SM7B"]
    assert not page.entry_actions.edit.isEnabled()
    select(page, "Shure SM7B")
    assert page.entry_actions.edit.isEnabled() and page.entry_actions.delete.isEnabled()

    dialog = open_dialog(qtbot, page, page.entry_actions.edit)
    assert dialog.windowTitle() == "Edit entry"
    assert (dialog.form.title.text(), dialog.form.url.text()) == ("Shure SM7B", SM7B)
    assert dialog.form.note.toPlainText() == "Warm."
    dialog.form.title.setText("Shure SM7B (2023)")
    dialog.form.category.setText("Audio / Microphones")
    save(qtbot, dialog)
    qtbot.waitUntil(lambda: "Shure SM7B (2023)" in titles(page), timeout=WAIT_MS)
    assert tree(page) == ["All categories (2)", "  Audio (2)", "    Microphones (1)"]
    selected = page.selected_entry()
    assert selected is not None and selected.title == "Shure SM7B (2023)"

    asked: list[str] = []
    answer = QMessageBox.StandardButton.No

    def question(parent: Any, title: str, text: str, *args: Any) -> QMessageBox.StandardButton:
        asked.append(text.partition("\n")[0])
        return answer

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    page.list.setFocus()
    QTest.keyClick(page.list, Qt.Key.Key_Delete)
    assert asked == ["Delete \u201cShure SM7B (2023)\u201d from your directory?"]
    assert len(titles(page)) == 2

    answer = QMessageBox.StandardButton.Yes
    QTest.keyClick(page.list, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: titles(page) == ["Rode NT1"], timeout=WAIT_MS)
    assert page.status.text() == "Deleted \u201cShure SM7B (2023)\u201d."
    held = window.in_core(lambda p: [e.title for e in Directory(p).entries()])
    assert held == ["Rode NT1"]
    assert window.errors == []


def test_enter_opens_the_detail_of_the_selected_entry(
    qtbot: QtBot, open_window: Callable[..., Window]
) -> None:
    def setup(_: Profile, directory: Directory) -> None:
        directory.add(draft("Rode NT1", NT1))

    page = open_page(qtbot, open_window(setup))
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=WAIT_MS)
    page.list.setFocus()
    page.list.setCurrentIndex(page.entries.index(0, 0))
    QTest.keyClick(page.list, Qt.Key.Key_Return)
    qtbot.waitUntil(page.detail.open_link.hasFocus, timeout=WAIT_MS)
    assert page.detail.title.text() == "Rode NT1"


def test_the_source_selector_lists_mine_a_followed_authors_or_all_directories(
    qtbot: QtBot,
    open_window: Callable[..., Window],
    others: Callable[[str], Profile],
) -> None:
    bob = others("Bob")
    Directory(bob).add(draft("Notion", "https://notion.so/", category=("Software",)))

    def setup(ada: Profile, directory: Directory) -> None:
        directory.add(draft("Rode NT1", NT1, category=("Audio",)))
        ada.follow(bob.identity)
        copy_records(bob.store, ada.store)

    page = open_page(qtbot, open_window(setup))
    choices = [page.sources.itemText(i) for i in range(page.sources.count())]
    assert choices == ["My directory", "All directories", "Bob\u2019s directory"]
    assert rows(page) == [["Rode NT1", "Audio", "Ada", ""]]

    page.sources.setCurrentIndex(2)
    qtbot.waitUntil(lambda: titles(page) == ["Notion"], timeout=WAIT_MS)
    assert tree(page) == ["All categories (1)", "  Software (1)"]
    select(page, "Notion")
    assert not page.entry_actions.edit.isEnabled()  # not mine
    qtbot.waitUntil(lambda: page.detail.title.text() == "Notion", timeout=WAIT_MS)
    assert page.detail.endorse.isVisible()

    page.sources.setCurrentIndex(1)
    qtbot.waitUntil(lambda: len(rows(page)) == 2, timeout=WAIT_MS)
    assert sorted(r[2] for r in rows(page)) == ["Ada", "Bob"]
    page.tree.setCurrentIndex(page.categories.index_of(("Audio",)))
    assert titles(page) == ["Rode NT1"]


def test_export_as_html_writes_my_directory_where_i_chose(
    qtbot: QtBot,
    open_window: Callable[..., Window],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    def setup(_: Profile, directory: Directory) -> None:
        directory.add(draft("Rode NT1", NT1, category=("Audio",)))

    page = open_page(qtbot, open_window(setup))
    target = tmp_path / "out" / "my references.html"
    target.parent.mkdir()
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), ""))
    )
    page.entry_actions.export.trigger()
    qtbot.waitUntil(lambda: page.status.text().startswith("Wrote"), timeout=WAIT_MS)
    assert page.status.text() == f"Wrote 1 entry to {target}."
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and f'href="{NT1}"' in html
