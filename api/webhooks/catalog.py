"""The event types a webhook can receive, and what each one's `data.data` holds.

The same list validates subscriptions' `event_types`, and documents the payloads
(the spec's `webhooks`, docs/webhooks.md).
"""

from __future__ import annotations

from dataclasses import dataclass

SUPPLIER = {"supplier_id": "The supplier profile", "version": "Its version after the change",
            "changed_fields": "The fields the change touched (the values are in its history)"}
RFQ = {"rfq_id": "The RFQ", "state": "Its state after the change", "title": "Its title"}
QUOTE = {"rfq_id": "The RFQ", "quote_id": "The quote (prices are never in events)",
         "supplier_id": "The quoting supplier"}


@dataclass(frozen=True)
class EventType:
    name: str
    summary: str
    data: dict[str, str]  # the fields of the event's own `data`, and what each one is


EVENT_TYPES = {event.name: event for event in (
    EventType("supplier.created", "A supplier profile was created (public)", SUPPLIER),
    EventType("supplier.updated", "A supplier profile changed (public)", SUPPLIER),
    EventType("supplier.deleted", "A supplier profile was deleted (public)", SUPPLIER),
    EventType("rfq.created", "A draft RFQ was created (its buyer)", RFQ),
    EventType("rfq.updated", "A draft RFQ changed (its buyer)", RFQ),
    EventType("rfq.published", "An RFQ was published (its buyer and invited suppliers)", RFQ),
    EventType("rfq.closed", "An RFQ stopped taking quotes, by its buyer or its deadline (participants)", RFQ),
    EventType("rfq.cancelled", "An RFQ was cancelled (participants)", RFQ),
    EventType("rfq.awarded", "An RFQ was awarded (participants)",
              {**RFQ, "awarded_quote_id": "The winning quote"}),
    EventType("invitation.sent", "A supplier was invited to an RFQ (the buyer and that supplier)",
              {"rfq_id": "The RFQ", "supplier_id": "The invited supplier", "title": "The RFQ's title"}),
    EventType("invitation.declined", "An invited supplier declined (the buyer and that supplier)",
              {"rfq_id": "The RFQ", "supplier_id": "The declining supplier",
               "reason": "capacity, capability, lead_time, price or other"}),
    EventType("quote.submitted", "A supplier quoted (the buyer and that supplier)", QUOTE),
    EventType("quote.revised", "A supplier revised its quote (the buyer and that supplier)", QUOTE),
    EventType("quote.withdrawn", "A supplier withdrew its quote (the buyer and that supplier)", QUOTE),
    EventType("webhook.disabled", "One of the organisation's webhooks was disabled after failing "
                                  "for 5 days in a row (its organisation)",
              {"webhook_id": "The disabled webhook", "url": "Its URL",
               "failing_since": "When its deliveries started failing", "reason": "Why it was disabled"}),
)}

# Sent on request (POST /api/v1/webhooks/{id}/test) whatever the webhook's event_types; it is
# not in the change feed, so its `data` is not an event.
TEST = EventType("webhook.test", "A test message asked for with POST /api/v1/webhooks/{id}/test",
                 {"webhook_id": "The webhook tested", "message": "A fixed text"})

WILDCARD = "*"


def unknown_patterns(patterns: list[str]) -> list[str]:
    """The patterns that match no event type: a type, `group.*` or `*` are valid."""
    return [pattern for pattern in patterns if not any(matches(pattern, name) for name in EVENT_TYPES)]


def matches(pattern: str, event_type: str) -> bool:
    if pattern == WILDCARD:
        return True
    if pattern.endswith(".*"):
        return event_type.startswith(pattern[:-1])
    return pattern == event_type


def wanted(patterns: list[str], event_type: str) -> bool:
    return any(matches(pattern, event_type) for pattern in patterns)
