"""Helpers every benchmark shares: the result table, progress lines, preparation times, copies
of cached stores, percentiles and the machine description printed above a table.

Only the standard library is imported at module level: benchmark child processes import this
module too, and some of them (``bench/ui.py``'s app) measure their own start-up.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

COMPLETE = "complete"
"""The file that marks a cached directory as fully built (written last, before the rename)."""


# -- the table ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the result table."""

    key: str
    """Stable identifier (the smoke test checks every expected key is there)."""
    name: str
    n: int
    seconds: float | None
    value: float
    unit: str
    """``/s`` (a rate), ``ms`` (a latency) or ``MiB`` (a size)."""
    note: str = ""


def rate(key: str, name: str, n: int, seconds: float, note: str = "") -> Row:
    """A row of ``n`` things done in ``seconds``, as a rate."""
    return Row(key, name, n, seconds, n / seconds if seconds > 0 else float("inf"), "/s", note)


def _fmt_value(row: Row) -> str:
    if row.unit == "/s":
        return f"{row.value:,.0f} /s"
    if row.unit == "ms":
        return f"{row.value:,.1f} ms"
    return f"{row.value:,.1f} {row.unit}"


def format_table(rows: Sequence[Row]) -> str:
    """The rows as an aligned plain-text table."""
    head = ("measurement", "n", "seconds", "rate/s or ms", "")
    body = [
        (
            r.name,
            f"{r.n:,}",
            "" if r.seconds is None else f"{r.seconds:.3f}",
            _fmt_value(r),
            r.note,
        )
        for r in rows
    ]
    widths = [max(len(line[i]) for line in [head, *body]) for i in range(4)]
    lines = []
    for i, line in enumerate([head, *body]):
        text = (
            f"{line[0]:<{widths[0]}}  {line[1]:>{widths[1]}}  {line[2]:>{widths[2]}}  "
            f"{line[3]:>{widths[3]}}  {line[4]}"
        )
        lines.append(text.rstrip())
        if i == 0:
            lines.append("-" * (sum(widths) + 6))
    return "\n".join(lines)


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The nearest-rank percentile ``q`` (0-100) of already sorted values (NaN if none)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), -(-len(sorted_values) * q // 100)))
    return sorted_values[int(rank) - 1]


# -- output ------------------------------------------------------------------------------------


def log(message: str) -> None:
    """A progress line on stderr (the table goes to stdout)."""
    print(message, file=sys.stderr, flush=True)


def say(line: str) -> None:
    """A line on stdout, flushed: how a child process reports to its parent."""
    print(line, flush=True)


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, like ``"0.52 0.61 0.70"``."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def versions() -> str:
    """Python, SQLCipher, PyNaCl and msgpack versions, the cores and the load: the lines printed
    above a table."""
    import sqlcipher3

    conn = sqlcipher3.connect(":memory:")
    try:
        cipher = conn.execute("PRAGMA cipher_version").fetchone()
        sqlite = conn.execute("SELECT sqlite_version()").fetchone()[0]
    finally:
        conn.close()
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    return "\n".join(
        [
            f"Python {platform.python_version()} ({platform.python_implementation()}) on "
            f"{platform.platform()}",
            f"sqlcipher3 {importlib.metadata.version('sqlcipher3')}, "
            f"SQLCipher {cipher[0] if cipher else '?'}, SQLite {sqlite}; "
            f"PyNaCl {importlib.metadata.version('pynacl')}; "
            f"msgpack {importlib.metadata.version('msgpack')}",
            f"cores: {os.cpu_count()} (usable: {affinity}); load average at start: "
            f"{load_average()}",
        ]
    )


# -- preparation and caches --------------------------------------------------------------------


@dataclass
class Prep:
    """Preparation steps and their durations (kept out of the table's rates)."""

    steps: list[tuple[str, float]] = field(default_factory=list)

    def add(self, what: str, seconds: float) -> None:
        """Record a step and print it as progress."""
        self.steps.append((what, seconds))
        log(f"  prep: {what}: {seconds:.1f} s")

    def report(self) -> None:
        """Print the steps (apart from the table)."""
        print("Preparation (not part of the table):")
        for what, seconds in self.steps:
            print(f"  {what}: {seconds:.1f} s")


def copy_store(source: Path, target: Path) -> None:
    """Copy a cached profile's store files into the new directory ``target`` (runs work on
    copies, so the cache stays as built)."""
    from smd_desktop.core.store import DB_NAME, HEADER_NAME

    target.mkdir(parents=True)
    for name in (DB_NAME, DB_NAME + "-wal", HEADER_NAME):
        if (source / name).exists():
            shutil.copyfile(source / name, target / name)
