"""The plugin host: discovery, checks, per-profile state, indexing, and fault isolation.

Life cycle: :meth:`PluginHost.discover` imports the plugins of the ``smd.plugins`` entry-point
group (before any profile is open); :meth:`PluginHost.attach` binds them to an unlocked store
(migrations, catch-up indexing, validators). Every hook is called for one plugin at a time: an
exception disables that plugin (and the plugins that need it) with a message, never the app,
and rolls back what the plugin wrote in that call. Records stay stored whatever plugins do.

Indexing is a catch-up over ``records`` in rowid order, at the end of every ingest transaction:
records that arrived while a plugin was disabled, drained from ``pending``, or stored before
the plugin was installed all reach it the same way. A plugin that was disabled or failed is
rebuilt from scratch (``smd_reset_index`` then every record of its types) when it comes back,
because it missed the purges meanwhile.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pluggy

from ..content import CORE_VALIDATORS
from ..errors import InvalidRecord, StoreError, UserError
from ..ids import IdentityKey, RecordId
from ..records import parse_record
from ..store import Store
from ..store.db import Connection
from . import _spec
from ._cli import CliContext
from ._direct import DirectMessages
from ._sql import schema_names, statements
from ._types import (
    API_VERSION,
    NAME_PATTERN,
    TYPE_PATTERN,
    PluginInfo,
    PluginStatus,
    RecordType,
    SearchHit,
    SearchQuery,
    Validator,
)

ENTRY_POINT_GROUP = "smd.plugins"
"""Entry-point group plugins register under (``name = "package.module"``)."""

log = logging.getLogger("smd.plugins")

_INDEX_BATCH = 500


@dataclass(eq=False)
class _Plugin:
    key: str
    """The plugin's name once known, else where it came from (for broken ones)."""
    source: str
    obj: object | None = None
    info: PluginInfo | None = None
    validators: dict[str, Validator] = field(default_factory=dict)
    enabled: bool = True
    active: bool = False
    error: str = ""

    def status(self) -> PluginStatus:
        info = self.info
        return PluginStatus(
            name=info.name if info else self.key,
            version=info.version if info else "",
            title=info.title if info else self.key,
            types=info.types if info else (),
            enabled=self.enabled,
            active=self.active,
            error=self.error,
            source=self.source,
        )


class PluginHost:
    """The plugins of one process, bound to at most one open store.

    Thread-safe: the store serializes database work; the host's own state has a lock.
    """

    def __init__(self) -> None:
        self._pm = pluggy.PluginManager(_spec.PROJECT)
        self._pm.add_hookspecs(_spec)
        self._plugins: dict[str, _Plugin] = {}
        self._broken: list[_Plugin] = []
        self._store: Store | None = None
        self._lock = threading.RLock()
        self._unclean: set[str] = set()
        self.listeners: list[Callable[[PluginStatus], None]] = []
        """Called (from any thread) when a plugin is disabled by a failure."""
        self.direct = DirectMessages(self)
        """Direct messages to one person's devices (``send``, ``pending``, ``cancel``)."""

    # -- loading ------------------------------------------------------------------------------

    @classmethod
    def discover(cls, group: str = ENTRY_POINT_GROUP) -> PluginHost:
        """A host with every plugin of the entry-point ``group`` imported and checked.

        A plugin that fails to import or declares itself wrongly is kept as a broken entry
        (see :meth:`statuses`); the others load normally.
        """
        host = cls()
        seen: set[tuple[str, str]] = set()
        for ep in sorted(importlib.metadata.entry_points(group=group), key=lambda e: e.name):
            if (ep.name, ep.value) in seen:  # an editable install may list a plugin twice
                continue
            seen.add((ep.name, ep.value))
            dist = ep.dist.name if ep.dist is not None else "?"
            source = f"{dist}: {ep.name} = {ep.value}"
            try:
                obj = ep.load()
            except Exception as exc:  # a broken plugin must not take the app down
                host._broken.append(_Plugin(ep.name, source, error=f"cannot load: {_why(exc)}"))
                log.error("plugin %s cannot be loaded: %s", ep.name, _why(exc))
                continue
            host.add(obj, source=source)
        return host

    def add(self, obj: object, *, source: str = "") -> PluginStatus:
        """Register one plugin object (a module or an instance with ``smd_*`` hooks).

        Must be called before :meth:`attach`. Returns its status (with the reason when the
        plugin was refused).
        """
        source = source or getattr(obj, "__name__", type(obj).__name__)
        try:
            plugin = self._check(obj, source)
        except Exception as exc:  # refused: keep the reason for Settings > Plugins
            broken = _Plugin(_short_name(obj), source, error=_why(exc))
            self._broken.append(broken)
            log.error("plugin %s refused: %s", broken.key, broken.error)
            return broken.status()
        self._plugins[plugin.key] = plugin
        return plugin.status()

    def _check(self, obj: object, source: str) -> _Plugin:
        info_hook = getattr(obj, "smd_plugin_info", None)
        if info_hook is None:
            raise _Refusal("it has no smd_plugin_info hook")
        info = info_hook()
        if not isinstance(info, PluginInfo):
            raise _Refusal("smd_plugin_info must return a PluginInfo")
        if not NAME_PATTERN.fullmatch(info.name):
            raise _Refusal(f"invalid plugin name {info.name!r}")
        if info.name in self._plugins:
            raise _Refusal(f"another plugin is already named {info.name!r}")
        if info.api != API_VERSION:
            raise _Refusal(
                f"it was written for plugin API {info.api}; this SMD offers API {API_VERSION}"
            )
        for type_ in info.types:
            match = TYPE_PATTERN.fullmatch(type_)
            if match is None or match.group(1) != info.name:
                raise _Refusal(f"content type {type_!r} is not {info.name}/<kind>/<version>")
            if type_ in CORE_VALIDATORS:  # pragma: no cover - core types are smd/...
                raise _Refusal(f"{type_} is a core type")
        types_hook = getattr(obj, "smd_record_types", None)
        record_types: Sequence[RecordType] = types_hook() if types_hook else ()
        validators = {t.name: t.validator for t in record_types}
        if set(validators) != set(info.types) or len(validators) != len(record_types):
            raise _Refusal("smd_record_types must give one validator per declared type")
        self._pm.register(obj, name=info.name)
        try:
            self._pm.check_pending()  # unknown smd_* hooks
        except pluggy.PluginValidationError:
            self._pm.unregister(name=info.name)
            raise
        plugin = _Plugin(info.name, source, obj, info)
        plugin.validators = {
            name: self._guarded(plugin, validator) for name, validator in validators.items()
        }
        return plugin

    # -- binding to a profile's store ---------------------------------------------------------

    def attach(self, store: Store) -> None:
        """Bind to an unlocked store: run migrations, rebuild or catch up indexes, install the
        validators and the ingest hook. Plugin failures disable plugins; they never raise."""
        with self._lock:
            self._store = store
            for plugin in self._plugins.values():  # re-attached after a lock: start over
                plugin.active, plugin.error = False, ""
            with store.writing() as conn:
                states = {
                    row[0]: (bool(row[1]), int(row[2]), bool(row[3]))
                    for row in conn.execute(
                        "SELECT name, enabled, schema_version, clean FROM plugin_state"
                    )
                }
                for name in self._plugins:
                    if name not in states:
                        conn.execute("INSERT INTO plugin_state (name) VALUES (?)", (name,))
            for plugin in self._dependency_order():
                plugin.enabled = states.get(plugin.key, (True, 0, False))[0]
                if plugin.enabled:
                    self._activate(plugin)
            store.validators = self._validators()
            store.after_ingest = self._after_ingest
            with store.writing() as conn:
                self._after_ingest(conn)

    def _dependency_order(self) -> list[_Plugin]:
        ordered: list[_Plugin] = []
        placed: set[str] = set()
        remaining = list(self._plugins.values())
        while remaining:
            ready = [
                p
                for p in remaining
                if all(r in placed or r not in self._plugins for r in _requires(p))
            ]
            if not ready:  # a cycle: keep discovery order, _activate reports what is missing
                ready = remaining[:1]
            for plugin in ready:
                ordered.append(plugin)
                placed.add(plugin.key)
                remaining.remove(plugin)
        return ordered

    def _activate(self, plugin: _Plugin) -> None:
        store = self._require_store()
        missing = [r for r in _requires(plugin) if not self.is_active(r)]
        if missing:
            plugin.error = f"it needs the plugin(s) {', '.join(missing)}, not active"
            return
        try:
            self._migrate(store, plugin)
            with store.writing() as conn:
                (clean,) = conn.execute(
                    "SELECT clean FROM plugin_state WHERE name = ?", (plugin.key,)
                ).fetchone()
                if not clean:
                    self._call(plugin, "smd_reset_index", conn=conn)
                    conn.execute(
                        "UPDATE plugin_state SET cursor = 0, clean = 1 WHERE name = ?",
                        (plugin.key,),
                    )
                    self._catch_up(conn, plugin, self._max_rowid(conn))
        except Exception as exc:  # any failure of the plugin's code or SQL: disable it
            plugin.error = f"cannot start: {_why(exc)}"
            log.error("plugin %s cannot start: %s", plugin.key, _why(exc))
            return
        plugin.active, plugin.error = True, ""

    def _migrate(self, store: Store, plugin: _Plugin) -> None:
        scripts = list(self._call(plugin, "smd_migrations") or ())
        with store.reading() as conn:
            (version,) = conn.execute(
                "SELECT schema_version FROM plugin_state WHERE name = ?", (plugin.key,)
            ).fetchone()
        if version > len(scripts):
            raise _Refusal(
                f"its tables are at schema {version}, newer than this version knows "
                f"({len(scripts)}): upgrade the plugin"
            )
        prefixes = (f"{plugin.key}_", f"sqlite_autoindex_{plugin.key}_")
        for number, script in enumerate(scripts[version:], start=version + 1):
            try:
                with store.writing() as conn:
                    before = schema_names(conn)
                    for statement in statements(script):
                        conn.execute(statement)
                    if bad := sorted(
                        n for n in schema_names(conn) - before if not n.startswith(prefixes)
                    ):
                        raise _Refusal(f"it creates {', '.join(bad)}, not named {plugin.key}_...")
                    conn.execute(
                        "UPDATE plugin_state SET schema_version = ? WHERE name = ?",
                        (number, plugin.key),
                    )
            except Exception as exc:
                raise _Refusal(f"migration {number} failed: {_why(exc)}") from exc

    def _require_store(self) -> Store:
        if self._store is None:
            raise RuntimeError("the plugin host is not attached to a store")
        return self._store

    # -- indexing ---------------------------------------------------------------------------

    def _after_ingest(self, conn: Connection) -> None:
        """Runs inside every ingest transaction, after the core stored and indexed."""
        with self._lock:
            forgotten = [
                RecordId(bytes(r[0])) for r in conn.execute("SELECT record_id FROM forgotten")
            ]
            if forgotten:
                conn.execute("DELETE FROM forgotten")
            max_rowid = self._max_rowid(conn)
            for plugin in self._active():

                def work(plugin: _Plugin = plugin) -> None:
                    if forgotten:
                        self._call(plugin, "smd_forget_records", conn=conn, record_ids=forgotten)
                    self._catch_up(conn, plugin, max_rowid)

                self._guard(conn, plugin, "indexing", work)
            self._persist_unclean(conn)

    @staticmethod
    def _max_rowid(conn: Connection) -> int:
        (value,) = conn.execute("SELECT max(rowid) FROM records").fetchone()
        return int(value or 0)

    def _catch_up(self, conn: Connection, plugin: _Plugin, max_rowid: int) -> None:
        (cursor,) = conn.execute(
            "SELECT cursor FROM plugin_state WHERE name = ?", (plugin.key,)
        ).fetchone()
        if cursor >= max_rowid or not plugin.validators:
            if cursor != max_rowid:
                conn.execute(
                    "UPDATE plugin_state SET cursor = ? WHERE name = ?", (max_rowid, plugin.key)
                )
            return
        types = list(plugin.validators)
        marks = ", ".join("?" * len(types))
        rows = conn.execute(
            f"SELECT raw, identity FROM records WHERE type IN ({marks}) AND rowid > ? "
            "AND rowid <= ? ORDER BY rowid",
            (*types, cursor, max_rowid),
        )
        while batch := rows.fetchmany(_INDEX_BATCH):
            for raw, identity in batch:
                record = parse_record(bytes(raw))
                if record.content is None:  # purged: nothing to index
                    continue
                try:
                    plugin.validators[record.type](record.content)
                except InvalidRecord as exc:  # stored while the plugin was off: never shown
                    log.info(
                        "plugin %s skips invalid record %s: %s", plugin.key, record.id.hex(), exc
                    )
                    continue
                self._call(
                    plugin,
                    "smd_index_record",
                    conn=conn,
                    record=record,
                    identity=IdentityKey(bytes(identity)),
                )
        conn.execute("UPDATE plugin_state SET cursor = ? WHERE name = ?", (max_rowid, plugin.key))

    def _guard(
        self, conn: Connection, plugin: _Plugin, what: str, work: Callable[[], None]
    ) -> None:
        savepoint = f'"plugin_{plugin.key}"'
        conn.execute(f"SAVEPOINT {savepoint}")
        try:
            work()
        except Exception as exc:  # the plugin's fault: undo its writes, disable it
            conn.execute(f"ROLLBACK TO {savepoint}")
            conn.execute(f"RELEASE {savepoint}")
            self._fail(plugin, f"failed while {what}: {_why(exc)}")
            return
        conn.execute(f"RELEASE {savepoint}")

    def _persist_unclean(self, conn: Connection) -> None:
        for name in sorted(self._unclean):
            conn.execute("UPDATE plugin_state SET clean = 0 WHERE name = ?", (name,))
        self._unclean.clear()

    def _fail(self, plugin: _Plugin, message: str) -> None:
        with self._lock:
            if not plugin.active:
                return
            plugin.active, plugin.error = False, message
            self._unclean.add(plugin.key)
            log.error("plugin %s disabled: %s", plugin.key, message)
            if self._store is not None:
                self._store.validators = self._validators()
            dependents = [p for p in self._active() if plugin.key in _requires(p)]
        for listener in list(self.listeners):
            listener(plugin.status())
        for dependent in dependents:
            self._fail(dependent, f"it needs the plugin {plugin.key}, which failed")

    def _guarded(self, plugin: _Plugin, validator: Validator) -> Validator:
        def validate(content: dict[str, Any]) -> None:
            try:
                validator(content)
            except InvalidRecord:
                raise
            except Exception as exc:  # a buggy validator: disable the plugin, keep the record
                self._fail(plugin, f"its validator crashed: {_why(exc)}")

        return validate

    def _validators(self) -> dict[str, Validator]:
        return {t: v for p in self._active() for t, v in p.validators.items()}

    # -- calling hooks ----------------------------------------------------------------------

    def _call(self, plugin: _Plugin, hook_name: str, **kwargs: Any) -> Any:
        hook = getattr(self._pm.hook, hook_name)
        for impl in hook.get_hookimpls():
            if impl.plugin_name == plugin.key:
                return impl.function(*[kwargs[name] for name in impl.argnames])
        return None

    def _active(self) -> list[_Plugin]:
        return [p for p in self._plugins.values() if p.active]

    def _implements(self, name: str, hook_name: str) -> bool:
        """Whether the loaded plugin ``name`` implements ``hook_name``."""
        hook = getattr(self._pm.hook, hook_name)
        return any(impl.plugin_name == name for impl in hook.get_hookimpls())

    def _call_isolated(
        self, name: str, hook_name: str, what: str, **kwargs: Any
    ) -> tuple[bool, Any]:
        """Call one active plugin's hook outside any transaction of ours (the hook may use the
        store itself). An exception turns the plugin off (``failed while <what>``).

        Returns:
            ``(True, result)``, or ``(False, None)`` if the plugin is not active or raised.
        """
        plugin = self._plugins.get(name)
        if plugin is None or not plugin.active:
            return False, None
        try:
            return True, self._call(plugin, hook_name, **kwargs)
        except Exception as exc:  # the plugin's fault: turn it off, keep the app running
            self.report_failure(name, f"failed while {what}: {_why(exc)}")
            return False, None

    # -- what the app and plugins ask -------------------------------------------------------

    def is_active(self, name: str) -> bool:
        """Whether the plugin ``name`` is loaded, enabled and running."""
        plugin = self._plugins.get(name)
        return plugin is not None and plugin.active

    def require_active(self, name: str) -> None:
        """Raise :class:`UserError` (one sentence for the user) unless ``name`` is active."""
        if self.is_active(name):
            return
        plugin = self._plugins.get(name)
        if plugin is None:
            raise UserError(f"the plugin {name} is not installed")
        if not plugin.enabled:
            raise UserError(f"the plugin {name} is disabled (smd plugins enable {name})")
        raise UserError(f"the plugin {name} is not running: {plugin.error or 'not attached'}")

    def statuses(self) -> list[PluginStatus]:
        """Every discovered plugin, the refused ones included, by name."""
        with self._lock:
            plugins = [*self._plugins.values(), *self._broken]
            return sorted((p.status() for p in plugins), key=lambda s: s.name)

    def status(self, name: str) -> PluginStatus:
        """One plugin's status (raises UserError if no such plugin was loaded)."""
        for status in self.statuses():
            if status.name == name:
                return status
        raise UserError(f"no plugin named {name}")

    def info(self, name: str) -> PluginInfo | None:
        """A loaded plugin's declaration."""
        plugin = self._plugins.get(name)
        return plugin.info if plugin else None

    def ui_modules(self) -> list[tuple[str, str]]:
        """(plugin name, Qt module) of the active plugins that have a UI."""
        return [(p.key, p.info.ui_module) for p in self._active() if p.info and p.info.ui_module]

    def report_failure(self, name: str, message: str) -> None:
        """Disable an active plugin because its code failed outside the host (e.g. its Qt
        part); listeners hear of it. Unknown or inactive names are ignored."""
        plugin = self._plugins.get(name)
        if plugin is not None:
            self._fail(plugin, message)
            if self._store is not None:
                with self._store.writing() as conn:
                    self._persist_unclean(conn)

    def set_enabled(self, name: str, enabled: bool) -> PluginStatus:
        """Enable or disable a plugin for this profile (persisted). Enabling runs its
        migrations and rebuilds its index; disabling keeps its tables untouched."""
        with self._lock:
            store = self._require_store()
            plugin = self._plugins.get(name)
            if plugin is None:
                raise UserError(f"no plugin named {name} is loaded")
            with store.writing() as conn:
                conn.execute(
                    "UPDATE plugin_state SET enabled = ?, clean = clean AND ? WHERE name = ?",
                    (int(enabled), int(enabled), name),
                )
            plugin.enabled = enabled
            if not enabled:
                dependents = [p for p in self._active() if name in _requires(p)]
                if dependents:
                    with store.writing() as conn:  # undo: they need it
                        conn.execute("UPDATE plugin_state SET enabled = 1 WHERE name = ?", (name,))
                    plugin.enabled = True
                    raise UserError(
                        f"{', '.join(p.key for p in dependents)} need(s) {name}: disable them first"
                    )
                plugin.active, plugin.error = False, ""
            elif not plugin.active:
                self._activate(plugin)
            store.validators = self._validators()
            if plugin.active:
                with store.writing() as conn:
                    self._after_ingest(conn)
            return plugin.status()

    def search(self, query: SearchQuery) -> list[SearchHit]:
        """Hits from every active search provider, best first, at most ``query.limit``."""
        store = self._require_store()
        hits: list[SearchHit] = []
        failed: list[tuple[_Plugin, str]] = []
        with store.reading() as conn:
            for plugin in self._active():
                try:
                    found = self._call(plugin, "smd_search", conn=conn, query=query)
                except Exception as exc:  # a broken provider must not break search
                    failed.append((plugin, f"failed while searching: {_why(exc)}"))
                    continue
                hits.extend(h for h in found or () if h.author not in query.hidden_authors)
        for plugin, message in failed:
            self._fail(plugin, message)
        if failed:
            with store.writing() as conn:
                self._persist_unclean(conn)
        hits.sort(key=lambda h: -h.score)
        return hits[: query.limit]

    def add_cli_commands(
        self, subparsers: argparse._SubParsersAction[argparse.ArgumentParser], cli: CliContext
    ) -> None:
        """Let every loaded plugin add its ``smd`` sub-commands (before a profile is open)."""
        for plugin in self._plugins.values():
            try:
                self._call(plugin, "smd_cli_commands", subparsers=subparsers, cli=cli)
            except Exception as exc:  # the rest of smd must keep working
                plugin.error = f"cannot add its commands: {_why(exc)}"
                log.error("plugin %s: %s", plugin.key, plugin.error)

    def hook_names(self) -> list[str]:
        """The names of the core hooks (documentation meta-tests use it)."""
        return sorted(n for n in dir(_spec) if n.startswith("smd_"))


def _requires(plugin: _Plugin) -> Iterable[str]:
    return plugin.info.requires if plugin.info else ()


def _short_name(obj: object) -> str:
    return getattr(obj, "__name__", type(obj).__name__).rsplit(".", 1)[-1]


class _Refusal(Exception):
    """A reason the host itself gives (shown without an exception type)."""


def _why(exc: BaseException) -> str:
    if isinstance(exc, _Refusal):
        return str(exc)
    if isinstance(exc, StoreError) and exc.__cause__ is not None:  # show SQLite's own words
        return _why(exc.__cause__)
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
