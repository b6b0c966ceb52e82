"""The records of a supplier change (api.suppliers.records): history entry, event, outbox row.

No servers: the functions are pure.
"""

from __future__ import annotations

from datetime import datetime, timezone

from api.principal import Principal
from api.generator import Generator
from api.models import Contact, Site, Supplier, SupplierCapability, SupplierCertification
from api.suppliers.records import change_records, diff, snapshot

AT = datetime(2026, 6, 15, 12, 0, tzinfo=timezone.utc)
OWNER = Principal(role="supplier", organisation_id="org-1", key_id="key-1")


def test_a_dict_profile_has_the_snapshot_of_the_same_supplier_as_a_model():
    """The generator's rows and the API's objects give the same snapshot."""
    generated = Generator(42, now=AT).supplier(7)
    children = {"sites": Site, "capabilities": SupplierCapability,
                "certifications": SupplierCertification, "contacts": Contact}
    as_rows = {**generated["supplier"], **{name: generated[name] for name in children}}
    as_model = Supplier(**generated["supplier"], **{
        name: [model(**row) for row in generated[name]] for name, model in children.items()})
    assert snapshot(as_rows) == snapshot(as_model)
    assert {"version", "created_at", "updated_at"}.isdisjoint(snapshot(as_rows))
    assert snapshot(as_rows)["sites"][0]["department"] == generated["sites"][0]["department"]
    assert snapshot(as_rows)["certifications"][0]["valid_from"] == \
        generated["certifications"][0]["valid_from"].isoformat()


def test_diff_lists_only_the_fields_that_changed():
    assert diff({}, {"legal_name": "A", "trade_name": None, "sectors": []}) == {
        "legal_name": {"from": None, "to": "A"}, "sectors": {"from": None, "to": []}}
    assert diff({"legal_name": "A", "employees": 3}, {"legal_name": "B", "employees": 3}) == {
        "legal_name": {"from": "A", "to": "B"}}
    assert diff({"legal_name": "A"}, {}) == {"legal_name": {"from": "A", "to": None}}


def test_an_update_names_the_changed_fields_in_its_public_event_and_their_values_in_the_history():
    records = change_records("updated", "s-1", 4, {"legal_name": "A", "employees": 3},
                             {"legal_name": "B", "employees": 3}, OWNER, at=AT)
    actor = {"actor_key_id": "key-1", "actor_role": "supplier", "actor_organisation_id": "org-1"}
    assert records.history == {"supplier_id": "s-1", "version": 4, "action": "updated", "changed_at": AT,
                               "changes": {"legal_name": {"from": "A", "to": "B"}}, "import_id": None, **actor}
    assert records.event == {"type": "supplier.updated", "entity_type": "supplier", "entity_id": "s-1",
                             "occurred_at": AT, "public": True,
                             "data": {"supplier_id": "s-1", "version": 4, "changed_fields": ["legal_name"]},
                             **actor}
    assert records.outbox == {"entity_type": "supplier", "entity_id": "s-1", "version": 4}


def test_a_deletion_is_indexed_one_version_past_the_last():
    records = change_records("deleted", "s-1", 4, {"legal_name": "B"}, {}, OWNER, at=AT)
    assert records.outbox["version"] == 5
    assert records.history["version"] == records.event["data"]["version"] == 4


def test_without_a_principal_the_system_is_the_actor():
    records = change_records("created", "s-1", 1, {}, {"legal_name": "A"}, None, at=AT)
    for row in (records.history, records.event):
        assert (row["actor_role"], row["actor_key_id"], row["actor_organisation_id"]) == ("system", None, None)


def test_a_change_made_by_an_import_names_it_in_the_history_and_the_event():
    records = change_records("created", "s-1", 1, {}, {"legal_name": "A"}, None, at=AT, import_id="imp-1")
    assert (records.history["import_id"], records.history["actor_role"]) == ("imp-1", "system")
    assert records.event["data"] == {"supplier_id": "s-1", "version": 1, "changed_fields": ["legal_name"],
                                     "import_id": "imp-1"}
