"""The rows a change to a supplier writes besides the supplier: history entry, event, outbox row.

The API's rules add them as ORM objects, in the transaction of the change;
the data generator bulk-inserts them with SQLAlchemy Core. Both build them
here, from the profile as the API shows it, so seeded suppliers carry the
same records as suppliers created through the API. Pure functions: no
session, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from schemas.suppliers import SupplierSchema

from ..principal import Principal
from ..events.log import actor_of

# Bookkeeping the history does not track: every change moves them.
UNTRACKED = frozenset({"version", "updated_at", "created_at"})

# One instance: building the nested schemas costs more than a dump (seeding dumps a million).
_PROFILE_SCHEMA = SupplierSchema()


def snapshot(profile) -> dict:
    """The tracked fields of a profile as the API shows it.

    `profile` is a Supplier, or a dict of the same shape: the supplier's
    columns with its sites, capabilities, certifications and contacts as lists
    of row dicts (what the generator writes)."""
    return {k: v for k, v in _PROFILE_SCHEMA.dump(profile).items() if k not in UNTRACKED}


def diff(before: dict, after: dict) -> dict:
    """{field: {"from": old, "to": new}} for every field whose value changed ({} before a creation)."""
    return {key: {"from": before.get(key), "to": after.get(key)}
            for key in sorted(before.keys() | after.keys()) if before.get(key) != after.get(key)}


@dataclass(frozen=True)
class ChangeRecords:
    """Column values of each row: keyword arguments of its model, or a row of a Core insert."""

    history: dict  # SupplierChange
    event: dict  # Event
    outbox: dict  # SearchOutbox


def change_records(action: str, supplier_id: str, version: int, before: dict, after: dict,
                   principal: Principal | None, *, at: datetime, import_id: str | None = None) -> ChangeRecords:
    """The records of `action` ("created", "updated", "deleted") taking the profile from the
    snapshot `before` to `after`, by `principal` (None: the system) at the instant `at`,
    through the spreadsheet import `import_id` if any.

    `version` is the supplier's version after the change (for a deletion: its last one)."""
    changes = diff(before, after)
    actor = actor_of(principal)
    history = {"supplier_id": supplier_id, "version": version, "action": action, "changed_at": at,
               "changes": changes, "import_id": import_id, **actor}
    # Profiles are public, so their events are too; the changed values stay in the history.
    data = {"supplier_id": supplier_id, "version": version, "changed_fields": sorted(changes)}
    if import_id is not None:
        data["import_id"] = import_id
    event = {"type": f"supplier.{action}", "entity_type": "supplier", "entity_id": supplier_id,
             "occurred_at": at, "public": True, "data": data, **actor}
    # A deletion is indexed one version past the last, so it wins over any write of that version.
    indexed_version = version + 1 if action == "deleted" else version
    outbox = {"entity_type": "supplier", "entity_id": supplier_id, "version": indexed_version}
    return ChangeRecords(history, event, outbox)
