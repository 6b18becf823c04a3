"""GraphML and GEXF, including real files networkx's readers reject, and the kinds mapping file."""

from __future__ import annotations

import networkx as nx
import pytest

from graphmodel.errors import InputError, ValidationFailed
from graphmodel.kinds import ActorKind, LinkKind
from ingest.mapping import DEFAULT_MAPPING, load_mapping
from tests.conftest import samples
from tests.ingest_helpers import fixture, ingest, links, links_between, one, read


# -- GraphML ---------------------------------------------------------------------------
def test_esf_sample_that_networkx_rejects_reads_with_the_default_mapping():
    path = samples("graphml", "esf-networks.graphml")
    with pytest.raises(nx.NetworkXError):
        nx.read_graphml(path)  # keys declared inside <graph>
    result, ctx = read(path)
    assert result.format == "graphml" and not ctx.problems
    assert len(result.actors) == 24
    enaat = one(result.actors, "European Network Against Arms Trade")
    assert enaat.aliases == ["ENAAT"] and enaat.country == "NL"
    assert enaat.kind is ActorKind.OTHER and enaat.attributes["type"] == "Network Group"  # unmapped: kept
    assert enaat.attributes["website"] == "www.antenna.nl/enaat/"
    assert one(result.actors, "British Overseas NGOs for Development").country == "GB"  # "England"
    kinds = {lk.attributes["label"]: lk.kind for lk in links(result)}
    assert kinds == {"Collaborates with": LinkKind.PARTNERS_WITH, "Knows": LinkKind.RELATED_TO,
                     "Is part of": LinkKind.MEMBER_OF}
    assert any(n.startswith("self-links: 4") for n in result.notes)
    assert len(links(result)) == 43  # 47 edges less 4 self-loops


def test_esf_sample_with_its_own_mapping_turns_is_part_of_round():
    path = samples("graphml", "esf-networks.graphml")
    result, ctx = read(path, mapping=fixture("graphml", "esf-mapping.yaml"))
    assert not ctx.problems
    cbn = one(result.actors, "Community Broadband Network")
    nigd = one(result.actors, "Network Institute for Global Democratisation")
    assert cbn.kind is ActorKind.NGO and "kind_guessed" not in cbn.attributes
    # the file draws CBN -> NIGD labelled "Is part of"; its edges run from the whole to the part
    [part] = links_between(links(result), nigd.id, cbn.id)
    assert part.kind is LinkKind.MEMBER_OF and part.attributes["reversed"] is True
    assert not links_between(links(result), cbn.id, nigd.id)


def test_quirks_fixture():
    path = fixture("graphml", "quirks.graphml")
    with pytest.raises(nx.NetworkXError):
        nx.read_graphml(path)
    result, ctx = read(path)
    assert [p.place for p in ctx.problems] == ["quirks.graphml:45:/graphml/graph/edge[6]/@target"]
    bwi = one(result.actors, "Building and Wood Workers' International")
    assert bwi.kind is ActorKind.GUF and bwi.identifiers == {"wikidata": "Q999999999"} and bwi.aliases == ["BWI"]
    mtuc = one(result.actors, "Malaysian Trades Union Congress")
    assert mtuc.kind is ActorKind.UNION and mtuc.country == "MY"  # "trade-union"; key id shared with edges
    acme = one(result.actors, "Acme Apparel")
    assert acme.kind is ActorKind.BRAND and acme.attributes["country_text"] == "Various"
    nested = one(result.actors, "Migrant Workers Network")  # a node of a nested graph
    [target] = links_between(links(result), nested.id, acme.id)
    assert target.kind is LinkKind.TARGETS
    [collaboration] = links_between(links(result), bwi.id, mtuc.id)
    assert collaboration.attributes == {"label": "Collaborates with", "directed": False, "weight": 2.5}
    [part] = links_between(links(result), mtuc.id, bwi.id)
    assert part.start == "2005"
    group = one(result.actors, "n3")  # a group node with no name: named by its id, default type kept
    assert group.attributes["type"] == "Organisation" and group.kind is ActorKind.OTHER


def test_yed_labels_name_nodes(tmp_path):
    path = tmp_path / "yed.graphml"
    path.write_text(
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:y="http://www.yworks.com/xml/graphml">'
        '<key id="d0" for="node" yfiles.type="nodegraphics"/><graph edgedefault="directed">'
        '<node id="n0"><data key="d0"><y:ShapeNode><y:NodeLabel>Solidarity Center</y:NodeLabel></y:ShapeNode></data></node>'
        '<node id="n1"><data key="d0"><y:ShapeNode><y:NodeLabel>MTUC</y:NodeLabel></y:ShapeNode></data></node>'
        '<edge source="n0" target="n1"/></graph></graphml>')
    result, ctx = read(path)
    assert sorted(a.name for a in result.actors) == ["MTUC", "Solidarity Center"]
    assert [lk.kind for lk in links(result)] == [LinkKind.RELATED_TO]


@pytest.mark.parametrize("name, message", [
    ("broken-truncated.graphml", r"broken-truncated.graphml:\d+:\d+: not well-formed XML"),
])
def test_broken_graphml(name, message, sqlite_store):
    with pytest.raises(InputError, match=message):
        read(fixture("graphml", name))
    with pytest.raises(ValidationFailed):
        ingest(sqlite_store, fixture("graphml", name))
    assert sqlite_store.stats().actors == 0


def test_mapping_file_errors(tmp_path):
    with pytest.raises(InputError, match="unknown actor kind 'charity'"):
        read(fixture("graphml", "quirks.graphml"), mapping=fixture("graphml", "bad-mapping.yaml"))
    bad_yaml = tmp_path / "m.yaml"
    bad_yaml.write_text("actor_kinds: [unclosed\n")
    with pytest.raises(InputError, match="not valid YAML"):
        load_mapping(bad_yaml)
    with pytest.raises(InputError, match="no such mapping file"):
        load_mapping(tmp_path / "missing.yaml")
    odd = tmp_path / "odd.yaml"
    odd.write_text("link_kinds:\n  knows: {kind: related_to, colour: red}\n")
    with pytest.raises(InputError, match="needs a kind"):
        load_mapping(odd)


def test_default_mapping_is_shipped_and_complete():
    mapping = load_mapping()
    assert DEFAULT_MAPPING.name == "default.yaml" and mapping.files == ["default.yaml"]
    assert mapping.actor("Person").kind is ActorKind.PERSON
    assert mapping.actor("PublicBody").guessed and mapping.actor("PublicBody").kind is ActorKind.GOVERNMENT
    assert mapping.link("Membership").kind is LinkKind.MEMBER_OF
    assert mapping.link("Payment").kind is LinkKind.FUNDS
    assert mapping.link("owned by").reverse
    assert mapping.actor("Something nobody wrote").kind is ActorKind.OTHER
    replaced = load_mapping(DEFAULT_MAPPING)  # a user file extends the default by default
    assert replaced.actor("ngo").kind is ActorKind.NGO


def test_user_mapping_without_defaults(tmp_path):
    path = tmp_path / "only.yaml"
    path.write_text("extends: false\nactor_kinds:\n  network group: ngo\n")
    mapping = load_mapping(path)
    assert mapping.actor("Network Group").kind is ActorKind.NGO
    assert mapping.actor("trade union").kind is ActorKind.OTHER  # defaults dropped
    assert mapping.actor("union").kind is ActorKind.UNION  # Stakemap's own kind names always work


# -- GEXF ------------------------------------------------------------------------------
def test_gexf_primer_sample():
    result, ctx = read(samples("gexf", "gexf-1.3-primer-simple.gexf"))
    assert result.format == "gexf" and not ctx.problems
    assert sorted(a.name for a in result.actors) == ["Hello", "Word"]
    [link] = links(result)
    assert link.kind is LinkKind.RELATED_TO
    assert result.origin.author == "Gephi.org"


def test_old_gephi_namespace_and_values_by_position():
    path = fixture("gexf", "gephi-1.1draft.gexf")
    with pytest.raises(nx.NetworkXError):
        nx.read_gexf(path)
    result, ctx = read(path)
    assert not ctx.problems
    industriall = one(result.actors, "IndustriALL Global Union")
    assert industriall.kind is ActorKind.GUF and industriall.country == "CH"
    kmwu = one(result.actors, "Korean Metal Workers' Union")
    assert kmwu.kind is ActorKind.UNION and kmwu.attributes["members"] == "180000"
    hyundai = one(result.actors, "Hyundai Motor Company")  # values given by position only
    assert hyundai.kind is ActorKind.BRAND and hyundai.country == "KR"
    assert links_between(links(result), kmwu.id, industriall.id)[0].kind is LinkKind.AFFILIATED_TO
    [represents] = links_between(links(result), kmwu.id, hyundai.id)
    assert represents.kind is LinkKind.REPRESENTS_WORKERS_AT and represents.attributes["weight"] == 2.0
    [signs] = links_between(links(result), industriall.id, hyundai.id)
    assert signs.kind is LinkKind.RELATED_TO  # signatory_to needs an agreement: kept, with the reason
    assert "signatory_to cannot go" in signs.attributes["unmapped_reason"]


def test_gexf_1_3_defaults_kinds_and_nested_nodes():
    result, ctx = read(fixture("gexf", "gexf-1.3.gexf"))
    assert not ctx.problems
    ccc = one(result.actors, "Clean Clothes Campaign")
    assert ccc.kind is ActorKind.NGO  # the attribute's default
    acme, factory = one(result.actors, "Acme Apparel"), one(result.actors, "Garment Factory One")
    assert factory.kind is ActorKind.FACILITY
    [targets] = links_between(links(result), ccc.id, acme.id)
    assert targets.kind is LinkKind.TARGETS and targets.start == "2013"  # the edge's kind attribute
    [sourcing] = links_between(links(result), acme.id, factory.id)  # "supplier" drawn factory -> brand, reversed
    assert sourcing.kind is LinkKind.SOURCES_FROM
    assert one(result.actors, "Sewing Unit")


def test_broken_gexf(sqlite_store):
    with pytest.raises(InputError, match=r"broken.gexf:3:\d+: not well-formed XML"):
        read(fixture("gexf", "broken.gexf"))
    with pytest.raises(ValidationFailed):
        ingest(sqlite_store, fixture("gexf", "broken.gexf"))


def test_graph_files_are_idempotent(sqlite_store):
    for path in (fixture("graphml", "quirks.graphml"), fixture("gexf", "gephi-1.1draft.gexf")):
        ingest(sqlite_store, path, skip_invalid=True)
        before = sqlite_store.content_hash()
        ingest(sqlite_store, path, skip_invalid=True)
        assert sqlite_store.content_hash() == before


def test_gexf_positional_and_dynamic_attributes_and_spells():
    """Attributes given by position keep their declared names; dynamic values keep the latest and the whole
    timeline; an edge's spells are its valid time; nothing is flattened without a word."""
    from graphmodel.kinds import ActorKind, LinkKind
    from tests.ingest_helpers import fixture, links, one, read

    result, ctx = read(fixture("gexf", "dynamic-positional.gexf"))
    assert not ctx.problems
    federation = one(result.actors, "Example Federation")
    assert federation.kind is ActorKind.GUF and federation.country == "CH"
    assert federation.attributes["members"] == "2500"
    assert [v["value"] for v in federation.attributes["members (over time)"]] == ["1000", "2500"]
    assert not any(k in federation.attributes for k in ("0", "1", "2"))
    [affiliation] = links(result)
    assert affiliation.kind is LinkKind.AFFILIATED_TO and (affiliation.start, affiliation.end) == ("2004-01-01",
                                                                                                  "2016-06-30")
    notes = " ".join(result.notes)
    assert "dynamic attributes" in notes and "several spells" in notes and "node spells" in notes
