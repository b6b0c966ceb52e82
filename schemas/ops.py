import marshmallow as ma

from .common import ResponseSchema


class HealthSchema(ResponseSchema):
    status = ma.fields.String(metadata={"description": "Always 'ok' while the process answers"})


class CheckSchema(ResponseSchema):
    sometimes_absent = frozenset({"detail"})
    status = ma.fields.String(metadata={"description": "'ok' or 'failing'"})
    detail = ma.fields.String(metadata={"description": "What is failing (only when failing)"})


class DatabaseCheckSchema(CheckSchema):
    revision = ma.fields.String(allow_none=True, metadata={"description": "Applied migration"})
    head = ma.fields.String(allow_none=True, metadata={"description": "Newest migration shipped"})


class ElasticsearchCheckSchema(CheckSchema):
    cluster_health = ma.fields.String(allow_none=True)


class SearchSyncCheckSchema(CheckSchema):
    status = ma.fields.String(metadata={
        "description": "'ok'; 'lagging' when the oldest pending change is older than 30 s; "
                       "'failing' when changes Elasticsearch refused are parked "
                       "(see /api/v1/admin/search-outbox)"})
    backlog = ma.fields.Integer(metadata={"description": "Changes not yet in the search index, "
                                                         "parked ones aside"})
    oldest_age_seconds = ma.fields.Float(allow_none=True, metadata={
        "description": "Age of the oldest of them; 'lagging' past 30 s"})
    failed = ma.fields.Integer(metadata={
        "description": "Changes parked after Elasticsearch refused them repeatedly (an admin retries them)"})


class ReadyChecksSchema(ResponseSchema):
    database = ma.fields.Nested(DatabaseCheckSchema)
    elasticsearch = ma.fields.Nested(ElasticsearchCheckSchema)
    search_sync = ma.fields.Nested(SearchSyncCheckSchema)


class ReadySchema(ResponseSchema):
    status = ma.fields.String(metadata={"description": "'ready' or 'not ready'"})
    checks = ma.fields.Nested(ReadyChecksSchema)
