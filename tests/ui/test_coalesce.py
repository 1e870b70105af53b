"""CoalescedRead: one read at a time, requests merged, hidden widgets read once shown."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from smd_desktop.core.profile import Profile
from smd_desktop.core.testing import FAST_KDF, make_profile
from smd_desktop.ui.coalesce import CoalescedRead
from smd_desktop.ui.service import CoreService
from smd_desktop.ui.trio_bridge import TrioGuest

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def service(qtbot: QtBot, guest: TrioGuest, tmp_path: Path) -> Iterator[CoreService]:
    """An unlocked profile; closed after the test."""
    make_profile(tmp_path / "ada", "Ada", passphrase=PASSPHRASE).close()
    service = CoreService(guest, tmp_path / "ada", kdf=FAST_KDF)

    async def unlock() -> None:
        assert await service.unlock(PASSPHRASE)

    with qtbot.waitSignal(service.unlocked, timeout=10_000):
        service.run(unlock)
    yield service
    if service.is_open:
        with qtbot.waitSignal(service.closed, timeout=10_000):
            service.run(service.close)


class Reads:
    """A read that blocks in the core's thread until the test releases it."""

    def __init__(self, service: CoreService) -> None:
        self.service = service
        self.started = 0
        self.finished = 0
        self.gate = threading.Event()
        self.gate.set()

    def _wait(self, _profile: Profile) -> None:
        assert self.gate.wait(10), "the test never released the read"

    async def read(self) -> None:
        self.started += 1
        await self.service.call(self._wait)
        self.finished += 1


def test_requests_before_a_read_starts_are_one_read_and_during_it_one_more(
    qtbot: QtBot, service: CoreService
) -> None:
    reads = Reads(service)
    reads.gate.clear()
    reader = CoalescedRead(service, reads.read)
    busy: list[bool] = []
    reader.busy_changed.connect(busy.append)

    for _ in range(3):
        reader.request()
    assert reader.busy
    qtbot.waitUntil(lambda: reads.started == 1, timeout=10_000)
    for _ in range(4):
        reader.request()  # while the first read runs
    reads.gate.set()
    qtbot.waitUntil(lambda: not reader.busy, timeout=10_000)

    assert (reads.started, reads.finished) == (2, 2)
    assert busy == [True, False]  # busy through the second read, no flicker between them


def test_a_request_with_no_open_profile_reads_nothing(qtbot: QtBot, service: CoreService) -> None:
    reads = Reads(service)
    reader = CoalescedRead(service, reads.read)
    with qtbot.waitSignal(service.closed, timeout=10_000):
        service.run(service.close)

    reader.request()

    assert not reader.busy and not reader.stale
    assert reads.started == 0


def test_a_hidden_widget_reads_once_when_shown(qtbot: QtBot, service: CoreService) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    reads = Reads(service)
    reader = CoalescedRead(service, reads.read, widget=widget)

    reader.request()
    reader.request()
    assert reader.stale and not reader.busy
    assert reads.started == 0

    widget.show()
    qtbot.waitUntil(lambda: reads.finished == 1 and not reader.busy, timeout=10_000)
    assert not reader.stale

    widget.hide()
    widget.show()  # nothing was asked meanwhile: no read
    assert not reader.busy
    assert reads.started == 1


def test_a_request_pending_when_the_widget_hides_waits_for_it_to_show_again(
    qtbot: QtBot, service: CoreService
) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    reads = Reads(service)
    reads.gate.clear()
    reader = CoalescedRead(service, reads.read, widget=widget)

    reader.request()
    qtbot.waitUntil(lambda: reads.started == 1, timeout=10_000)
    reader.request()  # merged into one more read ...
    widget.hide()  # ... which must wait until the widget is visible again
    reads.gate.set()
    qtbot.waitUntil(lambda: not reader.busy, timeout=10_000)
    assert (reads.started, reader.stale) == (1, True)

    widget.show()
    qtbot.waitUntil(lambda: reads.finished == 2 and not reader.busy, timeout=10_000)
    assert reads.started == 2 and not reader.stale
