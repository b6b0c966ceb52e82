"""Helpers shared by the RFQ tests (test_rfq_*.py): bodies, the lifecycle driven through the API,
what the database holds, and the change feed.

Everything is done through the API as a client would, except moving a response
deadline into the past (`move_deadline`), which writes the row directly so no
test has to sleep.
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select, update

from api.db import unit_of_work
from api.models import Event, Invitation, Quote, Rfq
from api.worker import Worker, default_jobs
from factories import ANONYMOUS, Actor, create_supplier, issue_admin_key, onboard

RFQS = "/api/v1/rfqs"
EVENTS = "/api/v1/events"
CLEON = (49.3124, 1.0295)  # where `near=Cléon` puts the delivery point
EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius, as Elasticsearch's arc distance uses


# --- time ------------------------------------------------------------------------------


def now() -> datetime:
    return datetime.now(timezone.utc)


def today() -> date:
    return now().date()


def needed_by() -> date:
    """The default needed-by date: four months from now."""
    return today() + timedelta(days=120)


def instant_feed(monkeypatch) -> None:
    """Show events as soon as they are committed (the feed holds back the last second)."""
    # (`api.events` is shadowed by a name in api/__init__, so the module is reached by import.)
    monkeypatch.setattr(importlib.import_module("api.events.feed"), "SETTLE", timedelta(0))


# --- geography -------------------------------------------------------------------------


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance, written again here so that the tests do not trust search.geo."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def site(city: str, postal_code: str, latitude: float, longitude: float) -> dict:
    return {"name": f"Site de {city}", "address": "1 rue de l'Usine", "postal_code": postal_code,
            "city": city, "country": "FR", "latitude": latitude, "longitude": longitude}


def certificate(kind: str, valid_until: date, valid_from: date | None = None) -> dict:
    return {"type": kind, "number": f"{kind.upper()}-{valid_until.isoformat()}", "issuing_body": "AFNOR",
            "valid_from": (valid_from or today() - timedelta(days=400)).isoformat(),
            "valid_until": valid_until.isoformat()}


# --- bodies ----------------------------------------------------------------------------

OMIT = object()  # as a value in rfq_body(...): leave the field out


def rfq_body(**overrides) -> dict:
    """A valid RFQ: machined aluminium parts for the Cléon plant, invited suppliers only."""
    body = {
        "title": "Carters de boîte de vitesses en aluminium usinés",
        "description": "Usinage de 1000 carters AlSi9Cu3, tolérance ±0,02 mm.",
        "required_capabilities": ["machining.milling"],
        "required_certifications": ["iatf-16949"],
        "quantity": "1000",
        "unit": "pieces",
        "near": "Cléon",
        "max_distance_km": 50,
        "response_deadline": (now() + timedelta(days=14)).isoformat(),
        "needed_by": needed_by().isoformat(),
        "visibility": "invited",
        "currency": "EUR",
    }
    body.update(overrides)
    return {name: value for name, value in body.items() if value is not OMIT}


def quote_body(**overrides) -> dict:
    body = {"unit_price": "12.50", "currency": "EUR", "quantity": "1000", "lead_time_days": 20,
            "valid_until": (today() + timedelta(days=90)).isoformat(), "notes": "Brut fourni par nos soins."}
    body.update(overrides)
    return body


# --- calls -----------------------------------------------------------------------------


def rfq_path(rfq_id: str, *rest: str) -> str:
    return "/".join((RFQS, rfq_id, *rest))


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    return response.get_json()


def create_rfq(client, buyer: Actor, **overrides) -> tuple[dict, str]:
    """A draft RFQ and its ETag."""
    response = client.post(RFQS, headers=buyer.headers, json=rfq_body(**overrides))
    return ok(response, 201), response.headers["ETag"]


def read_rfq(client, actor: Actor, rfq_id: str) -> tuple[dict, str]:
    response = client.get(rfq_path(rfq_id), headers=actor.headers)
    return ok(response), response.headers["ETag"]


def act(client, actor: Actor, rfq_id: str, action: str, body: dict | None = None):
    """POST …/{publish,close,cancel,award} (the response, whatever its status)."""
    return client.post(rfq_path(rfq_id, action), headers=actor.headers,
                       json=body if body is not None else ({} if action == "award" else None))


def transition(client, actor: Actor, rfq_id: str, action: str, **body) -> dict:
    return ok(act(client, actor, rfq_id, action, body or None))


def invite(client, buyer: Actor, rfq_id: str, *supplier_ids: str) -> list[dict]:
    response = client.post(rfq_path(rfq_id, "invitations"), headers=buyer.headers,
                           json={"supplier_ids": list(supplier_ids)})
    return ok(response, 201)["items"]


def submit_quote(client, supplier: Actor, rfq_id: str, **overrides) -> tuple[dict, str]:
    response = client.post(rfq_path(rfq_id, "quotes"), headers=supplier.headers, json=quote_body(**overrides))
    return ok(response, 201), response.headers["ETag"]


def list_quotes(client, actor: Actor, rfq_id: str, sort: str | None = None) -> list[dict]:
    query = {"sort": sort} if sort else {}
    return ok(client.get(rfq_path(rfq_id, "quotes"), headers=actor.headers, query_string=query))["items"]


# --- the change feed ---------------------------------------------------------------------


def read_feed(client, actor: Actor, page_size: int = 5) -> list[dict]:
    """Every event the actor may see, following next_cursor page by page until caught up."""
    events, cursor = [], None
    while True:
        query = {"limit": page_size, **({"after": cursor} if cursor else {})}
        page = ok(client.get(EVENTS, headers=actor.headers, query_string=query))
        assert len(page["items"]) <= page_size
        events.extend(page["items"])
        if not page["items"]:
            assert page["next_cursor"] == cursor or cursor is None
            break
        cursor = page["next_cursor"]
    ids = [event["id"] for event in events]
    assert ids == sorted(set(ids)), "the feed must be in order, without repeats"
    return events


def about(events: list[dict], rfq_id: str) -> list[dict]:
    """The events of one RFQ: the RFQ's own and those of its invitations and quotes."""
    return [e for e in events if e["entity_id"] == rfq_id or (e.get("data") or {}).get("rfq_id") == rfq_id]


# --- what the database holds --------------------------------------------------------------


def move_deadline(app, rfq_id: str, when: datetime) -> None:
    """Set the response deadline directly in the row (as if time had passed)."""
    with app.extensions["db_sessionmaker"]() as session:
        session.execute(update(Rfq).where(Rfq.id == rfq_id).values(response_deadline=when)
                        .execution_options(synchronize_session=False))
        session.commit()


def record_deadlines(app) -> int:
    """Run the worker's jobs until idle, as `flask --app api worker --once` does; how many RFQs
    it recorded as closed (by the system)."""
    def closings() -> int:
        with unit_of_work(app.extensions["db_sessionmaker"]) as session:
            return session.scalar(select(func.count()).select_from(Event).where(
                Event.type == "rfq.closed", Event.actor_role == "system"))

    before = closings()
    Worker(app.extensions["db_sessionmaker"], default_jobs(app)).run_until_idle()
    return closings() - before


def rfq_rows(app) -> dict:
    """Everything about RFQs a denied request must leave untouched."""
    with app.extensions["db_sessionmaker"]() as session:
        return {
            "rfqs": {r.id: (r.state, r.version, r.title, r.awarded_quote_id)
                     for r in session.scalars(select(Rfq))},
            "invitations": {i.id: (i.rfq_id, i.supplier_id, i.state, i.decline_reason)
                            for i in session.scalars(select(Invitation))},
            "quotes": {q.id: (q.state, q.version, str(q.unit_price), q.lead_time_days)
                       for q in session.scalars(select(Quote))},
            "events": session.scalar(select(func.count()).select_from(Event)),
        }


# --- the people involved --------------------------------------------------------------------


@dataclass
class Cast:
    """Who takes part in an RFQ: its buyer, another buyer, an admin, and three suppliers with
    profiles — `invited` and `competitor` (both to be invited) and `outsider` (never invited)."""

    admin: Actor
    buyer: Actor
    other_buyer: Actor
    invited: Actor
    competitor: Actor
    outsider: Actor
    profiles: dict[str, dict] = field(default_factory=dict)  # actor name -> supplier profile

    @classmethod
    def build(cls, app, client) -> Cast:
        admin = issue_admin_key(app)
        people = {"admin": admin}
        for name, kind in (("buyer", "buyer"), ("other_buyer", "buyer"), ("invited", "supplier"),
                           ("competitor", "supplier"), ("outsider", "supplier")):
            people[name] = onboard(client, admin, kind, name)
        profiles = {}
        for name in ("invited", "competitor", "outsider"):
            profiles[name], _ = create_supplier(client, admin, organisation_id=people[name].organisation_id,
                                                trade_name=f"{name} SAS")
        return cls(**people, profiles=profiles)

    def supplier_id(self, name: str) -> str:
        return self.profiles[name]["id"]

    def actor(self, name: str) -> Actor:
        return ANONYMOUS if name == "anonymous" else getattr(self, name)


def spare_supplier(client, cast: Cast) -> dict:
    """One more supplier profile, without an organisation (to invite without disturbing the cast)."""
    profile, _ = create_supplier(client, cast.admin, trade_name="Spare SAS")
    return profile


@dataclass
class Staged:
    """An RFQ brought to some state, with the quotes made on the way."""

    rfq: dict
    etag: str
    quotes: dict[str, dict] = field(default_factory=dict)  # supplier actor name -> quote
    quote_etags: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.rfq["id"]


def stage(client, cast: Cast, state: str, *, quoting: tuple[str, ...] = ("invited", "competitor"),
          **overrides) -> Staged:
    """An RFQ of `cast.buyer` in `state` (draft, published, closed, awarded or cancelled).

    From published on, `invited` and `competitor` are invited and each supplier named in
    `quoting` has quoted (the competitor a higher price, a shorter lead time); an awarded
    RFQ went to the invited supplier's quote when it has one."""
    rfq, etag = create_rfq(client, cast.buyer, **overrides)
    staged = Staged(rfq, etag)
    if state in ("draft", "cancelled"):
        if state == "cancelled":
            transition(client, cast.buyer, rfq["id"], "cancel")
        return _reread(client, cast, staged)
    transition(client, cast.buyer, rfq["id"], "publish")
    invite(client, cast.buyer, rfq["id"], cast.supplier_id("invited"), cast.supplier_id("competitor"))
    prices = {"invited": quote_body(), "competitor": quote_body(unit_price="13.10", lead_time_days=12)}
    for name in quoting:
        staged.quotes[name], staged.quote_etags[name] = submit_quote(client, cast.actor(name), rfq["id"],
                                                                     **prices[name])
    if state in ("closed", "awarded"):
        transition(client, cast.buyer, rfq["id"], "close")
    if state == "awarded":
        winner = staged.quotes.get("invited") or next(iter(staged.quotes.values()))
        transition(client, cast.buyer, rfq["id"], "award", quote_id=winner["id"])
    return _reread(client, cast, staged)


def _reread(client, cast: Cast, staged: Staged) -> Staged:
    staged.rfq, staged.etag = read_rfq(client, cast.buyer, staged.id)
    return staged
