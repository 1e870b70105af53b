"""The deals half of the Ratings facade: offers sent and received by direct message, the
co-signed receipt, and each deal's state. :class:`~.facade.Ratings` is the class to use.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from smd_desktop.core.errors import CodecError, InvalidRecord, NotFound, UserError
from smd_desktop.core.ids import IdentityKey

from . import messaging, offers
from .deals import (
    NONCE_SIZE,
    DealTerms,
    accept_offer,
    make_offer,
    parse_offer,
    validate_deal,
)
from .deals import deal_id as deal_id_of
from .facade_reputation import ReputationFacade
from .queries import DealRow, RatingRow, my_deals, ratings
from .records import DEAL
from .views import NO_RATING, DealStatus, DealView, RatingState, RatingView

DAY_MS = 24 * 3600 * 1000
MAX_TTL_DAYS = 90

log = logging.getLogger("smd.plugins.ratings")


class DealsFacade(ReputationFacade):
    """Deals of one profile (see :class:`~.facade.Ratings`)."""

    # -- deals ------------------------------------------------------------------------------

    def offer_deal(
        self,
        to: IdentityKey,
        what: str,
        *,
        context: str = "p2p-sale",
        amount: str | None = None,
        currency: str | None = None,
        link: str | None = None,
        ref: bytes | None = None,
        start: int | None = None,
        until: int | None = None,
        ttl_days: int = 7,
    ) -> DealView:
        """Sign an offer and send it to ``to`` (a direct message); it waits as ``offered``.

        Raises:
            UserError: an offer to myself, a bad field (one sentence), or it cannot be queued.
        """
        if to == self.identity:
            raise UserError("you cannot make a deal with yourself")
        if not 1 <= ttl_days <= MAX_TTL_DAYS:
            raise UserError(f"an offer stays open from 1 to {MAX_TTL_DAYS} days")
        now = self._clock()
        terms = DealTerms(
            offerer=self.identity,
            accepter=to,
            what=what.strip(),
            context=context.strip(),
            offered=now,
            expires=now + ttl_days * DAY_MS,
            nonce=_nonce(),
            link=_blank_to_none(link),
            ref=ref,
            amount=_blank_to_none(amount),
            currency=None if currency is None else currency.strip().upper() or None,
            start=start,
            until=until,
        )
        profile = self._profile
        try:
            offer = make_offer(terms, profile.device_certificate(), profile.sign_detached)
        except InvalidRecord as exc:
            raise UserError(str(exc)) from exc
        with profile.store.writing() as conn:
            offers.save(conn, offer, "out", to, offers.OFFERED, now)
        try:
            messaging.send(profile, to, messaging.OFFER, offer.encode())
        except BaseException:
            with profile.store.writing() as conn:
                conn.execute("DELETE FROM ratings_offers WHERE deal_id = ?", (offer.deal_id,))
            raise
        return self.deal(offer.deal_id)

    def deals(self) -> list[DealView]:
        """Every deal I offered, was offered or am a party of, newest offer first."""
        with self._profile.store.reading() as conn:
            rows = my_deals(conn, self.identity)
            rated = ratings(conn, "(r.rater = ? OR r.ratee = ?)", (self.identity, self.identity))
            sealed = {bytes(r[0]) for r in conn.execute("SELECT deal_id FROM ratings_secrets")}
        return self._deal_views(rows, rated, sealed)

    def deal(self, deal_id: bytes) -> DealView:
        """One of my deals.

        Raises:
            NotFound: no offer or receipt of that id that I am a party of.
        """
        for view in self.deals():
            if view.deal_id == deal_id:
                return view
        raise NotFound(f"no deal {deal_id.hex()}")

    def accept(self, deal_id: bytes) -> DealView:
        """Countersign an offer I received: publish the receipt and send it to the offerer.

        Raises:
            NotFound: no such offer. UserError: not offered to me, answered, or expired.
        """
        profile = self._profile
        row = self._offer(deal_id)
        if row.direction != "in":
            raise UserError("you can only accept an offer made to you")
        if row.status != offers.RECEIVED:
            raise UserError(f"this offer was already {row.status}")
        now = self._clock()
        if now >= row.offer.terms.expires:
            raise UserError("this offer has expired")
        receipt = accept_offer(row.offer, profile.device_certificate(), profile.sign_detached)
        profile.publish(DEAL, receipt)
        with profile.store.writing() as conn:
            offers.set_status(conn, deal_id, offers.ACCEPTED, now, receipt)
            offers.mark_published(conn, deal_id)
        self._tell(row.other, messaging.ACCEPT, receipt)
        return self.deal(deal_id)

    def decline(self, deal_id: bytes) -> DealView:
        """Decline an offer I received (or withdraw one I sent, unanswered); nothing is
        published, the other side is told.

        Raises:
            NotFound: no such offer. UserError: it was already accepted or declined.
        """
        row = self._offer(deal_id)
        if row.status not in (offers.RECEIVED, offers.OFFERED):
            raise UserError(f"this offer was already {row.status}")
        with self._profile.store.writing() as conn:
            offers.set_status(conn, deal_id, offers.DECLINED, self._clock())
        self._tell(row.other, messaging.DECLINE, {"deal": deal_id})
        return self.deal(deal_id)

    def receive(self, sender: IdentityKey, kind: str, payload: bytes) -> bytes:
        """Handle a direct message for the plugin; returns the reply (see messaging.py).

        Never raises for a peer's bad message: the reply says what was wrong.
        """
        try:
            body = messaging.decode(payload)
            if kind == messaging.OFFER:
                return self._offer_received(sender, payload)
            if kind == messaging.ACCEPT:
                return self._accept_received(sender, body)
            if kind == messaging.DECLINE:
                return self._decline_received(sender, body)
        except (InvalidRecord, CodecError) as exc:  # the sender's bytes: say why, keep going
            log.info("ratings: unusable %s message from %s: %s", kind, sender.hex(), exc)
            return messaging.reply(False, str(exc))
        return messaging.reply(False, f"unknown message kind {kind}")

    def receive_reply(self, kind: str, reply: bytes) -> None:
        """The other side's answer to a message we sent (logged when it could not use it)."""
        ok, why = messaging.parse_reply(reply)
        if not ok:
            log.info("ratings: our %s message was not usable: %s", kind, why)

    def _offer_received(self, sender: IdentityKey, payload: bytes) -> bytes:
        offer = parse_offer(payload)
        if offer.terms.offerer != sender:
            return messaging.reply(False, "the offer is not signed by its sender")
        if offer.terms.accepter != self.identity:
            return messaging.reply(False, "the offer is not for this person")
        with self._profile.store.writing() as conn:
            offers.save(conn, offer, "in", sender, offers.RECEIVED, self._clock())
        return messaging.reply(True)

    def _accept_received(self, sender: IdentityKey, body: Any) -> bytes:
        terms = validate_deal(body)
        deal = deal_id_of(body["terms"])
        row = self._offer_or_none(deal)
        if row is None or row.direction != "out":
            return messaging.reply(False, "no such offer of mine")
        if sender != terms.accepter:
            return messaging.reply(False, "the acceptance is not by the person offered")
        with self._profile.store.writing() as conn:
            offers.set_status(conn, deal, offers.ACCEPTED, self._clock(), body)
        self._publish_receipts()
        return messaging.reply(True)

    def _decline_received(self, sender: IdentityKey, body: Any) -> bytes:
        deal = body.get("deal") if isinstance(body, dict) else None
        row = self._offer_or_none(deal) if isinstance(deal, bytes) else None
        if row is None or row.other != sender:
            return messaging.reply(False, "no such offer between us")
        if row.status in (offers.OFFERED, offers.RECEIVED):
            with self._profile.store.writing() as conn:
                offers.set_status(conn, row.offer.deal_id, offers.DECLINED, self._clock())
        return messaging.reply(True)

    def _publish_receipts(self) -> int:
        """Publish my copy of each co-signed receipt received by message."""
        with self._profile.store.reading() as conn:
            pending = offers.unpublished_receipts(conn, self.identity)
        for deal, receipt in pending:
            self._profile.publish(DEAL, receipt)
            with self._profile.store.writing() as conn:
                offers.mark_published(conn, deal)
        return len(pending)

    # -- helpers ----------------------------------------------------------------------------

    def _offer(self, deal_id: bytes) -> offers.OfferRow:
        row = self._offer_or_none(deal_id)
        if row is None:
            raise NotFound(f"no offer {deal_id.hex()}")
        return row

    def _offer_or_none(self, deal_id: bytes) -> offers.OfferRow | None:
        with self._profile.store.reading() as conn:
            return offers.get(conn, deal_id)

    def _tell(self, to: IdentityKey, kind: str, payload: dict[str, Any]) -> None:
        # The deal stands without the message (the receipt replicates through feeds too), so
        # a full outbox must not undo it: say so in the log.
        try:
            messaging.send(self._profile, to, kind, payload)
        except UserError as exc:
            log.warning("ratings: cannot queue %s: %s", kind, exc)

    def _deal_views(
        self, rows: list[DealRow], rated: list[RatingRow], sealed_here: set[bytes]
    ) -> list[DealView]:
        me, now = self.identity, self._clock()
        names = self._names(
            [d.terms.accepter if d.terms.offerer == me else d.terms.offerer for d in rows]
            + [x for r in rated for x in (r.rater, r.ratee)]
        )
        by_key = {(r.deal_id, r.rater): r for r in rated}
        views = []
        for d in rows:
            other = d.terms.party_other_than(me)
            mine = _state(by_key.get((d.deal_id, me)), names)
            if mine.state == "none" and d.deal_id in sealed_here:
                mine = RatingState("sealed")
            views.append(
                DealView(
                    deal_id=d.deal_id,
                    terms=d.terms,
                    other=other,
                    other_name=names.get(other),
                    role="offerer" if d.terms.offerer == me else "accepter",
                    status=_status(d, now),
                    my_rating=mine,
                    their_rating=_state(by_key.get((d.deal_id, other)), names),
                    created=d.terms.offered,
                )
            )
        return views


def _status(deal: DealRow, now: int) -> DealStatus:
    if deal.indexed or deal.offer_status == offers.ACCEPTED:
        return "active"
    if deal.offer_status == offers.DECLINED:
        return "declined"
    if now >= deal.terms.expires:
        return "expired"
    return "received" if deal.offer_status == offers.RECEIVED else "offered"


def _state(row: RatingRow | None, names: Mapping[bytes, str]) -> RatingState:
    if row is None:
        return NO_RATING
    if row.reveal_id is None:
        return RatingState("sealed", None, row.sealed_ts)
    return RatingState("revealed", rating_view(row, names), row.sealed_ts)


def rating_view(row: RatingRow, names: Mapping[bytes, str]) -> RatingView:
    assert row.reveal_id is not None and row.rating is not None and row.reveal_ts is not None
    body = row.rating
    return RatingView(
        id=row.reveal_id,
        sealed_id=row.sealed_id,
        rater=row.rater,
        rater_name=names.get(row.rater),
        ratee=row.ratee,
        ratee_name=names.get(row.ratee),
        deal_id=row.deal_id,
        context=row.context,
        what=row.what,
        overall=int(body["overall"]),
        aspects=dict(body.get("aspects", {})),
        text=str(body.get("text", "")),
        sealed_at=row.sealed_ts,
        revealed_at=row.reveal_ts,
        response=None if row.response is None else row.response[0],
        response_at=None if row.response is None else row.response[1],
        written_after_seeing=row.other_reveal_ts is not None
        and row.sealed_ts > row.other_reveal_ts,
        has_credential=row.vc is not None,
    )


def _nonce() -> bytes:
    return os.urandom(NONCE_SIZE)


def _blank_to_none(value: str | None) -> str | None:
    if value is None:
        return None
    return value.strip() or None
