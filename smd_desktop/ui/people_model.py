"""The People page's data: who we follow, who follows us, suggestions, whom we block.

:func:`load_people` reads everything in one go in the core's thread (through
:meth:`CoreService.call`); :class:`PeopleModel` shows one of its lists in a view. A blocked
identity appears only under Blocked, never in the other lists, so blocking moves a person
there and unblocking moves them back.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from ..core.ids import IdentityKey, identity_text
from ..core.profile import Profile
from .i18n import english_plural

type AnyIndex = QModelIndex | QPersistentModelIndex


def short_id(identity: bytes) -> str:
    """An identity id cut to fit a list: ``z6MkabcdEFGH…``."""
    return identity_text(IdentityKey(identity))[:12] + "…"


@dataclass(frozen=True, slots=True)
class Person:
    """One row of a people list."""

    identity: IdentityKey
    name: str
    """The profile name, or a shortened identity id when no profile arrived yet."""
    friends: int = 0
    """For suggestions: how many of the people we follow follow this one."""


@dataclass(frozen=True, slots=True)
class People:
    """Everything the People page shows, read at one moment."""

    me: IdentityKey
    following: list[Person]
    followers: list[Person]
    """As far as their feeds reached us."""
    suggestions: list[Person]
    """Followed by people we follow; not followed or blocked by us; most friends first."""
    blocked: list[Person]


def person(profile: Profile, identity: IdentityKey, friends: int = 0) -> Person:
    """A row for ``identity``, named from its latest profile. Blocks (database)."""
    view = profile.store.profile(identity)
    return Person(identity, view.name if view and view.name else short_id(identity), friends)


def load_people(profile: Profile) -> People:
    """Read the four lists. Blocks: call it in the core's thread.

    Five queries whatever the number of people (names are read in one go, suggestions are
    one statement), so a large circle of friends does not stall the core's thread.
    """
    me = profile.identity
    store = profile.store
    blocked = profile.blocked()
    hidden = {*blocked, me}
    following = [i for i in profile.following() if i not in hidden]
    followers = [i for i in store.followers(me) if i not in hidden]
    suggestions = [
        Person(s.identity, s.name or short_id(s.identity), s.friends) for s in store.suggestions(me)
    ]
    suggestions.sort(key=lambda p: (-p.friends, p.name.casefold(), p.identity))
    names = store.profile_names([*following, *followers, *blocked])

    def named(identity: IdentityKey) -> Person:
        return Person(identity, names.get(identity) or short_id(identity))

    return People(
        me,
        [named(i) for i in following],
        [named(i) for i in followers],
        suggestions,
        [named(i) for i in blocked],
    )


class PeopleRole(IntEnum):
    """The model's custom data roles."""

    IDENTITY = Qt.ItemDataRole.UserRole + 1
    """The identity key (bytes)."""
    NAME = Qt.ItemDataRole.UserRole + 2
    """The name shown (profile name or shortened id)."""
    ID_TEXT = Qt.ItemDataRole.UserRole + 3
    """The full identity id text (``z6Mk...``)."""
    FRIENDS = Qt.ItemDataRole.UserRole + 4
    """How many followed people follow this one (suggestions; 0 elsewhere)."""


_ROLE_NAMES = {role: role.name.lower().encode() for role in PeopleRole}


class PeopleModel(QAbstractListModel):
    """One list of people, replaced whole by :meth:`set_people` (lists are short)."""

    def __init__(self, parent: QObject | None = None, *, show_friends: bool = False) -> None:
        super().__init__(parent)
        self.show_friends = show_friends
        self._people: list[Person] = []

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 (Qt override)
        """The number of people (0 under any valid parent: a flat list)."""
        return 0 if parent.isValid() else len(self._people)

    def roleNames(self) -> dict[int, QByteArray]:  # noqa: N802 (Qt override)
        """Role names, like ``"id_text"``."""
        names = super().roleNames()
        names.update({int(r): QByteArray(n) for r, n in _ROLE_NAMES.items()})
        return names

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        """Rows are enabled and selectable, never editable."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """See :class:`PeopleRole`; DisplayRole is the name (with the friend count for
        suggestions), ToolTipRole the full identity id."""
        if not index.isValid() or index.column() != 0 or not 0 <= index.row() < len(self._people):
            return None
        p = self._people[index.row()]
        match role:
            case Qt.ItemDataRole.DisplayRole | Qt.ItemDataRole.AccessibleTextRole:
                return f"{p.name} ({friends_text(p.friends)})" if self.show_friends else p.name
            case PeopleRole.IDENTITY:
                return bytes(p.identity)
            case PeopleRole.NAME:
                return p.name
            case PeopleRole.ID_TEXT | Qt.ItemDataRole.ToolTipRole:
                return identity_text(p.identity)
            case PeopleRole.FRIENDS:
                return p.friends
        return None

    @property
    def people(self) -> list[Person]:
        """A copy of the rows, in order."""
        return list(self._people)

    def person_at(self, row: int) -> Person:
        """The person shown in ``row``."""
        return self._people[row]

    def set_people(self, people: list[Person]) -> None:
        """Show ``people`` instead of the current rows (unchanged lists are left alone)."""
        if people == self._people:
            return
        self.beginResetModel()
        self._people = list(people)
        self.endResetModel()


def friends_text(count: int) -> str:
    """``"followed by 1 friend"``, ``"followed by 3 friends"``."""
    text = QCoreApplication.translate("PeopleModel", "followed by %n friend(s)", "", count)
    return english_plural(text, count)
