"""Peer-to-peer replication of signed logs over libp2p (host, gossip, sync, blobs).

Knows logs of signed bytes, not social semantics; talks to storage through a small interface of
its own that the app implements with the core. Built in issue 3.
"""
