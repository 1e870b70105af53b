"""Trio in Qt's loop, and the core service the widgets use: real stores, no sleeps."""

from __future__ import annotations

from pathlib import Path

import trio
from pytestqt.qtbot import QtBot

from smd_desktop.core.testing import FAST_KDF, make_profile
from smd_desktop.ui.service import CoreService
from smd_desktop.ui.trio_bridge import TrioGuest

PASSPHRASE = "correct horse battery staple"


def test_tasks_started_from_qt_run_in_trio_and_failures_become_sentences(
    qtbot: QtBot, guest: TrioGuest
) -> None:
    ran: list[str] = []

    async def work(tag: str) -> None:
        await trio.sleep(0)
        ran.append(tag)

    async def broken() -> None:
        raise ValueError("disk is full")

    guest.start_soon(work, "a")
    qtbot.waitUntil(lambda: ran == ["a"], timeout=5000)
    with qtbot.waitSignal(guest.task_failed, timeout=5000) as failed:
        guest.start_soon(broken)
    assert failed.args == ["disk is full"]
    guest.start_soon(work, "still running")
    qtbot.waitUntil(lambda: ran == ["a", "still running"], timeout=5000)


def test_shutdown_ends_the_run_and_later_tasks_are_ignored(qtbot: QtBot, guest: TrioGuest) -> None:
    with qtbot.waitSignal(guest.finished, timeout=5000):
        guest.shutdown()
    assert guest.done and guest.crash is None
    guest.start_soon(trio.sleep, 0)  # ignored, no error


def test_unlock_with_a_wrong_then_the_right_passphrase(
    qtbot: QtBot, guest: TrioGuest, tmp_path: Path
) -> None:
    make_profile(tmp_path / "p", "Ada", passphrase=PASSPHRASE).close()
    service = CoreService(guest, tmp_path / "p", kdf=FAST_KDF)
    results: list[bool] = []

    async def attempt(passphrase: str) -> None:
        results.append(await service.unlock(passphrase))

    service.run(attempt, "wrong")
    qtbot.waitUntil(lambda: results == [False], timeout=10_000)
    assert not service.is_open
    with qtbot.waitSignal(service.unlocked, timeout=10_000):
        service.run(attempt, PASSPHRASE)
    assert results == [False, True]

    names: list[str] = []

    async def my_name() -> None:
        view = await service.call(lambda p: p.my_profile())
        names.append(view.name if view else "")

    service.run(my_name)
    qtbot.waitUntil(lambda: names == ["Ada"], timeout=5000)
    with qtbot.waitSignal(service.closed, timeout=5000):
        service.run(service.close)


def test_a_core_error_reaches_the_user_as_one_sentence(
    qtbot: QtBot, guest: TrioGuest, tmp_path: Path
) -> None:
    service = CoreService(guest, tmp_path / "p", kdf=FAST_KDF)
    phrases: list[str] = []

    async def create() -> None:
        phrases.append(await service.create(PASSPHRASE, "Ada"))

    with qtbot.waitSignal(service.unlocked, timeout=10_000):
        service.run(create)
    assert len(phrases[0].split()) == 24

    async def follow_myself() -> None:
        await service.call(lambda p: p.follow(p.identity))

    with qtbot.waitSignal(service.error, timeout=5000) as error:
        service.run(follow_myself)
    assert error.args == ["you cannot follow yourself"]
    service.run(service.close)
    qtbot.waitUntil(lambda: not service.is_open, timeout=5000)
