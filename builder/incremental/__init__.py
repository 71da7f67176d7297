"""Cheaper ways to the same bytes: the up-to-date check, the build cache, page keys, the
shortcut for prediction files edited in a body, display, forecast or terms edit
(shortcut.py), and the full incremental build."""
