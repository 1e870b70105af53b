"""Ingest benchmark: how fast signed records get verified and stored.

Run from the repository root::

    .venv/bin/python bench/ingest.py            # N=100,000 new records, M=1,000,000 existing
    .venv/bin/python bench/ingest.py --quick    # N=10,000, M=100,000

It prints a plain-text table: the Ed25519 verify ceiling, record decoding, full ``Store.ingest``
of N records into a fresh store and into a store already holding M records, unlock (open) times
and database sizes. Pre-generated records and the pre-built M-record store are cached under
``--cache`` (default ``~/.cache/smd-bench``), keyed by their sizes, so re-runs skip the slow
preparation; preparation time is printed apart from the table.

Records are signed here by a small signer that produces exactly what
:func:`smd_desktop.core.records.sign_record` produces, minus its re-verification (which would
triple signing time); every record still goes through the full checks on ingest, and any
outcome other than ACCEPTED aborts the benchmark.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import random
import shutil
import statistics
import struct
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import nacl.bindings

from smd_desktop.core import canonical
from smd_desktop.core import content as ct
from smd_desktop.core.identity import RootKey
from smd_desktop.core.ids import DeviceKey, blake2b256
from smd_desktop.core.kdf import KdfParams
from smd_desktop.core.records import RECORD_VERSION, SIGNING_DOMAIN, decode_record, parse_record
from smd_desktop.core.store import DB_NAME, IngestResult, Outcome, Store
from smd_desktop.core.store.ingest import check
from smd_desktop.core.store.schema import MIGRATIONS

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python bench/ingest.py`: bench/ is not installed
    sys.path.insert(0, str(ROOT))

from bench.common import COMPLETE, Row, format_table  # noqa: E402
from bench.common import Prep as Prep  # noqa: E402, PLC0414 (re-exported: tests use it)
from bench.common import copy_store as _copy_store  # noqa: E402
from bench.common import log as _log  # noqa: E402
from bench.common import rate as _rate  # noqa: E402
from bench.common import versions as _versions  # noqa: E402

CACHE_FORMAT = 1
"""Bump when the generated records or the store layout change: old cache entries are ignored."""
PASSPHRASE = "smd bench passphrase"
BASE_TS = 1_700_000_000_000
MAGIC = b"SMDBENCH"
PARALLEL_MIN = 1000
"""Record sets smaller than this are signed in-process (a worker pool costs ~0.5 s to start)."""

DEFAULT_RECORDS = 100_000
DEFAULT_EXISTING = 1_000_000
QUICK_RECORDS = 10_000
QUICK_EXISTING = 100_000

_WORDS_TEXT = (
    "the of and to in is it you that was for on are with as his they be at one have this from "
    "or had by hot word but what some we can out other were all there when up use your how "
    "said an each she which do their time if will way about many then them write would like "
    "so these her long make thing see him two has look more day could go come did number "
    "sound no most people my over know water than call first who may down side been now find "
    "peer feed record garden coffee bicycle mountain river weekend concert library kitchen "
    "photo sunset rain train station music album release project patch review release notes "
    "décembre café naïve über straße größe 東京 日本 ☕ 🚲 🌧 🎶"
)
WORDS = _WORDS_TEXT.split()
TAGS = ("news", "photo", "music", "rust", "python", "p2p", "garden", "cats", "travel", "food")


# -- record generation -------------------------------------------------------------------------


def _seed(tag: str, kind: str, index: int) -> bytes:
    return hashlib.blake2b(f"smd-bench/{tag}/{kind}/{index}".encode(), digest_size=32).digest()


def feed_sizes(total: int, feeds: int) -> list[int]:
    """How many records each feed gets (every feed at least its certificate)."""
    feeds = max(1, min(feeds, total))
    base, extra = divmod(total, feeds)
    return [base + (1 if i < extra else 0) for i in range(feeds)]


def sign_raw(
    secret: bytes,
    author: bytes,
    seq: int,
    prev: bytes | None,
    timestamp: int,
    type_: str,
    content: dict[str, Any],
) -> tuple[bytes, bytes]:
    """(raw record, record id): the bytes ``sign_record`` makes, without re-verifying them.

    ``secret`` is libsodium's 64-byte Ed25519 secret key (seed + public key).
    """
    content_bytes = canonical.encode(content)
    header = canonical.encode(
        [
            RECORD_VERSION,
            author,
            seq,
            prev,
            timestamp,
            type_,
            blake2b256(content_bytes),
            len(content_bytes),
        ]
    )
    signature = nacl.bindings.crypto_sign(SIGNING_DOMAIN + header, secret)[:64]
    return canonical.encode([signature, header, content_bytes]), blake2b256(header)


def _text(rng: random.Random, low: int = 150, high: int = 300) -> str:
    target = rng.randint(low, high)
    words: list[str] = []
    size = -1
    while size < target:
        word = rng.choice(WORDS)
        words.append(word)
        size += len(word.encode()) + 1
    return " ".join(words)


def generate_feed(tag: str, index: int, count: int, identities: Sequence[bytes]) -> list[bytes]:
    """One device feed of ``count`` records: certificate, profile, then a realistic mix.

    About 90 % posts (some with tags, some replies), 6 % follows, 3 % profile updates and 1 %
    deletions of an earlier own post. Deterministic for a given (tag, index, count).
    """
    rng = random.Random(f"{tag}/{index}")
    root = RootKey(_seed(tag, "root", index))
    public, secret = nacl.bindings.crypto_sign_seed_keypair(_seed(tag, "device", index))
    device = DeviceKey(public)
    own = identities[index]
    others = [i for i in identities if i != own] or [_seed(tag, "nobody", 0)]
    ts = BASE_TS + rng.randrange(86_400_000)
    prev: bytes | None = None
    posts: list[bytes] = []
    raws: list[bytes] = []
    for seq in range(1, count + 1):
        ts += rng.randrange(1_000, 600_000)
        type_: str
        content: dict[str, Any]
        roll = rng.random()
        if seq == 1:
            type_ = ct.CERT
            content = root.certify(device, name=f"bench device {index}", issued=ts)
        elif seq == 2 or roll < 0.03:
            type_ = ct.PROFILE
            content = {"name": f"Bench user {tag} {index}", "bio": _text(rng, 20, 120)}
        elif roll < 0.09:
            type_ = ct.FOLLOW
            content = {"target": rng.choice(others), "following": rng.random() < 0.9}
        elif roll < 0.10 and posts:
            type_ = ct.DELETE
            content = {"target": posts.pop(rng.randrange(len(posts)))}
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


def identities_of(tag: str, feeds: int) -> list[bytes]:
    """The identity keys of the feeds of one record set (one identity per feed)."""
    return [bytes(RootKey(_seed(tag, "root", i)).public) for i in range(feeds)]


@dataclass(frozen=True, slots=True)
class _Job:
    tag: str
    first: int
    sizes: tuple[int, ...]
    feeds: int
    out: str


def _write_record(f: BinaryIO, raw: bytes) -> None:
    f.write(struct.pack(">I", len(raw)))
    f.write(raw)


def _generate_part(job: _Job) -> int:
    """Sign a contiguous slice of feeds into ``job.out`` (runs in a worker process)."""
    identities = identities_of(job.tag, job.feeds)
    written = 0
    with open(job.out, "wb") as f:
        for offset, size in enumerate(job.sizes):
            for raw in generate_feed(job.tag, job.first + offset, size, identities):
                _write_record(f, raw)
                written += 1
    return written


def read_records(path: Path) -> Iterator[bytes]:
    """Stream the records of a cache file, in feed order."""
    with open(path, "rb", buffering=1 << 20) as f:
        if f.read(len(MAGIC)) != MAGIC:
            raise ValueError(f"{path} is not a benchmark record file")
        (count,) = struct.unpack(">Q", f.read(8))
        for _ in range(count):
            (size,) = struct.unpack(">I", f.read(4))
            yield f.read(size)


def _record_count(path: Path) -> int | None:
    try:
        with open(path, "rb") as f:
            if f.read(len(MAGIC)) != MAGIC:
                return None
            (count,) = struct.unpack(">Q", f.read(8))
            return int(count)
    except (OSError, struct.error):
        return None


def ensure_records(cache: Path, tag: str, count: int, feeds: int, workers: int, prep: Prep) -> Path:
    """The cache file of ``count`` signed records over ``feeds`` feeds, made if missing."""
    sizes = feed_sizes(count, feeds)
    path = cache / f"records-v{CACHE_FORMAT}-{tag}-{count}x{len(sizes)}.bin"
    if _record_count(path) == count:
        prep.add(f"records '{tag}' ({count:,}): cached in {path.name}", 0.0)
        return path
    cache.mkdir(parents=True, exist_ok=True)
    _log(f"  prep: signing {count:,} records over {len(sizes)} feeds ...")
    start = time.perf_counter()
    n_workers = max(1, min(workers, len(sizes))) if count >= PARALLEL_MIN else 1
    bounds = [len(sizes) * w // n_workers for w in range(n_workers + 1)]
    jobs = [
        _Job(
            tag,
            bounds[w],
            tuple(sizes[bounds[w] : bounds[w + 1]]),
            len(sizes),
            str(path) + f".part{w}",
        )
        for w in range(n_workers)
    ]
    if n_workers > 1:
        with multiprocessing.get_context("spawn").Pool(n_workers) as pool:
            written = sum(pool.map(_generate_part, jobs))
    else:
        written = sum(_generate_part(job) for job in jobs)
    if written != count:  # pragma: no cover - a bug in feed_sizes
        raise RuntimeError(f"generated {written} records, wanted {count}")
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as out:
        out.write(MAGIC + struct.pack(">Q", count))
        for job in jobs:
            with open(job.out, "rb") as part:
                shutil.copyfileobj(part, out, 1 << 20)
            os.unlink(job.out)
    os.replace(tmp, path)
    seconds = time.perf_counter() - start
    prep.add(
        f"sign {count:,} records '{tag}' ({n_workers} worker(s), "
        f"{count / seconds:,.0f}/s incl. encoding)",
        seconds,
    )
    return path


def _batches(raws: Iterable[bytes], size: int) -> Iterator[list[bytes]]:
    batch: list[bytes] = []
    for raw in raws:
        batch.append(raw)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _require_accepted(results: Sequence[IngestResult]) -> int:
    for result in results:
        if result.outcome is not Outcome.ACCEPTED:
            raise RuntimeError(f"benchmark record not accepted: {result}")
    return len(results)


def _db_size(data_dir: Path) -> int:
    return sum(
        p.stat().st_size for p in (data_dir / DB_NAME, data_dir / (DB_NAME + "-wal")) if p.exists()
    )


def schema_tag() -> str:
    """A short fingerprint of the store schema: a cached store built by another schema is
    rebuilt rather than migrated (unreleased migrations may still change in place)."""
    return hashlib.blake2b("\n".join(MIGRATIONS).encode(), digest_size=4).hexdigest()


def ensure_store(cache: Path, count: int, feeds: int, batch: int, workers: int, prep: Prep) -> Path:
    """The cached store holding ``count`` records (tag 'existing'), built if missing."""
    sizes = feed_sizes(count, feeds)
    suffix = f"-{count}x{len(sizes)}"
    final = cache / f"store-v{CACHE_FORMAT}-{schema_tag()}{suffix}"
    if (final / COMPLETE).exists():
        prep.add(f"store with {count:,} records: cached in {final.name}", 0.0)
        return final
    for stale in cache.glob(f"store-v*{suffix}"):  # same size, older schema or format
        if stale.is_dir() and stale != final:
            shutil.rmtree(stale)
    records = ensure_records(cache, "existing", count, feeds, workers, prep)
    building = final.with_name(final.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    shutil.rmtree(final, ignore_errors=True)
    _log(f"  prep: building a store with {count:,} records (Store.ingest, batches of {batch}) ...")
    start = time.perf_counter()
    store = Store.create(building, PASSPHRASE, KdfParams.interactive())
    try:
        done, step = 0, max(count // 10, 1)
        for chunk in _batches(read_records(records), batch):
            before = done
            done += _require_accepted(store.ingest(chunk))
            if done // step != before // step:
                elapsed = time.perf_counter() - start
                _log(f"    {done:,}/{count:,} ({done / elapsed:,.0f}/s)")
    finally:
        store.close()
    (building / COMPLETE).write_text(f"{count}\n", encoding="utf-8")
    os.replace(building, final)
    prep.add(f"build store with {count:,} records", time.perf_counter() - start)
    return final


# -- measurements ------------------------------------------------------------------------------


def bench_micro(raws: Sequence[bytes]) -> list[Row]:
    """Per-record CPU costs, one core: verify ceiling, parse, decode, check."""
    n = len(raws)
    parsed = [parse_record(raw) for raw in raws]
    messages = [(r.signature + SIGNING_DOMAIN + r.header_bytes, bytes(r.author)) for r in parsed]
    del parsed
    start = time.perf_counter()
    for message, key in messages:
        nacl.bindings.crypto_sign_open(message, key)
    verify = time.perf_counter() - start

    start = time.perf_counter()
    for raw in raws:
        parse_record(raw)
    parse = time.perf_counter() - start

    start = time.perf_counter()
    for raw in raws:
        decode_record(raw)
    decode = time.perf_counter() - start

    start = time.perf_counter()
    for raw in raws:
        check(raw)
    checked = time.perf_counter() - start
    return [
        _rate("verify", "Ed25519 verify only (crypto_sign_open)", n, verify, "ceiling"),
        _rate("parse", "parse_record (msgpack + canonical, no verify)", n, parse),
        _rate("decode", "decode_record (parse + verify)", n, decode),
        _rate("check", "ingest.check (decode + validate)", n, checked, "pre-lock part"),
    ]


@dataclass(frozen=True, slots=True)
class IngestRun:
    """Timings of one full ingest."""

    n: int
    seconds: float
    batch_seconds: list[float]
    close_seconds: float


def run_ingest(store: Store, raws: Sequence[bytes], batch: int) -> IngestRun:
    """Feed ``raws`` to ``store.ingest`` in batches, as sync would, then close the store."""
    batch_seconds: list[float] = []
    accepted = 0
    start = time.perf_counter()
    for i in range(0, len(raws), batch):
        t = time.perf_counter()
        accepted += _require_accepted(store.ingest(raws[i : i + batch]))
        batch_seconds.append(time.perf_counter() - t)
    seconds = time.perf_counter() - start
    t = time.perf_counter()
    store.close()
    return IngestRun(accepted, seconds, batch_seconds, time.perf_counter() - t)


def _ingest_rows(key: str, label: str, run: IngestRun, batch: int) -> list[Row]:
    ms = sorted(s * 1000 for s in run.batch_seconds)
    return [
        _rate(key, label, run.n, run.seconds, f"batches of {batch}"),
        Row(
            f"{key}_batch_p50",
            "  one batch, median",
            len(ms),
            None,
            statistics.median(ms),
            "ms",
        ),
        Row(f"{key}_batch_max", "  one batch, slowest", len(ms), None, ms[-1], "ms"),
        Row(
            f"{key}_close",
            "  close (WAL checkpoint)",
            1,
            run.close_seconds,
            run.close_seconds * 1000,
            "ms",
        ),
    ]


def _size_row(key: str, name: str, data_dir: Path, records: int) -> Row:
    size = _db_size(data_dir)
    return Row(key, name, records, None, size / (1 << 20), "MiB", f"{size / records:,.0f} B/record")


def time_opens(data_dir: Path, times: int) -> tuple[float, float]:
    """(median ms, total s) of ``times`` Store.open + close."""
    samples: list[float] = []
    for _ in range(times):
        start = time.perf_counter()
        store = Store.open(data_dir, PASSPHRASE)
        samples.append(time.perf_counter() - start)
        store.close()
    return statistics.median(samples) * 1000, sum(samples)


def _open_row(key: str, name: str, data_dir: Path, times: int) -> Row:
    median_ms, total = time_opens(data_dir, times)
    return Row(key, name, times, total, median_ms, "ms", "median")


# -- main --------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options (see ``--help``)."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--records", type=int, help=f"N new records (default {DEFAULT_RECORDS:,})")
    p.add_argument(
        "--existing", type=int, help=f"M records already stored (default {DEFAULT_EXISTING:,})"
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke run: N={QUICK_RECORDS:,}, M={QUICK_EXISTING:,}",
    )
    p.add_argument("--feeds", type=int, default=100, help="device feeds (one identity each)")
    p.add_argument("--batch", type=int, default=1000, help="records per Store.ingest call")
    p.add_argument("--sample", type=int, default=20_000, help="records for the per-record CPU rows")
    p.add_argument("--opens", type=int, default=3, help="Store.open repetitions (median)")
    p.add_argument("--workers", type=int, default=2, help="processes that sign records")
    p.add_argument(
        "--cache",
        default=str(Path("~/.cache/smd-bench")),
        help="cache directory (default ~/.cache/smd-bench)",
    )
    args = p.parse_args(argv)
    if args.records is None:
        args.records = QUICK_RECORDS if args.quick else DEFAULT_RECORDS
    if args.existing is None:
        args.existing = QUICK_EXISTING if args.quick else DEFAULT_EXISTING
    if args.records < 1 or args.existing < 1 or args.feeds < 1 or args.batch < 1:
        p.error("--records, --existing, --feeds and --batch must be positive")
    if args.opens < 1 or args.sample < 1 or args.workers < 1:
        p.error("--opens, --sample and --workers must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> list[Row]:
    """Run the benchmark, print the table, and return its rows."""
    args = parse_args(argv)
    n, m, batch = args.records, args.existing, args.batch
    cache = Path(args.cache).expanduser()
    cache.mkdir(parents=True, exist_ok=True)
    print("SMD ingest benchmark")
    print(_versions())
    print(
        f"N={n:,} new records over {len(feed_sizes(n, args.feeds))} feeds "
        f"(one identity each); M={m:,} existing; Store.ingest batches of {batch}; "
        f"cache {cache}"
    )
    print(
        "Note: wall-clock times; other processes (e.g. test suites) may run concurrently on "
        "this machine, compare the load averages.",
        flush=True,
    )

    prep = Prep()
    new_path = ensure_records(cache, "new", n, args.feeds, args.workers, prep)
    existing_dir = ensure_store(cache, m, args.feeds, batch, args.workers, prep)
    raws = list(read_records(new_path))

    rows: list[Row] = []
    _log("  measuring per-record costs ...")
    rows += bench_micro(raws[: args.sample])

    with tempfile.TemporaryDirectory(dir=cache, prefix="run-") as tmp_name:
        tmp = Path(tmp_name)

        _log(f"  measuring ingest of {n:,} records into a fresh store ...")
        fresh_dir = tmp / "fresh"
        run = run_ingest(Store.create(fresh_dir, PASSPHRASE, KdfParams.interactive()), raws, batch)
        rows += _ingest_rows("fresh", f"ingest {n:,} into a fresh store", run, batch)
        rows.append(_size_row("fresh_size", "  DB file size, fresh store", fresh_dir, n))
        shutil.rmtree(fresh_dir)

        start = time.perf_counter()
        big_dir = tmp / "existing"
        _copy_store(existing_dir, big_dir)
        prep.add(f"copy the cached {m:,}-record store", time.perf_counter() - start)
        existing_size = _size_row("existing_size", f"  DB file size, {m:,} records", big_dir, m)

        _log(f"  measuring unlock times (Store.open x{args.opens}) ...")
        unlock = [
            _open_row("open_big", f"open, interactive KDF, {m:,} records", big_dir, args.opens)
        ]

        _log(f"  measuring ingest of {n:,} records into the {m:,}-record store ...")
        run = run_ingest(Store.open(big_dir, PASSPHRASE), raws, batch)
        rows += _ingest_rows("existing", f"ingest {n:,} into a store of {m:,}", run, batch)
        rows.append(existing_size)
        rows.append(_size_row("after_size", f"  DB file size, {m + n:,} records", big_dir, m + n))
        unlock.append(
            _open_row(
                "open_after", f"open, interactive KDF, {m + n:,} records", big_dir, args.opens
            )
        )
        shutil.rmtree(big_dir)

        small = raws[: min(len(raws), 100)]
        for key, params, label in (
            ("open_moderate", KdfParams.moderate(), "moderate (default)"),
            ("open_interactive", KdfParams.interactive(), "interactive"),
        ):
            data_dir = tmp / key
            store = Store.create(data_dir, PASSPHRASE, params)
            _require_accepted(store.ingest(small))
            store.close()
            unlock.insert(
                len(unlock) - 2,
                _open_row(key, f"open, {label} KDF, {len(small)} records", data_dir, args.opens),
            )
        rows += unlock

    print()
    print("Preparation (not part of the rates below):")
    for what, seconds in prep.steps:
        print(f"  {what}: {seconds:.1f} s")
    print()
    print(format_table(rows))
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nload average at end: {load}", flush=True)
    return rows


if __name__ == "__main__":
    main()
