"""Who is calling: a role and, for buyers and suppliers, their organisation."""

from __future__ import annotations

from dataclasses import dataclass

from .exceptions import Forbidden, Unauthenticated


@dataclass(frozen=True)
class Principal:
    role: str | None = None
    organisation_id: str | None = None
    key_id: str | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.role is None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def belongs_to(self, organisation_id: str | None) -> bool:
        return organisation_id is not None and self.organisation_id == organisation_id

    def require(self, *roles: str) -> Principal:
        """This principal, if authenticated with one of `roles` (any role when none is given)."""
        if self.is_anonymous:
            raise Unauthenticated("Authenticate with 'Authorization: Bearer <API key>'.")
        if roles and self.role not in roles:
            raise Forbidden(f"This needs one of the roles: {', '.join(roles)}.")
        return self


ANONYMOUS = Principal()
