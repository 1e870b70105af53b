"""SMD desktop: a peer-to-peer social app with signed feeds and an encrypted local store."""

__version__ = "0.1.0"
