"""``ratings/witness/1`` and assurance levels: the witness content and its rules; self-asserted,
account-linked and witnessed from a viewer's seat, with expiry, clock skew, the latest
observation per witness, and a subject who witnesses themself."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pytest

from plugins.ratings.core.imports import (
    MAX_MS,
    WITNESS_CLOCK_SKEW_MS,
    WITNESS_VALID_MS,
    Assurance,
    FiguresSeen,
    WitnessFacts,
    assurance_of,
    link_token,
    validate_witness,
    witness_content,
)
from smd_desktop.core.errors import InvalidRecord, UserError

ADA, BOB, CAROL, DAN = (bytes([n]) * 32 for n in (1, 2, 3, 4))
IMPORT_ID = bytes(range(32))
EBAY = "https://www.ebay.com/usr/ada_cameras"
NOW = 1_760_000_000_000
DAY = 24 * 3600 * 1000
LINKED: dict[str, Any] = {
    "platform": "ebay",
    "profile_url": EBAY,
    "count": 14,
    "positive_bp": 9230,
    "period": {"from": 1, "until": 2},
    "file_digest": bytes(32),
    "link_token": link_token(ADA, "ebay", EBAY),
}
UNLINKED = {key: value for key, value in LINKED.items() if key != "link_token"}


def invalid(message: str) -> pytest.RaisesExc[InvalidRecord]:
    return pytest.raises(InvalidRecord, match=f"^{re.escape(message)}$")


def saw(
    witness: bytes,
    seen_ms: int = NOW - DAY,
    *,
    token_seen: bool = True,
    subject: bytes = ADA,
    url: str = EBAY,
) -> WitnessFacts:
    return WitnessFacts(witness, subject, url, token_seen, seen_ms)


def level(
    witnesses: Iterable[WitnessFacts],
    content: dict[str, Any] = LINKED,
    trusted: frozenset[bytes] = frozenset({ADA, BOB, CAROL}),
) -> Assurance:
    return assurance_of(content, witnesses, trusted.__contains__, NOW)


# -- witness_content -----------------------------------------------------------------------


def test_witness_content_is_exact() -> None:
    assert witness_content(IMPORT_ID, ADA, EBAY, True, NOW) == {
        "import": IMPORT_ID,
        "subject": ADA,
        "profile_url": EBAY,
        "token_seen": True,
        "seen": NOW,
    }
    assert witness_content(
        IMPORT_ID,
        ADA,
        EBAY,
        False,
        NOW,
        figures_seen=FiguresSeen(count=1520, positive_bp=9870),
        note=" Token gone from the profile text.\n",
    ) == {
        "import": IMPORT_ID,
        "subject": ADA,
        "profile_url": EBAY,
        "token_seen": False,
        "seen": NOW,
        "figures_seen": {"count": 1520, "positive_bp": 9870},
        "note": "Token gone from the profile text.",
    }


def test_witness_content_leaves_out_a_blank_note_and_takes_every_figure() -> None:
    content = witness_content(
        IMPORT_ID, ADA, EBAY, True, NOW, FiguresSeen(10, 8888, 420), note=" \n "
    )
    assert "note" not in content
    assert content["figures_seen"] == {"count": 10, "positive_bp": 8888, "average_x100": 420}
    validate_witness(content)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"note": "x" * 501},
            "the witness cannot be published: note is longer than 500 characters",
        ),
        (
            {"figures_seen": FiguresSeen(-1)},
            "the witness cannot be published: figures_seen.count must be from 0 to 1000000000",
        ),
        (
            {"figures_seen": FiguresSeen(5, average_x100=50)},
            "the witness cannot be published: figures_seen.average_x100 must be from 100 to 500",
        ),
        (
            {"seen_ms": -5},
            "the witness cannot be published: seen must be from 0 to 253402300799999",
        ),
        ({"subject": ADA[:8]}, "the witness cannot be published: subject must be 32 bytes"),
        (
            {"profile_url": "http://www.ebay.com/usr/ada"},
            "the profile URL must use https, not http",
        ),
    ],
)
def test_witness_content_refuses_bad_values(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {
        "import_record_id": IMPORT_ID,
        "subject": ADA,
        "profile_url": EBAY,
        "token_seen": True,
        "seen_ms": NOW,
    }
    with pytest.raises(UserError, match=f"^{re.escape(message)}$"):
        witness_content(**(args | kwargs))


def test_witness_content_normalizes_the_typed_url() -> None:
    content = witness_content(IMPORT_ID, ADA, "HTTPS://WWW.EBAY.COM/usr/ada_cameras", True, NOW)
    assert content["profile_url"] == EBAY


# -- validate_witness: every rule ---------------------------------------------------------------

BASE: dict[str, Any] = {
    "import": IMPORT_ID,
    "subject": ADA,
    "profile_url": EBAY,
    "token_seen": True,
    "seen": NOW,
    "figures_seen": {"count": 14, "positive_bp": 9230, "average_x100": 420},
    "note": "Seen in the profile's About text.\nChecked twice.",
}
DROP = object()


def changed(**changes: Any) -> dict[str, Any]:
    content = {**BASE, **changes}
    return {key: value for key, value in content.items() if value is not DROP}


def test_valid_witnesses_pass() -> None:
    validate_witness(BASE)
    validate_witness(changed(figures_seen=DROP, note=DROP, token_seen=False, seen=0))
    validate_witness(changed(figures_seen={"count": 0}, seen=MAX_MS))
    validate_witness(changed(figures_seen={"count": 1_000_000_000}, note="x" * 500))
    validate_witness(changed(profile_url="https://anything.example/at/all"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (changed(seen=DROP, token_seen=DROP), "a witness lacks field(s): seen, token_seen"),
        (changed(import_=IMPORT_ID), "a witness has unknown field(s): import_"),
        (changed(**{"import": IMPORT_ID[:31]}), "import must be 32 bytes"),
        (changed(**{"import": IMPORT_ID.hex()}), "import must be 32 bytes"),
        (changed(subject=ADA + b"\0"), "subject must be 32 bytes"),
        (
            changed(profile_url="https://www.eBay.com/usr/ada_cameras"),
            "profile_url is not an https URL in normal form",
        ),
        (changed(profile_url=None), "profile_url must be text"),
        (changed(token_seen=1), "token_seen must be true or false"),
        (changed(token_seen="yes"), "token_seen must be true or false"),
        (changed(seen=-1), "seen must be from 0 to 253402300799999"),
        (changed(seen=MAX_MS + 1), "seen must be from 0 to 253402300799999"),
        (changed(seen=False), "seen must be a whole number"),
        (changed(figures_seen=[14]), "figures_seen must be a map"),
        (changed(figures_seen={}), "figures_seen lacks field(s): count"),
        (
            changed(figures_seen={"count": 1, "stars": 5}),
            "figures_seen has unknown field(s): stars",
        ),
        (
            changed(figures_seen={"count": 1_000_000_001}),
            "figures_seen.count must be from 0 to 1000000000",
        ),
        (
            changed(figures_seen={"count": 1, "positive_bp": 10_001}),
            "figures_seen.positive_bp must be from 0 to 10000",
        ),
        (
            changed(figures_seen={"count": 1, "average_x100": 99}),
            "figures_seen.average_x100 must be from 100 to 500",
        ),
        (
            changed(figures_seen={"count": 1, "average_x100": 4.2}),
            "figures_seen.average_x100 must be a whole number",
        ),
        (changed(note=""), "note must be text, not blank"),
        (changed(note=" \n"), "note must be text, not blank"),
        (changed(note=b"hi"), "note must be text, not blank"),
        (changed(note="x" * 501), "note is longer than 500 characters"),
        (changed(note="tab\there"), "note must not contain control characters other than newlines"),
    ],
)
def test_invalid_witnesses_are_rejected(content: dict[str, Any], message: str) -> None:
    with invalid(message):
        validate_witness(content)


def test_witness_facts_from_content() -> None:
    assert WitnessFacts.from_content(BOB, BASE) == WitnessFacts(BOB, ADA, EBAY, True, NOW)


# -- assurance levels -----------------------------------------------------------------------------


def test_labels() -> None:
    assert [a.label for a in Assurance] == ["self-asserted", "account-linked", "witnessed"]


def test_no_token_is_self_asserted_whatever_the_witnesses() -> None:
    assert level([], UNLINKED) is Assurance.SELF_ASSERTED
    assert level([saw(BOB), saw(CAROL)], UNLINKED) is Assurance.SELF_ASSERTED


def test_a_token_without_witnesses_is_account_linked() -> None:
    assert level([]) is Assurance.ACCOUNT_LINKED


def test_a_trusted_witness_who_saw_the_token_makes_it_witnessed() -> None:
    assert level([saw(BOB)]) is Assurance.WITNESSED


def test_a_witness_the_viewer_does_not_trust_does_not_count() -> None:
    assert level([saw(DAN)]) is Assurance.ACCOUNT_LINKED
    assert level([saw(DAN), saw(CAROL)]) is Assurance.WITNESSED


def test_the_subject_cannot_witness_themself() -> None:
    assert level([saw(ADA)]) is Assurance.ACCOUNT_LINKED  # ADA is trusted, and still ignored


def test_not_seeing_the_token_never_raises_the_level() -> None:
    assert level([saw(BOB, token_seen=False), saw(CAROL, token_seen=False)]) is (
        Assurance.ACCOUNT_LINKED
    )


def test_a_witness_expires_after_180_days() -> None:
    assert level([saw(BOB, NOW - WITNESS_VALID_MS)]) is Assurance.WITNESSED
    assert level([saw(BOB, NOW - WITNESS_VALID_MS - 1)]) is Assurance.ACCOUNT_LINKED
    assert WITNESS_VALID_MS == 180 * DAY


def test_a_witness_from_the_future_counts_only_within_the_clock_skew() -> None:
    assert level([saw(BOB, NOW + WITNESS_CLOCK_SKEW_MS)]) is Assurance.WITNESSED
    assert level([saw(BOB, NOW + WITNESS_CLOCK_SKEW_MS + 1)]) is Assurance.ACCOUNT_LINKED


def test_only_each_witness_latest_observation_counts() -> None:
    earlier, later = saw(BOB, NOW - 10 * DAY), saw(BOB, NOW - DAY, token_seen=False)
    assert level([earlier, later]) is Assurance.ACCOUNT_LINKED
    assert level([later, earlier]) is Assurance.ACCOUNT_LINKED  # order of arrival is irrelevant
    seen_again = saw(BOB, NOW - DAY // 2)
    assert level([earlier, later, seen_again]) is Assurance.WITNESSED
    tie = [saw(BOB, NOW - DAY), saw(BOB, NOW - DAY, token_seen=False)]
    assert level(tie) is Assurance.ACCOUNT_LINKED  # on a tie, "not seen" wins
    assert level(reversed(tie)) is Assurance.ACCOUNT_LINKED


def test_one_witness_not_seeing_the_token_does_not_cancel_another_who_did() -> None:
    assert level([saw(BOB), saw(CAROL, NOW - 1, token_seen=False)]) is Assurance.WITNESSED


def test_an_ignored_future_observation_does_not_supersede_a_valid_one() -> None:
    future = saw(BOB, NOW + WITNESS_CLOCK_SKEW_MS + 1, token_seen=False)
    assert level([saw(BOB), future]) is Assurance.WITNESSED


def test_a_witness_of_another_profile_or_person_does_not_count() -> None:
    assert level([saw(BOB, url=EBAY + "/")]) is Assurance.ACCOUNT_LINKED
    assert level([saw(BOB, subject=DAN)]) is Assurance.ACCOUNT_LINKED  # DAN's token differs


def test_trust_is_asked_only_about_witnesses_who_saw_the_token() -> None:
    asked: list[bytes] = []

    def trusted(identity: bytes) -> bool:
        asked.append(identity)
        return identity == CAROL

    witnesses = [
        saw(BOB, token_seen=False),
        saw(ADA),
        saw(DAN, NOW - WITNESS_VALID_MS - 1),
        saw(CAROL),
    ]
    assert assurance_of(LINKED, witnesses, trusted, NOW) is Assurance.WITNESSED
    assert asked == [CAROL]
