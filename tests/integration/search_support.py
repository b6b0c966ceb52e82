"""Helpers shared by the supplier-search tests (test_search_*.py).

The search tests share one Elasticsearch index per test session with every
other test module, so each search module empties the index when it starts and
when it ends (`clean_index`), and builds its suppliers once, module-wide.
"""

from __future__ import annotations

import math
import unicodedata
from contextlib import contextmanager

from factories import issue_admin_key, new_siret

from api import transaction
from api.principal import ANONYMOUS
from api.search import sync
from api.suppliers.service import create_supplier

SEARCH_URL = "/api/v1/search/suppliers"
EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius, as Elasticsearch's arc distance uses


def empty_index(app) -> None:
    """Drop the indexes behind the alias and start again from an empty one.

    (The minimal Elasticsearch distribution has no _delete_by_query.)"""
    index = app.extensions["supplier_index"]
    names = sorted(set(index.live_indexes()) | set(index.write_targets()))
    if names:
        index.client.indices.delete(index=",".join(names))
    index.ensure()


@contextmanager
def clean_index(app):
    """An empty supplier index for the duration of a module."""
    empty_index(app)
    try:
        yield
    finally:
        empty_index(app)


def created_through_api(app, bodies: dict[str, dict]):
    """Suppliers created by an admin through the API into an empty index, refreshed: key -> id
    (a generator, for module fixtures: the index is emptied again afterwards)."""
    with clean_index(app):
        client, admin = app.test_client(), issue_admin_key(app)
        created = {}
        for key, body in bodies.items():
            response = client.post("/api/v1/suppliers", headers=admin.headers, json=body)
            assert response.status_code == 201, response.get_json()
            created[key] = response.get_json()["id"]
        refresh(app)
        yield created


def refresh(app) -> None:
    app.extensions["supplier_index"].refresh()


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance, written here again so that the tests do not trust search.geo."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def folded(text: str) -> str:
    """Lower case, accents dropped ('Écoles Œuvre Ørsted' -> 'ecoles oeuvre orsted')."""
    for letter, plain in (("œ", "oe"), ("æ", "ae"), ("ø", "o"), ("ß", "ss")):
        text = text.lower().replace(letter, plain)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def search(client, params, headers=None):
    """GET the search endpoint; `params` is a dict or a list of (name, value) pairs."""
    return client.get(SEARCH_URL, query_string=params, headers=headers or {})


def search_all(client, params: list[tuple[str, str]], max_pages: int = 1000) -> tuple[list[dict], list[dict]]:
    """Every page of a search, following next_cursor; returns (pages, hits in order)."""
    pages, hits, cursor = [], [], None
    for _ in range(max_pages):
        response = search(client, params + ([("cursor", cursor)] if cursor else []))
        assert response.status_code == 200, (params, response.get_json())
        page = response.get_json()
        pages.append(page)
        hits.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return pages, hits
    raise AssertionError(f"more than {max_pages} pages for {params}")


def profile(i: int) -> dict:
    return {"legal_name": f"Atelier {i}", "siret": new_siret(), "country": "FR",
            "sites": [{"city": "Rouen", "postal_code": "76000", "country": "FR",
                       "latitude": 49.44 + i / 10_000, "longitude": 1.09}],
            "capabilities": [{"code": "machining.turning"}], "sectors": ["automotive"]}


def create_many(app, count: int) -> list[str]:
    """Suppliers written through the service (as the API does), then synced."""
    with app.app_context():
        session = transaction.session()
        ids = [create_supplier(session, profile(i), ANONYMOUS).id for i in range(count)]
        session.commit()
        sync.drain(session, sync.supplier_index(app))
    return ids
