"""A demo that tells the story: `flask --app api demo load` (run by `make run`).

On an empty database it loads ~300 suppliers around Rouen–Elbeuf–Cléon and
the Seine valley (the data generator, api.generator, with its default seed:
the same data every time; each with the history entry, event and
search-outbox row of its creation), a handful of fictional prime
contractors as buyer organisations, one supplier organisation owning its
profile, prints an API key for each of them and an admin key, then builds the
search index with the real rebuild. On a database that already has suppliers
it does nothing: keys are shown once (only their hashes are stored).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import generator, transaction
from .accounts.service import create_api_key, create_organisation
from .db import unit_of_work
from .models import Organisation, Rfq, Supplier
from .principal import Principal
from .rfqs.service import create_rfq, perform
from .suppliers.service import link_organisation
from .search import sync
from .search.rebuild import rebuild

DEMO_SUPPLIERS = 300
DEMO_SEED = 42
DEMO_REGION = "rouen"

demo_cli = AppGroup("demo", help="Demo data for a first run.")


@dataclass(frozen=True)
class DemoBuyer:
    name: str
    what: str
    city: str
    postal_code: str


# Fictional prime contractors of the founding cluster (names invented; places real).
BUYERS = (
    DemoBuyer("Moteurs de la Seine — usine de Cléon", "car engines and electric drivetrains",
              "Cléon", "76410"),
    DemoBuyer("Estuaire Chimie — plateforme de Port-Jérôme", "petrochemicals and polymers",
              "Port-Jérôme-sur-Seine", "76330"),
    DemoBuyer("Laboratoires Vexin Santé — site de Val-de-Reuil", "pharmaceutical plant (sterile injectables)",
              "Val-de-Reuil", "27100"),
    DemoBuyer("Normandie Aéro Équipements — Vernon", "aerospace equipment: actuators and engine parts",
              "Vernon", "27200"),
)


def load_story(session: Session) -> list[Organisation]:
    """The demo's prime contractors, created as buyer organisations; returns them in BUYERS order."""
    return [create_organisation(session, buyer.name, "buyer") for buyer in BUYERS]


def publish_cleon_rfq(session: Session, cleon_plant: Organisation) -> Rfq:
    """The founding story: the Cléon car plant looks for local machining of aluminium parts."""
    buyer = Principal(role="buyer", organisation_id=cleon_plant.id)
    today = date.today()
    rfq = create_rfq(session, {
        "title": "Carters de boîte de vitesses en aluminium usinés",
        "description": "Usinage CNC de 2 000 carters en aluminium AS7G, tolérances ±0,02 mm, "
                       "livraison à l'usine de Cléon.",
        "required_capabilities": ["machining.milling"],
        "required_certifications": ["iatf-16949"],
        "quantity": Decimal(2000), "unit": "pieces", "near": "Cléon", "max_distance_km": 50,
        "response_deadline": datetime.now(timezone.utc) + timedelta(days=21),
        "needed_by": today + timedelta(days=90), "visibility": "invited", "sealed": False,
        "budget": Decimal(90000), "currency": "EUR",
    }, buyer)
    return perform(session, rfq, "publish", buyer)


def _link_a_supplier(session: Session) -> tuple[Supplier, Organisation]:
    """Give one demo supplier an organisation, so a supplier key can edit its own profile."""
    supplier = session.scalars(select(Supplier).order_by(Supplier.legal_name).limit(1)).one()
    organisation = create_organisation(session, supplier.legal_name, "supplier")
    return link_organisation(session, supplier, organisation.id, principal=None), organisation


@demo_cli.command("load")
@click.option("--suppliers", default=DEMO_SUPPLIERS, show_default=True, help="How many suppliers")
def demo_load(suppliers: int) -> None:
    """Load the demo into an EMPTY database (does nothing if it has suppliers), print API keys."""
    session = transaction.session()
    existing = session.scalar(select(func.count(Supplier.id)))
    if existing:
        click.echo(f"demo: the database already has {existing:,} suppliers; nothing loaded.", err=True)
        return
    click.echo(f"demo: loading {suppliers:,} suppliers around Rouen…", err=True)
    generator.write(transaction.engine(), suppliers, seed=DEMO_SEED, region=DEMO_REGION)
    with unit_of_work(current_app.extensions["db_sessionmaker"]) as story:
        buyers = load_story(story)
        supplier, supplier_organisation = _link_a_supplier(story)
        keys = [("admin", "operators (every right)", create_api_key(
            story, name="demo admin", role="admin", organisation_id=None)[1])]
        for buyer, organisation in zip(BUYERS, buyers):
            keys.append(("buyer", f"{buyer.name} ({buyer.what}, {buyer.city})", create_api_key(
                story, name="demo", role="buyer", organisation_id=organisation.id)[1]))
        keys.append(("supplier", f"{supplier.legal_name} (edits /api/v1/suppliers/{supplier.id})",
                     create_api_key(story, name="demo", role="supplier",
                                    organisation_id=supplier_organisation.id)[1]))
        rfq = publish_cleon_rfq(story, buyers[0])

    indexed = None
    try:
        indexed = rebuild(session, sync.supplier_index()).indexed
    except Exception as error:  # noqa: BLE001  (the data and keys are in; the index can be rebuilt later)
        click.echo(f"demo: the search index could not be built ({error}); "
                   "run `flask --app api search rebuild` once Elasticsearch is up.", err=True)

    rule = "─" * 78
    click.echo(rule)
    click.echo(f" Proxisource demo: {suppliers:,} suppliers around Rouen–Elbeuf–Cléon"
               + (f", {indexed:,} indexed" if indexed is not None else ", NOT indexed yet"))
    click.echo(" API keys — shown once, only their hashes are stored. Send them as")
    click.echo("   Authorization: Bearer <key>")
    click.echo()
    for role, who, key in keys:
        click.echo(f"  {role:<8} {who}")
        click.echo(f"           {key}")
    click.echo()
    click.echo(" Try: GET /api/v1/search/suppliers?near=Cléon&radius_km=30&capability=machining"
               "&certification=iatf-16949")
    click.echo(f"      GET /api/v1/rfqs/{rfq.id}/matches  (with the Cléon plant's key: its published RFQ,")
    click.echo("          then POST …/invitations with supplier ids from the matches)")
    click.echo("      GET /docs  (Swagger UI: 'Authorize' with a key above)")
    click.echo(rule)
