"""The JSON Canonicalization Scheme (RFC 8785), through the ``rfc8785`` library.

Imported lazily so that the rest of the plugin loads (and its other tests run) where the library
is not installed; only signing and verifying credentials need it.
"""

from __future__ import annotations

from typing import Any

from ._errors import CredentialError


def canonicalize(value: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of a JSON value (parsed JSON: dicts, lists, str,
    int, float, bool, None).

    Raises:
        CredentialError: the value has no canonical form (an integer beyond 2**53 - 1, NaN or an
            infinity, a lone surrogate, a non-string key, nesting too deep).
        ImportError: the ``rfc8785`` package is not installed.
    """
    try:
        import rfc8785
    except ImportError as exc:  # a broken install, not a runtime condition: let it surface
        raise ImportError(
            "credentials need the rfc8785 package (JSON canonicalization): pip install rfc8785"
        ) from exc
    try:
        return rfc8785.dumps(value)
    except rfc8785.CanonicalizationError as exc:
        raise CredentialError(f"cannot canonicalize the JSON: {exc}") from exc
    except RecursionError as exc:
        raise CredentialError("cannot canonicalize the JSON: nested too deeply") from exc
