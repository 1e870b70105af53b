"""The People page over real encrypted profiles: following by id or invite code, blocking and
unblocking, suggestions from friends of friends, followers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from smd_desktop.core.ids import IdentityKey, did_key, identity_text
from smd_desktop.core.profile import Profile
from smd_desktop.core.testing import FAST_KDF, copy_records, make_profile
from smd_desktop.ui.people_model import PeopleModel, PeopleRole, Person
from smd_desktop.ui.people_page import NOT_AN_ID, PeopleList, PeoplePage
from smd_desktop.ui.service import CoreService
from smd_desktop.ui.trio_bridge import TrioGuest

from .support import in_core

PASSPHRASE = "correct horse battery staple"

type Setup = Callable[[Profile, dict[str, Profile]], None]


class World:
    """Ada (whose app we run) and friends whose feeds reached her device."""

    def __init__(self, tmp_path: Path, names: list[str]) -> None:
        self.tmp_path = tmp_path
        self.ada = make_profile(tmp_path / "ada", "Ada", passphrase=PASSPHRASE)
        self.others = {n: make_profile(tmp_path / n.lower(), n) for n in names}
        self.ids = {n: p.identity for n, p in self.others.items()} | {"Ada": self.ada.identity}

    def close(self) -> None:
        """Give every feed to Ada, then close all stores."""
        for other in self.others.values():
            copy_records(other.store, self.ada.store)
            other.close()
        self.ada.close()


@pytest.fixture
def open_page(
    qtbot: QtBot, guest: TrioGuest, tmp_path: Path
) -> Iterator[Callable[..., PeoplePage]]:
    """Builds a world with ``names``, lets ``setup`` act in it, then shows Ada's People page
    (or, with ``shown=False``, builds it hidden)."""
    services: list[CoreService] = []

    def open_(
        names: list[str], setup: Callable[[World], None] | None = None, *, shown: bool = True
    ) -> PeoplePage:
        world = World(tmp_path, names)
        if setup is not None:
            setup(world)
        world.close()
        service = CoreService(guest, tmp_path / "ada", kdf=FAST_KDF)

        async def unlock() -> None:
            assert await service.unlock(PASSPHRASE)

        with qtbot.waitSignal(service.unlocked, timeout=10_000):
            service.run(unlock)
        services.append(service)
        page = PeoplePage(service)
        page.ids = world.ids  # type: ignore[attr-defined]
        qtbot.addWidget(page)
        page.resize(640, 500)
        if shown:
            page.show()
            qtbot.waitUntil(lambda: page.me is not None and not page.loading, timeout=10_000)
        return page

    yield open_
    for service in services:
        if service.is_open:
            with qtbot.waitSignal(service.closed, timeout=10_000):
                service.run(service.close)


def names(people_list: PeopleList) -> list[str]:
    return [p.name for p in people_list.model.people]


def ids_of(page: PeoplePage) -> dict[str, IdentityKey]:
    ids: dict[str, IdentityKey] = page.ids  # type: ignore[attr-defined]
    return ids


def click(button: Any) -> None:
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def test_following_by_identity_id_adds_the_person_to_following(
    qtbot: QtBot, open_page: Callable[..., PeoplePage]
) -> None:
    page = open_page(["Bob", "Carol"])
    assert names(page.following) == [] and page.following.empty.isVisibleTo(page)

    page.target.setText("  " + identity_text(ids_of(page)["Bob"]) + " ")
    click(page.follow_button)
    qtbot.waitUntil(lambda: names(page.following) == ["Bob"], timeout=10_000)
    assert page.status.text() == "You now follow Bob."
    assert page.target.text() == ""
    assert page.tabs.tabText(0) == "Following (1)"

    QTest.keyClicks(page.target, did_key(ids_of(page)["Carol"]))
    QTest.keyClick(page.target, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: names(page.following) == ["Bob", "Carol"], timeout=10_000)
    following = in_core(qtbot, page.service, Profile.following)
    assert following == [ids_of(page)["Bob"], ids_of(page)["Carol"]]


def test_following_someone_already_followed_or_yourself_says_so(
    qtbot: QtBot, open_page: Callable[..., PeoplePage]
) -> None:
    page = open_page(["Bob"], lambda w: w.ada.follow(w.ids["Bob"]))
    assert names(page.following) == ["Bob"]
    page.target.setText(identity_text(ids_of(page)["Bob"]))
    click(page.follow_button)
    qtbot.waitUntil(lambda: page.status.text() == "You already follow Bob.", timeout=10_000)

    page.target.setText(identity_text(ids_of(page)["Ada"]))
    click(page.follow_button)
    qtbot.waitUntil(
        lambda: page.status.text() == "That is your own identity; you cannot follow yourself.",
        timeout=10_000,
    )
    assert page.target.text() == identity_text(ids_of(page)["Ada"])  # kept, to be corrected


def test_a_malformed_id_shows_a_plain_error_and_follows_nobody(
    qtbot: QtBot, open_page: Callable[..., PeoplePage]
) -> None:
    page = open_page(["Bob"])
    errors: list[str] = []
    page.service.error.connect(errors.append)
    for text in ("hello", "z6MkNotReallyAnId", "did:key:abc"):
        page.target.setText(text)
        click(page.follow_button)
        assert page.status.text() == NOT_AN_ID
        assert page.target.text() == text
    assert in_core(qtbot, page.service, Profile.following) == []
    assert errors == []


def test_an_invite_code_is_handed_to_the_app(
    qtbot: QtBot, open_page: Callable[..., PeoplePage]
) -> None:
    page = open_page(["Bob"])
    page.target.setText("  smd1ExampleInviteCode ")
    with qtbot.waitSignal(page.follow_invite_requested, timeout=1000) as request:
        click(page.follow_button)
    assert request.args == ["smd1ExampleInviteCode"]
    assert page.target.text() == ""
    assert page.status.text().startswith("Connecting")

    # The app parses the code, then follows its owner and reports through the page.
    page.follow_identity(ids_of(page)["Bob"])
    qtbot.waitUntil(lambda: names(page.following) == ["Bob"], timeout=10_000)
    assert page.status.text() == "You now follow Bob."
    page.invite_result("That invite code has expired.")
    assert page.status.text() == "That invite code has expired."


def test_blocking_moves_a_person_to_blocked_and_unblocking_moves_them_back(
    qtbot: QtBot, open_page: Callable[..., PeoplePage]
) -> None:
    def setup(w: World) -> None:
        w.ada.follow(w.ids["Bob"])
        w.ada.follow(w.ids["Carol"])

    page = open_page(["Bob", "Carol"], setup)
    assert names(page.following) == ["Bob", "Carol"]
    block = page.following.buttons["Block"]
    assert not block.isEnabled()  # nobody selected
    assert page.following.select(ids_of(page)["Bob"])
    assert block.isEnabled()

    click(block)
    qtbot.waitUntil(lambda: names(page.blocked) == ["Bob"], timeout=10_000)
    assert names(page.following) == ["Carol"]
    assert in_core(qtbot, page.service, Profile.blocked) == [ids_of(page)["Bob"]]

    page.tabs.setCurrentWidget(page.blocked)
    assert page.blocked.select(ids_of(page)["Bob"])
    click(page.blocked.buttons["Unblock"])
    qtbot.waitUntil(lambda: names(page.blocked) == [], timeout=10_000)
    assert names(page.following) == ["Bob", "Carol"]
    assert in_core(qtbot, page.service, Profile.blocked) == []


def test_unfollowing_from_the_following_list(
    qtbot: QtBot, open_page: Callable[..., PeoplePage]
) -> None:
    page = open_page(["Bob"], lambda w: w.ada.follow(w.ids["Bob"]))
    page.following.select(ids_of(page)["Bob"])
    click(page.following.buttons["Unfollow"])
    qtbot.waitUntil(lambda: names(page.following) == [], timeout=10_000)
    assert page.tabs.tabText(0) == "Following"


def test_suggestions_are_friends_of_friends_with_how_many_friends_follow_them(
    qtbot: QtBot, open_page: Callable[..., PeoplePage]
) -> None:
    def setup(w: World) -> None:
        bob, carol, ids = w.others["Bob"], w.others["Carol"], w.ids
        w.ada.follow(ids["Bob"])
        w.ada.follow(ids["Carol"])
        w.ada.block(ids["Eve"])
        for friend in (bob, carol):
            friend.follow(ids["Dan"])
            friend.follow(ids["Ada"])  # never suggest ourselves
        bob.follow(ids["Carol"])  # already followed: not a suggestion
        bob.follow(ids["Eve"])  # blocked: not a suggestion
        bob.follow(ids["Fay"])
        carol.follow(ids["Gus"])
        carol.follow(ids["Gus"], False)  # unfollowed again: not a suggestion

    page = open_page(["Bob", "Carol", "Dan", "Eve", "Fay", "Gus"], setup)
    assert [(p.name, p.friends) for p in page.suggestions.model.people] == [("Dan", 2), ("Fay", 1)]
    model = page.suggestions.model
    assert model.index(0, 0).data() == "Dan (followed by 2 friends)"
    assert model.index(1, 0).data() == "Fay (followed by 1 friend)"
    assert model.index(0, 0).data(PeopleRole.FRIENDS) == 2
    assert model.index(0, 0).data(PeopleRole.ID_TEXT) == identity_text(ids_of(page)["Dan"])
    assert page.tabs.tabText(2) == "Suggestions (2)"

    page.suggestions.select(ids_of(page)["Fay"])
    click(page.suggestions.buttons["Follow"])
    qtbot.waitUntil(lambda: names(page.suggestions) == ["Dan"], timeout=10_000)
    assert names(page.following) == ["Bob", "Carol", "Fay"]


def test_followers_lists_who_follows_us_as_far_as_known(
    qtbot: QtBot, open_page: Callable[..., PeoplePage]
) -> None:
    def setup(w: World) -> None:
        w.others["Bob"].follow(w.ids["Ada"])
        w.others["Carol"].follow(w.ids["Ada"])
        w.others["Carol"].follow(w.ids["Ada"], False)
        w.others["Dan"].follow(w.ids["Bob"])

    page = open_page(["Bob", "Carol", "Dan"], setup)
    assert names(page.followers) == ["Bob"]
    page.followers.select(ids_of(page)["Bob"])
    click(page.followers.buttons["Follow"])
    qtbot.waitUntil(lambda: names(page.following) == ["Bob"], timeout=10_000)
    assert names(page.followers) == ["Bob"]


def test_a_person_without_a_profile_is_named_by_a_short_id(
    qtbot: QtBot, open_page: Callable[..., PeoplePage]
) -> None:
    stranger = make_profile_without_name()
    page = open_page([], lambda w: w.ada.follow(stranger))
    assert names(page.following) == [identity_text(stranger)[:12] + "…"]


def make_profile_without_name() -> IdentityKey:
    from smd_desktop.core.identity import RootKey

    return RootKey.generate().public


def test_double_clicking_a_person_asks_to_open_their_profile(
    qtbot: QtBot, open_page: Callable[..., PeoplePage]
) -> None:
    page = open_page(["Bob"], lambda w: w.ada.follow(w.ids["Bob"]))
    view = page.following.view
    qtbot.waitExposed(page)
    point = view.visualRect(page.following.model.index(0, 0)).center()
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    with qtbot.waitSignal(page.open_identity, timeout=1000) as opened:
        # A real double click is a press and release, then a double-click event.
        QTest.mouseClick(view.viewport(), left, none, point)
        QTest.mouseDClick(view.viewport(), left, none, point)
    assert opened.args == [bytes(ids_of(page)["Bob"])]


def test_the_lists_empty_when_the_profile_closes(
    qtbot: QtBot, open_page: Callable[..., PeoplePage]
) -> None:
    page = open_page(["Bob"], lambda w: w.ada.follow(w.ids["Bob"]))
    with qtbot.waitSignal(page.service.closed, timeout=10_000):
        page.service.run(page.service.close)
    assert names(page.following) == [] and page.me is None


def test_a_hidden_page_reads_only_once_shown(
    qtbot: QtBot, open_page: Callable[..., PeoplePage]
) -> None:
    page = open_page(["Bob", "Carol"], lambda w: w.ada.follow(w.ids["Bob"]), shown=False)
    page.service.records_changed.emit()
    assert page.me is None and not page.loading and names(page.following) == []

    page.show()
    qtbot.waitUntil(lambda: page.me is not None and not page.loading, timeout=10_000)
    assert names(page.following) == ["Bob"]

    page.hide()
    in_core(qtbot, page.service, lambda p, who: p.follow(who), ids_of(page)["Carol"])
    page.service.records_changed.emit()
    assert not page.loading and names(page.following) == ["Bob"]  # hidden: read later
    page.show()
    qtbot.waitUntil(lambda: names(page.following) == ["Bob", "Carol"], timeout=10_000)
    qtbot.waitUntil(lambda: not page.loading, timeout=10_000)


def test_people_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = PeopleModel(show_friends=True)
    model.set_people([Person(IdentityKey(bytes([i]) * 32), f"P{i}", i) for i in range(1, 4)])
    qtmodeltester.check(model, force_py=True)  # type: ignore[no-untyped-call]
