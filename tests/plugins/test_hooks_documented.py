"""Every hook (core and desktop) has a docstring and is explained in docs/PLUGINS.md, and the
example plugin of the docs implements only hooks that exist."""

from __future__ import annotations

import inspect
from pathlib import Path

from smd_desktop.core.plugins import _spec
from smd_desktop.ui import plugin_api

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "PLUGINS.md").read_text()


def hooks(module: object) -> dict[str, object]:
    return {n: f for n, f in vars(module).items() if n.startswith("smd_") and callable(f)}


def test_every_hook_is_documented() -> None:
    found = {**hooks(_spec), **hooks(plugin_api)}
    assert len(found) == 14
    for name, function in found.items():
        assert inspect.getdoc(function), f"{name} has no docstring"
        assert f"`{name}" in DOCS, f"{name} is not in docs/PLUGINS.md"
