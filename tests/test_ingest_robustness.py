"""Damaged files never end in a traceback: every reader answers with a Stakemap error or a result.

Each fixture is truncated, overwritten with random bytes or cut at a random
point, and read again; the reader may reject it (a :class:`StakemapError`) or
read what it can (problems recorded), nothing else.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphmodel.errors import StakemapError
from tests.ingest_helpers import fixture, read

CASES = [
    (fixture("iati", "union-grants-2.03.xml"), "iati"),
    (fixture("iati", "legacy-1.05.xml"), "iati"),
    (fixture("oshub", "facilities-download.csv"), "oshub"),
    (fixture("oshub", "api-page.geojson"), "oshub"),
    (fixture("oshub", "api-pages.cassette.yaml"), "oshub"),
    (fixture("supplier_lists", "acme-supplier-list-2023-05.xlsx"), "supplier-list"),
    (fixture("supplier_lists", "garments-co-suppliers.csv"), "supplier-list"),
    (fixture("ftm", "entities.ftm.json"), "ftm"),
    (fixture("kumu", "blueprint.json"), "kumu"),
    (fixture("kumu", "project-export.json"), "kumu"),
    (fixture("kumu", "solidarity-map.xlsx"), "kumu"),
    (fixture("graphml", "quirks.graphml"), "graphml"),
    (fixture("gexf", "gephi-1.1draft.gexf"), "gexf"),
    (fixture("gexf", "gexf-1.3.gexf"), "gexf"),
]


def _damage(data: bytes, cut: float, spots: list[tuple[float, int]]) -> bytes:
    damaged = bytearray(data[: max(1, int(len(data) * cut))])
    for where, value in spots:
        if damaged:
            damaged[int(where * (len(damaged) - 1))] = value
    return bytes(damaged)


@pytest.mark.parametrize("path, fmt", CASES, ids=[p.name for p, _ in CASES])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.floats(0.0, 1.0), spots=st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(0, 255)), max_size=4))
def test_damaged_files_give_clear_errors(path: Path, fmt: str, cut: float, spots, tmp_path_factory):
    target = tmp_path_factory.mktemp("damaged") / path.name
    target.write_bytes(_damage(path.read_bytes(), cut, spots))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            read(target, fmt, brand="Acme")
        except StakemapError as exc:
            assert target.name in str(exc) or str(target) in str(exc)
