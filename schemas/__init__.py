"""marshmallow schemas: request bodies, responses and query arguments."""
