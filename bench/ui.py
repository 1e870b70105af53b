"""Desktop app benchmark: launch time, the timeline at 1M stored records, memory, GUI lag.

Run from the repository root (Qt needs no display)::

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/ui.py             # 1M records, 100k sync
    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/ui.py --quick     # 100k records, 10k sync
    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/ui.py --skip-1m   # small timeline profile

It prints a plain-text table (``bench/common.py``'s format) of the desktop app's targets (the
app-side child processes are in ``bench/ui_app.py``):

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
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python bench/ui.py`: bench/ is not installed
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Module level imports only the standard library and bench's stdlib-only helpers: the app
# children (bench/ui_app.py) start from this script and their launch time is measured, so they
# must import only what the app imports. bench.ingest and bench.sync (the core, PyNaCl, ...) are
# imported inside the parent's functions.
from bench.common import (  # noqa: E402
    COMPLETE,
    Prep,
    Row,
    copy_store,
    format_table,
    load_average,
    log,
    percentile,
    versions,
)
from bench.ui_app import LAG_INTERVAL_MS, PAGE, run_app, run_gui_sync  # noqa: E402

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
        PASSPHRASE,
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
    log(f"  prep: building the viewer profile with {count:,} records ...")
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
                    log(f"    {done:,}/{count:,} ({done / elapsed:,.0f}/s)")
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
    from bench.ingest import PASSPHRASE
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
    target = TARGETS.get(key)
    note = f"{note}; {target}" if note and target else (note or target or "")
    return Row(key, name, n, seconds, seconds * 1000, "ms", note)


def app_rows(r: dict[str, Any], count: int) -> list[Row]:
    """The rows of the app child's report."""
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


def sync_rows(r: dict[str, Any], n: int) -> list[Row]:
    """The rows of the GUI sync child's report (raises if the sync did not complete)."""
    if not r["complete"] or r["accepted"] < n:
        raise RuntimeError(
            f"sync incomplete after {r['elapsed']:.1f} s: accepted {r['accepted']:,} of {n:,}; "
            f"failures: {r['failures']}"
        )
    lag, idle = sorted(r["sync"]), sorted(r["idle"])
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
            percentile(lag, 50) * 1000,
            "ms",
        ),
        Row(
            "lag_p99",
            f"  GUI {LAG_INTERVAL_MS} ms timer lag during sync, p99",
            len(lag),
            None,
            percentile(lag, 99) * 1000,
            "ms",
            TARGETS["lag_p99"],
        ),
        Row(
            "lag_max",
            f"  GUI {LAG_INTERVAL_MS} ms timer lag during sync, max",
            len(lag),
            None,
            lag[-1] * 1000,
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
                percentile(idle, 99) * 1000,
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
    from bench.ingest import PASSPHRASE, feed_sizes
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
    print(versions())
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
        copy_store(viewer, viewer_dir)
        prep.add(f"copy the {count:,}-record viewer profile", time.perf_counter() - start)

        log("  measuring the raw timeline query ...")
        rows += bench_query(viewer_dir, count, args.repeats)

        log("  launching the app on the viewer profile ...")
        child = _AppChild(
            "app",
            ["--data", str(viewer_dir), "--repeats", str(args.repeats), "--passphrase", PASSPHRASE],
            work / "app.log",
            _spy_prefix(args.py_spy, "app"),
        )
        report = child.result(300)
        loads.append("after the app run: " + load_average())
        rows += app_rows(report, count)

        if sender_cached is not None:
            start = time.perf_counter()
            sender_dir = work / "sender"
            copy_store(sender_cached, sender_dir)
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
                log(f"  syncing {n_sync:,} records into the app ...")
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
                loads.append("after the sync: " + load_average())
            finally:
                sender.stop()
            rows += sync_rows(sync_report, n_sync)

    print()
    prep.report()
    print()
    print(format_table(rows))
    print()
    for line in loads:
        print("load average " + line)
    print("load average at end: " + load_average(), flush=True)
    return rows


def _entry(argv: Sequence[str]) -> None:
    if "--role" in argv:
        child = _child_args(argv)
        runner = run_app if child.role == "app" else run_gui_sync
        runner(child)
    else:
        main(argv)


if __name__ == "__main__":
    _entry(sys.argv[1:])
