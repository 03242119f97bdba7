"""Input and output shapes for identity, validated before anything is written."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal
from uuid import UUID
from zoneinfo import available_timezones

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

from domain.identity import legal_ids
from domain.kit import inputs
from domain.kit.errors import InvalidInput
from domain.kit.principal import Role

COUNTRY_DEFAULTS = {
    "FR": {"currency": "EUR", "locale": "fr-FR", "timezone": "Europe/Paris"},
    "SN": {"currency": "XOF", "locale": "fr-SN", "timezone": "Africa/Dakar"},
}
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$")
PASSWORD_MIN = 10


def _check_password(value: str) -> str:
    if len(value) < PASSWORD_MIN:
        raise InvalidInput(
            f"Le mot de passe doit contenir au moins {PASSWORD_MIN} caractères.", field="password"
        )
    return value


class TenantCreate(inputs.InputModel):
    """A new business. Currency, locale and time zone default from the country."""

    name: str = Field(min_length=2, max_length=200)
    slug: str
    country: Literal["FR", "SN"]
    currency: Literal["EUR", "XOF"] | None = None
    locale: str | None = None
    timezone: str | None = None
    siren: str | None = None
    siret: str | None = None
    vat_number: str | None = None
    ninea: str | None = None

    @model_validator(mode="after")
    def _defaults_and_legal_ids(self) -> TenantCreate:
        if not SLUG_RE.match(self.slug):
            raise InvalidInput(
                "Identifiant d'entreprise invalide : lettres minuscules, chiffres et tirets.",
                field="slug",
            )
        defaults = COUNTRY_DEFAULTS[self.country]
        self.currency = self.currency or defaults["currency"]  # type: ignore[assignment]
        if self.currency != defaults["currency"]:
            raise InvalidInput(
                f"La devise d'une entreprise {self.country} est {defaults['currency']}.",
                field="currency",
            )
        self.locale = self.locale or defaults["locale"]
        self.timezone = self.timezone or defaults["timezone"]
        if self.timezone not in available_timezones():
            raise InvalidInput(f"Fuseau horaire inconnu : « {self.timezone} ».", field="timezone")
        if self.country == "FR":
            self._validate_french_ids()
        elif self.siren or self.siret or self.vat_number:
            raise InvalidInput("SIREN, SIRET et TVA intracommunautaire concernent la France.")
        if self.ninea:
            if self.country != "SN":
                raise InvalidInput("Le NINEA concerne les entreprises du Sénégal.", field="ninea")
            self.ninea = legal_ids.validate_ninea(self.ninea)
        return self

    def _validate_french_ids(self) -> None:
        if self.ninea:
            raise InvalidInput("Le NINEA concerne les entreprises du Sénégal.", field="ninea")
        if self.siren:
            self.siren = legal_ids.validate_siren(self.siren)
        if self.siret:
            self.siret = legal_ids.validate_siret(self.siret)
            if self.siren and not self.siret.startswith(self.siren):
                raise InvalidInput("Le SIRET ne correspond pas au SIREN.", field="siret")
            self.siren = self.siren or self.siret[:9]
        if self.vat_number:
            self.vat_number = "FR" + legal_ids.validate_fr_vat(self.vat_number)
            if self.siren and self.vat_number[-9:] != self.siren:
                raise InvalidInput(
                    "Le numéro de TVA ne correspond pas au SIREN.", field="vat_number"
                )


class UserCreate(inputs.InputModel):
    email: EmailStr
    name: str = Field(min_length=1, max_length=200)
    password: str
    phone: str | None = None

    _password = field_validator("password")(_check_password)

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.strip().lower()


class SignUp(inputs.InputModel):
    tenant: TenantCreate
    admin: UserCreate


class MemberCreate(UserCreate):
    roles: list[Role] = Field(min_length=1)


class TenantOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    name: str
    slug: str
    country: str
    currency: str
    locale: str
    timezone: str
    siren: str | None
    siret: str | None
    vat_number: str | None
    ninea: str | None


class MemberOut(BaseModel):
    user_id: UUID
    email: str
    name: str
    phone: str | None
    roles: list[Role]
    is_active: bool


class MeOut(BaseModel):
    user_id: UUID
    email: str
    name: str
    phone: str | None
    roles: list[Role]
    tenant: TenantOut


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    tenant: str


class InvitationCreate(inputs.InputModel):
    """Who to invite and with which roles. The person chooses their own name and password
    when accepting (other fields sent here are ignored)."""

    email: EmailStr
    roles: list[Role] = Field(min_length=1)

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.strip().lower()


class InvitationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    email: str
    roles: list[Role]
    expires_at: datetime
    created_at: datetime
    # Only when the server runs in development mode (COMPTOIR_DEV_LINKS): the link that
    # was e-mailed, so a local tester needs no mailbox.
    link: str | None = None


class InvitationAccept(inputs.InputModel):
    """Accept while logged in (bearer token, nothing else needed), or create the account
    for the invited address by choosing a name and a password."""

    token: str = Field(min_length=20, max_length=300)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    password: str | None = Field(default=None, max_length=1024)
    phone: str | None = Field(default=None, max_length=32)

    @field_validator("password")
    @classmethod
    def _password(cls, value: str | None) -> str | None:
        return None if value is None else _check_password(value)


class AcceptedOut(BaseModel):
    tenant: str
    email: str
    roles: list[Role]


class SignUpOut(BaseModel):
    """The same answer whether or not the address already had an account."""

    tenant: TenantOut
    message: str
    link: str | None = None


class VerifyEmailIn(inputs.InputModel):
    token: str = Field(min_length=20, max_length=300)
    # The link proves the mailbox; the password proves the one clicking chose the account.
    password: str = Field(min_length=1, max_length=1024)


class VerifiedOut(BaseModel):
    tenant: str
    email: str
