"""Names in free text: a viewer never sees authors, and nobody sees the names of people they may not see,
in document titles, descriptions, citation notes or link notes (docs/security.md, "Names in free text")."""

from __future__ import annotations

import json

import pytest

from dashboard.access import Viewer
from dashboard.users import ROLE_POLICIES, Role
from graphmodel.models import Actor, Citation, Link, Source
from graphmodel.store.contract import Batch
from graphmodel.store.sqlite import SQLiteStore

HIDDEN_PERSON = "Marisol Qwyxt"
AUTHOR = "Tomasz Vrelk"


def _viewer(role: Role) -> Viewer:
    p = ROLE_POLICIES[role]
    return Viewer(name=role.value, role=role.value, clearance=p.clearance, include_people=p.include_people,
                  can_export=p.can_export)


@pytest.fixture()
def named(tmp_path):
    """A public union and a link whose document, description and notes name a restricted person."""
    db = tmp_path / "m.db"
    store = SQLiteStore(db)
    report = Source(id="interview-2024", kind="document", year=2024, author=AUTHOR,
                    title=f"Interview with {HIDDEN_PERSON} on the strike")
    cite = [Citation(source=report.id, locator=f"answer by {HIDDEN_PERSON.upper()}",
                     note=f"{HIDDEN_PERSON} says the union organised the line")]
    store.write(Batch(Source(id="named", title="named", kind="dataset"), sources=[report], actors=[
        Actor(id="open-union", kind="union", name="Open Union", citations=cite,
              description=f"Founded after {HIDDEN_PERSON}'s dismissal"),
        Actor(id="brand-x", kind="brand", name="Brand X"),
        Actor(id="marisol", kind="person", name=HIDDEN_PERSON, aliases=["M. Qwyxt"], sensitivity="restricted",
              citations=cite),
    ], links=[Link(kind="targets", source="open-union", target="brand-x", citations=cite,
                   description=f"led by {HIDDEN_PERSON}")]))
    store.close()
    from dashboard import data

    data.configure(f"sqlite:///{db}")
    yield data
    data.configure(f"sqlite:///{db}")


def _seen(data, viewer: Viewer) -> str:
    link = next(i for i in data.projection(viewer).link_ids.tolist())
    parts = [data.overview(viewer)["documents"], data.actor_details(viewer, "open-union"),
             data.link_details(viewer, link)]
    return json.dumps(parts, default=str)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST])
def test_no_role_below_admin_sees_a_restricted_persons_name_in_free_text(named, role):
    seen = _seen(named, _viewer(role))
    assert "qwyxt" not in seen.lower()
    assert "[a person's name]" in seen  # the text is still shown, with the name taken out
    assert "on the strike" in seen and "dismissal" in seen


def test_a_viewer_sees_no_authors_an_analyst_does(named):
    assert AUTHOR not in _seen(named, _viewer(Role.VIEWER))
    assert AUTHOR in _seen(named, _viewer(Role.ANALYST))


def test_an_admin_sees_the_text_as_written(named):
    seen = _seen(named, _viewer(Role.ADMIN))
    assert HIDDEN_PERSON in seen and AUTHOR in seen and "[a person's name]" not in seen
