"""Helpers shared by the UI tests (the shared ones live in smd_desktop.ui.testing)."""

from smd_desktop.ui.testing import in_core

__all__ = ["in_core"]
