"""How a timeline row looks: :class:`PostDelegate` paints a post and turns clicks into signals.

A row holds the author's round avatar, then the author, the relative time and "edited", the
wrapped text, the image thumbnails (from :class:`~smd_desktop.ui.blob_pixmaps.BlobPixmaps`) and
the Reply / Edit / Delete links, all indented by the reply depth. One layout function places all
of these, so painting, row heights and hit tests always agree.

Avatars load like thumbnails (decoded off the GUI thread, cached, cropped to a square); until
one is loaded, or when the author has none, the row shows the name's initial on a circle whose
colour comes from the identity, so an author keeps one colour everywhere.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPalette,
    QPixmap,
    QTextLayout,
    QTextOption,
    QTransform,
)
from PySide6.QtWidgets import (
    QApplication,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from ..core.store import BlobRef
from .blob_pixmaps import BlobPixmaps
from .timeline_model import PostRole

THUMB = 96
"""Edge of an image thumbnail in the timeline, in pixels."""
AVATAR = 36
"""Diameter of an author's avatar in the timeline, in pixels."""
AVATAR_EDGE = 2 * AVATAR
"""Edge avatars are decoded at: twice the drawn size, for HiDPI screens."""
MARGIN = 10
SPACING = 4
AVATAR_GAP = 10
INDENT = 28
ACTION_GAP = 16

type AnyIndex = QModelIndex | QPersistentModelIndex


def avatar_color(identity: bytes) -> QColor:
    """The fallback avatar's colour: a hue fixed by the identity, dark enough for white text."""
    hue = int.from_bytes(hashlib.blake2b(identity, digest_size=2).digest()) % 360
    return QColor.fromHsl(hue, 150, 95)


def initial(name: str) -> str:
    """The letter a fallback avatar shows: the name's first letter or digit, upper case."""
    first = next((c for c in name if c.isalnum()), name[:1] or "?")
    return first.upper()[:1]


@dataclass(frozen=True)
class AvatarLook:
    """How a row's avatar is drawn right now."""

    pixmap: QPixmap | None
    """The author's avatar, square, once loaded; None: draw the fallback."""
    letter: str
    """The fallback's letter."""
    color: QColor
    """The fallback circle's colour."""


@dataclass
class _PostLayout:
    """Where each part of a post goes inside its row."""

    avatar: QRect
    header: QRect
    text: QRect
    images: list[tuple[BlobRef, QRect]] = field(default_factory=list)
    actions: list[tuple[str, str, QRect]] = field(default_factory=list)
    """``(name, label, rect)`` of each link: ``"reply"`` and its translated label."""
    height: int = 0


def _wrapped(text: str, font: QFont, width: int) -> tuple[QTextLayout, int]:
    layout = QTextLayout(text.replace("\n", "\u2028"), font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    layout.beginLayout()
    height = 0.0
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(max(width, 1))
        line.setPosition(QPointF(0, height))
        height += line.height()
    layout.endLayout()
    return layout, int(height + 0.999)


class PostDelegate(QStyledItemDelegate):
    """Paints a post and turns clicks on its links and images into signals."""

    action_requested = Signal(str, int)
    """``("reply" | "edit" | "delete", row)``: a link under a post was clicked."""
    image_clicked = Signal(object)
    """A thumbnail was clicked; the argument is its :class:`BlobRef`."""

    def __init__(
        self, view: QListView, pixmaps: BlobPixmaps, avatars: BlobPixmaps | None = None
    ) -> None:
        """``pixmaps`` holds the thumbnails; ``avatars`` the avatars (square, see
        :data:`AVATAR_EDGE`; made from ``pixmaps``' service when not given)."""
        super().__init__(view)
        self.view = view
        self.pixmaps = pixmaps
        if avatars is None:
            avatars = BlobPixmaps(pixmaps.service, self, size=AVATAR_EDGE, square=True)
        self.avatars = avatars
        self.avatars.loaded.connect(self._repaint)
        self.avatars.missing_cleared.connect(self._repaint)
        self._heights: dict[tuple[bytes, str, int, int, bool], int] = {}

    def _repaint(self, *_args: object) -> None:
        # An avatar loaded, or missing ones may have arrived: rows keep their height, so
        # repainting what is visible shows it (or asks for it again).
        self.view.viewport().update()

    def _actions(self, index: AnyIndex) -> list[tuple[str, str]]:
        """The row's links as ``(name, label)``: Reply, and Edit and Delete on our posts."""
        reply = ("reply", self.tr("Reply"))
        if index.data(PostRole.IS_MINE):
            return [reply, ("edit", self.tr("Edit")), ("delete", self.tr("Delete"))]
        return [reply]

    def _layout(self, rect: QRect, index: AnyIndex, font: QFont) -> _PostLayout:
        bold = QFont(font)
        bold.setBold(True)
        fm, bold_fm = QFontMetrics(font), QFontMetrics(bold)
        indent = rect.left() + MARGIN + INDENT * int(index.data(PostRole.DEPTH) or 0)
        avatar = QRect(indent, rect.top() + MARGIN, AVATAR, AVATAR)
        left = avatar.right() + 1 + AVATAR_GAP
        width = max(rect.right() - MARGIN - left, 40)
        y = rect.top() + MARGIN
        header = QRect(left, y, width, bold_fm.height())
        y += header.height() + SPACING
        text = str(index.data(PostRole.TEXT) or "")
        text_height = _wrapped(text, font, width)[1] if text else 0
        text_rect = QRect(left, y, width, text_height)
        if text_height:
            y += text_height + SPACING
        out = _PostLayout(avatar, header, text_rect)
        x = left
        images: list[BlobRef] = index.data(PostRole.IMAGES) or []
        for ref in images:
            if x + THUMB > left + width and x != left:
                x, y = left, y + THUMB + SPACING
            out.images.append((ref, QRect(x, y, THUMB, THUMB)))
            x += THUMB + SPACING
        if images:
            y += THUMB + SPACING
        x = left
        for name, label in self._actions(index):
            advance = fm.horizontalAdvance(label)
            out.actions.append((name, label, QRect(x, y, advance, fm.height())))
            x += advance + ACTION_GAP
        y = max(y + fm.height(), avatar.bottom() + 1) + MARGIN
        out.height = y - rect.top()
        return out

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:  # noqa: N802 (Qt)
        """The post's height at the view's current width."""
        width = self.view.viewport().width()
        key = (
            bytes(index.data(PostRole.ID) or b""),
            str(index.data(PostRole.TEXT) or ""),
            width,
            int(index.data(PostRole.DEPTH) or 0),
            bool(index.data(PostRole.IS_MINE)),
        )
        height = self._heights.get(key)
        if height is None:
            if len(self._heights) > 5000:
                self._heights.clear()
            layout = self._layout(QRect(0, 0, width, 0), index, option.font)
            height = self._heights[key] = layout.height
        return QSize(width, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        """Background and selection by the style, then the post itself."""
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)

        layout = self._layout(option.rect, index, option.font)
        palette: QPalette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        text_color = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        meta_color = text_color if selected else palette.color(QPalette.ColorRole.PlaceholderText)

        painter.save()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self._paint_avatar(painter, self.avatar(index), layout.avatar, option.font)
        bold = QFont(option.font)
        bold.setBold(True)
        name = str(index.data(PostRole.AUTHOR_NAME) or "")
        painter.setFont(bold)
        painter.setPen(text_color)
        bold_fm = QFontMetrics(bold)
        name = bold_fm.elidedText(name, Qt.TextElideMode.ElideRight, layout.header.width() // 2)
        painter.drawText(layout.header, Qt.AlignmentFlag.AlignLeft, name)
        meta = f" · {index.data(PostRole.RELATIVE_TIME)}"
        if index.data(PostRole.EDITED):
            meta += " · " + self.tr("edited")
        painter.setFont(option.font)
        painter.setPen(meta_color)
        meta_rect = layout.header.adjusted(bold_fm.horizontalAdvance(name), 0, 0, 0)
        painter.drawText(meta_rect, Qt.AlignmentFlag.AlignLeft, meta)

        text = str(index.data(PostRole.TEXT) or "")
        if text:
            painter.setPen(text_color)
            wrapped, _ = _wrapped(text, option.font, layout.text.width())
            wrapped.draw(painter, QPointF(layout.text.topLeft()))

        for ref, rect in layout.images:
            self._paint_thumbnail(painter, ref, rect, palette)

        link = text_color if selected else palette.color(QPalette.ColorRole.Link)
        painter.setPen(link)
        for _name, label, rect in layout.actions:
            painter.drawText(rect, Qt.AlignmentFlag.AlignLeft, label)

        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        bottom = option.rect.bottom()
        painter.drawLine(option.rect.left() + MARGIN, bottom, option.rect.right() - MARGIN, bottom)
        painter.restore()

    def avatar(self, index: AnyIndex) -> AvatarLook:
        """The row's avatar as it is drawn now; asks for it to load if it is not yet."""
        ref: BlobRef | None = index.data(PostRole.AVATAR)
        pixmap = self.avatars.thumbnail(ref) if ref is not None else None
        return AvatarLook(
            pixmap if pixmap is not None and not pixmap.isNull() else None,
            initial(str(index.data(PostRole.AUTHOR_NAME) or "")),
            avatar_color(bytes(index.data(PostRole.AUTHOR_KEY) or b"")),
        )

    @staticmethod
    def _paint_avatar(painter: QPainter, look: AvatarLook, rect: QRect, font: QFont) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        if look.pixmap is not None:
            # A texture brush clipped by the ellipse: a smooth round edge, no clip path.
            brush = QBrush(look.pixmap)
            transform = QTransform()
            transform.translate(rect.x(), rect.y())
            transform.scale(
                rect.width() / look.pixmap.width(), rect.height() / look.pixmap.height()
            )
            brush.setTransform(transform)
            painter.setBrush(brush)
            painter.drawEllipse(rect)
        else:
            painter.setBrush(look.color)
            painter.drawEllipse(rect)
            letter_font = QFont(font)
            letter_font.setBold(True)
            letter_font.setPixelSize(AVATAR * 4 // 9)
            painter.setFont(letter_font)
            painter.setPen(QColor(Qt.GlobalColor.white))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, look.letter)
        painter.restore()

    def _paint_thumbnail(
        self, painter: QPainter, ref: BlobRef, rect: QRect, palette: QPalette
    ) -> None:
        pixmap = self.pixmaps.thumbnail(ref)
        if pixmap is None or pixmap.isNull():
            painter.fillRect(rect, palette.color(QPalette.ColorRole.AlternateBase))
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            if pixmap is not None:
                label = "?"
            elif self.pixmaps.is_missing(ref):
                label = self.tr("not here yet")
            else:
                label = "…"
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, label)
            return
        size = pixmap.size().scaled(rect.size(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRect(QPoint(0, 0), size)
        target.moveTopLeft(rect.topLeft())
        painter.drawPixmap(target, pixmap)

    def editorEvent(  # noqa: N802 (Qt override)
        self,
        event: QEvent,
        model: QAbstractItemModel,
        option: QStyleOptionViewItem,
        index: AnyIndex,
    ) -> bool:
        """A left click on a link or a thumbnail becomes a signal."""
        if (
            event.type() == QEvent.Type.MouseButtonRelease
            and isinstance(event, QMouseEvent)
            and event.button() == Qt.MouseButton.LeftButton
        ):
            point = event.position().toPoint()
            layout = self._layout(option.rect, index, option.font)
            for name, _label, rect in layout.actions:
                if rect.contains(point):
                    self.action_requested.emit(name, index.row())
                    return True
            for ref, rect in layout.images:
                if rect.contains(point):
                    self.image_clicked.emit(ref)
                    return True
        return super().editorEvent(event, model, option, index)

    def action_rect(self, index: AnyIndex, name: str) -> QRect:
        """Where the link ``name`` ("reply", "edit", "delete") of a row is, in the viewport."""
        rect = self.view.visualRect(self.view.model().index(index.row(), 0))
        for action, _label, where in self._layout(rect, index, self.view.font()).actions:
            if action == name:
                return where
        return QRect()

    def avatar_rect(self, index: AnyIndex) -> QRect:
        """Where a row's avatar is, in the viewport."""
        rect = self.view.visualRect(self.view.model().index(index.row(), 0))
        return self._layout(rect, index, self.view.font()).avatar

    def image_rects(self, index: AnyIndex) -> list[QRect]:
        """Where a row's thumbnails are, in the viewport."""
        rect = self.view.visualRect(self.view.model().index(index.row(), 0))
        return [r for _, r in self._layout(rect, index, self.view.font()).images]
