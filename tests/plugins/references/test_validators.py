"""The pure validators of ``references/entry/1`` and ``references/endorse/1``, and the
identifier check digits they rely on."""

from __future__ import annotations

import re
from typing import Any

import pytest

from plugins.references.core import validate_endorsement, validate_entry
from plugins.references.core.identifiers import isbn13_of, normalize_identifier
from smd_desktop.core.errors import InvalidRecord, UserError

from .support import entry_content

AFFILIATE = [{"network": "Amazon", "url": "https://www.amazon.com/dp/B08N5WRWNW?tag=me-20"}]


def _rejects(content: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRecord, match=rf"^{re.escape(message)}$"):
        validate_entry(content)


def test_a_complete_entry_is_valid() -> None:
    validate_entry(
        entry_content(
            category=["Audio", "Microphones"],
            note="Warm voice.\nNo pop filter needed.",
            tags=["audio", "podcast-gear"],
            ids={"gtin": "0036000291452", "asin": "B0002E4Z8M"},
            since="2019-03",
            until="2024",
            still_using=False,
            verdict="recommend",
            affiliate=AFFILIATE,
            disclose=["affiliate", "free", "owner", "sponsored"],
        )
    )


def test_a_minimal_entry_is_valid() -> None:
    validate_entry(entry_content())


def test_an_affiliate_link_without_the_affiliate_disclosure_is_rejected() -> None:
    _rejects(
        entry_content(affiliate=AFFILIATE, disclose=["free"]),
        "affiliate links require the affiliate disclosure",
    )


def test_the_affiliate_disclosure_alone_is_allowed() -> None:
    validate_entry(entry_content(disclose=["affiliate"]))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": None}, "missing field(s): title"),
        ({"disclose": None}, "missing field(s): disclose"),
        ({"rating": 5}, "unknown field(s): rating"),
        (
            {"slug": "Shure SM7B"},
            "slug must be 1 to 64 lowercase letters or digits in runs joined by -",
        ),
        ({"slug": "a--b"}, "slug must be 1 to 64 lowercase letters or digits in runs joined by -"),
        (
            {"slug": "a" * 65},
            "slug must be 1 to 64 lowercase letters or digits in runs joined by -",
        ),
        ({"title": "  "}, "title must not be blank"),
        ({"title": "x" * 201}, "title is longer than 200 characters"),
        ({"title": "two\nlines"}, "title contains control characters"),
        ({"url": "ftp://example.com/"}, "url: only http:// and https:// URLs are allowed"),
        (
            {"url": "https://Example.com/"},
            "url is not in normal form (expected https://example.com/)",
        ),
        (
            {"url": "https://example.com"},
            "url is not in normal form (expected https://example.com/)",
        ),
        (
            {"url": "https://example.com/?tag=me-20&utm_source=x"},
            "url carries tracking or affiliate parameters (tag, utm_source)",
        ),
        (
            {"disclose": ["sponsored", "affiliate"]},
            "disclose must be a sorted list of unique flags among "
            "('affiliate', 'free', 'owner', 'sponsored')",
        ),
        (
            {"disclose": ["free", "free"]},
            "disclose must be a sorted list of unique flags among "
            "('affiliate', 'free', 'owner', 'sponsored')",
        ),
        (
            {"disclose": ["paid"]},
            "disclose must be a sorted list of unique flags among "
            "('affiliate', 'free', 'owner', 'sponsored')",
        ),
        ({"category": []}, "category must be a list of 1 to 8 items"),
        ({"category": ["a"] * 9}, "category must be a list of 1 to 8 items"),
        ({"category": ["Audio/Mics"]}, "a category segment has no '/' and no surrounding spaces"),
        ({"category": [" Audio"]}, "a category segment has no '/' and no surrounding spaces"),
        ({"category": ["x" * 65]}, "a category segment is longer than 64 characters"),
        ({"note": ""}, "note must not be blank"),
        ({"note": "x" * 5001}, "note is longer than 5000 characters"),
        ({"note": "bell\x07"}, "note contains control characters"),
        ({"tags": ["Audio"]}, "a tag is 1-32 lowercase letters, digits, '_' or '-'"),
        ({"tags": ["a b"]}, "a tag is 1-32 lowercase letters, digits, '_' or '-'"),
        ({"tags": ["a", "a"]}, "tags must be unique"),
        ({"tags": [str(i) for i in range(11)]}, "tags must be a list of 1 to 10 items"),
        ({"ids": {}}, "ids must be a map with some of asin, doi, gtin, isbn"),
        ({"ids": {"upc": "1"}}, "ids: unknown field(s): upc"),
        ({"ids": {"gtin": "4006381333932"}}, "ids.gtin: the GTIN/EAN check digit is wrong"),
        ({"ids": {"gtin": "400638133393"}}, "ids.gtin: the GTIN/EAN check digit is wrong"),
        ({"ids": {"gtin": "12345"}}, "ids.gtin: a GTIN/EAN is 8, 12, 13 or 14 digits"),
        ({"ids": {"isbn": "0306406153"}}, "ids.isbn: the ISBN-10 check digit is wrong"),
        ({"ids": {"isbn": "9780306406158"}}, "ids.isbn: the ISBN-13 check digit is wrong"),
        (
            {"ids": {"isbn": "0-306-40615-2"}},
            "ids.isbn: an ISBN is 10 characters (digits, last may be X)"
            " or 13 digits starting 978/979",
        ),
        ({"ids": {"asin": "b0002e4z8m"}}, "ids.asin: an ASIN is 10 uppercase letters or digits"),
        ({"ids": {"doi": "doi:10.1000/x"}}, "ids.doi: a DOI looks like 10.1234/suffix"),
        ({"since": "2019-13"}, "since is not a real date"),
        ({"since": "2019-02-30"}, "since is not a real date"),
        ({"since": "March 2019"}, "since must be a date YYYY, YYYY-MM or YYYY-MM-DD"),
        ({"since": "0999"}, "since must be after the year 1000"),
        ({"until": "2020"}, "until requires still_using to be false"),
        ({"until": "2020", "still_using": True}, "until requires still_using to be false"),
        (
            {"since": "2020-05", "until": "2020-04-30", "still_using": False},
            "until is before since",
        ),
        ({"still_using": 1}, "still_using must be true or false"),
        ({"verdict": "great"}, "verdict must be one of essential, recommend, mixed, avoid"),
        (
            {
                "affiliate": [{"network": "A", "url": "https://a.example/"}] * 2,
                "disclose": ["affiliate"],
            },
            "affiliate links must be unique",
        ),
        (
            {"affiliate": [{"network": "A"}], "disclose": ["affiliate"]},
            "affiliate[0]: missing field(s): url",
        ),
        (
            {
                "affiliate": [{"network": "A", "url": "https://a.example"}],
                "disclose": ["affiliate"],
            },
            "affiliate[0].url is not in normal form (expected https://a.example/)",
        ),
        (
            {
                "affiliate": [{"network": " ", "url": "https://a.example/"}],
                "disclose": ["affiliate"],
            },
            "affiliate[0].network must not be blank",
        ),
        ({"affiliate": [], "disclose": ["affiliate"]}, "affiliate must be a list of 1 to 5 items"),
    ],
)
def test_entry_rules(overrides: dict[str, Any], message: str) -> None:
    _rejects(entry_content(**overrides), message)


def test_until_may_be_coarser_than_since_in_the_same_period() -> None:
    validate_entry(entry_content(since="2020-05-10", until="2020", still_using=False))


def test_an_endorsement_names_an_entry_by_id_with_an_optional_note() -> None:
    validate_endorsement({"entry": bytes(32)})
    validate_endorsement({"entry": bytes(32), "note": "Bought one on her advice."})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({}, "missing field(s): entry"),
        ({"entry": bytes(31)}, "entry must be 32 bytes"),
        ({"entry": "ab" * 32}, "entry must be 32 bytes"),
        ({"entry": bytes(32), "note": " "}, "note must not be blank"),
        ({"entry": bytes(32), "note": "x" * 1001}, "note is longer than 1000 characters"),
        ({"entry": bytes(32), "stars": 5}, "unknown field(s): stars"),
    ],
)
def test_endorsement_rules(content: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRecord, match=rf"^{re.escape(message)}$"):
        validate_endorsement(content)


@pytest.mark.parametrize(
    ("kind", "typed", "stored"),
    [
        ("gtin", "4006381333931", "4006381333931"),
        ("gtin", "0 36000 29145 2", "036000291452"),
        ("gtin", "96385074", "96385074"),
        ("isbn", "0-306-40615-2", "0306406152"),
        ("isbn", "0-8044-2957-x", "080442957X"),
        ("isbn", "978-0-306-40615-7", "9780306406157"),
        ("asin", " b0002e4z8m ", "B0002E4Z8M"),
        ("doi", "https://doi.org/10.1000/xyz123", "10.1000/xyz123"),
        ("doi", "doi:10.1038/nphys1170", "10.1038/nphys1170"),
    ],
)
def test_identifiers_are_stored_in_one_form(kind: str, typed: str, stored: str) -> None:
    assert normalize_identifier(kind, typed) == stored
    validate_entry(entry_content(ids={kind: stored}))


def test_a_wrong_check_digit_is_a_user_error() -> None:
    with pytest.raises(UserError, match=r"^the ISBN-13 check digit is wrong: '978-0-306-40615-8'$"):
        normalize_identifier("isbn", "978-0-306-40615-8")


def test_an_isbn10_has_the_same_isbn13_as_printed_on_the_book() -> None:
    assert isbn13_of("0306406152") == "9780306406157"
    assert isbn13_of("080442957X") == "9780804429573"
