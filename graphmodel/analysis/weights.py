"""Influence weights: how strongly each kind of link carries influence, and which way.

The defaults derive from :data:`graphmodel.kinds.LINK_SPECS` (``forward`` and
``backward``) and :data:`graphmodel.kinds.CONFIDENCE_FACTOR`; the file
``weights.yaml`` beside this module holds the same values, for a user to copy
(``stakemap weights --dump > my.yaml``), change and pass back (``--weights my.yaml``).
Every analysis result names the weights that produced it (:meth:`Weights.describe`).

How one link's influence strength is computed (see
:func:`graphmodel.analysis.influence.link_strengths`):

* start from the kind's ``forward`` strength (source over target) and
  ``backward`` strength (target over source);
* a link attribute ``influence`` (or ``influence_backward``) in 0..1 replaces
  the kind's default for that one link;
* when a *share* is known (``Link.share``, a share attribute, or for ``funds``
  the amount as a share of the recipient's known funding in that currency),
  the forward strength is multiplied by ``share.low + (share.high - share.low) * share``
  (capped at ``max_strength``);
* both directions are multiplied by the confidence factor of the link;
* with ``age.half_life_years`` set, a link that ended ``y`` years before
  ``age.as_of`` counts ``0.5 ** (y / half_life_years)``.

Examples
--------
>>> w = Weights.default()
>>> w.strength("funds")
(0.6, 0.1)
>>> w.confidence["inferred"]
0.5
>>> custom = Weights.from_mapping({"links": {"funds": {"forward": 0.7}}}, source="mine.yaml")
>>> custom.strength("funds"), custom.describe()["changed"]
((0.7, 0.1), {'links.funds.forward': [0.6, 0.7]})
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..kinds import CONFIDENCE_FACTOR, LINK_SPECS, Confidence, LinkKind

#: The default weights file shipped with Stakemap (generated from the kinds table).
DEFAULT_WEIGHTS_FILE = Path(__file__).with_name("weights.yaml")

_HEADER = """\
# Stakemap influence weights.
#
# A model, not a fact: change these to say how you judge influence, then pass
# the file with --weights FILE. Every result names the file and its digest.
#
# links: for each link kind, the default strength (0..1) of influence
#   forward:  from the link's source over its target (a funder over its grantee)
#   backward: from the target over the source (a grantee over its funder); 0 = none
#   A path's strength is the product of its hops' strengths.
# confidence: factor applied to a link by its confidence.
# share: when a share is known (a brand's share of a supplier's output, a grant
#   as a share of the recipient's known funding), the forward strength is
#   multiplied by low + (high - low) * share, capped at max_strength.
# age: with half_life_years set, a link that ended that many years before
#   as_of (default: this year) counts half; ongoing links count in full.
"""


@dataclass(frozen=True)
class Weights:
    """One set of influence weights; build with :meth:`default`, :meth:`load` or :meth:`from_mapping`."""

    links: dict[str, tuple[float, float]]
    confidence: dict[str, float]
    share_low: float = 0.5
    share_high: float = 1.5
    max_strength: float = 1.0
    half_life_years: float | None = None
    as_of: int | None = None
    source: str = "default"
    digest: str = field(default="", compare=False)

    # -- building -----------------------------------------------------------
    @classmethod
    def default(cls) -> "Weights":
        """The weights derived from the kinds table."""
        return _default()

    @classmethod
    def load(cls, path: str | Path | None) -> "Weights":
        """Read a weights YAML file (missing keys keep their defaults); ``None`` gives the defaults."""
        if path is None:
            return cls.default()
        import yaml

        file = Path(path)
        if not file.exists():
            raise ConfigError(f"no weights file at {file}", hint="write one with 'stakemap weights --dump > FILE'")
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{file} is not valid YAML: {exc}") from exc
        if not isinstance(data, dict):
            raise ConfigError(f"{file} must hold a mapping with 'links', 'confidence', 'share' and 'age'")
        return cls.from_mapping(data, source=str(file))

    @classmethod
    def from_mapping(cls, data: dict[str, Any], source: str = "custom") -> "Weights":
        """Weights from a mapping shaped like ``weights.yaml``; missing keys keep their defaults."""
        base = cls.default()
        unknown = set(data) - {"links", "confidence", "share", "age", "max_strength", "name"}
        if unknown:
            raise ConfigError(f"unknown weights section(s): {', '.join(sorted(unknown))}",
                              hint="sections are links, confidence, share, age, max_strength")
        links = dict(base.links)
        for kind, value in (data.get("links") or {}).items():
            if kind not in links:
                raise ConfigError(f"unknown link kind {kind!r} in weights",
                                  hint="known kinds: " + ", ".join(links))
            fwd, bwd = links[kind]
            if isinstance(value, dict):
                bad = set(value) - {"forward", "backward"}
                if bad:
                    raise ConfigError(f"links.{kind}: unknown key(s) {', '.join(sorted(bad))} (use forward, backward)")
                fwd = _unit(value.get("forward", fwd), f"links.{kind}.forward")
                bwd = _unit(value.get("backward", bwd), f"links.{kind}.backward")
            elif isinstance(value, (list, tuple)) and len(value) == 2:
                fwd, bwd = (_unit(v, f"links.{kind}") for v in value)
            else:
                raise ConfigError(f"links.{kind} must be {{forward: x, backward: y}}")
            links[kind] = (fwd, bwd)
        confidence = dict(base.confidence)
        for level, value in (data.get("confidence") or {}).items():
            if level not in confidence:
                raise ConfigError(f"unknown confidence {level!r} in weights", hint="use " + ", ".join(confidence))
            confidence[level] = _unit(value, f"confidence.{level}")
        share = data.get("share") or {}
        age = data.get("age") or {}
        low = _number(share.get("low", base.share_low), "share.low")
        high = _number(share.get("high", base.share_high), "share.high")
        half = age.get("half_life_years", base.half_life_years)
        as_of = age.get("as_of", base.as_of)
        out = cls(
            links=links,
            confidence=confidence,
            share_low=low,
            share_high=high,
            max_strength=_unit(data.get("max_strength", base.max_strength), "max_strength"),
            half_life_years=None if half is None else _positive(half, "age.half_life_years"),
            as_of=None if as_of is None else int(_number(as_of, "age.as_of")),
            source=source,
        )
        return out

    def __post_init__(self) -> None:
        if not self.digest:
            object.__setattr__(self, "digest", hashlib.sha256(
                json.dumps(self.values(), sort_keys=True).encode()).hexdigest()[:12])

    # -- reading ------------------------------------------------------------
    def strength(self, kind: str | LinkKind) -> tuple[float, float]:
        """``(forward, backward)`` default strength of a link kind."""
        return self.links[str(getattr(kind, "value", kind))]

    def values(self) -> dict[str, Any]:
        """The weights as a plain mapping shaped like ``weights.yaml``."""
        return {
            "links": {k: {"forward": f, "backward": b} for k, (f, b) in self.links.items()},
            "confidence": dict(self.confidence),
            "share": {"low": self.share_low, "high": self.share_high},
            "max_strength": self.max_strength,
            "age": {"half_life_years": self.half_life_years, "as_of": self.as_of},
        }

    def changed(self) -> dict[str, list]:
        """Values that differ from the defaults, as ``{"links.funds.forward": [default, this]}``."""
        return {k: [d, v] for k, (d, v) in _diff(_flat(Weights.default().values()), _flat(self.values())).items()}

    def describe(self) -> dict[str, Any]:
        """What every result says about the weights that produced it."""
        return {"source": self.source, "digest": self.digest, "changed": self.changed()}

    def dump_yaml(self) -> str:
        """The weights as a commented YAML file a user can edit."""
        lines = [_HEADER, "links:"]
        for kind, (fwd, bwd) in self.links.items():
            label = LINK_SPECS[LinkKind(kind)].label
            lines.append(f"  {kind + ':':<24}{{forward: {fwd:g}, backward: {bwd:g}}}   # {label}")
        lines.append("confidence:")
        lines += [f"  {k}: {v:g}" for k, v in self.confidence.items()]
        lines += ["share:", f"  low: {self.share_low:g}", f"  high: {self.share_high:g}",
                  f"max_strength: {self.max_strength:g}", "age:",
                  f"  half_life_years: {'null' if self.half_life_years is None else f'{self.half_life_years:g}'}",
                  f"  as_of: {'null' if self.as_of is None else self.as_of}", ""]
        return "\n".join(lines)


@lru_cache(maxsize=1)
def _default() -> Weights:
    return Weights(
        links={k.value: (spec.forward, spec.backward) for k, spec in LINK_SPECS.items()},
        confidence={c.value: CONFIDENCE_FACTOR[c] for c in Confidence},
        source="default",
    )


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where} must be a number, not {value!r}")
    return float(value)


def _unit(value: Any, where: str) -> float:
    number = _number(value, where)
    if not 0.0 <= number <= 1.0:
        raise ConfigError(f"{where} must be between 0 and 1, not {number:g}")
    return number


def _positive(value: Any, where: str) -> float:
    number = _number(value, where)
    if number <= 0:
        raise ConfigError(f"{where} must be positive, not {number:g}")
    return number


def _flat(data: dict, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[prefix + key] = value
    return out


def _diff(a: dict[str, Any], b: dict[str, Any]) -> dict[str, tuple]:
    return {k: (a.get(k), b.get(k)) for k in sorted(a.keys() | b.keys()) if a.get(k) != b.get(k)}
