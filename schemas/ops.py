import marshmallow as ma


class HealthSchema(ma.Schema):
    status = ma.fields.String(metadata={"description": "Always 'ok' while the process answers"})


class CheckSchema(ma.Schema):
    status = ma.fields.String(metadata={"description": "'ok' or 'failing'"})
    detail = ma.fields.String()


class DatabaseCheckSchema(CheckSchema):
    revision = ma.fields.String(allow_none=True, metadata={"description": "Applied migration"})
    head = ma.fields.String(allow_none=True, metadata={"description": "Newest migration shipped"})


class ElasticsearchCheckSchema(CheckSchema):
    cluster_health = ma.fields.String(allow_none=True)


class SearchSyncCheckSchema(CheckSchema):
    backlog = ma.fields.Integer(metadata={"description": "Changes not yet in the search index"})
    oldest_age_seconds = ma.fields.Float(allow_none=True, metadata={
        "description": "Age of the oldest of them; 'lagging' past 30 s"})


class ReadyChecksSchema(ma.Schema):
    database = ma.fields.Nested(DatabaseCheckSchema)
    elasticsearch = ma.fields.Nested(ElasticsearchCheckSchema)
    search_sync = ma.fields.Nested(SearchSyncCheckSchema)


class ReadySchema(ma.Schema):
    status = ma.fields.String(metadata={"description": "'ready' or 'not ready'"})
    checks = ma.fields.Nested(ReadyChecksSchema)
