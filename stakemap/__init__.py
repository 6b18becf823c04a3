"""The ``stakemap`` command: the top layer over graphmodel, ingest and dashboard.

One module per family of subcommands (``cmd_*.py``), each a thin layer that parses options, calls the
layers below and prints (``--json`` for scripts). Nothing else imports it."""
