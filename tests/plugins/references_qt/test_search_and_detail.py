"""Searching every directory held, an entry's detail (disclosure badges, endorsements from
replicated profiles, Endorse), the "No affiliate links" switch, and opening a search hit."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

import plugins.references.qt as references_qt
from plugins.references.core import AffiliateLink, Directory, Identifiers
from plugins.references.qt import ReferencesPage, no_affiliate_links
from plugins.references.qt._settings import SettingsPanel
from smd_desktop.core.plugins import SearchHit
from smd_desktop.core.profile import Profile
from smd_desktop.core.testing import copy_records
from smd_desktop.ui.plugin_ui import PluginUi

from .support import WAIT_MS, Window, draft
from .test_page import open_page, select, titles

KINDLE = "https://www.amazon.com/dp/B08KTZ8249"
KINDLE_AFFILIATE = "https://www.amazon.com/dp/B08KTZ8249?tag=bob-20"


@pytest.fixture
def bobs_world(
    open_window: Callable[..., Window], others: Callable[[str], Profile]
) -> Callable[[], Window]:
    """Ada follows Bob and Cy, not Dee. Bob lists a Kindle (affiliate link, received free)
    and a mic; Cy and then Dee endorse the Kindle. Everything replicated into Ada's profile."""

    def make() -> Window:
        bob, cy, dee = others("Bob"), others("Cy"), others("Dee")
        kindle = Directory(bob).add(
            draft(
                "Kindle Paperwhite",
                KINDLE,
                category=("Books", "Readers"),
                note="Reads well in the sun.",
                tags=("ebook",),
                ids=Identifiers(asin="B08KTZ8249"),
                verdict="recommend",
                affiliate=(AffiliateLink("Amazon Associates", KINDLE_AFFILIATE),),
                disclosures=frozenset({"affiliate", "free"}),
            )
        )
        Directory(bob).add(draft("Shure MV7", "https://www.shure.com/mv7", tags=("podcast",)))
        for endorser, note in ((cy, "Use it daily"), (dee, "Solid")):
            copy_records(bob.store, endorser.store)
            Directory(endorser).endorse(kindle.id, note)

        def setup(ada: Profile, directory: Directory) -> None:
            directory.add(
                draft("Shure SM7B", "https://www.shure.com/sm7b", tags=("podcast", "xlr"))
            )
            directory.add(draft("Rode PodMic", "https://rode.com/podmic", tags=("podcast",)))
            ada.follow(bob.identity)
            ada.follow(cy.identity)
            for other in (bob, cy, dee):
                copy_records(other.store, ada.store)

        return open_window(setup)

    return make


def show_bobs_kindle(qtbot: QtBot, page: ReferencesPage) -> None:
    page.sources.setCurrentIndex(page.sources.findText("Bob\u2019s directory"))
    qtbot.waitUntil(lambda: "Kindle Paperwhite" in titles(page), timeout=WAIT_MS)
    select(page, "Kindle Paperwhite")
    qtbot.waitUntil(lambda: page.detail.title.text() == "Kindle Paperwhite", timeout=WAIT_MS)


def endorsements(page: ReferencesPage) -> list[str]:
    items = page.detail.endorsements
    return [items.item(i).text() for i in range(items.count())]


def test_search_finds_entries_in_every_directory_and_filters_them(
    qtbot: QtBot, bobs_world: Callable[[], Window]
) -> None:
    page = open_page(qtbot, bobs_world())
    assert titles(page) == ["Rode PodMic", "Shure SM7B"]

    page.search.text.setText("shure")
    qtbot.waitUntil(lambda: sorted(titles(page)) == ["Shure MV7", "Shure SM7B"], timeout=WAIT_MS)
    assert page.summary.text() == "Found 2 entries."
    assert not page.sources.isEnabled()  # a search covers every directory

    page.search.person.setCurrentIndex(page.search.person.findText("Bob"))
    qtbot.waitUntil(lambda: titles(page) == ["Shure MV7"], timeout=WAIT_MS)

    page.search.person.setCurrentIndex(page.search.person.findText("Me"))
    page.search.text.clear()
    page.search.tag.setText("podcast")
    qtbot.waitUntil(lambda: titles(page) == ["Rode PodMic", "Shure SM7B"], timeout=WAIT_MS)
    page.search.tag.setText("xlr")
    qtbot.waitUntil(lambda: titles(page) == ["Shure SM7B"], timeout=WAIT_MS)

    page.search.clear()
    page.search.category.setText("books / READERS")
    qtbot.waitUntil(lambda: titles(page) == ["Kindle Paperwhite"], timeout=WAIT_MS)

    QTest.mouseClick(page.search.clear_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: titles(page) == ["Rode PodMic", "Shure SM7B"], timeout=WAIT_MS)
    assert page.sources.isEnabled() and page.summary.text() == "2 entries."


def test_the_detail_shows_disclosures_and_endorsers_followed_first_and_endorses(
    qtbot: QtBot, bobs_world: Callable[[], Window]
) -> None:
    window = bobs_world()
    page = open_page(qtbot, window)
    show_bobs_kindle(qtbot, page)
    detail = page.detail
    assert detail.author.text() == "by Bob"
    assert detail.category.text() == "Books / Readers"
    assert [(b.text(), b.accessibleName()) for b in detail.badges] == [
        ("Affiliate", "Disclosure: Affiliate"),
        ("Received free", "Disclosure: Received free"),
    ]
    assert detail.badges[0].toolTip() == "I earn a commission if you buy through this link."
    assert (detail.note.text(), detail.verdict.text()) == ("Reads well in the sun.", "Recommended")
    assert (detail.tags.text(), detail.ids.text()) == ("#ebook", "ASIN B08KTZ8249")
    assert detail.endorsed_by.text() == "Endorsed by 2:"
    # Dee endorsed last, but Ada follows Cy.
    assert endorsements(page) == [
        "Cy (you follow): \u201cUse it daily\u201d",
        "Dee: \u201cSolid\u201d",
    ]

    assert detail.endorse.isVisible() and not detail.withdraw.isVisible()
    detail.endorse_note.setText("Mine too")
    QTest.mouseClick(detail.endorse, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(endorsements(page)) == 3, timeout=WAIT_MS)
    assert endorsements(page)[0] == "You: \u201cMine too\u201d"
    assert detail.status.text() == "You endorse this entry."
    assert detail.endorse.text() == "Update endorsement" and detail.withdraw.isVisible()

    QTest.mouseClick(detail.withdraw, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(endorsements(page)) == 2, timeout=WAIT_MS)
    assert detail.status.text() == "You no longer endorse this entry."
    assert detail.endorse.text() == "Endorse" and not detail.withdraw.isVisible()

    shown = detail.shown
    assert shown is not None
    QTest.mouseClick(detail.author, Qt.MouseButton.LeftButton)
    assert window.identities_opened == [shown.detail.entry.author]
    assert window.errors == []


def test_open_link_honours_the_no_affiliate_links_switch(
    qtbot: QtBot, bobs_world: Callable[[], Window], opened_urls: list[str]
) -> None:
    window = bobs_world()
    page = open_page(qtbot, window)
    show_bobs_kindle(qtbot, page)
    open_link = page.detail.open_link
    assert open_link.text() == "Open link (affiliate: Amazon Associates)"
    QTest.mouseClick(open_link, Qt.MouseButton.LeftButton)
    QTest.mouseClick(page.detail.open_plain, Qt.MouseButton.LeftButton)
    assert opened_urls == [KINDLE_AFFILIATE, KINDLE]

    (panel,) = references_qt.smd_settings_panels(window.ui)
    settings = panel.widget
    assert isinstance(settings, SettingsPanel)
    qtbot.addWidget(settings)
    assert not settings.no_affiliate.isChecked()
    settings.no_affiliate.setChecked(True)
    assert no_affiliate_links(window.ui)
    assert open_link.text() == "Open link" and not page.detail.open_plain.isVisible()
    opened_urls.clear()
    QTest.mouseClick(open_link, Qt.MouseButton.LeftButton)
    assert opened_urls == [KINDLE]

    # The choice is remembered: a new panel shows it.
    (again,) = references_qt.smd_settings_panels(window.ui)
    assert isinstance(again.widget, SettingsPanel)
    qtbot.addWidget(again.widget)
    assert again.widget.no_affiliate.isChecked()


def test_a_search_hit_switches_to_the_page_and_shows_its_entry(
    qtbot: QtBot, bobs_world: Callable[[], Window]
) -> None:
    window = bobs_world()
    loaded: list[str] = []

    def import_module(name: str) -> ModuleType:
        loaded.append(name)
        return references_qt

    plugin_ui = PluginUi(window.service.plugins, window.ui, import_module=import_module)
    assert loaded == ["plugins.references.qt"] and plugin_ui.names == ["references"]
    (page_info,) = plugin_ui.pages()
    assert page_info.title == "References"
    page = page_info.widget
    assert isinstance(page, ReferencesPage)
    qtbot.addWidget(page)
    page.show()

    (hit,) = window.in_core(lambda p: p.search("kindle"))
    assert (hit.plugin, hit.title) == ("references", "Kindle Paperwhite")
    assert plugin_ui.open_search_hit(hit)
    assert window.pages_shown == ["References"]
    qtbot.waitUntil(lambda: page.detail.title.text() == "Kindle Paperwhite", timeout=WAIT_MS)

    other = SearchHit("readinglist", "book", hit.record_id, hit.author, "Kindred")
    assert not plugin_ui.open_search_hit(other)
    assert window.pages_shown == ["References"] and plugin_ui.errors == {}
