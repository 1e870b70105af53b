"""The encrypted local store (SQLCipher 4) and what it answers."""

from .db import DB_NAME, HEADER_NAME, profile_exists
from .ingest import IngestResult, Outcome
from .queries import BlobRef, DeviceView, ForkView, PostView, ProfileView
from .store import Store, now_ms

__all__ = [
    "DB_NAME",
    "HEADER_NAME",
    "BlobRef",
    "DeviceView",
    "ForkView",
    "IngestResult",
    "Outcome",
    "PostView",
    "ProfileView",
    "Store",
    "now_ms",
    "profile_exists",
]
