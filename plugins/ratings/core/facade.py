"""The Ratings facade: what the CLI and the UI call, on one open profile (docs/RATINGS.md, "The
facade").

``Ratings(profile)`` is cheap to make. Every method blocks (database, signing, the reputation
walk): call it from a worker thread in the app, never the GUI thread. Errors the user can fix
are :class:`UserError` sentences (:class:`NotFound` for an unknown id).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from smd_desktop.core.errors import InvalidRecord, NotFound, UserError
from smd_desktop.core.ids import IdentityKey, RecordId
from smd_desktop.core.profile import Profile
from smd_desktop.core.store import now_ms

from .facade_deals import DealsFacade, rating_view
from .params import GENERAL
from .queries import my_trust_records, ratings, response_by
from .queries import trust_in_force as trust_rows
from .records import (
    RATING,
    RESPONSE,
    TRUST,
    validate_rating_body,
    validate_response,
    validate_trust,
)
from .reveal import due_reveals, has_secret, mark_revealed, new_secret, reveal_content
from .reveal import store_secret as keep_secret
from .views import DealView, RatingView, TrustView

PLUGIN = "ratings"


class Ratings(DealsFacade):
    """Deals, double-blind ratings, trust, reputation, imports and credentials of one profile.

    Raises UserError on creation when the plugin is not active in this profile. ``clock``
    (ms since the epoch) is for tests.
    """

    def __init__(self, profile: Profile, *, clock: Callable[[], int] = now_ms) -> None:
        profile.plugins.require_active(PLUGIN)
        super().__init__(profile, clock)

    # -- ratings ----------------------------------------------------------------------------

    def rate(
        self,
        deal_id: bytes,
        overall: int,
        *,
        aspects: Mapping[str, int] | None = None,
        text: str = "",
    ) -> DealView:
        """Rate the other party of an active deal, sealed: the rating stays secret until both
        have rated or 14 days passed (:meth:`reveal_due`, run at the end).

        Raises:
            NotFound: no such deal. UserError: not active, already rated, or a bad value.
        """
        deal = self.deal(deal_id)
        if deal.status != "active":
            raise UserError("only an active deal (accepted by both) can be rated")
        with self._profile.store.reading() as conn:
            already = has_secret(conn, deal_id)
        if already or deal.my_rating.state != "none":
            raise UserError("you have already rated this deal")
        content: dict[str, Any] = {"overall": overall}
        if aspects:
            content["aspects"] = dict(aspects)
        if text.strip():
            content["text"] = text.strip()
        try:
            body = validate_rating_body(content)
        except InvalidRecord as exc:
            raise UserError(str(exc)) from exc
        self._publish_receipts()
        secret = new_secret(deal_id, deal.other, body, self._clock())
        store = self._profile.store
        with store.writing() as conn:
            keep_secret(conn, secret)
        try:
            self._profile.publish(
                RATING, {"deal": deal_id, "ratee": deal.other, "sealed": secret.commitment}
            )
        except BaseException:
            with store.writing() as conn:
                conn.execute("DELETE FROM ratings_secrets WHERE deal_id = ?", (deal_id,))
            raise
        self.reveal_due()
        return self.deal(deal_id)

    def reveal_due(self, now_ms: int | None = None) -> int:
        """Publish the reveals that are due (the counterpart's sealed rating is indexed, or 14
        days passed since mine); returns how many. Also publishes my copy of receipts received
        by message. Called by the CLI commands and by the app after records change."""
        now = self._clock() if now_ms is None else now_ms
        self._publish_receipts()
        with self._profile.store.reading() as conn:
            due, done = due_reveals(conn, self.identity, now)
        if done:
            with self._profile.store.writing() as conn:
                for deal, reveal_id in done:
                    mark_revealed(conn, deal, reveal_id)
        for item in due:
            content = reveal_content(item, self._profile.root, self._clock())
            record = self._profile.publish(RATING, content)
            with self._profile.store.writing() as conn:
                mark_revealed(conn, item.secret.deal_id, record.id)
        return len(due)

    def respond(self, rating_id: RecordId, text: str) -> RatingView:
        """Answer a revealed rating of me, once.

        Raises:
            NotFound: no such revealed rating. UserError: not about me, or answered already.
        """
        rating = self.rating(rating_id)
        if rating.ratee != self.identity:
            raise UserError("only the person rated can respond to a rating")
        with self._profile.store.reading() as conn:
            answered = response_by(conn, rating_id, self.identity)
        if answered:
            raise UserError("you have already responded to this rating")
        content = {"rating": rating_id, "text": text.strip()}
        try:
            validate_response(content)
        except InvalidRecord as exc:
            raise UserError(str(exc)) from exc
        self._profile.publish(RESPONSE, content)
        return self.rating(rating_id)

    def rating(self, rating_id: RecordId) -> RatingView:
        """One revealed rating, by the id of its reveal record.

        Raises:
            NotFound: we hold no such revealed rating.
        """
        found = self._ratings("r.reveal_id = ?", (rating_id,))
        if not found:
            raise NotFound(f"no revealed rating {rating_id.hex()}")
        return found[0]

    def ratings_about(self, identity: IdentityKey) -> list[RatingView]:
        """The revealed ratings of ``identity``, newest first (negative ones too, always)."""
        return self._ratings("r.ratee = ? AND r.reveal_id IS NOT NULL", (identity,))

    def ratings_by(self, identity: IdentityKey) -> list[RatingView]:
        """The revealed ratings ``identity`` wrote, newest first."""
        return self._ratings("r.rater = ? AND r.reveal_id IS NOT NULL", (identity,))

    def sealed_count_about(self, identity: IdentityKey) -> int:
        """Ratings of ``identity`` still sealed ("rated, sealed")."""
        with self._profile.store.reading() as conn:
            (n,) = conn.execute(
                "SELECT count(*) FROM ratings_ratings WHERE ratee = ? AND reveal_id IS NULL",
                (identity,),
            ).fetchone()
        return int(n)

    # -- trust ------------------------------------------------------------------------------

    def trust(
        self,
        identity: IdentityKey,
        weight: int,
        *,
        context: str | None = None,
        note: str | None = None,
    ) -> TrustView:
        """Publish a trust statement (public): ``weight`` in -2, -1, 1, 2, 3; it replaces my
        earlier one about them in that context.

        Raises:
            UserError: about myself, or a bad weight, context or note.
        """
        if identity == self.identity:
            raise UserError("you cannot state trust in yourself")
        content: dict[str, Any] = {"trustee": identity, "weight": weight}
        if context is not None and context.strip() and context.strip() != GENERAL:
            content["context"] = context.strip()
        if note is not None and note.strip():
            content["note"] = note.strip()
        try:
            validate_trust(content)
        except InvalidRecord as exc:
            raise UserError(str(exc)) from exc
        record = self._profile.publish(TRUST, content)
        for view in self.trust_statements():
            if view.record_id == record.id:
                return view
        raise AssertionError("a published trust statement is indexed")  # pragma: no cover

    def withdraw_trust(self, identity: IdentityKey, context: str | None = None) -> int:
        """Delete my statements about ``identity`` in ``context`` (general by default);
        returns how many.

        Raises:
            UserError: I made none.
        """
        ctx = GENERAL if context is None or not context.strip() else context.strip()
        with self._profile.store.reading() as conn:
            mine = my_trust_records(conn, self.identity, identity, ctx)
        if not mine:
            raise UserError(f"you have made no {ctx} trust statement about them")
        for record_id in mine:
            self._profile.retract(record_id)
        return len(mine)

    def trust_statements(self, author: IdentityKey | None = None) -> list[TrustView]:
        """The statements in force of ``author`` (default: mine), newest first."""
        with self._profile.store.reading() as conn:
            rows = trust_rows(conn, author=self.identity if author is None else author)
        return self._trust_views(rows)

    def trust_about(self, identity: IdentityKey) -> list[TrustView]:
        """Everyone's statements in force about ``identity``, newest first."""
        with self._profile.store.reading() as conn:
            rows = trust_rows(conn, trustee=identity)
        return self._trust_views(rows)

    # -- helpers ----------------------------------------------------------------------------

    def _ratings(self, where: str, params: tuple[Any, ...]) -> list[RatingView]:
        with self._profile.store.reading() as conn:
            rows = ratings(conn, where, params)
        names = self._names(x for r in rows for x in (r.rater, r.ratee))
        return [rating_view(r, names) for r in rows if r.reveal_id is not None]

    def _trust_views(self, rows: Iterable[Any]) -> list[TrustView]:
        rows = list(rows)
        names = self._names(x for r in rows for x in (r.author, r.trustee))
        return [
            TrustView(
                r.record_id,
                r.author,
                names.get(r.author),
                r.trustee,
                names.get(r.trustee),
                r.weight,
                r.context,
                r.note,
                r.ts,
            )
            for r in rows
        ]
