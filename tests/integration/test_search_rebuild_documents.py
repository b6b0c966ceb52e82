"""A rebuild from several processes indexes exactly the documents of search.documents.build_document.

Generated suppliers (api.generator, several sites, capabilities and certifications each)
are written to the database; the rebuild streams them from two processes, each reading
its own slice of the ids. Every indexed document must equal the one build_document makes
from the generator's own rows (not read back from the database), and none may be missing
or indexed twice — on PostgreSQL and on SQLite alike.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from search_support import clean_index

from api import generator, transaction
from api.reference import catalog
from api.search import sync
from api.search.parallel import Sources
from api.search.rebuild import rebuild
from search.documents import build_document

SUPPLIERS = 1300  # more than one bulk chunk per process
NOW = datetime(2026, 6, 1, 12, 0, 0, 123456, tzinfo=timezone.utc)


@pytest.fixture(scope="module", autouse=True)
def _own_index(app):
    with clean_index(app):
        yield


def expected_document(generated: dict) -> dict:
    """build_document of a generated supplier, its profile taken from the generator's rows."""
    row = generated["supplier"]
    profile = {
        **{key: row[key] for key in ("id", "legal_name", "trade_name", "description", "employees",
                                     "sectors", "digital")},
        "updated_at": row["updated_at"].isoformat(),
        "sites": [{key: site[key] for key in ("city", "postal_code", "country", "department", "latitude",
                                             "longitude")} for site in generated["sites"]],
        "capabilities": [{"code": c["code"]} for c in generated["capabilities"]],
        "certifications": [{"type": c["type"], "valid_from": c["valid_from"].isoformat(),
                            "valid_until": c["valid_until"].isoformat()} for c in generated["certifications"]],
    }
    return build_document(profile, catalog)


def test_documents_from_several_processes_equal_build_document(app):
    generated = list(generator.Generator(7, now=NOW).suppliers(0, SUPPLIERS))
    generator.write(app.extensions["db_engine"], SUPPLIERS, seed=7, now=NOW)
    expected = {g["supplier"]["id"]: expected_document(g) for g in generated}
    assert any(len(g["sites"]) > 1 for g in generated) and any(g["certifications"] for g in generated)

    seen: list[int] = []
    with app.app_context():
        report = rebuild(transaction.session(), sync.supplier_index(), seen.append,
                         sources=Sources(app.config["DATABASE_URL"], app.config["ELASTICSEARCH_URL"], 2,
                                         parallel_from=SUPPLIERS))
        index = sync.supplier_index()
        index.refresh()
        hits = index.client.search(index=index.alias, query={"match_all": {}}, size=SUPPLIERS + 1,
                                   sort=["_doc"])["hits"]["hits"]

    assert report.indexed == SUPPLIERS
    assert seen and seen[-1] == SUPPLIERS  # progress adds up both processes
    indexed = {hit["_id"]: hit["_source"] for hit in hits}
    assert len(hits) == SUPPLIERS and indexed.keys() == expected.keys()
    for supplier_id, document in expected.items():
        assert indexed[supplier_id] == document, supplier_id
