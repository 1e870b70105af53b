"""The timeline model over a real encrypted profile: lazy pages, diffs on refresh, threading."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtTest import QAbstractItemModelTester
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from smd_desktop.core.ids import RecordId, identity_text
from smd_desktop.core.store import PostView
from smd_desktop.core.testing import FAST_KDF, copy_records, make_profile
from smd_desktop.ui.service import CoreService
from smd_desktop.ui.timeline_model import PostRole, TimelineModel, arrange, relative_time
from smd_desktop.ui.trio_bridge import TrioGuest

from .support import in_core

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "ada"


@pytest.fixture
def open_service(qtbot: QtBot, guest: TrioGuest) -> Iterator[Callable[[Path], CoreService]]:
    """Unlock a profile the test has written; every one opened is closed after the test."""
    opened: list[CoreService] = []

    def open_(data_dir: Path) -> CoreService:
        service = CoreService(guest, data_dir, kdf=FAST_KDF)

        async def unlock() -> None:
            assert await service.unlock(PASSPHRASE)

        with qtbot.waitSignal(service.unlocked, timeout=10_000):
            service.run(unlock)
        opened.append(service)
        return service

    yield open_
    for service in opened:
        if service.is_open:
            with qtbot.waitSignal(service.closed, timeout=10_000):
                service.run(service.close)


def write_posts(data_dir: Path, count: int) -> None:
    """Ada's profile with posts "post 0" (oldest) to "post <count-1>"."""
    profile = make_profile(data_dir, "Ada", passphrase=PASSPHRASE)
    try:
        for i in range(count):
            profile.post(f"post {i}")
    finally:
        profile.close()


def texts(model: TimelineModel) -> list[str]:
    return [model.index(r, 0).data(PostRole.TEXT) for r in range(model.rowCount())]


def idle(model: TimelineModel) -> bool:
    return not model.loading


def test_pages_of_fifty_load_lazily_until_all_120_posts_are_in_newest_first(
    qtbot: QtBot, guest: TrioGuest, data_dir: Path, qtmodeltester: ModelTester
) -> None:
    write_posts(data_dir, 120)
    service = CoreService(guest, data_dir, kdf=FAST_KDF)
    model = TimelineModel(service)
    qtmodeltester.check(model, force_py=True)  # type: ignore[no-untyped-call]
    assert not model.canFetchMore(QModelIndex())  # locked: nothing to fetch

    async def unlock() -> None:
        assert await service.unlock(PASSPHRASE)

    service.run(unlock)  # the model loads its first page on unlock
    qtbot.waitUntil(lambda: model.rowCount() == 50 and idle(model), timeout=10_000)
    assert texts(model) == [f"post {i}" for i in range(119, 69, -1)]
    assert model.canFetchMore(QModelIndex())

    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())  # a second call while the page is on its way is ignored
    qtbot.waitUntil(lambda: model.rowCount() == 100 and idle(model), timeout=10_000)
    assert model.canFetchMore(QModelIndex())

    model.fetchMore(QModelIndex())
    qtbot.waitUntil(lambda: model.rowCount() == 120 and idle(model), timeout=10_000)
    assert texts(model) == [f"post {i}" for i in range(119, -1, -1)]
    assert not model.canFetchMore(QModelIndex()) and model.exhausted

    with qtbot.waitSignal(service.closed, timeout=10_000):
        service.run(service.close)
    assert model.rowCount() == 0


def test_new_posts_are_inserted_at_the_top_without_a_reset(
    qtbot: QtBot,
    data_dir: Path,
    qtmodeltester: ModelTester,
    open_service: Callable[[Path], CoreService],
) -> None:
    write_posts(data_dir, 60)
    service = open_service(data_dir)
    model = TimelineModel(service)
    qtbot.waitUntil(lambda: model.rowCount() == 50 and idle(model), timeout=10_000)
    qtmodeltester.check(model, force_py=True)  # type: ignore[no-untyped-call]  # the tester fetches the next page too
    qtbot.waitUntil(lambda: model.rowCount() == 60 and idle(model), timeout=10_000)
    before = texts(model)
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    for text in ("new 1", "new 2"):
        in_core(qtbot, service, lambda p, t: p.post(t), text)

    with qtbot.waitSignal(model.rowsInserted, timeout=10_000) as inserted:
        service.records_changed.emit()
    assert inserted.args[1:] == [0, 1]
    qtbot.waitUntil(lambda: idle(model), timeout=10_000)
    assert texts(model) == ["new 2", "new 1", *before]
    assert resets == []


def test_a_refresh_and_a_page_requested_together_both_land_once(
    qtbot: QtBot, data_dir: Path, open_service: Callable[[Path], CoreService]
) -> None:
    write_posts(data_dir, 120)
    service = open_service(data_dir)
    model = TimelineModel(service)
    qtbot.waitUntil(lambda: model.rowCount() == 50 and idle(model), timeout=10_000)
    in_core(qtbot, service, lambda p: p.post("new"))
    model.fetchMore(QModelIndex())
    model.refresh_new()
    model.refresh_new()  # merged into the one queued
    model.fetchMore(QModelIndex())  # ignored: a page is on its way
    qtbot.waitUntil(lambda: idle(model), timeout=10_000)
    assert texts(model) == ["new", *(f"post {i}" for i in range(119, 19, -1))]


def test_a_refresh_rereads_a_loaded_range_longer_than_one_query(
    qtbot: QtBot, data_dir: Path, open_service: Callable[[Path], CoreService]
) -> None:
    write_posts(data_dir, 260)
    service = open_service(data_dir)
    model = TimelineModel(service, page_size=250)
    qtbot.waitUntil(lambda: model.rowCount() == 250 and idle(model), timeout=10_000)
    oldest = model.post_at(249).id
    in_core(qtbot, service, lambda p: p.delete(oldest))
    in_core(qtbot, service, lambda p: p.post("new"))
    model.refresh_new()
    qtbot.waitUntil(lambda: idle(model) and model.rowCount() == 250, timeout=10_000)
    assert texts(model) == ["new", *(f"post {i}" for i in range(259, 10, -1))]


def test_refresh_updates_edited_posts_in_place_and_removes_deleted_ones(
    qtbot: QtBot,
    data_dir: Path,
    qtmodeltester: ModelTester,
    open_service: Callable[[Path], CoreService],
) -> None:
    write_posts(data_dir, 10)
    service = open_service(data_dir)
    model = TimelineModel(service)
    qtbot.waitUntil(lambda: model.rowCount() == 10 and idle(model), timeout=10_000)
    qtmodeltester.check(model, force_py=True)  # type: ignore[no-untyped-call]
    edited_id = model.post_at(2).id
    deleted_id = model.post_at(5).id
    in_core(qtbot, service, lambda p: p.edit(edited_id, "post 7, corrected"))
    in_core(qtbot, service, lambda p: p.delete(deleted_id))
    changed: list[int] = []
    model.dataChanged.connect(
        lambda first, last: changed.extend(range(first.row(), last.row() + 1))
    )

    with qtbot.waitSignal(model.rowsRemoved, timeout=10_000) as removed:
        model.refresh_new()
    assert removed.args[1:] == [5, 5]
    qtbot.waitUntil(lambda: idle(model), timeout=10_000)
    assert texts(model) == [
        "post 9",
        "post 8",
        "post 7, corrected",
        "post 6",
        "post 5",
        "post 3",
        "post 2",
        "post 1",
        "post 0",
    ]
    assert changed == [2]
    row = model.index(2, 0)
    assert row.data(PostRole.EDITED) is True and row.data(PostRole.ID) == edited_id
    assert model.row_of(deleted_id) is None


def test_replies_sit_under_their_parent_and_move_there_when_the_parent_pages_in(
    qtbot: QtBot,
    data_dir: Path,
    qtmodeltester: ModelTester,
    open_service: Callable[[Path], CoreService],
) -> None:
    profile = make_profile(data_dir, "Ada", passphrase=PASSPHRASE)
    parent = profile.post("parent").id
    profile.post("other 1")
    profile.post("other 2")
    reply = profile.post("reply", reply_to=parent).id
    profile.post("reply to the reply", reply_to=reply)
    profile.close()
    service = open_service(data_dir)
    model = TimelineModel(service, page_size=2)
    qtmodeltester.check(model, force_py=True)  # type: ignore[no-untyped-call]
    # Qt's own checks too: they warn in the "qt.modeltest" category, which pytest-qt turns
    # into a test failure.
    qt_tester = QAbstractItemModelTester(
        model, QAbstractItemModelTester.FailureReportingMode.Warning
    )
    # Page 1 holds the two replies; "reply" has no parent loaded yet: a top-level row.
    qtbot.waitUntil(lambda: model.rowCount() == 2 and idle(model), timeout=10_000)
    assert texts(model) == ["reply", "reply to the reply"]
    assert [model.index(r, 0).data(PostRole.DEPTH) for r in range(2)] == [0, 1]

    model.fetchMore(QModelIndex())
    qtbot.waitUntil(lambda: model.rowCount() == 4 and idle(model), timeout=10_000)
    model.fetchMore(QModelIndex())
    qtbot.waitUntil(lambda: model.exhausted and idle(model), timeout=10_000)
    assert texts(model) == ["other 2", "other 1", "parent", "reply", "reply to the reply"]
    assert [model.index(r, 0).data(PostRole.DEPTH) for r in range(5)] == [0, 0, 0, 1, 2]
    assert model.index(3, 0).data(PostRole.REPLY_TO) == parent
    del qt_tester


def test_roles_tell_own_posts_from_a_followed_authors(
    qtbot: QtBot,
    data_dir: Path,
    tmp_path: Path,
    open_service: Callable[[Path], CoreService],
) -> None:
    write_posts(data_dir, 1)
    bob = make_profile(tmp_path / "bob", "Bob")
    bob.post("hello from Bob")
    service = open_service(data_dir)
    try:
        model = TimelineModel(service)
        qtbot.waitUntil(lambda: model.rowCount() == 1 and idle(model), timeout=10_000)
        in_core(qtbot, service, lambda p: p.follow(bob.identity))
        in_core(qtbot, service, lambda p: copy_records(bob.store, p.store))
        service.records_changed.emit()
        qtbot.waitUntil(lambda: model.rowCount() == 2 and idle(model), timeout=10_000)
    finally:
        bob.close()
    bobs, mine = model.index(0, 0), model.index(1, 0)
    assert bobs.data(PostRole.AUTHOR_NAME) == "Bob"
    assert bobs.data(PostRole.AUTHOR_ID) == identity_text(bob.identity)
    assert bobs.data(PostRole.IS_MINE) is False
    assert mine.data(PostRole.AUTHOR_NAME) == "Ada" and mine.data(PostRole.IS_MINE) is True
    assert mine.data(PostRole.RELATIVE_TIME) == "just now"
    assert mine.data(PostRole.IMAGES) == [] and mine.data(PostRole.REPLY_TO) is None
    assert isinstance(mine.data(PostRole.POST), PostView)
    assert mine.data().startswith("post 0")


def test_relative_times() -> None:
    now = 1_700_000_000_000
    assert relative_time(now - 30_000, now) == "just now"
    assert relative_time(now + 5_000, now) == "just now"  # a peer's clock ahead of ours
    assert relative_time(now - 5 * 60_000, now) == "5 min ago"
    assert relative_time(now - 3 * 3_600_000, now) == "3 h ago"
    assert relative_time(now - 2 * 86_400_000, now) == "2 d ago"
    assert "ago" not in relative_time(now - 30 * 86_400_000, now)


def test_arrange_keeps_orphan_replies_at_their_own_time() -> None:
    def post(name: str, ts: int, reply_to: str | None = None) -> PostView:
        rid = RecordId(name.encode().ljust(32, b"\0"))
        parent = RecordId(reply_to.encode().ljust(32, b"\0")) if reply_to else None
        return PostView(rid, b"a", b"d", ts, ts, name, parent, (), (), False, "Ada")  # type: ignore[arg-type]

    rows = arrange(
        [post("a", 1), post("b", 2), post("c", 3, "a"), post("d", 4, "missing"), post("e", 5, "a")]
    )
    assert [(r.post.text, r.depth) for r in rows] == [
        ("d", 0),
        ("b", 0),
        ("a", 0),
        ("c", 1),
        ("e", 1),
    ]
