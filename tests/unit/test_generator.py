"""The demo and benchmark data generator (api.generator): realistic, valid, deterministic.

No servers: suppliers are generated in memory (and written once to a SQLite file).
"""

from __future__ import annotations

import copy
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest
from factories import request_body_of
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from stdnum.eu import vat
from stdnum.fr import siren as siren_number
from stdnum.fr import siret as siret_number

from api import migrate, places
from api.generator import Generator, geography, write
from api.models import Event, SearchOutbox, Supplier, SupplierChange
from api.reference import catalog
from api.search.profiles import upserts
from api.suppliers.service import load_options
from schemas.suppliers import SupplierSchema, SupplierWriteSchema
from search.geo import haversine_km

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=timezone.utc)
TODAY = NOW.date()
SAMPLE = 1500


@pytest.fixture(scope="module")
def sample() -> list[dict]:
    generator = Generator(42, now=NOW)
    return [generator.supplier(i) for i in range(SAMPLE)]


def holders(sample, code):
    return [s for s in sample if any(c["type"] == code for c in s["certifications"])]


# --- determinism ------------------------------------------------------------------------------


def test_same_seed_gives_the_same_suppliers(sample):
    again = Generator(42, now=NOW)
    assert [again.supplier(i) for i in range(50)] == sample[:50]


def test_supplier_i_does_not_depend_on_where_generation_starts(sample):
    """A data set can be extended (or the demo take the first suppliers) and stay the same."""
    assert list(Generator(42, now=NOW).suppliers(start=700, count=5)) == sample[700:705]


def test_another_seed_gives_other_suppliers(sample):
    other = Generator(43, now=NOW)
    assert [other.supplier(i)["supplier"]["legal_name"] for i in range(20)] != \
        [s["supplier"]["legal_name"] for s in sample[:20]]


# --- validity: nothing the API would reject ------------------------------------------------------


def test_suppliers_pass_the_api_write_schema(sample):
    schema = SupplierWriteSchema()
    for generated in sample[:300]:
        body = request_body_of(copy.deepcopy(generated))
        assert schema.validate(body) == {}, generated["supplier"]["legal_name"]


def test_every_code_is_a_known_reference_code(sample):
    for generated in sample:
        row = generated["supplier"]
        assert row["sectors"] and all(catalog.sector(code) for code in row["sectors"])
        assert all(catalog.digital_capability(code) for code in row["digital"])
        assert generated["capabilities"]
        assert all(catalog.capability(c["code"]) for c in generated["capabilities"])
        assert all(catalog.certification_type(c["type"]) for c in generated["certifications"])


def test_company_numbers_are_valid_and_unique(sample):
    sirets = [s["supplier"]["siret"] for s in sample]
    assert all(siret_number.is_valid(n) for n in sirets)
    assert len(set(sirets)) == len(sirets)
    for generated in sample:
        row = generated["supplier"]
        assert siren_number.is_valid(row["siren"]) and row["siret"][:9] == row["siren"]
        assert row["vat_number"] is None or (vat.is_valid(row["vat_number"])
                                             and row["vat_number"].endswith(row["siren"]))


# --- correlations ------------------------------------------------------------------------------------


def test_certification_holders_serve_a_sector_it_matters_to(sample):
    for generated in sample:
        served = set(generated["supplier"]["sectors"])
        for certification in generated["certifications"]:
            assert served & set(catalog.certification_type(certification["type"]).sectors), certification["type"]


@pytest.mark.parametrize(("code", "sectors"), [
    ("iatf-16949", {"automotive"}),
    ("en-9100", {"aerospace", "defence"}),
    ("gmp", {"pharmaceuticals", "chemicals"}),
    ("iso-13485", {"medical-devices", "pharmaceuticals"}),
    ("mase", {"chemicals", "pharmaceuticals", "energy", "nuclear", "oil-and-gas"}),
])
def test_sector_certifications_are_held_and_only_by_their_sectors(sample, code, sectors):
    found = holders(sample, code)
    assert len(found) >= 10  # the rule is exercised, not vacuously true
    assert all(set(s["supplier"]["sectors"]) & sectors for s in found)


def test_agrifood_schemes_go_with_agrifood(sample):
    found = [s for code in ("iso-22000", "fssc-22000", "ifs-food", "haccp") for s in holders(sample, code)]
    assert found and all("agrifood" in s["supplier"]["sectors"] for s in found)


def test_special_process_and_trade_certifications_follow_capabilities(sample):
    def areas(generated):
        return {c["code"].split(".")[0] for c in generated["capabilities"]}

    assert all(areas(s) & {"electrical"} for s in holders(sample, "qualifelec"))
    assert all(areas(s) & {"surface", "heat_treatment", "metrology", "joining"} for s in holders(sample, "nadcap"))


def test_certifications_run_in_real_cycles_some_expired_some_expiring(sample):
    certifications = [c for s in sample for c in s["certifications"]]
    assert all(c["valid_from"] <= TODAY and c["valid_until"] >= c["valid_from"] for c in certifications)
    iso_9001 = [c for c in certifications if c["type"] == "iso-9001"]
    assert all(timedelta(days=1090) <= c["valid_until"] - c["valid_from"] <= timedelta(days=1100)
               for c in iso_9001)
    expired = sum(c["valid_until"] < TODAY for c in certifications) / len(certifications)
    expiring = sum(TODAY <= c["valid_until"] <= TODAY + timedelta(days=90)
                   for c in certifications) / len(certifications)
    assert 0.03 < expired < 0.2
    assert 0.02 < expiring < 0.2


def test_head_counts_follow_the_french_sme_distribution(sample):
    bands = Counter()
    for generated in sample:
        employees = generated["supplier"]["employees"]
        bands["micro" if employees < 10 else "small" if employees < 50 else
              "medium" if employees < 250 else "large"] += 1
    shares = {band: count / len(sample) for band, count in bands.items()}
    assert shares["micro"] == pytest.approx(0.55, abs=0.05)
    assert shares["small"] == pytest.approx(0.32, abs=0.05)
    assert shares["medium"] == pytest.approx(0.10, abs=0.03)
    assert shares["large"] == pytest.approx(0.03, abs=0.02)


# --- geography -------------------------------------------------------------------------------------------


def test_sites_are_real_french_places_with_the_department_the_api_derives(sample):
    lat_range, lon_range = geography.FRANCE_BBOX["lat"], geography.FRANCE_BBOX["lon"]
    for generated in sample[:400]:
        for site in generated["sites"]:
            assert lat_range[0] <= site["latitude"] <= lat_range[1]
            assert lon_range[0] <= site["longitude"] <= lon_range[1]
            place = places.resolve(site["city"], site["postal_code"])
            assert place is not None, site
            assert abs(place.latitude - site["latitude"]) < 0.01
            assert abs(place.longitude - site["longitude"]) < 0.01
            assert site["department"] == places.department_of(site["postal_code"])


def test_some_suppliers_have_several_sites(sample):
    share = sum(len(s["sites"]) > 1 for s in sample) / len(sample)
    assert 0.10 < share < 0.20


def test_the_rouen_elbeuf_cleon_area_is_the_densest(sample):
    def within(lat, lon, km=30):
        return sum(any(haversine_km(lat, lon, site["latitude"], site["longitude"]) <= km
                       for site in s["sites"]) for s in sample)

    rouen = within(*geography.ROUEN)
    others = {hub.name: within(hub.lat, hub.lon) for hub in geography.HUBS
              if hub.radius_km and haversine_km(hub.lat, hub.lon, *geography.ROUEN) > 60}
    assert rouen > 0.08 * len(sample)
    assert all(rouen > count for count in others.values()), (rouen, others)


def test_the_demo_region_stays_around_rouen():
    generator = Generator(42, region="rouen", now=NOW)
    for i in range(100):
        for site in generator.supplier(i)["sites"]:
            assert haversine_km(*geography.ROUEN, site["latitude"], site["longitude"]) < 120


# --- writing -----------------------------------------------------------------------------------------------


UNTRACKED = {"version", "created_at", "updated_at"}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A migrated SQLite database holding the first 30 suppliers, written in batches of 8."""
    url = f"sqlite:///{tmp_path_factory.mktemp('generated') / 'generated.db'}"
    migrate.upgrade(url)
    engine = create_engine(url)
    assert write(engine, 30, seed=42, batch_size=8, now=NOW) == 30
    yield engine
    engine.dispose()


def test_write_inserts_rows_the_api_reads_back(written):
    expected = Generator(42, now=NOW).supplier(29)
    with Session(written) as session:
        assert session.scalar(select(func.count(Supplier.id))) == 30
        supplier = session.scalars(select(Supplier).where(Supplier.id == expected["supplier"]["id"])
                                   .options(*load_options())).one()
        assert supplier.version == 1 and supplier.legal_name == expected["supplier"]["legal_name"]
        assert [c.code for c in supplier.capabilities] == [c["code"] for c in expected["capabilities"]]
        document = next(u.document for u in upserts(session, Supplier.id == supplier.id))
    assert document["locations"][0] == {"lat": expected["sites"][0]["latitude"],
                                        "lon": expected["sites"][0]["longitude"]}
    assert isinstance(document["certifications"], list)
    assert date.fromisoformat(document["updated_at"][:10]) <= TODAY


def test_write_records_each_creation_by_the_system(written):
    """The history entry, event and outbox row of a creation, against the profile as read back."""
    with Session(written) as session:
        suppliers = session.scalars(select(Supplier).options(*load_options())).all()
        history = session.scalars(select(SupplierChange)).all()
        events = session.scalars(select(Event)).all()
        outbox = session.scalars(select(SearchOutbox)).all()
        assert len(history) == len(events) == len(outbox) == len(suppliers) == 30
        entry_of = {entry.supplier_id: entry for entry in history}
        event_of = {event.entity_id: event for event in events}
        assert sorted((row.entity_type, row.entity_id, row.version) for row in outbox) == \
            sorted(("supplier", supplier.id, 1) for supplier in suppliers)
        for supplier in suppliers:
            shown = SupplierSchema().dump(supplier)
            changes = {field: {"from": None, "to": value} for field, value in shown.items()
                       if field not in UNTRACKED and value is not None}
            entry, event = entry_of[supplier.id], event_of[supplier.id]
            assert (entry.action, entry.version, entry.changes) == ("created", 1, changes)
            assert entry.changed_at == event.occurred_at == supplier.created_at
            assert (event.type, event.entity_type, event.public) == ("supplier.created", "supplier", True)
            assert event.data == {"supplier_id": supplier.id, "version": 1, "changed_fields": sorted(changes)}
            assert not event.recipients
            for record in (entry, event):
                assert (record.actor_role, record.actor_key_id, record.actor_organisation_id) == \
                    ("system", None, None)
