"""Supplier search against a brute-force oracle.

A few hundred random suppliers (fixed seed) are created through the API; then
hundreds of random searches combine every filter, and each answer is compared
with what a plain Python scan of the same suppliers says: the exact total,
the set of hits, distances to the nearest site, certifications valid on the
date asked, every facet count (disjunctive: each facet with every other
filter applied but not its own), the ring local-first chooses, sort orders.

Some searches carry text (`q`): words of the trade's vocabulary, of capability labels, of
names and cities. The oracle matches them with its own model of the documented behaviour:
text normalised (case, accents, elisions, stop words, plurals), every word (or term of the
vocabulary, cut longest first) required, a word matching the same word anywhere, or from
five letters up one a typo away with the same first letter, or any synonym of its group.

The oracle reads the reference data files itself and computes distances
with its own haversine: nothing in it comes from the code under test.
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from factories import issue_admin_key, new_siret
from search_support import clean_index, folded, haversine_km, refresh, search_all

SEED = 20250417
SUPPLIERS = 300
BATCHES, QUERIES_PER_BATCH = 6, 50  # 300 random queries
DEPARTMENTS = ("14", "27", "50", "61", "76")
CITIES = ("Rouen", "Caen", "Évreux", "Alençon", "Saint-Lô", "Le Havre", "Elbeuf", "Cléon", "Dieppe",
          "Lisieux", "Bernay", "Fécamp")
BELGIAN_CITIES = ("Tournai", "Mons", "Mouscron")
NAME_HEADS = ("Atelier", "ateliers", "Établissements", "Etablissements", "Société", "Usinage", "Tôlerie",
              "Œuvre", "Zénith", "Alpha", "École", "Ecole", "Ébénisterie", "mécanique")
NAME_TAILS = ("Martin", "Lefèvre", "Dupont", "Émery", "Leroy", "Bézier", "Durand", "Ørsted", "Vasseur",
              "Caron", "Hébert", "Lemaître", "Moreau", "Roussel", "Aubé")
SPECIAL_EMPLOYEES = (0, 1, 9, 10, 11, 49, 50, 51, 249, 250, 251, 5000)
# Boundaries where an off-by-one would hide: distance bands and local-first rings.
DISTANCE_BANDS = ((0, 25), (25, 50), (50, 100), (100, 200), (200, None))
RINGS = (25, 50, 100, 200, 500)
BOUNDARY_MARGIN_KM = 1e-3

DATA = Path(__file__).resolve().parents[2] / "api" / "reference" / "data"


# --- reference data, read here from the files --------------------------------------------


@dataclass(frozen=True)
class Reference:
    parent: dict[str, str | None]
    label_fr: dict[str, str]
    label_en: dict[str, str]
    term_groups: tuple[tuple[str, ...], ...]
    certification_types: tuple[str, ...]
    certification_names: dict[str, str]
    sectors: tuple[str, ...]
    digital: tuple[str, ...]

    @classmethod
    def load(cls) -> Reference:
        with (DATA / "capabilities.csv").open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        certifications = json.loads((DATA / "certification_types.json").read_text(encoding="utf-8"))
        return cls(
            parent={r["code"]: r["parent"] or None for r in rows},
            label_fr={r["code"]: r["label_fr"] for r in rows},
            label_en={r["code"]: r["label_en"] for r in rows},
            term_groups=tuple(tuple(g["terms"]) for g in
                              json.loads((DATA / "vocabulary.json").read_text(encoding="utf-8"))["groups"]),
            certification_types=tuple(c["code"] for c in certifications),
            certification_names={c["code"]: c["name"] for c in certifications},
            sectors=tuple(s["code"] for s in json.loads((DATA / "sectors.json").read_text(encoding="utf-8"))),
            digital=tuple(d["code"] for d in
                          json.loads((DATA / "digital_capabilities.json").read_text(encoding="utf-8"))),
        )

    def with_ancestors(self, code: str) -> set[str]:
        codes = set()
        while code is not None:
            codes.add(code)
            code = self.parent[code]
        return codes


REFERENCE = Reference.load()


# --- text, as the product brief and issue 14 describe it ---------------------------------------

STOP_WORDS = set("a au aux avec ce ces dans de des du en et la le les leur ou par pour sur un une "
                 "an and at by for from in of on or the to with".split())


def singular(word: str) -> str:
    if len(word) <= 3 or word.isdigit():
        return word
    for plural, single in (("eaux", "eau"), ("eux", "eu")):
        if word.endswith(plural):
            return word[:-len(plural)] + single
    if word.endswith("aux") and len(word) > 4:
        return word[:-3] + "al"
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith(("ss", "us", "is")) else word


def words_of(text: str | None) -> tuple[str, ...]:
    unelided = re.sub(r"\b(?:[cdjlmnst]|qu)['’]", " ", folded(text or "").replace("ı", "i"))
    return tuple(singular(w) for w in re.findall(r"\w+", unelided) if w not in STOP_WORDS)


def one_typo_apart(a: str, b: str) -> bool:
    """One insertion, deletion, substitution or swap of neighbours (Damerau)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def fuzzy_equal(typed: str, word: str) -> bool:
    return typed == word or (len(typed) >= 5 and typed[0] == word[0] and one_typo_apart(typed, word))


GROUP_OF = {words_of(term): number for number, group in enumerate(REFERENCE.term_groups) for term in group}
LONGEST_TERM = max(map(len, GROUP_OF))


def word_group(word: str) -> int | None:
    """A word's synonym group: its own, else the only one with a one-word term one typo away."""
    if (word,) in GROUP_OF:
        return GROUP_OF[(word,)]
    near = {group for term, group in GROUP_OF.items() if len(term) == 1 and fuzzy_equal(word, term[0])}
    return near.pop() if len(near) == 1 else None


def groups_in(words: tuple[str, ...]) -> set[int]:
    return {GROUP_OF[words[i:j]] for i in range(len(words))
            for j in range(i + 1, min(len(words), i + LONGEST_TERM) + 1) if words[i:j] in GROUP_OF}


def text_units(text: str) -> list[tuple[tuple[str, ...], int | None]]:
    """The query's words cut, left to right, into the longest terms of the vocabulary."""
    words, units, i = words_of(text), [], 0
    while i < len(words):
        j = next((j for j in range(min(len(words), i + LONGEST_TERM), i + 1, -1) if words[i:j] in GROUP_OF), None)
        units.append((words[i:j], GROUP_OF[words[i:j]]) if j else ((words[i],), word_group(words[i])))
        i = j or i + 1
    return units
# Most certifications come from a few common types, so that "all of them" queries match someone.
COMMON_CERTIFICATIONS = ("iso-9001", "iso-14001", "iatf-16949", "en-9100", "mase", "iso-13485")


# --- the dataset ------------------------------------------------------------------------------


def random_day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def random_site(rng: random.Random) -> dict:
    site = {"latitude": round(rng.uniform(47.0, 50.5), 6), "longitude": round(rng.uniform(-1.5, 3.5), 6)}
    if rng.random() < 0.1:
        return {**site, "city": rng.choice(BELGIAN_CITIES), "country": "BE",
                "postal_code": str(rng.randint(1000, 9999))}
    return {**site, "city": rng.choice(CITIES), "country": "FR",
            "postal_code": f"{rng.choice(DEPARTMENTS)}{rng.randint(0, 999):03d}"}


def random_certification(rng: random.Random) -> dict:
    kind = rng.choice(COMMON_CERTIFICATIONS) if rng.random() < 0.85 else rng.choice(REFERENCE.certification_types)
    valid_from = random_day(rng, date(2018, 1, 1), date(2028, 1, 1))
    valid_until = valid_from + timedelta(days=rng.choice((0, 1, rng.randint(30, 1500), rng.randint(30, 1500))))
    return {"type": kind, "valid_from": valid_from.isoformat(), "valid_until": valid_until.isoformat()}


def random_profile(rng: random.Random) -> dict:
    capability_codes = list(REFERENCE.parent)
    employees = (None if rng.random() < 0.15 else
                 rng.choice(SPECIAL_EMPLOYEES) if rng.random() < 0.4 else rng.randint(0, 2000))
    certifications = [random_certification(rng) for _ in range(rng.choice((0, 1, 1, 2, 2, 3)))]
    if certifications and rng.random() < 0.15:  # a renewal: the same type again, other dates
        certifications.append({**random_certification(rng), "type": certifications[0]["type"]})
    return {
        "legal_name": f"{rng.choice(NAME_HEADS)} {rng.choice(NAME_TAILS)}",
        "trade_name": f"{rng.choice(NAME_HEADS)} {rng.choice(NAME_TAILS)}" if rng.random() < 0.3 else None,
        "country": "FR",
        "siret": new_siret(),
        "employees": employees,
        "sites": [random_site(rng) for _ in range(rng.randint(1, 3))],
        "capabilities": [{"code": code} for code in rng.sample(capability_codes, rng.choice((0, 1, 2, 2, 3, 4)))],
        "certifications": certifications,
        "sectors": rng.sample(REFERENCE.sectors, rng.randint(0, 3)),
        "digital": rng.sample(REFERENCE.digital, rng.randint(0, 3)),
    }


@dataclass(frozen=True)
class Supplier:
    """What the oracle knows of a supplier: the profile the API stored."""

    id: str
    name: str
    employees: int | None
    sites: tuple[dict, ...]
    capabilities: tuple[str, ...]
    certifications: tuple[dict, ...]
    sectors: frozenset[str]
    digital: frozenset[str]
    updated_at: str
    words: frozenset[str]  # of its names, capability labels (ancestors too), cities, description
    groups: frozenset[int]  # synonym groups its names, labels and description mention

    @classmethod
    def of(cls, stored: dict) -> Supplier:
        codes = tuple(c["code"] for c in stored["capabilities"])
        labels = [label for code in set().union(*(REFERENCE.with_ancestors(c) for c in codes))
                  for label in (REFERENCE.label_fr[code], REFERENCE.label_en[code])]
        texts = [stored["legal_name"], stored["trade_name"], *labels, stored["description"]]
        words = {w for text in texts + [site["city"] for site in stored["sites"]] for w in words_of(text)}
        return cls(stored["id"], stored["trade_name"] or stored["legal_name"], stored["employees"],
                   tuple(stored["sites"]), codes, tuple(stored["certifications"]), frozenset(stored["sectors"]),
                   frozenset(stored["digital"]), stored["updated_at"], frozenset(words),
                   frozenset(group for text in texts for group in groups_in(words_of(text))))

    def matches(self, text: str, *, synonyms: bool = True) -> bool:
        def named(group: int | None) -> bool:
            return synonyms and group in self.groups

        def has(word: str) -> bool:
            return named(word_group(word)) or any(fuzzy_equal(word, mine) for mine in self.words)

        return all(named(group) or all(map(has, words)) for words, group in text_units(text))

    @property
    def capability_closure(self) -> set[str]:
        """Declared capabilities and all their ancestors: the nodes this supplier counts for."""
        return set().union(*(REFERENCE.with_ancestors(code) for code in self.capabilities))

    @property
    def departments(self) -> set[str]:
        return {site["department"] for site in self.sites if site["department"]}

    @property
    def countries(self) -> set[str]:
        return {site["country"] for site in self.sites}

    @property
    def size(self) -> str | None:
        if self.employees is None:
            return None
        return "micro" if self.employees < 10 else "small" if self.employees < 50 else (
            "medium" if self.employees < 250 else "large")

    def valid_types(self, on: date) -> set[str]:
        return {c["type"] for c in self.certifications if is_valid(c, on)}

    def distance_km(self, lat: float, lon: float) -> float:
        return min(haversine_km(lat, lon, site["latitude"], site["longitude"]) for site in self.sites)


def is_valid(certification: dict, on: date) -> bool:
    return date.fromisoformat(certification["valid_from"]) <= on <= date.fromisoformat(certification["valid_until"])


@dataclass
class Dataset:
    suppliers: list[Supplier]
    by_id: dict[str, Supplier]


def random_description(rng: random.Random) -> str | None:
    """Words of the trade, as a supplier would list them."""
    if rng.random() < 0.3:
        return None
    terms = [rng.choice(rng.choice(REFERENCE.term_groups)) for _ in range(rng.randint(1, 4))]
    return f"{rng.choice(('Spécialiste', 'Atelier', 'Experts in'))} : {', '.join(terms)}."


@pytest.fixture(scope="module")
def dataset(app):
    with clean_index(app):
        client = app.test_client()
        admin = issue_admin_key(app)
        rng, text_rng = random.Random(SEED), random.Random(f"{SEED}-text")
        suppliers = []
        for _ in range(SUPPLIERS):
            profile = {**random_profile(rng), "description": random_description(text_rng)}
            response = client.post("/api/v1/suppliers", headers=admin.headers, json=profile)
            assert response.status_code == 201, response.get_json()
            suppliers.append(Supplier.of(response.get_json()))
        refresh(app)
        yield Dataset(suppliers, {s.id: s for s in suppliers})


# --- queries ----------------------------------------------------------------------------------


@dataclass
class Query:
    """One random search, both as URL parameters and as what the oracle needs."""

    capabilities: list[str] = field(default_factory=list)
    capability_mode: str | None = None
    certifications: list[str] = field(default_factory=list)
    certification_mode: str | None = None
    valid_on: date | None = None
    sectors: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    sizes: list[str] = field(default_factory=list)
    digital: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    point: tuple[float, float] | None = None
    radius_km: float | None = None
    min_results: int | None = None  # local_first
    sort: str | None = None
    page_size: int = 100
    text: str | None = None

    @property
    def day(self) -> date:
        return self.valid_on or date.today()

    def params(self) -> list[tuple[str, str]]:
        params = [("capability", c) for c in self.capabilities]
        params += [("certification", c) for c in self.certifications]
        params += [("sector", v) for v in self.sectors] + [("department", v) for v in self.departments]
        params += [("size", v) for v in self.sizes] + [("digital", v) for v in self.digital]
        params += [("country", v) for v in self.countries]
        for name in ("capability_mode", "certification_mode", "sort", "radius_km"):
            if getattr(self, name) is not None:
                params.append((name, str(getattr(self, name))))
        if self.valid_on:
            params.append(("valid_on", self.valid_on.isoformat()))
        if self.point:
            params += [("lat", str(self.point[0])), ("lon", str(self.point[1]))]
        if self.min_results is not None:
            params += [("local_first", "true"), ("min_results", str(self.min_results))]
        if self.text is not None:
            params.append(("q", self.text))
        return params + [("page_size", str(self.page_size))]


class QueryMaker:
    def __init__(self, rng: random.Random, dataset: Dataset):
        self.rng, self.dataset = rng, dataset

    def capability_code(self) -> str:
        """Mostly a node someone declares or is under; sometimes any node at all."""
        rng = self.rng
        declared = [code for s in self.dataset.suppliers for code in s.capabilities]
        if rng.random() < 0.75:
            return rng.choice(sorted(REFERENCE.with_ancestors(rng.choice(declared))))
        return rng.choice(list(REFERENCE.parent))

    def valid_on(self) -> date | None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.25:
            return None
        if roll < 0.5:  # on, or a day off, a validity boundary
            certification = rng.choice([c for s in self.dataset.suppliers for c in s.certifications])
            edge = date.fromisoformat(certification[rng.choice(("valid_from", "valid_until"))])
            return edge + timedelta(days=rng.choice((-1, 0, 0, 1)))
        return random_day(rng, date(2018, 6, 1), date(2030, 1, 1))

    def point(self) -> tuple[float, float]:
        return round(self.rng.uniform(46.5, 51.0), 5), round(self.rng.uniform(-2.0, 4.0), 5)

    def text(self) -> str:
        """One or two of a supplier's words: a synonym of a term its profile holds, a word of a
        capability label, its city, a word of its name; sometimes with a typo."""
        rng = self.rng
        s = rng.choice(self.dataset.suppliers)
        labels = [label for code in s.capabilities for label in (REFERENCE.label_fr[code], REFERENCE.label_en[code])]
        pieces = []
        for _ in range(rng.choice((1, 1, 2))):
            kind = rng.random()
            if kind < 0.45 and s.groups:
                pieces.append(rng.choice(REFERENCE.term_groups[rng.choice(sorted(s.groups))]))
            elif kind < 0.75 and labels:
                pieces.append(rng.choice(re.findall(r"\w+", rng.choice(labels))))
            elif kind < 0.85:
                pieces.append(rng.choice(s.sites)["city"])
            else:
                pieces.append(rng.choice(s.name.split()))
        text = " ".join(pieces)
        if rng.random() < 0.15 and len(text) > 5:  # a swap of two letters after the first
            i = rng.randrange(1, len(text) - 1)
            text = text[:i] + text[i + 1] + text[i] + text[i + 2:]
        return text

    def make(self, *, local_first: bool | None = None, point: bool | None = None,
             sort: str | None = None) -> Query:
        """A random query; local_first / point force (True) or forbid (False) them."""
        rng = self.rng
        q = Query()
        if rng.random() < 0.35:
            q.capabilities = [self.capability_code() for _ in range(rng.choice((1, 1, 2)))]
            q.capability_mode = rng.choice((None, "any", "all"))
        if rng.random() < 0.35:
            q.certifications = rng.sample(COMMON_CERTIFICATIONS, rng.choice((1, 1, 2)))
            q.certification_mode = rng.choice((None, "any", "all"))
        q.valid_on = self.valid_on()
        if rng.random() < 0.25:
            q.sectors = rng.sample(REFERENCE.sectors, rng.choice((1, 2, 3)))
        if rng.random() < 0.25:
            q.departments = rng.sample(DEPARTMENTS, rng.choice((1, 2)))
        if rng.random() < 0.25:
            q.sizes = rng.sample(("micro", "small", "medium", "large"), rng.choice((1, 2)))
        if rng.random() < 0.2:
            q.digital = rng.sample(REFERENCE.digital, rng.choice((1, 2)))
        if rng.random() < 0.15:
            q.countries = [rng.choice(("FR", "BE", "fr", "be", "DE"))]
        if rng.random() < 0.3:
            q.text = self.text()
        if local_first or point or (point is None and local_first is None and rng.random() < 0.55):
            q.point = self.point()
            if local_first or (local_first is None and rng.random() < 0.2):
                q.min_results = rng.choice((1, 2, 5, 10, 20, 50, 100))
            elif rng.random() < 0.5:
                q.radius_km = rng.choice((rng.randint(1, 400), round(rng.uniform(5, 300), 2)))
        q.sort = sort if sort is not None else rng.choice(
            (None, None, "name", "updated", "relevance") + (("distance",) if q.point else ()))
        if not self.safe(q):
            return self.make(local_first=local_first, point=point, sort=sort)
        return q

    def safe(self, q: Query) -> bool:
        """No supplier within a metre of a distance threshold (float noise would decide there)."""
        if not q.point:
            return True
        thresholds = [25, 50, 100, 200, 500] + ([q.radius_km] if q.radius_km else [])
        return all(abs(s.distance_km(*q.point) - t) > BOUNDARY_MARGIN_KM
                   for s in self.dataset.suppliers for t in thresholds)


# --- the oracle -------------------------------------------------------------------------------


class Oracle:
    """What a search must answer, by scanning every supplier."""

    FACETS = ("capability", "certification", "sector", "department", "size", "digital", "distance")

    def __init__(self, suppliers: list[Supplier], query: Query):
        self.suppliers, self.q = suppliers, query
        self.radius_km = query.radius_km
        if query.min_results is not None:
            self.radius_km = self.local_first_radius()

    def distance(self, s: Supplier) -> float | None:
        return s.distance_km(*self.q.point) if self.q.point else None

    # one predicate per filter; an empty filter lets everyone through
    def capability(self, s: Supplier) -> bool:
        if not self.q.capabilities:
            return True
        closure = s.capability_closure
        found = [code in closure for code in self.q.capabilities]
        return all(found) if self.q.capability_mode == "all" else any(found)

    def certification(self, s: Supplier) -> bool:
        if not self.q.certifications:
            return True
        held = s.valid_types(self.q.day)
        found = [kind in held for kind in self.q.certifications]
        return all(found) if self.q.certification_mode == "all" else any(found)

    def sector(self, s: Supplier) -> bool:
        return not self.q.sectors or bool(s.sectors & set(self.q.sectors))

    def department(self, s: Supplier) -> bool:
        return not self.q.departments or bool(s.departments & set(self.q.departments))

    def size(self, s: Supplier) -> bool:
        return not self.q.sizes or s.size in self.q.sizes

    def digital(self, s: Supplier) -> bool:
        return not self.q.digital or bool(s.digital & set(self.q.digital))

    def country(self, s: Supplier) -> bool:
        return not self.q.countries or bool(s.countries & {c.upper() for c in self.q.countries})

    def text(self, s: Supplier) -> bool:
        return self.q.text is None or s.matches(self.q.text)

    def within(self, s: Supplier, radius_km: float | None) -> bool:
        return radius_km is None or self.distance(s) <= radius_km

    def matching(self, but: str | None = None) -> list[Supplier]:
        """Suppliers passing every filter except the facet `but`."""
        checks = [getattr(self, name) for name in self.FACETS[:-1] if name != but] + [self.country, self.text]
        if but != "distance":
            checks.append(lambda s: self.within(s, self.radius_km))
        return [s for s in self.suppliers if all(check(s) for check in checks)]

    def hits(self) -> list[Supplier]:
        return self.matching()

    def local_first_radius(self) -> int | None:
        candidates = self.matching("distance")
        return next((ring for ring in RINGS
                     if sum(self.distance(s) <= ring for s in candidates) >= self.q.min_results), None)

    # facets: value -> number of suppliers, computed without the facet's own filter
    def capability_facet(self) -> Counter:
        return Counter(code for s in self.matching("capability") for code in s.capability_closure)

    def certification_facet(self) -> Counter:
        return Counter(kind for s in self.matching("certification") for kind in s.valid_types(self.q.day))

    def sector_facet(self) -> Counter:
        return Counter(v for s in self.matching("sector") for v in s.sectors)

    def department_facet(self) -> Counter:
        return Counter(v for s in self.matching("department") for v in s.departments)

    def size_facet(self) -> Counter:
        return Counter(s.size for s in self.matching("size") if s.size)

    def digital_facet(self) -> Counter:
        return Counter(v for s in self.matching("digital") for v in s.digital)

    def distance_facet(self) -> list[tuple[int, int | None, int]]:
        """(from, to, count) per band; a band holds distances in (from, to], the first one [0, 25]."""
        distances = [self.distance(s) for s in self.matching("distance")]
        return [(low, high, sum((d > low or low == 0) and (high is None or d <= high) for d in distances))
                for low, high in DISTANCE_BANDS]

    def order(self, sort: str) -> list[str] | None:
        """Expected order of hit ids, for the sorts with a defined order."""
        hits = self.hits()
        if sort == "name":
            return [s.id for s in sorted(hits, key=lambda s: (folded(s.name), s.id))]
        if sort == "updated":  # Elasticsearch dates keep milliseconds
            return [s.id for s in sorted(hits, key=lambda s: (-epoch_ms(s.updated_at), s.id))]
        return None


def epoch_ms(timestamp: str) -> int:
    return (datetime.fromisoformat(timestamp) - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(milliseconds=1)


# --- comparing ---------------------------------------------------------------------------------


def effective_sort(q: Query) -> str:
    return q.sort or ("relevance" if q.text else "distance" if q.point else "name")


def discrepancies(q: Query, pages: list[dict], hits: list[dict], oracle: Oracle) -> list[str]:
    """Everything the API answered differently from the oracle (empty when all agree)."""
    problems = []
    expected = {s.id: s for s in oracle.hits()}
    first = pages[0]

    totals = {page["total"] for page in pages}
    if totals != {len(expected)}:
        problems.append(f"total {sorted(totals)} != {len(expected)}")
    ids = [hit["id"] for hit in hits]
    if len(ids) != len(set(ids)):
        problems.append(f"{len(ids) - len(set(ids))} hits repeated across pages")
    if set(ids) != set(expected):
        problems.append(f"hits: {len(set(ids) - set(expected))} unexpected, {len(set(expected) - set(ids))} missing")
    for page in pages[:-1]:
        if len(page["items"]) != q.page_size:
            problems.append(f"a page before the last has {len(page['items'])} items")
    if first["radius_km"] != oracle.radius_km:
        problems.append(f"radius_km {first['radius_km']} != {oracle.radius_km}")
    if first["valid_on"] != q.day.isoformat():
        problems.append(f"valid_on {first['valid_on']} != {q.day}")

    for hit in hits:
        s = expected.get(hit["id"])
        if s is None:
            continue
        if hit["name"] != s.name or hit["size"] != s.size or hit["capabilities"] != list(s.capabilities):
            problems.append(f"{s.id}: name/size/capabilities {hit['name']!r} {hit['size']} {hit['capabilities']}")
        got = sorted((c["type"], c["valid_from"], c["valid_until"], c["valid_on_date"]) for c in hit["certifications"])
        want = sorted((c["type"], c["valid_from"], c["valid_until"], is_valid(c, q.day)) for c in s.certifications)
        if got != want:
            problems.append(f"{s.id}: certifications {got} != {want}")
        if q.point:
            d = oracle.distance(s)
            if "distance_km" not in hit or abs(hit["distance_km"] - d) > max(0.005 * d, 0.002):
                problems.append(f"{s.id}: distance_km {hit.get('distance_km')} != {d:.3f}")
        elif "distance_km" in hit:
            problems.append(f"{s.id}: distance_km without a point")

    facets = first["facets"]
    want_keys = set(Oracle.FACETS) - (set() if q.point else {"distance"})
    if set(facets) != want_keys:
        problems.append(f"facet names {sorted(facets)} != {sorted(want_keys)}")
    for name in ("capability", "certification", "sector", "department", "size", "digital"):
        got = {b["value"]: b["count"] for b in facets.get(name, [])}
        want = dict(getattr(oracle, f"{name}_facet")())
        if got != want:
            diff = {k: (got.get(k), want.get(k)) for k in got.keys() | want.keys() if got.get(k) != want.get(k)}
            problems.append(f"facet {name}: (api, oracle) {diff}")
    for bucket in facets.get("capability", []):
        if bucket["parent"] != REFERENCE.parent[bucket["value"]] or bucket["label_fr"] != REFERENCE.label_fr[bucket["value"]]:
            problems.append(f"capability bucket {bucket}")
        if bucket["parent"] and bucket["parent"] not in {b["value"] for b in facets["capability"]}:
            problems.append(f"capability {bucket['value']} listed without its parent")
    for bucket in facets.get("certification", []):
        if bucket["label"] != REFERENCE.certification_names[bucket["value"]]:
            problems.append(f"certification bucket {bucket}")
    if q.point:
        got = [(b["from_km"], b["to_km"], b["count"]) for b in facets["distance"]]
        if got != oracle.distance_facet():
            problems.append(f"facet distance {got} != {oracle.distance_facet()}")

    sort = effective_sort(q)
    order = oracle.order(sort)
    if order is not None and ids != order:
        first_diff = next(i for i, (a, b) in enumerate(zip(ids, order)) if a != b) if len(ids) == len(order) else 0
        problems.append(f"sort={sort}: order differs from the oracle's at {first_diff}: "
                        f"{[(hit['name'], hit['id'][:8], hit.get('updated_at')) for hit in hits[max(0, first_diff - 1):first_diff + 2]]}")
    if sort == "distance":
        distances = [oracle.distance(expected[i]) for i in ids if i in expected]
        if any(a > b + BOUNDARY_MARGIN_KM for a, b in zip(distances, distances[1:])):
            problems.append("sort=distance: distances decrease")
    return problems


def check(client, dataset: Dataset, queries: list[Query]) -> dict:
    """Run every query; fail with every discrepancy found, else return some statistics."""
    failures, stats = [], Counter()
    for q in queries:
        pages, hits = search_all(client, q.params())
        oracle = Oracle(dataset.suppliers, q)
        problems = discrepancies(q, pages, hits, oracle)
        if problems:
            failures.append(f"{q.params()}\n    " + "\n    ".join(problems[:8]))
        stats["queries"] += 1
        stats["with hits"] += bool(hits)
        if q.text:
            stats["with text"] += 1
            stats["found through a synonym"] += sum(not s.matches(q.text, synonyms=False) for s in oracle.hits())
        stats["pages"] += len(pages)
    assert not failures, f"{len(failures)} of {len(queries)} searches disagree with the oracle:\n" + \
        "\n".join(failures[:10])
    return stats


# --- tests -------------------------------------------------------------------------------------


def test_stored_sites_have_the_department_of_their_postal_code(dataset):
    """The oracle takes departments from what the API stored; check them against the postal codes."""
    for s in dataset.suppliers:
        for site in s.sites:
            want = site["postal_code"][:2] if site["country"] == "FR" else None
            assert site["department"] == want, site


@pytest.mark.parametrize("batch", range(BATCHES))
def test_random_searches_agree_with_the_oracle(client, dataset, batch):
    maker = QueryMaker(random.Random(f"{SEED}-{batch}"), dataset)
    stats = check(client, dataset, [maker.make() for _ in range(QUERIES_PER_BATCH)])
    # The random queries must not be trivially empty: most of them find someone, and some of
    # those with text find a supplier through a synonym only.
    assert stats["with hits"] >= QUERIES_PER_BATCH // 2, stats
    assert stats["with text"] >= 8 and stats["found through a synonym"] >= 1, stats


def test_local_first_picks_the_smallest_ring_with_enough_suppliers(client, dataset):
    maker = QueryMaker(random.Random(f"{SEED}-local-first"), dataset)
    queries = [maker.make(local_first=True) for _ in range(60)]
    check(client, dataset, queries)
    chosen = Counter(Oracle(dataset.suppliers, q).radius_km for q in queries)
    # The sample exercises several rings, and the case where no ring is enough.
    assert len(chosen) >= 3 and None in chosen, chosen


@pytest.mark.parametrize("sort", ["name", "distance", "updated"])
def test_sort_orders_agree_with_the_oracle(client, dataset, sort):
    maker = QueryMaker(random.Random(f"{SEED}-sort-{sort}"), dataset)
    queries = [maker.make(sort=sort, point=sort == "distance" or None) for _ in range(15)]
    queries.append(Query(sort=sort, point=(49.3124, 1.0295) if sort == "distance" else None, page_size=37))
    check(client, dataset, queries)
