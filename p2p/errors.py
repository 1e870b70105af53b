"""Errors raised by the p2p layer.

Every error the p2p layer raises on purpose derives from :class:`P2PError`. Each docstring says
whose fault the failure is, so a caller knows whether to fix its own input, retry later, or give
up on the remote peer. This module imports nothing heavy, so callers can catch these errors
without paying for the libp2p import.
"""

from __future__ import annotations

__all__ = [
    "DialError",
    "InvalidAddressError",
    "ListenError",
    "P2PError",
    "StreamBrokenError",
    "StreamClosedError",
    "StreamOpenError",
]


class P2PError(Exception):
    """Root of the errors raised by the p2p layer."""


class InvalidAddressError(P2PError, ValueError):
    """The caller passed a malformed multiaddr or peer id (the caller's fault).

    Retrying with the same input fails the same way.
    """


class ListenError(P2PError):
    """The host could not listen on a requested address.

    Local environment's fault: the port is taken, the interface does not exist, or the
    transport does not support the address.
    """


class DialError(P2PError):
    """A connection to a remote peer could not be established.

    The remote's or the network's fault: nothing listens there, the connection was refused or
    timed out, or the remote does not speak Noise + Yamux or proved a different identity than
    the one dialled. Retrying later may succeed.

    Attributes:
        peer_id: The base58 peer id that was dialled.
        address: The multiaddr text that was dialled.
        reason: A short plain-language reason, without the libp2p exception chain.
    """

    def __init__(self, peer_id: str, address: str, reason: str) -> None:
        super().__init__(f"could not connect to {peer_id} at {address}: {reason}")
        self.peer_id = peer_id
        self.address = address
        self.reason = reason


class StreamOpenError(P2PError):
    """A stream to a peer could not be opened.

    The remote's fault, or a stale view of the network: the peer is not connected (and could
    not be dialled), or it does not support the requested protocol.
    """


class StreamBrokenError(P2PError):
    """A stream failed underneath its user (the remote's or the network's fault).

    The remote peer reset the stream, the connection was lost, or flow control timed out because
    the remote stopped reading. Data written but not yet acknowledged may be lost; the exchange
    has to be retried on a new stream.
    """


class StreamClosedError(P2PError):
    """A stream was used after this side closed or reset it (the caller's fault)."""
