"""The PySide6 desktop UI: widgets, item models and the Qt side of the Trio bridge.

Talks to the core facade only (never to ``p2p``). Built in the desktop-app issue.
"""
