"""Reading the formats users already have into Stakemap's model.

One module per format (a reader), the shared record building (:mod:`.records`), entity resolution
(:mod:`.resolution`, with the keys in :mod:`.matchkeys` and the tests of sameness in :mod:`.sameness`)
and the reconciliation ledger (:mod:`.ledger`). It imports graphmodel only; never dashboard or stakemap.

:func:`ingest.run.run_ingest` is the entry point; :mod:`ingest.formats` lists the readers.
"""
