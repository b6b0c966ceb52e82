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


class ReadyChecksSchema(ma.Schema):
    database = ma.fields.Nested(DatabaseCheckSchema)
    elasticsearch = ma.fields.Nested(ElasticsearchCheckSchema)


class ReadySchema(ma.Schema):
    status = ma.fields.String(metadata={"description": "'ready' or 'not ready'"})
    checks = ma.fields.Nested(ReadyChecksSchema)
