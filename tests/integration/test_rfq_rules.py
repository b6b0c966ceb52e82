"""The rules of an RFQ's life: which transitions are legal, deadlines, one live quote per
supplier, sealed bids, guarded edits of drafts and clear validation errors.

Expected outcomes are written out by hand from the product brief:
draft → published → closed → awarded, and cancelled from any state before awarded.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from factories import error_fields, problem
from rfq_support import (
    OMIT,
    RFQS,
    Cast,
    act,
    about,
    create_rfq,
    instant_feed,
    invite,
    list_quotes,
    move_deadline,
    needed_by,
    now,
    ok,
    quote_body,
    read_feed,
    read_rfq,
    record_deadlines,
    rfq_body,
    rfq_path,
    rfq_rows,
    stage,
    submit_quote,
    transition,
)

STATES = ("draft", "published", "closed", "awarded", "cancelled")
ACTIONS = ("publish", "close", "cancel", "award")

# The state each action leads to from each state; 409 where the state does not allow it.
OUTCOMES = {
    #             publish       close      cancel       award
    "draft":     ("published",  409,       "cancelled", 409),
    "published": (409,          "closed",  "cancelled", 409),
    "closed":    (409,          409,       "cancelled", "awarded"),
    "awarded":   (409,          409,       409,         409),
    "cancelled": (409,          409,       409,         409),
}
ALLOWED_FROM = {"publish": ["draft"], "close": ["published"], "cancel": ["draft", "published", "closed"],
                "award": ["closed"]}
ALLOWED_NOW = {"draft": ["publish", "cancel"], "published": ["close", "cancel"],
               "closed": ["cancel", "award"], "awarded": [], "cancelled": []}


@pytest.fixture(autouse=True)
def _instant_feed(monkeypatch):
    instant_feed(monkeypatch)


def award_body(staged) -> dict:
    quote = staged.quotes.get("invited")
    return {"quote_id": quote["id"] if quote else "00000000-0000-0000-0000-000000000000"}


# --- transitions ---------------------------------------------------------------------------


@pytest.mark.parametrize("state", STATES)
def test_each_state_tells_which_actions_it_allows(client, cast, state):
    staged = stage(client, cast, state)

    assert staged.rfq["state"] == state
    assert sorted(staged.rfq["allowed_actions"]) == sorted(ALLOWED_NOW[state])


@pytest.mark.parametrize("state, action, outcome", [
    pytest.param(state, action, outcome, id=f"{action} when {state}")
    for state, outcomes in OUTCOMES.items()
    for action, outcome in zip(ACTIONS, outcomes, strict=True)
])
def test_transitions(app, client, cast, state, action, outcome):
    staged = stage(client, cast, state)
    before = rfq_rows(app)

    response = act(client, cast.buyer, staged.id, action, award_body(staged) if action == "award" else None)

    if outcome == 409:
        body = problem(response, 409)
        assert state in body["detail"]
        assert all(allowed in body["detail"] for allowed in ALLOWED_FROM[action]), body["detail"]
        assert sorted(body["allowed_actions"]) == sorted(ALLOWED_NOW[state])
        assert rfq_rows(app) == before, "a refused transition changed something"
        assert read_rfq(client, cast.buyer, staged.id)[0]["version"] == staged.rfq["version"]
    else:
        moved = ok(response)
        assert moved["state"] == outcome
        assert sorted(moved["allowed_actions"]) == sorted(ALLOWED_NOW[outcome])
        assert moved["version"] > staged.rfq["version"]


def test_award_settles_every_live_quote(client, cast):
    staged = stage(client, cast, "closed")

    transition(client, cast.buyer, staged.id, "award", quote_id=staged.quotes["competitor"]["id"])

    assert {q["id"]: q["state"] for q in list_quotes(client, cast.buyer, staged.id)} == {
        staged.quotes["competitor"]["id"]: "awarded", staged.quotes["invited"]["id"]: "not_awarded"}


def test_cancelling_settles_every_live_quote_as_not_awarded(client, cast):
    staged = stage(client, cast, "closed")

    transition(client, cast.buyer, staged.id, "cancel")

    assert {q["state"] for q in list_quotes(client, cast.buyer, staged.id)} == {"not_awarded"}


def test_a_quote_in_another_currency_than_the_rfq_is_refused(client, cast):
    staged = stage(client, cast, "published", quoting=())

    response = client.post(rfq_path(staged.id, "quotes"), headers=cast.invited.headers,
                           json=quote_body(currency="USD"))

    assert error_fields(problem(response, 422)) == {"currency"}


@pytest.mark.parametrize("which", ["unknown id", "withdrawn quote"])
def test_award_needs_a_live_quote_of_this_rfq(app, client, cast, which):
    staged = stage(client, cast, "published")
    if which == "withdrawn quote":
        ok(client.post(rfq_path(staged.id, "quotes", staged.quotes["invited"]["id"], "withdraw"),
                       headers=cast.invited.headers))
        quote_id = staged.quotes["invited"]["id"]
    else:
        quote_id = "no-such-quote"
    transition(client, cast.buyer, staged.id, "close")
    before = rfq_rows(app)

    response = act(client, cast.buyer, staged.id, "award", {"quote_id": quote_id})

    assert error_fields(problem(response, 422)) == {"quote_id"}
    assert rfq_rows(app) == before


def test_a_draft_whose_deadline_passed_cannot_be_published(client, cast):
    rfq, _ = create_rfq(client, cast.buyer, response_deadline=(now() - timedelta(minutes=1)).isoformat())

    body = problem(act(client, cast.buyer, rfq["id"], "publish"), 409)

    assert "deadline" in body["detail"]
    assert read_rfq(client, cast.buyer, rfq["id"])[0]["state"] == "draft"


# --- deadlines ------------------------------------------------------------------------------


def pass_deadline(app, monkeypatch, rfq_id: str, how: str) -> None:
    """Make the response deadline of a published RFQ lie in the past."""
    if how == "row moved":
        move_deadline(app, rfq_id, now() - timedelta(seconds=1))
    else:  # the clock of the RFQ rules jumps three weeks ahead
        later = now() + timedelta(days=21)
        for module in ("api.rfqs.service", "api.models.rfqs"):
            monkeypatch.setattr(f"{module}.utc_now", lambda: later)


def read_quote(client, cast: Cast, staged) -> tuple[dict, str]:
    response = client.get(rfq_path(staged.id, "quotes", staged.quotes["invited"]["id"]),
                          headers=cast.invited.headers)
    return ok(response), response.headers["ETag"]


LATE_QUOTE_CALLS = {
    # what the supplier tries: (method, path under the RFQ, body)
    "submit": lambda s: ("POST", "quotes", quote_body()),
    "revise": lambda s: ("PUT", f"quotes/{s.quotes['invited']['id']}", quote_body(unit_price="9.99")),
    "withdraw": lambda s: ("POST", f"quotes/{s.quotes['invited']['id']}/withdraw", None),
}


@pytest.mark.parametrize("how", ["row moved", "clock moved"])
@pytest.mark.parametrize("call", LATE_QUOTE_CALLS)
def test_late_quotes_are_refused(app, client, cast, monkeypatch, call, how):
    # The invited supplier quoted in time; for "submit" it withdrew, so it could quote again.
    staged = stage(client, cast, "published")
    if call == "submit":
        ok(client.post(rfq_path(staged.id, "quotes", staged.quotes["invited"]["id"], "withdraw"),
                       headers=cast.invited.headers))
        _, staged.quote_etags["invited"] = read_quote(client, cast, staged)
    pass_deadline(app, monkeypatch, staged.id, how)
    before = rfq_rows(app)
    method, path, body = LATE_QUOTE_CALLS[call](staged)

    response = client.open(rfq_path(staged.id, *path.split("/")), method=method, json=body,
                           headers=cast.invited.with_etag(staged.quote_etags["invited"]))

    assert "deadline" in problem(response, 409)["detail"]
    after = rfq_rows(app)
    assert after == before, "a late call changed something"
    # Nothing recorded the closing yet (the worker will): a refused call writes nothing.
    assert after["rfqs"][staged.id][0] == "published"


FIRST_READS = {
    "the RFQ": lambda s: rfq_path(s.id),
    "the RFQ list": lambda s: "/api/v1/rfqs",
    "the change feed": lambda s: "/api/v1/events",
}


@pytest.mark.parametrize("how", ["row moved", "clock moved"])
@pytest.mark.parametrize("first_read", FIRST_READS)
def test_an_rfq_past_its_deadline_reads_as_closed_with_no_write(app, client, cast, monkeypatch, first_read,
                                                                 how):
    staged = stage(client, cast, "published")
    pass_deadline(app, monkeypatch, staged.id, how)
    before = rfq_rows(app)

    ok(client.get(FIRST_READS[first_read](staged), headers=cast.invited.headers))

    assert rfq_rows(app) == before  # a read never writes
    rfq, _ = read_rfq(client, cast.buyer, staged.id)
    assert (rfq["state"], sorted(rfq["allowed_actions"])) == ("closed", ["award", "cancel"])
    assert rfq["closed_at"] == rfq["response_deadline"]
    listed = ok(client.get(RFQS, headers=cast.buyer.headers, query_string={"state": "closed"}))
    assert [item["id"] for item in listed["items"]] == [staged.id]
    assert ok(client.get(RFQS, headers=cast.buyer.headers, query_string={"state": "published"}))["items"] == []


@pytest.mark.parametrize("how", ["row moved", "clock moved"])
@pytest.mark.parametrize("recorded_by", ["the worker", "the award"])
def test_a_passed_deadline_is_recorded_once_by_the_system(app, client, cast, monkeypatch, how, recorded_by):
    staged = stage(client, cast, "published")
    pass_deadline(app, monkeypatch, staged.id, how)
    shown, _ = read_rfq(client, cast.buyer, staged.id)

    if recorded_by == "the worker":
        assert record_deadlines(app) == 1
        assert record_deadlines(app) == 0  # recorded once
        assert rfq_rows(app)["rfqs"][staged.id][0] == "closed"
        recorded, _ = read_rfq(client, cast.buyer, staged.id)
        assert {k: v for k, v in recorded.items() if k not in ("version", "updated_at")} == \
               {k: v for k, v in shown.items() if k not in ("version", "updated_at")}
    # The buyer can award what came in on time (recording the closing first if nobody did).
    transition(client, cast.buyer, staged.id, "award", quote_id=staged.quotes["invited"]["id"])

    for actor in (cast.buyer, cast.invited, cast.competitor):
        events = [e for e in about(read_feed(client, actor), staged.id) if e["entity_id"] == staged.id]
        assert [e["type"] for e in events][-2:] == ["rfq.closed", "rfq.awarded"]
        closings = [e for e in events if e["type"] == "rfq.closed"]
        assert [(e["actor_role"], e["actor_organisation_id"]) for e in closings] == [("system", None)]
    assert not [e for e in about(read_feed(client, cast.outsider), staged.id)]


# --- one live quote per supplier ---------------------------------------------------------------


def test_one_live_quote_per_supplier(app, client, cast):
    staged = stage(client, cast, "published", quoting=("competitor",))
    first, _ = submit_quote(client, cast.invited, staged.id)

    second = client.post(rfq_path(staged.id, "quotes"), headers=cast.invited.headers,
                         json=quote_body(unit_price="10.00"))
    assert first["id"] in problem(second, 409)["detail"]  # says which quote to revise or withdraw

    withdrawn = ok(client.post(rfq_path(staged.id, "quotes", first["id"], "withdraw"),
                               headers=cast.invited.headers))
    assert withdrawn["state"] == "withdrawn"
    problem(client.post(rfq_path(staged.id, "quotes", first["id"], "withdraw"),
                        headers=cast.invited.headers), 409)
    assert [q["id"] for q in list_quotes(client, cast.buyer, staged.id)] == [staged.quotes["competitor"]["id"]]

    again, _ = submit_quote(client, cast.invited, staged.id, unit_price="10.00")
    assert (again["state"], again["unit_price"]) == ("submitted", "10.0000")
    live = [q for q in list_quotes(client, cast.buyer, staged.id) if q["supplier_id"] == cast.supplier_id("invited")]
    assert [(q["id"], q["state"]) for q in live] == [(again["id"], "submitted")]


def test_a_withdrawn_quote_cannot_be_revised(client, cast):
    staged = stage(client, cast, "published")
    quote_id = staged.quotes["invited"]["id"]
    ok(client.post(rfq_path(staged.id, "quotes", quote_id, "withdraw"), headers=cast.invited.headers))
    _, etag = read_quote(client, cast, staged)

    response = client.put(rfq_path(staged.id, "quotes", quote_id), headers=cast.invited.with_etag(etag),
                          json=quote_body(unit_price="9.00"))

    problem(response, 409)


@pytest.mark.parametrize("etag, status", [(None, 428), ("stale", 412)], ids=["no If-Match", "stale If-Match"])
def test_revising_a_quote_needs_its_current_etag(app, client, cast, etag, status):
    staged = stage(client, cast, "published")
    quote_id = staged.quotes["invited"]["id"]
    headers = cast.invited.headers if etag is None else cast.invited.with_etag('"0123456789abcdef"')
    before = rfq_rows(app)

    problem(client.put(rfq_path(staged.id, "quotes", quote_id), headers=headers, json=quote_body()), status)

    assert rfq_rows(app) == before


def test_a_supplier_that_declined_cannot_quote(app, client, cast):
    staged = stage(client, cast, "published", quoting=())
    ok(client.post(rfq_path(staged.id, "decline"), headers=cast.invited.headers, json={"reason": "lead_time"}))

    problem(client.post(rfq_path(staged.id, "decline"), headers=cast.invited.headers,
                        json={"reason": "other"}), 409)
    problem(client.post(rfq_path(staged.id, "quotes"), headers=cast.invited.headers, json=quote_body()), 409)
    assert rfq_rows(app)["quotes"] == {}


def test_suppliers_are_invited_to_published_rfqs_only(app, client, cast):
    rfq, _ = create_rfq(client, cast.buyer)

    response = client.post(rfq_path(rfq["id"], "invitations"), headers=cast.buyer.headers,
                           json={"supplier_ids": [cast.supplier_id("invited")]})

    assert "published" in problem(response, 409)["detail"]
    assert rfq_rows(app)["invitations"] == {}


def test_inviting_twice_or_an_unknown_supplier(app, client, cast):
    staged = stage(client, cast, "published", quoting=())

    assert invite(client, cast.buyer, staged.id, cast.supplier_id("invited")) == []  # already invited
    unknown = client.post(rfq_path(staged.id, "invitations"), headers=cast.buyer.headers,
                          json={"supplier_ids": [cast.supplier_id("outsider"), "no-such-supplier"]})
    assert error_fields(problem(unknown, 422)) == {"supplier_ids.1"}
    assert len(rfq_rows(app)["invitations"]) == 2  # nothing added, not even the valid one


# --- sealed RFQs ---------------------------------------------------------------------------------


def test_a_sealed_rfq_hides_quotes_from_its_buyer_until_closed(client, cast):
    staged = stage(client, cast, "published", sealed=True)
    quote_ids = {staged.quotes["invited"]["id"], staged.quotes["competitor"]["id"]}

    for reader in (cast.buyer, cast.admin):
        assert "sealed" in problem(client.get(rfq_path(staged.id, "quotes"), headers=reader.headers), 403)["detail"]
        problem(client.get(rfq_path(staged.id, "quotes", staged.quotes["invited"]["id"]), headers=reader.headers),
                403)
    # each supplier still sees its own
    assert [q["id"] for q in list_quotes(client, cast.invited, staged.id)] == [staged.quotes["invited"]["id"]]

    transition(client, cast.buyer, staged.id, "close")

    assert {q["id"] for q in list_quotes(client, cast.buyer, staged.id)} == quote_ids
    assert {q["id"] for q in list_quotes(client, cast.admin, staged.id)} == quote_ids
    ok(client.get(rfq_path(staged.id, "quotes", staged.quotes["invited"]["id"]), headers=cast.buyer.headers))


def test_sealed_quote_events_carry_no_prices(client, cast):
    staged = stage(client, cast, "published", sealed=True)

    quote_events = [e for e in about(read_feed(client, cast.buyer), staged.id) if e["entity_type"] == "quote"]

    assert len(quote_events) == 2
    assert all(set(e["data"]) == {"rfq_id", "quote_id", "supplier_id"} for e in quote_events)


# --- editing drafts ----------------------------------------------------------------------------


def test_draft_edits_need_the_current_etag(app, client, cast):
    rfq, etag = create_rfq(client, cast.buyer)
    path = rfq_path(rfq["id"])
    before = rfq_rows(app)

    problem(client.patch(path, headers=cast.buyer.headers, json={"title": "Sans If-Match"}), 428)
    problem(client.patch(path, headers=cast.buyer.with_etag('"not-the-etag"'), json={"title": "Mauvais"}), 412)
    assert rfq_rows(app) == before

    edited = client.patch(path, headers=cast.buyer.with_etag(etag), json={"title": "Carters v2", "quantity": "1200"})
    assert (ok(edited)["title"], edited.get_json()["quantity"]) == ("Carters v2", "1200.0000")
    assert edited.get_json()["version"] == rfq["version"] + 1
    assert edited.headers["ETag"] != etag

    # The ETag read before the edit is now stale.
    problem(client.patch(path, headers=cast.buyer.with_etag(etag), json={"title": "Perdue"}), 412)
    assert read_rfq(client, cast.buyer, rfq["id"])[0]["title"] == "Carters v2"


@pytest.mark.parametrize("state", ["published", "closed", "awarded", "cancelled"])
def test_only_drafts_can_be_edited(app, client, cast, state):
    staged = stage(client, cast, state)
    before = rfq_rows(app)

    response = client.patch(rfq_path(staged.id), headers=cast.buyer.with_etag(staged.etag), json={"title": "Autre"})

    assert state in problem(response, 409)["detail"]
    assert rfq_rows(app) == before


# --- validation ---------------------------------------------------------------------------------

INVALID_RFQS = {
    # case: (fields changed in a valid body, the field the error must name)
    "unknown capability code": ({"required_capabilities": ["machining.milling", "machining.telepathy"]},
                                "required_capabilities.1"),
    "unknown certification code": ({"required_certifications": ["iso-0000"]}, "required_certifications.0"),
    "deadline after needed_by": ({"response_deadline": f"{needed_by() + timedelta(days=2)}T12:00:00+00:00"},
                                 "response_deadline"),
    "deadline without a time zone": ({"response_deadline": f"{needed_by()}T12:00:00"}, "response_deadline"),
    "deadline beyond year 9999 in UTC": ({"response_deadline": "9999-12-31T23:00:00-05:00",
                                          "needed_by": "9999-12-31"}, "response_deadline"),
    "bad currency": ({"currency": "EURO"}, "currency"),
    "unknown currency": ({"currency": "XYZ"}, "currency"),
    "near an unknown place": ({"near": "Atlantide-sur-Mer"}, "near"),
    "lat without lon": ({"near": OMIT, "delivery_lat": 49.31}, "delivery_lat"),
    "near and lat/lon": ({"delivery_lat": 49.31, "delivery_lon": 1.03}, "near"),
    "no delivery point": ({"near": OMIT}, "near"),
    "latitude out of range": ({"near": OMIT, "delivery_lat": 91, "delivery_lon": 1.0}, "delivery_lat"),
    "zero quantity": ({"quantity": "0"}, "quantity"),
    "negative distance": ({"max_distance_km": -5}, "max_distance_km"),
    "unknown visibility": ({"visibility": "secret"}, "visibility"),
    "missing title": ({"title": OMIT}, "title"),
}


@pytest.mark.parametrize("case", INVALID_RFQS)
def test_invalid_rfqs_are_422(app, client, cast, case):
    changes, field = INVALID_RFQS[case]
    before = rfq_rows(app)

    body = problem(client.post("/api/v1/rfqs", headers=cast.buyer.headers, json=rfq_body(**changes)), 422)

    assert field in error_fields(body), body
    assert rfq_rows(app) == before


INVALID_EDITS = {
    "unknown capability code": ({"required_capabilities": ["nope"]}, "required_capabilities.0"),
    # alone valid, but after the stored needed_by
    "deadline after the stored needed_by": (
        {"response_deadline": f"{needed_by() + timedelta(days=1)}T08:00:00+00:00"}, "response_deadline"),
    "near an unknown place": ({"near": "Atlantide-sur-Mer"}, "near"),
    "lat without lon": ({"delivery_lat": 49.0}, "delivery_lat"),
    "bad currency": ({"currency": "€"}, "currency"),
}


@pytest.mark.parametrize("case", INVALID_EDITS)
def test_invalid_draft_edits_are_422(app, client, cast, case):
    changes, field = INVALID_EDITS[case]
    rfq, etag = create_rfq(client, cast.buyer)
    before = rfq_rows(app)

    body = problem(client.patch(rfq_path(rfq["id"]), headers=cast.buyer.with_etag(etag), json=changes), 422)

    assert field in error_fields(body), body
    assert rfq_rows(app) == before
    assert read_rfq(client, cast.buyer, rfq["id"])[1] == etag


INVALID_QUOTES = {
    "bad currency": ({"currency": "EURO"}, "currency"),
    "zero unit price": ({"unit_price": "0"}, "unit_price"),
    "negative lead time": ({"lead_time_days": -1}, "lead_time_days"),
    "no validity date": ({"valid_until": None}, "valid_until"),
}


@pytest.mark.parametrize("case", INVALID_QUOTES)
def test_invalid_quotes_are_422(app, client, cast, case):
    changes, field = INVALID_QUOTES[case]
    staged = stage(client, cast, "published", quoting=())

    body = problem(client.post(rfq_path(staged.id, "quotes"), headers=cast.invited.headers,
                               json=quote_body(**changes)), 422)

    assert field in error_fields(body), body
    assert rfq_rows(app)["quotes"] == {}


def test_a_decline_needs_a_known_reason(app, client, cast):
    staged = stage(client, cast, "published", quoting=())

    body = problem(client.post(rfq_path(staged.id, "decline"), headers=cast.invited.headers,
                               json={"reason": "bored"}), 422)

    assert error_fields(body) == {"reason"}


def test_a_supplier_with_a_live_quote_must_withdraw_it_before_declining(app, client, cast):
    """Declining means not quoting: otherwise a declined supplier's quote could still be revised and win."""
    staged = stage(client, cast, "published")
    quote_id = staged.quotes["invited"]["id"]
    before = rfq_rows(app)

    refused = client.post(rfq_path(staged.id, "decline"), headers=cast.invited.headers, json={"reason": "price"})

    assert "withdraw" in problem(refused, 409)["detail"]
    assert rfq_rows(app) == before
    ok(client.post(rfq_path(staged.id, "quotes", quote_id, "withdraw"), headers=cast.invited.headers))
    declined = ok(client.post(rfq_path(staged.id, "decline"), headers=cast.invited.headers, json={"reason": "price"}))
    assert declined["state"] == "declined"


@pytest.mark.parametrize("after", ["not-a-cursor", "WyJ4Il0", "W3RydWVd"], ids=["garbage", "a string", "a boolean"])
def test_a_change_feed_cursor_this_api_did_not_issue_is_422_naming_after(client, cast, after):
    response = client.get("/api/v1/events", headers=cast.buyer.headers, query_string={"after": after})

    assert error_fields(problem(response, 422)) == {"after"}
