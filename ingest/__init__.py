"""Reading the formats users already have into Stakemap's model.

:func:`ingest.run.run_ingest` is the entry point; :mod:`ingest.formats` lists the readers.
"""
