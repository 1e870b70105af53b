"""Fixtures for the p2p tests: real libp2p hosts on 127.0.0.1, each with a fresh random seed.

Every host is shut down when its test ends, so a test that leaks a task or hangs on shutdown
fails (or times out) instead of passing.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from p2p.host import P2PHost, open_host

LOOPBACK = "/ip4/127.0.0.1/tcp/0"
"""Listen on loopback only, on a port the OS picks."""


@pytest.fixture
def dialer_seed() -> bytes:
    """The random 32-byte Ed25519 seed of the ``dialer`` host."""
    return os.urandom(32)


@pytest.fixture
async def listener() -> AsyncIterator[P2PHost]:
    """A running host on loopback that the test dials."""
    async with open_host(os.urandom(32), [LOOPBACK], dial_timeout=5.0) as host:
        yield host


@pytest.fixture
async def dialer(dialer_seed: bytes) -> AsyncIterator[P2PHost]:
    """A running host on loopback, with the identity of ``dialer_seed``, that dials."""
    async with open_host(dialer_seed, [LOOPBACK], dial_timeout=5.0) as host:
        yield host
