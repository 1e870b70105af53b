"""Test and demo helpers: people with the Ratings plugin, replication between them, direct
messages delivered through SMD's real inbox and outbox, and a deal made and rated.

Public so the plugin's tests, the UI's tests and plugin authors build the same scenes::

    with World(tmp_path) as world:
        alice, bob = world.person("Alice"), world.person("Bob")
        deal = world.make_deal(alice, bob, "A used road bike")
        alice.ratings.rate(deal, 5)
        world.sync()
        bob.ratings.rate(deal, 4)  # Alice's sealed rating is known: both are revealed
        world.sync()

Nothing here is used by the plugin itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from smd_desktop.core.errors import UserError
from smd_desktop.core.profile import Profile
from smd_desktop.core.store import now_ms
from smd_desktop.core.testing import copy_records, make_profile

from .facade import Ratings


@dataclass
class Person:
    """One profile with the plugin, and its facade (on the world's clock)."""

    name: str
    profile: Profile
    ratings: Ratings


class World:
    """People who replicate everything with each other (as if they all followed each other)."""

    def __init__(self, root_dir: Path, *, clock: Callable[[], int] | None = None) -> None:
        self._dir = root_dir
        self.clock = clock or now_ms
        """Milliseconds since the epoch; every facade made here uses it."""
        self.people: list[Person] = []

    def person(self, name: str) -> Person:
        """A new person (a fresh profile with the Ratings plugin), known to everyone."""
        import plugins.ratings.plugin as ratings_plugin

        profile = make_profile(self._dir / f"p{len(self.people)}", name, plugins=[ratings_plugin])
        someone = Person(name, profile, Ratings(profile, clock=self.clock))
        self.people.append(someone)
        self.sync()
        return someone

    def sync(self, people: Iterable[Person] | None = None) -> None:
        """Replicate every feed among ``people`` (default: everyone), both ways."""
        group = list(self.people if people is None else people)
        for _ in range(2):  # twice: what A got from B reaches C as well
            for source in group:
                for target in group:
                    if source is not target:
                        copy_records(source.profile.store, target.profile.store)

    def deliver(self) -> int:
        """Hand every queued direct message to its recipient's SMD (``smd_direct_message``)
        and the answer back to the sender (``smd_direct_reply``); returns how many were
        accepted. Messages for people outside the world stay queued."""
        by_identity = {p.profile.identity: p for p in self.people}
        accepted = 0
        for sender in self.people:
            direct = sender.profile.plugins.direct
            for message in direct.pending():
                recipient = by_identity.get(message.to)
                if recipient is None:
                    continue
                answer = recipient.profile.plugins.direct.receive(
                    recipient.profile,
                    sender.profile.device_key,
                    message.id,
                    message.kind,
                    message.payload,
                )
                if answer.accepted:
                    direct.deliver_reply(sender.profile, message.id, answer.reply)
                    accepted += 1
                else:
                    direct.record_failure(message.id, answer.reason)
        return accepted

    def make_deal(
        self,
        offerer: Person,
        accepter: Person,
        what: str = "A used road bike",
        *,
        context: str = "p2p-sale",
    ) -> bytes:
        """Offer, deliver, accept, deliver, replicate: an active deal both hold; its id."""
        view = offerer.ratings.offer_deal(accepter.profile.identity, what, context=context)
        if self.deliver() < 1:
            raise UserError("the offer was not delivered")
        accepter.ratings.accept(view.deal_id)
        self.deliver()
        self.sync()
        return view.deal_id

    def close(self) -> None:
        """Close every profile."""
        for someone in self.people:
            someone.profile.close()
        self.people.clear()

    def __enter__(self) -> World:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
