"""Curation: what people decide about the map, kept in the store and applied by every later ingest.

Judgements on pairs of records (same, different, unsure), the review queue of
what an ingest could not decide alone, edits with their sources (an origin of
their own), and each actor's history with the revert of one change. Built on
the store contract only (its documents, origin batches, versions and history):
never a backend, ingest or the dashboard.
"""
