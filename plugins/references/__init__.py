"""The References Directory: a creator's signed list of the products and services they use.

Each entry is a ``references/entry/1`` record (title, canonical URL, disclosures, affiliate
links kept apart, ...); ``references/endorse/1`` records vouch for another author's entry. The
headless part lives in :mod:`plugins.references.core`; :mod:`plugins.references.plugin` holds the
hook implementations registered under the ``smd.plugins`` entry point.
"""
