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

And a description for every operation and path parameter, and a request example
for every body (api/request_examples.py); a test fails when one is missing. And
links from each creating operation to the operations on what it created.
"""

from __future__ import annotations

import re
from http import HTTPStatus

from apispec import BasePlugin

from .request_examples import REQUEST_EXAMPLES

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
    ("get", "/api/v1/suppliers/export"): "exportSuppliers",
    ("get", "/api/v1/imports/template.csv"): "getImportTemplateCsv",
    ("get", "/api/v1/imports/template.xlsx"): "getImportTemplateXlsx",
    ("post", "/api/v1/imports"): "createImport",
    ("get", "/api/v1/imports/{import_id}"): "getImport",
    ("get", "/api/v1/imports/{import_id}.csv"): "getImportReportCsv",
    ("get", "/api/v1/imports/{import_id}.xlsx"): "getImportReportXlsx",
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
    ("get", "/api/v1/webhooks"): "listWebhooks",
    ("post", "/api/v1/webhooks"): "createWebhook",
    ("get", "/api/v1/webhooks/{webhook_id}"): "getWebhook",
    ("patch", "/api/v1/webhooks/{webhook_id}"): "updateWebhook",
    ("delete", "/api/v1/webhooks/{webhook_id}"): "deleteWebhook",
    ("post", "/api/v1/webhooks/{webhook_id}/rotate-secret"): "rotateWebhookSecret",
    ("post", "/api/v1/webhooks/{webhook_id}/test"): "testWebhook",
    ("get", "/api/v1/webhooks/{webhook_id}/deliveries"): "listWebhookDeliveries",
    ("post", "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry"): "retryWebhookDelivery",
    ("get", "/api/v1/admin/search-outbox"): "listSearchOutbox",
    ("post", "/api/v1/admin/search-outbox/retry"): "retrySearchOutbox",
}

# Operations an anonymous caller may use (a key may still see more, e.g. contacts).
OPEN_TO_ANONYMOUS = {
    "getHealth", "getReadiness", "listCapabilities", "getCapabilityTree", "listCertificationTypes",
    "listSectors", "listDigitalCapabilities", "listSuppliers", "getSupplier", "searchSuppliers",
    "clusterSuppliers", "suggest", "getImportTemplateCsv", "getImportTemplateXlsx",
}
KEY_REQUIRED = [{"ApiKey": []}]
KEY_OPTIONAL = [{}, {"ApiKey": []}]

WRITES = {"post", "put", "patch", "delete"}

# Path parameters mean the same on every operation that has them.
PATH_PARAMETERS = {
    "organisation_id": "The organisation's id (from createOrganisation or listOrganisations)",
    "key_id": "The API key's id (from issueApiKey or listApiKeys), not the key itself",
    "supplier_id": "The supplier profile's id (from createSupplier, listSuppliers or a search)",
    "rfq_id": "The RFQ's id (from createRfq or listRfqs)",
    "quote_id": "The quote's id (from submitQuote or listQuotes)",
    "webhook_id": "The webhook's id (from createWebhook or listWebhooks)",
    "delivery_id": "The delivery's id (from listWebhookDeliveries, or the answer of testWebhook)",
    "import_id": "The import's id (from createImport's answer or its Location header)",
}


def described(operation: dict, *, open_to_anonymous: bool) -> str:
    """The operation's own description (its docstring past the summary, else the summary),
    followed by what every client needs to know of it: who may call it, If-Match, retries."""
    parts = [operation.get("description") or operation.get("summary", "")]
    parts.append("Open to anonymous callers (a key may see more)." if open_to_anonymous
                 else "Needs an API key.")
    parameters = [parameter if isinstance(parameter, str) else parameter.get("name")
                  for parameter in operation.get("parameters", [])]
    if "IF_MATCH" in parameters:
        parts.append("Send If-Match with the ETag of your last read; 412 if it changed since, 428 without it.")
    if "Idempotency-Key" in parameters:
        parts.append("Safe to retry with the same Idempotency-Key.")
    return "\n\n".join(part.strip() for part in parts if part)


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


def link(creator_path: str, item_path: str, target: dict) -> dict:
    """How a created resource's 201 leads to an operation on it: the path parameters of the
    collection from the creating request, the new one from the body's id, and If-Match
    from the ETag when the target needs it."""
    known = re.findall(r"\{(\w+)\}", creator_path)
    new = re.findall(r"\{(\w+)\}", item_path)[len(known)]
    parameters = {f"path.{name}": f"$request.path.{name}" for name in known}
    parameters[f"path.{new}"] = "$response.body#/id"
    if "IF_MATCH" in str(target.get("parameters", [])):
        parameters["header.If-Match"] = "$response.header.ETag"
    return {"operationId": target["operationId"], "parameters": parameters}


def created(operation: dict) -> dict | None:
    """The operation's 201 response, if it creates something."""
    responses = operation.get("responses", {})
    return responses.get(201) or responses.get("201")


class Links:
    """OpenAPI links from each creating operation (a POST answering 201) to the operations
    under the resource it creates (its path, then /{id}), found as paths are registered, so
    that clients and schemathesis's stateful phase can chain them."""

    def __init__(self):
        self.creators: dict[str, dict] = {}
        self.items: list[tuple[str, dict]] = []

    def add(self, path: str, operations: dict) -> None:
        for method, operation in operations.items():
            if method == "post" and created(operation):
                self.creators[path] = operation
                for item_path, target in self.items:
                    self._link(path, item_path, target)
            if "operationId" in operation:
                self.items.append((path, operation))
                for creator_path in list(self.creators):
                    self._link(creator_path, path, operation)

    def _link(self, creator_path: str, item_path: str, target: dict) -> None:
        if item_path.startswith(creator_path + "/{") and item_path.count("{") == creator_path.count("{") + 1:
            created(self.creators[creator_path]).setdefault("links", {})[target["operationId"]] = link(
                creator_path, item_path, target)


class OperationDocs(BasePlugin):
    def init_spec(self, spec) -> None:
        super().init_spec(spec)
        self.spec = spec
        self.links = Links()

    def path_helper(self, path=None, operations=None, parameters=None, **kwargs) -> None:
        for parameter in parameters or []:
            if isinstance(parameter, dict) and parameter.get("in") == "path" and parameter["name"] in PATH_PARAMETERS:
                parameter.setdefault("description", PATH_PARAMETERS[parameter["name"]])

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        for method, operation in (operations or {}).items():
            name = OPERATION_IDS.get((method, path))
            if name:
                operation["operationId"] = name
            operation["security"] = KEY_OPTIONAL if name in OPEN_TO_ANONYMOUS else KEY_REQUIRED
            operation["description"] = described(operation, open_to_anonymous=name in OPEN_TO_ANONYMOUS)
            if name in REQUEST_EXAMPLES and "requestBody" in operation:
                for media in operation["requestBody"]["content"].values():  # JSON, or a multipart form
                    media["example"] = REQUEST_EXAMPLES[name]
            responses = operation.setdefault("responses", {})
            declared = {str(code) for code in responses}  # (flask-smorest's codes are still ints here)
            for status in standard_statuses(method, path, operation, open_to_anonymous=name in OPEN_TO_ANONYMOUS):
                if str(status.value) not in declared:
                    responses[str(status.value)] = self.spec.components.get_ref("response", status.name)
        self.links.add(path, operations or {})
