"""How a store combines what several origins claim about one actor.

Both backends keep each origin's claim on an actor and store the result of
:func:`merge_actor_claims` over them, so the two agree record for record.
"""

from __future__ import annotations

from ..kinds import ActorKind
from ..models import Actor, merge_citations, merge_identifiers

#: The origin of the edits people make in Stakemap: it leads every other origin on the fields it edits,
#: so no re-ingest overwrites a person's correction.
EDITS = "edits"


def lead_key(origin: str) -> str:
    """The order origins lead in: by id, the edits last (``~`` sorts after every character an id may hold).

    >>> sorted(["oshub", "edits", "zz-file"], key=lead_key)
    ['oshub', 'zz-file', 'edits']
    """
    return "~" if origin == EDITS else origin


def _overlay(merged: Actor, edit: Actor) -> Actor:
    """The merged claims with the fields an edit changed (listed in its ``edited`` attribute) put on top."""
    fields = list(edit.attributes.get("edited") or [])
    update = {f: getattr(edit, f) for f in fields if f in Actor.model_fields and f not in ("id", "attributes")}
    attributes = {**merged.attributes, **{k: v for k, v in edit.attributes.items() if k != "edited"},
                  "edited": sorted(fields)}
    return merged.model_copy(update={**update, "attributes": attributes,
                                     "citations": merge_citations(merged.citations, edit.citations)})


def merge_actor_claims(claims: list[tuple[str, Actor]]) -> Actor:
    """One actor from the claims of several origins, given as ``(origin id, actor)``.

    The result depends on which origins claim the actor, never on the order they were
    ingested in: claims are taken in the order of their origins' ids. The leading claim
    is the last one whose kind its source states, else the last with a guessed kind other
    than ``other``, else the last; its name, kind and fields win, and a field it lacks
    comes from the others.
    Aliases, identifiers, sectors, countries, attributes and citations are united.

    >>> a = Actor(id="x", kind="union", name="MTUC", attributes={"kind_guessed": False})
    >>> b = Actor(id="x", kind="other", name="Malaysian Trades Union Congress", country="MY",
    ...           attributes={"kind_guessed": True})
    >>> m = merge_actor_claims([("b-file", b), ("a-file", a)])
    >>> m == merge_actor_claims([("a-file", a), ("b-file", b)])
    True
    >>> m.kind.value, m.name, m.country, m.aliases
    ('union', 'MTUC', 'MY', ['Malaysian Trades Union Congress'])
    """
    edit = next((actor for origin, actor in claims if origin == EDITS), None)
    if edit is not None and len(claims) > 1:  # an edit of an imported actor: its edited fields on top
        return _overlay(merge_actor_claims([c for c in claims if c[0] != EDITS]), edit)
    ordered = [actor for _, actor in sorted(claims, key=lambda c: c[0])]
    if len(ordered) == 1:
        return ordered[0]
    def weight(claim: Actor) -> int:  # a kind the source states, then a guessed kind, then ``other``
        return 0 if claim.kind is ActorKind.OTHER else 1 if claim.attributes.get("kind_guessed") else 2

    best = max(weight(c) for c in ordered)
    lead = [c for c in ordered if weight(c) == best][-1]
    names = [c.name for c in ordered] + [a for c in ordered for a in c.aliases]
    identifiers = merge_identifiers(lead.identifiers, *(c.identifiers for c in reversed(ordered)))
    attributes: dict = {}
    for c in ordered:
        attributes.update(c.attributes)
    attributes.update(lead.attributes)
    if "kind_guessed" in attributes:  # the kind is the leading claim's, and so is whether it was guessed
        attributes["kind_guessed"] = bool(lead.attributes.get("kind_guessed"))
    filled = {f: next((getattr(c, f) for c in reversed(ordered) if getattr(c, f)), None)
              for f in ("country", "description") if not getattr(lead, f)}
    return lead.model_copy(update={
        **{k: v for k, v in filled.items() if v},
        "aliases": [n for n in dict.fromkeys(names) if n != lead.name],
        "identifiers": identifiers,
        "attributes": attributes,
        "sectors": list(dict.fromkeys(s for c in ordered for s in c.sectors)),
        "countries": list(dict.fromkeys(s for c in ordered for s in c.countries)),
        "citations": merge_citations(*(c.citations for c in ordered)),
    })
