"""Tests of the References Directory plugin."""
