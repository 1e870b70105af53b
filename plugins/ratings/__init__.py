"""The Ratings plugin: deals, signed ratings, imported platform ratings and a local web-of-trust
reputation computed from each viewer's own seat (issue 6, docs/RATINGS.md).

So far only the headless reputation engine exists (:mod:`plugins.ratings.core`); the record
types, the index, the hooks and the UI come in later sessions.
"""
