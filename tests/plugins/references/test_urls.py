"""URL normalization: the frozen rules canonical and affiliate URLs must satisfy."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plugins.references.core import InvalidUrl, normalize_url, validate_entry
from plugins.references.core.urls import MAX_URL_CHARS, tracking_params

from .support import entry_content


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://example.com", "https://example.com/"),
        ("  HTTPS://WWW.Example.COM:443/Path#frag  ", "https://www.example.com/Path"),
        ("http://example.com:80/", "http://example.com/"),
        ("http://example.com:8080", "http://example.com:8080/"),
        ("https://example.com:80/", "https://example.com:80/"),
        ("http://example.com:0080/", "http://example.com/"),
        ("http://example.com:/x", "http://example.com/x"),
        ("http://example.com./", "http://example.com/"),
        ("http://[0:0::1]:8080/a", "http://[::1]:8080/a"),
        ("http://münchen.de/straße", "http://xn--mnchen-3ya.de/stra%C3%9Fe"),
        ("https://example.com/a b/%7e/%zz", "https://example.com/a%20b/%7E/%25zz"),
        ("https://example.com/?&&q=1&&page=2&", "https://example.com/?q=1&page=2"),
        ("https://example.com/p?", "https://example.com/p"),
        (
            "https://www.amazon.com/dp/B08N5WRWNW?tag=me-20&linkCode=ll1&th=1",
            "https://www.amazon.com/dp/B08N5WRWNW?th=1",
        ),
        (
            "https://shop.example/x?utm_source=a&UTM_Medium=b&fbclid=c&ref=d&id=7",
            "https://shop.example/x?id=7",
        ),
        ("https://shop.example/x?%74ag=me", "https://shop.example/x"),
    ],
)
def test_urls_are_normalized(text: str, expected: str) -> None:
    assert normalize_url(text) == expected


def test_affiliate_urls_keep_their_parameters() -> None:
    url = "https://www.amazon.com/dp/B08N5WRWNW?tag=me-20&linkCode=ll1#reviews"

    assert normalize_url(url, strip_tracking=False) == (
        "https://www.amazon.com/dp/B08N5WRWNW?tag=me-20&linkCode=ll1"
    )
    assert tracking_params(url) == ["tag", "linkCode"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the URL is empty"),
        ("ftp://example.com/", "only http:// and https:// URLs are allowed"),
        ("javascript:alert(1)", "only http:// and https:// URLs are allowed"),
        ("example.com", "only http:// and https:// URLs are allowed"),
        ("http:example.com", "the URL has no host"),
        ("http:///path", "the URL has no host"),
        ("https://user:pw@example.com/", "a URL with a user name or password is not allowed"),
        ("https://exa mple.com/", "the URL's host name is malformed"),
        ("https://-bad.example/", "the URL's host name is malformed"),
        ("https://example.com:99999/", "the URL's port must be a number from 1 to 65535"),
        ("https://example.com:x/", "the URL's port must be a number from 1 to 65535"),
        ("https://[::1/", "the URL's IPv6 address is not closed by ']'"),
        ("https://[zz]/", "the URL's IPv6 address is malformed"),
        ("https://example.com/\x00", "the URL contains control characters"),
        ("https://example.com/" + "a" * MAX_URL_CHARS, "the URL is longer than 2048 characters"),
    ],
)
def test_unacceptable_urls_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(InvalidUrl, match=rf"^{_re(message)}$"):
        normalize_url(text)


def _re(text: str) -> str:
    import re

    return re.escape(text)


_URL_CHARS = st.sampled_from(
    [*"aZ09-._~!$&'()*+,;=:@/?#%[] \"<>\\^`{|}", "é", "ß", "中", "%41", "%zz", "utm_x="]
)
_URLS = st.builds(
    lambda scheme, host, port, rest: f"{scheme}://{host}{port}{rest}",
    st.sampled_from(["http", "HTTPS", "hTTp"]),
    st.sampled_from(["example.com", "EXAMPLE.com.", "münchen.de", "[::1]", "a-b.c", "x"]),
    st.sampled_from(["", ":", ":80", ":443", ":8080", ":065535"]),
    st.lists(_URL_CHARS, max_size=30).map("".join),
)


@given(_URLS, st.booleans())
def test_normalization_is_idempotent_and_its_output_is_valid(text: str, strip: bool) -> None:
    try:
        once = normalize_url(text, strip_tracking=strip)
    except InvalidUrl:
        return
    assert normalize_url(once, strip_tracking=strip) == once
    if strip:
        validate_entry(entry_content(url=once))  # a normalized URL is a valid canonical URL
        assert tracking_params(once) == []


@given(st.text(max_size=60))
def test_arbitrary_text_raises_only_invalid_url(text: str) -> None:
    try:
        result = normalize_url(text)
    except InvalidUrl:
        return
    assert normalize_url(result) == result
