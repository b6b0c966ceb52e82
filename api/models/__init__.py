"""Database models; importing this package registers every table on Base.metadata."""

from ..db import Base
from .accounts import ApiKey, Organisation
from .events import Event, EventRecipient, SearchOutbox
from .idempotency import IdempotencyKey
from .imports import Import, ImportFilePart, ImportRow
from .rfqs import Invitation, Quote, Rfq
from .suppliers import (
    Contact,
    Site,
    Supplier,
    SupplierCapability,
    SupplierCertification,
    SupplierChange,
)
from .webhooks import WebhookAttempt, WebhookDelivery, WebhookSubscription

__all__ = [
    "ApiKey", "Base", "Contact", "Event", "EventRecipient", "IdempotencyKey", "Import", "ImportFilePart",
    "ImportRow", "Invitation", "Quote", "Rfq", "Organisation", "SearchOutbox", "Site", "Supplier", "SupplierCapability",
    "SupplierCertification", "SupplierChange", "WebhookAttempt", "WebhookDelivery", "WebhookSubscription",
]
