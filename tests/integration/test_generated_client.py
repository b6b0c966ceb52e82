"""A purchasing system's view: a client generated from the committed openapi.yaml by
openapi-python-client runs the founding RFQ story, calling functions named by the
operationIds and getting typed models back (always-present fields not optional, states
as enums). The client talks HTTP to the app in this process (httpx's WSGI transport)."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from factories import issue_admin_key, supplier_body
from rfq_support import quote_body, rfq_body

OPENAPI_FILE = Path(__file__).resolve().parents[2] / "openapi.yaml"
PACKAGE = "proxisource_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The generated package, imported (formatting hooks off: nothing here needs ruff)."""
    root = tmp_path_factory.mktemp("generated")
    config = root / "config.yaml"
    config.write_text(f"package_name_override: {PACKAGE}\npost_hooks: []\n")
    subprocess.run([Path(sys.executable).with_name("openapi-python-client"), "generate",
                    "--path", str(OPENAPI_FILE), "--meta", "none", "--config", str(config),
                    "--output-path", str(root / PACKAGE)], check=True, capture_output=True)
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def module(name: str):
    return importlib.import_module(f"{PACKAGE}.{name}")


def connect(app, key: str):
    """A client for one API key, over the WSGI transport to the app under test."""
    return module("client").AuthenticatedClient(
        base_url="http://localhost", token=key, raise_on_unexpected_status=True,
        httpx_args={"transport": httpx.WSGITransport(app=app)})


def call(operation: str, tag: str, **kwargs):
    """Call the generated function for an operationId (createRfq → api.rfqs.create_rfq.sync)."""
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in operation)
    result = module(f"api.{tag}.{snake}").sync(**kwargs)
    problem = module("models").Problem
    assert not isinstance(result, problem), (operation, result.to_dict())
    return result


def test_the_founding_story_runs_on_a_generated_client(app, generated):
    models = module("models")
    admin = connect(app, issue_admin_key(app).key)

    organisations, keys = {}, {}
    for kind, name in (("buyer", "Renault Cléon"), ("supplier", "Usinage de la Seine")):
        organisations[kind] = call("createOrganisation", "accounts", client=admin,
                                   body=models.OrganisationCreate.from_dict({"kind": kind, "name": name}))
        keys[kind] = call("issueApiKey", "accounts", client=admin, body=models.ApiKeyCreate.from_dict(
            {"name": f"{name} ERP", "role": kind, "organisation_id": organisations[kind].id})).key
    buyer, supplier = connect(app, keys["buyer"]), connect(app, keys["supplier"])

    profile = call("createSupplier", "suppliers", client=admin, body=models.SupplierCreate.from_dict(
        supplier_body(organisation_id=organisations["supplier"].id)))
    rfq = call("createRfq", "rfqs", client=buyer, body=models.RfqWrite.from_dict(rfq_body(budget="15000.00")))
    assert rfq.state is models.RfqState.DRAFT

    call("publishRfq", "rfqs", client=buyer, rfq_id=rfq.id)
    invited = call("inviteSuppliers", "rfqs", client=buyer, rfq_id=rfq.id,
                   body=models.Invite.from_dict({"supplier_ids": [profile.id]}))
    assert [invitation.supplier_id for invitation in invited.items] == [profile.id]

    seen = call("listRfqs", "rfqs", client=supplier)
    assert [item.id for item in seen.items] == [rfq.id]
    assert seen.items[0].budget is None  # the budget is the buyer's alone
    quote = call("submitQuote", "rfqs", client=supplier, rfq_id=rfq.id,
                 body=models.QuoteWrite.from_dict(quote_body(unit_price="12.50")))
    assert quote.state is models.QuoteState.SUBMITTED

    closed = call("closeRfq", "rfqs", client=buyer, rfq_id=rfq.id)
    assert closed.state is models.RfqState.CLOSED
    compared = call("listQuotes", "rfqs", client=buyer, rfq_id=rfq.id)
    assert [(q.id, q.total_price) for q in compared.items] == [(quote.id, "12500.00")]  # 1000 × 12.50
    awarded = call("awardRfq", "rfqs", client=buyer, rfq_id=rfq.id,
                   body=models.Award.from_dict({"quote_id": quote.id}))
    assert (awarded.state, awarded.awarded_quote_id) == (models.RfqState.AWARDED, quote.id)
    won = call("getQuote", "rfqs", client=supplier, rfq_id=rfq.id, quote_id=quote.id)
    assert won.state is models.QuoteState.AWARDED


ALWAYS_PRESENT = {
    "Rfq": ["id", "state", "title", "quantity", "version", "created_at", "allowed_actions"],
    "Quote": ["id", "rfq_id", "supplier_id", "state", "unit_price", "total_price", "version"],
    "Supplier": ["id", "legal_name", "sites", "version", "updated_at"],
    "Organisation": ["id", "kind", "name"],
}


@pytest.mark.parametrize("model", ALWAYS_PRESENT)
def test_always_present_fields_are_not_optional_in_the_generated_models(generated, model):
    # The generated modules postpone annotations: each one is its source text, e.g. "str | Unset".
    annotations = getattr(module("models"), model).__annotations__
    optional = [name for name in ALWAYS_PRESENT[model] if "Unset" in annotations[name]]
    assert optional == [], f"{model}: typed as possibly unset"
