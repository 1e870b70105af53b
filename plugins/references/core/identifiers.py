"""Product identifiers of an entry (``ids``) and their check digits.

Stored forms (what the validator accepts):

* ``gtin``: 8, 12, 13 or 14 digits (GTIN-8, UPC-A, EAN-13, GTIN-14) with a valid GS1 mod-10
  check digit;
* ``isbn``: an ISBN-10 (9 digits then a digit or ``X``, mod-11 check) or an ISBN-13 (13 digits
  starting ``978`` or ``979``, GS1 check), without hyphens or spaces;
* ``asin``: 10 uppercase letters or digits (Amazon has no check digit);
* ``doi``: ``10.`` then a 4..9 digit registrant (with optional ``.digits`` parts), ``/`` and a
  suffix of printable ASCII without spaces; at most 200 characters.

What people type is made into those forms by :func:`normalize_identifier` (hyphens and spaces
dropped, ``x``/ASIN uppercased, ``doi:`` and ``https://doi.org/`` prefixes removed).
"""

from __future__ import annotations

import re

from smd_desktop.core.errors import UserError

KINDS = ("asin", "doi", "gtin", "isbn")
"""The identifier kinds, in the order of the content map's keys."""
LABELS = {"asin": "ASIN", "doi": "DOI", "gtin": "GTIN/EAN", "isbn": "ISBN"}
MAX_DOI_CHARS = 200

_GTIN = re.compile(r"^(?:[0-9]{8}|[0-9]{12,14})$")
_ISBN10 = re.compile(r"^[0-9]{9}[0-9X]$")
_ISBN13 = re.compile(r"^97[89][0-9]{10}$")
_ASIN = re.compile(r"^[A-Z0-9]{10}$")
_DOI = re.compile(r"^10\.[0-9]{4,9}(?:\.[0-9]+)*/[!-~]+$")
_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:")


def gs1_check_ok(digits: str) -> bool:
    """Whether the last digit is the GS1 mod-10 check digit of the others."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(reversed(digits)))
    return total % 10 == 0


def isbn10_check_ok(text: str) -> bool:
    """Whether an ISBN-10 (``X`` is 10, last place only) satisfies its mod-11 check."""
    values = [10 if ch == "X" else int(ch) for ch in text]
    return sum(v * (10 - i) for i, v in enumerate(values)) % 11 == 0


def isbn13_of(isbn: str) -> str:
    """The ISBN-13 of a valid ISBN (an ISBN-10 gets the ``978`` prefix and a new check)."""
    if len(isbn) == 13:
        return isbn
    body = "978" + isbn[:9]
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def identifier_problem(kind: str, value: str) -> str | None:
    """Why ``value`` is not a valid stored ``kind`` identifier, or None when it is."""
    if kind == "gtin":
        if not _GTIN.fullmatch(value):
            return "a GTIN/EAN is 8, 12, 13 or 14 digits"
        return None if gs1_check_ok(value) else "the GTIN/EAN check digit is wrong"
    if kind == "isbn":
        if _ISBN10.fullmatch(value):
            return None if isbn10_check_ok(value) else "the ISBN-10 check digit is wrong"
        if _ISBN13.fullmatch(value):
            return None if gs1_check_ok(value) else "the ISBN-13 check digit is wrong"
        return "an ISBN is 10 characters (digits, last may be X) or 13 digits starting 978/979"
    if kind == "asin":
        return None if _ASIN.fullmatch(value) else "an ASIN is 10 uppercase letters or digits"
    if kind == "doi":
        if len(value) > MAX_DOI_CHARS:
            return f"a DOI has at most {MAX_DOI_CHARS} characters"
        return None if _DOI.fullmatch(value) else "a DOI looks like 10.1234/suffix"
    return f"unknown identifier kind {kind!r}"


def normalize_identifier(kind: str, text: str) -> str:
    """The stored form of an identifier someone typed.

    Raises:
        UserError: it is not a valid identifier of that kind (wrong length, check digit...).
    """
    value = text.strip()
    if kind in ("gtin", "isbn"):
        value = re.sub(r"[\s-]", "", value).upper()
    elif kind == "asin":
        value = value.upper()
    elif kind == "doi":
        for prefix in _DOI_PREFIXES:
            if value.lower().startswith(prefix):
                value = value[len(prefix) :]
                break
    problem = identifier_problem(kind, value)
    if problem is not None:
        raise UserError(f"{problem}: {text.strip()!r}")
    return value


def search_terms(ids: dict[str, str]) -> str:
    """The identifiers as text for full-text search (an ISBN in both its forms)."""
    terms = [ids[k] for k in KINDS if k in ids]
    if "isbn" in ids and len(ids["isbn"]) == 10:
        terms.append(isbn13_of(ids["isbn"]))
    return " ".join(terms)
