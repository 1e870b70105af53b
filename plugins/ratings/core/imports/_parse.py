"""One entry point for every platform, and a size-checked file reader."""

from __future__ import annotations

from pathlib import Path

from ._airbnb import parse_airbnb
from ._ebay import parse_ebay
from ._errors import ImportRefused
from ._etsy import parse_etsy
from ._generic import parse_generic_csv
from ._rules import MAX_FILE_BYTES, Platform
from ._summary import ImportSummary, check_file_size


def parse_import(
    platform: Platform | str, data: bytes, profile_url: str, *, platform_name: str | None = None
) -> ImportSummary:
    """Summarize a platform file: ``ebay``, ``etsy``, ``airbnb``, or ``csv`` (which needs
    ``platform_name``, the platform the ratings are from; the others take none).

    Raises:
        ImportRefused: an unknown platform, a missing or needless platform name, or whatever
            the platform's parser refuses.
    """
    try:
        chosen = Platform(platform)
    except ValueError:
        raise ImportRefused(
            f"unknown platform {platform!r}: use one of {', '.join(Platform)}"
        ) from None
    if chosen is Platform.CSV:
        if platform_name is None or not platform_name.strip():
            raise ImportRefused("a generic CSV import needs the name of the platform")
        return parse_generic_csv(data, profile_url, platform_name)
    if platform_name is not None:
        raise ImportRefused(f"a platform name is only given with csv files, not {chosen} ones")
    parser = {
        Platform.EBAY: parse_ebay,
        Platform.ETSY: parse_etsy,
        Platform.AIRBNB: parse_airbnb,
    }[chosen]
    return parser(data, profile_url)


def read_import_file(path: Path) -> bytes:
    """The bytes of a platform file, refusing one over the size limit before reading it all.

    Raises:
        ImportRefused: the file cannot be read, is empty, or is too large.
    """
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ImportRefused(f"there is no file {str(path)!r}") from None
    except IsADirectoryError:
        raise ImportRefused(f"{str(path)!r} is a folder, not a file") from None
    except OSError as exc:
        raise ImportRefused(f"the file {str(path)!r} cannot be read ({exc.strerror})") from exc
    check_file_size(data)
    return data
