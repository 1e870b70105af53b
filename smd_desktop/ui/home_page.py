"""The Home page: the compose box over the timeline.

The timeline is a :class:`QListView` of :class:`~smd_desktop.ui.timeline_model.TimelineModel`
painted by :class:`~smd_desktop.ui.post_delegate.PostDelegate` (avatar, author, time, "edited",
wrapped text, reply indentation, image thumbnails, and Reply / Edit / Delete links). Thumbnails
and avatars come from two :class:`~smd_desktop.ui.blob_pixmaps.BlobPixmaps` caches (avatars are
small squares); a click on a thumbnail opens an
:class:`~smd_desktop.ui.image_dialog.ImageDialog`. New posts are inserted above without moving
what the reader is looking at: the page remembers the first visible post before every model
update and scrolls back to it afterwards (unless the view was at the very top, where new posts
simply appear).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QMenu,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ..core.ids import RecordId
from ..core.profile import Profile
from ..core.store import BlobRef, PostView
from .blob_pixmaps import BlobPixmaps
from .compose import ComposeBox
from .image_dialog import ImageDialog
from .post_delegate import AVATAR_EDGE, MARGIN, PostDelegate
from .service import CoreService
from .timeline_model import PostRole, TimelineModel

__all__ = ["BlobPixmaps", "HomePage", "ImageDialog", "PostDelegate"]

REFRESH_RELATIVE_TIMES_MS = 60_000


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
        self.setAccessibleName(self.tr("Home"))
        self.compose = ComposeBox(service, self, settings=settings)
        self.model = TimelineModel(service, self)
        self.pixmaps = BlobPixmaps(service, self)
        self.avatars = BlobPixmaps(service, self, size=AVATAR_EDGE, square=True)

        self.view = QListView(self)
        self.view.setAccessibleName(self.tr("Timeline"))
        self.view.setModel(self.model)
        self.delegate = PostDelegate(self.view, self.pixmaps, self.avatars)
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

        self.reply_action = self._action(self.tr("Reply"), "Ctrl+R", self._reply_current)
        self.edit_action = self._action(self.tr("Edit"), "Ctrl+E", self._edit_current)
        self.delete_action = self._action(
            self.tr("Delete"), QKeySequence(QKeySequence.StandardKey.Delete), self._delete_current
        )
        self.profile_action = self._action(
            self.tr("Open profile"), "Ctrl+P", self._open_current_author
        )
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
        self.pixmaps.missing_cleared.connect(self.view.viewport().update)
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
            self.tr("Delete post"),
            self.tr("Delete this post? Your followers' apps will remove it too."),
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
