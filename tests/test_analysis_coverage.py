"""Programme coverage: hand-computed shares, conservation, brute-force reachability, context tables."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphmodel.analysis import Projection, coverage, flow, parse_context, read_context, what_if
from graphmodel.analysis.coverage import MOVES, N_STATES, NEXT_STATE, HOLDS, FUNDS, SUPPORTS, IMPLEMENTS_IN, \
    IMPLEMENTS_OUT
from graphmodel.errors import InputError
from graphmodel.models import Actor, Link


def _a(i: str, kind: str = "union", country: str | None = None, **kw) -> Actor:
    return Actor(id=i, kind=kind, name=i.upper(), country=country, **kw)


def _shares(result) -> dict[str, tuple[float, float]]:
    return {r["actor"]["id"]: (round(r["share"], 9), round(r["kept"], 9)) for r in result.reached}


def test_amount_weighted_regranting_with_known_income():
    actors = [_a("sc", "sso", "US"), _a("guf", "guf"), _a("mtuc", "national_centre", "MY"), _a("u1", country="MY"),
              _a("u2", country="HK"), _a("other", "sso", "NO")]
    links = [
        Link(kind="funds", source="sc", target="guf", amount=600, currency="USD"),
        Link(kind="funds", source="sc", target="mtuc", amount=400, currency="USD"),
        Link(kind="funds", source="other", target="guf", amount=400, currency="USD"),  # guf's income: 1000
        Link(kind="funds", source="guf", target="u1", amount=500, currency="USD"),     # half of guf's budget
        Link(kind="supports", source="guf", target="u2"),                               # shares the rest with guf
    ]
    result = coverage(Projection.from_records(actors, links), "sc")
    # guf gets 60%; passes 0.6 * 500/1000 = 30% to u1; the remaining 30% splits between u2 and guf itself
    assert _shares(result) == {"guf": (0.6, 0.15), "mtuc": (0.4, 0.4), "u1": (0.3, 0.3), "u2": (0.15, 0.15)}
    countries = {c["country"]: round(c["share"], 9) for c in result.countries}
    assert countries == {"MY": 0.7, "HK": 0.15, None: 0.15}
    assert result.reached[0]["path"] == ["sc", "guf"]
    assert next(r for r in result.reached if r["actor"]["id"] == "u2")["via"] == ["funds", "supports"]
    # guf's dependence: 600 of its 1000; the overlap: the other funder also funds guf
    assert [(d["actor"]["id"], d["share"], d["basis"]) for d in result.dependence] == \
        [("mtuc", 1.0, "amount"), ("guf", 0.6, "amount")]
    assert [(o["funder"]["id"], o["actors"]) for o in result.overlaps] == [("other", ["guf"])]
    assert result.amounts_known == 1.0


def test_without_amounts_split_equally_and_programmes():
    actors = [_a("fnv", "sso", "NL"), _a("bwi", "guf"), _a("prog", "programme", countries=["HK", "MY"]),
              _a("gefont", "national_centre", "NP"), _a("ncwu", country="HK"), _a("other_prog", "programme")]
    links = [
        Link(kind="funds", source="fnv", target="prog"),
        Link(kind="implements", source="bwi", target="prog"),
        Link(kind="implements", source="gefont", target="prog"),
        Link(kind="supports", source="bwi", target="ncwu"),
        Link(kind="implements", source="bwi", target="other_prog"),  # an implementer's other programme: not reached
    ]
    result = coverage(Projection.from_records(actors, links), "fnv")
    # prog keeps 1/3, bwi and gefont get 1/3 each; bwi keeps half and gives half to ncwu
    s = _shares(result)
    assert s == {k: (round(a, 9), round(b, 9)) for k, (a, b) in
                 {"prog": (1.0, 1 / 3), "bwi": (1 / 3, 1 / 6), "gefont": (1 / 3, 1 / 3), "ncwu": (1 / 6, 1 / 6)}.items()}
    assert "other_prog" not in s
    countries = {c["country"]: c["share"] for c in result.countries}
    # the programme works in HK and MY: its third splits between them
    assert countries == pytest.approx({"HK": 1 / 6 + 1 / 6, "MY": 1 / 6, "NP": 1 / 3, None: 1 / 6})
    assert result.dependence[0]["basis"] == "count"


def test_money_returning_to_an_actor_stays_with_the_sender():
    actors = [_a("f", "sso"), _a("a", "ngo"), _a("b", "ngo")]
    links = [Link(kind="funds", source="f", target="a"), Link(kind="funds", source="a", target="b"),
             Link(kind="funds", source="b", target="a"), Link(kind="funds", source="b", target="f")]
    result = coverage(Projection.from_records(actors, links), "f")
    assert _shares(result) == {"a": (1.0, 0.5), "b": (0.5, 0.5)}
    assert sum(r["kept"] for r in result.reached) == pytest.approx(1.0)


def test_gaps_against_a_context_table():
    actors = [_a("f", "sso"), _a("my", country="MY"), _a("hk", country="HK"), _a("nl", country="NL")]
    links = [Link(kind="funds", source="f", target=t) for t in ("my", "hk", "nl")]
    table = parse_context("country,year,migrants\nMY,2019,3\nHK,2019,1\nJP,2019,4\n")
    result = coverage(Projection.from_records(actors, links), "f", context=table)
    gaps = {g["country"]: (round(g["context_share"], 9), round(g["coverage_share"], 9), round(g["gap"], 9),
                           g["reached"]) for g in result.gaps}
    assert gaps == {"JP": (0.5, 0.0, 0.5, False), "MY": (0.375, 0.5, -0.125, True), "HK": (0.125, 0.5, -0.375, True)}
    assert [g["country"] for g in result.gaps] == ["JP", "MY", "HK"]
    assert result.context["column"] == "migrants"


def test_what_if_a_grantee_is_gone():
    actors = [_a("f", "sso"), _a("g", "guf"), _a("u", country="HK"), _a("v", country="MY")]
    links = [Link(kind="funds", source="f", target="g"), Link(kind="supports", source="g", target="u"),
             Link(kind="funds", source="f", target="v")]
    answer = what_if(Projection.from_records(actors, links), ["g"], lambda p: coverage(p, "f"))
    assert answer.changes["actors_lost"] == ["g", "u"]
    assert answer.changes["countries_lost"] == [None, "HK"]
    assert answer.changes["country_shares"]["MY"] == [0.5, 1.0]


# -- context tables ----------------------------------------------------------------
def test_context_reader_is_tolerant(tmp_path):
    t = parse_context("Destination;Year;Workers (thousands)\nMalaysia;2019;1 700\nHong Kong;2019;400\n"
                      "Atlantis;2019;5\nJapan;2019;\n")
    assert t.values == {"MY": 1700.0, "HK": 400.0} and t.skipped == 2
    assert t.column == "Workers (thousands)"
    t = parse_context("code\tname\tvalue\nMYS\tMalaysia\t1,234.5\nTHA\tThailand\t2\n")
    assert t.values == {"MY": 1234.5, "TH": 2.0}
    t = parse_context("name,figure\nThailand,2.8\nTaiwan,0.7\n")  # the country column found by its values
    assert t.values == {"TH": 2.8, "TW": 0.7}
    chosen = parse_context("country,population,migrants\nMY,31.9,1.7\n", column="migrants")
    assert chosen.values == {"MY": 1.7}
    with pytest.raises(InputError, match="no column 'nope'"):
        parse_context("country,x\nMY,1\n", column="nope")
    with pytest.raises(InputError, match="not numeric"):
        parse_context("country,x,y\nMY,1,a\n", column="y")
    with pytest.raises(InputError, match="no country column"):
        parse_context("a,b\n1,2\n")
    with pytest.raises(InputError, match="no context table"):
        read_context(tmp_path / "none.csv")


def test_reference_migrant_table_reads_if_present():
    from tests.conftest import REPO

    path = REPO / "data" / "reference" / "migrant_workers.csv"
    if not path.exists():
        pytest.skip("reference table not available")
    t = read_context(path, "temporary_labour_migrants")
    assert {"HK", "MY", "TH", "JP", "TW"} <= set(t.values)
    assert read_context(path).column not in ("year", "migrants_year")


# -- brute force -------------------------------------------------------------------
STEP_KINDS = ["funds", "supports", "implements", "targets", "member_of"]


@st.composite
def money_maps(draw):
    n = draw(st.integers(2, 10))
    kinds = ["sso", "guf", "union", "programme", "ngo"]
    actors = [Actor(id=f"a{i}", kind=draw(st.sampled_from(kinds)), name=f"A{i}",
                    country=draw(st.sampled_from(["MY", "HK", "TH", None]))) for i in range(n)]
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1]),
                          max_size=30))
    links = []
    for j, (s, t) in enumerate(pairs):
        kind = draw(st.sampled_from(STEP_KINDS))
        amount = draw(st.none() | st.integers(1, 1000)) if kind in ("funds", "implements") else None
        currency = draw(st.sampled_from(["EUR", "USD"])) if amount is not None else None
        links.append(Link(kind=kind, source=f"a{s}", target=f"a{t}", amount=amount, currency=currency,
                          attributes={"ref": str(j)}))
    return Projection.from_records(actors, links), draw(st.integers(1, 6))


def _brute_force_reach(proj: Projection, funder: int, hops: int) -> set[int]:
    """Reachability over (actor, state) pairs, straight from the rules table, with networkx."""
    g = nx.DiGraph()
    steps = []
    for j in range(proj.n_links):
        kind, s, t = proj.link_ref(j)["kind"], int(proj.src[j]), int(proj.dst[j])
        if kind == "funds":
            steps.append((s, t, FUNDS))
        elif kind == "supports":
            steps.append((s, t, SUPPORTS))
        elif kind == "implements":
            steps += [(s, t, IMPLEMENTS_OUT), (t, s, IMPLEMENTS_IN)]
    for s, t, step in steps:
        for state in range(N_STATES):
            if step in MOVES[state] and t != funder:
                g.add_edge((s, state), (t, NEXT_STATE[step]))
    start = (funder, HOLDS)
    if start not in g:
        return set()
    reached = nx.single_source_shortest_path_length(g, start, cutoff=hops)
    return {node for node, _ in reached} - {funder}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(money_maps())
def test_coverage_equals_brute_force_reachability_and_conserves_money(case):
    proj, hops = case
    result = coverage(proj, "a0", max_hops=hops)
    reached = {int(r["actor"]["id"][1:]) for r in result.reached}
    assert reached == _brute_force_reach(proj, 0, hops)
    fl = flow(proj, 0, hops)
    assert fl.kept.sum() == pytest.approx(1.0)
    assert (fl.kept >= -1e-12).all() and (fl.inflow <= 1 + 1e-9).all()
    if result.reached:
        assert sum(c["share"] for c in result.countries) == pytest.approx(1.0 - fl.kept[0])
        assert sum(k["share"] for k in result.kinds) == pytest.approx(1.0 - fl.kept[0])
    for r in result.reached:
        assert r["kept"] <= r["share"] + 1e-9
        assert r["path"][0] == "a0" and r["path"][-1] == r["actor"]["id"] and len(r["path"]) == r["hops"] + 1


def test_only_measures_of_need_are_offered_and_the_unlocated_share_is_stated(tmp_path):
    """Years and ids are not needs; the share of money reaching no identifiable country is said."""
    from graphmodel.analysis.context import parse_context
    from graphmodel.errors import InputError

    text = "country,ID,YEAR,MIGRANTS YEAR,Rank,migrants,number of workers\nMY,1,2010,2009,2,2000,5\nHK,2,2010,2009,1,300,9\n"
    table = parse_context(text)
    assert table.numeric_columns == ["migrants", "number of workers"] and table.column == "migrants"
    with pytest.raises(InputError, match="years or ids"):
        parse_context(text, column="YEAR")
    actors = [Actor(id="f", kind="sso", name="F", country="NL"), Actor(id="p", kind="programme", name="P"),
              Actor(id="u", kind="union", name="U", country="MY")]
    links = [Link(kind="funds", source="f", target="p", amount=70, currency="EUR"),
             Link(kind="funds", source="f", target="u", amount=30, currency="EUR")]
    result = coverage(Projection.from_records(actors, links), "f")
    assert result.unlocated_share == 0.7 and result.as_dict()["unlocated_share"] == 0.7


@st.composite
def grouped_maps(draw):
    """Money maps whose actors work in several countries and sectors, or none."""
    proj, hops = draw(money_maps())
    places = st.lists(st.sampled_from(["MY", "HK", "TH", "NP"]), max_size=3, unique=True)
    trades = st.lists(st.sampled_from(["garments", "domestic work", "electronics"]), max_size=3, unique=True)
    actors = [Actor(id=proj.actor_ids[i], kind=proj.actor_ref(i)["kind"], name=f"A{i}",
                    country=proj.actor_country(i), countries=draw(places), sectors=draw(trades))
              for i in range(proj.n_actors)]
    links = [Link(**{k: proj.link_ref(j)[k] for k in ("kind", "amount", "currency")},
                  source=proj.actor_ids[int(proj.src[j])], target=proj.actor_ids[int(proj.dst[j])],
                  attributes={"ref": str(j)})
             for j in range(proj.n_links)]
    return Projection.from_records(actors, links), hops


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grouped_maps(), st.booleans())
def test_groups_read_for_the_reached_actors_alone_equal_those_of_the_whole_map(case, saved):
    """A one-off question reads the countries and sectors of the actors it reached only; its groups are
    the same as when every actor's are read (and cached), from built and from saved projections."""
    from graphmodel.analysis.coverage import _grouped, _memberships
    from graphmodel.analysis.projection_cache import projection_arrays, projection_from_arrays

    proj, hops = case
    if saved:
        arrays, header = projection_arrays(proj)
        proj = projection_from_arrays({**header, "fingerprint": "store:1"}, arrays)
    kept = flow(proj, 0, hops).kept
    reached = [int(i) for i in range(proj.n_actors) if kept[i] > 0]
    for by in ("country", "sector", "kind"):
        alone = _memberships(proj, by, reached)
        whole = _memberships(proj, by)
        for limit in (None, 1):
            assert _grouped(proj, kept, by, limit, alone) == _grouped(proj, kept, by, limit, whole)


def _memberships_walk(proj, by):
    """The memberships as one walk over every actor (the plain definition)."""
    labels: dict = {}
    actors, groups, weights = [], [], []
    listed = proj.actor_countries if by == "country" else proj.actor_sectors
    for i in range(proj.n_actors):
        values = listed.get(i)
        if not values:
            values = ((proj.actor_country(i),) if by == "country" else (None,))
        for v in values:
            actors.append(i)
            groups.append(labels.setdefault(v, len(labels)))
            weights.append(1.0 / len(values))
    return (np.array(actors, dtype=np.int64), np.array(groups, dtype=np.int64), np.array(weights), list(labels))


@pytest.mark.parametrize("seed", range(25))
def test_membership_rows_equal_a_walk_over_every_actor(seed):
    import random

    from graphmodel.analysis.coverage import _membership_rows

    rng = random.Random(seed)
    actors = []
    for i in range(rng.randint(1, 40)):
        extra: dict = {}
        if rng.random() < 0.6:
            extra["country"] = rng.choice(["NL", "DE", "BD"])
        if rng.random() < 0.4:
            extra["countries"] = [rng.choice(["NL", "DE", "BD", "KH", "VN"]) for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.4:
            extra["sectors"] = [rng.choice(["garment", "electronics", "mining"]) for _ in range(rng.randint(1, 3))]
        actors.append(Actor(id=f"a{i:02d}", kind=rng.choice(["union", "sso", "facility"]), name=f"A {i}", **extra))
    rng.shuffle(actors)
    proj = Projection.from_records(actors, [])
    for by in ("country", "sector"):
        want, got = _memberships_walk(proj, by), _membership_rows(proj, by)
        for a, b in zip(want[:3], got[:3]):
            assert a.dtype == b.dtype and np.array_equal(a, b)
        assert want[3] == got[3]
