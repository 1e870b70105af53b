"""``ratings/import/1``: the content an import publishes, every validator rule, the link token
(a fixed vector), and a round trip over arbitrary valid summaries."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import plugins.ratings
from plugins.ratings.core.imports import (
    MAX_CATEGORIES,
    MAX_MS,
    MAX_ROWS,
    PLATFORM_NAMES,
    ImportRefused,
    ImportSummary,
    Platform,
    check_import_author,
    import_content,
    link_token,
    normalize_profile_url,
    parse_ebay,
    profile_url_problem,
    validate_import,
)
from smd_desktop.core import canonical
from smd_desktop.core.errors import InvalidRecord

SAMPLES = Path(plugins.ratings.__file__).parent / "samples"
ADA = bytes(range(32))
BOB = bytes(range(1, 33))
EBAY = "https://www.ebay.com/usr/ada_cameras"
TOKEN = "smd-o7f7xazjtyubjbyjxygcdcq3pi"
"""link_token(bytes(range(32)), "ebay", EBAY): a fixed vector other implementations can check."""


def invalid(message: str) -> pytest.RaisesExc[InvalidRecord]:
    return pytest.raises(InvalidRecord, match=f"^{re.escape(message)}$")


# -- the link token ---------------------------------------------------------------------------


def test_link_token_fixed_vector() -> None:
    assert link_token(ADA, "ebay", EBAY) == TOKEN
    assert link_token(ADA, Platform.EBAY, EBAY) == TOKEN


def test_link_token_is_the_documented_construction() -> None:
    digest = hashlib.blake2b(
        b"smd-ratings/link/1\0" + ADA + b"ebay" + EBAY.encode(), digest_size=16
    ).digest()
    assert "smd-" + base64.b32encode(digest).decode().rstrip("=").lower() == TOKEN
    assert len(TOKEN) == 30


def test_link_token_depends_on_identity_platform_and_exact_url() -> None:
    tokens = {
        link_token(ADA, "ebay", EBAY),
        link_token(BOB, "ebay", EBAY),
        link_token(ADA, "csv", EBAY),
        link_token(ADA, "ebay", EBAY + "/"),
    }
    assert len(tokens) == 4


def test_link_token_needs_a_32_byte_identity() -> None:
    with pytest.raises(ValueError, match=r"^identity must be 32 bytes$"):
        link_token(ADA[:31], "ebay", EBAY)


def test_check_import_author_accepts_the_author_and_refuses_anyone_else() -> None:
    content = {"platform": "ebay", "profile_url": EBAY, "link_token": TOKEN}
    check_import_author(content, ADA)
    check_import_author({"platform": "ebay", "profile_url": EBAY}, BOB)  # no token, no claim
    with invalid("link_token was not made for this author and profile"):
        check_import_author(content, BOB)
    with invalid("link_token was not made for this author and profile"):
        check_import_author({**content, "profile_url": EBAY + "x"}, ADA)


# -- import_content -------------------------------------------------------------------------


def test_import_content_of_the_ebay_sample_is_exact() -> None:
    data = (SAMPLES / "ebay_feedback.csv").read_bytes()
    summary = parse_ebay(data, EBAY)
    plain = {
        "platform": "ebay",
        "profile_url": EBAY,
        "count": 14,
        "positive_bp": 9230,
        "period": {"from": 1_704_412_800_000, "until": 1_719_566_142_000},
        "categories": ["as seller", "as buyer"],
        "file_digest": hashlib.blake2b(data, digest_size=32).digest(),
    }
    assert import_content(summary, ADA, link=False) == plain
    assert import_content(summary, ADA, link=True) == {**plain, "link_token": TOKEN}
    assert type(import_content(summary, ADA, link=False)["platform"]) is str


def test_import_content_of_a_csv_import_names_the_platform() -> None:
    summary = ImportSummary(
        platform=Platform.CSV,
        platform_name="Vinted",
        profile_url="https://www.vinted.com/member/1",
        count=1,
        positive_bp=None,
        average_x100=500,
        period_from_ms=5,
        period_until_ms=5,
        categories=(),
        file_digest=bytes(32),
    )
    assert import_content(summary, ADA, link=False) == {
        "platform": "csv",
        "platform_name": "Vinted",
        "profile_url": "https://www.vinted.com/member/1",
        "count": 1,
        "average_x100": 500,
        "period": {"from": 5, "until": 5},
        "file_digest": bytes(32),
    }


def test_a_summary_that_would_make_an_invalid_record_cannot_be_built() -> None:
    good: dict[str, Any] = {
        "platform": Platform.EBAY,
        "platform_name": "eBay",
        "profile_url": EBAY,
        "count": 2,
        "positive_bp": 5000,
        "average_x100": None,
        "period_from_ms": 1,
        "period_until_ms": 2,
        "categories": (),
        "file_digest": bytes(32),
    }
    ImportSummary(**good)
    with pytest.raises(ImportRefused, match=r"^the platform name of ebay imports is eBay$"):
        ImportSummary(**{**good, "platform_name": "Ebay"})
    with pytest.raises(ImportRefused, match=r"^platform must be one of ebay, etsy, airbnb, csv$"):
        ImportSummary(**{**good, "platform": "ebay"})
    with pytest.raises(
        ImportRefused, match=r"^the summary cannot be imported: count must be from 1 to 200000$"
    ):
        ImportSummary(**{**good, "count": 0})


def test_from_content_reads_back_the_summary() -> None:
    summary = parse_ebay((SAMPLES / "ebay_feedback.csv").read_bytes(), EBAY)
    assert ImportSummary.from_content(import_content(summary, ADA, link=True)) == summary
    with invalid("an import lacks field(s): count"):
        ImportSummary.from_content(changed(BASE, count=DROP))


# -- validate_import: every rule ----------------------------------------------------------------

BASE: dict[str, Any] = {
    "platform": "ebay",
    "profile_url": EBAY,
    "count": 14,
    "positive_bp": 9230,
    "period": {"from": 1_704_412_800_000, "until": 1_719_566_142_000},
    "categories": ["as seller", "as buyer"],
    "file_digest": bytes(32),
    "link_token": TOKEN,
}
ETSY: dict[str, Any] = {
    "platform": "etsy",
    "profile_url": "https://www.etsy.com/shop/AdaCeramics",
    "count": 10,
    "average_x100": 420,
    "period": {"from": 1, "until": 2},
    "file_digest": bytes(32),
}
CSV: dict[str, Any] = {**ETSY, "platform": "csv", "platform_name": "Vinted"}
DROP = object()


def changed(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    content = {**base, **changes}
    return {key: value for key, value in content.items() if value is not DROP}


def test_valid_imports_pass() -> None:
    validate_import(BASE)
    validate_import(ETSY)
    validate_import(changed(ETSY, platform="airbnb", profile_url="https://www.airbnb.co.uk/u/1"))
    validate_import(CSV)
    validate_import(changed(CSV, average_x100=DROP, positive_bp=0))
    validate_import(changed(CSV, positive_bp=10_000, average_x100=100))
    validate_import(changed(CSV, profile_url="https://shop.example.org/reviews?id=7&x=%2F"))
    validate_import(changed(BASE, count=1, period={"from": 0, "until": 0}))
    validate_import(changed(BASE, count=MAX_ROWS, period={"from": 0, "until": MAX_MS}))
    validate_import(changed(BASE, categories=[f"c{n}" for n in range(MAX_CATEGORIES)]))
    validate_import(changed(BASE, categories=["x" * 64], link_token=DROP))
    for host in ("ebay.de", "m.ebay.com.au", "www.ebay.co.jp", "pages.ebay.ie"):
        validate_import(changed(BASE, profile_url=f"https://{host}/usr/ada"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (changed(BASE, count=DROP, period=DROP), "an import lacks field(s): count, period"),
        (changed(BASE, stars=5), "an import has unknown field(s): stars"),
        (changed(BASE, platform="amazon"), "platform must be one of ebay, etsy, airbnb, csv"),
        (changed(BASE, platform=b"ebay"), "platform must be one of ebay, etsy, airbnb, csv"),
        (changed(CSV, platform_name=DROP), "platform_name is required when platform is csv"),
        (changed(BASE, platform_name="eBay"), "platform_name is only for platform csv"),
        (changed(CSV, platform_name=""), "platform_name must not be empty"),
        (changed(CSV, platform_name="x" * 65), "platform_name is longer than 64 characters"),
        (changed(CSV, platform_name="a\tb"), "platform_name must not contain control characters"),
        (changed(CSV, platform_name="a\x85b"), "platform_name must not contain control characters"),
        (changed(CSV, platform_name=" Vinted"), "platform_name must not start or end with spaces"),
        (changed(CSV, platform_name=7), "platform_name must be text"),
        (changed(BASE, profile_url=b"https://www.ebay.com/"), "profile_url must be text"),
        (
            changed(BASE, profile_url="https://www.eBay.com/usr/ada"),
            "profile_url is not an https URL in normal form",
        ),
        (
            changed(BASE, profile_url="http://www.ebay.com/usr/ada"),
            "profile_url is not an https URL in normal form",
        ),
        (
            changed(BASE, profile_url="https://www.ebay.com"),
            "profile_url is not an https URL in normal form",
        ),
        (
            changed(BASE, profile_url="https://www.ebay.com:443/"),
            "profile_url is not an https URL in normal form",
        ),
        (
            changed(BASE, profile_url="https://www.ebay.com/#top"),
            "profile_url is not an https URL in normal form",
        ),
        (
            changed(BASE, profile_url="https://www.ebay.com/?"),
            "profile_url is not an https URL in normal form",
        ),
        (
            changed(BASE, profile_url="https://www.ebay.com/a b"),
            "profile_url is not an https URL in normal form",
        ),
        (
            changed(BASE, profile_url="https://www.ebay.com/%zz"),
            "profile_url has a '%' that starts no %XX escape",
        ),
        (
            changed(BASE, profile_url="https://www.ebay.com/" + "a" * 1980),
            "profile_url is longer than 2000 characters",
        ),
        (
            changed(CSV, profile_url="https://" + "a." * 126 + "ab/"),
            "profile_url has a host longer than 253 characters",
        ),
        (
            changed(BASE, profile_url="https://ebay.example.com/usr/ada"),
            "profile_url is not an address on eBay (such as https://www.ebay.com/usr/NAME)",
        ),
        (
            changed(BASE, profile_url="https://notebay.com/usr/ada"),
            "profile_url is not an address on eBay (such as https://www.ebay.com/usr/NAME)",
        ),
        (
            changed(ETSY, profile_url="https://www.ebay.com/usr/ada"),
            "profile_url is not an address on Etsy (such as https://www.etsy.com/shop/NAME)",
        ),
        (changed(BASE, count=0), "count must be from 1 to 200000"),
        (changed(BASE, count=MAX_ROWS + 1), "count must be from 1 to 200000"),
        (changed(BASE, count=True), "count must be a whole number"),
        (changed(BASE, count=14.0), "count must be a whole number"),
        (changed(BASE, positive_bp=-1), "positive_bp must be from 0 to 10000"),
        (changed(BASE, positive_bp=10_001), "positive_bp must be from 0 to 10000"),
        (changed(BASE, positive_bp="9230"), "positive_bp must be a whole number"),
        (changed(ETSY, average_x100=99), "average_x100 must be from 100 to 500"),
        (changed(ETSY, average_x100=501), "average_x100 must be from 100 to 500"),
        (changed(ETSY, average_x100=4.2), "average_x100 must be a whole number"),
        (changed(BASE, average_x100=420), "an eBay import has positive_bp and no average_x100"),
        (changed(BASE, positive_bp=DROP), "an eBay import has positive_bp and no average_x100"),
        (changed(ETSY, average_x100=DROP, positive_bp=9000), "an Etsy import has average_x100"),
        (
            changed(
                ETSY,
                platform="airbnb",
                profile_url="https://www.airbnb.com/users/show/1",
                average_x100=DROP,
                positive_bp=1,
            ),
            "an Airbnb import has average_x100",
        ),
        (changed(CSV, average_x100=DROP), "an import has positive_bp, average_x100 or both"),
        (changed(BASE, period=[1, 2]), "period must be a map"),
        (changed(BASE, period={"from": 1}), "period lacks field(s): until"),
        (changed(BASE, period={"from": 1, "until": 2, "tz": 0}), "period has unknown field(s): tz"),
        (
            changed(BASE, period={"from": 3, "until": 2}),
            "period.from must not be after period.until",
        ),
        (
            changed(BASE, period={"from": -1, "until": 2}),
            "period.from must be from 0 to 253402300799999",
        ),
        (
            changed(BASE, period={"from": 1, "until": MAX_MS + 1}),
            "period.until must be from 0 to 253402300799999",
        ),
        (
            changed(BASE, period={"from": 1, "until": "2024-01-01"}),
            "period.until must be a whole number",
        ),
        (
            changed(BASE, count=1),
            "a single rating has one date, so period.from must equal period.until",
        ),
        (changed(BASE, categories=[]), "categories must be a list of 1 to 20 labels"),
        (
            changed(BASE, categories=[f"c{n}" for n in range(21)]),
            "categories must be a list of 1 to 20 labels",
        ),
        (changed(BASE, categories="as seller"), "categories must be a list of 1 to 20 labels"),
        (changed(BASE, categories=["a", "b", "a"]), "categories must be unique"),
        (changed(BASE, categories=["a", ""]), "a category must not be empty"),
        (changed(BASE, categories=["a", 1]), "a category must be text"),
        (changed(BASE, categories=["x" * 65]), "a category is longer than 64 characters"),
        (changed(BASE, file_digest=bytes(31)), "file_digest must be 32 bytes"),
        (changed(BASE, file_digest="00" * 32), "file_digest must be 32 bytes"),
        (
            changed(BASE, link_token=TOKEN.upper()),
            "link_token must be 'smd-' and 26 base32 characters",
        ),
        (
            changed(BASE, link_token=TOKEN + "a"),
            "link_token must be 'smd-' and 26 base32 characters",
        ),
        (
            changed(BASE, link_token="smd-" + "1" * 26),
            "link_token must be 'smd-' and 26 base32 characters",
        ),
        (
            changed(BASE, link_token=TOKEN.encode()),
            "link_token must be 'smd-' and 26 base32 characters",
        ),
    ],
)
def test_invalid_imports_are_rejected(content: dict[str, Any], message: str) -> None:
    with invalid(message):
        validate_import(content)


# -- round trips over arbitrary valid summaries ------------------------------------------------

_HOSTS = {
    Platform.EBAY: ("www.ebay.com", "ebay.de", "www.ebay.co.uk", "m.ebay.com.au"),
    Platform.ETSY: ("www.etsy.com", "etsy.com"),
    Platform.AIRBNB: ("www.airbnb.com", "www.airbnb.fr", "airbnb.com.br"),
    Platform.CSV: ("www.vinted.com", "shop.example.org", "xn--bcher-kva.example"),
}
labels = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=64
).filter(lambda text: text == text.strip())
paths = st.text(alphabet="abcXYZ019-._~!$&'()*+,;=:@/", max_size=60)


@st.composite
def summaries(draw: st.DrawFn) -> ImportSummary:
    platform = draw(st.sampled_from(list(Platform)))
    url = f"https://{draw(st.sampled_from(_HOSTS[platform]))}/{draw(paths)}"
    count = draw(st.integers(1, MAX_ROWS))
    positive_bp = draw(st.none() | st.integers(0, 10_000))
    average_x100 = draw(st.none() | st.integers(100, 500))
    if platform is Platform.EBAY:
        positive_bp, average_x100 = draw(st.integers(0, 10_000)), None
    elif platform is not Platform.CSV and average_x100 is None:
        average_x100 = draw(st.integers(100, 500))
    elif positive_bp is None and average_x100 is None:
        positive_bp = 0
    start = draw(st.integers(0, MAX_MS))
    end = start if count == 1 else draw(st.integers(start, MAX_MS))
    return ImportSummary(
        platform=platform,
        platform_name=PLATFORM_NAMES.get(platform) or draw(labels),
        profile_url=url,
        count=count,
        positive_bp=positive_bp,
        average_x100=average_x100,
        period_from_ms=start,
        period_until_ms=end,
        categories=tuple(draw(st.lists(labels, max_size=MAX_CATEGORIES, unique=True))),
        file_digest=draw(st.binary(min_size=32, max_size=32)),
    )


@given(summaries(), st.binary(min_size=32, max_size=32), st.booleans())
def test_import_content_of_any_valid_summary_is_valid_and_reads_back(
    summary: ImportSummary, identity: bytes, link: bool
) -> None:
    content = import_content(summary, identity, link=link)
    validate_import(content)
    assert canonical.decode(canonical.encode(content)) == content  # no floats, all canonical
    assert ImportSummary.from_content(content) == summary
    assert ("link_token" in content) is link
    check_import_author(content, identity)


@given(st.text(max_size=80))
def test_normalizing_a_url_gives_a_fixed_point_in_normal_form_or_refuses(text: str) -> None:
    try:
        url = normalize_profile_url(text)
    except ImportRefused:
        return
    assert profile_url_problem(url) is None
    assert normalize_profile_url(url) == url


@given(st.from_regex(r"\Ahttps://[a-zA-Z0-9.\-]{1,20}\.[a-z]{2,5}(/[ -~]{0,30})?\Z"))
def test_url_like_text_normalizes_to_a_fixed_point(text: str) -> None:
    try:
        url = normalize_profile_url(text)
    except ImportRefused:
        return
    assert profile_url_problem(url) is None
    assert normalize_profile_url(url) == url
