"""The UI's one door to the core: an unlocked :class:`Profile`, used off the GUI thread.

Every call into the core runs in one worker thread (``trio.to_thread`` with a limiter of one),
so SQLCipher and Argon2id never block the window. Widgets start work with
``service.run(async_fn, ...)`` from a slot and hear back through Qt signals; errors arrive as
one plain sentence on :attr:`CoreService.error`, never as a traceback.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import trio
from PySide6.QtCore import QObject, Signal

from ..core.errors import SmdError, WrongPassphrase
from ..core.kdf import KdfParams
from ..core.plugins import PluginHost
from ..core.profile import Profile
from ..core.store import profile_exists
from .trio_bridge import TrioGuest

P = ParamSpec("P")
T = TypeVar("T")


class CoreService(QObject):
    """Owns the profile for the UI. Lives on the GUI thread; all its work runs in Trio."""

    unlocked = Signal()
    """A profile is open (created, restored, imported or unlocked)."""
    closed = Signal()
    """The profile was closed (locked or shutting down)."""
    records_changed = Signal()
    """New records (ours or from peers): views refresh what they show."""
    error = Signal(str)
    """Something failed; the text is a plain sentence for the user."""
    busy_changed = Signal(bool)

    def __init__(
        self,
        guest: TrioGuest,
        data_dir: Path,
        *,
        kdf: KdfParams | None = None,
        plugins: PluginHost | None = None,
    ) -> None:
        super().__init__()
        self.guest = guest
        self.data_dir = data_dir
        self.kdf = kdf
        self.plugins = plugins if plugins is not None else PluginHost()
        """The installed plugins; attached to each profile this service opens."""
        self._profile: Profile | None = None
        self._limiter: trio.CapacityLimiter | None = None
        self._busy = 0
        guest.task_failed.connect(self.error)

    # -- state ----------------------------------------------------------------------------

    @property
    def profile(self) -> Profile:
        """The open profile. Use it only inside :meth:`call` (it blocks)."""
        if self._profile is None:
            raise RuntimeError("no profile is open")
        return self._profile

    @property
    def is_open(self) -> bool:
        """Whether a profile is unlocked."""
        return self._profile is not None

    def has_profile(self) -> bool:
        """Whether the data directory holds a profile (a cheap file check)."""
        return profile_exists(self.data_dir)

    # -- running work ---------------------------------------------------------------------

    def run(self, fn: Callable[..., Awaitable[Any]], *args: Any) -> None:
        """Start ``fn(*args)`` in Trio from a Qt slot; its SmdError becomes :attr:`error`."""

        async def reported() -> None:
            try:
                await fn(*args)
            except SmdError as exc:
                self.error.emit(str(exc))

        self.guest.start_soon(reported)

    async def blocking(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a blocking core call in the worker thread (one at a time)."""
        if self._limiter is None:
            self._limiter = trio.CapacityLimiter(1)
        self._set_busy(+1)
        try:
            return await trio.to_thread.run_sync(lambda: fn(*args, **kwargs), limiter=self._limiter)
        finally:
            self._set_busy(-1)

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(profile, *args)`` in the worker thread."""
        profile = self.profile
        return await self.blocking(fn, profile, *args)

    def _set_busy(self, delta: int) -> None:
        was = self._busy > 0
        self._busy += delta
        if (self._busy > 0) != was:
            self.busy_changed.emit(self._busy > 0)

    # -- opening and closing ----------------------------------------------------------------

    async def unlock(self, passphrase: str) -> bool:
        """Open the profile; False (and nothing changed on disk) for a wrong passphrase."""
        try:
            profile = await self.blocking(
                Profile.open, self.data_dir, passphrase, plugins=self.plugins
            )
        except WrongPassphrase:
            return False
        self._opened(profile)
        return True

    async def create(self, passphrase: str, name: str) -> str:
        """Create a new identity; returns its 24-word recovery phrase (show it once)."""
        profile = await self.blocking(
            Profile.create, self.data_dir, passphrase, name=name, kdf=self.kdf, plugins=self.plugins
        )
        phrase = profile.root.phrase()
        self._opened(profile)
        return phrase

    async def restore(self, passphrase: str, phrase: str, name: str | None = None) -> None:
        """Restore an identity from its phrase, as a new device."""
        profile = await self.blocking(
            Profile.restore,
            self.data_dir,
            passphrase,
            phrase,
            name=name,
            kdf=self.kdf,
            plugins=self.plugins,
        )
        self._opened(profile)

    async def import_backup(self, path: Path, passphrase: str) -> int:
        """Restore a backup file as a new device; returns how many records it held."""
        from ..core.backup import import_backup

        profile, count = await self.blocking(
            import_backup, path, self.data_dir, passphrase, kdf=self.kdf, plugins=self.plugins
        )
        self._opened(profile)
        return count

    def _opened(self, profile: Profile) -> None:
        self._profile = profile
        self.unlocked.emit()

    async def close(self) -> None:
        """Close the profile (checkpointing the WAL); nothing is lost."""
        profile, self._profile = self._profile, None
        if profile is not None:
            await self.blocking(profile.close)
            self.closed.emit()
