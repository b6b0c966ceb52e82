"""Helpers shared by the integration tests: callers with API keys, valid supplier bodies.

Every organisation and key is created through the API itself, by an admin key
issued the way an operator would (``api.accounts.service.issue_key``), so the tests go
through the same authentication as real clients.
"""

from __future__ import annotations

import copy
import itertools
import threading
from dataclasses import dataclass, field

from sqlalchemy import event, func, select
from stdnum import luhn
from stdnum.fr import siren as siren_number
from stdnum.fr import siret as siret_number

from api import transaction
from api.accounts.service import issue_key
from api.models import (
    ApiKey,
    Event,
    Organisation,
    SearchOutbox,
    Supplier,
    SupplierChange,
)

PROBLEM = "application/problem+json"

# --- identifiers ---------------------------------------------------------------

# SIREN = 8 digits + a Luhn check digit; SIRET = SIREN + 4-digit NIC + a Luhn
# check digit over the 14 digits. Each call gives a new, valid company number.
_SIREN_BASES = itertools.count(41_200_000)


def new_siren() -> str:
    base = f"{next(_SIREN_BASES):08d}"
    number = base + luhn.calc_check_digit(base)
    assert siren_number.is_valid(number), number
    return number


def new_siret(siren: str | None = None, establishment: int = 1) -> str:
    base = (siren or new_siren()) + f"{establishment:04d}"
    number = base + luhn.calc_check_digit(base)
    assert siret_number.is_valid(number), number
    return number


def with_wrong_checksum(number: str) -> str:
    """The same number with its last digit changed: any one-digit change breaks a Luhn checksum."""
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def french_vat_number(siren: str) -> str:
    """The French VAT number of a company: FR + key + SIREN, key = (12 + 3 × (SIREN mod 97)) mod 97."""
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


# --- callers -----------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """Someone calling the API: a key (None when anonymous) and what it stands for."""

    name: str
    key: str | None = None
    role: str | None = None
    organisation_id: str | None = None
    key_id: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"} if self.key else {}

    def with_etag(self, etag: str) -> dict[str, str]:
        return {**self.headers, "If-Match": etag}


ANONYMOUS = Actor("anonymous")


def issue_admin_key(app) -> Actor:
    """An operator's key, issued directly (as `flask keys create --role admin` does)."""
    with app.app_context():
        session = transaction.session()
        api_key, plain_key = issue_key(session, role="admin", name="test operator", organisation=None)
        session.commit()
        return Actor("admin", plain_key, "admin", None, api_key.id)


def create_organisation(client, admin: Actor, kind: str, name: str | None = None) -> dict:
    response = client.post("/api/v1/organisations", headers=admin.headers,
                           json={"name": name or f"Test {kind} organisation", "kind": kind})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def create_key(client, admin: Actor, role: str, organisation_id: str | None,
               name: str = "test key") -> dict:
    """The issued key as the API returns it (the only time `key` is shown)."""
    response = client.post("/api/v1/api-keys", headers=admin.headers,
                           json={"name": name, "role": role, "organisation_id": organisation_id})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def onboard(client, admin: Actor, kind: str, actor_name: str | None = None) -> Actor:
    """A new buyer or supplier organisation with one API key of its own."""
    organisation = create_organisation(client, admin, kind, name=f"{actor_name or kind} org")
    issued = create_key(client, admin, kind, organisation["id"])
    return Actor(actor_name or kind, issued["key"], kind, organisation["id"], issued["id"])


# --- supplier profiles -------------------------------------------------------------


def supplier_body(**overrides) -> dict:
    """A complete, valid French supplier profile (Cléon, Seine-Maritime), with a fresh SIRET."""
    body = {
        "legal_name": "Usinage de Précision de la Seine SAS",
        "trade_name": "UPS Cléon",
        "country": "FR",
        "siret": new_siret(),
        "naf_code": "25.62B",
        "website": "https://www.usinage-seine.example",
        "description": "Fraisage 5 axes et tournage de pièces aluminium pour l'automobile.",
        "employees": 42,
        "founded_year": 1987,
        "sites": [{
            "name": "Atelier principal",
            "address": "12 rue de l'Industrie",
            "postal_code": "76410",
            "city": "Cléon",
            "country": "FR",
            "latitude": 49.3124,
            "longitude": 1.0295,
        }],
        "sectors": ["automotive", "aerospace"],
        "capabilities": [{"code": "machining.milling.5axis", "materials": ["aluminium", "steel"],
                          "max_part_size": "800 x 600 x 500 mm", "tolerance": "±0.01 mm"}],
        "certifications": [{"type": "iso-9001", "number": "FR-2024-0042", "issuing_body": "AFNOR",
                            "valid_from": "2024-01-15", "valid_until": "2027-01-14"}],
        "digital": ["edi"],
        "contacts": [{"name": "Claire Martin", "role": "Responsable commerciale",
                      "email": "claire.martin@usinage-seine.example", "phone": "+33 2 35 00 00 00"}],
    }
    body.update(overrides)
    return body


def request_body_of(generated: dict) -> dict:
    """A supplier of api.generator as a client would send it to POST /api/v1/suppliers."""
    row = generated["supplier"]
    body = {k: v for k, v in row.items()
            if k not in ("id", "organisation_id", "version", "created_at", "updated_at")}

    def children(name, drop=()):
        return [{k: v for k, v in item.items() if k not in ("supplier_id", "position", *drop)}
                for item in generated[name]]

    body["sites"] = children("sites", drop=("department",))
    body["capabilities"] = children("capabilities")
    body["certifications"] = [{**c, "valid_from": c["valid_from"].isoformat(),
                               "valid_until": c["valid_until"].isoformat()}
                              for c in children("certifications")]
    body["contacts"] = children("contacts")
    return body


REMOVE = object()  # as a value for `edited`: drop the field


def edited(body: dict, path: str, value) -> dict:
    """A deep copy of `body` with the dotted `path` (e.g. "sites.0.city") set to `value`."""
    body = copy.deepcopy(body)
    *parents, last = path.split(".")
    target = body
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        target[int(last)] = value
    elif value is REMOVE:
        target.pop(last, None)
    else:
        target[last] = value
    return body


def create_supplier(client, admin: Actor, organisation_id: str | None = None,
                    **overrides) -> tuple[dict, str]:
    """Create a profile as an admin; returns the stored profile and its ETag."""
    body = supplier_body(**overrides)
    if organisation_id:
        body["organisation_id"] = organisation_id
    response = client.post("/api/v1/suppliers", headers=admin.headers, json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json(), response.headers["ETag"]


def read_supplier(client, supplier_id: str, actor: Actor) -> tuple[dict, str]:
    response = client.get(f"/api/v1/suppliers/{supplier_id}", headers=actor.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json(), response.headers["ETag"]


# --- errors --------------------------------------------------------------------------


def problem(response, status: int) -> dict:
    """The RFC 9457 body of an error response, after checking its status and media type."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status
    return body


def error_fields(body: dict) -> set[str]:
    return {error["field"] for error in body.get("errors", [])}


# --- what the database holds -------------------------------------------------------


@dataclass
class World:
    """An admin, two supplier organisations, a buyer, and a profile owned by the first supplier."""

    admin: Actor
    owner: Actor
    other_supplier: Actor
    buyer: Actor
    supplier: dict
    etag: str
    actors: dict[str, Actor] = field(default_factory=dict)

    @classmethod
    def build(cls, app, client) -> World:
        admin = issue_admin_key(app)
        owner = onboard(client, admin, "supplier", "owner")
        other_supplier = onboard(client, admin, "supplier", "other_supplier")
        buyer = onboard(client, admin, "buyer", "buyer")
        supplier, etag = create_supplier(client, admin, organisation_id=owner.organisation_id)
        actors = {actor.name: actor for actor in (ANONYMOUS, other_supplier, buyer, owner, admin)}
        return cls(admin, owner, other_supplier, buyer, supplier, etag, actors)


def stored_state(app) -> dict:
    """What a denied request must leave untouched: rows per table, versions, revocations.

    (The search outbox is left out: it is emptied as soon as Elasticsearch has the change;
    `TransactionLog` checks what is written to it.)"""
    with app.extensions["db_sessionmaker"]() as session:
        counts = {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                  for model in (Organisation, ApiKey, Supplier, SupplierChange, Event)}
        versions = dict(session.execute(select(Supplier.id, Supplier.version)).all())
        revoked = dict(session.execute(select(ApiKey.id, ApiKey.revoked_at)).all())
    return {"counts": counts, "versions": versions, "revoked": revoked}


def events_of(app, entity_id: str) -> list[Event]:
    with app.extensions["db_sessionmaker"]() as session:
        return list(session.scalars(select(Event).where(Event.entity_id == entity_id).order_by(Event.id)))


class TransactionLog:
    """Which supplier rows each committed transaction of the app wrote, seen through the ORM.

    Outbox rows are deleted once Elasticsearch has the change, so the database
    alone cannot show they were written, nor that they were written in the
    same transaction as the change: this listener on the app's sessions can.
    Use as a context manager; `committed` lists, per committed transaction,
    {(state, model name, supplier id)} with state "new", "dirty" or "deleted".
    """

    TRACKED = {Supplier: "id", SupplierChange: "supplier_id", Event: "entity_id", SearchOutbox: "entity_id"}

    def __init__(self, app):
        self._sessionmaker = app.extensions["db_sessionmaker"]
        self._lock = threading.Lock()
        self._open: dict[int, set] = {}
        self.committed: list[set[tuple[str, str, str]]] = []

    def _after_flush(self, session, _context) -> None:
        written = set()
        for state, objects in (("new", session.new), ("dirty", session.dirty), ("deleted", session.deleted)):
            for obj in objects:
                if type(obj) in self.TRACKED:
                    written.add((state, type(obj).__name__, getattr(obj, self.TRACKED[type(obj)])))
        with self._lock:
            self._open.setdefault(id(session), set()).update(written)

    def _after_commit(self, session) -> None:
        with self._lock:
            written = self._open.pop(id(session), set())
            if written:
                self.committed.append(written)

    def _after_rollback(self, session) -> None:
        with self._lock:
            self._open.pop(id(session), None)

    def __enter__(self) -> TransactionLog:
        event.listen(self._sessionmaker, "after_flush", self._after_flush)
        event.listen(self._sessionmaker, "after_commit", self._after_commit)
        event.listen(self._sessionmaker, "after_rollback", self._after_rollback)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self._sessionmaker, "after_flush", self._after_flush)
        event.remove(self._sessionmaker, "after_commit", self._after_commit)
        event.remove(self._sessionmaker, "after_rollback", self._after_rollback)

    def transactions_of(self, supplier_id: str) -> list[set[tuple[str, str]]]:
        """(state, model) written for this supplier, one set per committed transaction."""
        with self._lock:
            return [{(state, model) for state, model, entity in written if entity == supplier_id}
                    for written in self.committed if any(entity == supplier_id for *_, entity in written)]
