"""``smd node`` as real processes: two nodes converge, a post from a third process spreads,
one node per data dir, clean stop on signals."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from smd_desktop.core.ids import IdentityKey, parse_identity

from .support import SMD_BIN, Who, new_profile, open_profile

LOOPBACK = "/ip4/127.0.0.1/tcp/0"


class NodeProcess:
    """A running ``smd node`` whose stdout lines can be awaited with a timeout."""

    def __init__(self, data_dir: Path, *args: str) -> None:
        self.proc = subprocess.Popen(
            # no mDNS: tests send nothing beyond the loopback interface
            [
                str(SMD_BIN),
                "--data-dir",
                str(data_dir),
                "node",
                "--no-mdns",
                "--listen",
                LOOPBACK,
                *list(args),
            ],
            env=dict(os.environ),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, prefix: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.seen.append(line)
            if line.startswith(prefix):
                return line
        raise AssertionError(f"no line starting with {prefix!r}; saw {self.seen}")

    def stop(self) -> tuple[int, float]:
        start = time.monotonic()
        self.proc.send_signal(signal.SIGINT)
        code = self.proc.wait(timeout=10)
        return code, time.monotonic() - start


@contextmanager
def node(data_dir: Path, *args: str) -> Iterator[NodeProcess]:
    process = NodeProcess(data_dir, *args)
    try:
        yield process
    finally:
        if process.proc.poll() is None:
            process.proc.kill()
            process.proc.wait()


def smd(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SMD_BIN), "--data-dir", str(data_dir), *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def feed_texts(data_dir: Path) -> list[str]:
    result = smd(data_dir, "feed", "--json", "--limit", "100")
    assert result.returncode == 0, result.stderr
    return sorted(p["text"] for p in json.loads(result.stdout))


def befriend(a: Who, b: Who) -> None:
    for me, other in ((a, b), (b, a)):
        profile = open_profile(me.data_dir)
        try:
            profile.follow(_identity(other))
        finally:
            profile.close()


def _identity(who: Who) -> IdentityKey:
    return parse_identity(who.id)


def test_two_node_processes_converge_and_spread_a_post_made_by_a_third(tmp_path: Path) -> None:
    ada, bo = new_profile(tmp_path / "ada", "Ada"), new_profile(tmp_path / "bo", "Bo")
    befriend(ada, bo)
    assert smd(ada.data_dir, "post", "before the nodes started").returncode == 0

    with node(ada.data_dir) as a:
        address = a.wait_for("listening on ").removeprefix("listening on ")
        assert address.endswith(f"/p2p/{ada.peer_id}")
        with node(bo.data_dir, "--peer", address) as b:
            b.wait_for("listening on ")
            b.wait_for("synced with")
            assert feed_texts(bo.data_dir) == ["before the nodes started"]

            # a second node on the same data dir is refused
            second = smd(bo.data_dir, "node", "--listen", LOOPBACK)
            assert second.returncode == 1
            assert second.stderr == f"smd: another SMD node is already running on {bo.data_dir}\n"

            # a post written by another process while the nodes run reaches the other side
            posted = time.monotonic()
            assert smd(bo.data_dir, "post", "live").returncode == 0
            deadline = posted + 10
            while "live" not in feed_texts(ada.data_dir):
                assert time.monotonic() < deadline, "the post never arrived"
            assert feed_texts(ada.data_dir) == ["before the nodes started", "live"]

            code, took = b.stop()
            assert code == 0
            assert took < 2.0
        code, took = a.stop()
        assert (code, took < 2.0) == (0, True)


def test_bad_network_input_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    ada = new_profile(tmp_path / "ada", "Ada")

    invite = smd(ada.data_dir, "invite", "--address", "/ip4/127.0.0.1/tcp/0")
    assert (invite.returncode, invite.stdout) == (1, "")
    assert invite.stderr == "smd: '/ip4/127.0.0.1/tcp/0' has port 0, which nobody can dial\n"

    listen = smd(ada.data_dir, "node", "--no-mdns", "--listen", "garbage")
    assert listen.returncode == 1
    assert listen.stderr.startswith("smd: 'garbage' is not a valid multiaddr")
    assert listen.stderr.count("\n") == 1 and "Traceback" not in listen.stderr
