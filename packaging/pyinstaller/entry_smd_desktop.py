"""PyInstaller entry point of the bundled ``smd-desktop`` app (gui).

``SMD_SMOKE_FIRST_WINDOW=1`` arms the smoke hook (``smoke_hook.py``) that
``scripts/smoke-bundle`` uses to drive the real bundled app to its first window and close it
cleanly; without the variable the app runs untouched.
"""

import os
import sys

if __name__ == "__main__":
    if os.environ.get("SMD_SMOKE_FIRST_WINDOW"):
        import smoke_hook

        smoke_hook.install()

    from smd_desktop.app import main

    sys.exit(main())
