"""The product's own errors, raised by the rules (which know nothing of HTTP).

One place in the web layer (api/errors.py) turns each kind into an RFC 9457
problem; the CLI, the worker and imports catch them like any exception.
Invalid input is marshmallow's ValidationError, with field-level messages.
"""

from __future__ import annotations


class RuleError(Exception):
    """A request the rules refuse; `detail` says what to fix."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class Unauthenticated(RuleError):
    """No credentials, or credentials that are not (or no longer) valid."""


class Forbidden(RuleError):
    """The caller is known but may not do this."""


class NotFound(RuleError):
    """No such thing, or none the caller may see (existence is not revealed)."""


class Conflict(RuleError):
    """The current state does not allow this; `allowed_actions` says what it does allow."""

    def __init__(self, detail: str, *, allowed_actions: list[str] | None = None):
        super().__init__(detail)
        self.allowed_actions = allowed_actions


class PreconditionFailed(RuleError):
    """The caller's copy is stale (its ETag or version is not the current one)."""


class InvalidParameters(RuleError):
    """Query parameters that parse but make no sense; `errors` maps each one to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("Invalid query parameters.")
        self.errors = errors


class TooLarge(RuleError):
    """Input over one of the product's limits; `detail` names the limit."""


class InvalidFile(RuleError):
    """An uploaded file that cannot be used as it is (not a kind the operation reads, or not
    laid out as it needs); `detail` says what to fix. The request itself is well formed, so it
    is a 422 on the file, not a 415."""


class SearchUnavailable(RuleError):
    """Elasticsearch cannot answer now; writes are kept and reach it later."""

    def __init__(self, detail: str, *, retry_after_seconds: int):
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds
