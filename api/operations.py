"""What every operation's documentation says besides its own decorators.

Stable, readable operationIds (what a generated client names its functions),
named here in one table rather than derived from view names: renaming a view
must not rename a function in every purchasing system's client. A test fails
when an operation has no name here (or a name here has no operation). And
whether it needs a key: all do but the few open to anonymous callers (who see
public profiles without contacts).

And the errors an operation can answer because of what it is, not what it does,
so that a new operation is documented right without anyone thinking of them:
401 to an unknown or malformed key and 422 to an undeclared query parameter
(checked before any view runs, on every operation); 403 where a key is needed;
404 where the path names a resource; 400, 413, 415 for bodies (input limits);
409 on writes (a duplicate, or an Idempotency-Key still in flight); 429 on the
operations open to anonymous callers (their rate limit). An operation's own
decorators add the rest (409 with allowed_actions, 412/428 with If-Match, 503).
"""

from __future__ import annotations

from http import HTTPStatus

from apispec import BasePlugin

OPERATION_IDS = {
    ("get", "/health"): "getHealth",
    ("get", "/ready"): "getReadiness",
    ("get", "/api/v1/me"): "whoAmI",
    ("get", "/api/v1/organisations"): "listOrganisations",
    ("post", "/api/v1/organisations"): "createOrganisation",
    ("get", "/api/v1/organisations/{organisation_id}"): "getOrganisation",
    ("get", "/api/v1/api-keys"): "listApiKeys",
    ("post", "/api/v1/api-keys"): "issueApiKey",
    ("delete", "/api/v1/api-keys/{key_id}"): "revokeApiKey",
    ("get", "/api/v1/capabilities"): "listCapabilities",
    ("get", "/api/v1/capabilities/tree"): "getCapabilityTree",
    ("get", "/api/v1/certification-types"): "listCertificationTypes",
    ("get", "/api/v1/sectors"): "listSectors",
    ("get", "/api/v1/digital-capabilities"): "listDigitalCapabilities",
    ("get", "/api/v1/suppliers"): "listSuppliers",
    ("post", "/api/v1/suppliers"): "createSupplier",
    ("get", "/api/v1/suppliers/{supplier_id}"): "getSupplier",
    ("put", "/api/v1/suppliers/{supplier_id}"): "replaceSupplier",
    ("patch", "/api/v1/suppliers/{supplier_id}"): "updateSupplier",
    ("delete", "/api/v1/suppliers/{supplier_id}"): "deleteSupplier",
    ("get", "/api/v1/suppliers/{supplier_id}/history"): "getSupplierHistory",
    ("get", "/api/v1/search/suppliers"): "searchSuppliers",
    ("get", "/api/v1/search/suppliers/clusters"): "clusterSuppliers",
    ("get", "/api/v1/search/suggest"): "suggest",
    ("get", "/api/v1/rfqs"): "listRfqs",
    ("post", "/api/v1/rfqs"): "createRfq",
    ("get", "/api/v1/rfqs/{rfq_id}"): "getRfq",
    ("patch", "/api/v1/rfqs/{rfq_id}"): "updateRfq",
    ("post", "/api/v1/rfqs/{rfq_id}/publish"): "publishRfq",
    ("post", "/api/v1/rfqs/{rfq_id}/close"): "closeRfq",
    ("post", "/api/v1/rfqs/{rfq_id}/cancel"): "cancelRfq",
    ("post", "/api/v1/rfqs/{rfq_id}/award"): "awardRfq",
    ("get", "/api/v1/rfqs/{rfq_id}/matches"): "listRfqMatches",
    ("get", "/api/v1/rfqs/{rfq_id}/invitations"): "listInvitations",
    ("post", "/api/v1/rfqs/{rfq_id}/invitations"): "inviteSuppliers",
    ("post", "/api/v1/rfqs/{rfq_id}/decline"): "declineRfq",
    ("get", "/api/v1/rfqs/{rfq_id}/quotes"): "listQuotes",
    ("post", "/api/v1/rfqs/{rfq_id}/quotes"): "submitQuote",
    ("get", "/api/v1/rfqs/{rfq_id}/quotes/{quote_id}"): "getQuote",
    ("put", "/api/v1/rfqs/{rfq_id}/quotes/{quote_id}"): "reviseQuote",
    ("post", "/api/v1/rfqs/{rfq_id}/quotes/{quote_id}/withdraw"): "withdrawQuote",
    ("get", "/api/v1/events"): "listEvents",
    ("get", "/api/v1/admin/search-outbox"): "listSearchOutbox",
    ("post", "/api/v1/admin/search-outbox/retry"): "retrySearchOutbox",
}

# Operations an anonymous caller may use (a key may still see more, e.g. contacts).
OPEN_TO_ANONYMOUS = {
    "getHealth", "getReadiness", "listCapabilities", "getCapabilityTree", "listCertificationTypes",
    "listSectors", "listDigitalCapabilities", "listSuppliers", "getSupplier", "searchSuppliers",
    "clusterSuppliers", "suggest",
}
KEY_REQUIRED = [{"ApiKey": []}]
KEY_OPTIONAL = [{}, {"ApiKey": []}]


WRITES = {"post", "put", "patch", "delete"}


def standard_statuses(method: str, path: str, operation: dict, *, open_to_anonymous: bool) -> list[HTTPStatus]:
    statuses = [HTTPStatus.UNAUTHORIZED, HTTPStatus.UNPROCESSABLE_ENTITY]
    if not open_to_anonymous:
        statuses.append(HTTPStatus.FORBIDDEN)
    if "{" in path:
        statuses.append(HTTPStatus.NOT_FOUND)
    if "requestBody" in operation:
        statuses += [HTTPStatus.BAD_REQUEST, HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                     HTTPStatus.UNSUPPORTED_MEDIA_TYPE]
    if method in WRITES:
        statuses.append(HTTPStatus.CONFLICT)
    if open_to_anonymous:
        statuses.append(HTTPStatus.TOO_MANY_REQUESTS)
    return statuses


class OperationDocs(BasePlugin):
    def init_spec(self, spec) -> None:
        super().init_spec(spec)
        self.spec = spec

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        for method, operation in (operations or {}).items():
            name = OPERATION_IDS.get((method, path))
            if name:
                operation["operationId"] = name
            operation["security"] = KEY_OPTIONAL if name in OPEN_TO_ANONYMOUS else KEY_REQUIRED
            responses = operation.setdefault("responses", {})
            for status in standard_statuses(method, path, operation, open_to_anonymous=name in OPEN_TO_ANONYMOUS):
                responses.setdefault(str(status.value), self.spec.components.get_ref("response", status.name))
