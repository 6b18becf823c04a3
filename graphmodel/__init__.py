"""Stakemap's core: kinds, models, ids, errors, settings, stores, analysis and export."""

__version__ = "0.1.0"
