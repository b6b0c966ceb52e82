"""Suppliers as the plain dicts the search document builder takes, read in batches.

SQLAlchemy Core, not the ORM: the rebuild reads a million suppliers, and
building ORM objects (with their identity map) costs three times what the
rows do. A batch is four queries — the suppliers by keyset, then their sites,
capabilities and certifications by id — so nothing is N+1, no transaction
stays open across batches, and memory holds one batch at a time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from search.documents import build_document
from search.indexer import Upsert

from ..models import Site, Supplier, SupplierCapability, SupplierCertification
from ..reference import catalog

BATCH = 1000

SUPPLIER_COLUMNS = (Supplier.id, Supplier.legal_name, Supplier.trade_name, Supplier.description,
                    Supplier.employees, Supplier.sectors, Supplier.digital, Supplier.updated_at,
                    Supplier.version)
SITE_COLUMNS = (Site.city, Site.postal_code, Site.country, Site.department, Site.latitude, Site.longitude)
SITE_KEYS = tuple(column.key for column in SITE_COLUMNS)


def _children(session: Session, model, columns, ids: list[str]) -> dict[str, list[dict]]:
    rows = session.execute(select(model.supplier_id, *columns).where(model.supplier_id.in_(ids))
                           .order_by(model.supplier_id, model.position))
    grouped: dict[str, list[dict]] = defaultdict(list)
    for row in rows.mappings():
        grouped[row["supplier_id"]].append(row)
    return grouped


def profiles(session: Session, where: ColumnElement[bool] | None = None,
             batch: int | None = None) -> Iterator[tuple[dict, int]]:
    """(profile, version) of every supplier matching `where`, in id order."""
    batch = batch or BATCH
    last_id = ""
    while True:
        query = select(*SUPPLIER_COLUMNS).where(Supplier.id > last_id).order_by(Supplier.id).limit(batch)
        if where is not None:
            query = query.where(where)
        suppliers = session.execute(query).all()
        if not suppliers:
            return
        ids = [row.id for row in suppliers]
        sites = _children(session, Site, SITE_COLUMNS, ids)
        capabilities = _children(session, SupplierCapability, (SupplierCapability.code,), ids)
        certifications = _children(session, SupplierCertification, (
            SupplierCertification.type, SupplierCertification.valid_from, SupplierCertification.valid_until), ids)
        for row in suppliers:
            yield {
                "id": row.id, "legal_name": row.legal_name, "trade_name": row.trade_name,
                "description": row.description, "employees": row.employees,
                "sectors": row.sectors, "digital": row.digital, "updated_at": row.updated_at.isoformat(),
                "sites": [{key: site[key] for key in SITE_KEYS} for site in sites[row.id]],
                "capabilities": [{"code": c["code"]} for c in capabilities[row.id]],
                "certifications": [{"type": c["type"], "valid_from": c["valid_from"].isoformat(),
                                    "valid_until": c["valid_until"].isoformat()}
                                   for c in certifications[row.id]],
            }, row.version
        last_id = ids[-1]
        if len(suppliers) < batch:
            return


def upserts(session: Session, where: ColumnElement[bool] | None = None,
            batch: int | None = None) -> Iterator[Upsert]:
    for profile, version in profiles(session, where, batch):
        yield Upsert(build_document(profile, catalog), version)
