"""The Home page over a real encrypted profile: composing, editing, deleting, replying,
posts arriving from a followed author, images and drafts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from smd_desktop.core.content import MAX_POST_CHARS
from smd_desktop.core.profile import Profile
from smd_desktop.core.testing import FAST_KDF, copy_records, make_profile
from smd_desktop.ui.compose import DRAFT_KEY, ComposeBox, Mode
from smd_desktop.ui.home_page import HomePage, ImageDialog
from smd_desktop.ui.service import CoreService
from smd_desktop.ui.timeline_model import PostRole, TimelineModel
from smd_desktop.ui.trio_bridge import TrioGuest

from .support import in_core

PASSPHRASE = "correct horse battery staple"


def write_profile(data_dir: Path, posts: int) -> Profile:
    """Ada's profile with posts "post 0" (oldest) to "post <posts-1>"; the caller closes it."""
    profile = make_profile(data_dir, "Ada", passphrase=PASSPHRASE)
    for i in range(posts):
        profile.post(f"post {i}")
    return profile


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def open_page(
    qtbot: QtBot, guest: TrioGuest, tmp_path: Path, settings: QSettings
) -> Iterator[Callable[[int], HomePage]]:
    """Ada's profile with some posts, unlocked, and the Home page shown over it."""
    services: list[CoreService] = []

    def open_(posts: int) -> HomePage:
        write_profile(tmp_path / "ada", posts).close()
        service = CoreService(guest, tmp_path / "ada", kdf=FAST_KDF)

        async def unlock() -> None:
            assert await service.unlock(PASSPHRASE)

        with qtbot.waitSignal(service.unlocked, timeout=10_000):
            service.run(unlock)
        services.append(service)
        page = HomePage(service, settings=settings)
        qtbot.addWidget(page)
        page.resize(640, 700)
        page.show()
        qtbot.waitExposed(page)
        expected = min(posts, 50)
        qtbot.waitUntil(lambda: page.model.rowCount() == expected and idle(page), timeout=10_000)
        return page

    yield open_
    for service in services:
        if service.is_open:
            with qtbot.waitSignal(service.closed, timeout=10_000):
                service.run(service.close)


def mode(compose: ComposeBox) -> Mode:
    return compose.mode  # a call, so mypy does not narrow it across the test


def idle(page: HomePage) -> bool:
    return not page.model.loading


def texts(model: TimelineModel) -> list[str]:
    return [model.index(r, 0).data(PostRole.TEXT) for r in range(model.rowCount())]


def click_link(qtbot: QtBot, page: HomePage, row: int, name: str) -> None:
    """Click the "Reply", "Edit" or "Delete" link painted under a post."""
    index = page.model.index(row, 0)
    page.view.scrollTo(index)
    rect = page.delegate.action_rect(index, name)
    assert rect.isValid(), f"row {row} has no {name} link"
    QTest.mouseClick(
        page.view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        rect.center(),
    )


def test_a_post_written_in_the_compose_box_appears_at_the_top(
    qtbot: QtBot, open_page: Callable[[int], HomePage], settings: QSettings
) -> None:
    page = open_page(3)
    compose = page.compose
    QTest.keyClicks(compose.editor, "Hello, world")
    assert compose.counter.text() == f"12 / {MAX_POST_CHARS}"
    assert compose.post_button.isEnabled()

    with qtbot.waitSignal(compose.posted, timeout=10_000) as posted:
        QTest.mouseClick(compose.post_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.rowCount() == 4 and idle(page), timeout=10_000)
    assert texts(page.model) == ["Hello, world", "post 2", "post 1", "post 0"]
    assert page.model.index(0, 0).data(PostRole.ID) == posted.args[0]
    assert compose.editor.toPlainText() == ""
    assert settings.value(DRAFT_KEY) is None
    assert not compose.post_button.isEnabled()  # empty again


def test_ctrl_enter_posts(qtbot: QtBot, open_page: Callable[[int], HomePage]) -> None:
    page = open_page(1)
    QTest.keyClicks(page.compose.editor, "sent with the keyboard")
    with qtbot.waitSignal(page.compose.posted, timeout=10_000):
        QTest.keyClick(page.compose.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=10_000)
    assert texts(page.model)[0] == "sent with the keyboard"


def test_the_counter_turns_red_and_post_is_disabled_over_the_limit_or_when_empty(
    qtbot: QtBot, open_page: Callable[[int], HomePage]
) -> None:
    compose = open_page(0).compose
    assert compose.counter.text() == "0 / 5000" and not compose.post_button.isEnabled()
    compose.editor.setPlainText("   \n ")
    assert not compose.post_button.isEnabled()
    compose.editor.setPlainText("x" * MAX_POST_CHARS)
    assert compose.counter.text() == "5000 / 5000"
    assert compose.post_button.isEnabled() and "c62828" not in compose.counter.styleSheet()
    compose.editor.setPlainText("x" * (MAX_POST_CHARS + 1))
    assert compose.counter.text() == "5001 / 5000"
    assert not compose.post_button.isEnabled()
    assert "color: #c62828" in compose.counter.styleSheet()
    compose.submit()  # ignored, as Ctrl+Enter would be
    assert not compose.post_button.isEnabled()


def test_editing_a_post_changes_its_text_and_marks_it_edited(
    qtbot: QtBot, open_page: Callable[[int], HomePage]
) -> None:
    page = open_page(3)
    click_link(qtbot, page, 1, "edit")
    compose = page.compose
    assert mode(compose) is Mode.EDIT and compose.post_button.text() == "Save"
    assert compose.editor.toPlainText() == "post 1"
    compose.editor.setPlainText("post 1, better")

    with qtbot.waitSignal(compose.edited, timeout=10_000):
        QTest.mouseClick(compose.post_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: texts(page.model)[1] == "post 1, better", timeout=10_000)
    assert page.model.index(1, 0).data(PostRole.EDITED) is True
    assert texts(page.model) == ["post 2", "post 1, better", "post 0"]
    assert mode(compose) is Mode.NEW and compose.editor.toPlainText() == ""


def test_deleting_asks_first_and_removes_the_post(
    qtbot: QtBot, open_page: Callable[[int], HomePage], monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page(3)
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    asked: list[str] = []

    def question(parent: QWidget, title: str, text: str, *args: Any) -> QMessageBox.StandardButton:
        asked.append(title)
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", question)
    click_link(qtbot, page, 1, "delete")  # answered No: nothing happens
    assert asked == ["Delete post"] and texts(page.model) == ["post 2", "post 1", "post 0"]

    click_link(qtbot, page, 1, "delete")
    qtbot.waitUntil(lambda: page.model.rowCount() == 2 and idle(page), timeout=10_000)
    assert texts(page.model) == ["post 2", "post 0"]


def test_a_reply_shows_under_its_parent(qtbot: QtBot, open_page: Callable[[int], HomePage]) -> None:
    page = open_page(3)
    parent_id = page.model.post_at(2).id  # "post 0", the oldest
    click_link(qtbot, page, 2, "reply")
    compose = page.compose
    assert mode(compose) is Mode.REPLY
    assert compose.mode_label.text() == "Replying to Ada" and compose.mode_label.isVisible()
    QTest.keyClicks(compose.editor, "a reply")

    with qtbot.waitSignal(compose.posted, timeout=10_000):
        QTest.mouseClick(compose.post_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.rowCount() == 4 and idle(page), timeout=10_000)
    assert texts(page.model) == ["post 2", "post 1", "post 0", "a reply"]
    reply = page.model.index(3, 0)
    assert reply.data(PostRole.DEPTH) == 1 and reply.data(PostRole.REPLY_TO) == parent_id
    assert mode(compose) is Mode.NEW and not compose.mode_label.isVisible()


def test_cancelling_a_reply_goes_back_to_a_new_post(
    qtbot: QtBot, open_page: Callable[[int], HomePage]
) -> None:
    page = open_page(1)
    click_link(qtbot, page, 0, "reply")
    assert mode(page.compose) is Mode.REPLY
    QTest.mouseClick(page.compose.cancel_button, Qt.MouseButton.LeftButton)
    assert mode(page.compose) is Mode.NEW and page.compose.post_button.text() == "Post"


def test_a_followed_authors_post_arrives_on_top_and_the_view_keeps_its_place(
    qtbot: QtBot, open_page: Callable[[int], HomePage], tmp_path: Path
) -> None:
    page = open_page(120)
    bar = page.view.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    qtbot.waitUntil(lambda: (page.first_visible_row() or 0) > 5, timeout=5000)
    row = page.first_visible_row()
    assert row is not None
    seen = page.model.post_at(row).id
    top = page.view.visualRect(page.model.index(row, 0)).top()

    bob = make_profile(tmp_path / "bob", "Bob")
    try:
        bob.post("news from Bob")
        in_core(qtbot, page.service, lambda p: p.follow(bob.identity))
        in_core(qtbot, page.service, lambda p: copy_records(bob.store, p.store))
    finally:
        bob.close()
    rows = page.model.rowCount()
    with qtbot.waitSignal(page.model.updated, timeout=10_000):
        page.service.records_changed.emit()
    qtbot.waitUntil(lambda: idle(page), timeout=10_000)

    assert page.model.rowCount() == rows + 1
    assert page.model.index(0, 0).data(PostRole.AUTHOR_NAME) == "Bob"
    now_first = page.first_visible_row()
    assert now_first is not None and page.model.post_at(now_first).id == seen
    assert page.view.visualRect(page.model.index(now_first, 0)).top() == top


def test_at_the_top_new_posts_show_up(qtbot: QtBot, open_page: Callable[[int], HomePage]) -> None:
    page = open_page(60)
    assert page.view.verticalScrollBar().value() == 0
    in_core(qtbot, page.service, lambda p: p.post("fresh"))
    page.service.records_changed.emit()
    qtbot.waitUntil(lambda: texts(page.model)[0] == "fresh" and idle(page), timeout=10_000)
    assert page.first_visible_row() == 0


def test_scrolling_to_the_bottom_loads_older_posts(
    qtbot: QtBot, open_page: Callable[[int], HomePage]
) -> None:
    page = open_page(120)
    bar = page.view.verticalScrollBar()
    bar.setValue(bar.maximum())
    qtbot.waitUntil(lambda: page.model.rowCount() == 100, timeout=10_000)


def test_the_draft_survives_recreating_the_box_and_an_edit(
    qtbot: QtBot, open_page: Callable[[int], HomePage], tmp_path: Path
) -> None:
    page = open_page(1)
    QTest.keyClicks(page.compose.editor, "half a thought")
    page.compose.deleteLater()
    qtbot.waitUntil(lambda: page.findChild(ComposeBox) is None, timeout=5000)

    again = ComposeBox(
        page.service, settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    )
    qtbot.addWidget(again)
    assert again.editor.toPlainText() == "half a thought"
    assert again.counter.text() == "14 / 5000"

    again.start_edit(page.model.post_at(0))
    assert again.editor.toPlainText() == "post 0"
    again.editor.setPlainText("post 0 edited, then abandoned")
    again.cancel_mode()
    assert again.editor.toPlainText() == "half a thought"
    assert again.settings.value(DRAFT_KEY) == "half a thought"


def test_images_are_checked_shown_posted_and_opened_larger(
    qtbot: QtBot, open_page: Callable[[int], HomePage], tmp_path: Path
) -> None:
    page = open_page(1)
    compose = page.compose
    picture = QImage(40, 30, QImage.Format.Format_RGB32)
    picture.fill(QColor("red"))
    png = tmp_path / "red.png"
    assert picture.save(str(png))
    notes = tmp_path / "notes.txt"
    notes.write_text("not an image")

    with qtbot.waitSignal(page.service.error, timeout=10_000) as error:
        compose.attach_files([png, notes, png])
    assert error.args == ["notes.txt: unsupported image format (use PNG, JPEG, GIF or WebP)"]
    assert len(compose.images) == 2 and compose.thumbnails.isVisible()
    compose.remove_image(1)
    assert [i.mime for i in compose.images] == ["image/png"]
    assert compose.post_button.isEnabled()  # an image alone makes a post

    with qtbot.waitSignal(compose.posted, timeout=10_000):
        compose.submit()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2 and idle(page), timeout=10_000)
    assert compose.images == [] and not compose.thumbnails.isVisible()
    refs = page.model.index(0, 0).data(PostRole.IMAGES)
    assert [r.mime for r in refs] == ["image/png"]
    qtbot.waitUntil(lambda: page.pixmaps.thumbnail(refs[0]) is not None, timeout=10_000)
    thumb = page.pixmaps.thumbnail(refs[0])
    assert thumb is not None and (thumb.width(), thumb.height()) == (192, 144)

    rect = page.delegate.image_rects(page.model.index(0, 0))[0]
    QTest.mouseClick(
        page.view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        rect.center(),
    )
    dialog = page.findChild(ImageDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: not dialog.label.pixmap().isNull(), timeout=10_000)
    assert dialog.label.pixmap().size().toTuple() == (40, 30)
    dialog.close()


def test_double_clicking_a_post_asks_to_open_its_authors_profile(
    qtbot: QtBot, open_page: Callable[[int], HomePage]
) -> None:
    page = open_page(3)
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=10_000)
    index = page.model.index(1, 0)
    page.view.setCurrentIndex(index)
    with qtbot.waitSignal(page.open_identity, timeout=2000) as opened:
        page.view.doubleClicked.emit(index)
    assert opened.args == [bytes(page.model.rows[1].post.identity)]
