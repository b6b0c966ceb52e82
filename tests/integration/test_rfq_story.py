"""The founding story, end to end.

The car-engine plant at Cléon needs 1000 machined aluminium gearbox housings,
IATF 16949 certified, from within 50 km. Its buyer publishes an RFQ, asks who
around can do it, invites the best three, gets one refusal and two quotes (one
revised), compares them, closes and awards. Each step must show in the
buyer's change feed, and in each supplier's only what concerns it.

Every expectation below is worked out by hand from the suppliers' table:
distances with the haversine formula on the coordinates chosen here, scores
with the weights the API documents (proximity 0.5, certification headroom
0.2, coverage 0.2, digital readiness 0.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from api.rfqs import matching

from factories import create_supplier, issue_admin_key, onboard, problem
from rfq_support import (
    CLEON,
    certificate,
    create_rfq,
    haversine_km,
    instant_feed,
    invite,
    list_quotes,
    needed_by,
    ok,
    quote_body,
    read_feed,
    rfq_path,
    site,
    submit_quote,
    transition,
)

NEEDED_BY = needed_by()
MAX_DISTANCE_KM = 50


@dataclass(frozen=True)
class Candidate:
    name: str
    sites: list[dict]
    capabilities: list[str]
    iatf_days_past_need: int | None  # IATF 16949 expiry, in days after needed_by (None: not held)
    digital: list[str]

    def profile(self) -> dict:
        certifications = [certificate("iso-9001", NEEDED_BY + timedelta(days=700))]
        if self.iatf_days_past_need is not None:
            certifications.append(certificate("iatf-16949", self.iatf_expiry))
        return {"legal_name": f"{self.name} SAS", "trade_name": self.name, "sites": self.sites,
                "capabilities": [{"code": code} for code in self.capabilities],
                "certifications": certifications, "digital": self.digital}

    @property
    def iatf_expiry(self) -> date:
        return NEEDED_BY + timedelta(days=self.iatf_days_past_need)

    @property
    def distance_km(self) -> float:
        return min(haversine_km(*CLEON, s["latitude"], s["longitude"]) for s in self.sites)


ELBEUF = site("Elbeuf", "76500", 49.2867, 1.0029)
ROUEN = site("Rouen", "76000", 49.4431, 1.0993)
LOUVIERS = site("Louviers", "27400", 49.2167, 1.1667)
EVREUX = site("Évreux", "27000", 49.0241, 1.1508)
LYON = site("Lyon", "69003", 45.7485, 4.8467)
ROUVRAY = site("Saint-Étienne-du-Rouvray", "76800", 49.3779, 1.1047)
OISSEL = site("Oissel", "76350", 49.3331, 1.0941)
CAUDEBEC = site("Caudebec-lès-Elbeuf", "76320", 49.2808, 1.0219)

SUPPLIERS = {
    # closest, but its IATF certificate runs out two months after the need: little headroom
    "elbeuf": Candidate("Aluminium Usinage Elbeuf", [ELBEUF], ["machining.milling.5axis"], 60, ["edi"]),
    # declares the required node itself; long certificate; fully digital
    "rouen": Candidate("Fraisage Rouennais", [ROUEN], ["machining.milling"], 500,
                       ["edi", "api-integration", "e-invoicing"]),
    "louviers": Candidate("Louviers Mécanique", [LOUVIERS],
                          ["machining.milling.3axis", "machining.turning.cnc"], 400, []),
    # head office in Lyon, but a plant in Évreux: the nearest site counts
    "evreux": Candidate("Groupe Rhône-Seine Usinage", [LYON, EVREUX], ["machining.milling.hsm"], 200, ["edi"]),
    # would be second closest, but its IATF certificate expires a month before the need
    "rouvray": Candidate("Rouvray Précision", [ROUVRAY], ["machining.milling.5axis"], -30, ["edi"]),
    # everything asked, but 489 km away
    "lyon": Candidate("Usinage Lyonnais", [LYON], ["machining.milling.5axis"], 400, ["edi"]),
    # certified, close, but turns rather than mills
    "oissel": Candidate("Oissel Décolletage", [OISSEL], ["machining.turning.cnc"], 400, []),
    # close, but neither mills nor holds IATF 16949: not even a near miss
    "caudebec": Candidate("Chaudronnerie de Caudebec", [CAUDEBEC], ["joining.welding.tig"], None, []),
}

# Written by hand from the table above (the scores are checked against the formula below).
FULL_MATCHES = ["rouen", "louviers", "elbeuf", "evreux"]  # best first
NEAR_MISSES = {  # after the full matches, best first: what each lacks
    "oissel": {"capabilities": ["machining.milling"], "certifications": []},
    "rouvray": {"capabilities": [], "certifications": ["iatf-16949"]},
}
COVERED_BY = {"rouen": ["machining.milling"], "louviers": ["machining.milling.3axis"],
              "elbeuf": ["machining.milling.5axis"], "evreux": ["machining.milling.hsm"],
              "rouvray": ["machining.milling.5axis"], "oissel": []}
WEIGHTS = {"proximity": 0.5, "certification_headroom": 0.2, "coverage": 0.2, "digital": 0.1}


def expected_parts(key: str) -> dict[str, float]:
    """The score parts of a candidate, from its row of the table."""
    candidate = SUPPLIERS[key]
    lacks = NEAR_MISSES.get(key, {"capabilities": [], "certifications": []})
    valid_iatf = "iatf-16949" not in lacks["certifications"]
    return {
        "proximity": 1 - candidate.distance_km / MAX_DISTANCE_KM,
        # a certificate valid a year or more past the need is as good as it gets; none is worth nothing
        "certification_headroom": min(1.0, candidate.iatf_days_past_need / 365) if valid_iatf else 0.0,
        "coverage": (2 - len(lacks["capabilities"]) - len(lacks["certifications"])) / 2,
        "digital": len({"edi", "api-integration", "e-invoicing"} & set(candidate.digital)) / 3,
    }


def expected_score(key: str) -> float:
    return sum(WEIGHTS[name] * value for name, value in expected_parts(key).items())


def test_the_hand_written_ranking_agrees_with_the_formula():
    """Guards the table: the orders written above are the ones the documented weights give."""
    assert sorted(FULL_MATCHES, key=expected_score, reverse=True) == FULL_MATCHES
    assert sorted(NEAR_MISSES, key=expected_score, reverse=True) == list(NEAR_MISSES)
    assert SUPPLIERS["lyon"].distance_km > MAX_DISTANCE_KM > SUPPLIERS["evreux"].distance_km
    assert SUPPLIERS["rouvray"].iatf_expiry < NEEDED_BY


@dataclass
class Cluster:
    admin: object
    buyer: object
    ids: dict[str, str]  # table key -> supplier id
    keys: dict[str, object]  # table key -> supplier actor (for the suppliers that have a key)

    def key_of(self, supplier_id: str) -> str:
        return next(key for key, sid in self.ids.items() if sid == supplier_id)


@pytest.fixture()
def cluster(app, client, supplier_index, monkeypatch) -> Cluster:
    instant_feed(monkeypatch)
    admin = issue_admin_key(app)
    buyer = onboard(client, admin, "buyer", "Usine de Cléon — achats")
    ids, keys = {}, {}
    for key, candidate in SUPPLIERS.items():
        organisation_id = None
        if key in ("elbeuf", "rouen", "louviers", "rouvray"):
            keys[key] = onboard(client, admin, "supplier", candidate.name)
            organisation_id = keys[key].organisation_id
        profile, _ = create_supplier(client, admin, organisation_id=organisation_id, **candidate.profile())
        ids[key] = profile["id"]
    supplier_index.refresh()
    return Cluster(admin, buyer, ids, keys)


def published_rfq(client, cluster: Cluster) -> dict:
    rfq, _ = create_rfq(client, cluster.buyer, near="Cléon", max_distance_km=MAX_DISTANCE_KM,
                        required_capabilities=["machining.milling"], required_certifications=["iatf-16949"],
                        needed_by=NEEDED_BY.isoformat())
    return transition(client, cluster.buyer, rfq["id"], "publish")


def matches(client, cluster: Cluster, rfq_id: str, **query) -> dict:
    return ok(client.get(rfq_path(rfq_id, "matches"), headers=cluster.buyer.headers, query_string=query))


def assert_explained(match: dict, key: str) -> None:
    candidate = SUPPLIERS[key]
    assert match["name"] == candidate.name
    assert match["distance_km"] == pytest.approx(candidate.distance_km, abs=0.01)
    assert match["full_match"] is (key not in NEAR_MISSES)
    if COVERED_BY[key]:
        assert match["capabilities_covered"] == [{"required": "machining.milling", "declared": COVERED_BY[key]}]
    else:
        assert match["capabilities_covered"] == []
    if key in NEAR_MISSES and NEAR_MISSES[key]["certifications"]:
        assert match["certifications"] == []
    else:
        assert match["certifications"] == [{"type": "iatf-16949", "valid_until": candidate.iatf_expiry.isoformat()}]
    assert match["score_parts"] == pytest.approx(expected_parts(key), abs=1e-3)
    assert match["score"] == pytest.approx(expected_score(key), abs=1e-3)
    if key in NEAR_MISSES:
        assert match["lacks"] == NEAR_MISSES[key]
    else:
        assert "lacks" not in match


def test_the_rfq_is_delivered_to_cleon(client, cluster):
    rfq = published_rfq(client, cluster)

    assert (rfq["delivery_lat"], rfq["delivery_lon"]) == pytest.approx(CLEON, abs=1e-3)
    assert rfq["delivery_place"] == "Cléon (76410)"
    assert rfq["state"] == "published"
    assert rfq["needed_by"] == NEEDED_BY.isoformat()


def test_matching_ranks_local_qualified_suppliers_and_explains_why(client, cluster):
    rfq = published_rfq(client, cluster)

    page = matches(client, cluster, rfq["id"])

    assert page["total"] == len(FULL_MATCHES)
    assert [cluster.key_of(m["supplier_id"]) for m in page["items"]] == FULL_MATCHES
    for match in page["items"]:
        assert_explained(match, cluster.key_of(match["supplier_id"]))


def test_near_misses_say_what_they_lack(client, cluster):
    rfq = published_rfq(client, cluster)

    page = matches(client, cluster, rfq["id"], include_partial="true")

    # Lyon is out of reach and Caudebec meets no requirement: neither is listed at all.
    assert [cluster.key_of(m["supplier_id"]) for m in page["items"]] == FULL_MATCHES + list(NEAR_MISSES)
    assert page["total"] == len(FULL_MATCHES) + len(NEAR_MISSES)
    for match in page["items"]:
        assert_explained(match, cluster.key_of(match["supplier_id"]))


@pytest.mark.parametrize("limit", [1, 3, len(FULL_MATCHES)])
def test_near_misses_never_crowd_out_full_matches(client, cluster, monkeypatch, limit):
    """However few candidates are kept, asking for near misses keeps every full match too."""
    monkeypatch.setattr(matching, "MAX_CANDIDATES", limit)
    rfq = published_rfq(client, cluster)

    full = matches(client, cluster, rfq["id"])["items"]
    with_partial = matches(client, cluster, rfq["id"], include_partial="true")["items"]

    nearest = sorted(FULL_MATCHES, key=lambda key: SUPPLIERS[key].distance_km)[:limit]
    assert sorted(cluster.key_of(m["supplier_id"]) for m in full) == sorted(nearest)
    assert [m for m in with_partial if m["full_match"]] == full


def test_matches_page_with_a_cursor(client, cluster):
    rfq = published_rfq(client, cluster)
    everything = matches(client, cluster, rfq["id"], include_partial="true")["items"]

    seen, query = [], {"include_partial": "true", "page_size": 4}
    while True:
        page = matches(client, cluster, rfq["id"], **query)
        seen.extend(page["items"])
        if page["next_cursor"] is None:
            break
        query["cursor"] = page["next_cursor"]

    assert [m["supplier_id"] for m in seen] == [m["supplier_id"] for m in everything]


def test_the_founding_story(app, client, cluster):
    buyer = cluster.buyer
    rfq = published_rfq(client, cluster)
    rfq_id = rfq["id"]

    # The buyer asks who can do it and invites the best three.
    shortlist = [m["supplier_id"] for m in matches(client, cluster, rfq_id)["items"][:3]]
    assert [cluster.key_of(s) for s in shortlist] == ["rouen", "louviers", "elbeuf"]
    invitations = invite(client, buyer, rfq_id, *shortlist)
    assert [(i["supplier_id"], i["state"]) for i in invitations] == [(s, "invited") for s in shortlist]
    rouen, louviers, elbeuf = (cluster.keys[k] for k in ("rouen", "louviers", "elbeuf"))

    # Each invited supplier now sees the RFQ; the uninvited (even a near miss) does not.
    for supplier in (rouen, louviers, elbeuf):
        assert ok(client.get(rfq_path(rfq_id), headers=supplier.headers))["id"] == rfq_id
    problem(client.get(rfq_path(rfq_id), headers=cluster.keys["rouvray"].headers), 404)

    # Elbeuf is full this quarter.
    declined = ok(client.post(rfq_path(rfq_id, "decline"), headers=elbeuf.headers,
                              json={"reason": "capacity", "comment": "Carnet plein jusqu'en mars."}))
    assert (declined["state"], declined["decline_reason"]) == ("declined", "capacity")

    # Rouen and Louviers quote; Louviers then sharpens its price for a longer lead time.
    rouen_quote, _ = submit_quote(client, rouen, rfq_id, unit_price="12.50", lead_time_days=20)
    louviers_quote, louviers_etag = submit_quote(client, louviers, rfq_id, unit_price="14.00",
                                                 lead_time_days=15)
    revised = client.put(rfq_path(rfq_id, "quotes", louviers_quote["id"]),
                         headers=louviers.with_etag(louviers_etag),
                         json=quote_body(unit_price="11.80", lead_time_days=25))
    revised = ok(revised)
    assert (revised["unit_price"], revised["total_price"]) == ("11.8000", "11800.00")
    assert revised["version"] == louviers_quote["version"] + 1

    # The buyer compares: cheapest first, then quickest first.
    by_price = list_quotes(client, buyer, rfq_id, sort="total_price")
    assert [(q["id"], q["total_price"]) for q in by_price] == [
        (louviers_quote["id"], "11800.00"), (rouen_quote["id"], "12500.00")]
    by_lead_time = list_quotes(client, buyer, rfq_id, sort="lead_time")
    assert [(q["id"], q["lead_time_days"]) for q in by_lead_time] == [
        (rouen_quote["id"], 20), (louviers_quote["id"], 25)]

    # Awarding needs a closed RFQ.
    problem(client.post(rfq_path(rfq_id, "award"), headers=buyer.headers,
                        json={"quote_id": louviers_quote["id"]}), 409)
    assert transition(client, buyer, rfq_id, "close")["state"] == "closed"
    awarded = transition(client, buyer, rfq_id, "award", quote_id=louviers_quote["id"])
    assert (awarded["state"], awarded["awarded_quote_id"]) == ("awarded", louviers_quote["id"])
    assert awarded["allowed_actions"] == []

    states = {q["id"]: q["state"] for q in list_quotes(client, buyer, rfq_id)}
    assert states == {louviers_quote["id"]: "awarded", rouen_quote["id"]: "not_awarded"}
    assert [q["state"] for q in list_quotes(client, louviers, rfq_id)] == ["awarded"]
    assert [q["state"] for q in list_quotes(client, rouen, rfq_id)] == ["not_awarded"]

    # --- the change feeds ---
    name = {rfq_id: None, rouen_quote["id"]: "rouen", louviers_quote["id"]: "louviers"}
    name.update({i["id"]: cluster.key_of(i["supplier_id"]) for i in invitations})

    def story_in(feed: list[dict]) -> list[tuple]:
        """(type, who acted, whose invitation or quote) for this RFQ's events."""
        mine = [e for e in feed if e["entity_id"] in name or e["data"].get("rfq_id") == rfq_id]
        return [(e["type"], e["actor_role"], name.get(e["entity_id"], "?")) for e in mine]

    buyer_feed = read_feed(client, buyer, page_size=3)
    assert story_in(buyer_feed) == [
        ("rfq.created", "buyer", None),
        ("rfq.published", "buyer", None),
        ("invitation.sent", "buyer", "rouen"),
        ("invitation.sent", "buyer", "louviers"),
        ("invitation.sent", "buyer", "elbeuf"),
        ("invitation.declined", "supplier", "elbeuf"),
        ("quote.submitted", "supplier", "rouen"),
        ("quote.submitted", "supplier", "louviers"),
        ("quote.revised", "supplier", "louviers"),
        ("rfq.closed", "buyer", None),
        ("rfq.awarded", "buyer", None),
    ]
    awarded_event = next(e for e in buyer_feed if e["type"] == "rfq.awarded")
    assert awarded_event["data"]["awarded_quote_id"] == louviers_quote["id"]
    # No prices in the feed: it must not leak what quotes hold.
    assert not any("price" in key for e in buyer_feed for key in e["data"])

    # A supplier sees its own invitation and quote events, and the RFQ's lifecycle from the
    # moment it was invited (it was published before: that event was the buyer's alone).
    lifecycle = [("rfq.closed", "buyer", None), ("rfq.awarded", "buyer", None)]
    assert story_in(read_feed(client, rouen)) == [
        ("invitation.sent", "buyer", "rouen"), ("quote.submitted", "supplier", "rouen"), *lifecycle]
    assert story_in(read_feed(client, louviers)) == [
        ("invitation.sent", "buyer", "louviers"), ("quote.submitted", "supplier", "louviers"),
        ("quote.revised", "supplier", "louviers"), *lifecycle]
    assert story_in(read_feed(client, elbeuf)) == [
        ("invitation.sent", "buyer", "elbeuf"), ("invitation.declined", "supplier", "elbeuf"), *lifecycle]
    # A supplier that was not invited sees nothing of this RFQ.
    assert story_in(read_feed(client, cluster.keys["rouvray"])) == []

    # The losing supplier knows which quote won, but cannot read it.
    problem(client.get(rfq_path(rfq_id, "quotes", louviers_quote["id"]), headers=rouen.headers), 404)
