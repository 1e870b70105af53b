"""An example SMD plugin: a reading list, signed in your feed, shown to your friends.

``plugin.py`` is the headless part (record type, table, indexing, search, ``smd books``);
``qt.py`` is the desktop page. See docs/PLUGINS.md in the SMD repository.
"""
