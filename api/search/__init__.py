"""Search: keeping the index in step with the database, and the search endpoints."""
