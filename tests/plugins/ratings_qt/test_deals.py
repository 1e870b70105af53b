"""The Deals tab over real profiles: offering through the dialog, accepting and declining a
received offer, rating double-blind until both ratings are revealed, responding, and starting
a deal or setting trust from a person's profile panel."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from plugins.ratings.core.facade import Ratings
from plugins.ratings.core.views import DealView
from plugins.ratings.qt import RatingsPage
from plugins.ratings.qt._deal_dialog import DealDialog
from plugins.ratings.qt._deals_tab import DealsTab
from plugins.ratings.qt._form_dialog import FormDialog
from plugins.ratings.qt._rate_dialog import RateDialog
from plugins.ratings.qt._trust_dialog import TrustDialog
from smd_desktop.core.ids import identity_text
from smd_desktop.core.profile import Profile
from smd_desktop.core.records import SignedRecord, parse_record
from smd_desktop.core.testing import copy_records
from smd_desktop.ui.plugin_work import alive

from .support import WAIT_MS, Window, co_signed_deal, deliver, rows
from .test_reputation import open_panel


def open_deals(qtbot: QtBot, window: Window) -> tuple[RatingsPage, DealsTab]:
    page = RatingsPage(window.ui)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    page.show_tab(page.deals)
    tab = page.deals
    qtbot.waitUntil(lambda: tab.listing is not None and not tab.busy, timeout=WAIT_MS)
    return page, tab


def submit(qtbot: QtBot, dialog: FormDialog) -> object:
    """Click the main button; wait until the work is done and the dialog closed."""
    done: list[object] = []
    dialog.succeeded.connect(done.append)
    QTest.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(done) or dialog.message.isVisible(), timeout=WAIT_MS)
    assert len(done) == 1, dialog.message.text()
    qtbot.waitUntil(lambda: not alive(dialog) or not dialog.isVisible(), timeout=WAIT_MS)
    return done[0]


def status_of(tab: DealsTab, what: str) -> list[str]:
    """The Status, My rating and Their rating cells of the deal about ``what``."""
    (row,) = [r for r in rows(tab.model) if r[1] == what]
    return row[4:7]


def my_records(profile: Profile) -> list[SignedRecord]:
    """Every record of my identity, decoded."""
    return [parse_record(raw) for raw in profile.store.identity_records(profile.identity)]


def befriend(bob: Profile) -> Callable[[Profile], None]:
    """Ada follows Bob and holds his feed (so he is named and offered in the picker)."""

    def setup(ada: Profile) -> None:
        copy_records(bob.store, ada.store)
        ada.follow(bob.identity)

    return setup


def test_a_deal_started_from_the_dialog_is_listed_as_offered_and_sent_to_them(
    qtbot: QtBot, open_window: Callable[..., Window], others: Callable[[str], Profile]
) -> None:
    bob = others("Bob")
    window = open_window(befriend(bob))
    page, tab = open_deals(qtbot, window)
    assert rows(tab.model) == [] and tab.empty.isVisible()
    assert not tab.accept_button.isEnabled() and not tab.rate_button.isEnabled()

    QTest.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    dialog = tab.dialog
    assert isinstance(dialog, DealDialog) and dialog.isVisible()
    assert dialog.windowTitle() == "Start a deal"
    assert [dialog.person.itemText(i) for i in range(dialog.person.count())] == ["Bob"]
    assert dialog.message.text() == "Choose a person." and not dialog.submit_button.isEnabled()
    dialog.person.setCurrentIndex(0)
    assert dialog.message.text() == "Say what the deal is about."
    dialog.what.setText("Road bicycle, 56 cm")
    dialog.amount.setText("120.5")
    assert dialog.message.text() == "Give both an amount and its currency, or neither."
    dialog.currency.setText("eur")
    dialog.link.setText("ftp://example.com/bike")
    assert dialog.message.text() == "The link must be a web address starting with https://."
    dialog.link.setText("https://example.com/bike")
    dialog.context.setEditText("P2P sale")
    assert dialog.message.text().startswith("A context is a short name")
    dialog.context.setEditText("p2p-sale")
    assert not dialog.message.isVisible() and dialog.submit_button.isEnabled()
    deal = submit(qtbot, dialog)

    qtbot.waitUntil(lambda: len(rows(tab.model)) == 1, timeout=WAIT_MS)
    today = rows(tab.model)[0][7]
    assert rows(tab.model) == [
        ["Bob", "Road bicycle, 56 cm", "p2p-sale", "120.5 EUR", "Offered", "", "", today]
    ]
    assert tab.view.currentIndex().row() == 0  # the new deal is selected
    assert page.status.text() == (
        "Offered “Road bicycle, 56 cm” to Bob; it becomes active when they accept."
    )
    assert tab.detail.text().startswith(
        "Road bicycle, 56 cm with Bob: Offered (you offered it; waiting for their answer). "
        "Amount: 120.5 EUR. Link: https://example.com/bike. The offer expires on "
    )
    sent = window.in_core(lambda p: p.plugins.direct.pending(bob.identity, plugin="ratings"))
    assert [m.kind for m in sent] == ["ratings/offer"]
    assert tab.withdraw_button.isEnabled() and not tab.accept_button.isEnabled()
    selected = tab.selected()
    assert isinstance(deal, DealView) and selected is not None
    assert selected.deal_id == deal.deal_id
    assert window.errors == []


def test_an_identity_id_can_be_typed_instead_of_a_name(
    qtbot: QtBot, open_window: Callable[..., Window], others: Callable[[str], Profile]
) -> None:
    carol = others("Carol")  # not followed: not in the picker
    window = open_window()
    _, tab = open_deals(qtbot, window)
    dialog = tab.new_deal()
    dialog.person.setEditText("Carol")
    assert dialog.message.text() == (
        "That is neither the name of a person you follow nor an identity id (z6Mk…)."
    )
    dialog.person.setEditText(identity_text(carol.identity))
    dialog.what.setText("Lesson")
    dialog.context.setEditText("service")
    dialog.has_start.setChecked(True)
    dialog.has_until.setChecked(True)
    dialog.until.setDate(dialog.start.date().addDays(-1))
    assert dialog.message.text() == "The deal cannot end before it starts."
    dialog.until.setDate(dialog.start.date().addDays(3))
    submit(qtbot, dialog)
    qtbot.waitUntil(lambda: len(rows(tab.model)) == 1, timeout=WAIT_MS)
    (deal,) = window.in_core(lambda p: Ratings(p).deals())
    assert deal.other == carol.identity and deal.terms.context == "service"
    assert deal.terms.until - deal.terms.start == 3 * 24 * 3600 * 1000


def test_a_received_offer_can_be_accepted_and_becomes_active(
    qtbot: QtBot, open_window: Callable[..., Window], others: Callable[[str], Profile]
) -> None:
    bob = others("Bob")

    def setup(ada: Profile) -> None:
        copy_records(bob.store, ada.store)
        Ratings(bob).offer_deal(ada.identity, "Sofa", amount="80", currency="EUR")
        assert deliver(bob, ada) == ["ratings/offer"]

    window = open_window(setup)
    page, tab = open_deals(qtbot, window)
    assert status_of(tab, "Sofa") == ["Received", "", ""]
    tab.view.setCurrentIndex(tab.model.index(0, 0))
    assert tab.accept_button.isEnabled() and tab.decline_button.isEnabled()
    assert not tab.rate_button.isEnabled()
    QTest.mouseClick(tab.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: status_of(tab, "Sofa")[0] == "Active", timeout=WAIT_MS)
    assert status_of(tab, "Sofa") == ["Active", "Not rated", "Not rated"]
    assert page.status.text() == "Accepted “Sofa”: the deal is active; you can rate it now."
    assert tab.rate_button.isEnabled() and not tab.accept_button.isEnabled()
    sent = window.in_core(lambda p: p.plugins.direct.pending(bob.identity, plugin="ratings"))
    assert [m.kind for m in sent] == ["ratings/accept"]
    assert window.errors == []


def test_a_received_offer_can_be_declined(
    qtbot: QtBot, open_window: Callable[..., Window], others: Callable[[str], Profile]
) -> None:
    bob = others("Bob")

    def setup(ada: Profile) -> None:
        copy_records(bob.store, ada.store)
        Ratings(bob).offer_deal(ada.identity, "Old phone")
        deliver(bob, ada)

    window = open_window(setup)
    page, tab = open_deals(qtbot, window)
    tab.view.setCurrentIndex(tab.model.index(0, 0))
    QTest.mouseClick(tab.decline_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: status_of(tab, "Old phone")[0] == "Declined", timeout=WAIT_MS)
    assert page.status.text() == "Declined “Old phone”."
    assert not tab.accept_button.isEnabled() and not tab.decline_button.isEnabled()


def test_an_offer_i_made_can_be_withdrawn_before_they_answer(
    qtbot: QtBot, open_window: Callable[..., Window], others: Callable[[str], Profile]
) -> None:
    bob = others("Bob")

    def setup(ada: Profile) -> None:
        copy_records(bob.store, ada.store)
        Ratings(ada).offer_deal(bob.identity, "Tent")

    window = open_window(setup)
    page, tab = open_deals(qtbot, window)
    tab.view.setCurrentIndex(tab.model.index(0, 0))
    assert status_of(tab, "Tent")[0] == "Offered" and not tab.decline_button.isEnabled()
    QTest.mouseClick(tab.withdraw_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: status_of(tab, "Tent")[0] == "Declined", timeout=WAIT_MS)
    assert page.status.text() == "Withdrew your offer “Tent”."
    sent = window.in_core(lambda p: p.plugins.direct.pending(bob.identity, plugin="ratings"))
    assert [m.kind for m in sent] == ["ratings/offer", "ratings/decline"]


def test_rating_publishes_a_sealed_rating_revealed_once_the_other_side_rated(
    qtbot: QtBot, open_window: Callable[..., Window], others: Callable[[str], Profile]
) -> None:
    bob = others("Bob")
    deal_ids: list[bytes] = []

    def setup(ada: Profile) -> None:
        copy_records(bob.store, ada.store)
        deal_ids.append(co_signed_deal(bob, ada, "Camera"))

    window = open_window(setup)
    page, tab = open_deals(qtbot, window)
    assert status_of(tab, "Camera") == ["Active", "Not rated", "Not rated"]
    tab.view.setCurrentIndex(tab.model.index(0, 0))
    QTest.mouseClick(tab.rate_button, Qt.MouseButton.LeftButton)
    dialog = tab.dialog
    assert isinstance(dialog, RateDialog) and dialog.isVisible()
    assert dialog.windowTitle() == "Rate Bob"
    assert "published sealed, so Bob sees only that you rated, not how" in (
        dialog.explanation.text()
    )
    assert "after 14 days" in dialog.explanation.text()
    assert dialog.message.text() == "Choose from 1 to 5 stars overall."
    dialog.set_overall(4)
    aspect = dialog.aspects["communication"]
    aspect.setCurrentIndex(aspect.findData(5))
    dialog.text.setPlainText("Fair price, quick replies.")
    submit(qtbot, dialog)
    qtbot.waitUntil(lambda: status_of(tab, "Camera")[1] == "Sealed", timeout=WAIT_MS)
    assert status_of(tab, "Camera") == ["Active", "Sealed", "Not rated"]
    assert page.status.text() == (
        "Your rating of “Camera” is published, sealed until it is revealed."
    )
    assert not tab.rate_button.isEnabled()  # once per deal
    assert "Your rating is sealed until Bob rates too, or 14 days pass." in tab.detail.text()
    (mine,) = [r for r in window.in_core(my_records) if r.type == "ratings/rating/1"]
    assert set(mine.content) == {"deal", "ratee", "sealed"}  # nothing of the rating shows

    # Bob's sealed rating arrives: my reveal is due, and the page publishes it by itself.
    window.in_core(lambda p: copy_records(p.store, bob.store))
    Ratings(bob).rate(deal_ids[0], 5, text="Great buyer")
    window.in_core(lambda p: copy_records(bob.store, p.store))
    window.service.records_changed.emit()
    qtbot.waitUntil(lambda: status_of(tab, "Camera")[1] == "Revealed: 4/5", timeout=WAIT_MS)
    assert page.status.text() == "1 sealed rating revealed."
    window.in_core(lambda p: copy_records(p.store, bob.store))
    Ratings(bob).reveal_due()
    window.in_core(lambda p: copy_records(bob.store, p.store))
    window.service.records_changed.emit()
    qtbot.waitUntil(lambda: status_of(tab, "Camera")[2] == "Revealed: 5/5", timeout=WAIT_MS)
    assert tab.respond_button.isEnabled()
    assert window.errors == []


def test_the_profile_panel_starts_a_deal_and_sets_trust_for_that_person(
    qtbot: QtBot, open_window: Callable[..., Window], others: Callable[[str], Profile]
) -> None:
    bob = others("Bob")
    window = open_window(befriend(bob))
    panel = open_panel(qtbot, window, bob.identity)
    assert panel.deal_button.isEnabled()
    QTest.mouseClick(panel.deal_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert isinstance(dialog, DealDialog)
    assert dialog.person.currentText() == "Bob" and not dialog.person.isEnabled()
    dialog.what.setText("Guitar lessons")
    dialog.context.setEditText("service")
    submit(qtbot, dialog)
    assert panel.status.text() == "Offered “Guitar lessons”; it becomes active when they accept."
    (deal,) = window.in_core(lambda p: Ratings(p).deals())
    assert (deal.other, deal.status, deal.terms.what) == (bob.identity, "offered", "Guitar lessons")

    QTest.mouseClick(panel.trust_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(panel.dialog, TrustDialog), timeout=WAIT_MS)
    trust = panel.dialog
    assert isinstance(trust, TrustDialog)
    assert trust.person.currentText() == "Bob" and not trust.person.isEnabled()
    trust.weight.setCurrentIndex(trust.weight.findData(2))
    submit(qtbot, trust)
    assert panel.status.text() == "Your trust statement is published."
    (statement,) = window.in_core(lambda p: Ratings(p).trust_statements())
    assert (statement.trustee, statement.weight, statement.context) == (bob.identity, 2, "general")
    # Set trust again: the dialog starts from the statement in force.
    QTest.mouseClick(panel.trust_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.dialog not in (trust, None), timeout=WAIT_MS)
    assert isinstance(panel.dialog, TrustDialog)
    assert panel.dialog.chosen_weight() == 2
    panel.dialog.reject()
