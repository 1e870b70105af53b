"""A spin box for the node's listen port that also says "automatic"."""

from __future__ import annotations

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QSpinBox, QWidget

from .i18n import QT_TRANSLATE_NOOP

AUTOMATIC = 0
"""The box's value for "no fixed port": the network picks a free one (and keeps it)."""
AUTOMATIC_TEXT = QT_TRANSLATE_NOOP("PortSpinBox", "automatic")
"""What the box shows for :data:`AUTOMATIC` (English; shown translated)."""
MIN_PORT, MAX_PORT = 1024, 65535
"""Ports a user may choose: below 1024 needs administrator rights on most systems."""


class PortSpinBox(QSpinBox):
    """``automatic`` (value :data:`AUTOMATIC`) or a port from :data:`MIN_PORT` to
    :data:`MAX_PORT`. The ports in between can be neither typed nor stepped to: stepping up
    from ``automatic`` gives :data:`MIN_PORT`, stepping down from :data:`MIN_PORT` gives
    ``automatic``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(AUTOMATIC, MAX_PORT)
        self.setSpecialValueText(self.tr(AUTOMATIC_TEXT))

    def port(self) -> int | None:
        """The chosen port, None for automatic."""
        value = self.value()
        return None if value == AUTOMATIC else value

    def set_port(self, port: int | None) -> None:
        """Show ``port`` (None: automatic)."""
        self.setValue(AUTOMATIC if port is None else port)

    def stepBy(self, steps: int) -> None:  # noqa: N802 (Qt override)
        """Step over the ports below :data:`MIN_PORT`."""
        value = self.value()
        if value == AUTOMATIC and steps > 0:
            self.setValue(MIN_PORT + steps - 1)
        elif value != AUTOMATIC and value + steps < MIN_PORT:
            self.setValue(AUTOMATIC)
        else:
            super().stepBy(steps)

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        """Like QSpinBox, but a number below :data:`MIN_PORT` is only on its way to a port
        (a digit more may follow); left as it is, the box goes back to its last value."""
        state, fixed, cursor = super().validate(text, pos)
        number = int(fixed) if fixed.strip().isdigit() else AUTOMATIC
        if state == QValidator.State.Acceptable and AUTOMATIC < number < MIN_PORT:
            return (QValidator.State.Intermediate, fixed, cursor)
        return (state, fixed, cursor)
