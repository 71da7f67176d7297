"""foretell: a static-site generator for prediction articles."""

__version__ = "0.1.0"
