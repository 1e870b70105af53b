"""PyInstaller entry point of the bundled ``smd`` command line (console)."""

import sys

from smd_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
