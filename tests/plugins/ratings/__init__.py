"""Tests of the Ratings plugin (so far: the reputation engine)."""
