"""Helpers for the Ratings plugin's UI tests: the window the app would give the plugin, and
deals between real profiles (direct messages handed over by hand, as the node would)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from plugins.ratings.core.facade import Ratings
from smd_desktop.core.ids import IdentityKey
from smd_desktop.core.profile import Profile
from smd_desktop.core.testing import copy_records
from smd_desktop.ui.plugin_api import UiContext
from smd_desktop.ui.service import CoreService

PASSPHRASE = "correct horse battery staple"
WAIT_MS = 10_000
SAMPLES = Path(__file__).resolve().parents[3] / "plugins" / "ratings" / "samples"


class Window:
    """What the app gives the plugin for one window, with what the plugin asked of it."""

    def __init__(self, qtbot: QtBot, service: CoreService) -> None:
        self.qtbot = qtbot
        self.service = service
        self.pages_shown: list[str] = []
        self.identities_opened: list[IdentityKey] = []
        self.errors: list[str] = []
        service.error.connect(self.errors.append)
        self.ui = UiContext(
            service,
            open_identity=self.identities_opened.append,
            show_page=self.pages_shown.append,
        )

    def in_core(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(profile, *args)`` in the core's thread and wait for its result."""
        box: list[tuple[bool, Any]] = []

        async def go() -> None:
            try:
                box.append((True, await self.service.call(fn, *args)))
            except BaseException as exc:
                box.append((False, exc))
                raise

        self.service.run(go)
        self.qtbot.waitUntil(lambda: bool(box), timeout=WAIT_MS)
        ok, value = box[0]
        if not ok:
            raise value
        return value


def deliver(sender: Profile, receiver: Profile) -> list[str]:
    """Hand ``sender``'s queued Ratings messages for ``receiver`` to the receiving facade (what
    the node and the plugin's ``smd_direct_message`` do); returns their kinds."""
    kinds = []
    for message in sender.plugins.direct.pending(receiver.identity, plugin="ratings"):
        Ratings(receiver).receive(sender.identity, message.kind, message.payload)
        sender.plugins.direct.cancel(message.id)
        kinds.append(message.kind)
    return kinds


def co_signed_deal(offerer: Profile, accepter: Profile, what: str, **terms: Any) -> bytes:
    """A deal offered, accepted and published by both; its id."""
    deal = Ratings(offerer).offer_deal(accepter.identity, what, **terms)
    assert deliver(offerer, accepter) == ["ratings/offer"]
    Ratings(accepter).accept(deal.deal_id)
    assert deliver(accepter, offerer) == ["ratings/accept"]
    copy_records(accepter.store, offerer.store)
    copy_records(offerer.store, accepter.store)
    return deal.deal_id


def rate_both(first: Profile, second: Profile, deal_id: bytes, stars: tuple[int, int]) -> None:
    """Both parties rate the deal (``first`` gives ``stars[0]``), and both ratings are revealed
    and held by both."""
    Ratings(first).rate(deal_id, stars[0])
    copy_records(first.store, second.store)
    Ratings(second).rate(deal_id, stars[1])  # sees the other sealed rating: reveals at once
    copy_records(second.store, first.store)
    assert Ratings(first).reveal_due() == 1
    copy_records(first.store, second.store)


def rows(model: Any) -> list[list[str]]:
    """A table model's display texts."""
    return [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]
