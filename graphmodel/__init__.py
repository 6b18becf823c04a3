"""Stakemap's core: kinds, models, ids, errors, settings, stores, analysis, export, figures and reports.

The bottom layer: it imports none of ingest, dashboard or stakemap. Inside it, analysis and export read
the map through the store contract (``graphmodel.store.contract``), never a backend's insides; the
record <-> property mapping both the Neo4j store and the Cypher export use sits in a neutral module, as do
the figures (``graphmodel.figures``) and the free-text rule (``graphmodel.free_text``) the dashboard and
reports (``graphmodel.report``) share."""

__version__ = "0.1.0"
