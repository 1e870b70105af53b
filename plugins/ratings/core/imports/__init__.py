"""Imported platform ratings (issue 6): parse the files platforms give their users, sum each up
whole, state it as a ``ratings/import/1``, witness it with ``ratings/witness/1``, and tell its
assurance level from a viewer's seat.

Pure and headless: bytes in, values out. No store, no Qt, no network, no clock (callers pass
``now_ms``); :func:`read_import_file` is the one function that touches the file system.

Typical use (the CLI or the Ratings page)::

    data = read_import_file(path)
    summary = parse_import("ebay", data, "https://www.ebay.com/usr/ada")
    content = import_content(summary, profile.identity, link=True)
    profile.publish("ratings/import/1", content)  # the user places content["link_token"]

The sample files in ``plugins/ratings/samples/`` show each format; their README lists the
columns and keys read.
"""

from ._airbnb import parse_airbnb
from ._assurance import (
    WITNESS_CLOCK_SKEW_MS,
    WITNESS_VALID_MS,
    Assurance,
    WitnessFacts,
    assurance_of,
)
from ._content import FiguresSeen, import_content, witness_content
from ._ebay import parse_ebay
from ._errors import ImportRefused
from ._etsy import parse_etsy
from ._generic import parse_generic_csv
from ._parse import parse_import, read_import_file
from ._rules import (
    MAX_CATEGORIES,
    MAX_FIGURE_COUNT,
    MAX_FILE_BYTES,
    MAX_LABEL_CHARS,
    MAX_MS,
    MAX_NOTE_CHARS,
    MAX_ROWS,
    PLATFORM_NAMES,
    Platform,
    check_import_author,
    link_token,
    validate_import,
    validate_witness,
)
from ._summary import ImportSummary
from ._urls import MAX_URL_CHARS, normalize_profile_url, profile_url_problem

__all__ = [
    "MAX_CATEGORIES",
    "MAX_FIGURE_COUNT",
    "MAX_FILE_BYTES",
    "MAX_LABEL_CHARS",
    "MAX_MS",
    "MAX_NOTE_CHARS",
    "MAX_ROWS",
    "MAX_URL_CHARS",
    "PLATFORM_NAMES",
    "WITNESS_CLOCK_SKEW_MS",
    "WITNESS_VALID_MS",
    "Assurance",
    "FiguresSeen",
    "ImportRefused",
    "ImportSummary",
    "Platform",
    "WitnessFacts",
    "assurance_of",
    "check_import_author",
    "import_content",
    "link_token",
    "normalize_profile_url",
    "parse_airbnb",
    "parse_ebay",
    "parse_etsy",
    "parse_generic_csv",
    "parse_import",
    "profile_url_problem",
    "read_import_file",
    "validate_import",
    "validate_witness",
    "witness_content",
]
