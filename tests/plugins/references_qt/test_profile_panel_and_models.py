"""A person's directory on their Profile page (grouped, read-only, Endorse), and the item
models checked by Qt's model tester."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtTest import QTest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

import plugins.references.qt as references_qt
from plugins.references.core import Directory
from plugins.references.qt import AuthorPanel
from plugins.references.qt._entries_model import COLUMNS, EntryRole
from smd_desktop.core.ids import IdentityKey
from smd_desktop.core.profile import Profile
from smd_desktop.core.testing import copy_records

from .support import WAIT_MS, Window, draft
from .test_page import open_page


def check_model(tester: ModelTester, model: QAbstractItemModel) -> None:
    """Qt's model tester over ``model`` (pytest-qt's ``check`` is untyped)."""
    tester.check(model)  # type: ignore[no-untyped-call]


def open_panel(qtbot: QtBot, window: Window, identity: IdentityKey) -> AuthorPanel:
    (panel,) = references_qt.smd_profile_panels(window.ui, identity)
    assert panel.title == "References Directory"
    widget = panel.widget
    assert isinstance(widget, AuthorPanel)
    qtbot.addWidget(widget)
    widget.resize(700, 600)
    widget.show()
    qtbot.waitUntil(lambda: widget.summary.text() != "Loading…", timeout=WAIT_MS)
    return widget


def grouped(panel: AuthorPanel) -> list[str]:
    model = panel.model
    out = []
    for r in range(model.rowCount()):
        group = model.index(r, 0)
        out.append(group.data())
        for c in range(model.rowCount(group)):
            flags = model.index(c, 1, group).data()
            out.append(f"  {model.index(c, 0, group).data()}" + (f" [{flags}]" if flags else ""))
    return out


def bob_with_entries(others: Callable[[str], Profile]) -> Profile:
    bob = others("Bob")
    directory = Directory(bob)
    directory.add(draft("Shure MV7", "https://www.shure.com/mv7", category=("Audio", "Mics")))
    directory.add(draft("Notion", "https://notion.so/", disclosures=frozenset({"owner"})))
    directory.add(draft("Rode NT1", "https://rode.com/nt1", category=("Audio", "Mics")))
    return bob


def test_another_authors_directory_shows_by_category_and_can_be_endorsed(
    qtbot: QtBot, open_window: Callable[..., Window], others: Callable[[str], Profile]
) -> None:
    bob = bob_with_entries(others)

    def setup(ada: Profile, _: Directory) -> None:
        copy_records(bob.store, ada.store)

    window = open_window(setup)
    panel = open_panel(qtbot, window, bob.identity)
    assert panel.summary.text() == "3 entries."
    assert grouped(panel) == [
        "Uncategorized",
        "  Notion [Owner/employee]",
        "Audio / Mics",
        "  Rode NT1",
        "  Shure MV7",
    ]
    assert not panel.detail.isVisible()
    group = panel.model.index(0, 0)
    assert not panel.model.flags(group) & Qt.ItemFlag.ItemIsEditable

    panel.view.setCurrentIndex(panel.model.index(0, 0, panel.model.index(1, 0)))
    qtbot.waitUntil(lambda: panel.detail.title.text() == "Rode NT1", timeout=WAIT_MS)
    assert panel.detail.isVisible() and panel.detail.endorse.isVisible()
    QTest.mouseClick(panel.detail.endorse, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.detail.endorsements.count() == 1, timeout=WAIT_MS)
    assert panel.detail.endorsements.item(0).text() == "You"
    # The write re-read the panel; the chosen entry stays chosen.
    assert panel.view.currentIndex().data() == "Rode NT1"
    shown = panel.detail.shown
    assert shown is not None
    detail = window.in_core(lambda p: Directory(p).detail(shown.detail.entry.id))
    assert [e.endorser for e in detail.endorsements] == [shown.me]


def test_my_own_panel_lists_my_entries_without_endorse(
    qtbot: QtBot, open_window: Callable[..., Window]
) -> None:
    def setup(_: Profile, directory: Directory) -> None:
        directory.add(draft("Rode NT1", "https://rode.com/nt1"))

    window = open_window(setup)
    me = window.in_core(lambda p: p.identity)
    panel = open_panel(qtbot, window, me)
    assert grouped(panel) == ["Uncategorized", "  Rode NT1"]
    panel.view.setCurrentIndex(panel.model.index(0, 0, panel.model.index(0, 0)))
    qtbot.waitUntil(lambda: panel.detail.title.text() == "Rode NT1", timeout=WAIT_MS)
    assert panel.detail.author.text() == "by Ada (you)"
    assert not panel.detail.endorse.isVisible() and not panel.detail.endorse_note.isVisible()


def test_a_person_without_entries_has_an_empty_panel(
    qtbot: QtBot, open_window: Callable[..., Window], others: Callable[[str], Profile]
) -> None:
    cy = others("Cy")
    panel = open_panel(qtbot, open_window(), cy.identity)
    assert panel.summary.text() == "No entries yet." and not panel.view.isVisible()


def test_the_item_models_pass_the_model_tester(
    qtbot: QtBot,
    qtmodeltester: ModelTester,
    open_window: Callable[..., Window],
    others: Callable[[str], Profile],
) -> None:
    bob = bob_with_entries(others)

    def setup(ada: Profile, directory: Directory) -> None:
        directory.add(draft("Shure SM7B", "https://www.shure.com/sm7b", category=("Audio",)))
        ada.follow(bob.identity)
        copy_records(bob.store, ada.store)

    window = open_window(setup)
    page = open_page(qtbot, window)
    page.sources.setCurrentIndex(page.sources.findText("All directories"))
    qtbot.waitUntil(lambda: page.entries.rowCount() == 4, timeout=WAIT_MS)
    entries = page.entries
    assert [entries.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == list(COLUMNS)
    first = entries.index(0, 0)
    assert first.data(EntryRole.ENTRY_ID) == bytes(entries.entry_at(0).id)
    assert first.data(Qt.ItemDataRole.AccessibleTextRole).startswith(entries.entry_at(0).title)
    assert entries.rowCount(first) == 0 and not entries.index(0, 4).isValid()
    check_model(qtmodeltester, entries)
    check_model(qtmodeltester, page.categories)
    assert page.categories.rowCount(QModelIndex()) == 1

    panel = open_panel(qtbot, window, bob.identity)
    check_model(qtmodeltester, panel.model)
