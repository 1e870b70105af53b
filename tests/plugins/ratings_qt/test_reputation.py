"""Reputation from my seat over real encrypted profiles: a person's panel (score, n and m,
paths, every rating with how much it counts, imports beside), my own reputation with a
response, and the plugin's hooks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

import plugins.ratings.qt as ratings_qt
from plugins.ratings.core.facade import Ratings
from plugins.ratings.qt import RatingsPage, ReputationDisplay, ReputationPanel
from smd_desktop.core.ids import IdentityKey, RecordId
from smd_desktop.core.plugins import SearchHit
from smd_desktop.core.profile import Profile
from smd_desktop.core.testing import copy_records
from smd_desktop.ui.plugin_work import alive

from .support import SAMPLES, WAIT_MS, Window, co_signed_deal, rate_both, rows

EBAY_URL = "https://www.ebay.com/usr/carol"


@dataclass
class Graph:
    """Ada trusts Bob fully and distrusts Dave; Bob rated Carol 5, Dave rated her 1."""

    bob: Profile
    carol: Profile
    dave: Profile


@pytest.fixture
def graph(others: Callable[[str], Profile]) -> Graph:
    bob, carol, dave = others("Bob"), others("Carol"), others("Dave")
    bicycle = co_signed_deal(bob, carol, "Bicycle")
    rate_both(bob, carol, bicycle, (5, 4))
    lamp = co_signed_deal(dave, carol, "Lamp")
    rate_both(dave, carol, lamp, (1, 5))
    Ratings(carol).import_file(SAMPLES / "ebay_feedback.csv", "ebay", EBAY_URL, link=False)
    return Graph(bob, carol, dave)


def with_graph(graph: Graph) -> Callable[[Profile], None]:
    def setup(ada: Profile) -> None:
        for person in (graph.bob, graph.carol, graph.dave):
            copy_records(person.store, ada.store)
        ratings = Ratings(ada)
        ratings.trust(graph.bob.identity, 3)
        ratings.trust(graph.dave.identity, -2, note="sold me a broken lamp")

    return setup


def open_panel(qtbot: QtBot, window: Window, identity: bytes) -> ReputationPanel:
    (panel,) = ratings_qt.smd_profile_panels(window.ui, IdentityKey(identity))
    assert panel.title == "Reputation"
    widget = panel.widget
    assert isinstance(widget, ReputationPanel)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    qtbot.waitUntil(
        lambda: widget.display.standing is not None and not widget.busy, timeout=WAIT_MS
    )
    return widget


def test_a_persons_panel_shows_the_score_from_my_seat_with_n_m_paths_and_every_rating(
    qtbot: QtBot, open_window: Callable[..., Window], graph: Graph
) -> None:
    window = open_window(with_graph(graph))
    panel = open_panel(qtbot, window, graph.carol.identity)
    display = panel.display

    assert display.heading.text() == "Carol's reputation, from your seat"
    # (C * mu0 + 1 full vote * 5) / (C + 1) = (2 * 3 + 5) / 3; Dave is distrusted: weight 0.
    assert display.score.text() == "3.67 / 5"
    assert display.network.text() == "1 rating from your network, 1 from outside"
    assert display.votes.text() == (
        "1.00 vote from raters you trust, starting from a neutral 3.00 that counts as 2.00 votes."
    )
    assert display.positive.text() == "100 % positive among the raters who count (at least 21 %)."
    assert not display.sealed.isVisible()
    # The only simple path is Ada -> Bob -> Carol: 0.0703125 of Carol's 0.0802 trust mass.
    assert rows(display.paths) == [["via Bob", "88 %"]]
    assert display.paths_note.text() == "How your trust reaches Carol: the heaviest paths."
    # Newest first; the negative rating by someone outside my network is shown, not hidden.
    assert rows(display.ratings) == [
        ["Dave", "1/5", "outside your network", "Lamp (p2p-sale)", "", ""],
        ["Bob", "5/5", "1.00 vote (33 % of the score)", "Bicycle (p2p-sale)", "", ""],
    ]
    (imported,) = rows(display.imports)
    assert imported[:2] == ["eBay", "14 ratings, 92 % positive"]
    assert imported[3:] == ["Self-asserted", EBAY_URL]
    assert display.imports.index(0, 3).data(Qt.ItemDataRole.ToolTipRole) == (
        "Only the person's own word: nobody has checked these figures."
    )
    assert panel.deal_button.isVisible() and panel.trust_button.isVisible()
    assert not display.respond_button.isVisible()  # not my reputation
    assert window.errors == []


def test_changing_the_context_rereads_the_score(
    qtbot: QtBot, open_window: Callable[..., Window], graph: Graph
) -> None:
    window = open_window(with_graph(graph))
    panel = open_panel(qtbot, window, graph.carol.identity)
    display = panel.display
    window.in_core(lambda p: Ratings(p).trust(graph.bob.identity, -1, context="p2p-sale"))
    with qtbot.waitSignal(display.loaded, timeout=WAIT_MS):
        display.set_context("p2p-sale")
    # Bob is distrusted for sales: nobody in my network rated Carol in that context.
    assert display.score.text() == "3.00 / 5"
    assert display.network.text() == "0 ratings from your network, 2 from outside"
    assert display.positive.text() == "No ratings from your network yet."
    assert display.paths_note.text() == "No trust path from you reaches Carol yet."
    assert not display.paths_view.isVisible()

    with qtbot.waitSignal(display.loaded, timeout=WAIT_MS):
        display.set_context("NOT a context")
    assert display.context_problem.isVisible()
    assert display.context_problem.text().startswith("A context is a short name in lower-case")
    assert display.score.text() == "3.00 / 5"  # what was shown stays
    with qtbot.waitSignal(display.loaded, timeout=WAIT_MS):
        display.set_context("general")
    assert not display.context_problem.isVisible() and display.score.text() == "3.67 / 5"
    assert window.errors == []


def test_my_reputation_lists_ratings_about_me_and_i_can_respond_once(
    qtbot: QtBot, open_window: Callable[..., Window], others: Callable[[str], Profile]
) -> None:
    bob = others("Bob")

    def setup(ada: Profile) -> None:
        copy_records(bob.store, ada.store)
        deal = co_signed_deal(bob, ada, "Desk")
        rate_both(bob, ada, deal, (2, 5))
        Ratings(ada).trust(bob.identity, 2)

    window = open_window(setup)
    page = RatingsPage(window.ui)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    display = page.reputation
    qtbot.waitUntil(lambda: display.standing is not None and not display.busy, timeout=WAIT_MS)
    assert page.tabs.currentWidget() is display
    assert display.heading.text() == "Your reputation, as you see it from your own seat"
    assert display.score.text() == f"{(2 * 3 + 2) / 3:.2f} / 5"
    assert display.network.text() == "1 rating from your network, 0 from outside"
    assert rows(display.ratings) == [
        ["Bob", "2/5", "1.00 vote (33 % of the score)", "Desk (p2p-sale)", "", ""]
    ]
    assert display.respond_button.isVisible() and not display.respond_button.isEnabled()

    display.ratings_view.setCurrentIndex(display.ratings.index(0, 0))
    assert display.respond_button.isEnabled()
    QTest.mouseClick(display.respond_button, Qt.MouseButton.LeftButton)
    dialog = display.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.windowTitle() == "Respond to Bob"
    assert not dialog.submit_button.isEnabled()
    assert dialog.message.text() == "Write your response."
    dialog.text.setPlainText("The desk had a scratch I had told you about.")
    assert dialog.submit_button.isEnabled()
    QTest.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not alive(dialog) or not dialog.isVisible(), timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: rows(display.ratings)[0][5] == "The desk had a scratch I had told you about.",
        timeout=WAIT_MS,
    )
    assert display.ratings_view.currentIndex().row() == 0  # the selection survived the read
    assert not display.respond_button.isEnabled()  # answered: once only
    assert window.errors == []


def test_the_panel_on_my_own_profile_has_no_deal_or_trust_buttons(
    qtbot: QtBot, open_window: Callable[..., Window]
) -> None:
    window = open_window()
    me = window.in_core(lambda p: p.identity)
    panel = open_panel(qtbot, window, me)
    assert panel.display.score.text() == "3.00 / 5"
    assert panel.display.ratings_note.text() == "No revealed ratings yet."
    assert not panel.deal_button.isVisible() and not panel.trust_button.isVisible()


def test_a_rating_search_hit_opens_the_rated_persons_profile(
    qtbot: QtBot, open_window: Callable[..., Window], graph: Graph
) -> None:
    window = open_window(with_graph(graph))
    (page,) = ratings_qt.smd_ui_pages(window.ui)
    assert page.title == "Ratings"
    qtbot.addWidget(page.widget)
    rating = window.in_core(lambda p: Ratings(p).ratings_about(graph.carol.identity)[0])
    hit = SearchHit("ratings", "rating", RecordId(rating.id), rating.rater, "Lamp")
    assert ratings_qt.smd_open_search_hit(window.ui, hit) is True
    qtbot.waitUntil(lambda: bool(window.identities_opened), timeout=WAIT_MS)
    assert window.identities_opened == [graph.carol.identity]

    other = SearchHit("references", "reference", RecordId(rating.id), rating.rater, "x")
    assert ratings_qt.smd_open_search_hit(window.ui, other) is None


def test_the_display_is_a_widget_of_its_own(
    qtbot: QtBot, open_window: Callable[..., Window], graph: Graph
) -> None:
    window = open_window(with_graph(graph))
    display = ReputationDisplay(window.ui, graph.bob.identity)
    qtbot.addWidget(display)
    display.show()
    qtbot.waitUntil(lambda: display.standing is not None and not display.busy, timeout=WAIT_MS)
    assert display.heading.text() == "Bob's reputation, from your seat"
    # Carol rated Bob 4; Carol is reached through Bob only, behind a bridge.
    assert display.network.text() == "1 rating from your network, 0 from outside"
    assert rows(display.paths) == [["directly (you trust them)", rows(display.paths)[0][1]]]
