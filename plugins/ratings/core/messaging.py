"""The one place the Ratings plugin touches SMD's direct messages (``profile.plugins.direct``).

Offers, acceptances and refusals travel directly between the two parties, never through
feeds. Every payload is canonical msgpack; what a third party must be able to check (the
offer's and the acceptance's signatures) is signed inside it, so the channel only needs to
get it there:

| kind | payload | the receiver |
|---|---|---|
| ``ratings/offer`` | ``Offer.encode()``: ``{terms, offer: {cert, sig}}`` | stores it as received |
| ``ratings/accept`` | the co-signed ``ratings/deal/1`` content | publishes the receipt too |
| ``ratings/decline`` | ``{deal: deal id}`` | marks the offer declined |

Every message is answered with ``{ok: true}`` or ``{ok: false, why: text}`` (a message the
receiver cannot use is answered, not refused: a refusal would only make the sender retry).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from smd_desktop.core import canonical
from smd_desktop.core.errors import CodecError
from smd_desktop.core.ids import IdentityKey
from smd_desktop.core.plugins import DirectMessage

if TYPE_CHECKING:
    from smd_desktop.core.profile import Profile

OFFER: Final = "ratings/offer"
ACCEPT: Final = "ratings/accept"
DECLINE: Final = "ratings/decline"
KINDS: Final = (OFFER, ACCEPT, DECLINE)
MAX_REPLY_WHY: Final = 200


@dataclass(frozen=True, slots=True)
class Incoming:
    """A direct message for the plugin, as the facade handles it."""

    sender: IdentityKey
    kind: str
    payload: bytes


def send(profile: Profile, to: IdentityKey, kind: str, payload: dict[str, Any] | bytes) -> None:
    """Queue a message for ``to``; SMD delivers it when one of their devices is reachable.

    Raises:
        UserError: the message cannot be queued (too large, too many waiting).
    """
    data = payload if isinstance(payload, bytes) else canonical.encode(payload)
    profile.plugins.direct.send(to, kind, data)


def incoming(message: DirectMessage) -> Incoming:
    """SMD's received message in our terms."""
    return Incoming(message.sender, message.kind, message.payload)


def reply(ok: bool, why: str = "") -> bytes:
    """The answer to a message: accepted, or not usable and why (a short sentence)."""
    body: dict[str, Any] = {"ok": ok}
    if not ok:
        body["why"] = why[:MAX_REPLY_WHY]
    return canonical.encode(body)


def parse_reply(data: bytes) -> tuple[bool, str]:
    """(ok, why) of a reply; anything unreadable is ``(False, "unreadable reply")``."""
    try:
        body = canonical.decode(data, max_size=1024)
    except CodecError:
        return False, "unreadable reply"
    if not isinstance(body, dict) or not isinstance(body.get("ok"), bool):
        return False, "unreadable reply"
    why = body.get("why", "")
    return body["ok"], why if isinstance(why, str) else ""


def decode(payload: bytes, max_size: int = 64 * 1024) -> Any:
    """A payload's canonical msgpack value (raises ``CodecError``)."""
    return canonical.decode(payload, max_size=max_size)
