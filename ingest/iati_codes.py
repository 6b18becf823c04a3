"""IATI's codelists as Stakemap reads them, and the pure helpers that read an activity's elements:
narratives by language, codes, percentage shares, and the key of a flow both sides publish.

See IATI's Standard (version 2.03, and the 1.0x names older files use): the OrganisationRole,
TransactionType, OrganisationType and ActivityDateType codelists.

>>> ROLES["1"], TRANSACTION_TYPES["3"], ORG_TYPES["40"].value
('funding', 'disbursement', 'igo')
"""

from __future__ import annotations

import math
import re
from collections import defaultdict

from graphmodel.kinds import ActorKind, LinkKind

from .records import tidy
from .xmlsafe import localname

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

ROLES = {"1": "funding", "2": "accountable", "3": "extending", "4": "implementing",
         "funding": "funding", "accountable": "accountable", "extending": "extending",
         "implementing": "implementing"}
ROLE_LINKS = {"funding": LinkKind.FUNDS, "accountable": LinkKind.SUPPORTS, "extending": LinkKind.SUPPORTS,
              "implementing": LinkKind.IMPLEMENTS}
TRANSACTION_TYPES = {
    "1": "incoming_funds", "IF": "incoming_funds", "2": "commitment", "C": "commitment",
    "3": "disbursement", "D": "disbursement", "4": "expenditure", "E": "expenditure",
    "5": "interest_payment", "IR": "interest_payment", "6": "loan_repayment", "LR": "loan_repayment",
    "7": "reimbursement", "R": "reimbursement", "8": "purchase_of_equity", "QP": "purchase_of_equity",
    "9": "sale_of_equity", "QS": "sale_of_equity", "10": "credit_guarantee", "CG": "credit_guarantee",
    "11": "incoming_commitment", "12": "outgoing_pledge", "13": "incoming_pledge",
}
FUNDING_TYPES = {"incoming_funds", "commitment", "disbursement", "expenditure", "reimbursement",
                 "incoming_commitment"}
INCOMING_TYPES = {"incoming_funds", "incoming_commitment"}
PROMISED_TYPES = {"commitment", "incoming_commitment"}
ORG_TYPES = {"10": ActorKind.GOVERNMENT, "11": ActorKind.GOVERNMENT, "15": ActorKind.GOVERNMENT,
             "21": ActorKind.NGO, "22": ActorKind.NGO, "23": ActorKind.NGO, "24": ActorKind.NGO,
             "40": ActorKind.IGO, "60": ActorKind.SSO}
DATE_TYPES = {"1": "start_planned", "start-planned": "start_planned", "2": "start_actual",
              "start-actual": "start_actual", "3": "end_planned", "end-planned": "end_planned",
              "4": "end_actual", "end-actual": "end_actual"}
DAC_VOCABULARIES = {"", "1", "dac"}

#: An organisation identifier: a registration agency prefix (``GB-CHC``, ``XM-DAC``) then an id.
ORG_ID = re.compile(r"^[A-Z]{2}-[A-Za-z0-9_]+(?:-[A-Za-z0-9_./\-]+)?$")
#: Well-known registration agencies, to put back hyphens a publisher left out (``GBCHC272465``).
_AGENCIES = ("CRA_ACR", "BCE_KBO", "IATI", "DAC", "CHC", "COH", "GOV", "EIN", "KVK", "BRC", "CVR", "PRO",
             "ABN", "RCS", "NPO", "MCA", "NAB", "NCB", "OCHA", "GRID", "ON", "CR", "SC")
_HYPHENLESS = re.compile(r"^(XM|XI|[A-Z]{2})(" + "|".join(_AGENCIES) + r")([0-9][0-9A-Z_]*)$")


#: Transaction types whose flow the other side publishes too: money moved, and money promised.
_FLOW_CLASSES = {"disbursement": "moved", "expenditure": "moved", "incoming_funds": "moved",
                 "commitment": "promised", "incoming_commitment": "promised"}


def _flow(identifier: str, ttype: str, attributes: dict) -> tuple[str, str, str, str] | None:
    """``("flow", class, provider activity, receiver activity)`` when a transaction names the activity on
    the other side: then the provider's outgoing record and the receiver's incoming one are one flow.

    >>> _flow("A-1", "disbursement", {"receiver_activity_id": "B-9"})
    ('flow', 'moved', 'A-1', 'B-9')
    >>> _flow("B-9", "incoming_funds", {"provider_activity_id": "A-1"})
    ('flow', 'moved', 'A-1', 'B-9')
    >>> _flow("A-1", "disbursement", {}) is None
    True
    """
    cls = _FLOW_CLASSES.get(ttype)
    if cls is None:
        return None
    if ttype in INCOMING_TYPES:
        other = attributes.get("provider_activity_id")
        return ("flow", cls, other, identifier) if other and other != identifier else None
    other = attributes.get("receiver_activity_id")
    return ("flow", cls, identifier, other) if other and other != identifier else None


def _children(el, path: str) -> dict[str, list[tuple]]:
    """An element's children by local name, each with its path (``.../transaction[3]``)."""
    grouped: dict[str, list] = {}
    for child in el:
        name = localname(child)
        if not name or (child.tag.startswith("{") and not child.tag.startswith("{http://iatistandard")):
            continue  # comments and extension elements (usg:, dstore:, ...)
        grouped.setdefault(name, []).append(child)
    out = {}
    for name, items in grouped.items():
        if len(items) == 1:
            out[name] = [(items[0], f"{path}/{name}")]
        else:
            out[name] = [(item, f"{path}/{name}[{i}]") for i, item in enumerate(items, start=1)]
    return out


def _narratives(el, lang: str) -> list[str]:
    """The texts of an element, the preferred language first (English, then the activity's)."""
    if el is None:
        return []
    found = []
    for child in el:
        if localname(child) == "narrative":
            text = tidy("".join(child.itertext()))
            if text:
                found.append(((child.get(XML_LANG) or lang).lower(), text))
    if not found:
        text = tidy(el.text or "")
        return [text] if text else []
    if len(found) == 1:  # what the sort and the dedup below leave of one text
        return [found[0][1]]
    order = {"en": 0, lang: 1}
    found.sort(key=lambda item: order.get(item[0][:2], 2))
    return list(dict.fromkeys(text for _, text in found))


def _first_text(children: dict, name: str) -> str:
    found = children.get(name)
    return (found[0][0].text or "") if found else ""


def _code(children: dict, name: str) -> str | None:
    found = children.get(name)
    return (found[0][0].get("code") or "").strip() or None if found else None


def _attr(el, name: str) -> str | None:
    for key, value in el.attrib.items():
        if key == name or key.endswith("}" + name):
            return value
    return None


def _attr_of(parts: dict, tag: str, attr: str) -> str | None:
    found = parts.get(tag)
    return found[0][0].get(attr) if found else None


def _shares(items: list[tuple[str | None, str | None]]) -> dict[str, float]:
    """Codes with their percentages; missing percentages share what is left equally."""
    items = [((code or "").strip(), pct) for code, pct in items if (code or "").strip()]
    if not items:
        return {}
    out: dict[str, float] = {}
    missing = []
    for code, pct in items:
        try:
            value = float(pct)
        except (TypeError, ValueError):
            value = float("nan")
        if math.isfinite(value) and value >= 0:
            out[code] = out.get(code, 0.0) + value
        else:
            missing.append(code)
    left = max(0.0, 100.0 - sum(out.values())) if out else 100.0
    for code in missing:
        out[code] = out.get(code, 0.0) + left / len(missing)
    return {k: round(v, 4) for k, v in out.items()}


def _sector_shares(elements: list) -> tuple[dict[str, float], dict[str, str]]:
    by_vocabulary: dict[str, list] = defaultdict(list)
    names: dict[str, str] = {}
    for el in elements:
        code = (el.get("code") or "").strip()
        if not code:
            continue
        vocabulary = (el.get("vocabulary") or el.get("vocab") or "").strip().lower()
        key = code if vocabulary in DAC_VOCABULARIES else f"{vocabulary}:{code}"
        by_vocabulary[vocabulary].append((key, el.get("percentage")))
        text = _narratives(el, "en")
        if text:
            names[key] = text[0]
    out: dict[str, float] = {}
    for items in by_vocabulary.values():
        out.update(_shares(items))
    return out, names


def _normalise(weights: dict[str, float]) -> dict[str, float]:
    total = sum(weights.values())
    return {k: round(100 * v / total, 4) for k, v in weights.items()} if total else {}


def _normalise_by_vocabulary(weights: dict[str, float]) -> dict[str, float]:
    groups: dict[str, dict[str, float]] = defaultdict(dict)
    for key, value in weights.items():
        groups[key.split(":", 1)[0] if ":" in key else ""][key] = value
    out: dict[str, float] = {}
    for group in groups.values():
        out.update(_normalise(group))
    return out
