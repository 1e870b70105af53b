"""Desktop app benchmark: launch time, the timeline at 1M stored records, memory, GUI lag.

Run from the repository root (Qt needs no display)::

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/ui.py             # 1M records, 100k sync
    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/ui.py --quick     # 100k records, 10k sync
    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/ui.py --skip-1m   # small timeline profile

It prints a plain-text table (``bench/ingest.py``'s format) of the desktop app's targets:

1. **Launch**: a child process starts the app the way ``smd-desktop`` does (QApplication, the
   Trio guest, :class:`~smd_desktop.app.DesktopApp`, the unlock dialog of an existing profile)
   and reports when the dialog is first painted; the time counts from just before the parent
   starts the process, so interpreter start-up and imports are in it. The child then types the
   passphrase and presses Unlock (Argon2id with the *moderate* KDF, as a real profile has), the
   app shows its main window (and starts the node, LAN discovery off), and the child reports
   when the Home timeline's first page is inserted and painted.
2. **Timeline first page** at ``--timeline-records`` (default 1M) stored records of 100
   identities that the viewer profile follows: the raw ``Profile.timeline()`` query (in this
   process, first query on a fresh connection and median of repeats), and in the app the
   :class:`~smd_desktop.ui.timeline_model.TimelineModel` from request (``reload``) to 50 rows
   inserted (first load at window open and median of repeats).
3. **RSS** of the app process (``VmRSS``) with that profile open and the first page painted,
   again once the node runs, and the peak (``VmHWM``).
4. **GUI timer lag** during a sync of ``--sync-records`` (default 100k) records: the app (its
   real :class:`~smd_desktop.app.NodeController` and node) unlocks a profile that follows the
   20 identities of ``bench/sync.py``'s sender, whose node runs in another process
   (``bench/sync.py --role sender``); a single-shot 10 ms precise QTimer, re-armed on every
   shot, measures how late the GUI thread serves it from connect until every record is stored.

The signed records and the pre-built profiles are cached under ``--cache`` (default
``~/.cache/smd-bench``), keyed by their sizes and the store schema fingerprint; the 1M viewer
profile reuses ``bench/ingest.py``'s cached 1M signed records (tag ``existing``), the sync
sender is ``bench/sync.py``'s. Each run works on copies. Preparation time is printed apart from
the table. Times are wall clock on a warm OS page cache (the store was just copied).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python bench/ui.py`: bench/ is not installed
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The app child processes import only what the app imports (their launch time is measured):
# the benchmark's own helpers are imported inside the parent's functions.

if TYPE_CHECKING:
    from bench.ingest import Prep, Row

UI_FORMAT = 1
"""Bump when the viewer profile's contents change: old cache entries are ignored."""
TIMELINE_TAG = "existing"
"""``bench/ingest.py``'s record set: its cached 1M records are reused."""
DEFAULT_TIMELINE = 1_000_000
QUICK_TIMELINE = 100_000
SKIP_1M_TIMELINE = 10_000
DEFAULT_SYNC = 100_000
QUICK_SYNC = 10_000
TIMELINE_FEEDS = 100
SYNC_FEEDS = 20
INGEST_BATCH = 1000
PAGE = 50
LAG_INTERVAL_MS = 10
TARGETS = {
    "launch_dialog": "target < 1.5 s",
    "model_first": "target < 50 ms",
    "model_page": "target < 50 ms",
    "query_first": "target < 50 ms",
    "query_page": "target < 50 ms",
    "rss_page": "target < 300 MiB",
    "rss_node": "target < 300 MiB",
    "lag_p99": "target < 50 ms",
}


# -- the viewer profile --------------------------------------------------------------------------


def ensure_viewer(cache: Path, count: int, feeds: int, workers: int, prep: Prep) -> Path:
    """The cached viewer profile (moderate KDF, like a real one) that follows the ``feeds``
    identities of ``bench/ingest.py``'s 'existing' records and stores ``count`` of them."""
    from bench.ingest import (
        COMPLETE,
        PASSPHRASE,
        _log,
        _require_accepted,
        ensure_records,
        feed_sizes,
        identities_of,
        read_records,
        schema_tag,
    )
    from smd_desktop.core.ids import IdentityKey
    from smd_desktop.core.kdf import KdfParams
    from smd_desktop.core.profile import Profile

    n_feeds = len(feed_sizes(count, feeds))
    suffix = f"-{count}x{n_feeds}"
    final = cache / f"ui-viewer-v{UI_FORMAT}-{schema_tag()}{suffix}"
    if (final / COMPLETE).exists():
        prep.add(f"viewer profile with {count:,} records: cached in {final.name}", 0.0)
        return final
    for stale in cache.glob(f"ui-viewer-v*{suffix}"):  # same size, older schema or format
        if stale.is_dir() and stale != final:
            shutil.rmtree(stale)
    records = ensure_records(cache, TIMELINE_TAG, count, feeds, workers, prep)
    building = final.with_name(final.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    _log(f"  prep: building the viewer profile with {count:,} records ...")
    start = time.perf_counter()
    profile = Profile.create(building, PASSPHRASE, name="UI bench viewer", kdf=KdfParams.moderate())
    try:
        for identity in identities_of(TIMELINE_TAG, n_feeds):
            profile.follow(IdentityKey(identity))
        batch: list[bytes] = []
        done, step = 0, max(count // 10, 1)
        for raw in read_records(records):
            batch.append(raw)
            if len(batch) == INGEST_BATCH:
                done += _require_accepted(profile.store.ingest(batch))
                batch = []
                if done % step < INGEST_BATCH:
                    elapsed = time.perf_counter() - start
                    _log(f"    {done:,}/{count:,} ({done / elapsed:,.0f}/s)")
        if batch:
            _require_accepted(profile.store.ingest(batch))
    finally:
        profile.close()
    (building / COMPLETE).write_text(f"{count}\n", encoding="utf-8")
    os.replace(building, final)
    prep.add(f"build the viewer profile ({count:,} records)", time.perf_counter() - start)
    return final


def _median_ms(samples: Sequence[float]) -> float:
    return statistics.median(samples) * 1000


def bench_query(data_dir: Path, count: int, repeats: int) -> list[Row]:
    """The raw ``Profile.timeline`` first page (and the next one) on the viewer profile."""
    from bench.ingest import PASSPHRASE, Row
    from smd_desktop.core.profile import Profile

    profile = Profile.open(data_dir, PASSPHRASE)
    try:
        start = time.perf_counter()
        page = profile.timeline(limit=PAGE)
        first = time.perf_counter() - start
        if len(page) != PAGE:
            raise RuntimeError(f"the timeline's first page holds {len(page)} posts, not {PAGE}")
        samples = []
        for _ in range(repeats):
            start = time.perf_counter()
            profile.timeline(limit=PAGE)
            samples.append(time.perf_counter() - start)
        before = (page[-1].timestamp, page[-1].id)
        nexts = []
        for _ in range(repeats):
            start = time.perf_counter()
            profile.timeline(limit=PAGE, before=before)
            nexts.append(time.perf_counter() - start)
    finally:
        profile.close()
    label = f"{count:,} records"
    return [
        Row(
            "query_first",
            f"Profile.timeline({PAGE}), {label}, first query",
            1,
            first,
            first * 1000,
            "ms",
            "fresh connection; " + TARGETS["query_first"],
        ),
        Row(
            "query_page",
            f"Profile.timeline({PAGE}), {label}, repeated",
            repeats,
            sum(samples),
            _median_ms(samples),
            "ms",
            "median; " + TARGETS["query_page"],
        ),
        Row(
            "query_next",
            f"Profile.timeline({PAGE}, before=...), next page",
            repeats,
            sum(nexts),
            _median_ms(nexts),
            "ms",
            "median",
        ),
    ]


# -- the app child process -------------------------------------------------------------------------


def _rss_mib() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process in MiB, from /proc/self/status."""
    values = {"VmRSS": 0.0, "VmHWM": 0.0}
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in values:
                values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def _say(line: str) -> None:
    print(line, flush=True)


def _run_app(args: argparse.Namespace) -> None:
    """Launch like ``smd-desktop``, unlock through the dialog, time the first window, the
    first page painted, repeated page loads and the RSS; print ``RESULT {json}``."""
    t_python = time.time()
    from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QModelIndex, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from smd_desktop.app import DesktopApp
    from smd_desktop.ui.home_page import HomePage
    from smd_desktop.ui.unlock_dialog import UnlockDialog

    t_imported = time.time()
    result: dict[str, Any] = {"t0": args.t0, "python": t_python, "imported": t_imported}

    class PaintWatch(QObject):
        """Calls ``on_painted`` once a paint event of ``target`` has been handled."""

        def __init__(self, target: QObject, on_painted: Callable[[], None]) -> None:
            super().__init__()
            self.on_painted = on_painted
            target.installEventFilter(self)

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt)
            if event.type() == QEvent.Type.Paint:
                QTimer.singleShot(0, self.on_painted)  # after this paint event is handled
            return False

    def pump(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def wait_until(condition: Callable[[], bool], what: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise RuntimeError(f"timed out waiting for {what}")
            pump(5)

    app = QApplication(sys.argv[:1])
    QCoreApplication.setApplicationName("SMD-bench")
    QCoreApplication.setOrganizationName("SMD-bench")  # keep the user's window settings alone
    desktop = DesktopApp(Path(args.data), lan=False)
    desktop.guest.start()
    if not desktop.service.has_profile():
        raise RuntimeError(f"no profile in {args.data}")
    dialog = UnlockDialog(desktop.service)
    marks: dict[str, float] = {}

    def mark(name: str) -> Callable[[], None]:
        def set_mark() -> None:
            marks.setdefault(name, time.time())

        return set_mark

    dialog_watch = PaintWatch(dialog, mark("dialog_painted"))
    dialog.show()
    marks["dialog_shown"] = time.time()
    wait_until(lambda: "dialog_painted" in marks, "the unlock dialog's first paint")
    wait_until(lambda: desktop.service.guest.running, "the Trio guest")
    del dialog_watch

    home: dict[str, Any] = {}

    def on_accepted() -> None:
        marks["unlocked"] = time.time()
        window = desktop.show_window()  # as smd_desktop.app.main does once exec() returns
        marks["window_shown"] = time.time()
        page = window.stack.widget(0)
        assert isinstance(page, HomePage)
        home["page"] = page
        page.model.rowsInserted.connect(lambda *_: page.model.rowCount() >= PAGE and mark("rows")())

        def painted() -> None:
            if "rows" in marks and "painted" not in marks:
                marks["painted"] = time.time()
                home["rss_page"] = _rss_mib()

        home["watch"] = PaintWatch(page.view.viewport(), painted)

    dialog.accepted.connect(on_accepted)
    dialog.passphrase.setText(args.passphrase)
    marks["unlock_clicked"] = time.time()
    dialog.unlock_button.click()
    wait_until(lambda: "painted" in marks, "the first timeline page painted")
    page = home["page"]
    assert isinstance(page, HomePage)
    result["marks"] = marks
    result["rows"] = page.model.rowCount()
    result["rss_page"] = home["rss_page"]

    # Repeated first-page loads through the model: request -> rows inserted.
    model = page.model
    reloads: list[float] = []
    for _ in range(args.repeats):
        done: list[float] = []

        def on_rows(*_: Any, sink: list[float] = done) -> None:
            if model.rowCount() >= PAGE and not sink:
                sink.append(time.perf_counter())

        model.rowsInserted.connect(on_rows)
        start = time.perf_counter()
        model.reload()
        wait_until(lambda sink=done: bool(sink), "a reloaded page")  # type: ignore[misc]
        model.rowsInserted.disconnect(on_rows)
        reloads.append(done[0] - start)
        wait_until(lambda: not model.loading, "the model to settle")
    result["reloads"] = reloads

    # A next page (fetchMore with a keyset bound), as scrolling down asks for.
    nexts: list[float] = []
    for _ in range(args.repeats):
        wanted = model.rowCount() + PAGE
        arrived: list[float] = []

        def on_more(*_: Any, sink: list[float] = arrived, n: int = wanted) -> None:
            if model.rowCount() >= n and not sink:
                sink.append(time.perf_counter())

        model.rowsInserted.connect(on_more)
        start = time.perf_counter()
        model.fetchMore(QModelIndex())
        wait_until(lambda sink=arrived: bool(sink), "the next page")  # type: ignore[misc]
        model.rowsInserted.disconnect(on_more)
        nexts.append(arrived[0] - start)
        wait_until(lambda: not model.loading, "the model to settle")
    result["nexts"] = nexts

    wait_until(lambda: desktop.node.node is not None, "the node", timeout=60)
    marks["node_ready"] = time.time()
    pump(500)
    result["rss_node"] = _rss_mib()
    _say("RESULT " + json.dumps(result))
    _shutdown(desktop, app, pump)


def _shutdown(desktop: Any, app: Any, pump: Callable[[int], None]) -> None:
    """Stop the node and the store the app's way; give up after 20 s."""
    finished: list[bool] = []
    desktop.quit(lambda: finished.append(True))
    deadline = time.monotonic() + 20
    while not finished and time.monotonic() < deadline:
        pump(20)
    app.quit()
    sys.stdout.flush()
    os._exit(0)  # skip Qt/PySide teardown: nothing left to save


def _run_gui_sync(args: argparse.Namespace) -> None:
    """Unlock the receiver profile in the app, start its node, connect to the sender and time
    a 10 ms timer's lateness on the GUI thread until every record is stored."""
    from PySide6.QtCore import QCoreApplication, QEventLoop, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from bench.sync import _Watch
    from smd_desktop.app import DesktopApp
    from smd_desktop.ui.home_page import HomePage

    def pump(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def wait_until(condition: Callable[[], bool], what: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise RuntimeError(f"timed out waiting for {what}")
            pump(50)

    app = QApplication(sys.argv[:1])
    QCoreApplication.setApplicationName("SMD-bench")
    QCoreApplication.setOrganizationName("SMD-bench")
    desktop = DesktopApp(Path(args.data), lan=False)
    desktop.guest.start()
    wait_until(lambda: desktop.guest.running, "the Trio guest")
    desktop.service.run(desktop.service.unlock, args.passphrase)
    wait_until(lambda: desktop.service.is_open, "the unlock")

    watch = _Watch(args.records, threading.Event())
    forward = desktop.node._on_event  # the node gets the controller's callback at start

    def on_event(event: Any) -> None:
        forward(event)
        watch.on_event(event)

    desktop.node._on_event = on_event  # type: ignore[method-assign]
    window = desktop.show_window()
    window.resize(1100, 760)
    page = window.stack.widget(0)
    assert isinstance(page, HomePage)
    wait_until(lambda: desktop.node.node is not None, "the node", timeout=60)
    wait_until(lambda: not page.model.loading, "the first page")

    lateness: list[float] = []  # seconds, of every shot
    phase: dict[str, list[float]] = {"idle": [], "sync": []}
    expected = [0.0]  # when the next shot is due (perf_counter)
    current = ["idle"]  # the phase the shots count for
    timer = QTimer()
    timer.setSingleShot(True)
    timer.setTimerType(Qt.TimerType.PreciseTimer)

    def shot() -> None:
        now = time.perf_counter()
        late = max(0.0, now - expected[0])
        lateness.append(late)
        if current[0] in phase:
            phase[current[0]].append(late)
        expected[0] = time.perf_counter() + LAG_INTERVAL_MS / 1000
        timer.start(LAG_INTERVAL_MS)

    timer.timeout.connect(shot)
    expected[0] = time.perf_counter() + LAG_INTERVAL_MS / 1000
    timer.start(LAG_INTERVAL_MS)
    pump(int(args.idle * 1000))

    current[0] = "sync"
    watch.start = start = time.perf_counter()
    cpu0 = os.times()
    desktop.service.run(desktop.node.connect, args.connect)
    deadline = time.monotonic() + args.timeout
    while not watch.done.is_set() and time.monotonic() < deadline:
        pump(50)
    end = time.perf_counter()
    cpu1 = os.times()
    current[0] = "after"
    pump(1000)  # the debounced timeline refresh after the last batch
    timer.stop()

    result: dict[str, Any] = {
        "complete": watch.done.is_set(),
        "elapsed": end - start,
        "first": None if watch.first_at is None else watch.first_at - start,
        "accepted": watch.total("accepted"),
        "sessions": len(watch.sessions),
        "failures": watch.failures,
        "idle": phase["idle"],
        "sync": phase["sync"],
        "cpu": (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system),
        "rows": page.model.rowCount(),
        "rss": _rss_mib(),
    }
    _say("RESULT " + json.dumps(result))
    _shutdown(desktop, app, pump)


# -- the parent ------------------------------------------------------------------------------------


class _AppChild:
    """A child process of this script; its stdout is read until ``RESULT``."""

    def __init__(self, role: str, argv: list[str], log: Path, spy: Sequence[str] = ()) -> None:
        self.log = log
        self.role = role
        env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
        self.t0 = time.time()
        with open(log, "w", encoding="utf-8") as err:
            self.proc = subprocess.Popen(
                [
                    *spy,
                    sys.executable,
                    str(Path(__file__).resolve()),
                    "--role",
                    role,
                    "--t0",
                    repr(self.t0),
                    *argv,
                ],
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                cwd=ROOT,
                env=env,
            )

    def result(self, timeout: float) -> dict[str, Any]:
        try:
            out, _ = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        for line in out.splitlines():
            if line.startswith("RESULT "):
                parsed: dict[str, Any] = json.loads(line[len("RESULT ") :])
                return parsed
        tail = self.log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"the {self.role} process gave no result; its stderr ends with:\n{tail}")


def _ms_row(key: str, name: str, seconds: float, note: str = "", n: int = 1) -> Row:
    from bench.ingest import Row

    target = TARGETS.get(key)
    note = f"{note}; {target}" if note and target else (note or target or "")
    return Row(key, name, n, seconds, seconds * 1000, "ms", note)


def app_rows(r: dict[str, Any], count: int) -> list[Row]:
    """The rows of the app child's report."""
    from bench.ingest import Row

    m = r["marks"]
    t0 = r["t0"]
    label = f"{count:,} records"
    rows = [
        _ms_row(
            "launch_dialog",
            "launch -> unlock dialog painted",
            m["dialog_painted"] - t0,
            f"python up {r['python'] - t0:.2f} s, imports {r['imported'] - r['python']:.2f} s",
        ),
        _ms_row(
            "unlock",
            "  Unlock pressed -> profile open",
            m["unlocked"] - m["unlock_clicked"],
            "Argon2id, moderate KDF",
        ),
        _ms_row(
            "unlock_window",
            f"  Unlock pressed -> first page painted, {label}",
            m["painted"] - m["unlock_clicked"],
            f"window shown {1000 * (m['window_shown'] - m['unlocked']):.0f} ms after open",
        ),
        _ms_row(
            "model_first",
            f"TimelineModel first page at window open, {label}",
            m["rows"] - m["window_shown"],
            f"{PAGE} rows inserted; cold",
        ),
        _ms_row(
            "model_page",
            f"TimelineModel reload -> {PAGE} rows inserted",
            statistics.median(r["reloads"]),
            "median",
            len(r["reloads"]),
        ),
        _ms_row(
            "model_next",
            f"TimelineModel fetchMore -> next {PAGE} rows",
            statistics.median(r["nexts"]),
            "median",
            len(r["nexts"]),
        ),
    ]
    rss, hwm = r["rss_page"]
    rss_node, hwm_node = r["rss_node"]
    rows += [
        Row(
            "rss_page",
            f"app RSS, {label}, first page painted",
            1,
            None,
            rss,
            "MiB",
            f"peak so far {hwm:.0f} MiB; " + TARGETS["rss_page"],
        ),
        Row(
            "rss_node",
            "app RSS, node running too",
            1,
            None,
            rss_node,
            "MiB",
            f"peak {hwm_node:.0f} MiB (VmHWM); " + TARGETS["rss_node"],
        ),
    ]
    return rows


def _pct(samples: Sequence[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def sync_rows(r: dict[str, Any], n: int) -> list[Row]:
    """The rows of the GUI sync child's report (raises if the sync did not complete)."""
    from bench.ingest import Row

    if not r["complete"] or r["accepted"] < n:
        raise RuntimeError(
            f"sync incomplete after {r['elapsed']:.1f} s: accepted {r['accepted']:,} of {n:,}; "
            f"failures: {r['failures']}"
        )
    lag, idle = r["sync"], r["idle"]
    elapsed = r["elapsed"]
    rows = [
        Row(
            "gui_sync",
            f"sync {n:,} records into the app, connect -> all stored",
            n,
            elapsed,
            n / elapsed,
            "/s",
            f"app CPU {100 * r['cpu'] / elapsed:.0f} % of one core; "
            f"{r['rows']:,} timeline rows loaded at the end",
        ),
        Row(
            "lag_p50",
            f"  GUI {LAG_INTERVAL_MS} ms timer lag during sync, p50",
            len(lag),
            None,
            _pct(lag, 0.50) * 1000,
            "ms",
        ),
        Row(
            "lag_p99",
            f"  GUI {LAG_INTERVAL_MS} ms timer lag during sync, p99",
            len(lag),
            None,
            _pct(lag, 0.99) * 1000,
            "ms",
            TARGETS["lag_p99"],
        ),
        Row(
            "lag_max",
            f"  GUI {LAG_INTERVAL_MS} ms timer lag during sync, max",
            len(lag),
            None,
            max(lag) * 1000,
            "ms",
        ),
    ]
    if idle:
        rows.append(
            Row(
                "lag_idle_p99",
                "  the same before connecting (node up, idle), p99",
                len(idle),
                None,
                _pct(idle, 0.99) * 1000,
                "ms",
            )
        )
    return rows


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options (see ``--help``)."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--quick",
        action="store_true",
        help=f"smaller sizes: {QUICK_TIMELINE:,} stored, {QUICK_SYNC:,} synced",
    )
    p.add_argument(
        "--skip-1m",
        action="store_true",
        help=f"a {SKIP_1M_TIMELINE:,}-record viewer profile instead of 1M",
    )
    p.add_argument("--timeline-records", type=int, help="records in the viewer's store")
    p.add_argument(
        "--timeline-feeds",
        type=int,
        default=TIMELINE_FEEDS,
        help=f"identities the viewer follows (default {TIMELINE_FEEDS})",
    )
    p.add_argument("--sync-records", type=int, help="records to sync (0: no sync rows)")
    p.add_argument(
        "--sync-feeds",
        type=int,
        default=SYNC_FEEDS,
        help=f"the sender's identities (default {SYNC_FEEDS})",
    )
    p.add_argument("--repeats", type=int, default=5, help="repetitions of the page loads")
    p.add_argument(
        "--idle", type=float, default=2.0, help="seconds of timer lag measured before connecting"
    )
    p.add_argument("--timeout", type=float, default=600, help="give up on the sync after this")
    p.add_argument("--workers", type=int, default=2, help="processes that sign records")
    p.add_argument(
        "--py-spy",
        metavar="DIR",
        help="run the app children under `py-spy record` (raw collapsed stacks into DIR)",
    )
    p.add_argument(
        "--cache",
        default=str(Path("~/.cache/smd-bench")),
        help="cache directory (default ~/.cache/smd-bench)",
    )
    args = p.parse_args(argv)
    if args.timeline_records is None:
        args.timeline_records = (
            SKIP_1M_TIMELINE if args.skip_1m else QUICK_TIMELINE if args.quick else DEFAULT_TIMELINE
        )
    if args.sync_records is None:
        args.sync_records = QUICK_SYNC if args.quick else DEFAULT_SYNC
    if min(args.timeline_records, args.timeline_feeds, args.sync_feeds, args.repeats) < 1:
        p.error("--timeline-records, --timeline-feeds, --sync-feeds and --repeats must be positive")
    if args.timeline_records < 10 * args.timeline_feeds:
        p.error("--timeline-records must be at least 10 per feed (a first page needs posts)")
    if args.sync_records < 0:
        p.error("--sync-records must not be negative")
    return args


def _child_args(argv: Sequence[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="a child process of bench/ui.py (internal)")
    p.add_argument("--role", choices=("app", "gui-sync"), required=True)
    p.add_argument("--t0", type=float, required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--passphrase", required=True)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--connect")
    p.add_argument("--records", type=int, default=0)
    p.add_argument("--idle", type=float, default=2.0)
    p.add_argument("--timeout", type=float, default=600)
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> list[Row]:
    """Run the benchmark, print the table, and return its rows."""
    from bench.ingest import PASSPHRASE, Prep, _copy_store, _log, _versions, feed_sizes
    from bench.ingest import format_table as table
    from bench.sync import (
        _Child,
        _spy_prefix,
        ensure_sender_store,
        ensure_sync_records,
        make_receiver,
        sync_identities,
    )

    args = parse_args(argv)
    cache = Path(args.cache).expanduser()
    cache.mkdir(parents=True, exist_ok=True)
    count, n_sync = args.timeline_records, args.sync_records
    print("SMD desktop app benchmark")
    print(_versions())
    print(
        f"viewer profile: {count:,} stored records of {args.timeline_feeds} followed identities "
        f"(moderate KDF); sync: {n_sync:,} records of {args.sync_feeds} identities from a "
        f"sender node process; QT_QPA_PLATFORM={os.environ.get('QT_QPA_PLATFORM')}; "
        f"cache {cache}"
    )
    print(
        "Note: wall-clock times; other processes (e.g. test suites) may run concurrently on "
        "this machine, compare the load averages.",
        flush=True,
    )
    prep = Prep()
    viewer = ensure_viewer(cache, count, args.timeline_feeds, args.workers, prep)
    sender_cached: Path | None = None
    if n_sync:
        records = ensure_sync_records(cache, n_sync, args.sync_feeds, args.workers, prep)
        sender_cached = ensure_sender_store(cache, records, n_sync, args.sync_feeds, 2048, prep)

    rows: list[Row] = []
    loads: list[str] = []
    with tempfile.TemporaryDirectory(dir=cache, prefix="ui-run-") as tmp_name:
        work = Path(tmp_name)
        start = time.perf_counter()
        viewer_dir = work / "viewer"
        _copy_store(viewer, viewer_dir)
        prep.add(f"copy the {count:,}-record viewer profile", time.perf_counter() - start)

        _log("  measuring the raw timeline query ...")
        rows += bench_query(viewer_dir, count, args.repeats)

        _log("  launching the app on the viewer profile ...")
        child = _AppChild(
            "app",
            ["--data", str(viewer_dir), "--repeats", str(args.repeats), "--passphrase", PASSPHRASE],
            work / "app.log",
            _spy_prefix(args.py_spy, "app"),
        )
        report = child.result(300)
        loads.append("after the app run: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
        rows += app_rows(report, count)

        if sender_cached is not None:
            start = time.perf_counter()
            sender_dir = work / "sender"
            _copy_store(sender_cached, sender_dir)
            receiver_dir = work / "receiver"
            make_receiver(receiver_dir, sync_identities(len(feed_sizes(n_sync, args.sync_feeds))))
            prep.add("copy the sender profile, create the receiver", time.perf_counter() - start)
            sender = _Child(
                "sender",
                ["--data", str(sender_dir), "--feeds", str(args.sync_feeds)],
                work / "sender.log",
                [],
            )
            try:
                addr = sender.expect("ADDR", 120)
                _log(f"  syncing {n_sync:,} records into the app ...")
                gui = _AppChild(
                    "gui-sync",
                    [
                        "--data",
                        str(receiver_dir),
                        "--passphrase",
                        PASSPHRASE,
                        "--connect",
                        addr,
                        "--records",
                        str(n_sync),
                        "--idle",
                        str(args.idle),
                        "--timeout",
                        str(args.timeout),
                    ],
                    work / "gui-sync.log",
                    _spy_prefix(args.py_spy, "gui-sync"),
                )
                sync_report = gui.result(args.timeout + 180)
                loads.append("after the sync: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
            finally:
                sender.stop()
            rows += sync_rows(sync_report, n_sync)

    print()
    print("Preparation (not part of the table):")
    for what, seconds in prep.steps:
        print(f"  {what}: {seconds:.1f} s")
    print()
    print(table(rows))
    print()
    for line in loads:
        print("load average " + line)
    print("load average at end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)
    return rows


def _entry(argv: Sequence[str]) -> None:
    if "--role" in argv:
        child = _child_args(argv)
        runner = _run_app if child.role == "app" else _run_gui_sync
        runner(child)
    else:
        main(argv)


if __name__ == "__main__":
    _entry(sys.argv[1:])
