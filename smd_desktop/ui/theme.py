"""Light and dark palettes, and following the platform's colour scheme.

The choice ("system", "light" or "dark") is kept in QSettings under :data:`THEME_KEY`. Explicit
choices set our own palette (so every style looks the same) and tell the platform the scheme
(native title bars follow it where Qt supports that). "system" follows
``QStyleHints.colorScheme()`` and re-applies when the platform switches.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

THEME_KEY = "ui/theme"
"""QSettings key of the theme choice."""

THEMES = ("system", "light", "dark")
"""The choices, in the order the settings page lists them."""

DEFAULT_THEME = "system"

_Role = QPalette.ColorRole
_Group = QPalette.ColorGroup


def saved_theme(settings: QSettings | None = None) -> str:
    """The stored theme choice; :data:`DEFAULT_THEME` when unset or unknown."""
    value = (settings or QSettings()).value(THEME_KEY, DEFAULT_THEME)
    return value if isinstance(value, str) and value in THEMES else DEFAULT_THEME


def _palette(
    colors: dict[QPalette.ColorRole, str], disabled: dict[QPalette.ColorRole, str]
) -> QPalette:
    palette = QPalette()
    for role, color in colors.items():
        palette.setColor(role, QColor(color))
    for role, color in disabled.items():
        palette.setColor(_Group.Disabled, role, QColor(color))
    return palette


def dark_palette() -> QPalette:
    """A dark palette (light text on dark grey, blue highlight)."""
    return _palette(
        {
            _Role.Window: "#202124",
            _Role.WindowText: "#e8eaed",
            _Role.Base: "#17181a",
            _Role.AlternateBase: "#2a2b2e",
            _Role.ToolTipBase: "#2a2b2e",
            _Role.ToolTipText: "#e8eaed",
            _Role.PlaceholderText: "#9aa0a6",
            _Role.Text: "#e8eaed",
            _Role.Button: "#2d2e31",
            _Role.ButtonText: "#e8eaed",
            _Role.BrightText: "#ff6b6b",
            _Role.Light: "#3c3d40",
            _Role.Midlight: "#333437",
            _Role.Mid: "#26272a",
            _Role.Dark: "#121314",
            _Role.Shadow: "#000000",
            _Role.Highlight: "#3d7bd9",
            _Role.HighlightedText: "#ffffff",
            _Role.Link: "#8ab4f8",
            _Role.LinkVisited: "#c58af9",
        },
        {
            _Role.WindowText: "#7c7f84",
            _Role.Text: "#7c7f84",
            _Role.ButtonText: "#7c7f84",
            _Role.Highlight: "#44464a",
            _Role.HighlightedText: "#9aa0a6",
        },
    )


def light_palette() -> QPalette:
    """A light palette (dark text on near-white, blue highlight)."""
    return _palette(
        {
            _Role.Window: "#f3f3f3",
            _Role.WindowText: "#1f1f1f",
            _Role.Base: "#ffffff",
            _Role.AlternateBase: "#f5f7fa",
            _Role.ToolTipBase: "#ffffdc",
            _Role.ToolTipText: "#1f1f1f",
            _Role.PlaceholderText: "#6b6b6b",
            _Role.Text: "#1f1f1f",
            _Role.Button: "#f0f0f0",
            _Role.ButtonText: "#1f1f1f",
            _Role.BrightText: "#d50000",
            _Role.Light: "#ffffff",
            _Role.Midlight: "#e3e3e3",
            _Role.Mid: "#a0a0a0",
            _Role.Dark: "#8a8a8a",
            _Role.Shadow: "#2b2b2b",
            _Role.Highlight: "#2f6fd1",
            _Role.HighlightedText: "#ffffff",
            _Role.Link: "#1a56b8",
            _Role.LinkVisited: "#7a2fb8",
        },
        {
            _Role.WindowText: "#9e9e9e",
            _Role.Text: "#9e9e9e",
            _Role.ButtonText: "#9e9e9e",
            _Role.Highlight: "#d0d0d0",
            _Role.HighlightedText: "#6b6b6b",
        },
    )


class _SystemFollower(QObject):
    """Re-applies the "system" theme when the platform's colour scheme changes."""

    def __init__(self, app: QGuiApplication) -> None:
        super().__init__(app)
        self.app = app
        self.choice = DEFAULT_THEME
        # What the style drew with before we set any palette: "system" uses it where the
        # platform does not report a scheme (older desktops, offscreen).
        self.original = QPalette(app.palette())
        app.styleHints().colorSchemeChanged.connect(self._scheme_changed)

    def _scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self.choice == "system":
            self.app.setPalette(self.system_palette())

    def system_palette(self) -> QPalette:
        """Our palette for the platform's scheme; the original one if it reports none."""
        scheme = self.app.styleHints().colorScheme()
        if scheme == Qt.ColorScheme.Dark:
            return dark_palette()
        if scheme == Qt.ColorScheme.Light:
            return light_palette()
        return QPalette(self.original)


def _follower(app: QGuiApplication) -> _SystemFollower:
    found = app.findChild(_SystemFollower)
    return found if isinstance(found, _SystemFollower) else _SystemFollower(app)


def apply_theme(app: QGuiApplication, choice: str) -> None:
    """Apply ``choice`` ("system", "light" or "dark") to the whole application.

    Raises:
        ValueError: ``choice`` is not one of :data:`THEMES`.
    """
    if choice not in THEMES:
        raise ValueError(f"unknown theme {choice!r} (use one of {', '.join(THEMES)})")
    follower = _follower(app)
    follower.choice = choice
    hints = app.styleHints()
    # The vista style draws with native theme parts and ignores most palette roles.
    style = getattr(app, "style", None)
    if choice != "system" and style is not None and style().name().lower() == "windowsvista":
        app.setStyle("Fusion")  # type: ignore[attr-defined]
    if choice == "system":
        hints.unsetColorScheme()
        app.setPalette(follower.system_palette())
    elif choice == "dark":
        hints.setColorScheme(Qt.ColorScheme.Dark)
        app.setPalette(dark_palette())
    else:
        hints.setColorScheme(Qt.ColorScheme.Light)
        app.setPalette(light_palette())


def is_dark(palette: QPalette) -> bool:
    """Whether ``palette`` draws light text on a dark window."""
    return palette.color(_Role.Window).lightness() < palette.color(_Role.WindowText).lightness()
