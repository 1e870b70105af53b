"""Double-blind ratings: sealing, the reveal policy, and the credential proof a reveal carries.

A rating is published sealed (a commitment); its salt and body stay in ``ratings_secrets``
until the reveal. A sealed rating is due for reveal when the counterpart's sealed rating of the
same deal is indexed, or :data:`REVEAL_AFTER_MS` (14 days) after our sealed record.

The reveal carries ``vc: {created, proof}``: the rater's ``eddsa-jcs-2022`` signature of the
rating's VC 2.0 credential, made with the identity's root key, so the ratee can rebuild and
export the credential while the rater is offline. The credential is built only from facts both
sides know before the reveal exists: the deal (id, parties, context, what), the sealed record's
id and the rating body. The reveal record's own id cannot be inside (it would hash its own
proof), so the credential's ``revealedRecord`` (its id) is the **sealed** record's id and its
``validFrom`` is ``vc.created``.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from dataclasses import dataclass
from typing import Any, Final

import base58

from smd_desktop.core import canonical
from smd_desktop.core.identity import RootKey
from smd_desktop.core.ids import IdentityKey, RecordId, did_key
from smd_desktop.core.plugins import Connection

from .credentials import (
    CredentialError,
    CredentialInputError,
    RatingFacts,
    rating_credential,
    verification_method,
    verify_credential,
)
from .records import REVEAL_AFTER_MS, SALT_SIZE, RatingBody, seal, validate_rating_body

log = logging.getLogger("smd.plugins.ratings")

_PROOF_PREFIX: Final = "z"  # multibase base58btc


@dataclass(frozen=True, slots=True)
class Secret:
    """A sealed rating of mine, with what opens it."""

    deal_id: bytes
    ratee: IdentityKey
    salt: bytes
    body: RatingBody
    commitment: bytes
    created: int
    reveal_id: RecordId | None


def new_secret(deal_id: bytes, ratee: IdentityKey, body: RatingBody, now: int) -> Secret:
    """A fresh random salt and the commitment to publish."""
    salt = os.urandom(SALT_SIZE)
    return Secret(deal_id, ratee, salt, body, seal(deal_id, ratee, salt, body), now, None)


def store_secret(conn: Connection, secret: Secret) -> None:
    """Keep the secret before its sealed record is published (a lost salt can never open it)."""
    conn.execute(
        "INSERT INTO ratings_secrets (deal_id, commitment, ratee, salt, rating, created) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            secret.deal_id,
            secret.commitment,
            secret.ratee,
            secret.salt,
            canonical.encode(secret.body.content()),
            secret.created,
        ),
    )


def secrets(conn: Connection, *, unrevealed: bool = False) -> list[Secret]:
    """My sealed ratings' secrets, oldest first."""
    where = " WHERE reveal_id IS NULL" if unrevealed else ""
    return [
        Secret(
            bytes(deal),
            IdentityKey(bytes(ratee)),
            bytes(salt),
            validate_rating_body(canonical.decode(bytes(body))),
            bytes(commitment),
            int(created),
            None if reveal is None else RecordId(bytes(reveal)),
        )
        for deal, commitment, ratee, salt, body, created, reveal in conn.execute(
            "SELECT deal_id, commitment, ratee, salt, rating, created, reveal_id "
            f"FROM ratings_secrets{where} ORDER BY created, deal_id"
        )
    ]


def has_secret(conn: Connection, deal_id: bytes) -> bool:
    """Whether I sealed a rating of this deal from this profile."""
    return (
        conn.execute("SELECT 1 FROM ratings_secrets WHERE deal_id = ?", (deal_id,)).fetchone()
        is not None
    )


@dataclass(frozen=True, slots=True)
class DueReveal:
    """A reveal to publish now: my counted sealed record and the deal's facts."""

    secret: Secret
    sealed_id: RecordId
    sealed_ts: int
    context: str
    what: str


def due_reveals(
    conn: Connection, me: bytes, now: int
) -> tuple[list[DueReveal], list[tuple[bytes, bytes]]]:
    """The reveals due now, and (deal, reveal id) of the secrets whose reveal is already
    indexed (done elsewhere: another device of mine, or a publish whose bookkeeping was
    interrupted)."""
    due: list[DueReveal] = []
    done: list[tuple[bytes, bytes]] = []
    for secret in secrets(conn, unrevealed=True):
        row = conn.execute(
            "SELECT r.sealed_id, r.sealed_ts, r.reveal_id, raw.sealed, d.context, d.what, "
            "(SELECT 1 FROM ratings_ratings AS o WHERE o.deal_id = r.deal_id AND o.rater != ?)"
            " FROM ratings_ratings AS r JOIN ratings_rating_records AS raw "
            "ON raw.record_id = r.sealed_id JOIN ratings_deals AS d ON d.deal_id = r.deal_id "
            "WHERE r.deal_id = ? AND r.rater = ?",
            (me, secret.deal_id, me),
        ).fetchone()
        if row is None or bytes(row[3]) != secret.commitment:
            continue  # not indexed yet (or another sealed record of mine counts)
        if row[2] is not None:
            done.append((secret.deal_id, bytes(row[2])))
            continue
        if row[6] is not None or now - int(row[1]) >= REVEAL_AFTER_MS:
            due.append(
                DueReveal(secret, RecordId(bytes(row[0])), int(row[1]), str(row[4]), str(row[5]))
            )
    return due, done


def facts_of(
    *,
    rater: bytes,
    ratee: bytes,
    deal_id: bytes,
    body: dict[str, Any],
    context: str,
    what: str,
    sealed_id: bytes,
    created: int,
) -> RatingFacts:
    """The credential's facts, from what both parties know (see the module doc)."""
    return RatingFacts(
        rater=rater,
        ratee=ratee,
        deal_id=deal_id,
        overall=body["overall"],
        aspects=dict(body.get("aspects", {})),
        text=body.get("text", ""),
        context=context,
        what=what,
        sealed_record=sealed_id,
        revealed_record=sealed_id,
        revealed_at=created,
    )


def reveal_content(due: DueReveal, root: RootKey, now: int) -> dict[str, Any]:
    """The ``ratings/rating/1`` reveal of ``due``, with the credential proof by ``root``.

    A proof that cannot be made (a rating the credential model cannot express) never holds
    the reveal back: the reveal goes out without ``vc`` and the rating simply cannot be
    exported as a credential.
    """
    secret = due.secret
    body = secret.body.content()
    content: dict[str, Any] = {
        "deal": secret.deal_id,
        "ratee": secret.ratee,
        "opens": due.sealed_id,
        "salt": secret.salt,
        "rating": body,
    }
    try:
        facts = facts_of(
            rater=root.public,
            ratee=secret.ratee,
            deal_id=secret.deal_id,
            body=body,
            context=due.context,
            what=due.what,
            sealed_id=due.sealed_id,
            created=now,
        )
        credential = rating_credential(facts, issuer=root, created_ms=now)
    except (CredentialInputError, CredentialError) as exc:
        log.warning("ratings: reveal of %s without a credential: %s", due.sealed_id.hex(), exc)
        return content
    proof_value = credential["proof"]["proofValue"]
    content["vc"] = {"created": now, "proof": base58.b58decode(proof_value[len(_PROOF_PREFIX) :])}
    return content


def mark_revealed(conn: Connection, deal_id: bytes, reveal_id: bytes) -> None:
    """Remember that the secret of ``deal_id`` was opened by ``reveal_id``."""
    conn.execute("UPDATE ratings_secrets SET reveal_id = ? WHERE deal_id = ?", (reveal_id, deal_id))


def credential_of(facts: RatingFacts, created: int, proof: bytes) -> dict[str, Any] | None:
    """Rebuild the signed credential of a revealed rating from its facts and the proof the
    reveal carries; None when the proof does not hold (the rater's fault: not exported).

    The document is the one :func:`rating_credential` makes, with the rater's proof value:
    built here with a stand-in key of the same shape, then the issuer's parts replaced, and
    checked with :func:`verify_credential` (so a rebuild that differs in any byte fails).
    """
    stand_in = RootKey(b"\x01" * 32)
    if stand_in.public in (facts.rater, facts.ratee):  # pragma: no cover - 2**-256
        return None
    try:
        template = rating_credential(
            dataclasses.replace(facts, rater=stand_in.public), issuer=stand_in, created_ms=created
        )
    except CredentialInputError as exc:
        log.info("ratings: credential of %s cannot be built: %s", facts.sealed_record.hex(), exc)
        return None
    template["issuer"] = did_key(IdentityKey(facts.rater))
    template["proof"]["verificationMethod"] = verification_method(IdentityKey(facts.rater))
    template["proof"]["proofValue"] = _PROOF_PREFIX + base58.b58encode(proof).decode("ascii")
    try:
        verify_credential(template)
    except CredentialError as exc:
        log.info("ratings: the proof of %s does not hold: %s", facts.sealed_record.hex(), exc)
        return None
    return template
