"""Helpers for the Ratings plugin's UI tests: the window the app would give the plugin, and
deals between real profiles (direct messages handed over by hand, as the node would)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from plugins.ratings.core.facade import Ratings
from smd_desktop.core.profile import Profile
from smd_desktop.core.testing import copy_records
from smd_desktop.ui.testing import WAIT_MS, PluginWindow

PASSPHRASE = "correct horse battery staple"
SAMPLES = Path(__file__).resolve().parents[3] / "plugins" / "ratings" / "samples"


Window = PluginWindow
"""What the app gives the plugin for one window (see smd_desktop.ui.testing)."""


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


__all__ = [
    "PASSPHRASE",
    "SAMPLES",
    "WAIT_MS",
    "Window",
    "co_signed_deal",
    "deliver",
    "rate_both",
    "rows",
]
