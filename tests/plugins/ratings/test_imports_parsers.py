"""Platform files: every sample summed up to exact figures; whole files only (a bad row fails
the import and is named); size and row limits; profile URLs in normal form."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

import plugins.ratings
from plugins.ratings.core.imports import (
    MAX_FILE_BYTES,
    ImportRefused,
    ImportSummary,
    Platform,
    normalize_profile_url,
    parse_airbnb,
    parse_ebay,
    parse_etsy,
    parse_generic_csv,
    parse_import,
    read_import_file,
)
from smd_desktop.core.errors import UserError

SAMPLES = Path(plugins.ratings.__file__).parent / "samples"
EBAY = "https://www.ebay.com/usr/ada_cameras"
ETSY = "https://www.etsy.com/shop/AdaCeramics"
AIRBNB = "https://www.airbnb.com/users/show/48213377"
VINTED = "https://www.vinted.com/member/123-ada"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def ms(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> int:
    """Milliseconds of a UTC date-time."""
    return int(datetime(year, month, day, hour, minute, second, tzinfo=UTC).timestamp()) * 1000


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=32).digest()


def refused(message: str) -> pytest.RaisesExc[ImportRefused]:
    return pytest.raises(ImportRefused, match=f"^{re.escape(message)}$")


# -- the samples, to exact figures -------------------------------------------------------------


def test_ebay_sample_counts_every_feedback_with_neutrals_out_of_the_share() -> None:
    data = sample("ebay_feedback.csv")
    assert parse_ebay(data, EBAY) == ImportSummary(
        platform=Platform.EBAY,
        platform_name="eBay",
        profile_url=EBAY,
        count=14,
        positive_bp=9230,  # 12 positive of 13 positive or negative, rounded down
        average_x100=None,
        period_from_ms=ms(2024, 1, 5),
        period_until_ms=ms(2024, 6, 28, 9, 15, 42),
        categories=("as seller", "as buyer"),
        file_digest=digest(data),
    )


def test_etsy_json_sample_gives_average_and_positive_share() -> None:
    data = sample("etsy_reviews.json")
    assert parse_etsy(data, ETSY) == ImportSummary(
        platform=Platform.ETSY,
        platform_name="Etsy",
        profile_url=ETSY,
        count=10,
        positive_bp=8888,  # 8 of the 9 reviews that are not 3 stars
        average_x100=420,
        period_from_ms=ms(2024, 1, 14),
        period_until_ms=ms(2024, 7, 2),
        categories=(),
        file_digest=digest(data),
    )


def test_etsy_csv_and_json_of_the_same_reviews_agree_but_for_the_digest() -> None:
    from_json = parse_etsy(sample("etsy_reviews.json"), ETSY)
    from_csv = parse_etsy(sample("etsy_reviews.csv"), ETSY)
    assert from_csv.file_digest == digest(sample("etsy_reviews.csv")) != from_json.file_digest
    assert (from_csv.count, from_csv.positive_bp, from_csv.average_x100) == (10, 8888, 420)
    assert (from_csv.period_from_ms, from_csv.period_until_ms) == (
        from_json.period_from_ms,
        from_json.period_until_ms,
    )


def test_airbnb_sample_imports_reviews_received_and_not_those_written() -> None:
    data = sample("airbnb_reviews.json")
    assert parse_airbnb(data, AIRBNB) == ImportSummary(
        platform=Platform.AIRBNB,
        platform_name="Airbnb",
        profile_url=AIRBNB,
        count=7,  # the two reviews_written (one of them 1 star) are not about the member
        positive_bp=10_000,
        average_x100=471,  # 33 / 7 = 4.714
        period_from_ms=ms(2022, 8, 14, 18, 2, 33),
        period_until_ms=ms(2024, 5, 19, 16, 48, 2),
        categories=("as host", "as guest"),
        file_digest=digest(data),
    )


def test_generic_star_sample_ranks_categories_by_frequency() -> None:
    data = sample("generic_ratings.csv")
    assert parse_generic_csv(data, VINTED, "Vinted") == ImportSummary(
        platform=Platform.CSV,
        platform_name="Vinted",
        profile_url=VINTED,
        count=8,
        positive_bp=8571,  # 6 of 7
        average_x100=412,  # 33 / 8 = 4.125
        period_from_ms=ms(2023, 9, 2),
        period_until_ms=ms(2024, 2, 9),
        categories=("clothing", "books", "toys"),
        file_digest=digest(data),
    )


def test_generic_feedback_sample_has_a_share_and_no_average() -> None:
    data = sample("generic_feedback.csv")
    url = "https://www.kleinanzeigen.de/s-bestandsliste.html?userId=42"
    assert parse_import("csv", data, url, platform_name=" Kleinanzeigen ") == ImportSummary(
        platform=Platform.CSV,
        platform_name="Kleinanzeigen",
        profile_url=url,
        count=7,
        positive_bp=8333,  # 5 of 6
        average_x100=None,
        period_from_ms=ms(2024, 2, 1, 10, 12),
        period_until_ms=ms(2024, 5, 6, 13, 30),
        categories=(),
        file_digest=digest(data),
    )


def test_parse_import_dispatches_by_platform() -> None:
    data = sample("ebay_feedback.csv")
    assert parse_import("ebay", data, EBAY) == parse_ebay(data, EBAY)
    assert parse_import(Platform.AIRBNB, sample("airbnb_reviews.json"), AIRBNB).count == 7


def test_one_changed_byte_changes_the_digest() -> None:
    data = sample("generic_ratings.csv")
    edited = data.replace(b"toys", b"Toys")
    first = parse_generic_csv(data, VINTED, "Vinted")
    second = parse_generic_csv(edited, VINTED, "Vinted")
    assert first.file_digest != second.file_digest
    assert second.categories == ("clothing", "books", "Toys")


# -- figures: rounding, dates, categories ---------------------------------------------------


def test_figures_round_down() -> None:
    csv = b"date,rating\n2024-01-01,5\n2024-01-02,5\n2024-01-04,1\n"
    summary = parse_generic_csv(csv, VINTED, "Vinted")
    assert (summary.positive_bp, summary.average_x100) == (6666, 366)  # 2/3, 11/3


def test_one_lower_rating_keeps_the_figures_below_the_top() -> None:
    rows = b"2024-01-01,5\n" * 999 + b"2024-01-02,4\n"
    summary = parse_generic_csv(b"date,rating\n" + rows, VINTED, "Vinted")
    assert (summary.positive_bp, summary.average_x100) == (10_000, 499)
    rows = b"2024-01-01,positive\n" * 9999 + b"2024-01-02,negative\n"
    summary = parse_generic_csv(b"date,rating\n" + rows, VINTED, "Vinted")
    assert summary.positive_bp == 9999


def test_all_neutral_stars_give_an_average_without_a_share() -> None:
    summary = parse_etsy(b"Date Reviewed,Star Rating\n01/02/2024,3\n", ETSY)
    assert (summary.count, summary.positive_bp, summary.average_x100) == (1, None, 300)
    assert summary.period_from_ms == summary.period_until_ms == ms(2024, 1, 2)


def test_date_forms_and_time_zones() -> None:
    csv = (
        b"date,rating\n"
        b"2024-03-15T10:22:31+02:00,5\n"  # 08:22:31 UTC
        b"2024-03-15 23:59,5\n"  # no zone: UTC
        b"2024-03-16T00:00:00.999Z,5\n"
    )
    summary = parse_generic_csv(csv, VINTED, "Vinted")
    assert summary.period_from_ms == ms(2024, 3, 15, 8, 22, 31)
    assert summary.period_until_ms == ms(2024, 3, 16) + 999
    ebay = b"Feedback,Date\nPositive,Dec-31-99\nPositive,Jan-01-68 00:00:01\nPositive,2024-02-29\n"
    summary = parse_ebay(ebay, EBAY)
    assert (summary.period_from_ms, summary.period_until_ms) == (
        ms(1999, 12, 31),
        ms(2068, 1, 1, 0, 0, 1),
    )


def test_at_most_twenty_categories_most_frequent_first_ties_by_name() -> None:
    rows = [f"2024-01-01,5,c{n:02d}\n" * (1 + n // 5) for n in range(25)]
    summary = parse_generic_csv(
        ("date,rating,category\n" + "".join(rows)).encode(), VINTED, "Vinted"
    )
    assert summary.count == sum(1 + n // 5 for n in range(25))
    assert summary.categories == tuple(
        [f"c{n:02d}" for n in range(20, 25)]
        + [f"c{n:02d}" for n in range(15, 20)]
        + [f"c{n:02d}" for n in range(10, 15)]
        + [f"c{n:02d}" for n in range(5, 10)]
    )


def test_blank_rows_are_not_ratings_and_headers_ignore_case_and_extra_columns() -> None:
    csv = (
        b"\xef\xbb\xbf Star rating ,Shop,DATE REVIEWED\r\n"
        b"5,x,01/02/2024\r\n"
        b",,\r\n"
        b"\r\n"
        b"4,y,1/3/2024\r\n"
    )
    summary = parse_etsy(csv, ETSY)
    assert (summary.count, summary.average_x100) == (2, 450)


def test_a_comment_over_several_lines_is_one_row() -> None:
    csv = b'Feedback,Comment,Date\nPositive,"two\nlines",Jan-02-24\nNegativ,x,Jan-03-24\n'
    with refused("row 3: the feedback 'Negativ' is not Positive, Neutral or Negative"):
        parse_ebay(csv, EBAY)


# -- malformed files fail whole, naming the row -------------------------------------------------


@pytest.mark.parametrize(
    ("csv", "message"),
    [
        (
            b"Feedback,Date\nGreat,Jan-02-24\n",
            "row 2: the feedback 'Great' is not Positive, Neutral or Negative",
        ),
        (b"Feedback,Date\nPositive,Jan-02-24\n,Jan-03-24\n", "row 3 has no feedback rating"),
        (
            b"Feedback,Date\nPositive,2024/01/02\n",
            "row 2: '2024/01/02' is not a date from 1970 on like Mar-15-24",
        ),
        (
            b"Feedback,Date\nPositive,Feb-30-24\n",
            "row 2: 'Feb-30-24' is not a date from 1970 on like Mar-15-24",
        ),
        (b"Feedback,Date\nPositive,\n", "row 2 has no date"),
        (
            b"Feedback,Role,Date\nPositive,Agent,Jan-02-24\n",
            "row 2: the role 'Agent' is not Seller or Buyer",
        ),
        (
            b"Feedback,Comment\nPositive,ok\n",
            'the file has no "Date" column, so it is not an eBay feedback file',
        ),
        (
            b"Feedback,Date,Date\nPositive,Jan-02-24,Jan-02-24\n",
            'the file has the column "Date" twice',
        ),
        (
            b"Feedback,Date\nPositive,Jan-02-24\nPositive,Jan-02-24,extra\n",
            "row 3 has 3 cells where the header has 2",
        ),
        (
            b'Feedback,Date\nPositive,"Jan-02-24\n',
            "row 2 is not valid CSV (unexpected end of data)",
        ),
        (b"Feedback,Date\n", "the file has no ratings to import"),
        (
            b"Feedback,Date\nNeutral,Jan-02-24\n",
            "every rating in the file is neutral, so there is no positive share to import",
        ),
        (
            b"Feedback,To,Date\nPositive,bob,Jan-02-24\n",
            "the file lists feedback you left for others; download the feedback you received",
        ),
        (
            b"Feedback,Date\nPositive,Jan-02-24\xff\n",
            "the file is not UTF-8 text (at byte 33); save or export it as UTF-8",
        ),
        (
            b"Feedback,Date\nPositive,Jan-02-24\x00\n",
            "the file contains NUL characters, so it is not a text file",
        ),
        (b"  \n\n", "the file is empty"),
    ],
)
def test_malformed_ebay_files_are_refused(csv: bytes, message: str) -> None:
    with refused(message):
        parse_ebay(csv, EBAY)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"Date Reviewed,Star Rating\n01/02/2024,6\n",
            "row 2: the rating '6' is not a whole number of stars from 1 to 5",
        ),
        (
            b"Date Reviewed,Star Rating\n01/02/2024,4.5\n",
            "row 2: the rating '4.5' is not a whole number of stars from 1 to 5",
        ),
        (b"Date Reviewed,Star Rating\n01/02/2024,\n", "row 2 has no rating"),
        (
            b"Date Reviewed,Star Rating\n13/02/2024,5\n",
            "row 2: '13/02/2024' is not a date from 1970 on like 03/15/2024",
        ),
        (
            b"Reviewer,Star Rating\nAl,5\n",
            'the file has no "Date Reviewed" column, so it is not an Etsy reviews file',
        ),
        (
            b'[{"date_reviewed": "01/02/2024", "star_rating": 4.5}]',
            "review 1: the rating 4.5 is not a whole number of stars from 1 to 5",
        ),
        (
            b'[{"date_reviewed": "01/02/2024", "star_rating": true}]',
            "review 1: the rating True is not a whole number of stars from 1 to 5",
        ),
        (
            b'[{"date_reviewed": "01/02/2024", "star_rating": NaN}]',
            "review 1: the rating nan is not a whole number of stars from 1 to 5",
        ),
        (
            b'[{"date_reviewed": "01/02/2024", "star_rating": 5}, {"star_rating": 5}]',
            "review 2 has no date_reviewed text",
        ),
        (b'[{"date_reviewed": "01/02/2024"}]', "review 1 has no rating"),
        (
            b'[{"date_reviewed": "01/02/2024", "star_rating": 5}, 5]',
            "review 2 is not a JSON object",
        ),
        (
            b'{"reviews": []}',
            "the file's JSON is not a list of reviews, so it is not an Etsy reviews file",
        ),
        (
            b'[{"date_reviewed": "01/02/2024"\n 5}]',
            "the file is not valid JSON (line 2, column 2: Expecting ',' delimiter)",
        ),
        (b"[]", "the file has no ratings to import"),
    ],
)
def test_malformed_etsy_files_are_refused(data: bytes, message: str) -> None:
    with refused(message):
        parse_etsy(data, ETSY)


def _airbnb(review: str) -> bytes:
    good = '{"role": "host", "rating": 5, "created_at": "2024-01-02T03:04:05Z"}'
    return f'{{"reviews_received": [{good}, {review}]}}'.encode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            _airbnb('{"role": "host", "rating": null, "created_at": "2024-01-02"}'),
            "review 2 of reviews_received has no rating",
        ),
        (
            _airbnb('{"role": "host", "rating": 0, "created_at": "2024-01-02"}'),
            "review 2 of reviews_received: the rating 0 is not a whole number of stars from 1 to 5",
        ),
        (
            _airbnb('{"role": "cohost", "rating": 5, "created_at": "2024-01-02"}'),
            'review 2 of reviews_received has no role "host" or "guest"',
        ),
        (
            _airbnb('{"rating": 5, "created_at": "2024-01-02"}'),
            'review 2 of reviews_received has no role "host" or "guest"',
        ),
        (
            _airbnb('{"role": "guest", "rating": 5, "created_at": "yesterday"}'),
            "review 2 of reviews_received: 'yesterday' is not a date from 1970 on "
            "like 2023-07-02T14:05:11Z",
        ),
        (
            _airbnb('{"role": "guest", "rating": 5, "created_at": 1700000000}'),
            "review 2 of reviews_received has no created_at text",
        ),
        (_airbnb('"five stars"'), "review 2 of reviews_received is not a JSON object"),
        (
            b'{"reviews_written": []}',
            'the file has no "reviews_received" list, so it is not Airbnb\'s reviews.json',
        ),
        (b"[]", 'the file has no "reviews_received" list, so it is not Airbnb\'s reviews.json'),
        (b'{"reviews_received": []}', "the file has no ratings to import"),
        (b"[" * 100_000, "the file's JSON is nested too deeply to read"),
    ],
)
def test_malformed_airbnb_files_are_refused(data: bytes, message: str) -> None:
    with refused(message):
        parse_airbnb(data, AIRBNB)


@pytest.mark.parametrize(
    ("csv", "message"),
    [
        (
            b"date,rating\n2024-01-02,5\n2024-01-03,positive\n",
            "row 3 mixes star ratings and positive/neutral/negative ones in one file",
        ),
        (
            b"date,rating\n2024-01-02,great\n",
            "row 2: the rating 'great' is not 1 to 5 stars or positive, neutral, negative",
        ),
        (b"date,rating\n2024-01-02,\n", "row 2 has no rating"),
        (
            b"date,rating\n1969-12-31,5\n",
            "row 2: '1969-12-31' is not a date from 1970 on like 2024-03-15",
        ),
        (
            b"date,rating\n03/15/2024,5\n",
            "row 2: '03/15/2024' is not a date from 1970 on like 2024-03-15",
        ),
        (
            b"date,rating,category\n2024-01-02,5," + b"x" * 65 + b"\n",
            "row 2: the category is longer than 64 characters",
        ),
        (
            b'date,rating,category\n2024-01-02,5,"a\x07b"\n',
            "row 2: the category must not contain control characters",
        ),
        (
            b"date,stars\n2024-01-02,5\n",
            'the file has no "rating" column, '
            "so it is not a ratings CSV with date and rating columns",
        ),
        (
            b"\n\ndate,rating\n",
            "the file has no header row, so it is not a ratings CSV with date and rating columns",
        ),
    ],
)
def test_malformed_generic_files_are_refused(csv: bytes, message: str) -> None:
    with refused(message):
        parse_generic_csv(csv, VINTED, "Vinted")


def test_refusals_are_user_errors() -> None:
    with pytest.raises(UserError):
        parse_generic_csv(b"date,rating\n2024-01-02,9\n", VINTED, "Vinted")


# -- what the user gives with the file ------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: parse_import("amazon", b"x", EBAY),
            "unknown platform 'amazon': use one of ebay, etsy, airbnb, csv",
        ),
        (
            lambda: parse_import("csv", b"x", VINTED),
            "a generic CSV import needs the name of the platform",
        ),
        (
            lambda: parse_import("csv", b"x", VINTED, platform_name="  "),
            "a generic CSV import needs the name of the platform",
        ),
        (
            lambda: parse_import("ebay", b"x", EBAY, platform_name="eBay"),
            "a platform name is only given with csv files, not ebay ones",
        ),
        (
            lambda: parse_generic_csv(b"x", VINTED, "V" * 65),
            "the platform name is longer than 64 characters",
        ),
        (
            lambda: parse_generic_csv(b"x", VINTED, "Vin\nted"),
            "the platform name must not contain control characters",
        ),
        (
            lambda: parse_ebay(b"x", "http://www.ebay.com/usr/ada"),
            "the profile URL must use https, not http",
        ),
        (
            lambda: parse_ebay(b"x", "www.ebay.com/usr/ada"),
            "the profile URL must start with https://",
        ),
        (
            lambda: parse_ebay(b"x", "https://ebay.example.com/usr/ada"),
            "the profile URL is not an address on eBay (such as https://www.ebay.com/usr/NAME)",
        ),
        (
            lambda: parse_etsy(b"x", "https://www.etsy-reviews.com/shop/x"),
            "the profile URL is not an address on Etsy (such as https://www.etsy.com/shop/NAME)",
        ),
        (
            lambda: parse_airbnb(b"x", "https://www.ebay.com/usr/ada"),
            "the profile URL is not an address on Airbnb (such as https://www.airbnb.com/users/show/NUMBER)",
        ),
    ],
)
def test_bad_platform_name_or_profile_url_is_refused(
    call: Callable[[], object], message: str
) -> None:
    with refused(message):
        call()


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("https://www.ebay.com/usr/ada", "https://www.ebay.com/usr/ada"),
        ("  HTTPS://WWW.eBay.CO.UK:443/usr/Ada#feedback \n", "https://www.ebay.co.uk/usr/Ada"),
        ("https://www.etsy.com", "https://www.etsy.com/"),
        ("https://www.etsy.com.?", "https://www.etsy.com/"),
        (
            "https://www.airbnb.com.br/users/show/1?locale=pt%2dBR",
            "https://www.airbnb.com.br/users/show/1?locale=pt%2dBR",
        ),
        (
            "https://bücher.example/ä ö".replace(" ", "%20"),
            "https://xn--bcher-kva.example/%C3%A4%20%C3%B6",
        ),
        ("https://x.example/a|b?c=[d]", "https://x.example/a%7Cb?c=%5Bd%5D"),
    ],
)
def test_profile_urls_are_normalized(typed: str, normal: str) -> None:
    assert normalize_profile_url(typed) == normal
    assert normalize_profile_url(normal) == normal


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "the profile URL is empty"),
        (
            "https://www.ebay.com/usr/a b",
            "the profile URL must not contain spaces or control characters",
        ),
        ("ftp://www.ebay.com/", "the profile URL must use https, not ftp"),
        ("https:www.ebay.com", "the profile URL must start with https://"),
        ("https://ada@www.ebay.com/", "the profile URL must not contain a user name or password"),
        ("https://www.ebay.com:8443/", "the profile URL must not name a port"),
        ("https:///usr/ada", "the profile URL has no host"),
        (
            "https://localhost/usr/ada",
            "the profile URL has a host that is not a public domain name",
        ),
        (
            "https://192.168.1.1/usr/ada",
            "the profile URL has a host that is not a public domain name",
        ),
        ("https://www.ebay.com/100%", "the profile URL has a '%' that starts no %XX escape"),
        ("https://www.ebay.com/" + "a" * 2000, "the profile URL is longer than 2000 characters"),
    ],
)
def test_unusable_profile_urls_are_refused(typed: str, message: str) -> None:
    with refused(message):
        normalize_profile_url(typed)


# -- limits ---------------------------------------------------------------------------------------


def test_a_file_over_20_mb_is_refused_before_parsing() -> None:
    data = b"date,rating\n" + b"2024-01-02,5\n" * (MAX_FILE_BYTES // 13) + b"x" * 13
    assert len(data) > MAX_FILE_BYTES
    with refused("the file is larger than 20 MB (20,971,520 bytes), the most one import can read"):
        parse_generic_csv(data, VINTED, "Vinted")


def test_more_than_200000_ratings_are_refused() -> None:
    data = b"date,rating\n" + b"2024-01-02,5\n" * 200_001
    with refused("the file has more than 200,000 ratings, the most one import can hold"):
        parse_generic_csv(data, VINTED, "Vinted")


def test_more_than_200000_json_reviews_are_refused_before_tallying() -> None:
    data = b"[" + b",".join([b"{}"] * 200_001) + b"]"
    with refused("the file has more than 200,000 ratings, the most one import can hold"):
        parse_etsy(data, ETSY)


def test_read_import_file_reads_a_sample(tmp_path: Path) -> None:
    assert read_import_file(SAMPLES / "etsy_reviews.csv") == sample("etsy_reviews.csv")
    big = tmp_path / "big.csv"
    with big.open("wb") as file:
        file.truncate(MAX_FILE_BYTES + 1)
    with refused("the file is larger than 20 MB (20,971,520 bytes), the most one import can read"):
        read_import_file(big)
    with refused(f"there is no file {str(tmp_path / 'nope.csv')!r}"):
        read_import_file(tmp_path / "nope.csv")
    with refused(f"{str(tmp_path)!r} is a folder, not a file"):
        read_import_file(tmp_path)
    (tmp_path / "empty.csv").write_bytes(b"")
    with refused("the file is empty"):
        read_import_file(tmp_path / "empty.csv")
