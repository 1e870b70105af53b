"""Sync benchmark: N records move from one node to another over libp2p on 127.0.0.1.

Run from the repository root::

    .venv/bin/python bench/sync.py            # N=100,000 records
    .venv/bin/python bench/sync.py --quick    # N=10,000

Two separate processes, each a real :class:`p2p.node.Node` over a real encrypted profile:

* the *sender* holds a profile whose store already holds N records of ``--feeds`` identities
  (one device feed each, default 20 feeds of N/20 records: certificate, profile, then about 94 %
  posts and 6 % follows; no deletions, so every record stays stored). It listens on 127.0.0.1
  and prints its address;
* the *receiver* starts from a fresh profile that follows those identities, dials the sender
  and takes the time from ``connect`` until its store holds all N records (the sync driver's
  accepted count, checked against ``Store.count_records`` afterwards).

In the same run, in this (the parent) process and while no sync runs, the table also shows the
one-core Ed25519 verify rate, the two-thread ``check_many`` that ``Store.ingest`` uses, and the
in-process ceiling: ``Store.ingest`` of the same N records into a fresh store, no network. Both
children report the time they spent inside the store (the receiver in ``Store.ingest``, split
into decode/verify and the write transaction; the sender in ``read_range``) and their CPU time:
that tells whether the receiver is CPU-bound or waits on the network or the sender.

The signed records and the sender's store are cached under ``--cache`` (default
``~/.cache/smd-bench``), keyed by N, the feed count and the store schema; preparation time is
printed apart from the table. ``--py-spy DIR`` runs both children under ``py-spy record`` (when
``py-spy`` is installed; it is not a dependency) and leaves their collapsed stacks in DIR.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import queue
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python bench/sync.py`: bench/ is not installed
    sys.path.insert(0, str(ROOT))

import nacl.bindings  # noqa: E402

from bench.common import COMPLETE, Prep, Row, format_table  # noqa: E402
from bench.common import copy_store as _copy_store  # noqa: E402
from bench.common import log as _log  # noqa: E402
from bench.common import rate as _rate  # noqa: E402
from bench.common import say as _say  # noqa: E402
from bench.common import versions as _versions  # noqa: E402
from bench.ingest import (  # noqa: E402
    BASE_TS,
    MAGIC,
    PARALLEL_MIN,
    PASSPHRASE,
    TAGS,
    _record_count,
    _require_accepted,
    _seed,
    _text,
    _write_record,
    feed_sizes,
    read_records,
    run_ingest,
    schema_tag,
    sign_raw,
)
from smd_desktop.core import content as ct  # noqa: E402
from smd_desktop.core.identity import RootKey  # noqa: E402
from smd_desktop.core.ids import DeviceKey, IdentityKey  # noqa: E402
from smd_desktop.core.kdf import KdfParams  # noqa: E402
from smd_desktop.core.profile import Profile  # noqa: E402
from smd_desktop.core.records import SIGNING_DOMAIN, parse_record  # noqa: E402
from smd_desktop.core.store import Store  # noqa: E402
from smd_desktop.core.store.ingest import check_many  # noqa: E402
from smd_desktop.core.testing import make_profile  # noqa: E402

SYNC_FORMAT = 1
"""Bump when the generated records change: old cache entries are ignored."""
TAG = "sync"
DEFAULT_RECORDS = 100_000
QUICK_RECORDS = 10_000
DEFAULT_FEEDS = 20
INGEST_BATCH = 2048
"""Records per ``Store.ingest`` call of the in-process ceiling: what ``p2p.sync_driver``
coalesces at most (its ``INGEST_BATCH``; not imported, to keep libp2p's 2 s import out)."""
LOOPBACK = "/ip4/127.0.0.1/tcp/0"
FOLLOW_SHARE = 0.06


# -- records and stores ------------------------------------------------------------------------


def sync_identities(feeds: int) -> list[bytes]:
    """The identity keys of the benchmark's feeds (one identity, one device each)."""
    return [bytes(RootKey(_seed(TAG, "root", i)).public) for i in range(feeds)]


def generate_sync_feed(index: int, count: int, identities: Sequence[bytes]) -> list[bytes]:
    """One device feed: certificate, profile, then ~94 % posts (some tagged, some replies) and
    ~6 % follows of the other identities. No deletions or edits: every record stays stored, so
    the receiver's record count is exactly N. Deterministic for a given (index, count)."""
    rng = random.Random(f"{TAG}/{index}")
    root = RootKey(_seed(TAG, "root", index))
    public, secret = nacl.bindings.crypto_sign_seed_keypair(_seed(TAG, "device", index))
    device = DeviceKey(public)
    others = [key for i, key in enumerate(identities) if i != index] or [_seed(TAG, "nobody", 0)]
    ts = BASE_TS + rng.randrange(86_400_000)
    prev: bytes | None = None
    posts: list[bytes] = []
    raws: list[bytes] = []
    for seq in range(1, count + 1):
        ts += rng.randrange(1_000, 600_000)
        type_: str
        content: dict[str, Any]
        if seq == 1:
            type_ = ct.CERT
            content = root.certify(device, name=f"sync bench device {index}", issued=ts)
        elif seq == 2:
            type_ = ct.PROFILE
            content = {"name": f"Sync bench user {index}", "bio": _text(rng, 20, 120)}
        elif rng.random() < FOLLOW_SHARE:
            type_ = ct.FOLLOW
            content = {"target": rng.choice(others), "following": True}
        else:
            type_ = ct.POST
            content = {"text": _text(rng)}
            if rng.random() < 0.15:
                content["tags"] = rng.sample(TAGS, rng.randint(1, 3))
            if posts and rng.random() < 0.10:
                content["reply_to"] = rng.choice(posts)
        raw, record_id = sign_raw(secret, device, seq, prev, ts, type_, content)
        if type_ == ct.POST:
            posts.append(record_id)
        prev = record_id
        raws.append(raw)
    return raws


@dataclass(frozen=True, slots=True)
class _SignJob:
    first: int
    sizes: tuple[int, ...]
    feeds: int
    out: str


def _sign_part(job: _SignJob) -> int:
    """Sign a contiguous slice of feeds into ``job.out`` (runs in a worker process)."""
    identities = sync_identities(job.feeds)
    written = 0
    with open(job.out, "wb") as f:
        for offset, size in enumerate(job.sizes):
            for raw in generate_sync_feed(job.first + offset, size, identities):
                _write_record(f, raw)
                written += 1
    return written


def ensure_sync_records(cache: Path, count: int, feeds: int, workers: int, prep: Prep) -> Path:
    """The cache file of the ``count`` signed records (``bench.ingest``'s format), made if
    missing."""
    sizes = feed_sizes(count, feeds)
    path = cache / f"records-sync{SYNC_FORMAT}-{count}x{len(sizes)}.bin"
    if _record_count(path) == count:
        prep.add(f"records ({count:,}): cached in {path.name}", 0.0)
        return path
    cache.mkdir(parents=True, exist_ok=True)
    _log(f"  prep: signing {count:,} records over {len(sizes)} feeds ...")
    start = time.perf_counter()
    n_workers = max(1, min(workers, len(sizes))) if count >= PARALLEL_MIN else 1
    bounds = [len(sizes) * w // n_workers for w in range(n_workers + 1)]
    jobs = [
        _SignJob(
            bounds[w],
            tuple(sizes[bounds[w] : bounds[w + 1]]),
            len(sizes),
            f"{path}.part{w}",
        )
        for w in range(n_workers)
    ]
    if n_workers > 1:
        with multiprocessing.get_context("spawn").Pool(n_workers) as pool:
            written = sum(pool.map(_sign_part, jobs))
    else:
        written = sum(_sign_part(job) for job in jobs)
    if written != count:  # pragma: no cover - a bug in feed_sizes
        raise RuntimeError(f"generated {written} records, wanted {count}")
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as out:
        out.write(MAGIC + count.to_bytes(8, "big"))
        for job in jobs:
            with open(job.out, "rb") as part:
                shutil.copyfileobj(part, out, 1 << 20)
            os.unlink(job.out)
    os.replace(tmp, path)
    seconds = time.perf_counter() - start
    prep.add(f"sign {count:,} records ({n_workers} worker(s))", seconds)
    return path


def _ingest_all(store: Store, raws: Sequence[bytes], batch: int) -> None:
    for i in range(0, len(raws), batch):
        _require_accepted(store.ingest(raws[i : i + batch]))


def ensure_sender_store(
    cache: Path, records: Path, count: int, feeds: int, batch: int, prep: Prep
) -> Path:
    """The cached sender profile: a profile whose store holds the ``count`` records."""
    suffix = f"-{count}x{len(feed_sizes(count, feeds))}"
    final = cache / f"sender-sync{SYNC_FORMAT}-{schema_tag()}{suffix}"
    if (final / COMPLETE).exists():
        prep.add(f"sender profile with {count:,} records: cached in {final.name}", 0.0)
        return final
    for stale in cache.glob(f"sender-sync*{suffix}"):  # same size, older schema or format
        if stale.is_dir() and stale != final:
            shutil.rmtree(stale)
    building = final.with_name(final.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    _log(f"  prep: building the sender profile with {count:,} records ...")
    start = time.perf_counter()
    profile = make_profile(building, "Sync bench sender", passphrase=PASSPHRASE)
    try:
        _ingest_all(profile.store, list(read_records(records)), batch)
    finally:
        profile.close()
    (building / COMPLETE).write_text(f"{count}\n", encoding="utf-8")
    os.replace(building, final)
    prep.add(f"build the sender profile ({count:,} records)", time.perf_counter() - start)
    return final


def make_receiver(data_dir: Path, identities: Sequence[bytes]) -> None:
    """A fresh profile that follows every benchmark identity."""
    profile = make_profile(data_dir, "Sync bench receiver", passphrase=PASSPHRASE)
    try:
        for identity in identities:
            profile.follow(IdentityKey(identity))
    finally:
        profile.close()


# -- in-process ceilings -----------------------------------------------------------------------


def bench_ceilings(raws: Sequence[bytes], sample: int, batch: int, work: Path) -> list[Row]:
    """Verify-only (one core), check_many (two threads) and Store.ingest into a fresh store."""
    part = raws[:sample]
    parsed = [parse_record(raw) for raw in part]
    messages = [(r.signature + SIGNING_DOMAIN + r.header_bytes, bytes(r.author)) for r in parsed]
    del parsed
    start = time.perf_counter()
    for message, key in messages:
        nacl.bindings.crypto_sign_open(message, key)
    verify = time.perf_counter() - start

    start = time.perf_counter()
    for i in range(0, len(part), batch):
        check_many(part[i : i + batch])
    checked = time.perf_counter() - start

    _log(f"  measuring Store.ingest of {len(raws):,} records into a fresh store ...")
    data_dir = work / "ceiling"
    run = run_ingest(Store.create(data_dir, PASSPHRASE, KdfParams.interactive()), raws, batch)
    shutil.rmtree(data_dir)
    return [
        _rate("verify", "Ed25519 verify only, one thread", len(part), verify, "crypto_sign_open"),
        _rate(
            "check_many",
            "decode + verify + validate (check_many)",
            len(part),
            checked,
            "2 threads, as Store.ingest",
        ),
        _rate(
            "ceiling",
            f"Store.ingest {run.n:,} into a fresh store",
            run.n,
            run.seconds,
            f"in-process ceiling, batches of {batch}",
        ),
    ]


# -- the two node processes --------------------------------------------------------------------


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def _readline() -> str:
    return sys.stdin.readline()


@dataclass
class _Timer:
    """Wall time spent in calls from several threads."""

    seconds: float = 0.0
    calls: int = 0
    items: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, seconds: float, items: int) -> None:
        with self.lock:
            self.seconds += seconds
            self.calls += 1
            self.items += items

    def as_dict(self) -> dict[str, float]:
        return {"seconds": self.seconds, "calls": self.calls, "items": self.items}


def _timed_log_store(profile: Profile) -> tuple[Any, dict[str, _Timer]]:
    """A ``ProfileLogStore`` that times ``ingest`` and ``read_range``, plus the decode/verify
    step inside ``Store.ingest`` (``check_many``, patched in this child process only)."""
    import smd_desktop.core.store.store as store_module
    from smd_desktop.replication import ProfileLogStore

    timers = {"ingest": _Timer(), "check": _Timer(), "read": _Timer()}
    original_check = check_many

    def timed_check(raws: Any, validators: Any = None) -> Any:
        start = time.perf_counter()
        out = original_check(raws, validators)
        timers["check"].add(time.perf_counter() - start, len(raws))
        return out

    setattr(store_module, "check_many", timed_check)  # noqa: B010 - keep mypy out of it

    class TimedLogStore(ProfileLogStore):
        def ingest(self, records: Sequence[bytes]) -> Any:
            start = time.perf_counter()
            out = super().ingest(records)
            timers["ingest"].add(time.perf_counter() - start, len(records))
            return out

        def read_range(self, log: bytes, start: int, limit: int) -> list[bytes]:
            began = time.perf_counter()
            out = super().read_range(log, start, limit)
            timers["read"].add(time.perf_counter() - began, len(out))
            return out

    return TimedLogStore(profile), timers


def _node(profile: Profile, store: Any, args: argparse.Namespace, on_event: Any = None) -> Any:
    from p2p.node import Node

    extra = {} if args.resync is None else {"resync_interval": args.resync}
    return Node(
        seed=profile.device_seed, store=store, listen=[LOOPBACK], on_event=on_event, **extra
    )


def _run_sender(args: argparse.Namespace) -> None:
    """Serve the records until stdin closes; answer ``cpu`` lines with the CPU and store time
    used so far."""
    import trio

    from p2p.logging_setup import route_libp2p_logging

    route_libp2p_logging()
    profile = Profile.open(Path(args.data), PASSPHRASE)
    store, timers = _timed_log_store(profile)

    async def serve() -> None:
        node = _node(profile, store, args)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(node.run)
            await node.ready.wait()
            _say(f"ADDR {node.listen_addrs[0]}")
            while True:
                line = await trio.to_thread.run_sync(_readline)
                if line.strip() == "cpu":
                    _say("CPU " + json.dumps({"cpu": _cpu(), "read": timers["read"].as_dict()}))
                elif not line or line.strip() == "quit":
                    break
            nursery.cancel_scope.cancel()

    try:
        trio.run(serve)
    finally:
        profile.close()


@dataclass
class _Watch:
    """What the receiver's node events tell: when the plan and the first records arrived and
    how many records all sessions accepted."""

    want: int
    done: Any  # trio.Event
    start: float = 0.0
    plan_at: float | None = None
    first_at: float | None = None
    sessions: dict[int, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(p.counts, name) for p in self.sessions.values())

    def on_event(self, event: Any) -> None:
        if event.kind == "sync-failed":
            self.failures.append(event.detail)
        progress = event.progress
        if progress is None or not self.start:
            return
        self.sessions[id(progress)] = progress  # kept alive: ids stay unique
        now = time.perf_counter()
        if self.plan_at is None and progress.expected is not None:
            self.plan_at = now
        if self.first_at is None and progress.counts.accepted > 0:
            self.first_at = now
        if self.total("accepted") >= self.want:
            self.done.set()


def _run_receiver(args: argparse.Namespace) -> None:
    """Wait for ``go`` on stdin, connect, time until all records are stored, print RESULT."""
    import trio

    from p2p.logging_setup import route_libp2p_logging

    began = time.perf_counter()
    route_libp2p_logging()
    profile = Profile.open(Path(args.data), PASSPHRASE)
    store, timers = _timed_log_store(profile)
    result: dict[str, Any] = {}

    async def receive() -> None:
        watch = _Watch(args.records, trio.Event())
        node = _node(profile, store, args, watch.on_event)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(node.run)
            await node.ready.wait()
            result["startup"] = time.perf_counter() - began
            _say("READY")
            await trio.to_thread.run_sync(_readline)
            cpu0, busy0 = _cpu(), machine_busy()
            watch.start = start = time.perf_counter()
            await node.connect(args.connect)
            dialed = time.perf_counter()
            with trio.move_on_after(args.timeout):
                await watch.done.wait()
            end, cpu1, busy1 = time.perf_counter(), _cpu(), machine_busy()
            # Let the follow-up session (our heads changed) finish before stopping the node:
            # Node.run clears its host while a queued sync may still call it (p2p/node.py).
            with trio.move_on_after(10):
                while any(state.syncing for state in node.peers.values()):
                    await trio.sleep(0.02)
            nursery.cancel_scope.cancel()

        def since(t: float | None) -> float | None:
            return None if t is None else t - start

        result.update(
            complete=watch.done.is_set(),
            elapsed=end - start,
            dial=dialed - start,
            plan=since(watch.plan_at),
            first=since(watch.first_at),
            cpu=cpu1 - cpu0,
            machine_busy=None if busy0 is None or busy1 is None else busy1 - busy0,
            sessions=len(watch.sessions),
            failures=watch.failures,
            **{k: watch.total(k) for k in ("accepted", "duplicate", "pending", "fork", "rejected")},
        )

    try:
        try:
            trio.run(receive)
        except* RuntimeError as group:  # the shutdown race of p2p/node.py, see above
            if "elapsed" not in result:
                raise
            _log(f"receiver: stopping the node raised {group.exceptions!r}")
        identities = sync_identities(args.feeds)
        result["stored"] = sum(profile.store.count_records(IdentityKey(i)) for i in identities)
        result["timers"] = {name: t.as_dict() for name, t in timers.items()}
    finally:
        profile.close()
    _say("RESULT " + json.dumps(result))


# -- the parent: starting the children and reading their lines ---------------------------------


class _Child:
    """A node process; its stdout lines arrive through a queue so every wait can time out."""

    def __init__(self, role: str, argv: list[str], log: Path, spy: list[str]) -> None:
        self.role, self.log = role, log
        self._stderr = open(log, "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [*spy, sys.executable, str(Path(__file__).resolve()), "--role", role, *argv],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            cwd=ROOT,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def expect(self, prefix: str, timeout: float) -> str:
        """The rest of the next line that starts with ``prefix`` (other lines are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise RuntimeError(self._failure(f"no {prefix!r} within {timeout:.0f} s")) from None
            if line is None:
                raise RuntimeError(self._failure(f"exited before {prefix!r}"))
            if line.startswith(prefix):
                return line[len(prefix) :].strip()

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def _failure(self, what: str) -> str:
        self._stderr.flush()
        tail = self.log.read_text(encoding="utf-8", errors="replace")[-3000:]
        return f"the {self.role} process {what}; its stderr ends with:\n{tail}"

    def stop(self, timeout: float = 20) -> None:
        """Close stdin (the sender's signal to stop) and wait; kill if it hangs."""
        try:
            if self.proc.stdin is not None and not self.proc.stdin.closed:
                self.proc.stdin.close()
        except BrokenPipeError:
            pass
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._stderr.close()


def machine_busy() -> float | None:
    """CPU seconds the whole machine (all cores, every process and container) has been busy,
    from ``/proc/stat``; None where that is not available."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class SyncRun:
    """What the two children reported."""

    receiver: dict[str, Any]
    sender_cpu: float
    sender_read: dict[str, float]
    load: tuple[float, float, float]


def _spy_prefix(spy_dir: str | None, role: str) -> list[str]:
    if spy_dir is None:
        return []
    exe = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(exe).exists():
        raise SystemExit("--py-spy needs py-spy (pip install py-spy into the venv)")
    out = Path(spy_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    return [
        exe,
        "record",
        "--rate",
        "250",
        "--format",
        "raw",
        "--threads",
        "--idle",
        "--output",
        str(out / f"{role}.txt"),
        "--",
    ]


def run_sync(sender_dir: Path, receiver_dir: Path, args: argparse.Namespace, work: Path) -> SyncRun:
    """Start the sender, then the receiver, let it sync, collect both reports."""
    common = ["--feeds", str(args.feeds)]
    if args.resync is not None:
        common += ["--resync", str(args.resync)]
    sender = _Child(
        "sender",
        ["--data", str(sender_dir), *common],
        work / "sender.log",
        _spy_prefix(args.py_spy, "sender"),
    )
    receiver: _Child | None = None
    try:
        addr = sender.expect("ADDR", 120)
        receiver = _Child(
            "receiver",
            [
                "--data",
                str(receiver_dir),
                "--connect",
                addr,
                "--records",
                str(args.records),
                "--timeout",
                str(args.timeout),
                *common,
            ],
            work / "receiver.log",
            _spy_prefix(args.py_spy, "receiver"),
        )
        receiver.expect("READY", 120)
        sender.send("cpu")
        before = json.loads(sender.expect("CPU", 30))
        _log(f"  syncing {args.records:,} records from the sender to the receiver ...")
        receiver.send("go")
        report = json.loads(receiver.expect("RESULT", args.timeout + 60))
        load = os.getloadavg()
        sender.send("cpu")
        after = json.loads(sender.expect("CPU", 30))
    finally:
        if receiver is not None:
            receiver.stop()
        sender.stop()
    return SyncRun(
        report,
        after["cpu"] - before["cpu"],
        {k: after["read"][k] - before["read"][k] for k in after["read"]},
        load,
    )


def sync_rows(run: SyncRun, n: int, ceiling: float) -> list[Row]:
    """The table rows of one sync run (raises if it did not complete)."""
    r = run.receiver
    if not r["complete"] or r["stored"] != n:
        raise RuntimeError(
            f"sync incomplete after {r['elapsed']:.1f} s: accepted {r['accepted']:,}, "
            f"stored {r['stored']:,} of {n:,}; failures: {r['failures']}"
        )
    elapsed = r["elapsed"]
    sync = _rate("sync", f"sync {n:,} records, connect -> all stored", n, elapsed)
    sync = Row(
        sync.key, sync.name, n, elapsed, sync.value, "/s", f"{sync.value / ceiling:.0%} of ceiling"
    )

    def ms(key: str, name: str, seconds: float, note: str = "") -> Row:
        return Row(key, name, 1, seconds, seconds * 1000, "ms", note)

    def share(key: str, name: str, timer: dict[str, float], note: str = "") -> Row:
        seconds = timer["seconds"]
        return Row(key, name, int(timer["calls"]), seconds, 100 * seconds / elapsed, "%", note)

    timers = r["timers"]
    ingest, check = timers["ingest"], timers["check"]
    write = {"seconds": ingest["seconds"] - check["seconds"], "calls": ingest["calls"]}
    calls = max(1, int(ingest["calls"]))
    return [
        sync,
        ms("sync_dial", "  connect -> dialed (TCP, Noise, Yamux)", r["dial"]),
        ms("sync_plan", "  connect -> sender's plan received", r["plan"]),
        ms("sync_first", "  connect -> first records stored", r["first"], "time to first record"),
        share(
            "recv_ingest",
            "  receiver: in Store.ingest",
            ingest,
            f"% of sync wall time; {ingest['items'] / calls:,.0f} records/call",
        ),
        share("recv_check", "    of which decode + verify", check, "check_many, 2 threads"),
        share(
            "recv_write",
            "    of which the rest: SQL, COMMIT",
            write,
            "write transaction + LogStore adapter",
        ),
        Row(
            "recv_cpu",
            "  receiver: CPU (user + sys)",
            1,
            r["cpu"],
            100 * r["cpu"] / elapsed,
            "%",
            "of one core; 2 cores = 200 %",
        ),
        share("send_read", "  sender: in read_range", run.sender_read, "% of sync wall time"),
        Row(
            "send_cpu",
            "  sender: CPU (user + sys)",
            1,
            run.sender_cpu,
            100 * run.sender_cpu / elapsed,
            "%",
            "of one core",
        ),
    ]


# -- main --------------------------------------------------------------------------------------


def _child_args(argv: Sequence[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="a node process of bench/sync.py (internal)")
    p.add_argument("--role", choices=("sender", "receiver"), required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--feeds", type=int, required=True)
    p.add_argument("--resync", type=float)
    p.add_argument("--connect")
    p.add_argument("--records", type=int, default=0)
    p.add_argument("--timeout", type=float, default=600)
    return p.parse_args(argv)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options (see ``--help``)."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--records", type=int, help=f"N records to sync (default {DEFAULT_RECORDS:,})")
    p.add_argument("--quick", action="store_true", help=f"smoke run: N={QUICK_RECORDS:,}")
    p.add_argument(
        "--feeds",
        type=int,
        default=DEFAULT_FEEDS,
        help=f"identities, one device feed each (default {DEFAULT_FEEDS})",
    )
    p.add_argument(
        "--batch",
        type=int,
        default=INGEST_BATCH,
        help=f"records per Store.ingest call in the ceiling row (default {INGEST_BATCH})",
    )
    p.add_argument("--sample", type=int, default=20_000, help="records for the verify rows")
    p.add_argument("--workers", type=int, default=2, help="processes that sign records")
    p.add_argument(
        "--resync",
        type=float,
        help="the nodes' periodic resync interval in s (default: the Node's own, 30 s)",
    )
    p.add_argument(
        "--timeout", type=float, default=600, help="give up on the sync after this many s"
    )
    p.add_argument(
        "--py-spy",
        metavar="DIR",
        help="run both nodes under `py-spy record` (raw collapsed stacks into DIR)",
    )
    p.add_argument(
        "--cache",
        default=str(Path("~/.cache/smd-bench")),
        help="cache directory (default ~/.cache/smd-bench)",
    )
    args = p.parse_args(argv)
    if args.records is None:
        args.records = QUICK_RECORDS if args.quick else DEFAULT_RECORDS
    if min(args.records, args.feeds, args.batch, args.sample, args.workers) < 1:
        p.error("--records, --feeds, --batch, --sample and --workers must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> list[Row]:
    """Run the benchmark, print the table, and return its rows."""
    args = parse_args(argv)
    n = args.records
    feeds = len(feed_sizes(n, args.feeds))
    cache = Path(args.cache).expanduser()
    cache.mkdir(parents=True, exist_ok=True)
    print("SMD sync benchmark")
    print(_versions())
    print(
        f"N={n:,} records over {feeds} identities (one device feed each, "
        f"~{n // feeds:,} records per feed); sender and receiver are separate processes, "
        f"libp2p over 127.0.0.1 (TCP, Noise, Yamux); cache {cache}"
    )
    print(
        "Note: wall-clock times; other processes (e.g. test suites) may run concurrently on "
        "this machine, compare the load averages.",
        flush=True,
    )

    prep = Prep()
    records = ensure_sync_records(cache, n, args.feeds, args.workers, prep)
    sender_cached = ensure_sender_store(cache, records, n, args.feeds, args.batch, prep)
    raws = list(read_records(records))

    with tempfile.TemporaryDirectory(dir=cache, prefix="sync-run-") as tmp_name:
        work = Path(tmp_name)
        start = time.perf_counter()
        sender_dir = work / "sender"
        _copy_store(sender_cached, sender_dir)
        receiver_dir = work / "receiver"
        make_receiver(receiver_dir, sync_identities(feeds))
        prep.add(
            "copy the sender profile, create the receiver profile", time.perf_counter() - start
        )

        _log("  measuring verify rates ...")
        rows = bench_ceilings(raws, min(args.sample, n), args.batch, work)
        del raws
        run = run_sync(sender_dir, receiver_dir, args, work)
        prep.add("receiver start: import libp2p, unlock, listen", run.receiver["startup"])
        rows += sync_rows(run, n, rows[-1].value)

    print()
    print("Preparation (not part of the rates below):")
    for what, seconds in prep.steps:
        print(f"  {what}: {seconds:.1f} s")
    print()
    print(format_table(rows))
    r = run.receiver
    print(
        f"\nreceiver: {r['sessions']} sync session(s); accepted {r['accepted']:,}, duplicate "
        f"{r['duplicate']:,}, pending {r['pending']:,}, fork {r['fork']:,}, rejected "
        f"{r['rejected']:,}; store count {r['stored']:,}"
    )
    print("load average right after the sync: " + " ".join(f"{x:.2f}" for x in run.load))
    if r["machine_busy"] is not None:
        # The sender's CPU is read a little around the window: "everything else" is rough.
        cores = os.cpu_count() or 1
        ours = r["cpu"] + run.sender_cpu
        rest = max(0.0, r["machine_busy"] - ours)
        print(
            f"machine CPU during the sync (/proc/stat, all processes): "
            f"{r['machine_busy']:.1f} s busy of {cores * r['elapsed']:.1f} s ({cores} cores); "
            f"receiver + sender {ours:.1f} s, everything else ~{rest:.1f} s"
        )
    print("load average at end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)
    return rows


def _entry(argv: Sequence[str]) -> None:
    if "--role" in argv:
        child = _child_args(argv)
        runner: Callable[[argparse.Namespace], None] = (
            _run_sender if child.role == "sender" else _run_receiver
        )
        runner(child)
    else:
        main(argv)


if __name__ == "__main__":
    _entry(sys.argv[1:])
