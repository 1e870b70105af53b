"""Route py-libp2p's log records into the application's logging tree, minus the noise.

Importing libp2p runs its ``setup_logging()``, which sets ``propagate = False`` on the
``libp2p`` logger and installs no handler (unless ``LIBP2P_DEBUG`` is set, in which case it
writes to stderr and a temporary file from its own thread). So by default libp2p's records reach
only Python's last-resort stderr handler, bypassing the app's handlers and format. On top of
that, py-libp2p logs routine events as faults: a peer that vanished ("Yamux connection closed
unexpectedly ..." at WARNING; "Error in handle_incoming ..." at ERROR for some socket errors), a
refused dial ("Failed to open TCP stream", ERROR, once per retry), a peer without Noise ("failed
to upgrade security", ERROR), and ``libp2p.network.auto_connector`` forces its own level to INFO.

:func:`route_libp2p_logging` replaces all that with one handler on the ``libp2p`` logger that
demotes those routine records to DEBUG (the failures that matter reach callers as p2p errors)
and passes the rest, above a chosen level, to the root logger's handlers.
"""

from __future__ import annotations

import logging
import logging.handlers
from typing import Final

__all__ = [
    "LIBP2P_LOGGER",
    "MULTIADDR_LOGGER",
    "is_routine_network_error",
    "route_libp2p_logging",
]

LIBP2P_LOGGER: Final = "libp2p"
"""Name of the logger every py-libp2p module logs under."""

MULTIADDR_LOGGER: Final = "multiaddr"
"""Name of the logger of the multiaddr package py-libp2p parses addresses with."""

_ROUTINE_PHRASES: Final = (
    # the remote hung up or the connection was torn down
    "broken pipe",
    "brokenresourceerror",
    "closedresourceerror",
    "connection closed",
    "connection is closed",
    "connection reset",
    "end of file",
    "error closing secured_conn",
    "incomplete read",
    "rawconnerror",
    "stream eof",
    "stream is closed",
    "stream reset",
    "stream was reset",
    "streameof",
    "streamreset",
    # dial and stream-open failures: P2PHost raises them to its caller as DialError and
    # StreamOpenError, so logging them at ERROR as well only repeats them
    "failed to open tcp stream",
    "failed to upgrade security",
    "failed to open stream to peer",
    "multiselectclient handshake",
)
_ROUTINE_EXCEPTIONS: Final = (
    BrokenPipeError,
    ConnectionAbortedError,
    ConnectionResetError,
    EOFError,  # libp2p's StreamEOF and MuxedStreamEOF are EOFErrors
)


def is_routine_network_error(record: logging.LogRecord) -> bool:
    """Return whether a libp2p record reports a routine network event rather than a fault.

    Routine: a peer disconnecting in any of the ways libp2p words it, or a dial or stream-open
    failure that the p2p layer also raises to its caller.
    """
    if record.exc_info is not None and isinstance(record.exc_info[1], _ROUTINE_EXCEPTIONS):
        return True
    message = record.getMessage().lower()
    return any(phrase in message for phrase in _ROUTINE_PHRASES)


class _Libp2pLogRouter(logging.Handler):
    """Demotes routine records, drops those below a level, passes the rest to the root."""

    def __init__(self, level: int, routine_level: int) -> None:
        super().__init__(logging.NOTSET)
        self.threshold = level
        self.routine_level = routine_level

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno > self.routine_level and is_routine_network_error(record):
            record.levelno = self.routine_level
            record.levelname = logging.getLevelName(self.routine_level)
        if record.levelno >= self.threshold:
            # The root logger's handle() runs its filters and handlers, exactly what propagation
            # would have done; the record keeps its libp2p.* name.
            logging.getLogger().handle(record)


def route_libp2p_logging(
    level: int = logging.WARNING,
    *,
    routine_level: int = logging.DEBUG,
) -> None:
    """Send py-libp2p's records to the root logger's handlers, routine errors demoted.

    Imports libp2p first if needed: its import resets the ``libp2p`` logger, which would undo
    this. Calling again replaces the earlier settings. Also raises the ``multiaddr`` logger to
    at least INFO: it traces every address parse at DEBUG. (A few py-libp2p modules log through
    the root logger itself, e.g. "Closing SwarmConn for peer ..." at DEBUG; no logger name
    can single those out.)

    Args:
        level: Records below this level (after demotion) are dropped. DEBUG lets everything
            through, which is very verbose.
        routine_level: The level routine network errors (see :func:`is_routine_network_error`)
            are demoted to.
    """
    import libp2p  # noqa: F401  # runs libp2p's setup_logging() now, so it cannot undo ours later
    from libp2p.utils.logging import log_queue

    libp2p_logger = logging.getLogger(LIBP2P_LOGGER)
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if not isinstance(logger, logging.Logger):
            continue
        if name == LIBP2P_LOGGER or name.startswith(LIBP2P_LOGGER + "."):
            # LIBP2P_DEBUG makes libp2p hang queue handlers (to its own stderr + temp-file
            # writer) on the root and on chosen modules, each with propagate = False.
            for handler in list(logger.handlers):
                if isinstance(handler, logging.handlers.QueueHandler) and (
                    handler.queue is log_queue
                ):
                    logger.removeHandler(handler)
                if isinstance(handler, _Libp2pLogRouter):
                    logger.removeHandler(handler)
            if logger is not libp2p_logger:
                logger.propagate = True
    # The root libp2p logger keeps propagate = False: the router forwards instead, after
    # demoting. A filter could not do this: logger filters do not see records from child loggers.
    libp2p_logger.propagate = False
    libp2p_logger.setLevel(level)
    libp2p_logger.addHandler(_Libp2pLogRouter(level, routine_level))
    # The multiaddr package traces every parse at DEBUG ("[DEBUG CID to_bytes] ..."), several
    # lines per address; that is never what a DEBUG log of this app is for.
    logging.getLogger(MULTIADDR_LOGGER).setLevel(max(level, logging.INFO))
