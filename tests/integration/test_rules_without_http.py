"""The rules called directly, as the CLI, the worker and imports call them: no request, no Flask.

Each test gives the rules a session in a unit of work and a principal, and
checks what they decide and what they leave in the database; a refusal is the
product's own error, and a unit that fails leaves nothing behind.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from marshmallow import ValidationError
from rfq_support import certificate, needed_by, now, quote_body, rfq_body, site
from sqlalchemy import func, select

from api.accounts import service as accounts
from api.db import unit_of_work
from api.events.feed import events_after
from api.exceptions import Conflict, Forbidden, NotFound, Unauthenticated
from api.models import Event, Organisation, Rfq, SearchOutbox, Supplier, SupplierChange
from api.principal import ANONYMOUS, Principal
from api.rfqs import quotes, service as rfqs
from api.rfqs.matching import ranked_matches
from api.search import sync
from api.suppliers import service as suppliers
from factories import supplier_body
from schemas.rfqs import QuoteWriteSchema, RfqWriteSchema
from schemas.suppliers import SupplierCreateSchema, SupplierPatchSchema

ADMIN = Principal("admin", None, "admin-key")


@pytest.fixture()
def unit(app):
    """A fresh unit of work on the app's database, as the worker opens one."""
    return lambda: unit_of_work(app.extensions["db_sessionmaker"])


def count(unit, model) -> int:
    with unit() as session:
        return session.scalar(select(func.count()).select_from(model))


def organisation(unit, kind: str) -> Principal:
    with unit() as session:
        created = accounts.create_organisation(session, f"A {kind}", kind)
    return Principal(kind, created.id, f"{kind}-key")


def new_supplier(unit, principal: Principal = ADMIN, **overrides) -> Supplier:
    with unit() as session:
        return suppliers.create_supplier(session, SupplierCreateSchema().load(supplier_body(**overrides)),
                                         principal)


# --- accounts ---------------------------------------------------------------------------------


def test_keys_are_issued_authenticated_and_revoked_by_the_rules(unit):
    buyer = organisation(unit, "buyer")
    with unit() as session:
        api_key, plain_key = accounts.create_api_key(session, name="erp", role="buyer",
                                                     organisation_id=buyer.organisation_id)
    with unit() as session:
        assert accounts.authenticate(session, plain_key) == Principal("buyer", buyer.organisation_id, api_key.id)
    other = organisation(unit, "buyer")
    with pytest.raises(NotFound), unit() as session:
        accounts.revoke_api_key(session, other, api_key.id)
    with unit() as session:
        accounts.revoke_api_key(session, buyer, api_key.id)
    with pytest.raises(Unauthenticated), unit() as session:
        accounts.authenticate(session, plain_key)


def test_a_unit_of_work_that_fails_leaves_nothing(unit):
    with pytest.raises(ValidationError), unit() as session:
        accounts.create_organisation(session, "Half-made", "supplier")
        accounts.create_api_key(session, name="x", role="buyer", organisation_id=None)

    assert count(unit, Organisation) == 0


# --- suppliers --------------------------------------------------------------------------------


def test_a_supplier_created_by_the_rules_has_its_history_event_and_outbox_row(unit):
    supplier = new_supplier(unit)

    with unit() as session:
        (change,) = suppliers.history(session, ADMIN, supplier.id)
        assert (change.action, change.version, change.actor_role) == ("created", 1, "admin")
        assert change.changes["legal_name"] == {"from": None, "to": supplier.legal_name}
        assert session.scalars(select(Event.type).where(Event.entity_id == supplier.id)).all() == \
               ["supplier.created"]
        assert session.scalars(select(SearchOutbox.version).where(
            SearchOutbox.entity_id == supplier.id)).all() == [1]


def test_only_the_owner_or_an_admin_changes_a_profile(unit):
    owner = organisation(unit, "supplier")
    stranger = organisation(unit, "supplier")
    supplier = new_supplier(unit, organisation_id=owner.organisation_id)

    with pytest.raises(Forbidden), unit() as session:
        suppliers.editable_supplier(session, stranger, supplier.id)
    with pytest.raises(Forbidden), unit() as session:
        suppliers.editable_supplier(session, organisation(unit, "buyer"), supplier.id)
    with pytest.raises(Unauthenticated), unit() as session:
        suppliers.editable_supplier(session, ANONYMOUS, supplier.id)
    with pytest.raises(NotFound), unit() as session:
        suppliers.editable_supplier(session, owner, "no-such-supplier")
    with unit() as session:
        editable = suppliers.editable_supplier(session, owner, supplier.id)
        suppliers.update_supplier(session, editable, SupplierPatchSchema().load({"employees": 7}), owner,
                                  replace=False)

    with unit() as session:
        assert [c.action for c in suppliers.history(session, owner, supplier.id)] == ["created", "updated"]
        with pytest.raises(Forbidden):
            suppliers.history(session, stranger, supplier.id)


def test_a_duplicate_siret_is_a_conflict_and_nothing_is_written(unit):
    first = new_supplier(unit)
    before = count(unit, SupplierChange)

    with pytest.raises(Conflict), unit() as session:
        suppliers.create_supplier(session, SupplierCreateSchema().load(supplier_body(siret=first.siret)), ADMIN)

    assert (count(unit, Supplier), count(unit, SupplierChange)) == (1, before)


# --- RFQs and quotes --------------------------------------------------------------------------


def published_rfq(unit, buyer: Principal, **overrides) -> Rfq:
    with unit() as session:
        rfq = rfqs.create_rfq(session, RfqWriteSchema().load(rfq_body(**overrides)), buyer)
        return rfqs.perform(session, rfq, "publish", buyer)


def test_an_action_the_state_does_not_allow_is_a_conflict_naming_the_allowed_ones(unit):
    buyer = organisation(unit, "buyer")
    rfq = published_rfq(unit, buyer)

    with pytest.raises(Conflict) as refused, unit() as session:
        rfqs.perform(session, session.get(Rfq, rfq.id), "award", buyer, quote_id=None)

    assert sorted(refused.value.allowed_actions) == ["cancel", "close"]


def test_the_worker_records_a_passed_deadline_once_as_the_system(unit):
    buyer = organisation(unit, "buyer")
    rfq = published_rfq(unit, buyer)
    with unit() as session:
        session.get(Rfq, rfq.id).response_deadline = now() - timedelta(seconds=1)

    with unit() as session:
        shown = session.get(Rfq, rfq.id)
        assert (shown.state, shown.current_state) == ("published", "closed")
    with unit() as session:
        assert rfqs.close_overdue(session) == 1
    with unit() as session:
        assert rfqs.close_overdue(session) == 0
        closings = session.scalars(select(Event).where(Event.entity_id == rfq.id, Event.type == "rfq.closed")).all()
        assert [(e.actor_role, e.actor_key_id) for e in closings] == [("system", None)]


def test_a_public_rfq_is_seen_and_quoted_by_qualifying_suppliers_from_their_profile_alone(unit):
    """No search index is involved: eligibility comes from the stored profile."""
    buyer = organisation(unit, "buyer")
    qualified, unqualified = organisation(unit, "supplier"), organisation(unit, "supplier")
    profile = {"capabilities": [{"code": "machining.milling.5axis"}],
               "certifications": [certificate("iatf-16949", needed_by() + timedelta(days=30))],
               "sites": [site("Elbeuf", "76500", 49.29, 1.01)]}
    new_supplier(unit, organisation_id=qualified.organisation_id, **profile)
    new_supplier(unit, organisation_id=unqualified.organisation_id,
                 **{**profile, "certifications": [certificate("iatf-16949", needed_by() - timedelta(days=1))]})
    rfq = published_rfq(unit, buyer, visibility="public")

    with unit() as session:
        assert [r.id for r in rfqs.list_rfqs(session, qualified, state=None, after=None, limit=10)] == [rfq.id]
        assert rfqs.list_rfqs(session, unqualified, state=None, after=None, limit=10) == []
        with pytest.raises(NotFound):
            rfqs.visible_rfq(session, unqualified, rfq.id)
    with unit() as session:
        visible = rfqs.visible_rfq(session, qualified, rfq.id)
        quote = quotes.submit(session, visible, quotes.quoting_supplier(session, visible, qualified),
                              QuoteWriteSchema().load(quote_body()), qualified)
    assert quote.total_price == Decimal("12.50") * 1000


def test_the_change_feed_shows_each_organisation_only_its_own_rfq_events(unit):
    buyer, other = organisation(unit, "buyer"), organisation(unit, "buyer")
    rfq = published_rfq(unit, buyer)

    with unit() as session:
        seen = [(e.type, e.entity_id) for e in events_after(session, buyer, 0, 100, settle=timedelta(0))]
        assert seen == [("rfq.created", rfq.id), ("rfq.published", rfq.id)]
        assert events_after(session, other, 0, 100, settle=timedelta(0)) == []


def test_matches_come_from_the_index_given(app, unit, supplier_index):
    buyer = organisation(unit, "buyer")
    near = new_supplier(unit, capabilities=[{"code": "machining.milling.3axis"}],
                        certifications=[certificate("iatf-16949", needed_by() + timedelta(days=400))],
                        sites=[site("Elbeuf", "76500", 49.29, 1.01)])
    new_supplier(unit, capabilities=[{"code": "machining.milling.3axis"}], sites=[site("Lyon", "69001", 45.76, 4.84)])
    with unit() as session:
        sync.drain(session, supplier_index)
    supplier_index.refresh()
    rfq = published_rfq(unit, buyer)

    with unit() as session:
        ranked = ranked_matches(supplier_index, session.get(Rfq, rfq.id), include_partial=True)

    assert [(m["supplier_id"], m["full_match"]) for m in ranked] == [(near.id, True)]
    assert ranked[0]["capabilities_covered"] == [{"required": "machining.milling",
                                                  "declared": ["machining.milling.3axis"]}]
