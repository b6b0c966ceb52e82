"""RFQ matching queries (search.matching) on a real node, against expectations of the test's own.

A hand-built neighbourhood where near misses crowd around the delivery point
checks that full matches still come first in a short page with near misses.
A few hundred random suppliers (fixed seed) and random requirements are then
checked by brute force: the hits, their order, and what each hit says it meets
(capabilities, certifications and their latest expiry, distance). The brute
force walks the taxonomy's parents and computes distances itself; search.requirements
must agree with it too, since the API decides from it who may see a public RFQ.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest
from search_support import haversine_km

from api.reference import catalog
from search.client import make_client
from search.documents import build_document
from search.index import SupplierIndex
from search.indexer import Upsert, write
from search.matching import build_match_search, read_match
from search.query import GeoPoint
from search.requirements import Lacks, Requirements, latest_valid_until, qualifies, unmet

SEED = 20260315
SUPPLIERS = 300
REQUIREMENT_SETS = 40
ALL = 1000  # more than any index here holds: one page is every hit
# Elasticsearch's distances agree with the haversine to well within this; no supplier is nearer the limit.
DISTANCE_TOLERANCE_KM = 1e-3
BOUNDARY_MARGIN_KM = 5e-3
KM_PER_DEGREE = 111.19508  # of latitude, on the mean-radius sphere

ROUEN = GeoPoint(49.4431, 1.0993)
NEEDED_BY = date(2026, 3, 15)
PARENT = {node.code: node.parent for node in catalog.capabilities()}


# --- the brute force --------------------------------------------------------------------------


def itself_and_ancestors(code: str) -> set[str]:
    codes = set()
    while code in PARENT:
        codes.add(code)
        code = PARENT[code]
    return codes


@dataclass(frozen=True)
class Expected:
    lacks: Lacks
    capabilities_met: tuple[str, ...]
    valid_until: dict[str, date]
    distance_km: float

    @property
    def met(self) -> int:
        return len(self.capabilities_met) + len(self.valid_until)


def expected(requirements: Requirements, profile: dict) -> Expected:
    declared = [c["code"] for c in profile["capabilities"]]
    covered = {code for d in declared for code in itself_and_ancestors(d)}
    on = requirements.valid_on.isoformat()
    valid_until = {}
    for kind in requirements.certifications:
        expiries = [c["valid_until"] for c in profile["certifications"]
                    if c["type"] == kind and c["valid_from"] <= on <= c["valid_until"]]
        if expiries:
            valid_until[kind] = date.fromisoformat(max(expiries))
    distance = min(haversine_km(requirements.point.lat, requirements.point.lon, s["latitude"], s["longitude"])
                   for s in profile["sites"])
    limit = requirements.max_distance_km
    return Expected(
        lacks=Lacks(capabilities=tuple(c for c in requirements.capabilities if c not in covered),
                    certifications=tuple(c for c in requirements.certifications if c not in valid_until),
                    too_far=limit is not None and distance > limit),
        capabilities_met=tuple(c for c in requirements.capabilities if c in covered),
        valid_until=valid_until, distance_km=distance)


def expected_hits(requirements: Requirements, profiles: list[dict], *, include_partial: bool) -> list[str]:
    """Ids in the expected order: requirements met (most first), distance, id."""
    asked = len(requirements.capabilities) + len(requirements.certifications)
    kept = []
    for profile in profiles:
        e = expected(requirements, profile)
        if e.lacks.too_far:
            continue
        if e.met == asked or (include_partial and e.met > 0):
            kept.append((-e.met, e.distance_km, profile["id"]))
    return [supplier_id for *_, supplier_id in sorted(kept)]


# --- suppliers and the index ------------------------------------------------------------------


def site(latitude: float, longitude: float) -> dict:
    return {"city": "Rouen", "country": "FR", "postal_code": "76000", "department": "76",
            "latitude": latitude, "longitude": longitude}


def north_of(point: GeoPoint, km: float) -> dict:
    return site(point.lat + km / KM_PER_DEGREE, point.lon)


def supplier(supplier_id: str, sites: list[dict], capabilities=(), certifications=()) -> dict:
    return {"id": supplier_id, "legal_name": f"Supplier {supplier_id}",
            "updated_at": "2026-01-01T00:00:00+00:00", "sites": sites,
            "capabilities": [{"code": code} for code in capabilities],
            "certifications": [{"type": kind, "valid_from": start.isoformat(), "valid_until": end.isoformat()}
                               for kind, start, end in certifications]}


@pytest.fixture(scope="module")
def node(elasticsearch_url):
    client = make_client(elasticsearch_url)
    yield client
    client.close()


@pytest.fixture(scope="module")
def new_index(node, session_id):
    """Index suppliers in an index of the test's own; every one made is deleted at the end."""
    made: list[SupplierIndex] = []

    def create(name: str, profiles: list[dict]) -> str:
        index = SupplierIndex(node, f"test-{session_id}-matching-{name}")
        index.ensure()
        made.append(index)
        write(node, [Upsert(build_document(profile, catalog), 1) for profile in profiles], index.alias)
        index.refresh()
        return index.alias

    yield create
    names = [name for index in made for name in index.live_indexes()]
    if names:  # deleting can take longer than a search on a busy node
        node.options(request_timeout=60).indices.delete(index=",".join(names))


def hits(node, alias: str, requirements: Requirements, *, include_partial: bool, size: int = ALL,
         search_after: list | None = None) -> list[dict]:
    body = build_match_search(requirements, include_partial=include_partial, size=size,
                              search_after=search_after)
    return node.search(index=alias, **body)["hits"]["hits"]


def ids(found: list[dict]) -> list[str]:
    return [hit["_id"] for hit in found]


# --- near misses crowding the delivery point --------------------------------------------------

DAY = timedelta(days=1)
IATF_VALID = ("iatf-16949", NEEDED_BY - 700 * DAY, NEEDED_BY + 300 * DAY)
IATF_EXPIRED = ("iatf-16949", NEEDED_BY - 700 * DAY, NEEDED_BY - DAY)


def crowded() -> list[dict]:
    # 30 near misses within 15 km, each lacking one of milling + IATF 16949.
    near_misses = [supplier(f"near-{n:02d}", [north_of(ROUEN, 0.5 * (n + 1))],
                            *((["machining.turning"], [IATF_VALID]) if n % 2 else
                              (["machining.milling.3axis"], [IATF_EXPIRED])))
                   for n in range(30)]
    # Five full matches of milling + IATF, farther; the first two also hold ISO 14001, the first EN 9100.
    full = [supplier(f"full-{n}", [north_of(ROUEN, 80), north_of(ROUEN, 30 + 10 * n)],
                     ["machining.milling.5axis"],
                     [("iatf-16949", NEEDED_BY - 700 * DAY, NEEDED_BY + n * DAY),  # full-0: its last day
                      *([("iso-14001", NEEDED_BY, NEEDED_BY + 900 * DAY)] if n < 2 else []),
                      *([("en-9100", NEEDED_BY - DAY, NEEDED_BY + 2 * DAY)] if n == 0 else [])])
            for n in range(5)]
    # Meeting everything, but 150 km away; and without any site.
    certified = [IATF_VALID, ("iso-14001", NEEDED_BY, NEEDED_BY), ("en-9100", NEEDED_BY, NEEDED_BY)]
    too_far = supplier("too-far", [north_of(ROUEN, 150)], ["machining.milling"], certified)
    nowhere = supplier("nowhere", [], ["machining.milling"], certified)
    return near_misses + full + [too_far, nowhere]


def asked(*certifications: str) -> Requirements:
    return Requirements(valid_on=NEEDED_BY, point=ROUEN, capabilities=("machining.milling",),
                        certifications=("iatf-16949", *certifications), max_distance_km=100)


@pytest.fixture(scope="module")
def crowded_index(new_index):
    return new_index("crowded", crowded())


@pytest.mark.parametrize("requirements, full_matches", [
    (asked(), ["full-0", "full-1", "full-2", "full-3", "full-4"]),
    (asked("iso-14001"), ["full-0", "full-1"]),
    (asked("iso-14001", "en-9100"), ["full-0"]),
])
def test_full_matches_come_first_in_a_short_page_crowded_with_near_misses(
        node, crowded_index, requirements, full_matches):
    assert ids(hits(node, crowded_index, requirements, include_partial=False)) == full_matches
    full_page = ids(hits(node, crowded_index, requirements, include_partial=False, size=3))
    partial_page = hits(node, crowded_index, requirements, include_partial=True, size=3)
    assert ids(partial_page)[:len(full_page)] == full_page
    assert [read_match(hit, requirements).full_match for hit in partial_page] \
        == [supplier_id in full_matches for supplier_id in ids(partial_page)]


def test_meeting_more_requirements_ranks_before_being_nearer(node, crowded_index):
    requirements = asked("iso-14001", "en-9100")
    found = hits(node, crowded_index, requirements, include_partial=True, size=8)
    # full-0 meets 4; full-1 3; full-2..4 2 (milling, IATF); then the nearest near misses, 1 each.
    assert ids(found) == ["full-0", "full-1", "full-2", "full-3", "full-4", "near-00", "near-01", "near-02"]
    readings = [read_match(hit, requirements) for hit in found]
    assert readings[0].valid_until == {"iatf-16949": NEEDED_BY, "iso-14001": NEEDED_BY + 900 * DAY,
                                       "en-9100": NEEDED_BY + 2 * DAY}
    assert readings[1].lacks == Lacks(certifications=("en-9100",))
    assert readings[5].lacks == Lacks(certifications=("iatf-16949", "iso-14001", "en-9100"))
    assert readings[6].lacks == Lacks(capabilities=("machining.milling",),
                                      certifications=("iso-14001", "en-9100"))
    assert readings[6].valid_until == {"iatf-16949": NEEDED_BY + 300 * DAY}
    assert readings[5].distance_km == pytest.approx(0.5, abs=DISTANCE_TOLERANCE_KM)
    assert readings[0].distance_km == pytest.approx(30, abs=0.01)  # its nearer site (the other is 80 km)


def test_beyond_the_maximum_distance_meeting_everything_is_no_match(node, crowded_index):
    requirements = asked("iso-14001", "en-9100")
    found = ids(hits(node, crowded_index, requirements, include_partial=True))
    assert "too-far" not in found and "nowhere" not in found


def test_without_a_maximum_distance_any_distance_will_do_and_no_site_comes_last(node, crowded_index):
    anywhere = replace(asked("iso-14001", "en-9100"), max_distance_km=None)
    found = hits(node, crowded_index, anywhere, include_partial=False)
    assert ids(found) == ["full-0", "too-far", "nowhere"]
    assert [read_match(hit, anywhere).distance_km for hit in found] \
        == [pytest.approx(30, abs=0.01), pytest.approx(150, abs=0.01), None]
    assert all(qualifies(anywhere, profile, catalog) for profile in crowded() if profile["id"] in ids(found))


# --- random suppliers, by brute force -----------------------------------------------------------

# Requirements are drawn from these, suppliers mostly declare codes at and below them.
ASKED_CAPABILITIES = ("machining", "machining.milling", "machining.milling.5axis", "machining.turning",
                      "machining.turning.swiss", "machining.grinding", "machining.edm.wire")
ASKED_CERTIFICATIONS = ("iso-9001", "iso-14001", "iatf-16949", "en-9100")
NEEDED_BY_DATES = (date(2026, 3, 15), date(2027, 1, 1), date(2028, 6, 30))
DISTANCES = (None, 15, 40, 80, 150)
EVERY_CAPABILITY = sorted(PARENT)
BELOW_ASKED = [code for code in EVERY_CAPABILITY if itself_and_ancestors(code) & set(ASKED_CAPABILITIES)]


def random_point(rng: random.Random) -> GeoPoint:
    return GeoPoint(round(rng.uniform(48.6, 50.2), 6), round(rng.uniform(-0.2, 2.4), 6))


def random_certificate(rng: random.Random) -> tuple[str, date, date]:
    # Starting or ending on or near a needed-by date (the day before, the day itself, the day after),
    # or just one of the usual three years long.
    anchor = rng.choice(NEEDED_BY_DATES) + rng.choice((-1, 0, 1, rng.randint(-400, 400))) * DAY
    length = rng.choice((0, 1, rng.randint(30, 1200), 1095, 1095)) * DAY
    start, end = rng.choice(((anchor, anchor + length), (anchor - length, anchor),
                             (anchor - length // 2, anchor + length // 2)))
    kind = rng.choice(ASKED_CERTIFICATIONS) if rng.random() < 0.9 else rng.choice(("mase", "iso-13485"))
    return kind, start, end


def random_supplier(rng: random.Random, n: int) -> dict:
    capabilities = [rng.choice(BELOW_ASKED if rng.random() < 0.8 else EVERY_CAPABILITY)
                    for _ in range(rng.choice((1, 2, 3, 4)))]
    sites = [site(p.lat, p.lon) for p in (random_point(rng) for _ in range(rng.choice((1, 1, 2, 3))))]
    certificates = [random_certificate(rng) for _ in range(rng.choice((0, 1, 2, 3, 4)))]
    if certificates and rng.random() < 0.3:  # a renewal: the same type again, other dates
        certificates.append((certificates[0][0], *random_certificate(rng)[1:]))
    return supplier(f"s{n:03d}", sites, capabilities, certificates)


def random_requirements(rng: random.Random, profiles: list[dict]) -> Requirements:
    requirements = Requirements(
        valid_on=rng.choice(NEEDED_BY_DATES), point=random_point(rng),
        capabilities=tuple(rng.sample(ASKED_CAPABILITIES, rng.choice((0, 1, 1, 2, 3)))),
        certifications=tuple(rng.sample(ASKED_CERTIFICATIONS, rng.choice((0, 1, 1, 2)))),
        max_distance_km=rng.choice(DISTANCES))
    return clear_of_the_boundary(requirements, profiles)


def clear_of_the_boundary(requirements: Requirements, profiles: list[dict]) -> Requirements:
    """Widen the limit a little until no supplier is where Elasticsearch and Python may disagree."""
    while requirements.max_distance_km is not None and any(
            abs(expected(requirements, p).distance_km - requirements.max_distance_km) <= BOUNDARY_MARGIN_KM
            for p in profiles):
        requirements = replace(requirements, max_distance_km=requirements.max_distance_km + 0.01)
    return requirements


RNG = random.Random(SEED)
PROFILES = [random_supplier(RNG, n) for n in range(SUPPLIERS)]
REQUIREMENTS = [random_requirements(RNG, PROFILES) for _ in range(REQUIREMENT_SETS)]
BY_ID = {profile["id"]: profile for profile in PROFILES}


@pytest.fixture(scope="module")
def random_index(new_index):
    return new_index("random", PROFILES)


def test_the_random_data_says_something():
    """Enough full matches, and near misses, to tell a right answer from a wrong one."""
    full = [len(expected_hits(r, PROFILES, include_partial=False)) for r in REQUIREMENTS]
    partial = [len(expected_hits(r, PROFILES, include_partial=True)) for r in REQUIREMENTS]
    assert sum(1 for count in full if count >= 3) >= REQUIREMENT_SETS // 3
    assert sum(1 for r, count in zip(REQUIREMENTS, full)
               if r.capabilities and r.certifications and count >= 3) >= 5
    assert sum(1 for f, p in zip(full, partial) if p > f) >= REQUIREMENT_SETS // 2


@pytest.mark.parametrize("n", range(REQUIREMENT_SETS))
def test_full_matches_are_those_meeting_every_requirement_nearest_first(node, random_index, n):
    requirements = REQUIREMENTS[n]
    found = hits(node, random_index, requirements, include_partial=False)
    assert ids(found) == expected_hits(requirements, PROFILES, include_partial=False)
    for hit in found:
        assert read_match(hit, requirements).full_match


@pytest.mark.parametrize("n", range(REQUIREMENT_SETS))
def test_partial_matches_read_as_the_brute_force_says(node, random_index, n):
    requirements = REQUIREMENTS[n]
    found = hits(node, random_index, requirements, include_partial=True)
    assert ids(found) == expected_hits(requirements, PROFILES, include_partial=True)
    for hit in found:
        reading, truth = read_match(hit, requirements), expected(requirements, BY_ID[hit["_id"]])
        assert reading.lacks == truth.lacks
        assert reading.capabilities_met == truth.capabilities_met
        assert reading.valid_until == truth.valid_until
        assert reading.distance_km == pytest.approx(truth.distance_km, abs=DISTANCE_TOLERANCE_KM)
        assert reading.source["id"] == hit["_id"]


@pytest.mark.parametrize("n", range(REQUIREMENT_SETS))
def test_the_rule_on_profiles_says_what_the_index_says(node, random_index, n):
    requirements = REQUIREMENTS[n]
    full = set(ids(hits(node, random_index, requirements, include_partial=False)))
    assert {p["id"] for p in PROFILES if qualifies(requirements, p, catalog)} == full
    for hit in hits(node, random_index, requirements, include_partial=True):
        reading, profile = read_match(hit, requirements), BY_ID[hit["_id"]]
        assert unmet(requirements, profile, catalog) == reading.lacks
        assert {kind: latest_valid_until(profile["certifications"], kind, requirements.valid_on)
                for kind in reading.valid_until} == reading.valid_until


@pytest.mark.parametrize("n", range(0, REQUIREMENT_SETS, 5))
def test_pages_after_the_last_sort_values_add_up_to_the_whole_answer(node, random_index, n):
    requirements, paged, after = REQUIREMENTS[n], [], None
    while page := hits(node, random_index, requirements, include_partial=True, size=7, search_after=after):
        paged.extend(page)
        after = page[-1]["sort"]
    assert ids(paged) == ids(hits(node, random_index, requirements, include_partial=True))
