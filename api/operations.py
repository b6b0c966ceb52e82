"""What every operation's documentation says besides its own decorators.

Stable, readable operationIds (what a generated client names its functions),
named here in one table rather than derived from view names: renaming a view
must not rename a function in every purchasing system's client. A test fails
when an operation has no name here (or a name here has no operation). And the
answers every operation can give: 401 to an unknown or malformed key (checked
before any view runs). And whether it needs a key: all do but the few open to
anonymous callers (who see public profiles without contacts).
"""

from __future__ import annotations

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
            operation.setdefault("responses", {}).setdefault(
                "401", self.spec.components.get_ref("response", "UNAUTHORIZED"))
