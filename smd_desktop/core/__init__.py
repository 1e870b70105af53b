"""SMD's domain core: identity, records, feeds, the encrypted store, the social graph.

Imports neither Qt nor libp2p (an import-linter contract enforces it), so the CLI, the desktop
UI, the p2p node and plugins all build on the same code.
"""
