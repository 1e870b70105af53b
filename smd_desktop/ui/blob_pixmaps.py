"""Blob images as pixmaps: decoded in the core's thread, kept in a small cache for painting.

Decoding (``QImage.fromData`` and scaling) happens in the core service's worker thread, never in
paint code; only the finished image becomes a :class:`QPixmap` on the GUI thread.
"""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QImage, QPixmap

from ..core.ids import BlobHash
from ..core.profile import Profile
from ..core.store import BlobRef
from .service import CoreService

THUMBNAIL_EDGE = 192
"""Longest edge thumbnails are decoded at: twice the timeline's 96 px, for HiDPI screens."""


def decode_blob(
    profile: Profile, digest: BlobHash, size: int | None, square: bool = False
) -> QImage | None:
    """A blob decoded (and scaled to fit ``size``), in the core's thread; None when the blob
    has not arrived, a null image when it is not decodable.

    ``square``: scale to cover ``size`` x ``size`` and keep the centre square (avatars).
    """
    blob = profile.blob(digest)
    if blob is None:
        return None
    image = QImage.fromData(blob[0])
    if size is not None and not image.isNull():
        image = image.scaled(
            size,
            size,
            (
                Qt.AspectRatioMode.KeepAspectRatioByExpanding
                if square
                else Qt.AspectRatioMode.KeepAspectRatio
            ),
            Qt.TransformationMode.SmoothTransformation,
        )
        if square:
            edge = min(image.width(), image.height())
            image = image.copy(
                (image.width() - edge) // 2, (image.height() - edge) // 2, edge, edge
            )
    return image


class BlobPixmaps(QObject):
    """Thumbnails of blobs, loaded once through the service and kept (least recently used out).

    Rule: call :meth:`thumbnail` from paint code freely; it never blocks, and :attr:`loaded`
    says when to paint again.
    """

    loaded = Signal(bytes)
    """The thumbnail of this blob hash is ready (or known to be undecodable)."""
    missing_cleared = Signal()
    """Blobs that were missing may have arrived: paint again, so :meth:`thumbnail` asks."""

    def __init__(
        self,
        service: CoreService,
        parent: QObject | None = None,
        *,
        size: int = THUMBNAIL_EDGE,
        limit: int = 300,
        square: bool = False,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.size = size
        self.limit = limit
        self.square = square
        """Whether images are cropped to their centre square (see :func:`decode_blob`)."""
        self._pixmaps: OrderedDict[bytes, QPixmap] = OrderedDict()
        self._pending: set[bytes] = set()
        self._missing: set[bytes] = set()
        service.records_changed.connect(self.retry_missing)
        service.closed.connect(self.clear)

    def thumbnail(self, ref: BlobRef) -> QPixmap | None:
        """The thumbnail if loaded (a null pixmap if undecodable); else None, and it loads."""
        pixmap = self._pixmaps.get(ref.hash)
        if pixmap is not None:
            self._pixmaps.move_to_end(ref.hash)
            return pixmap
        if ref.hash not in self._pending and ref.hash not in self._missing:
            self._pending.add(ref.hash)
            self.service.run(self._load, ref.hash)
        return None

    def is_missing(self, ref: BlobRef) -> bool:
        """Whether the blob has not arrived on this device yet."""
        return ref.hash in self._missing

    def retry_missing(self) -> None:
        """Blobs may have arrived: ask again for those that were missing (at the next paint;
        :attr:`missing_cleared` asks for one)."""
        if self._missing:
            self._missing.clear()
            self.missing_cleared.emit()

    def clear(self) -> None:
        """Forget everything (the profile closed)."""
        self._pixmaps.clear()
        self._missing.clear()

    async def _load(self, digest: bytes) -> None:
        try:
            if not self.service.is_open:
                return
            image = await self.service.call(decode_blob, BlobHash(digest), self.size, self.square)
        finally:
            self._pending.discard(digest)
        if image is None:
            self._missing.add(digest)
        else:
            self._pixmaps[digest] = QPixmap.fromImage(image)
            while len(self._pixmaps) > self.limit:
                self._pixmaps.popitem(last=False)
        self.loaded.emit(digest)
