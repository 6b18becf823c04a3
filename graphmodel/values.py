"""Checks and normalisers for single values: countries, currencies, partial dates.

Each function returns the normal form or raises ``ValueError`` with a message
a user can act on. Models and the fast bulk readers both call these, so a value
is judged the same way wherever it comes from.

>>> country_code("my")
'MY'
>>> country_code("Malaysia")
'MY'
>>> country_code("HKG")
'HK'
>>> [country_code(n) for n in ("Bosnia", "Turkey", "South Korea", "Laos", "Burma", "Swaziland", "Ivory Coast")]
['BA', 'TR', 'KR', 'LA', 'MM', 'SZ', 'CI']
>>> currency_code("eur")
'EUR'
>>> partial_date("2006-05")
'2006-05'
>>> partial_date("2006-13")
Traceback (most recent call last):
...
ValueError: '2006-13' is not a date: month must be in 1..12 (write 2006, 2006-05 or 2006-05-01)
"""

from __future__ import annotations

import calendar
import re
from functools import lru_cache

import pycountry

from .text import fold

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_DATE_HINT = "write 2006, 2006-05 or 2006-05-01"
_EXTRA_COUNTRIES = {"XK": "Kosovo"}
_COUNTRY_SYNONYMS = {
    "hong kong": "HK", "hong kong sar": "HK", "macau": "MO", "macao": "MO", "taiwan": "TW",
    "south korea": "KR", "korea": "KR", "republic of korea": "KR", "north korea": "KP",
    "vietnam": "VN", "viet nam": "VN", "russia": "RU", "laos": "LA", "burma": "MM",
    "iran": "IR", "syria": "SY", "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ",
    "moldova": "MD", "czech republic": "CZ", "turkey": "TR", "turkiye": "TR",
    "uk": "GB", "united kingdom": "GB", "great britain": "GB", "england": "GB",
    "usa": "US", "us": "US", "united states": "US", "united states of america": "US",
    "ivory coast": "CI", "cote d'ivoire": "CI", "cote divoire": "CI", "kosovo": "XK",
    "the netherlands": "NL", "holland": "NL", "swaziland": "SZ", "cape verde": "CV",
    "brunei": "BN", "palestine": "PS", "congo, democratic republic of": "CD",
    "democratic republic of the congo": "CD", "dr congo": "CD", "mainland china": "CN",
    "china mainland": "CN", "prc": "CN",
    "bosnia": "BA", "bosnia herzegovina": "BA", "bosnia-herzegovina": "BA", "bih": "BA",
    "macedonia": "MK", "fyrom": "MK", "former yugoslav republic of macedonia": "MK",
    "east timor": "TL", "timor leste": "TL", "eswatini": "SZ", "kingdom of eswatini": "SZ",
    "congo-kinshasa": "CD", "congo kinshasa": "CD", "drc": "CD", "zaire": "CD",
    "congo-brazzaville": "CG", "congo brazzaville": "CG", "republic of the congo": "CG", "congo": "CG",
    "the gambia": "GM", "uae": "AE", "emirates": "AE", "the bahamas": "BS", "korea, south": "KR",
    "korea (south)": "KR", "south-korea": "KR", "korea, north": "KP", "dprk": "KP",
    "lao pdr": "LA", "lao": "LA", "kirghizia": "KG", "slovak republic": "SK", "vatican": "VA",
    "holy see": "VA", "hongkong": "HK", "hong kong, china": "HK", "macau sar": "MO", "macao sar": "MO",
    "taiwan, province of china": "TW", "chinese taipei": "TW", "republic of moldova": "MD",
    "st lucia": "LC", "st kitts and nevis": "KN", "st vincent and the grenadines": "VC",
    "micronesia": "FM", "byelorussia": "BY", "belarus": "BY", "ceylon": "LK", "sri-lanka": "LK",
    "brasil": "BR", "persia": "IR", "siam": "TH", "kampuchea": "KH", "dahomey": "BJ", "upper volta": "BF",
    "palestinian territories": "PS", "occupied palestinian territory": "PS", "west bank and gaza": "PS",
    "cabo verde": "CV", "turkey (turkiye)": "TR",
    "britain": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
}


def country_code(value: str) -> str:
    """ISO 3166-1 alpha-2 code for a code (alpha-2 or alpha-3) or an English name."""
    if not value.strip():
        raise ValueError("country is empty")
    code = _country_code(value)
    if code is None:
        raise ValueError(f"{value!r} is not an ISO 3166 country (use a code such as MY or HK, or an English name)")
    return code


@lru_cache(maxsize=4096)
def _country_code(value: str) -> str | None:
    """:func:`country_code`, or ``None``: remembered either way (a text that is no country name, such as a
    supplier list's "China Mainland" tried before its variants, would otherwise be looked up in every
    country's names each time it comes)."""
    text = value.strip()
    upper = text.upper()
    if len(upper) == 2 and (upper in _EXTRA_COUNTRIES or pycountry.countries.get(alpha_2=upper)):
        return upper
    if len(upper) == 3 and upper.isalpha():
        found = pycountry.countries.get(alpha_3=upper)
        if found:
            return found.alpha_2
    key = fold(text).replace(".", "").strip()
    if key in _COUNTRY_SYNONYMS:
        return _COUNTRY_SYNONYMS[key]
    for country in pycountry.countries:
        names = {country.name, getattr(country, "common_name", ""), getattr(country, "official_name", "")}
        if any(fold(n) == key for n in names if n):
            return country.alpha_2
    return None


def country_name(code: str) -> str:
    """English name of an alpha-2 code (the code itself when unknown)."""
    if code in _EXTRA_COUNTRIES:
        return _EXTRA_COUNTRIES[code]
    found = pycountry.countries.get(alpha_2=code)
    return getattr(found, "common_name", None) or getattr(found, "name", code) if found else code


def country_alpha3(code: str) -> str | None:
    found = pycountry.countries.get(alpha_2=code)
    return found.alpha_3 if found else ("XKX" if code == "XK" else None)


@lru_cache(maxsize=512)
def currency_code(value: str) -> str:
    """ISO 4217 code, upper case."""
    text = value.strip().upper()
    if len(text) == 3 and pycountry.currencies.get(alpha_3=text):
        return text
    raise ValueError(f"{value!r} is not an ISO 4217 currency (use a code such as EUR, USD or SEK)")


@lru_cache(maxsize=65536)
def partial_date(value: str) -> str:
    """A date of year, year-month or year-month-day precision, checked and kept as written."""
    text = value.strip()
    match = _DATE.match(text)
    if not match:
        raise ValueError(f"{value!r} is not a date ({_DATE_HINT})")
    year, month, day = (int(g) if g else None for g in match.groups())
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"{value!r} is not a date: month must be in 1..12 ({_DATE_HINT})")
    if day is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise ValueError(f"{value!r} is not a date: no such day ({_DATE_HINT})")
    return text


def date_floor(value: str) -> str:
    """The first day a partial date may mean: ``2006`` -> ``2006-01-01``."""
    parts = value.split("-")
    return "-".join(parts + ["01"] * (3 - len(parts)))


def date_ceiling(value: str) -> str:
    """The last day a partial date may mean: ``2006-02`` -> ``2006-02-28``."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return f"{parts[0]:04d}-12-31"
    if len(parts) == 2:
        return f"{parts[0]:04d}-{parts[1]:02d}-{calendar.monthrange(parts[0], parts[1])[1]:02d}"
    return value


def split_list(value: str | None, separators: str = "|;") -> list[str]:
    """Split a multi-value cell on ``|`` or ``;`` and drop empty parts."""
    if not value:
        return []
    text = str(value)
    for sep in separators[1:]:
        text = text.replace(sep, separators[0])
    return [part.strip() for part in text.split(separators[0]) if part.strip()]
