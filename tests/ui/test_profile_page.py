"""The Profile page over real encrypted profiles: our own profile and its editor, another
identity's follow and block state, their posts, and the fork warning."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from smd_desktop.core import content as ct
from smd_desktop.core.identity import RootKey
from smd_desktop.core.ids import IdentityKey, identity_text
from smd_desktop.core.profile import Profile
from smd_desktop.core.store import ProfileView
from smd_desktop.core.testing import FAST_KDF, FeedWriter, copy_records, make_profile
from smd_desktop.ui.profile_page import ProfilePage
from smd_desktop.ui.service import CoreService
from smd_desktop.ui.trio_bridge import TrioGuest

from .support import in_core

PASSPHRASE = "correct horse battery staple"


def profile_of(profile: Profile, identity: IdentityKey) -> ProfileView | None:
    return profile.store.profile(identity)


@pytest.fixture
def open_page(
    qtbot: QtBot, guest: TrioGuest, tmp_path: Path
) -> Iterator[Callable[[Callable[[Profile], None] | None], ProfilePage]]:
    """Ada's profile, prepared by ``setup`` while closed, unlocked; her Profile page shown (or,
    with ``shown=False``, built hidden)."""
    services: list[CoreService] = []

    def open_(setup: Callable[[Profile], None] | None = None, *, shown: bool = True) -> ProfilePage:
        ada = make_profile(tmp_path / "ada", "Ada", passphrase=PASSPHRASE)
        try:
            if setup is not None:
                setup(ada)
        finally:
            ada.close()
        service = CoreService(guest, tmp_path / "ada", kdf=FAST_KDF)

        async def unlock() -> None:
            assert await service.unlock(PASSPHRASE)

        with qtbot.waitSignal(service.unlocked, timeout=10_000):
            service.run(unlock)
        services.append(service)
        page = ProfilePage(service)
        qtbot.addWidget(page)
        page.resize(640, 600)
        if shown:
            page.show()
        return page

    yield open_
    for service in services:
        if service.is_open:
            with qtbot.waitSignal(service.closed, timeout=10_000):
                service.run(service.close)


def settled(page: ProfilePage) -> bool:
    return page.data is not None and not page.loading


def show(qtbot: QtBot, page: ProfilePage, identity: bytes | None) -> None:
    """Show ``identity`` (None: ourselves) and wait until it is on screen."""
    if identity is None:
        page.show_self()
    else:
        page.show_identity(identity)
    qtbot.waitUntil(
        lambda: (
            settled(page)
            and page.data is not None
            and (identity is None or page.data.identity == identity)
        ),
        timeout=10_000,
    )


def click(button: Any) -> None:
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def png(path: Path, color: str = "#3366cc") -> Path:
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    assert image.save(str(path))  # the format follows the ".png" suffix
    return path


def test_our_own_profile_shows_name_id_devices_and_posts(
    qtbot: QtBot, open_page: Callable[..., ProfilePage]
) -> None:
    def setup(ada: Profile) -> None:
        ada.set_profile(bio="Counting engines.")
        ada.post("first")
        ada.post("second")

    page = open_page(setup)
    show(qtbot, page, None)
    assert page.data is not None and page.data.is_self
    me = page.data.identity
    assert page.name.text() == "Ada (you)"
    assert page.bio.text() == "Counting engines."
    assert page.id_text.text() == identity_text(me) and page.id_text.isReadOnly()
    assert page.details.text() == "1 device"
    assert page.edit_button.isVisible()
    assert not page.follow_button.isVisible() and not page.block_button.isVisible()
    assert not page.fork_banner.isVisible()
    posts = [page.posts.item(i).text().split("\n", 1)[1] for i in range(page.posts.count())]
    assert posts == ["second", "first"]
    assert page.avatar.text() == "No avatar"

    click(page.copy_id)
    assert QGuiApplication.clipboard().text() == identity_text(me)


def test_editing_our_profile_publishes_name_bio_and_avatar(
    qtbot: QtBot,
    open_page: Callable[..., ProfilePage],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = open_page()
    show(qtbot, page, None)
    assert not page.editor.isVisible()
    click(page.edit_button)
    assert page.editor.isVisible() and page.editor.name.text() == "Ada"

    avatar = png(tmp_path / "face.png")
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(avatar), "Images")
    )
    click(page.editor.choose)
    assert page.editor.avatar_label.text() == "face.png"
    page.editor.name.setText("Ada Lovelace")
    page.editor.bio.setPlainText("Notes on the engine.")

    with qtbot.waitSignal(page.saved, timeout=10_000):
        click(page.editor.save)
    qtbot.waitUntil(lambda: page.name.text() == "Ada Lovelace (you)", timeout=10_000)
    assert not page.editor.isVisible()
    assert page.bio.text() == "Notes on the engine."
    assert page.data is not None
    stored = in_core(qtbot, page.service, profile_of, page.data.identity)
    assert (stored.name, stored.bio) == ("Ada Lovelace", "Notes on the engine.")
    assert stored.avatar is not None and stored.avatar.mime == "image/png"
    assert stored.avatar.size == avatar.stat().st_size
    qtbot.waitUntil(lambda: not page.avatar.pixmap().isNull(), timeout=10_000)

    # Saving again without a new image keeps the avatar.
    click(page.edit_button)
    page.editor.bio.setPlainText("")
    with qtbot.waitSignal(page.saved, timeout=10_000):
        click(page.editor.save)
    stored = in_core(qtbot, page.service, profile_of, page.data.identity)
    assert (stored.name, stored.bio) == ("Ada Lovelace", "")
    assert stored.avatar is not None and stored.avatar.mime == "image/png"


def test_a_file_that_is_not_an_image_is_refused_in_plain_words(
    qtbot: QtBot, open_page: Callable[..., ProfilePage], tmp_path: Path
) -> None:
    page = open_page()
    show(qtbot, page, None)
    click(page.edit_button)
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not an image")
    page.editor.set_avatar(text_file)
    click(page.editor.save)
    qtbot.waitUntil(lambda: page.editor.error.text() != "", timeout=10_000)
    assert page.editor.error.text() == "unsupported image format (use PNG, JPEG, GIF or WebP)"
    assert page.editor.isVisible() and page.editor.save.isEnabled()

    page.editor.name.setText("   ")
    assert not page.editor.save.isEnabled()


def test_another_identity_shows_follow_state_and_toggles_it(
    qtbot: QtBot, open_page: Callable[..., ProfilePage], tmp_path: Path
) -> None:
    bob = make_profile(tmp_path / "bob", "Bob")
    bob.set_profile(bio="I build things.")
    bob.post("hello from Bob")
    bob.follow(RootKey.generate().public)
    bob_id = bob.identity

    def setup(ada: Profile) -> None:
        bob.follow(ada.identity)
        copy_records(bob.store, ada.store)
        bob.close()

    page = open_page(setup)
    show(qtbot, page, bob_id)
    assert page.name.text() == "Bob" and page.bio.text() == "I build things."
    assert page.details.text() == "1 device · follows you"
    assert not page.edit_button.isVisible()
    assert page.follow_button.text() == "Follow" and page.block_button.text() == "Block"
    assert page.posts.count() == 1 and page.posts.item(0).text().endswith("\nhello from Bob")

    click(page.follow_button)
    qtbot.waitUntil(
        lambda: page.follow_button.text() == "Unfollow" and settled(page), timeout=10_000
    )
    assert in_core(qtbot, page.service, Profile.following) == [bob_id]

    click(page.block_button)
    qtbot.waitUntil(lambda: page.block_button.text() == "Unblock" and settled(page), timeout=10_000)
    assert in_core(qtbot, page.service, Profile.blocked) == [bob_id]

    click(page.block_button)
    qtbot.waitUntil(lambda: page.block_button.text() == "Block" and settled(page), timeout=10_000)
    click(page.follow_button)
    qtbot.waitUntil(lambda: page.follow_button.text() == "Follow" and settled(page), timeout=10_000)
    assert in_core(qtbot, page.service, Profile.following) == []
    assert in_core(qtbot, page.service, Profile.blocked) == []


def test_an_identity_we_know_nothing_about_is_named_by_its_id(
    qtbot: QtBot, open_page: Callable[..., ProfilePage]
) -> None:
    stranger = RootKey.generate().public
    page = open_page()
    show(qtbot, page, stranger)
    assert page.name.text() == identity_text(stranger)[:12] + "…"
    assert page.details.text() == "0 devices"
    assert page.posts_title.text() == "No posts yet" and page.posts.count() == 0
    assert page.follow_button.isVisible() and page.follow_button.isEnabled()


def test_a_forked_author_shows_the_fork_warning(
    qtbot: QtBot, open_page: Callable[..., ProfilePage]
) -> None:
    mallory = FeedWriter(RootKey.generate())
    mallory.cert()
    mallory.append(ct.PROFILE, {"name": "Mallory"})
    twin = mallory.sign_at(2, mallory.records[0].id, ct.POST, {"text": "another seq 2"})
    honest = FeedWriter(RootKey.generate())
    honest.cert()
    honest.append(ct.POST, {"text": "nothing odd"})

    def setup(ada: Profile) -> None:
        results = ada.store.ingest([r.raw for r in mallory.records] + [twin.raw])
        assert [r.outcome.value for r in results] == ["accepted", "accepted", "fork"]
        ada.store.ingest([r.raw for r in honest.records])

    page = open_page(setup)
    show(qtbot, page, mallory.root.public)
    assert page.fork_banner.isVisible()
    assert "Mallory" in page.fork_banner.text()
    assert page.fork_banner.text().startswith("Warning: a device of Mallory signed two different")

    show(qtbot, page, honest.root.public)
    assert not page.fork_banner.isVisible()
    assert page.posts.count() == 1


def test_switching_identities_and_back_to_self(
    qtbot: QtBot, open_page: Callable[..., ProfilePage]
) -> None:
    stranger = RootKey.generate().public
    page = open_page()
    show(qtbot, page, stranger)
    assert page.data is not None and not page.data.is_self
    show(qtbot, page, None)
    assert page.data is not None and page.data.is_self and page.edit_button.isVisible()
    me = page.data.identity
    show(qtbot, page, stranger)
    show(qtbot, page, me)  # our own id shows the self page too
    assert page.data is not None and page.data.is_self


def test_a_hidden_page_reads_the_identity_asked_for_once_shown(
    qtbot: QtBot, open_page: Callable[..., ProfilePage]
) -> None:
    stranger = RootKey.generate().public
    page = open_page(shown=False)
    page.show_self()
    page.show_identity(stranger)
    page.service.records_changed.emit()
    assert page.data is None and not page.loading

    page.show()
    qtbot.waitUntil(lambda: settled(page), timeout=10_000)
    assert page.data is not None and page.data.identity == stranger and not page.data.is_self


def test_the_page_empties_when_the_profile_closes(
    qtbot: QtBot, open_page: Callable[..., ProfilePage]
) -> None:
    page = open_page()
    show(qtbot, page, None)
    with qtbot.waitSignal(page.service.closed, timeout=10_000):
        page.service.run(page.service.close)
    assert page.data is None and page.name.text() == "" and not page.edit_button.isVisible()


def test_plugin_panels_are_tabs_rebuilt_for_each_person(
    qtbot: QtBot, open_page: Callable[..., ProfilePage], tmp_path: Path
) -> None:
    from PySide6.QtWidgets import QLabel, QWidget

    bob = make_profile(tmp_path / "bob", "Bob")
    bob_id = bob.identity

    def setup(ada: Profile) -> None:
        copy_records(bob.store, ada.store)
        bob.close()

    page = open_page(setup)
    show(qtbot, page, None)
    built: list[bytes] = []

    def panels(identity: bytes) -> list[tuple[str, QWidget]]:
        built.append(identity)
        return [("References", QLabel(f"refs of {identity.hex()[:8]}"))]

    page.set_panel_factory(panels)
    assert page.panel_titles() == ["Posts", "References"]
    me = page.data.identity if page.data else b""
    page.refresh()
    qtbot.waitUntil(lambda: settled(page), timeout=10_000)
    assert built == [me]  # the same person again: the panels are kept

    show(qtbot, page, bob_id)
    assert built == [me, bob_id]
    assert page.panel_titles() == ["Posts", "References"]
    label = page.tabs.widget(1)
    assert isinstance(label, QLabel) and label.text() == f"refs of {bob_id.hex()[:8]}"
