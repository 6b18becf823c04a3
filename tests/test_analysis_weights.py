"""Influence weights: defaults from the kinds table, the YAML file, link strengths."""

from __future__ import annotations

import math

import numpy as np
import pytest
import yaml

from graphmodel.analysis import DEFAULT_WEIGHTS_FILE, Projection, Weights, link_strengths
from graphmodel.errors import ConfigError
from graphmodel.kinds import CONFIDENCE_FACTOR, LINK_SPECS
from graphmodel.models import Actor, Link


def test_defaults_come_from_the_kinds_table():
    w = Weights.default()
    for kind, spec in LINK_SPECS.items():
        assert w.strength(kind) == (spec.forward, spec.backward)
    for level, factor in CONFIDENCE_FACTOR.items():
        assert w.confidence[level.value] == factor


def test_shipped_yaml_agrees_with_the_kinds_table():
    shipped = Weights.load(DEFAULT_WEIGHTS_FILE)
    assert shipped.values() == Weights.default().values()
    assert shipped.digest == Weights.default().digest
    assert DEFAULT_WEIGHTS_FILE.read_text(encoding="utf-8") == Weights.default().dump_yaml()


def test_dump_and_load_round_trip(tmp_path):
    w = Weights.from_mapping({"links": {"sanctions": {"forward": 0.9}}, "age": {"half_life_years": 10}})
    path = tmp_path / "mine.yaml"
    path.write_text(w.dump_yaml(), encoding="utf-8")
    again = Weights.load(path)
    assert again.values() == w.values()
    assert again.source == str(path)
    assert again.describe()["changed"] == {"age.half_life_years": [None, 10], "links.sanctions.forward": [0.8, 0.9]}


def test_partial_file_keeps_other_defaults(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text("links:\n  funds: {forward: 0.9}\nconfidence:\n  inferred: 0.25\n", encoding="utf-8")
    w = Weights.load(path)
    assert w.strength("funds") == (0.9, 0.1)
    assert w.strength("owns") == (0.9, 0.1)
    assert w.confidence == {"confirmed": 1.0, "reported": 0.8, "inferred": 0.25}
    assert w.digest != Weights.default().digest


@pytest.mark.parametrize("data, message", [
    ({"links": {"fundz": {"forward": 0.5}}}, "unknown link kind 'fundz'"),
    ({"links": {"funds": {"forward": 1.5}}}, "between 0 and 1"),
    ({"links": {"funds": {"strength": 0.5}}}, "unknown key"),
    ({"confidence": {"sure": 1.0}}, "unknown confidence"),
    ({"colours": {}}, "unknown weights section"),
    ({"age": {"half_life_years": -3}}, "positive"),
    ({"share": {"low": "x"}}, "must be a number"),
])
def test_bad_weights_say_what_is_wrong(data, message):
    with pytest.raises(ConfigError, match=message):
        Weights.from_mapping(data)


def test_missing_or_broken_file(tmp_path):
    with pytest.raises(ConfigError, match="no weights file"):
        Weights.load(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("links: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        Weights.load(bad)
    listing = tmp_path / "list.yaml"
    listing.write_text(yaml.safe_dump([1, 2]), encoding="utf-8")
    with pytest.raises(ConfigError, match="mapping"):
        Weights.load(listing)


def _proj(links: list[Link], extra_actors=()) -> Projection:
    ids = {x for link in links for x in (link.source, link.target)} | set(extra_actors)
    return Projection.from_records([Actor(id=i, kind="other", name=i) for i in sorted(ids)], links)


def test_strength_adjusted_by_confidence_share_and_override():
    links = [
        Link(kind="sources_from", source="brand", target="sup", share=0.5),            # 0.6 * (0.5 + 0.5)
        Link(kind="sources_from", source="brand2", target="sup", share=1.0),           # 0.6 * 1.5 = 0.9
        Link(kind="funds", source="f", target="g", confidence="reported"),             # 0.6 * 0.8
        Link(kind="supports", source="f", target="h", attributes={"influence": 0.05}),  # override
        Link(kind="owns", source="o", target="c", share=1.0),                           # min(0.9*1.5, 1.0)
    ]
    fwd, bwd = link_strengths(_proj(links), Weights.default())
    assert np.allclose(fwd, [0.6, 0.9, 0.48, 0.05, 1.0])
    assert np.allclose(bwd, [0.1, 0.1, 0.08, 0.1, 0.1])


def test_funding_share_of_recipient_known_funding():
    links = [
        Link(kind="funds", source="a", target="g", amount=300, currency="EUR"),
        Link(kind="funds", source="b", target="g", amount=100, currency="EUR"),
        Link(kind="funds", source="c", target="g", amount=999, currency="USD"),  # its own currency: share 1
        Link(kind="funds", source="d", target="g"),                             # no amount: default
    ]
    fwd, _ = link_strengths(_proj(links), Weights.default())
    assert np.allclose(fwd, [0.6 * (0.5 + 0.75), 0.6 * (0.5 + 0.25), min(0.6 * 1.5, 1.0), 0.6])


def test_age_discount_by_half_life():
    links = [Link(kind="funds", source="a", target="b", start="2000", end="2010"),
             Link(kind="funds", source="a", target="c", start="2000")]
    w = Weights.from_mapping({"age": {"half_life_years": 5, "as_of": 2020}})
    fwd, bwd = link_strengths(_proj(links), w)
    assert math.isclose(fwd[0], 0.6 * 0.25)
    assert math.isclose(bwd[0], 0.1 * 0.25)
    assert math.isclose(fwd[1], 0.6)
