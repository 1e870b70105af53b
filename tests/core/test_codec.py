"""Canonical msgpack (docs/PROTOCOL.md, "Canonical encoding")."""

from __future__ import annotations

from typing import Any

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smd_desktop.core import canonical
from smd_desktop.core.errors import CodecError

INT_MIN = -(2**63)
INT_MAX = 2**64 - 1

scalars = (
    st.none()
    | st.booleans()
    | st.integers(INT_MIN, INT_MAX)
    | st.text(max_size=40)
    | st.binary(max_size=40)
)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=12), children, max_size=6)
    ),
    max_leaves=30,
)


def nested_lists(depth: int, innermost: Any) -> Any:
    """``depth`` arrays, one inside the other, around ``innermost``."""
    value = innermost
    for _ in range(depth):
        value = [value]
    return value


@settings(max_examples=400)
@given(values)
def test_decode_inverts_encode(value: Any) -> None:
    data = canonical.encode(value)
    decoded = canonical.decode(data)
    assert decoded == value
    assert canonical.encode(decoded) == data  # also tells True from 1 and b"" from ""


@settings(max_examples=400)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_raise_only_codec_error(data: bytes) -> None:
    try:
        value = canonical.decode(data)
    except CodecError:
        return
    assert canonical.encode(value) == data


@settings(max_examples=400)
@given(values, st.data())
def test_a_mutated_encoding_is_decoded_exactly_or_raises_codec_error(
    value: Any, data: st.DataObject
) -> None:
    encoded = bytearray(canonical.encode(value))
    position = data.draw(st.integers(0, len(encoded) - 1))
    encoded[position] = data.draw(st.integers(0, 255))
    try:
        decoded = canonical.decode(bytes(encoded))
    except CodecError:
        return
    assert canonical.encode(decoded) == bytes(encoded)


def test_map_keys_are_sorted_by_utf8_bytes_not_by_length() -> None:
    # CBOR's old "canonical" order is length-first; SMD's is plain bytewise.
    assert canonical.encode({"b": 1, "aa": 2}) == b"\x82\xa2aa\x02\xa1b\x01"
    assert canonical.encode({"é": 1, "z": 2}) == b"\x82\xa1z\x02\xa2\xc3\xa9\x01"


def test_unsorted_map_keys_are_rejected() -> None:
    assert canonical.decode(b"\x82\xa1a\x00\xa1b\x00") == {"a": 0, "b": 0}
    with pytest.raises(CodecError, match=r"^not in canonical form$"):
        canonical.decode(b"\x82\xa1b\x00\xa1a\x00")


def test_duplicate_map_keys_are_rejected() -> None:
    with pytest.raises(CodecError, match=r"^not in canonical form$"):
        canonical.decode(b"\x82\xa1a\x00\xa1a\x01")


@pytest.mark.parametrize(
    "data",
    [
        b"\xcc\x01",  # 1 as uint8
        b"\xcd\x00\xff",  # 255 as uint16
        b"\xce\x00\x00\xff\xff",  # 65535 as uint32
        b"\xcf\x00\x00\x00\x00\xff\xff\xff\xff",  # 2**32 - 1 as uint64
        b"\xd0\x01",  # 1 as int8
        b"\xd0\xe0",  # -32 as int8 (negative fixint fits)
        b"\xd1\xff\x80",  # -128 as int16
        b"\xd9\x01a",  # "a" as str8
        b"\xda\x00\x01a",  # "a" as str16
        b"\xc5\x00\x01a",  # b"a" as bin16
        b"\xdc\x00\x01\xc0",  # [nil] as array16
        b"\xde\x00\x01\xa1a\xc0",  # {"a": nil} as map16
    ],
    ids=lambda d: d.hex(),
)
def test_encodings_longer_than_the_shortest_form_are_rejected(data: bytes) -> None:
    msgpack.unpackb(data)  # valid msgpack, just not the shortest spelling
    with pytest.raises(CodecError, match=r"^not in canonical form$"):
        canonical.decode(data)


@pytest.mark.parametrize(
    ("value", "data"),
    [
        (127, b"\x7f"),
        (128, b"\xcc\x80"),
        (-32, b"\xe0"),
        (-33, b"\xd0\xdf"),
        (2**64 - 1, b"\xcf" + b"\xff" * 8),
        (-(2**63), b"\xd3\x80" + b"\x00" * 7),
        ("a" * 31, b"\xbf" + b"a" * 31),
        ("a" * 32, b"\xd9\x20" + b"a" * 32),  # str8 is allowed (msgpack 2.0 spec)
        (b"a", b"\xc4\x01a"),
        ([None] * 16, b"\xdc\x00\x10" + b"\xc0" * 16),
        (True, b"\xc3"),
        (None, b"\xc0"),
    ],
    ids=repr,
)
def test_values_take_exactly_their_shortest_form(value: Any, data: bytes) -> None:
    assert canonical.encode(value) == data
    assert canonical.decode(data) == value


def test_bin_and_str_are_different_values() -> None:
    assert canonical.decode(b"\xc4\x01a") == b"a"
    assert canonical.decode(b"\xa1a") == "a"


def test_a_map_key_written_as_bin_is_rejected() -> None:
    with pytest.raises(CodecError, match=r"^map keys must be strings$"):
        canonical.decode(b"\x81\xc4\x01a\x00")


@pytest.mark.parametrize("data", [b"\x81\x00\x00", b"\x81\xc0\x00", b"\x81\x90\x00"])
def test_non_string_map_keys_are_rejected(data: bytes) -> None:
    with pytest.raises(CodecError, match=r"^malformed msgpack: .* is not allowed for map key"):
        canonical.decode(data)


@pytest.mark.parametrize(
    "data",
    [b"\xca\x3f\x80\x00\x00", b"\xcb\x3f\xf0\x00\x00\x00\x00\x00\x00", b"\x91\xca\x00\x00\x00\x00"],
    ids=["float32", "float64", "nested"],
)
def test_floats_are_rejected(data: bytes) -> None:
    with pytest.raises(CodecError, match=r"^type float cannot be encoded canonically$"):
        canonical.decode(data)


@pytest.mark.parametrize(
    ("data", "type_name"),
    [
        (b"\xd4\x01\x00", "ExtType"),
        (b"\xc7\x00\x05", "ExtType"),
        (b"\xd6\xff\x00\x00\x00\x00", "Timestamp"),  # the msgpack timestamp extension
    ],
)
def test_extension_types_are_rejected(data: bytes, type_name: str) -> None:
    with pytest.raises(CodecError, match=rf"^type {type_name} cannot be encoded canonically$"):
        canonical.decode(data)


@pytest.mark.parametrize(
    "value", [1.5, float("nan"), msgpack.ExtType(1, b"x"), bytearray(b"x"), {1, 2}, object()]
)
def test_values_of_other_types_cannot_be_encoded(value: Any) -> None:
    with pytest.raises(CodecError, match=r"^type \w+ cannot be encoded canonically$"):
        canonical.encode(value)


@pytest.mark.parametrize("value", [2**64, -(2**63) - 1, [2**70]])
def test_integers_outside_int64_uint64_cannot_be_encoded(value: Any) -> None:
    with pytest.raises(CodecError, match=r"^integer out of range$"):
        canonical.encode(value)


def test_non_string_map_keys_cannot_be_encoded() -> None:
    with pytest.raises(CodecError, match=r"^map keys must be strings$"):
        canonical.encode({b"a": 1})


@pytest.mark.parametrize("value", ["\ud800", {"\udfff": 1}], ids=["value", "key"])
def test_lone_surrogates_cannot_be_encoded(value: Any) -> None:
    with pytest.raises(CodecError, match=r"^string is not valid unicode$"):
        canonical.encode(value)


@pytest.mark.parametrize("data", [b"\xa1\xff", b"\xa3\xed\xa0\x80"], ids=["0xff", "surrogate"])
def test_strings_that_are_not_utf8_are_rejected(data: bytes) -> None:
    with pytest.raises(CodecError, match=r"^malformed msgpack: 'utf-8' codec can't decode"):
        canonical.decode(data)


def test_tuples_encode_as_arrays() -> None:
    assert canonical.encode((1, "a")) == canonical.encode([1, "a"]) == b"\x92\x01\xa1a"


def test_depth_limit_counts_the_top_level_value_as_depth_zero() -> None:
    # A value at depth 16 is allowed; anything at depth 17 is not. So 16 arrays may wrap a
    # scalar, and 17 arrays are allowed only when the innermost one is empty.
    for ok in (nested_lists(16, 0), nested_lists(16, [])):
        assert canonical.decode(canonical.encode(ok)) == ok
    for too_deep in (nested_lists(17, 0), nested_lists(17, [])):
        with pytest.raises(CodecError, match=r"^nested deeper than 16$"):
            canonical.encode(too_deep)
    with pytest.raises(CodecError, match=r"^nested deeper than 16$"):
        canonical.decode(b"\x91" * 17 + b"\x00")
    assert canonical.decode(b"\x91" * 16 + b"\x00") == nested_lists(16, 0)


def test_depth_limit_applies_to_maps_too() -> None:
    value: Any = 0
    for _ in range(17):
        value = {"k": value}
    with pytest.raises(CodecError, match=r"^nested deeper than 16$"):
        canonical.encode(value)
    with pytest.raises(CodecError, match=r"^nested deeper than 16$"):
        canonical.decode(b"\x81\xa1k" * 17 + b"\x00")


def test_very_deep_input_raises_codec_error_not_recursion_error() -> None:
    with pytest.raises(CodecError):
        canonical.decode(b"\x91" * 100_000 + b"\xc0")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", r"^malformed msgpack: Unpack failed: incomplete input$"),
        (b"\xc0\xc0", r"^malformed msgpack: unpack\(b\) received extra data\.$"),
        (b"\x92\xc0", r"^malformed msgpack: Unpack failed: incomplete input$"),
        (b"\xc1", r"^malformed msgpack: "),  # the one byte msgpack never uses
        (b"\xdd\xff\xff\xff\xff", r"^malformed msgpack: 4294967295 exceeds max_array_len"),
    ],
    ids=["empty", "trailing", "truncated", "never-used", "huge-length"],
)
def test_malformed_input_is_rejected(data: bytes, message: str) -> None:
    with pytest.raises(CodecError, match=message):
        canonical.decode(data)


def test_input_over_max_size_is_rejected_before_decoding() -> None:
    with pytest.raises(CodecError, match=r"^4 bytes exceeds the limit of 3$"):
        canonical.decode(b"\xa3abc", max_size=3)
    assert canonical.decode(b"\xa3abc", max_size=4) == "abc"
