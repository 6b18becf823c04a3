"""The examples in the ingest modules' docstrings run as tests (``pytest`` collects only ``tests/``)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["ingest.resolution", "ingest.records", "ingest.mapping", "ingest.xmlsafe", "ingest.supplier_list",
           "ingest.iati", "ingest.oshub", "ingest.ftm", "ingest.kumu", "ingest.graphml", "ingest.gexf",
           "ingest.graphbuild"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
