"""Profile URLs: the normal form every ``ratings/import/1`` and ``ratings/witness/1`` carries.

A link token is a hash of the exact URL text, and a witness must name the import's exact URL,
so one profile has to have one spelling. The importer turns what the user typed into the
normal form (:func:`normalize_profile_url`); the validators accept only the normal form
(:func:`profile_url_problem`). The normal form, frozen with the record types:

* ``https://``, then a lowercase DNS host of at least two labels (``[a-z0-9-]``, 1-63 each, not
  starting or ending with ``-``, a last label starting with a letter, so no IP addresses; 253
  characters at most), no user name, no port, no fragment;
* a path starting with ``/`` (``/`` when empty) and an optional non-empty query, both made of
  RFC 3986 unreserved characters, sub-delims, ``:``, ``@``, ``/`` (and ``?`` in the query) and
  ``%XX`` escapes;
* at most :data:`MAX_URL_CHARS` characters.

Normalizing lowercases the scheme and host, converts an internationalized host to its IDNA
ASCII form, drops one trailing dot of the host, an explicit ``:443``, the fragment and an empty
``?``, and percent-encodes other characters of the path and query as UTF-8. It does not touch
case or escapes in the path, trailing slashes or the query order: those may matter to the
platform.

Named platforms also fix the host (:func:`platform_host_problem`): an eBay import must point at
``ebay.<country suffix>`` or a subdomain of it, and so on. That is a sanity rule against
``ebay.example.com``, not a proof that the domain is the platform's.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import quote

from ._errors import ImportRefused

MAX_URL_CHARS: Final = 2000
MAX_HOST_CHARS: Final = 253

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_TOP_LABEL = r"[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?"
_PCHAR = r"A-Za-z0-9\-._~!$&'()*+,;=:@%"
_NORMAL: Final = re.compile(
    rf"^https://(?P<host>(?:{_LABEL}\.)+{_TOP_LABEL})"
    rf"(?P<path>/[{_PCHAR}/]*)(?:\?(?P<query>[{_PCHAR}/?]+))?$"
)
_HOST: Final = re.compile(rf"(?:{_LABEL}\.)+{_TOP_LABEL}")
_BAD_ESCAPE: Final = re.compile(r"%(?![0-9A-Fa-f]{2})")
_SCHEME: Final = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):(.*)$", re.DOTALL)
_PATH_SAFE: Final = "/!$&'()*+,;=:@%"
_QUERY_SAFE: Final = _PATH_SAFE + "?"

_COUNTRY_SUFFIX = r"(?:[a-z]{2,3}|(?:co|com)\.[a-z]{2})"
_PLATFORM_HOSTS: Final = {
    # platform: (the registrable name its hosts carry, display name, an example profile URL)
    "ebay": ("ebay", "eBay", "https://www.ebay.com/usr/NAME"),
    "etsy": ("etsy", "Etsy", "https://www.etsy.com/shop/NAME"),
    "airbnb": ("airbnb", "Airbnb", "https://www.airbnb.com/users/show/NUMBER"),
}
_PLATFORM_HOST: Final = {
    platform: re.compile(rf"^(?:{_LABEL}\.)*{name}\.{_COUNTRY_SUFFIX}$")
    for platform, (name, _, _) in _PLATFORM_HOSTS.items()
}


def profile_url_problem(url: str) -> str | None:
    """Why ``url`` is not a profile URL in normal form, or None when it is one.

    The reason completes a sentence about the URL: ``f"profile_url {reason}"``.
    """
    if len(url) > MAX_URL_CHARS:
        return f"is longer than {MAX_URL_CHARS} characters"
    match = _NORMAL.fullmatch(url)
    if match is None:
        return "is not an https URL in normal form"
    if len(match["host"]) > MAX_HOST_CHARS:
        return f"has a host longer than {MAX_HOST_CHARS} characters"
    if _BAD_ESCAPE.search(url):
        return "has a '%' that starts no %XX escape"
    return None


def platform_host_problem(platform: str, url: str) -> str | None:
    """Why ``url`` (in normal form) is not on ``platform``'s domain, or None.

    ``csv`` imports may name any host.
    """
    pattern = _PLATFORM_HOST.get(platform)
    if pattern is None:
        return None
    host = url.removeprefix("https://").split("/", 1)[0]
    if pattern.fullmatch(host):
        return None
    _, display, example = _PLATFORM_HOSTS[platform]
    return f"is not an address on {display} (such as {example})"


def normalize_profile_url(text: str) -> str:
    """The normal form of a profile URL a person typed or pasted.

    Raises:
        ImportRefused: the text cannot be made a profile URL ("the profile URL must use https").
    """
    value = text.strip()
    if not value:
        raise _refused("is empty")
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise _refused("must not contain spaces or control characters")
    scheme = _SCHEME.match(value)
    if scheme is None or not scheme[2].startswith("//"):
        raise _refused("must start with https://")
    if scheme[1].lower() != "https":
        raise _refused(f"must use https, not {scheme[1].lower()}")
    rest = scheme[2][2:].split("#", 1)[0]
    cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    authority, tail = rest[:cut], rest[cut:]
    if "@" in authority:
        raise _refused("must not contain a user name or password")
    host, _, port = authority.partition(":")
    if port not in ("", "443"):
        raise _refused("must not name a port")
    host = _ascii_host(host.lower().removesuffix("."))
    if not _HOST.fullmatch(host) or len(host) > MAX_HOST_CHARS:
        raise _refused("has a host that is not a public domain name")
    path, question, query = tail.partition("?")
    path = quote(path or "/", safe=_PATH_SAFE)
    if not path.startswith("/"):
        path = "/" + path
    query = quote(query, safe=_QUERY_SAFE)
    url = f"https://{host}{path}" + (f"?{query}" if question and query else "")
    if problem := profile_url_problem(url):
        raise _refused(problem)
    return url


def _refused(problem: str) -> ImportRefused:
    return ImportRefused(f"the profile URL {problem}")


def _ascii_host(host: str) -> str:
    if not host:
        raise _refused("has no host")
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise _refused("has a host that is not a public domain name") from exc
