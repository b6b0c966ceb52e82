import marshmallow as ma
from marshmallow import fields, validate

from .common import CursorPageSchema, CursorQuerySchema, Integer, ResponseSchema

# Outbox ids are 64-bit on PostgreSQL: larger numbers are not ids (and not bindable).
MAX_ROW_ID = 2**63 - 1


class SearchOutboxQuerySchema(CursorQuerySchema):
    state = fields.String(load_default="failed", validate=validate.OneOf(("pending", "failed")), metadata={
        "description": "'failed': parked after Elasticsearch refused them repeatedly; "
                       "'pending': not yet in the index (waiting for a retry included)"})


class SearchOutboxRowSchema(ResponseSchema):
    id = Integer()
    entity_type = fields.String(metadata={"description": "What the row refreshes: 'supplier'"})
    entity_id = fields.String()
    version = Integer(metadata={"description": "The entity's version after the change"})
    attempts = Integer(metadata={"description": "Times Elasticsearch refused it "
                                                       "(not counting times it was unreachable)"})
    last_error = fields.String(allow_none=True, metadata={"description": "Elasticsearch's last reason"})
    created_at = fields.DateTime()
    next_attempt_at = fields.DateTime(allow_none=True, metadata={
        "description": "When it is tried again (null: as soon as a worker gets to it, or parked)"})
    failed_at = fields.DateTime(allow_none=True, metadata={"description": "When it was parked"})


class SearchOutboxPageSchema(CursorPageSchema):
    items = fields.List(fields.Nested(SearchOutboxRowSchema))


class SearchOutboxRetrySchema(ma.Schema):
    ids = fields.List(Integer(strict=True, validate=validate.Range(1, MAX_ROW_ID)),
                      validate=validate.Length(1, 1000), metadata={
                          "description": "Rows to retry (failed ones, or ones waiting for their next "
                                         "attempt); omit to retry every failed row"})


class SearchOutboxRetriedSchema(ResponseSchema):
    retried = Integer(metadata={"description": "Rows made pending again"})
