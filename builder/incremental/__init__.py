"""Cheaper ways to the same bytes: the up-to-date check, the build cache, page keys, the
body-edit shortcut and the full incremental build."""
