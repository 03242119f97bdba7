"""Who acts, for which tenant, through which channel. Built by channels, never by models."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from uuid import UUID

from domain.kit.errors import PermissionDenied


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    ACCOUNTANT = "accountant"
    SALES = "sales"
    HR = "hr"
    EMPLOYEE = "employee"


class Channel(StrEnum):
    WEB = "web"
    API = "api"
    WHATSAPP = "whatsapp"
    CLI = "cli"
    AUTOMATION = "automation"


class ActorType(StrEnum):
    USER = "user"
    AUTOMATION = "automation"
    ANONYMOUS = "anonymous"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated actor inside one tenant.

    An automation acts for its owner: ``user_id`` is the owner and ``automation_id`` is set.
    """

    tenant_id: UUID
    user_id: UUID
    roles: frozenset[Role]
    channel: Channel = Channel.API
    session_id: UUID | None = None
    automation_id: UUID | None = None
    request_id: str | None = field(default=None, compare=False)

    @property
    def actor_type(self) -> ActorType:
        return ActorType.AUTOMATION if self.automation_id else ActorType.USER

    def has_any(self, *roles: Role) -> bool:
        return Role.ADMIN in self.roles or any(r in self.roles for r in roles)

    def require(self, *roles: Role) -> None:
        """Refuse unless the principal holds one of ``roles`` (admin always passes)."""
        if not self.has_any(*roles):
            raise PermissionDenied()
