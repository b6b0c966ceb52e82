"""Every supplier as a row of the template, for the export that an import reads back unchanged."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Supplier
from ..principal import Principal
from ..suppliers import service as suppliers
from ..suppliers.records import snapshot
from ..suppliers.service import CHILDREN
from . import columns, rows

BATCH = 500


def group_counts(session: Session) -> dict[str, int]:
    """The most items any supplier has in each group: the export's numbered columns."""
    counts = {}
    for name, model in CHILDREN.items():
        per_supplier = select(func.count().label("n")).select_from(model).group_by(model.supplier_id).subquery()
        counts[name] = session.scalar(select(func.max(per_supplier.c.n))) or 0
    return counts


def supplier_rows(session: Session, principal: Principal, lang: str = "en") -> Iterator[list]:
    """The header, then one row per supplier in id order, read a batch at a time (admins only:
    checked now, before the first row is asked for)."""
    principal.require("admin")
    counts = group_counts(session)

    def generate() -> Iterator[list]:
        yield columns.header(lang, counts)
        after = ""
        while True:
            batch = list(session.scalars(select(Supplier).options(*suppliers.load_options())
                                         .where(Supplier.id > after).order_by(Supplier.id).limit(BATCH)))
            for supplier in batch:
                yield rows.cells_of(snapshot(supplier), counts)
            if len(batch) < BATCH:
                return
            after = batch[-1].id
            session.expunge_all()  # memory stays flat over the whole table

    return generate()
