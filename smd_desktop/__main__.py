"""``python -m smd_desktop``: the app's entry point (the terminal flow until the window exists)."""

import sys

from .cli import main

sys.exit(main())
