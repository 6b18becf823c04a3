"""IATI activity XML (versions 1.01 to 2.03): funders, programmes and money flows.

Each ``iati-activity`` becomes a ``programme`` actor (its IATI identifier in
``identifiers["iati"]``), with its coverage: recipient countries in
``countries`` and, with their percentages, in ``attributes["recipient_countries"]``;
sectors in ``attributes["sectors"]`` (keyed by code; codes of vocabularies other
than DAC 5-digit are prefixed, e.g. ``"99:6003"``). When the activity gives
countries or sectors only on its transactions, the shares are weighted by the
transactions' values.

Participating organisations become links to the programme, by role:

==============  =============  ===============================================
role            link           why
==============  =============  ===============================================
1 funding       ``funds``      the funder of the programme (no amount: the
                               amounts are on the transactions)
2 accountable   ``supports``   oversight, not money and not delivery
3 extending     ``supports``   manages the funds for the funder; its money
                               shows up as transactions
4 implementing  ``implements`` delivers the programme
==============  =============  ===============================================

Transactions that move money (incoming funds, commitments, disbursements,
expenditure, reimbursements, incoming commitments) become dated ``funds``
links with amount and currency (the activity's ``default-currency`` when the
value has none): provider -> receiver. A transaction naming only a provider
is received by the reporting organisation; one naming only a receiver is
provided by the reporting organisation; one naming neither is the reporting
organisation funding the programme (or, for incoming funds, the activity's
single funding organisation funding the reporting organisation, marked
``inferred``). Commitments are ``reported``, flows ``confirmed``; every link
says its ``transaction_type``, so analyses can avoid counting a commitment
and its disbursements twice.

Organisations are matched on their IATI ref (also when written without its
hyphens); refs that are not organisation identifiers (a country code, a CRS
channel code, free text) are kept in attributes, not as identifiers. The
organisation type code suggests a kind, marked ``kind_guessed`` so a curated
kind wins: 10, 11, 15 government; 40 igo; 21-24 ngo; 60 foundation -> sso;
private sector (70-73), public-private partnerships (30), academic (80) and
other (90) -> other.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from pathlib import Path

from graphmodel.errors import InputError
from graphmodel.kinds import ActorKind, LinkKind
from graphmodel.models import Actor, Source
from graphmodel.text import normalise_name
from graphmodel.values import country_code, currency_code, partial_date

from .base import ReadContext, ReadResult, bulk_reader
from .iati_codes import (_HYPHENLESS, DATE_TYPES, FUNDING_TYPES, INCOMING_TYPES, ORG_ID, ORG_TYPES, PROMISED_TYPES,
                         ROLE_LINKS, ROLES, TRANSACTION_TYPES, XML_LANG, _attr, _attr_of, _children, _code,
                         _first_text, _flow, _narratives, _normalise, _normalise_by_vocabulary, _sector_shares,
                         _shares)
from .placeholders import is_placeholder
from .records import Emitter, keyed_id, origin_for, tidy
from .xmlsafe import iterparse, localname

FORMAT = "iati"


def sniff(path: Path, head: bytes) -> bool:
    return b"<iati-activities" in head or b"<iati-activity" in head or b"<iati-organisations" in head


@bulk_reader
def read_iati(path: Path, ctx: ReadContext, origin: Source | None = None) -> ReadResult:
    """Read an IATI activity file (1.0x or 2.0x)."""
    reader = _IatiReader(path, ctx, origin_for(path, ctx, FORMAT, origin, kind="file"))
    for activity in iterparse(path, ("iati-activity", "iati-organisation")):
        if localname(activity) == "iati-organisation":
            raise InputError(f"{path}: this is an IATI organisation file, not an activity file",
                             hint="Stakemap reads IATI activity files (iati-activities)")
        reader.activity(activity)
        activity.clear()
        parent = activity.getparent()
        if parent is not None:
            while activity.getprevious() is not None:
                del parent[0]
    return reader.finish()


class _IatiReader:
    def __init__(self, path: Path, ctx: ReadContext, origin: Source) -> None:
        self.emit = Emitter(path, FORMAT, ctx, origin)
        self.ctx = ctx
        self.count = 0
        self.version: str | None = None
        self.publishers: dict[str, str] = {}
        self.names_by_ref: dict[str, str] = {}

    # -- one activity -------------------------------------------------------
    def activity(self, el) -> None:
        self.count += 1
        if self.version is None:
            root = el.getparent()
            self.version = (root.get("version") if root is not None else None) or _attr(el, "version") or "?"
        path = f"/iati-activities/iati-activity[{self.count}]"
        children = _children(el, path)
        lang = (el.get(XML_LANG) or "en").lower()
        emit = self.emit
        emit.begin()
        identifier = tidy(_first_text(children, "iati-identifier"))
        if not identifier:
            emit.problem(el.sourceline, f"{path}/iati-identifier", "the activity has no iati-identifier",
                         "every IATI activity needs one; fix the file or ask its publisher")
            emit.end()
            return
        default_currency = (el.get("default-currency") or "").strip() or None
        if default_currency:
            try:
                default_currency = currency_code(default_currency)
            except ValueError:
                emit.notice("unknown default currency", f"{path}/@default-currency {default_currency!r}")
                default_currency = None
        reporting = self._reporting_org(children, lang, path)
        dates = self._dates(children)
        start = dates.get("start_actual") or dates.get("start_planned")
        end = dates.get("end_actual") or dates.get("end_planned")
        if start and end and end < start:
            emit.notice("end date before start date", f"{path}: {end} < {start} (end left out)")
            end = None
        programme = self._programme(el, children, path, lang, identifier, reporting, dates, default_currency)
        emit.end()
        if programme is None:
            return
        local: dict[str, Actor] = {}
        if reporting is not None:
            local.update({k: reporting for k in reporting.identifiers.values()})
        funders: list[Actor] = []
        for child, child_path in children.get("participating-org", []):
            self._participant(child, child_path, lang, programme, local, funders, start, end)
        repeats: Counter = Counter()
        for child, child_path in children.get("transaction", []):
            self._transaction(child, child_path, lang, identifier, programme, reporting, local, funders,
                              default_currency, repeats)

    def _reporting_org(self, children: dict, lang: str, path: str) -> Actor | None:
        found = children.get("reporting-org")
        if not found:
            self.emit.notice("activities without reporting-org", path)
            return None
        el, el_path = found[0]
        actor = self._org(el, el_path, lang, "reporting organisation of the IATI activity")
        if actor is not None:
            self.publishers[actor.id] = actor.name
        return actor

    def _programme(self, el, children, path, lang, identifier, reporting, dates, currency) -> Actor | None:
        titles = _narratives(children.get("title", [(None, "")])[0][0], lang)
        descriptions = []
        for d, _ in children.get("description", []):
            if d.get("type") in (None, "1", "general"):
                descriptions = _narratives(d, lang)
                break
        name = titles[0] if titles else identifier
        countries, regions, sectors, sector_names, basis = self._coverage(children, path)
        attributes = {
            "iati_identifier": identifier, "iati_version": _attr(el, "version") or self.version,
            "default_currency": currency, "recipient_countries": countries, "recipient_regions": regions,
            "sectors": sectors, "sector_names": sector_names, "coverage_from": basis,
            "activity_status": _code(children, "activity-status"),
            **{k: v for k, v in dates.items()},
        }
        if reporting is not None:
            attributes["reporting_org"] = reporting.id
        ordered = sorted(countries, key=lambda c: -countries[c])
        named_sectors = [sector_names.get(k) or f"DAC {k}" if ":" not in k else sector_names.get(k) or k
                         for k in sorted(sectors, key=lambda s: -sectors[s])]
        return self.emit.actor(
            el.sourceline, f"{path}/title", path, "IATI activity",
            id=keyed_id(identifier, "iati-activity", identifier), kind="programme", name=name[:500],
            aliases=titles[1:], identifiers={"iati": identifier} if " " not in identifier else {},
            countries=ordered, sectors=named_sectors[:20],
            description=(descriptions[0][:4000] if descriptions else None),
            attributes={k: v for k, v in attributes.items() if v not in (None, {}, "")},
        )

    def _participant(self, el, path, lang, programme, local, funders, start, end) -> None:
        emit = self.emit
        emit.begin()
        role_text = (el.get("role") or "").strip().lower()
        role = ROLES.get(role_text)
        if role is None:
            emit.notice("participating orgs with an unknown role (kept as supports)", f"{path}/@role {role_text!r}")
        actor = self._org(el, path, lang, f"participating organisation ({role or 'role ' + repr(role_text)})")
        if actor is None:
            emit.end()
            return
        for ref in actor.identifiers.values():
            local[ref] = actor
        if role == "funding":
            funders.append(actor)
        kind = ROLE_LINKS.get(role, LinkKind.SUPPORTS)
        emit.link(kind, actor.id, programme.id, el.sourceline, path, f"IATI participating organisation, {role} role",
                  column=f"{path}/@role", start=start, end=end,
                  attributes={"roles": [role or role_text or "unknown"]})
        emit.end()

    def _transaction(self, el, path, lang, identifier, programme, reporting, local, funders,
                     default_currency, repeats: Counter) -> None:
        emit = self.emit
        parts = _children(el, path)
        type_code = (_attr_of(parts, "transaction-type", "code") or "").strip().upper()
        ttype = TRANSACTION_TYPES.get(type_code)
        line = el.sourceline
        value_el = parts.get("value", [(None, "")])[0][0]
        raw = ((value_el.text if value_el is not None else "") or "").strip()
        try:
            amount: float | None = float(raw.replace(",", "").replace(" ", "")) if raw else None
        except ValueError:
            amount = None
        if amount is not None and not math.isfinite(amount):
            amount = None
        stated_currency = ((value_el.get("currency") if value_el is not None else None) or "").strip() \
            or default_currency
        try:
            currency = currency_code(stated_currency) if stated_currency else None
        except ValueError:
            currency = None
        ledger_currency = currency or (stated_currency or "").upper() or "(no currency)"
        if amount is not None:
            emit.state(amount, ledger_currency)  # every amount the file states is accounted for below
        if ttype not in FUNDING_TYPES:
            what = f"type {type_code or 'missing'}" + (f" ({ttype})" if ttype else "")
            emit.notice("transactions that are not funding (left out)", f"{path} {what}")
            emit.set_aside(f"{emit.label}:{path}", f"not a funding flow ({ttype or 'unknown type'})", amount,
                           ledger_currency if amount is not None else None)
            return
        emit.begin()
        where = f"{emit.label}:{path}"

        def refuse(column: str, message: str, hint: str | None = None) -> None:
            emit.problem(line, column, message, hint)
            emit.set_aside(where, f"rejected: {message}", amount, ledger_currency if amount is not None else None)
            emit.end()

        if not raw:
            return refuse(f"{path}/value", "the transaction has no value", "give the amount in <value>")
        if amount is None:
            return refuse(f"{path}/value", f"{raw!r} is not a number", "write e.g. 12500.50")
        if amount < 0:
            emit.notice("negative transactions (corrections, left out)", f"{path}: {raw}")
            emit.set_aside(where, "a negative value (a correction or reversal)", amount, ledger_currency)
            emit.end()
            return
        if not stated_currency:
            return refuse(f"{path}/value/@currency", "the value has no currency and the activity no default-currency",
                          "add currency=\"USD\" (or the right code) to <value>")
        if currency is None:
            return refuse(f"{path}/value/@currency", f"{stated_currency!r} is not an ISO 4217 currency",
                          "use a code such as EUR or USD")
        date_text = _attr_of(parts, "transaction-date", "iso-date") or value_el.get("value-date") or ""
        date = None
        if date_text.strip():
            try:
                date = partial_date(date_text.strip()[:10])
            except ValueError as exc:
                return refuse(f"{path}/transaction-date/@iso-date", str(exc))
        provider = self._party(parts, "provider-org", lang, local, programme)
        receiver = self._party(parts, "receiver-org", lang, local, programme)
        confidence = "reported" if ttype in PROMISED_TYPES else "confirmed"
        source = provider
        target = receiver
        if source is None and target is None:
            if ttype in INCOMING_TYPES:
                candidates = [f for f in funders if reporting is None or f.id != reporting.id]
                if len(candidates) == 1 and reporting is not None:
                    source, target, confidence = candidates[0], reporting, "inferred"
            else:
                source, target = reporting, programme
        elif source is None:
            source = reporting
        elif target is None:
            target = reporting
        if source is not None and target is not None and source.id == target.id:
            target = programme
        if source is None or target is None:
            emit.notice("transactions whose provider cannot be told (left out)", f"{path} ({ttype})")
            emit.set_aside(where, "neither the provider nor the receiver can be told", amount, currency)
            emit.end()
            return
        own_ref = (el.get("ref") or "").strip()
        attributes: dict = {"transaction_type": ttype, "programme": programme.id}
        if own_ref:
            attributes["transaction_ref"] = own_ref
        for side, key in (("provider-org", "provider-activity-id"), ("receiver-org", "receiver-activity-id")):
            activity_id = _attr_of(parts, side, key)
            if activity_id:
                attributes[key.replace("-", "_")] = activity_id.strip()
        flow = _flow(identifier, ttype, attributes)
        # the natural key of a transaction (refs are not unique: a commitment and its disbursement may share
        # one); a flow both sides publish (a disbursement naming the receiver's activity, the incoming funds
        # naming the provider's) gets one key from either side. Identical transactions of one activity are
        # told apart by their order, so each counts.
        key = "|".join(flow or (identifier, own_ref, ttype)) + f"|{amount:.2f}|{currency}"
        repeats[key] += 1
        attributes["ref"] = key if repeats[key] == 1 else f"{key}|#{repeats[key]}"
        if flow:
            attributes["flow"] = "|".join(flow)
        emit.link(LinkKind.FUNDS, source.id, target.id, line, path, f"IATI transaction ({ttype})",
                  column=f"{path}/value", start=date, amount=amount, currency=currency, confidence=confidence,
                  attributes=attributes, dated_id=flow is None)
        emit.end()

    # -- organisations ------------------------------------------------------
    def _org(self, el, path: str, lang: str, note: str) -> Actor | None:
        stated = _narratives(el, lang)
        names = [n for n in stated if not is_placeholder(n)]
        ref, extra = self._ref(el.get("ref"), path)
        if stated and not names and not ref:
            self.emit.notice("organisations named only by a placeholder (set aside)", f"{path}: {stated[0]!r}")
            return None
        if ref and not names:
            # a name this file gives the ref elsewhere; entity resolution finds names other files give it
            known = self.names_by_ref.get(ref.upper())
            if known:
                names = [known]
        if not names:
            raw = (el.get("ref") or "").strip()
            if not raw:
                self.emit.notice("organisations with neither name nor ref (left out)", path)
                return None
            names = [raw]
            extra["name_from_ref"] = True
        type_code = (el.get("type") or "").strip()
        kind = ORG_TYPES.get(type_code, ActorKind.OTHER)
        attributes = {"kind_guessed": True, **extra}
        if type_code:
            attributes["iati_org_type"] = type_code
        if ref:
            # the id comes from the ref alone, so files naming it differently give one id in any order
            self.names_by_ref.setdefault(ref.upper(), names[0])
            actor_id = keyed_id(ref, "iati-org", ref.upper())
        else:
            actor_id = keyed_id(names[0], "iati-org-name", normalise_name(names[0]))
        return self.emit.actor(el.sourceline, f"{path}/narrative", path, note, id=actor_id, kind=kind,
                               name=names[0][:500], aliases=names[1:], identifiers={"iati": ref} if ref else {},
                               attributes=attributes)

    def _party(self, parts: dict, tag: str, lang: str, local: dict[str, Actor], programme: Actor) -> Actor | None:
        found = parts.get(tag)
        if not found:
            return None
        el, path = found[0]
        ref, _ = self._ref(el.get("ref"), path, quiet=True)
        names = _narratives(el, lang)
        if ref and ref in local and not names:
            return local[ref]
        if not ref and not names:
            return None
        if not ref and all(is_placeholder(n) for n in names):
            return self._undisclosed(programme, tag, names[0], el, path)
        actor = self._org(el, path, lang, f"{tag.replace('-', ' ')} of an IATI transaction")
        if actor is not None:
            for value in actor.identifiers.values():
                local.setdefault(value, actor)
        return actor

    def _undisclosed(self, programme: Actor, tag: str, stated: str, el, path: str) -> Actor | None:
        """The undisclosed provider or receiver of one programme's transactions: a name such as "Supplier
        Name Withheld" or "Other." is no one, and one actor shared by every programme would be a hub."""
        side = "recipient" if tag == "receiver-org" else "provider"
        self.emit.notice(f"transactions with an undisclosed {side} (kept as the programme's undisclosed {side})",
                         f"{path}: {stated!r}")
        return self.emit.actor(el.sourceline, f"{path}/narrative", path, f"undisclosed {side} of the IATI activity",
                               id=keyed_id(f"undisclosed {side} {programme.name}", "iati-undisclosed", side,
                                           programme.id),
                               kind="other", name=f"Undisclosed {side} of {programme.name}"[:500],
                               attributes={"undisclosed": side, "stated_name": stated, "programme": programme.id,
                                           "kind_guessed": True})

    def _ref(self, raw: str | None, path: str, quiet: bool = False) -> tuple[str | None, dict]:
        """An IATI organisation identifier from a ``ref``, or None with what the ref was instead."""
        text = " ".join((raw or "").split())
        if not text:
            return None, {}
        candidate = text.upper() if re.match(r"^[A-Za-z]{2}[- ]", text) else text
        candidate = re.sub(r"\s+", "-", candidate)
        if "-" not in candidate:
            fixed = _HYPHENLESS.match(candidate.upper())
            if fixed:
                candidate = "-".join(fixed.groups())
                if not quiet:
                    self.emit.notice("refs without hyphens (hyphens put back)", f"{path}/@ref {text!r} -> {candidate}")
        prefix, _, rest = candidate.partition("-")
        candidate = f"{prefix.upper()}-{rest}" if rest else candidate
        if ORG_ID.match(candidate):
            return candidate, {}
        if not quiet:
            self.emit.notice("refs that are not organisation identifiers (kept as attributes)",
                             f"{path}/@ref {text!r}")
        if text.isdigit():
            return None, {"crs_channel_code": text}
        if re.fullmatch(r"[A-Za-z]{2}", text):
            return None, {"iati_ref_country": text.upper()}
        return None, {"iati_ref": text}

    # -- coverage -----------------------------------------------------------
    def _coverage(self, children: dict, path: str):
        countries = _shares([(c.get("code"), c.get("percentage")) for c, _ in children.get("recipient-country", [])])
        regions = _shares([(r.get("code"), r.get("percentage")) for r, _ in children.get("recipient-region", [])])
        sectors, names = _sector_shares([c for c, _ in children.get("sector", [])])
        basis = {"activity"} if (countries or regions or sectors) else set()
        if not (countries and regions and sectors) and children.get("transaction"):
            t_countries, t_regions, t_sectors, t_names, _ = self._transaction_coverage(children)
            for given, derived in ((countries, t_countries), (regions, t_regions), (sectors, t_sectors)):
                if not given and derived:
                    given.update(derived)
                    basis.add("transactions")
            for key, value in t_names.items():
                names.setdefault(key, value)
        valid = {}
        for code, share in countries.items():
            try:
                valid[country_code(code)] = share
            except ValueError:
                self.emit.notice("unknown recipient-country codes (left out)", f"{path}: {code!r}")
        basis_text = "activity and transactions" if len(basis) == 2 else (next(iter(basis)) if basis else None)
        return valid, regions, sectors, names, (basis_text if (valid or sectors or regions) else None)

    def _transaction_coverage(self, children: dict):
        weights: dict[str, dict[str, float]] = {"countries": defaultdict(float), "regions": defaultdict(float)}
        sector_weights: dict[str, float] = defaultdict(float)
        names: dict[str, str] = {}
        for txn, _ in children.get("transaction", []):
            parts = {localname(c): c for c in txn}
            value_el = parts.get("value")
            try:
                value = abs(float((value_el.text or "").replace(",", ""))) if value_el is not None else 0.0
            except ValueError:
                value = 0.0
            if not value or not math.isfinite(value):
                continue
            tags = {"recipient-country": "countries", "recipient-region": "regions"}
            for tag, key in tags.items():
                found = [(c.get("code"), c.get("percentage")) for c in txn if localname(c) == tag]
                for code, share in _shares(found).items():
                    weights[key][code] += value * share / 100
            shares, sector_names = _sector_shares([c for c in txn if localname(c) == "sector"])
            names.update(sector_names)
            for code, share in shares.items():
                sector_weights[code] += value * share / 100
        return (_normalise(weights["countries"]), _normalise(weights["regions"]), _normalise_by_vocabulary(sector_weights),
                names, "transactions")

    def _dates(self, children: dict) -> dict[str, str]:
        out = {}
        for el, path in children.get("activity-date", []):
            kind = DATE_TYPES.get((el.get("type") or "").strip().lower())
            text = (el.get("iso-date") or el.text or "").strip()[:10]
            if not kind or not text:
                continue
            try:
                out[kind] = partial_date(text)
            except ValueError:
                self.emit.notice("activity dates that are not dates (left out)", f"{path} {text!r}")
        return out

    def finish(self) -> ReadResult:
        result = self.emit.finish()
        publishers = sorted(set(self.publishers.values()))
        details = {"format": f"IATI activities {self.version or '?'}",
                   "description": f"IATI activity file: {self.count} activities"}
        if len(publishers) == 1 and result.origin.publisher is None and result.origin.kind == "file":
            details["publisher"] = publishers[0]
        if result.origin.kind == "file":
            result.origin = result.origin.model_copy(update=details)
        return result
