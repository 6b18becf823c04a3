"""Names that stand for no one: placeholders and anonymised parties, shared by every reader.

Published files fill a name they cannot or will not give with a stand-in:
``Supplier Name Withheld``, ``Other.``, ``TBD``, ``N/A``, ``Correction``, a dash,
a bare number, or Open Supply Hub's masked contributor labels (``An Auditor /
Certification Scheme / Service Provider``: the contributor's type with an
article, shown when a contributor chose to stay anonymous). Such a name must
never become an actor: every file's "withheld" would be one hub that "receives"
money from dozens of unrelated programmes. A reader that meets one keeps what
the record says otherwise (a transaction's money goes to an undisclosed party of
*that* programme; a facility still loads) and counts it as set aside.

>>> [is_placeholder(t) for t in ("Supplier Name Withheld", "Other.", "TBD", "-", "1984.0", "n/a", "Correction")]
[True, True, True, True, True, True, True]
>>> is_placeholder("An Auditor / Certification Scheme / Service Provider"), is_placeholder("A Brand/Retailer")
(True, True)
>>> [is_placeholder(t) for t in ("Alif Group", "Other Ways Foundation", "Unknown Pleasures Ltd", "FNV Mondiaal")]
[False, False, False, False]
>>> placeholder_reason("Name withheld for privacy")
'withheld or anonymised name'
"""

from __future__ import annotations

import re
from functools import lru_cache

from graphmodel.text import normalise_name

#: Whole names (normalised: lower case, no punctuation) that say nothing about who it is.
PLACEHOLDER_NAMES = frozenset(normalise_name(t) for t in (
    "-", "--", "---", "n/a", "na", "n.a.", "none", "nil", "null", "no", "not applicable", "unknown", "unk",
    "tbd", "tbc", "tba", "to be determined", "to be confirmed", "to be announced", "pending", "?", "x", "xx", "xxx",
    "0", "other", "others", "other.", "various", "various recipients", "multiple", "multiple recipients", "misc",
    "miscellaneous", "several", "correction", "corrections", "adjustment", "reversal", "not known", "not stated",
    "not specified", "unspecified", "not available", "not provided", "blank", "test", "same", "same as above",
    "same as facility", "self", "itself", "independent", "no parent", "no parent company", "private", "individual",
    "owner", "sole proprietor", "no group", "single factory", "undisclosed", "withheld", "redacted", "anonymous",
    "anonymised", "anonymized", "confidential", "private individual", "individuals", "beneficiaries",
    "recipient", "recipients", "supplier", "suppliers", "vendor", "vendors", "contractor", "contractors",
    "partner", "partners", "implementing partner", "implementing partners", "grantee", "grantees", "donor",
    "donors", "funder", "funders", "government", "ngo", "ngos", "local ngo", "local ngos", "local partner",
    "local partners", "consultant", "consultants",
))
#: Words that, anywhere in a short name, say the name was kept back.
_HIDDEN_WORDS = re.compile(r"\b(withheld|undisclosed|redacted|anonymi[sz]ed|anonymous|confidential|not disclosed|"
                           r"name removed|name hidden|privacy)\b")
#: Open Supply Hub's contributor types: a masked contributor is shown as its type with an article.
OSHUB_CONTRIBUTOR_TYPES = (
    "Auditor / Certification Scheme / Service Provider", "Brand / Retailer", "Civil Society Organization",
    "Facility / Factory / Manufacturing Group / Supplier / Vendor", "Multi-Stakeholder Initiative",
    "Researcher / Academic", "Union", "Other",
)
_MASKED = frozenset(normalise_name(f"{article} {t}") for t in OSHUB_CONTRIBUTOR_TYPES for article in ("a", "an"))
_NUMBERISH = re.compile(r"^[\d\s.,/#+\-_*()]+$")


@lru_cache(maxsize=1 << 16)
def placeholder_reason(text: str | None) -> str | None:
    """Why ``text`` is no one's name (a short phrase), or ``None`` when it may be a name (remembered: a
    file names the same groups, parents and contributors again and again)."""
    raw = (text or "").strip()
    norm = normalise_name(raw)
    if not norm or len(norm) < 2 or _NUMBERISH.match(raw):
        return "empty, a number or punctuation"
    if norm in _MASKED:
        return "anonymised Open Supply Hub contributor"
    if norm in PLACEHOLDER_NAMES:
        return "placeholder name"
    if re.match(r"^no (group|parent|company|name)\b", norm):
        return "placeholder name"
    if len(norm.split()) <= 6 and _HIDDEN_WORDS.search(norm):
        return "withheld or anonymised name"
    return None


def is_placeholder(text: str | None) -> bool:
    """Whether ``text`` stands for no one (see the module)."""
    return placeholder_reason(text) is not None


__all__ = ["OSHUB_CONTRIBUTOR_TYPES", "PLACEHOLDER_NAMES", "is_placeholder", "placeholder_reason"]
