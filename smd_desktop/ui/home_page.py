"""The Home page: the compose box over the timeline.

The timeline is a :class:`QListView` of :class:`~smd_desktop.ui.timeline_model.TimelineModel`
painted by :class:`PostDelegate` (author, time, "edited", wrapped text, reply indentation,
image thumbnails, and Reply / Edit / Delete links). Thumbnails come from
:class:`BlobPixmaps`, which reads blobs and decodes them in the core's thread and keeps the
pixmaps. New posts are inserted above without moving what the reader is looking at: the page
remembers the first visible post before every model update and scrolls back to it afterwards
(unless the view was at the very top, where new posts simply appear).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRect,
    QSettings,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QImage,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPalette,
    QPixmap,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListView,
    QMenu,
    QMessageBox,
    QScrollArea,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from ..core.ids import BlobHash, RecordId
from ..core.profile import Profile
from ..core.store import BlobRef, PostView
from .compose import ComposeBox
from .service import CoreService
from .timeline_model import PostRole, TimelineModel

THUMB = 96
"""Edge of an image thumbnail in the timeline, in pixels."""
MARGIN = 10
SPACING = 4
INDENT = 28
ACTION_GAP = 16
REFRESH_RELATIVE_TIMES_MS = 60_000

type AnyIndex = QModelIndex | QPersistentModelIndex


# -- blobs as pixmaps -----------------------------------------------------------------------


def _decode(profile: Profile, digest: BlobHash, size: int | None) -> QImage | None:
    """A blob decoded (and scaled to fit ``size``), in the core's thread; None when the blob
    has not arrived, a null image when it is not decodable."""
    blob = profile.blob(digest)
    if blob is None:
        return None
    image = QImage.fromData(blob[0])
    if size is not None and not image.isNull():
        image = image.scaled(
            size,
            size,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    return image


class BlobPixmaps(QObject):
    """Thumbnails of blobs, loaded once through the service and kept (least recently used out).

    Rule: call :meth:`thumbnail` from paint code freely; it never blocks, and :attr:`loaded`
    says when to paint again.
    """

    loaded = Signal(bytes)
    """The thumbnail of this blob hash is ready (or known to be undecodable)."""

    def __init__(
        self,
        service: CoreService,
        parent: QObject | None = None,
        *,
        size: int = 2 * THUMB,
        limit: int = 300,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.size = size
        self.limit = limit
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
        """Blobs may have arrived: ask again for those that were missing."""
        self._missing.clear()

    def clear(self) -> None:
        """Forget everything (the profile closed)."""
        self._pixmaps.clear()
        self._missing.clear()

    async def _load(self, digest: bytes) -> None:
        try:
            if not self.service.is_open:
                return
            image = await self.service.call(_decode, BlobHash(digest), self.size)
        finally:
            self._pending.discard(digest)
        if image is None:
            self._missing.add(digest)
        else:
            self._pixmaps[digest] = QPixmap.fromImage(image)
            while len(self._pixmaps) > self.limit:
                self._pixmaps.popitem(last=False)
        self.loaded.emit(digest)


class ImageDialog(QDialog):
    """One image, larger, loaded in the background."""

    shown = Signal()
    """The image is on screen (or a sentence saying why it is not)."""

    def __init__(self, service: CoreService, ref: BlobRef, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Image")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.service = service
        self.ref = ref
        self.label = QLabel("Loading…", self)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setAccessibleName("Image")
        scroll = QScrollArea(self)
        scroll.setWidget(self.label)
        scroll.setWidgetResizable(True)
        scroll.setAccessibleName("Image view")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(buttons)
        self.resize(800, 600)
        # Closing deletes the dialog; a load finishing after that must not touch it.
        alive = self._alive = [True]
        self.destroyed.connect(lambda *_: alive.clear())
        service.run(self._load)

    async def _load(self) -> None:
        image = await self.service.call(_decode, self.ref.hash, None)
        if not self._alive:
            return
        if image is None:
            self.label.setText("This image has not arrived on this device yet.")
        elif image.isNull():
            self.label.setText("This image cannot be shown.")
        else:
            pixmap = QPixmap.fromImage(image)
            screen = self.screen() or QGuiApplication.primaryScreen()
            if screen is not None:
                room = screen.availableGeometry().size() * 0.85
                if pixmap.width() > room.width() or pixmap.height() > room.height():
                    pixmap = pixmap.scaled(
                        room,
                        Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation,
                    )
            self.label.setPixmap(pixmap)
            self.resize(max(pixmap.width() + 40, 320), max(pixmap.height() + 80, 240))
        self.shown.emit()


# -- painting posts -------------------------------------------------------------------------


@dataclass
class _PostLayout:
    """Where each part of a post goes inside its row."""

    header: QRect
    text: QRect
    images: list[tuple[BlobRef, QRect]] = field(default_factory=list)
    actions: list[tuple[str, QRect]] = field(default_factory=list)
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

    def __init__(self, view: QListView, pixmaps: BlobPixmaps) -> None:
        super().__init__(view)
        self.view = view
        self.pixmaps = pixmaps
        self._heights: dict[tuple[bytes, str, int, int, bool], int] = {}

    @staticmethod
    def _actions(index: AnyIndex) -> list[str]:
        return ["Reply", "Edit", "Delete"] if index.data(PostRole.IS_MINE) else ["Reply"]

    def _layout(self, rect: QRect, index: AnyIndex, font: QFont) -> _PostLayout:
        bold = QFont(font)
        bold.setBold(True)
        fm, bold_fm = QFontMetrics(font), QFontMetrics(bold)
        left = rect.left() + MARGIN + INDENT * int(index.data(PostRole.DEPTH) or 0)
        width = max(rect.right() - MARGIN - left, 40)
        y = rect.top() + MARGIN
        header = QRect(left, y, width, bold_fm.height())
        y += header.height() + SPACING
        text = str(index.data(PostRole.TEXT) or "")
        text_height = _wrapped(text, font, width)[1] if text else 0
        text_rect = QRect(left, y, width, text_height)
        if text_height:
            y += text_height + SPACING
        out = _PostLayout(header, text_rect)
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
        for name in self._actions(index):
            advance = fm.horizontalAdvance(name)
            out.actions.append((name.lower(), QRect(x, y, advance, fm.height())))
            x += advance + ACTION_GAP
        y += fm.height() + MARGIN
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
            meta += " · edited"
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
        for name_, rect in layout.actions:
            painter.drawText(rect, Qt.AlignmentFlag.AlignLeft, name_.capitalize())

        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        bottom = option.rect.bottom()
        painter.drawLine(option.rect.left() + MARGIN, bottom, option.rect.right() - MARGIN, bottom)
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
                label = "not here yet"
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
            for name, rect in layout.actions:
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
        for action, where in self._layout(rect, index, self.view.font()).actions:
            if action == name:
                return where
        return QRect()

    def image_rects(self, index: AnyIndex) -> list[QRect]:
        """Where a row's thumbnails are, in the viewport."""
        rect = self.view.visualRect(self.view.model().index(index.row(), 0))
        return [r for _, r in self._layout(rect, index, self.view.font()).images]


# -- the page -------------------------------------------------------------------------------


def _delete(profile: Profile, record_id: RecordId) -> None:
    profile.delete(record_id)


class HomePage(QWidget):
    """The compose box on top of the timeline.

    Rule: create it with the app's one :class:`CoreService`; it loads when a profile is
    unlocked and refreshes on ``service.records_changed``. Errors go to ``service.error``.
    """

    open_identity = Signal(bytes)
    """The user wants to see a post author's profile (double-click, menu or Ctrl+P)."""

    def __init__(
        self,
        service: CoreService,
        parent: QWidget | None = None,
        *,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.setAccessibleName("Home")
        self.compose = ComposeBox(service, self, settings=settings)
        self.model = TimelineModel(service, self)
        self.pixmaps = BlobPixmaps(service, self)

        self.view = QListView(self)
        self.view.setAccessibleName("Timeline")
        self.view.setModel(self.model)
        self.delegate = PostDelegate(self.view, self.pixmaps)
        self.view.setItemDelegate(self.delegate)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setUniformItemSizes(False)
        self.view.setWordWrap(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.verticalScrollBar().setSingleStep(24)

        self.reply_action = self._action("Reply", "Ctrl+R", self._reply_current)
        self.edit_action = self._action("Edit", "Ctrl+E", self._edit_current)
        self.delete_action = self._action(
            "Delete", QKeySequence(QKeySequence.StandardKey.Delete), self._delete_current
        )
        self.profile_action = self._action("Open profile", "Ctrl+P", self._open_current_author)
        self.view.doubleClicked.connect(lambda _index: self._open_current_author())

        layout = QVBoxLayout(self)
        layout.addWidget(self.compose)
        layout.addWidget(self.view, 1)

        self._anchors: list[tuple[QPersistentModelIndex, int]] = []
        self._reveal: bytes | None = None
        self.model.about_to_update.connect(self._remember_scroll)
        self.model.updated.connect(self._restore_scroll)
        self.model.dataChanged.connect(self._on_data_changed)
        self.delegate.action_requested.connect(self._on_action)
        self.delegate.image_clicked.connect(self.open_image)
        self.pixmaps.loaded.connect(lambda _digest: self.view.viewport().update())
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.selectionModel().currentChanged.connect(self._update_actions)
        self.compose.posted.connect(self._reveal_when_loaded)
        self._update_actions()

        self._clock = QTimer(self)
        self._clock.setInterval(REFRESH_RELATIVE_TIMES_MS)
        self._clock.timeout.connect(self.view.viewport().update)
        self._clock.start()

    def _action(self, text: str, shortcut: str | QKeySequence, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self.view)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(slot)
        self.view.addAction(action)
        return action

    # -- acting on posts --------------------------------------------------------------------

    def reply_to(self, post: PostView) -> None:
        """Start a reply to ``post`` in the compose box."""
        self.compose.start_reply(post)

    def edit(self, post: PostView) -> None:
        """Start editing ``post`` (one of ours) in the compose box."""
        self.compose.start_edit(post)

    def delete(self, post: PostView) -> None:
        """Ask, then delete ``post`` (one of ours) in the background."""
        answer = QMessageBox.question(
            self,
            "Delete post",
            "Delete this post? Your followers' apps will remove it too.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.service.run(self._delete, post.id)

    async def _delete(self, record_id: RecordId) -> None:
        await self.service.call(_delete, record_id)
        target = self.compose.target
        if target is not None and target.id == record_id:
            self.compose.cancel_mode()
        self.service.records_changed.emit()

    def open_image(self, ref: BlobRef) -> ImageDialog:
        """Show one image larger, in its own dialog."""
        dialog = ImageDialog(self.service, ref, self)
        dialog.show()
        return dialog

    def _post_in_row(self, row: int) -> PostView | None:
        return self.model.post_at(row) if 0 <= row < self.model.rowCount() else None

    def _on_action(self, name: str, row: int) -> None:
        post = self._post_in_row(row)
        if post is None:
            return
        self.view.setCurrentIndex(self.model.index(row, 0))
        mine = bool(self.model.index(row, 0).data(PostRole.IS_MINE))
        if name == "reply":
            self.reply_to(post)
        elif name == "edit" and mine:
            self.edit(post)
        elif name == "delete" and mine:
            self.delete(post)

    def _current(self) -> tuple[PostView, bool] | None:
        index = self.view.currentIndex()
        post = self._post_in_row(index.row()) if index.isValid() else None
        return (post, bool(index.data(PostRole.IS_MINE))) if post is not None else None

    def _open_current_author(self) -> None:
        if current := self._current():
            self.open_identity.emit(bytes(current[0].identity))

    def _reply_current(self) -> None:
        if current := self._current():
            self.reply_to(current[0])

    def _edit_current(self) -> None:
        if (current := self._current()) and current[1]:
            self.edit(current[0])

    def _delete_current(self) -> None:
        if (current := self._current()) and current[1]:
            self.delete(current[0])

    def _update_actions(self) -> None:
        current = self._current()
        self.reply_action.setEnabled(current is not None)
        self.edit_action.setEnabled(current is not None and current[1])
        self.delete_action.setEnabled(current is not None and current[1])

    def _context_menu(self, point: QPoint) -> None:
        index = self.view.indexAt(point)
        if not index.isValid():
            return
        self.view.setCurrentIndex(index)
        self._update_actions()
        menu = QMenu(self)
        menu.addAction(self.profile_action)
        menu.addAction(self.reply_action)
        if index.data(PostRole.IS_MINE):
            menu.addAction(self.edit_action)
            menu.addAction(self.delete_action)
        menu.exec(self.view.viewport().mapToGlobal(point))

    # -- keeping the scroll position --------------------------------------------------------

    def first_visible_row(self) -> int | None:
        """The row at the top of the viewport."""
        index = self.view.indexAt(QPoint(MARGIN, 1))
        return index.row() if index.isValid() else None

    def _remember_scroll(self) -> None:
        self._anchors = []
        if self.view.verticalScrollBar().value() == 0:
            return  # at the top: let new posts show
        height = self.view.viewport().height()
        index = self.view.indexAt(QPoint(MARGIN, 1))
        while index.isValid():
            rect = self.view.visualRect(index)
            if rect.top() >= height:
                break
            self._anchors.append((QPersistentModelIndex(index), rect.top()))
            index = index.siblingAtRow(index.row() + 1)

    def _restore_scroll(self) -> None:
        anchors, self._anchors = self._anchors, []
        alive = [(self.model.index(p.row(), 0), top) for p, top in anchors if p.isValid()]
        if alive:
            # Lay out now, so the rows' new places are known before the next paint.
            self.view.doItemsLayout()
            index, top = alive[0]
            bar = self.view.verticalScrollBar()
            bar.setValue(bar.value() + self.view.visualRect(index).top() - top)
        self._reveal_pending()

    def _on_data_changed(self, first: QModelIndex, last: QModelIndex) -> None:
        # QListView does not re-measure rows on dataChanged; an edit may change the height.
        for row in range(first.row(), last.row() + 1):
            self.delegate.sizeHintChanged.emit(self.model.index(row, 0))

    def _reveal_when_loaded(self, record_id: bytes) -> None:
        self._reveal = record_id
        self._reveal_pending()

    def _reveal_pending(self) -> None:
        if self._reveal is None:
            return
        row = self.model.row_of(self._reveal)
        if row is not None:
            self._reveal = None
            self.view.doItemsLayout()
            self.view.scrollTo(self.model.index(row, 0))
