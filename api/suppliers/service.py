"""Rules for supplier profiles: references, geocoding, identity, ownership, history.

Every committed change writes, in its own transaction, a history entry, an
event and a search-outbox row, so none of them can be lost or get ahead of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from types import SimpleNamespace

from marshmallow import ValidationError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from .. import places
from ..db import utc_now
from ..exceptions import Conflict, Forbidden, NotFound
from ..models import (
    Contact,
    Event,
    Organisation,
    SearchOutbox,
    Site,
    Supplier,
    SupplierCapability,
    SupplierCertification,
    SupplierChange,
)
from ..principal import Principal
from ..reference import catalog
from .records import change_records, snapshot

SCALARS = ("legal_name", "trade_name", "country", "siret", "siren", "vat_number", "naf_code",
           "website", "description", "employees", "founded_year", "sectors", "digital")
# What a profile holds when a field is not given (on creation, and on a replacing PUT): lists
# are empty, never null, whoever calls the rules (the API's schema, imports, the CLI).
EMPTY_PROFILE = {**dict.fromkeys(SCALARS), "sectors": [], "digital": []}
CHILDREN = {"sites": Site, "capabilities": SupplierCapability,
            "certifications": SupplierCertification, "contacts": Contact}
# What each child row holds besides its owner and place in the list.
_CHILD_FIELDS = {name: [column.key for column in model.__table__.columns
                        if column.key not in ("id", "supplier_id", "position")]
                 for name, model in CHILDREN.items()}


def load_options():
    """Eager loading of everything a profile shows, in a fixed number of queries."""
    return [selectinload(getattr(Supplier, name)) for name in CHILDREN]


def get_supplier(session: Session, supplier_id: str) -> Supplier:
    supplier = session.scalar(select(Supplier).where(Supplier.id == supplier_id).options(*load_options()))
    if supplier is None:
        raise NotFound(f"No supplier {supplier_id}.")
    return supplier


def editable_supplier(session: Session, principal: Principal, supplier_id: str) -> Supplier:
    """The supplier, if the caller may change it: an admin, or the supplier owning it."""
    principal.require("admin", "supplier")
    supplier = get_supplier(session, supplier_id)
    if not can_edit(principal, supplier):
        raise Forbidden("A supplier may change its own profile only.")
    return supplier


def list_suppliers(session: Session, *, updated_since: datetime | None,
                   after: tuple[datetime, str] | None, limit: int) -> list[Supplier]:
    """Suppliers in the order they last changed (then by id), for sync by purchasing systems."""
    query = select(Supplier).options(*load_options()).order_by(Supplier.updated_at, Supplier.id)
    if updated_since is not None:
        query = query.where(Supplier.updated_at >= updated_since)
    if after is not None:
        updated_at, supplier_id = after
        query = query.where(or_(Supplier.updated_at > updated_at,
                                (Supplier.updated_at == updated_at) & (Supplier.id > supplier_id)))
    return list(session.scalars(query.limit(limit)))


def can_see_contacts(principal: Principal, supplier: Supplier) -> bool:
    return principal.role in ("admin", "buyer") or principal.belongs_to(supplier.organisation_id)


def can_edit(principal: Principal, supplier: Supplier) -> bool:
    return principal.is_admin or (principal.role == "supplier"
                                  and principal.belongs_to(supplier.organisation_id))


def create_supplier(session: Session, data: dict, principal: Principal | None, *,
                    import_id: str | None = None) -> Supplier:
    return create_suppliers(session, [data], principal, import_id=import_id)[0]


def create_suppliers(session: Session, payloads: Sequence[dict], principal: Principal | None, *,
                     import_id: str | None = None,
                     siret_holders: Mapping[str, str] | None = None) -> list[Supplier]:
    """Create each profile of `payloads`, checked one by one, then flushed together: an import
    writes a chunk of hundreds in a few statements. `siret_holders`: see _check_unique_siret."""
    created = []
    for data in payloads:
        data = dict(data)
        organisation_id = data.pop("organisation_id", None)
        if organisation_id:
            _check_linkable(session, organisation_id)
        supplier = Supplier(organisation_id=organisation_id)
        _apply(session, supplier, {**EMPTY_PROFILE, **data}, siret_holders=siret_holders)
        created.append(supplier)
    session.add_all(created)
    session.flush()
    for supplier in created:
        _record(session, supplier, "created", {}, principal, import_id=import_id)
    return created


def update_supplier(session: Session, supplier: Supplier, data: dict, principal: Principal | None,
                    *, replace: bool, import_id: str | None = None) -> Supplier:
    """PUT (`replace`) sets the whole profile; PATCH changes only the fields sent."""
    return update_suppliers(session, [(supplier, data)], principal, replace=replace, import_id=import_id)[0]


def update_suppliers(session: Session, changes: Sequence[tuple[Supplier, dict]], principal: Principal | None,
                     *, replace: bool, import_id: str | None = None,
                     siret_holders: Mapping[str, str] | None = None) -> list[Supplier]:
    """update_supplier for each (supplier, data) of `changes`, flushed together."""
    befores = []
    for supplier, data in changes:
        if replace:
            data = {**EMPTY_PROFILE, **data}
        befores.append(snapshot(supplier))
        _apply(session, supplier, data, siret_holders=siret_holders)
        supplier.updated_at = utc_now()
    session.flush()  # the versioned UPDATEs: a concurrent writer's change makes this fail (412)
    for (supplier, _), before in zip(changes, befores):
        _record(session, supplier, "updated", before, principal, import_id=import_id)
    return [supplier for supplier, _ in changes]


def preview_supplier(session: Session, data: dict, current: Supplier | None = None, *,
                     siret_holders: Mapping[str, str] | None = None) -> SimpleNamespace:
    """The profile that creating `data` (or, given `current`, patching it with `data`) would
    store, checked by every rule of a real write but built as plain attributes and dicts, never
    added to the session: what a dry run compares and reports (`snapshot` reads it).
    `siret_holders`: see _check_unique_siret."""
    draft = SimpleNamespace(id=current.id if current else None,
                            organisation_id=current.organisation_id if current else None)
    base = dict.fromkeys(SCALARS)
    if current is not None:
        base = {name: getattr(current, name) for name in SCALARS}
        for name, columns in _CHILD_FIELDS.items():
            base[name] = [{key: getattr(child, key) for key in columns} for child in getattr(current, name)]
    _apply(session, draft, {**{name: [] for name in CHILDREN}, **base, **data}, as_rows=False,
           siret_holders=siret_holders)
    return draft


def link_organisation(session: Session, supplier: Supplier, organisation_id: str,
                      principal: Principal | None) -> Supplier:
    """Give a profile to a supplier organisation, whose keys may then edit it."""
    _check_linkable(session, organisation_id)
    before = snapshot(supplier)
    supplier.organisation_id, supplier.updated_at = organisation_id, utc_now()
    session.flush()
    _record(session, supplier, "updated", before, principal)
    return supplier


def delete_supplier(session: Session, supplier: Supplier, principal: Principal) -> None:
    before = snapshot(supplier)
    session.delete(supplier)
    session.flush()
    _record(session, supplier, "deleted", before, principal, after={})


def history(session: Session, principal: Principal, supplier_id: str) -> list[SupplierChange]:
    """Who changed what and when, to admins and the owner; kept after a deletion."""
    principal.require()
    changes = list(session.scalars(select(SupplierChange).where(SupplierChange.supplier_id == supplier_id)
                                   .order_by(SupplierChange.id)))
    if not changes:
        raise NotFound(f"No supplier {supplier_id}.")
    supplier = session.get(Supplier, supplier_id)
    if not (principal.is_admin or (supplier is not None and principal.belongs_to(supplier.organisation_id))):
        raise Forbidden("The history of a profile is shown to its owner and admins only.")
    return changes


# --- rules ------------------------------------------------------------------


def _check_linkable(session: Session, organisation_id: str) -> None:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or organisation.kind != "supplier":
        raise ValidationError("Not a supplier organisation.", "organisation_id")
    if session.scalar(select(Supplier.id).where(Supplier.organisation_id == organisation_id)):
        raise Conflict("This organisation already has a supplier profile.")


def _check_references(data: dict) -> None:
    errors: dict = {}

    def unknown(field: str, codes: list[str], exists) -> None:
        bad = {i: ["Unknown code."] for i, code in enumerate(codes) if exists(code) is None}
        if bad:
            errors[field] = bad

    unknown("sectors", data.get("sectors") or [], catalog.sector)
    unknown("digital", data.get("digital") or [], catalog.digital_capability)
    for field, items, key, exists in (
        ("capabilities", data.get("capabilities") or [], "code", catalog.capability),
        ("certifications", data.get("certifications") or [], "type", catalog.certification_type),
    ):
        bad = {i: {key: ["Unknown code."]} for i, item in enumerate(items) if exists(item[key]) is None}
        if bad:
            errors[field] = bad
    if errors:
        raise ValidationError(errors)


def _check_identity(supplier: Supplier) -> None:
    """Run on the profile as it will be stored, so PATCH and PUT obey the same rules."""
    if supplier.siret:
        if supplier.siren and supplier.siren != supplier.siret[:9]:
            raise ValidationError("The SIREN must be the first nine digits of the SIRET.", "siren")
        supplier.siren = supplier.siret[:9]
    if supplier.country == "FR" and not supplier.siren:
        raise ValidationError("A French company gives its SIRET or SIREN.", "siret")


def _check_unique_siret(session: Session, supplier: Supplier, holders: Mapping[str, str] | None = None) -> None:
    """`holders` (SIRET -> supplier id), when given, holds every registered SIRET that matters:
    a caller checking many profiles looks them up in one query instead of one each."""
    if not supplier.siret:
        return
    if holders is not None:
        holder = holders.get(supplier.siret)
    else:
        with session.no_autoflush:
            holder = session.scalar(select(Supplier.id).where(Supplier.siret == supplier.siret))
    if holder is not None and holder != supplier.id:
        raise Conflict(f"SIRET {supplier.siret} is already registered (supplier {holder}).")


def _locate(sites: list[dict]) -> list[dict]:
    """Coordinates for sites given without them, and every French site's department."""
    errors = {}
    located = []
    for i, site in enumerate(sites):
        site = dict(site)
        place = None
        if site.get("latitude") is None:
            place = places.resolve(site["city"], site.get("postal_code"), site["country"])
            if place is None:
                errors[i] = {"city": ["Unknown place: check the city and postal code, "
                                      "or give latitude and longitude."]}
                continue
            site["latitude"], site["longitude"] = place.latitude, place.longitude
        site["department"] = None
        if site["country"] == "FR" and site.get("postal_code"):
            site["department"] = places.department_of(site["postal_code"])
        elif site["country"] == "FR":
            # From the city, coordinates given or not: the profile read back and sent again
            # (a PUT of a GET, an export imported) keeps its department.
            place = place or places.resolve(site["city"], None, "FR")
            site["department"] = place.department if place else None
        located.append(site)
    if errors:
        raise ValidationError({"sites": errors})
    return located


def _apply(session: Session, supplier: Supplier | SimpleNamespace, data: dict, *, as_rows: bool = True,
           siret_holders: Mapping[str, str] | None = None) -> None:
    """Check `data` and set it on `supplier`: children as model rows, or (`as_rows` false, for a
    preview) as dicts."""
    _check_references(data)
    if "sites" in data:
        data = {**data, "sites": _locate(data["sites"])}
    for name in SCALARS:
        if name in data:
            setattr(supplier, name, data[name])
    if data.get("siret") and "siren" not in data:
        supplier.siren = None  # derived again from the new SIRET, not kept from the old one
    for name, model in CHILDREN.items():
        if name in data:
            setattr(supplier, name, [model(position=i, **item) if as_rows else
                                     {key: item.get(key) for key in _CHILD_FIELDS[name]}
                                     for i, item in enumerate(data[name])])
    _check_identity(supplier)
    _check_unique_siret(session, supplier, siret_holders)


# --- history, events, outbox ---------------------------------------------------


def _record(session: Session, supplier: Supplier, action: str, before: dict, principal: Principal | None,
            *, after: dict | None = None, import_id: str | None = None) -> None:
    records = change_records(action, supplier.id, supplier.version, before,
                             snapshot(supplier) if after is None else after, principal, at=utc_now(),
                             import_id=import_id)
    session.add_all([SupplierChange(**records.history), Event(**records.event),
                     SearchOutbox(**records.outbox)])
