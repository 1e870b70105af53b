"""Running a plugin's SQL scripts statement by statement (triggers contain ``;``)."""

from __future__ import annotations

import sqlcipher3

from ..store.db import Connection


def statements(script: str) -> list[str]:
    """The complete SQL statements of ``script``, in order (a trailing fragment is an error)."""
    result: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlcipher3.complete_statement(current):
            if current.strip().strip(";").strip():
                result.append(current.strip())
            current = ""
    if current.strip():
        raise ValueError(f"incomplete SQL statement: {current.strip()[:80]!r}")
    return result


def schema_names(conn: Connection) -> set[str]:
    """Names of every table, index, trigger and view in the database."""
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
