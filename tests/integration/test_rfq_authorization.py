"""No one sees or changes an RFQ, an invitation or a quote that is not theirs.

The expected statuses are written out by hand, one row per endpoint, one
column per kind of caller:

- anonymous: 401 everywhere;
- another buyer and a supplier never invited: the RFQ is not revealed (404),
  unless their role can never make the call at all (403 by role, the same for
  every id — checked below against an id that does not exist);
- the invited supplier sees the RFQ, its own invitation and its own quote, and
  may decline and quote; it may not run the RFQ (403) nor see a competitor's
  quote (404);
- the owning buyer runs its RFQ; a sealed RFQ hides quotes from it until closed;
- an admin sees everything but sealed quotes, and may cancel; it does not act
  for the buyer or for suppliers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pytest

from factories import ANONYMOUS, create_supplier, onboard, problem, stored_state
from rfq_support import (
    Cast,
    Staged,
    about,
    create_rfq,
    instant_feed,
    list_quotes,
    ok,
    quote_body,
    read_feed,
    rfq_body,
    rfq_path,
    rfq_rows,
    spare_supplier,
    stage,
    submit_quote,
    transition,
)

ACTORS = ("anonymous", "other_buyer", "outsider", "invited", "buyer", "admin")

MATRIX = {
    # endpoint                            anonymous other_buyer outsider invited buyer admin
    "GET /rfqs":                          (401,      200,        200,     200,    200,  200),
    "POST /rfqs":                         (401,      201,        403,     403,    201,  403),
    "GET /rfqs/{id}":                     (401,      404,        404,     200,    200,  200),
    "PATCH /rfqs/{id} (draft)":           (401,      404,        403,     403,    200,  403),
    "POST publish (draft)":               (401,      404,        404,     404,    200,  403),
    "POST close":                         (401,      404,        404,     403,    200,  403),
    "POST cancel":                        (401,      404,        404,     403,    200,  200),
    "POST award (closed)":                (401,      404,        403,     403,    200,  403),
    "GET matches":                        (401,      404,        403,     403,    200,  200),
    "GET invitations":                    (401,      404,        404,     200,    200,  200),
    "POST invitations":                   (401,      404,        403,     403,    201,  403),
    "POST decline":                       (401,      403,        404,     200,    403,  403),
    "GET quotes":                         (401,      404,        404,     200,    200,  200),
    "GET quotes (sealed)":                (401,      404,        404,     200,    403,  403),
    "POST quotes (none yet)":             (401,      403,        404,     201,    403,  403),
    "GET own quote":                      (401,      404,        404,     200,    200,  200),
    "GET own quote (sealed)":             (401,      404,        404,     200,    403,  403),
    "GET competitor's quote":             (401,      404,        404,     404,    200,  200),
    "PUT own quote":                      (401,      403,        404,     200,    403,  403),
    "PUT competitor's quote":             (401,      403,        404,     404,    403,  403),
    "POST withdraw own quote":            (401,      403,        404,     200,    403,  403),
    "POST withdraw competitor's quote":   (401,      403,        404,     404,    403,  403),
}


@dataclass(frozen=True)
class Call:
    """How to make one endpoint's call on an RFQ staged for it."""

    state: str  # the state the RFQ is staged in (see rfq_support.stage)
    method: str
    path: Callable[[Staged], str]
    body: Callable[[Staged, dict], dict | None] = lambda staged, spare: None
    etag: Callable[[Staged], str] | None = None  # the If-Match sent, if any
    sealed: bool = False
    invited_quotes: bool = True  # whether the invited supplier has quoted already
    rfq_in_path: bool = True


def own(staged: Staged) -> str:
    return staged.quotes["invited"]["id"]


def competitors(staged: Staged) -> str:
    return staged.quotes["competitor"]["id"]


CALLS = {
    "GET /rfqs": Call("published", "GET", lambda s: "/api/v1/rfqs", rfq_in_path=False),
    "POST /rfqs": Call("published", "POST", lambda s: "/api/v1/rfqs", lambda s, _: rfq_body(), rfq_in_path=False),
    "GET /rfqs/{id}": Call("published", "GET", lambda s: rfq_path(s.id)),
    "PATCH /rfqs/{id} (draft)": Call("draft", "PATCH", lambda s: rfq_path(s.id),
                                     lambda s, _: {"title": "Titre changé"}, etag=lambda s: s.etag),
    "POST publish (draft)": Call("draft", "POST", lambda s: rfq_path(s.id, "publish")),
    "POST close": Call("published", "POST", lambda s: rfq_path(s.id, "close")),
    "POST cancel": Call("published", "POST", lambda s: rfq_path(s.id, "cancel")),
    "POST award (closed)": Call("closed", "POST", lambda s: rfq_path(s.id, "award"),
                                lambda s, _: {"quote_id": own(s)}),
    "GET matches": Call("published", "GET", lambda s: rfq_path(s.id, "matches")),
    "GET invitations": Call("published", "GET", lambda s: rfq_path(s.id, "invitations")),
    "POST invitations": Call("published", "POST", lambda s: rfq_path(s.id, "invitations"),
                             lambda s, spare: {"supplier_ids": [spare["id"]]}),
    "POST decline": Call("published", "POST", lambda s: rfq_path(s.id, "decline"),
                         lambda s, _: {"reason": "capacity", "comment": "Plus de place."}, invited_quotes=False),
    "GET quotes": Call("published", "GET", lambda s: rfq_path(s.id, "quotes")),
    "GET quotes (sealed)": Call("published", "GET", lambda s: rfq_path(s.id, "quotes"), sealed=True),
    "POST quotes (none yet)": Call("published", "POST", lambda s: rfq_path(s.id, "quotes"),
                                   lambda s, _: quote_body(), invited_quotes=False),
    "GET own quote": Call("published", "GET", lambda s: rfq_path(s.id, "quotes", own(s))),
    "GET own quote (sealed)": Call("published", "GET", lambda s: rfq_path(s.id, "quotes", own(s)), sealed=True),
    "GET competitor's quote": Call("published", "GET", lambda s: rfq_path(s.id, "quotes", competitors(s))),
    "PUT own quote": Call("published", "PUT", lambda s: rfq_path(s.id, "quotes", own(s)),
                          lambda s, _: quote_body(unit_price="11.00"), etag=lambda s: s.quote_etags["invited"]),
    "PUT competitor's quote": Call("published", "PUT", lambda s: rfq_path(s.id, "quotes", competitors(s)),
                                   lambda s, _: quote_body(unit_price="1.00"),
                                   etag=lambda s: s.quote_etags["competitor"]),
    "POST withdraw own quote": Call("published", "POST", lambda s: rfq_path(s.id, "quotes", own(s), "withdraw")),
    "POST withdraw competitor's quote": Call("published", "POST",
                                             lambda s: rfq_path(s.id, "quotes", competitors(s), "withdraw")),
}

UNKNOWN_RFQ = "00000000-0000-4000-8000-000000000000"


def test_the_matrix_covers_every_rfq_endpoint(app):
    """Every route under /api/v1/rfqs has a row (so a new endpoint cannot slip through)."""
    routes = {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/rfqs")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    covered = {(call.method, _rule_of(call)) for call in CALLS.values()}
    assert routes == covered
    assert set(CALLS) == set(MATRIX)


def _rule_of(call: Call) -> str:
    staged = Staged({"id": "<rfq_id>"}, "", {"invited": {"id": "<quote_id>"}, "competitor": {"id": "<quote_id>"}})
    return call.path(staged)


def staged_for(client, cast: Cast, call: Call) -> Staged:
    quoting = ("invited", "competitor") if call.invited_quotes else ("competitor",)
    return stage(client, cast, call.state, quoting=quoting, sealed=call.sealed)


def send(client, actor, call: Call, staged: Staged, spare: dict, path: str | None = None):
    headers = {**actor.headers, **({"If-Match": call.etag(staged)} if call.etag else {})}
    return client.open(path or call.path(staged), method=call.method, headers=headers,
                       json=call.body(staged, spare))


def admin_view(client, cast: Cast, staged: Staged) -> tuple:
    rfq = ok(client.get(rfq_path(staged.id), headers=cast.admin.headers))
    return rfq["state"], rfq["version"]


@pytest.mark.parametrize("endpoint, actor, expected", [
    pytest.param(endpoint, actor, status, id=f"{endpoint} as {actor}")
    for endpoint, statuses in MATRIX.items()
    for actor, status in zip(ACTORS, statuses, strict=True)
])
def test_authorization_matrix(app, client, cast, endpoint, actor, expected):
    call = CALLS[endpoint]
    staged = staged_for(client, cast, call)
    spare = spare_supplier(client, cast)
    before = (rfq_rows(app), stored_state(app), admin_view(client, cast, staged))

    response = send(client, cast.actor(actor), call, staged, spare)

    assert response.status_code == expected, response.get_data(as_text=True)
    after = (rfq_rows(app), stored_state(app), admin_view(client, cast, staged))
    if expected >= 400:
        problem(response, expected)
        if expected == 401:
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert after == before, "a denied call changed something"
    elif call.method == "GET":
        assert after == before, "a read changed something"
    else:
        assert after[0] != before[0], "an allowed call changed nothing"


# Who cannot see the RFQ of a row: their answer must be the same as for an RFQ that does not exist.
BLIND = {"anonymous", "other_buyer", "outsider"}


@pytest.mark.parametrize("endpoint, actor", [
    pytest.param(endpoint, actor, id=f"{endpoint} as {actor}")
    for endpoint, call in CALLS.items() if call.rfq_in_path
    for actor in sorted(BLIND | ({"invited"} if call.state == "draft" else set()))
])
def test_an_rfq_one_cannot_see_answers_like_one_that_does_not_exist(app, client, cast, endpoint, actor):
    call = CALLS[endpoint]
    staged = staged_for(client, cast, call)
    spare = spare_supplier(client, cast)
    real = send(client, cast.actor(actor), call, staged, spare)

    unknown = send(client, cast.actor(actor), call, staged, spare,
                   path=call.path(staged).replace(staged.id, UNKNOWN_RFQ))

    assert real.status_code == unknown.status_code
    assert real.status_code in (401, 403, 404)


# --- what each one reads ---------------------------------------------------------------------


def test_each_caller_lists_only_the_rfqs_it_may_see(client, cast):
    published = stage(client, cast, "published")
    draft, _ = create_rfq(client, cast.buyer, title="Brouillon")
    theirs, _ = create_rfq(client, cast.other_buyer, title="Autre acheteur")
    expected = {  # written by hand
        "other_buyer": {theirs["id"]},
        "outsider": set(),
        "invited": {published.id},
        "competitor": {published.id},
        "buyer": {published.id, draft["id"]},
        "admin": {published.id, draft["id"], theirs["id"]},
    }

    for name, ids in expected.items():
        listed = ok(client.get("/api/v1/rfqs", headers=cast.actor(name).headers))["items"]
        assert {r["id"] for r in listed} == ids, name


def test_a_supplier_sees_its_own_quote_and_never_a_competitors(client, cast):
    staged = stage(client, cast, "published")

    for name, other in (("invited", "competitor"), ("competitor", "invited")):
        supplier = cast.actor(name)
        assert [q["id"] for q in list_quotes(client, supplier, staged.id)] == [staged.quotes[name]["id"]]
        for sort in ("total_price", "lead_time"):
            assert [q["supplier_id"] for q in list_quotes(client, supplier, staged.id, sort)] == [
                cast.supplier_id(name)]
        problem(client.get(rfq_path(staged.id, "quotes", staged.quotes[other]["id"]), headers=supplier.headers), 404)
        mine = ok(client.get(rfq_path(staged.id, "quotes", staged.quotes[name]["id"]), headers=supplier.headers))
        assert mine["unit_price"] == staged.quotes[name]["unit_price"]
    # the buyer (not sealed) sees both
    assert len(list_quotes(client, cast.buyer, staged.id)) == 2


def test_a_supplier_sees_only_its_own_invitation(client, cast):
    staged = stage(client, cast, "published")

    def invitees(actor) -> set[str]:
        return {i["supplier_id"] for i in ok(client.get(rfq_path(staged.id, "invitations"),
                                                        headers=actor.headers))["items"]}

    both = {cast.supplier_id("invited"), cast.supplier_id("competitor")}
    assert invitees(cast.buyer) == invitees(cast.admin) == both
    assert invitees(cast.invited) == {cast.supplier_id("invited")}
    assert invitees(cast.competitor) == {cast.supplier_id("competitor")}


def test_the_feed_shows_an_rfq_only_to_those_concerned(client, cast, monkeypatch):
    instant_feed(monkeypatch)
    staged = stage(client, cast, "closed")

    problem(client.get("/api/v1/events", headers=ANONYMOUS.headers), 401)
    for name in ("other_buyer", "outsider"):
        assert about(read_feed(client, cast.actor(name)), staged.id) == [], name
    competitor_sees = about(read_feed(client, cast.competitor), staged.id)
    assert staged.quotes["invited"]["id"] not in {e["entity_id"] for e in competitor_sees}
    assert cast.supplier_id("invited") not in {e["data"].get("supplier_id") for e in competitor_sees}
    admin_sees = {e["id"] for e in about(read_feed(client, cast.admin), staged.id)}
    assert {e["id"] for e in about(read_feed(client, cast.buyer), staged.id)} == admin_sees


def test_a_public_rfq_is_seen_by_matching_suppliers_only(app, client, supplier_index):
    """A public RFQ is shown, without invitation, to the suppliers that match it (here: 5-axis
    milling at Cléon, which the cast's profiles have) and to no one else (the same, in Lyon)."""
    cast = Cast.build(app, client)
    lyon = onboard(client, cast.admin, "supplier", "lyon")
    create_supplier(client, cast.admin, organisation_id=lyon.organisation_id, trade_name="Lyon SAS",
                    sites=[{"name": "Lyon", "address": "1 quai", "postal_code": "69003", "city": "Lyon",
                            "country": "FR", "latitude": 45.7485, "longitude": 4.8467}])
    supplier_index.refresh()
    rfq, _ = create_rfq(client, cast.buyer, visibility="public", required_certifications=[])
    transition(client, cast.buyer, rfq["id"], "publish")

    ok(client.get(rfq_path(rfq["id"]), headers=cast.outsider.headers))
    submit_quote(client, cast.outsider, rfq["id"])
    problem(client.get(rfq_path(rfq["id"]), headers=lyon.headers), 404)
    problem(client.post(rfq_path(rfq["id"], "quotes"), headers=lyon.headers, json=quote_body()), 404)
    assert [r["id"] for r in ok(client.get("/api/v1/rfqs", headers=lyon.headers))["items"]] == []
    # ... and its buyer still compares only what was quoted: the one quote
    assert [q["supplier_id"] for q in list_quotes(client, cast.buyer, rfq["id"])] == [cast.supplier_id("outsider")]


def test_public_rfq_events_reach_only_those_who_may_see_it(app, client, supplier_index, monkeypatch):
    instant_feed(monkeypatch)
    cast = Cast.build(app, client)
    supplier_index.refresh()
    rfq, _ = create_rfq(client, cast.buyer, visibility="public", required_certifications=[])
    transition(client, cast.buyer, rfq["id"], "publish")

    problem(client.get(rfq_path(rfq["id"]), headers=cast.other_buyer.headers), 404)
    assert about(read_feed(client, cast.other_buyer), rfq["id"]) == []
