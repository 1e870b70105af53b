"""Authors' avatars on the Home timeline, over a real encrypted profile: loaded off the GUI
thread and painted round, a lettered circle when there is none, repainted when one arrives,
indented with their reply."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint
from PySide6.QtGui import QColor, QImage
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from smd_desktop.core.ids import BlobHash, blake2b256
from smd_desktop.core.profile import Image
from smd_desktop.core.store import BlobRef
from smd_desktop.core.testing import FAST_KDF, copy_records, make_profile
from smd_desktop.ui.home_page import HomePage
from smd_desktop.ui.post_delegate import AVATAR, AVATAR_EDGE, INDENT, avatar_color, initial
from smd_desktop.ui.service import CoreService
from smd_desktop.ui.timeline_model import PostRole
from smd_desktop.ui.trio_bridge import TrioGuest

from .support import in_core

PASSPHRASE = "correct horse battery staple"


def green_png(tmp_path: Path) -> bytes:
    """A wide (80 x 40) green picture: the avatar is its centre square."""
    picture = QImage(80, 40, QImage.Format.Format_RGB32)
    picture.fill(QColor(0, 200, 0))
    path = tmp_path / "green.png"
    assert picture.save(str(path))
    return path.read_bytes()


def write_profiles(tmp_path: Path, avatar: bytes, *, with_blob: bool) -> None:
    """Ada (no avatar) follows Bob (an avatar). Ada posted a question, Bob replied to it and
    posted on his own. With ``with_blob`` the avatar's bytes reached Ada's device too."""
    ada = make_profile(tmp_path / "ada", "Ada", passphrase=PASSPHRASE)
    bob = make_profile(tmp_path / "bob", "Bob")
    try:
        bob.set_profile(avatar=Image.from_bytes(avatar))
        question = ada.post("a question")
        copy_records(ada.store, bob.store)
        bob.post("an answer", reply_to=question.id)
        bob.post("hello from Bob")
        ada.follow(bob.identity)
        copy_records(bob.store, ada.store)  # records only: blobs travel separately
        if with_blob:
            ada.store.put_blob(avatar, "image/png")
    finally:
        bob.close()
        ada.close()


@pytest.fixture
def open_page(qtbot: QtBot, guest: TrioGuest, tmp_path: Path) -> Iterator[Callable[[], HomePage]]:
    """Ada's profile unlocked, the Home page shown with its three posts."""
    services: list[CoreService] = []

    def open_() -> HomePage:
        service = CoreService(guest, tmp_path / "ada", kdf=FAST_KDF)

        async def unlock() -> None:
            assert await service.unlock(PASSPHRASE)

        with qtbot.waitSignal(service.unlocked, timeout=10_000):
            service.run(unlock)
        services.append(service)
        page = HomePage(service)
        qtbot.addWidget(page)
        page.resize(640, 700)
        page.show()
        qtbot.waitExposed(page)
        qtbot.waitUntil(
            lambda: page.model.rowCount() == 3 and not page.model.loading, timeout=10_000
        )
        return page

    yield open_
    for service in services:
        if service.is_open:
            with qtbot.waitSignal(service.closed, timeout=10_000):
                service.run(service.close)


def row_of(page: HomePage, text: str) -> int:
    (row,) = [r for r in range(page.model.rowCount()) if page.model.post_at(r).text == text]
    return row


def pixel(page: HomePage, point: QPoint) -> QColor:
    """The colour painted at ``point`` of the timeline's viewport (painted now)."""
    return page.view.viewport().grab().toImage().pixelColor(point)


def near(color: QColor, expected: QColor) -> bool:
    """The same colour, give or take rounding in smooth scaling."""
    return all(
        abs(a - b) <= 3
        for a, b in (
            (color.red(), expected.red()),
            (color.green(), expected.green()),
            (color.blue(), expected.blue()),
        )
    )


class PaintCounter(QObject):
    """Counts the paint events a widget receives."""

    def __init__(self, target: QObject) -> None:
        super().__init__(target)
        self.count = 0
        target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def test_a_followed_authors_avatar_is_shown_round_and_others_get_a_lettered_circle(
    qtbot: QtBot,
    tmp_path: Path,
    open_page: Callable[[], HomePage],
    qtmodeltester: ModelTester,
) -> None:
    avatar = green_png(tmp_path)
    write_profiles(tmp_path, avatar, with_blob=True)
    page = open_page()
    ref = BlobRef(BlobHash(blake2b256(avatar)), "image/png", len(avatar))
    bobs, question, answer = (
        page.model.index(row_of(page, t), 0) for t in ("hello from Bob", "a question", "an answer")
    )
    assert bobs.data(PostRole.AVATAR) == ref and answer.data(PostRole.AVATAR) == ref
    assert question.data(PostRole.AVATAR) is None

    qtbot.waitUntil(lambda: page.delegate.avatar(bobs).pixmap is not None, timeout=10_000)
    look = page.delegate.avatar(bobs)
    assert look.pixmap is not None
    assert (look.pixmap.width(), look.pixmap.height()) == (AVATAR_EDGE, AVATAR_EDGE)
    assert near(look.pixmap.toImage().pixelColor(0, 0), QColor(0, 200, 0))
    assert page.delegate.avatar(answer).pixmap is look.pixmap  # one cache entry per avatar

    ada_key = bytes(page.model.post_at(question.row()).identity)
    fallback = page.delegate.avatar(question)
    assert fallback.pixmap is None
    assert (fallback.letter, fallback.color) == ("A", avatar_color(ada_key))
    assert avatar_color(ada_key) != avatar_color(bytes(page.model.post_at(bobs.row()).identity))

    bob_rect = page.delegate.avatar_rect(bobs)
    assert (bob_rect.width(), bob_rect.height()) == (AVATAR, AVATAR)
    assert near(pixel(page, bob_rect.center()), QColor(0, 200, 0))
    corner = bob_rect.topLeft() + QPoint(1, 1)  # outside the circle: the row's background
    assert not near(pixel(page, corner), QColor(0, 200, 0))
    ada_rect = page.delegate.avatar_rect(question)
    beside_letter = ada_rect.center() - QPoint(AVATAR // 3, 0)
    assert near(pixel(page, beside_letter), avatar_color(ada_key))

    # The reply stays threaded under the question, its avatar indented with it.
    assert (question.data(PostRole.DEPTH), answer.data(PostRole.DEPTH)) == (0, 1)
    assert answer.row() == question.row() + 1
    assert page.delegate.avatar_rect(answer).left() == ada_rect.left() + INDENT
    assert page.delegate.avatar_rect(bobs).left() == ada_rect.left()

    qtmodeltester.check(page.model, force_py=True)  # type: ignore[no-untyped-call]


def test_an_avatar_that_arrives_later_replaces_the_letter_without_any_scrolling(
    qtbot: QtBot, tmp_path: Path, open_page: Callable[[], HomePage]
) -> None:
    avatar = green_png(tmp_path)
    write_profiles(tmp_path, avatar, with_blob=False)
    page = open_page()
    bobs = page.model.index(row_of(page, "hello from Bob"), 0)
    ref = bobs.data(PostRole.AVATAR)
    qtbot.waitUntil(lambda: page.avatars.is_missing(ref), timeout=10_000)  # asked while painted
    bob_key = bytes(page.model.post_at(bobs.row()).identity)
    look = page.delegate.avatar(bobs)
    assert (look.pixmap, look.letter, look.color) == (None, "B", avatar_color(bob_key))
    rect = page.delegate.avatar_rect(bobs)
    assert near(pixel(page, rect.center() - QPoint(AVATAR // 3, 0)), avatar_color(bob_key))

    in_core(qtbot, page.service, lambda p, data: p.store.put_blob(data, "image/png"), avatar)
    paints = PaintCounter(page.view.viewport())
    # Nothing but the view's own repaint asks for the avatar again.
    with qtbot.waitSignal(page.avatars.loaded, timeout=10_000) as loaded:
        page.service.records_changed.emit()
    assert loaded.args == [ref.hash]
    seen = paints.count
    qtbot.waitUntil(lambda: paints.count > seen, timeout=10_000)  # repainted once loaded
    assert near(pixel(page, rect.center()), QColor(0, 200, 0))


def test_the_initial_is_the_first_letter_or_digit() -> None:
    assert [initial(n) for n in ("ada", "  émile", "#42 club", "…", "")] == [
        "A",
        "É",
        "4",
        "…",
        "?",
    ]
