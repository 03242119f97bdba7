"""Legal identifiers and phone numbers: validated, then stored in their compact form."""

from __future__ import annotations

import phonenumbers
from stdnum.exceptions import ValidationError
from stdnum.fr import siren, siret, tva
from stdnum.sn import ninea

from domain.kit.errors import InvalidInput


def _validate(module: object, value: str, label: str) -> str:
    try:
        return str(module.validate(value))  # type: ignore[attr-defined]
    except ValidationError as exc:
        raise InvalidInput(f"{label} invalide : « {value} ».", field=label) from exc


def validate_siren(value: str) -> str:
    return _validate(siren, value, "SIREN")


def validate_siret(value: str) -> str:
    return _validate(siret, value, "SIRET")


def validate_fr_vat(value: str) -> str:
    return _validate(tva, value, "Numéro de TVA")


def validate_ninea(value: str) -> str:
    return _validate(ninea, value, "NINEA")


def normalize_phone(value: str, default_region: str = "FR") -> str:
    """E.164 form (``+221771234567``) of a phone number written any usual way."""
    try:
        number = phonenumbers.parse(value, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput(f"Numéro de téléphone invalide : « {value} ».", field="phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(f"Numéro de téléphone invalide : « {value} ».", field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
