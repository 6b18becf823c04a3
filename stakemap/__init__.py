"""The ``stakemap`` command: the top layer over graphmodel, ingest and dashboard."""
