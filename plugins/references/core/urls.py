"""URL normalization for reference entries: a frozen part of the ``references/entry/1`` rules.

A URL in an entry must be a fixed point of :func:`normalize_url` (the validator checks
``normalize_url(url) == url``), so every peer agrees on what is valid. The rules, in order:

1. no control characters; surrounding whitespace is ignored (only when typed: a stored URL has
   none);
2. the scheme is ``http`` or ``https`` (any case in, lowercase out);
3. ``//`` and a host follow; a user name or password (``user@``) is refused;
4. the host is lowercased; a non-ASCII host becomes its IDNA (2003) ASCII form; one trailing dot
   is dropped; it must then be dot-separated labels of 1..63 ``[a-z0-9-]`` not starting or
   ending with ``-`` (253 characters at most), or a bracketed IPv6 address (written in its
   RFC 5952 compressed form);
5. the port, if any, is 1..65535 written without leading zeros, and dropped when it is the
   scheme's default (80, 443); an empty port (``host:``) is dropped;
6. the fragment (``#...``) is dropped;
7. an empty path becomes ``/``; in the path and the query every character outside RFC 3986's
   unreserved, sub-delims, ``:``, ``@``, ``/`` (and ``?`` in the query) is percent-encoded as
   UTF-8, and ``%XX`` escapes are written with uppercase hex (a ``%`` that starts no escape
   becomes ``%25``);
8. empty query parameters (``&&``) are dropped, the others keep their order; for a canonical URL
   (``strip_tracking=True``), parameters whose name (percent-decoded, lowercased) starts with
   ``utm_`` or is in :data:`TRACKING_PARAMS` are dropped too; a query left empty drops its
   ``?``;
9. the result is at most :data:`MAX_URL_CHARS` characters.

Not done, on purpose: dot-segment removal, sorting the query, decoding needless escapes,
site-specific rewrites (such as Amazon's ``/ref=...`` path segments).
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import unquote

from smd_desktop.core.errors import UserError

MAX_URL_CHARS = 2048

TRACKING_PARAMS = frozenset(
    {
        # affiliate tags and referrers
        "tag",
        "ref",
        "ref_",
        "ref_src",
        "ref_url",
        "referrer",
        "aff",
        "aff_id",
        "affid",
        "affiliate",
        "affiliate_id",
        "ascsubtag",
        "linkcode",
        "linkid",
        "camp",
        "creative",
        "creativeasin",
        "irclickid",
        "irgwc",
        "clickid",
        "awc",
        "cjevent",
        "sscid",
        "ranmid",
        "raneaid",
        "ransiteid",
        # ad-click and mail-campaign trackers
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "srsltid",
    }
)
"""Query parameter names a canonical URL never carries (besides every ``utm_*``). Frozen for
``references/entry/1``: changing it would change which records are valid."""

_DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
_PATH_SAFE = frozenset(_UNRESERVED + "!$&'()*+,;=" + ":@/")
_QUERY_SAFE = _PATH_SAFE | {"?"}


class InvalidUrl(UserError):
    """The text is not an acceptable http(s) URL; the message says why (one sentence)."""


def normalize_url(text: str, *, strip_tracking: bool = True) -> str:
    """The normal form of an http(s) URL (see the module's rules).

    ``strip_tracking=False`` keeps every query parameter: affiliate links need their tags.

    Raises:
        InvalidUrl: the text cannot be made a valid http(s) URL.
    """
    text = text.strip()
    if not text:
        raise InvalidUrl("the URL is empty")
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        raise InvalidUrl("the URL contains control characters")
    match = _SCHEME.match(text)
    if match is None or match.group(1).lower() not in _DEFAULT_PORTS:
        raise InvalidUrl("only http:// and https:// URLs are allowed")
    scheme = match.group(1).lower()
    rest = text[match.end() :]
    if not rest.startswith("//"):
        raise InvalidUrl("the URL has no host")
    rest = rest[2:]
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, rest = rest[:end], rest[end:]
    if "@" in authority:
        raise InvalidUrl("a URL with a user name or password is not allowed")
    host, port = _split_authority(authority)
    rest = rest.split("#", 1)[0]
    path, _, query = rest.partition("?")
    path = _encode(path or "/", _PATH_SAFE)
    query = _clean_query(_encode(query, _QUERY_SAFE), strip_tracking)
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    url = f"{scheme}://{netloc}{path}{'?' + query if query else ''}"
    if len(url) > MAX_URL_CHARS:
        raise InvalidUrl(f"the URL is longer than {MAX_URL_CHARS} characters")
    return url


def tracking_params(url: str) -> list[str]:
    """The names of the tracking/affiliate parameters in ``url``'s query, in order."""
    query = url.split("#", 1)[0].partition("?")[2]
    return [part.split("=", 1)[0] for part in query.split("&") if part and _is_tracking(part)]


def _split_authority(authority: str) -> tuple[str, int | None]:
    if authority.startswith("["):
        close = authority.find("]")
        if close < 0:
            raise InvalidUrl("the URL's IPv6 address is not closed by ']'")
        try:
            address = ipaddress.IPv6Address(authority[1:close])
        except ValueError as exc:
            raise InvalidUrl("the URL's IPv6 address is malformed") from exc
        if address.scope_id is not None:
            raise InvalidUrl("a URL with an IPv6 zone (%...) is not allowed")
        host, after = f"[{address.compressed}]", authority[close + 1 :]
        if after and not after.startswith(":"):
            raise InvalidUrl("the URL's host is malformed")
        port_text = after[1:] if after else None
    else:
        raw_host, colon, port_text_ = authority.rpartition(":")
        if not colon:
            raw_host, port_text_ = authority, ""
        host = _host(raw_host)
        port_text = port_text_ if colon else None
    if not port_text:
        return host, None
    if not port_text.isascii() or not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise InvalidUrl("the URL's port must be a number from 1 to 65535")
    return host, int(port_text)


def _host(raw: str) -> str:
    host = raw.lower()
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise InvalidUrl("the URL's host name is not a valid international name") from exc
    host = host.removesuffix(".")
    if not host:
        raise InvalidUrl("the URL has no host")
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in host.split(".")):
        raise InvalidUrl("the URL's host name is malformed")
    return host


def _encode(text: str, safe: frozenset[str]) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "%" and _ESCAPE.fullmatch(text, i, i + 3):
            out.append(text[i : i + 3].upper())
            i += 3
            continue
        if ch in safe:
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8"))
        i += 1
    return "".join(out)


def _is_tracking(part: str) -> bool:
    name = unquote(part.split("=", 1)[0]).lower()
    return name.startswith("utm_") or name in TRACKING_PARAMS


def _clean_query(query: str, strip_tracking: bool) -> str:
    parts = [p for p in query.split("&") if p]
    if strip_tracking:
        parts = [p for p in parts if not _is_tracking(p)]
    return "&".join(parts)
