"""The Import tab (a sample platform file, the link token, the assurance label) and the Trust tab
(adding, changing, distrust with its warning, withdrawing) over a real profile."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from plugins.ratings.core.facade import Ratings
from plugins.ratings.qt import RatingsPage
from plugins.ratings.qt._import_tab import ImportTab
from plugins.ratings.qt._labels import day
from plugins.ratings.qt._trust_dialog import TrustDialog
from plugins.ratings.qt._trust_tab import TrustTab
from smd_desktop.core.profile import Profile
from smd_desktop.core.testing import copy_records

from .support import SAMPLES, WAIT_MS, Window, rows
from .test_deals import befriend, submit

EBAY_URL = "https://www.ebay.com/usr/ada"


def open_page(qtbot: QtBot, window: Window) -> RatingsPage:
    page = RatingsPage(window.ui)
    qtbot.addWidget(page)
    page.resize(1100, 760)
    page.show()
    return page


def open_imports(qtbot: QtBot, window: Window) -> tuple[RatingsPage, ImportTab]:
    page = open_page(qtbot, window)
    page.show_tab(page.imports)
    tab = page.imports
    qtbot.waitUntil(lambda: tab.imports is not None and not tab.busy, timeout=WAIT_MS)
    return page, tab


def open_trust(qtbot: QtBot, window: Window) -> tuple[RatingsPage, TrustTab]:
    page = open_page(qtbot, window)
    page.show_tab(page.trust)
    tab = page.trust
    qtbot.waitUntil(lambda: tab.listing is not None and not tab.busy, timeout=WAIT_MS)
    return page, tab


def test_importing_a_sample_file_lists_it_self_asserted(
    qtbot: QtBot, open_window: Callable[..., Window], monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_window()
    page, tab = open_imports(qtbot, window)
    assert tab.empty.isVisible() and not tab.import_button.isEnabled()
    assert not tab.problem_label.isVisible()  # nothing typed yet: no complaint

    sample = SAMPLES / "ebay_feedback.csv"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *_: (str(sample), "")))
    QTest.mouseClick(tab.browse, Qt.MouseButton.LeftButton)
    assert tab.path.text() == str(sample)
    assert tab.problem_label.text() == ("Give the address of your public profile on the platform.")
    tab.set_platform("ebay")
    tab.profile_url.setText(EBAY_URL)
    assert tab.import_button.isEnabled() and not tab.token_box.isVisible()
    QTest.mouseClick(tab.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(tab.imports), timeout=WAIT_MS)

    assert tab.imports is not None
    (view,) = tab.imports
    assert rows(tab.model) == [
        [
            "eBay",
            "14 ratings, 92 % positive",
            f"{day(view.period[0])} – {day(view.period[1])}",
            "Self-asserted",
            EBAY_URL,
        ]
    ]
    assert page.status.text() == "Imported 14 ratings, 92 % positive from eBay (Self-asserted)."
    # My own reputation shows it beside the score, never in it.
    page.show_tab(page.reputation)
    display = page.reputation
    qtbot.waitUntil(lambda: display.imports.rowCount() == 1, timeout=WAIT_MS)
    assert display.score.text() == "3.00 / 5"
    assert rows(display.imports)[0][3] == "Self-asserted"
    assert window.errors == []


def test_link_my_account_shows_the_token_to_copy_and_imports_it_account_linked(
    qtbot: QtBot, open_window: Callable[..., Window]
) -> None:
    window = open_window()
    page, tab = open_imports(qtbot, window)
    tab.path.setText(str(SAMPLES / "generic_ratings.csv"))
    tab.set_platform("csv")
    assert tab.platform_name.isVisible()
    tab.profile_url.setText("https://www.vinted.com/member/ada")
    assert tab.problem_label.text() == "Name the platform the CSV file is from."
    tab.platform_name.setText("Vinted")
    tab.link.setChecked(True)
    assert tab.token_box.isVisible()
    qtbot.waitUntil(lambda: tab.token.text() != "" and not tab.busy, timeout=WAIT_MS)
    expected = window.in_core(
        lambda p: Ratings(p).link_token("csv", "https://www.vinted.com/member/ada")
    )
    assert tab.token.text() == expected and expected.startswith("smd-")
    QTest.mouseClick(tab.copy, Qt.MouseButton.LeftButton)
    clipboard = QGuiApplication.clipboard()
    assert clipboard is not None and clipboard.text() == expected
    assert page.status.text() == "The link token is on the clipboard."

    QTest.mouseClick(tab.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(tab.imports), timeout=WAIT_MS)
    (row,) = rows(tab.model)
    assert row[0:2] == ["Vinted", "8 ratings, 86 % positive, average 4.12"]
    assert row[3] == "Account-linked"
    assert tab.model.index(0, 3).data(Qt.ItemDataRole.ToolTipRole) == (
        "The person says their link token is on this platform profile: anyone can look."
    )
    assert tab.imports is not None and tab.imports[0].link_token == expected


def test_an_import_the_core_refuses_says_why_beside_the_button(
    qtbot: QtBot, open_window: Callable[..., Window]
) -> None:
    window = open_window()
    _, tab = open_imports(qtbot, window)
    tab.path.setText(str(SAMPLES / "ebay_feedback.csv"))
    tab.set_platform("airbnb")
    tab.profile_url.setText("https://www.airbnb.com/users/show/42")
    QTest.mouseClick(tab.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(tab.problem_label.isVisible, timeout=WAIT_MS)
    assert tab.problem_label.text().endswith(".")
    assert tab.import_button.isEnabled() and not tab.importing
    assert rows(tab.model) == []
    assert window.errors == []


def test_a_trust_statement_added_in_the_dialog_shows_in_the_list(
    qtbot: QtBot, open_window: Callable[..., Window], others: Callable[[str], Profile]
) -> None:
    bob = others("Bob")
    window = open_window(befriend(bob))
    page, tab = open_trust(qtbot, window)
    assert tab.empty.isVisible() and not tab.change_button.isEnabled()
    QTest.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    dialog = tab.dialog
    assert isinstance(dialog, TrustDialog) and dialog.isVisible()
    assert dialog.public.text().startswith("Trust statements are public")
    assert not dialog.distrust_warning.isVisible()
    dialog.person.setCurrentIndex(dialog.person.findText("Bob"))
    dialog.context.setEditText("p2p-sale")
    dialog.weight.setCurrentIndex(dialog.weight.findData(3))
    dialog.note.setText("Sold me three bikes")
    submit(qtbot, dialog)
    qtbot.waitUntil(lambda: len(rows(tab.model)) == 1, timeout=WAIT_MS)
    today = rows(tab.model)[0][4]
    assert rows(tab.model) == [["Bob", "p2p-sale", "Trust fully", "Sold me three bikes", today]]
    assert page.status.text() == "Published: Trust fully (p2p-sale)."
    assert tab.view.currentIndex().row() == 0

    # Change it to distrust: the dialog warns that this is public too.
    QTest.mouseClick(tab.change_button, Qt.MouseButton.LeftButton)
    change = tab.dialog
    assert isinstance(change, TrustDialog) and change is not dialog
    assert change.windowTitle() == "Change trust"
    assert not change.person.isEnabled() and not change.context.isEnabled()
    change.weight.setCurrentIndex(change.weight.findData(-2))
    assert change.distrust_warning.isVisible()
    assert change.distrust_warning.text().startswith(
        "A distrust statement is public too: Bob and everyone else will see"
    )
    submit(qtbot, change)
    qtbot.waitUntil(lambda: rows(tab.model)[0][2] == "Do not trust (distrust)", timeout=WAIT_MS)
    assert len(rows(tab.model)) == 1  # replaced, not added
    assert window.errors == []


def test_withdrawing_a_statement_asks_first_then_removes_it(
    qtbot: QtBot,
    open_window: Callable[..., Window],
    others: Callable[[str], Profile],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bob = others("Bob")

    def setup(ada: Profile) -> None:
        copy_records(bob.store, ada.store)
        Ratings(ada).trust(bob.identity, 1)

    window = open_window(setup)
    page, tab = open_trust(qtbot, window)
    assert rows(tab.model)[0][:3] == ["Bob", "general (everything)", "Trust a little"]
    tab.view.setCurrentIndex(tab.model.index(0, 0))
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *_: answers.pop(0)))
    QTest.mouseClick(tab.withdraw_button, Qt.MouseButton.LeftButton)
    assert len(rows(tab.model)) == 1 and answers  # "No": nothing happened
    QTest.mouseClick(tab.withdraw_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: rows(tab.model) == [], timeout=WAIT_MS)
    assert page.status.text() == "Withdrew your statement about Bob."
    assert window.in_core(lambda p: Ratings(p).trust_statements()) == []
