"""Schemathesis against the seeded demo: every phase (examples, coverage, fuzzing, stateful),
every check, with an admin key, a buyer's and a supplier's; 0 failures.

It runs what `schemathesis run` runs (its engine), against the app served on a loopback port,
bounded (examples per operation, steps per scenario) and deterministic, so CI is reproducible.

What the spec cannot say, the run is told here, each with its reason:
- the formats the spec names for check digits and places (`siret`, `siren`, `vat`, `place`)
  get strategies drawing valid values;
- an Idempotency-Key is new for each new request (reusing one for another body is a 422 by
  design, tested in test_http_semantics);
- a missing If-Match is a 428 (RFC 6585), the status the spec declares for it;
- some operations refuse schema-valid input by rules beyond a schema (RULES): for them a
  422 is an acceptable answer to positive data. Every other check stays on for them.
"""

from __future__ import annotations

import threading
import traceback
import uuid

import pytest
import schemathesis
import schemathesis.engine
from integration.search_support import empty_index
from integration.spec_formats import FORMATS
from schemathesis.engine import Status, events
from sqlalchemy import select
from werkzeug.serving import make_server

from api.accounts.service import issue_key
from api.db import unit_of_work
from api.models import Base, Organisation

MAX_EXAMPLES = 15
SUPPLIERS = 40

# Operations refusing some schema-valid requests with a 422, and why the schema cannot say it.
RULES = {
    "createRfq": "the deadline is in the future and before needed_by; near or delivery_lat/lon; known codes",
    "updateRfq": "as createRfq, and only a draft's fields",
    "submitQuote": "valid_until is today or later; the RFQ's quantity and currency",
    "reviseQuote": "as submitQuote",
    "awardRfq": "the quote is a live one of this RFQ",
    "inviteSuppliers": "the suppliers exist",
    "createSupplier": "known codes; sites without coordinates must be places the gazetteer knows; "
                      "the organisation exists and is a supplier",
    "replaceSupplier": "as createSupplier",
    "updateSupplier": "as createSupplier",
    "createOrganisation": "none of its own: the coverage phase sends its generated Idempotency-Key as is "
                          "(map_headers does not run there), so a key comes back with another body (422)",
    "issueApiKey": "an admin key has no organisation, the others one of their kind that exists",
    "searchSuppliers": "near or lat/lon; local_first without radius_km; a point for sort=distance",
    "clusterSuppliers": "near or lat/lon; a bounding box with a width and min_lat < max_lat",
    "listSuppliers": "a cursor is one the API issued",
    "listRfqs": "a cursor is one the API issued",
    "listRfqMatches": "a cursor is one the API issued",
    "listEvents": "a cursor is one the API issued",
    "listSearchOutbox": "a cursor is one the API issued",
    "createWebhook": "the URL's host resolves (by DNS) to public addresses only; the organisation exists",
    "updateWebhook": "as createWebhook",
    "listWebhookDeliveries": "a cursor is one the API issued",
    "getImport": "a cursor is one the API issued",
    "createImport": "the file is a spreadsheet with the template's columns",
}
# Schemathesis's defaults, and 412: an If-Match it makes up is not the current ETag (RFC 9110).
ACCEPTED_FOR_POSITIVE_DATA = ["2xx", "3xx", 401, 403, 404, 409, 412, 429]


@pytest.fixture(scope="module")
def demo_app(app):
    """The demo, loaded once for the module (the suite empties tables after each test
    otherwise), and emptied after it, its index too."""
    empty_index(app)
    result = app.test_cli_runner().invoke(args=["demo", "load", "--suppliers", str(SUPPLIERS)])
    assert result.exit_code == 0, result.output
    yield app
    with app.extensions["db_engine"].begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    empty_index(app)


@pytest.fixture()
def _empty_tables():
    """The demo stays for the whole module (see demo_app)."""
    yield


@pytest.fixture(scope="module")
def base_url(demo_app):
    """The app served over HTTP on a loopback port, one request at a time (schemathesis's
    WSGI transport fails on some checks' extra requests)."""
    server = make_server("127.0.0.1", 0, demo_app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="module", autouse=True)
def _formats():
    for name, strategy in FORMATS.items():
        schemathesis.openapi.format(name, strategy)


def key_for(app, role: str) -> str:
    """A new key of `role`; for buyers and suppliers, of the demo's organisation of that kind
    that comes first by name (the supplier one owns a profile)."""
    with unit_of_work(app.extensions["db_sessionmaker"]) as session:
        organisation = None
        if role != "admin":
            organisation = session.scalars(select(Organisation).where(Organisation.kind == role)
                                           .order_by(Organisation.name).limit(1)).one()
        _, plain = issue_key(session, role=role, name=f"schemathesis {role}", organisation=organisation)
    return plain


def config_for(key: str, *, coverage: bool) -> schemathesis.Config:
    return schemathesis.Config.from_dict({
        "seed": 20261202,
        "headers": {"Authorization": f"Bearer {key}"},
        # NUL is refused by rule (the spec's description says so; test_hostile_input checks the 422).
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none",
                       "allow-x00": False},
        "phases": {"enabled": True, "coverage": {"enabled": coverage}, "stateful": {"max-steps": 8}},
        "checks": {"enabled": True, "missing_required_header": {"expected-statuses": [400, 401, 403, 422, 428]},
                   "positive_data_acceptance": {"expected-statuses": ACCEPTED_FOR_POSITIVE_DATA}},
        "operations": [{"include-operation-id": name, "checks": {"positive_data_acceptance": {
            "expected-statuses": [*ACCEPTED_FOR_POSITIVE_DATA, 422]}}} for name in RULES],
        "suppress-health-check": ["all"],
        "workers": 1,
    })


def new_idempotency_keys(_context, headers):
    """A client makes a new Idempotency-Key for each new request (generated ones repeat)."""
    if headers and 1 <= len(str(headers.get("Idempotency-Key", ""))) <= 255:
        headers["Idempotency-Key"] = uuid.uuid4().hex
    return headers


def run(schema) -> tuple[list[str], dict[str, int]]:
    """What the run found (failures and errors), and how many cases each phase ran."""
    found, cases = [], {}
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            cases[event.phase.value] = cases.get(event.phase.value, 0) + len(event.recorder.cases)
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.status == Status.FAILURE and check.failure_info:
                        failure = check.failure_info.failure
                        found.append(f"[{event.phase.value}] {event.recorder.label}: {check.name}: "
                                     f"{failure.title}\n{failure.message}\n{check.failure_info.code_sample}")
        elif isinstance(event, events.NonFatalError):
            found.append(f"error in {event.label}: " + "".join(traceback.format_exception(event.value)))
        elif isinstance(event, events.FatalError):
            found.append("fatal: " + "".join(traceback.format_exception(event.exception)))
    return found, cases


# The admin's run takes every phase; the coverage phase explores inputs, the same for any key,
# so the buyer's and the supplier's runs (what they may do, the RFQ lifecycle) skip it.
PHASES = {"admin": {"examples", "coverage", "fuzzing", "stateful"},
          "buyer": {"examples", "fuzzing", "stateful"}, "supplier": {"examples", "fuzzing", "stateful"}}


@pytest.mark.parametrize("role", list(PHASES))
def test_schemathesis_finds_nothing(demo_app, base_url, role):
    config = config_for(key_for(demo_app, role), coverage="coverage" in PHASES[role])
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json", config=config)
    schema.hook("map_headers")(new_idempotency_keys)
    found, cases = run(schema)
    print(f"{role}: cases per phase {cases}")
    assert set(cases) == PHASES[role], cases
    assert not found, f"{len(found)} found:\n" + "\n\n".join(dict.fromkeys(found))
