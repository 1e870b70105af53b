"""``python -m smd_desktop``: the desktop app (the ``smd`` command is the command line)."""

import sys

from .app import main

sys.exit(main())
