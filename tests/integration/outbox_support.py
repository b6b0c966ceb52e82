"""Helpers for the search-outbox tests: changes written through the service, the outbox
and the index compared with the database."""

from __future__ import annotations

from search_support import profile
from sqlalchemy import select

from api.models import SearchOutbox
from api.principal import ANONYMOUS
from api.search import profiles
from api.suppliers import service


def change_suppliers(app, suppliers: int, changes: int | None = None, deleted: int = 0) -> list[str]:
    """Create `suppliers`, then change them in turn (trade name) until `changes` changes in all
    were made, the last `deleted` of them deletions; the ids created. One commit per change,
    outside any request, so every change stays in the outbox for a worker."""
    changes = suppliers if changes is None else changes
    with app.extensions["db_sessionmaker"]() as session:
        ids = []
        for i in range(suppliers):
            ids.append(service.create_supplier(session, profile(i), ANONYMOUS).id)
            session.commit()
        for k in range(changes - suppliers):
            supplier = service.get_supplier(session, ids[k % suppliers])
            if k >= changes - suppliers - deleted:
                service.delete_supplier(session, supplier, ANONYMOUS)
            else:
                service.update_supplier(session, supplier, {"trade_name": f"Atelier {k % suppliers} rev {k}"},
                                        ANONYMOUS, replace=False)
            session.commit()
    return ids


def outbox_rows(app) -> list[SearchOutbox]:
    with app.extensions["db_sessionmaker"]() as session:
        return list(session.scalars(select(SearchOutbox).order_by(SearchOutbox.id)))


def assert_index_matches_database(app, index) -> None:
    """Document by document, source and version: what Elasticsearch holds is what the database says."""
    index.refresh()
    with app.extensions["db_sessionmaker"]() as session:
        expected = {u.document["id"]: (u.document, u.version) for u in profiles.upserts(session)}
    hits = index.client.search(index=index.alias, query={"match_all": {}}, size=10_000, version=True)
    indexed = {hit["_id"]: (hit["_source"], hit["_version"]) for hit in hits["hits"]["hits"]}
    assert indexed.keys() == expected.keys()
    for supplier_id, (document, version) in expected.items():
        assert indexed[supplier_id] == (document, version), supplier_id
