"""Gossip benchmark: delivery ratio and latency of p2p.gossip between real hosts on 127.0.0.1.

Run from the repository root::

    .venv/bin/python bench/gossip.py                      # 5 nodes, 20 posts/s for 30 s
    .venv/bin/python bench/gossip.py --seconds 5          # a quick run
    .venv/bin/python bench/gossip.py --in-process         # every node in this one process

Each node is a host + :class:`p2p.gossip.Gossip` in its own process (``--in-process``: all in
one Trio run, which shares one core and one GIL between them), connected in a full mesh. Each
node posts into its own group (the group key is its signing key, as an identity's is), and every
node subscribes to every group. Together the nodes offer ``--rate`` records per second for
``--seconds`` seconds, evenly spaced and interleaved. A record is ``--size`` bytes (default 300):
a header (publisher, seq, publish time), padding, and an Ed25519 signature over the rest; every
receiver's validator verifies it with PyNaCl (~80 us, as the app's record check), and the message
id is its BLAKE2b-256 hash.

Latency runs from just before :meth:`Gossip.publish` (the record is stamped and signed there) to
the receiver's ``on_record`` call, on ``time.monotonic_ns()``, which is one system-wide clock on
Linux, so it compares across processes on one machine. After the last post every receiver waits
up to ``--drain`` seconds for stragglers; the nodes stop only once every receiver is done, so a
forwarder never leaves early.

Targets (issue 3): 100 % delivered, p50 < 50 ms, p99 < 250 ms. Wall-clock numbers: other
processes running at the same time skew them; the output shows the core count and load average.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import multiprocessing
import os
import platform
import struct
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol

import nacl.exceptions
import nacl.signing
import trio

from p2p.gossip import Gossip, GossipConfig, open_gossip
from p2p.host import open_host
from p2p.logging_setup import route_libp2p_logging

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python bench/gossip.py`: bench/ is not installed
    sys.path.insert(0, str(ROOT))

from bench.common import percentile  # noqa: E402

LOOPBACK = "/ip4/127.0.0.1/tcp/0"
HEADER = struct.Struct(">HIQ")  # publisher index, seq, publish time (monotonic ns)
SIGNATURE_SIZE = 64
MIN_SIZE = HEADER.size + SIGNATURE_SIZE
START_DELAY = 0.5
"""Seconds between the start signal and the first post, so every node is waiting for it."""
SETUP_TIMEOUT = 30.0

TARGET_RATIO = 1.0
TARGET_P50_MS = 50.0
TARGET_P99_MS = 250.0


# -- records -----------------------------------------------------------------------------------


def signer(index: int) -> nacl.signing.SigningKey:
    """The signing key of node ``index``; its public key is the node's group."""
    return nacl.signing.SigningKey(hashlib.blake2b(b"smd gossip bench %d" % index).digest()[:32])


def group_of(index: int) -> bytes:
    return bytes(signer(index).verify_key)


def make_record(key: nacl.signing.SigningKey, index: int, seq: int, size: int) -> bytes:
    """A signed record of ``size`` bytes stamped with the current monotonic time."""
    header = HEADER.pack(index, seq, time.monotonic_ns())
    body = header + os.urandom(size - SIGNATURE_SIZE - HEADER.size)
    return body + key.sign(body).signature


def validate(group: bytes, record: bytes) -> bool:
    """The app-like check: the group's key signed the record's body (an Ed25519 verify)."""
    if len(record) < MIN_SIZE:
        return False
    body, signature = record[:-SIGNATURE_SIZE], record[-SIGNATURE_SIZE:]
    try:
        nacl.signing.VerifyKey(group).verify(body, signature)
    except nacl.exceptions.BadSignatureError:
        return False
    return True


def record_id(record: bytes) -> bytes:
    return hashlib.blake2b(record, digest_size=32).digest()


# -- one node ----------------------------------------------------------------------------------


class Control(Protocol):
    """The node's line to the orchestrator: a pipe (process) or a memory channel pair."""

    async def send(self, message: tuple[Any, ...]) -> None: ...

    async def receive(self) -> tuple[Any, ...]: ...


@dataclass(frozen=True, slots=True)
class Plan:
    nodes: int
    rate: float
    seconds: float
    size: int
    drain: float

    @property
    def total(self) -> int:
        return round(self.rate * self.seconds)

    def posts_of(self, index: int) -> list[int]:
        """The global post numbers node ``index`` makes (round robin), in order."""
        return list(range(index, self.total, self.nodes))


@dataclass
class NodeResult:
    index: int
    peer_id: str
    posted: int = 0
    expected: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    duplicates: int = 0
    rejected: int = 0
    congested: int = 0
    setup_s: float = 0.0


async def run_node(index: int, plan: Plan, control: Control) -> None:
    """Run node ``index`` through the orchestrator's steps: addr, peers, ready, start, stop."""
    setup_started = time.monotonic()
    key = signer(index)
    groups = [group_of(i) for i in range(plan.nodes)]
    result = NodeResult(index, "")
    seen: set[tuple[int, int]] = set()
    expected = sum(len(plan.posts_of(i)) for i in range(plan.nodes) if i != index)
    result.expected = expected
    done = trio.Event()

    def on_record(group: bytes, record: bytes, from_peer: str) -> None:
        now = time.monotonic_ns()
        publisher, seq, stamp = HEADER.unpack_from(record)
        if (publisher, seq) in seen:
            result.duplicates += 1
            return
        seen.add((publisher, seq))
        result.latencies_ms.append((now - stamp) / 1e6)
        if len(seen) >= expected:
            done.set()

    async with (
        open_host(os.urandom(32), [LOOPBACK], dial_timeout=SETUP_TIMEOUT) as host,
        open_gossip(
            host, validate=validate, message_id=record_id, on_record=on_record, groups=groups
        ) as gossip,
    ):
        result.peer_id = host.peer_id
        await control.send(("addr", host.listen_addrs[0]))
        _, addrs = await control.receive()
        for address in addrs[index + 1 :]:
            await host.connect(address)
        others = {a.rsplit("/p2p/", 1)[1] for i, a in enumerate(addrs) if i != index}
        with trio.fail_after(SETUP_TIMEOUT):
            while not all(others <= gossip.mesh_peers(group) for group in groups):
                await trio.sleep(0.01)
        result.setup_s = time.monotonic() - setup_started
        await control.send(("ready",))
        _, start_ns = await control.receive()
        await _post(gossip, key, index, plan, start_ns, result)
        with trio.move_on_after(plan.drain):
            if expected:
                await done.wait()
        stats = gossip.stats
        result.rejected, result.congested = stats.rejected, stats.congested
        await control.send(("result", result))
        await control.receive()  # "stop": everyone is done receiving


async def _post(
    gossip: Gossip,
    key: nacl.signing.SigningKey,
    index: int,
    plan: Plan,
    start_ns: int,
    result: NodeResult,
) -> None:
    group = group_of(index)
    interval_ns = 1e9 / plan.rate
    for seq, number in enumerate(plan.posts_of(index)):
        due = start_ns + number * interval_ns
        delay = (due - time.monotonic_ns()) / 1e9
        if delay > 0:
            await trio.sleep(delay)
        await gossip.publish(group, make_record(key, index, seq, plan.size))
        result.posted += 1


# -- orchestration -----------------------------------------------------------------------------


async def orchestrate(controls: Sequence[Control], plan: Plan) -> list[NodeResult]:
    """Drive every node through setup, the timed run and shutdown; return their results."""
    with trio.fail_after(SETUP_TIMEOUT):
        addrs = [(await c.receive())[1] for c in controls]
        for c in controls:
            await c.send(("peers", addrs))
        for c in controls:
            await c.receive()  # ready
    start_ns = time.monotonic_ns() + int(START_DELAY * 1e9)
    for c in controls:
        await c.send(("start", start_ns))
    results = [(await c.receive())[1] for c in controls]
    for c in controls:
        await c.send(("stop",))
    return results


class ChannelControl:
    def __init__(
        self,
        send: trio.MemorySendChannel[tuple[Any, ...]],
        receive: trio.MemoryReceiveChannel[tuple[Any, ...]],
    ) -> None:
        self._send, self._receive = send, receive

    async def send(self, message: tuple[Any, ...]) -> None:
        await self._send.send(message)

    async def receive(self) -> tuple[Any, ...]:
        return await self._receive.receive()


class PipeControl:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    async def send(self, message: tuple[Any, ...]) -> None:
        self._connection.send(message)  # small messages: the pipe buffer takes them at once
        await trio.lowlevel.checkpoint()

    async def receive(self) -> tuple[Any, ...]:
        while not self._connection.poll():
            await trio.lowlevel.wait_readable(self._connection.fileno())
        message: tuple[Any, ...] = self._connection.recv()
        return message


def _pair() -> tuple[ChannelControl, ChannelControl]:
    to_node, from_orchestrator = trio.open_memory_channel[tuple[Any, ...]](10)
    to_orchestrator, from_node = trio.open_memory_channel[tuple[Any, ...]](10)
    return ChannelControl(to_node, from_node), ChannelControl(to_orchestrator, from_orchestrator)


async def run_in_process(plan: Plan) -> list[NodeResult]:
    pairs = [_pair() for _ in range(plan.nodes)]
    async with trio.open_nursery() as nursery:
        for index, (_, node_side) in enumerate(pairs):
            nursery.start_soon(run_node, index, plan, node_side)
        return await orchestrate([orchestrator_side for orchestrator_side, _ in pairs], plan)


def _node_process(index: int, plan: Plan, connection: Connection) -> None:
    _quiet_logging()
    trio.run(run_node, index, plan, PipeControl(connection))


def run_processes(plan: Plan) -> list[NodeResult]:
    context = multiprocessing.get_context("spawn")
    pipes = [context.Pipe() for _ in range(plan.nodes)]
    processes = [
        context.Process(target=_node_process, args=(i, plan, child), daemon=True)
        for i, (_, child) in enumerate(pipes)
    ]
    for process in processes:
        process.start()
    try:
        controls = [PipeControl(parent) for parent, _ in pipes]
        return trio.run(orchestrate, controls, plan)
    finally:
        for process in processes:
            process.join(timeout=15)
            if process.is_alive():
                process.kill()


# -- report ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Summary:
    offered: int
    delivered: int
    expected: int
    p50: float
    p95: float
    p99: float
    max: float

    @property
    def ratio(self) -> float:
        return self.delivered / self.expected if self.expected else 1.0

    @property
    def passed(self) -> bool:
        return self.ratio >= TARGET_RATIO and self.p50 < TARGET_P50_MS and self.p99 < TARGET_P99_MS


def summarize(results: Sequence[NodeResult]) -> Summary:
    latencies = sorted(x for r in results for x in r.latencies_ms)
    return Summary(
        offered=sum(r.posted for r in results),
        delivered=len(latencies),
        expected=sum(r.expected for r in results),
        p50=percentile(latencies, 50),
        p95=percentile(latencies, 95),
        p99=percentile(latencies, 99),
        max=latencies[-1] if latencies else float("nan"),
    )


def format_report(results: Sequence[NodeResult], plan: Plan, mode: str) -> str:
    summary = summarize(results)
    lines = [
        f"{plan.nodes} nodes ({mode}), full mesh, {plan.rate:g} posts/s in total for "
        f"{plan.seconds:g} s, {plan.size}-byte records (Ed25519-verified by every receiver)",
        f"offered: {summary.offered} records; each goes to {plan.nodes - 1} receivers: "
        f"{summary.expected} deliveries expected",
        "",
        f"{'receiver':<10} {'delivered':>11} {'ratio':>8} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'max ms':>8} {'dups':>5} {'rejected':>8} {'congested':>9}",
    ]
    for r in results:
        lat = sorted(r.latencies_ms)
        ratio = len(lat) / r.expected if r.expected else 1.0
        lines.append(
            f"{'node ' + str(r.index):<10} {f'{len(lat)}/{r.expected}':>11} {ratio:>8.1%} "
            f"{percentile(lat, 50):>8.1f} {percentile(lat, 95):>8.1f} {percentile(lat, 99):>8.1f} "
            f"{(lat[-1] if lat else float('nan')):>8.1f} {r.duplicates:>5} {r.rejected:>8} "
            f"{r.congested:>9}"
        )
    lines.append(
        f"{'overall':<10} {f'{summary.delivered}/{summary.expected}':>11} {summary.ratio:>8.1%} "
        f"{summary.p50:>8.1f} {summary.p95:>8.1f} {summary.p99:>8.1f} {summary.max:>8.1f}"
    )
    verdict = "PASS" if summary.passed else "FAIL"
    lines += [
        "",
        f"targets: {TARGET_RATIO:.0%} delivered, p50 < {TARGET_P50_MS:g} ms, "
        f"p99 < {TARGET_P99_MS:g} ms: {verdict}",
    ]
    return "\n".join(lines)


# -- entry point -------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    p.add_argument("--nodes", type=int, default=5, help="hosts in the full mesh (default 5)")
    p.add_argument("--rate", type=float, default=20.0, help="posts/s, all nodes together")
    p.add_argument("--seconds", type=float, default=30.0, help="how long posts are offered")
    p.add_argument("--size", type=int, default=300, help="record size in bytes (default 300)")
    p.add_argument("--drain", type=float, default=10.0, help="seconds to wait for stragglers")
    p.add_argument(
        "--in-process", action="store_true", help="run every node in this process (one core)"
    )
    args = p.parse_args(argv)
    if args.nodes < 2:
        p.error("--nodes must be at least 2")
    if args.rate <= 0 or args.seconds <= 0 or args.drain < 0:
        p.error("--rate and --seconds must be positive, --drain not negative")
    if not MIN_SIZE <= args.size <= GossipConfig().max_record_size:
        p.error(f"--size must be between {MIN_SIZE} and {GossipConfig().max_record_size}")
    return args


def _quiet_logging() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    route_libp2p_logging(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> Summary:
    """Run the benchmark, print the table, and return the overall summary."""
    args = parse_args(argv)
    plan = Plan(args.nodes, args.rate, args.seconds, args.size, args.drain)
    _quiet_logging()
    mode = "one process" if args.in_process else "one process each"
    print("SMD gossip benchmark")
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} cores, load average "
        + " ".join(f"{x:.2f}" for x in os.getloadavg()),
        flush=True,
    )
    runner: Callable[[Plan], list[NodeResult]] = (
        (lambda p: trio.run(run_in_process, p)) if args.in_process else run_processes
    )
    results = sorted(runner(plan), key=lambda r: r.index)
    print(format_report(results, plan, mode))
    setup = max(r.setup_s for r in results)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"setup (hosts, gossip, mesh): {setup:.1f} s; load average at end: {load}", flush=True)
    return summarize(results)


if __name__ == "__main__":
    sys.exit(0 if main().passed else 1)
