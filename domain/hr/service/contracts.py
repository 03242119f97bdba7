"""Employment contracts: CDI, CDD, stage, freelance.

A CDD and a stage have an end date; a CDI has none when signed and gets one when it is
terminated; a freelance contract may have one. Two contracts of one employee never overlap
(checked with the employee locked, and by an exclusion constraint in PostgreSQL). Salaries
are confidential: HR sees every contract, an employee their own.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from sqlalchemy.orm import Session

from domain.audit.changes import record_change, row_state
from domain.hr import repository as repo
from domain.hr.errors import ContractNotFound, ContractOverlap, InvalidContract
from domain.hr.models import Contract
from domain.hr.schemas import ContractCreate, ContractTermination, ExpiringContractOut
from domain.hr.service._common import (
    HR,
    require_employee,
    scope_of,
    tenant_of,
    today,
)
from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput
from domain.kit.ids import uuid7
from domain.kit.money import Currency, Money
from domain.kit.principal import Principal, Role

KIND_LABELS = {"cdi": "CDI", "cdd": "CDD", "stage": "Stage", "freelance": "Freelance"}
SALARY_MAX = 10**12


def _check_salary(session: Session, principal: Principal, data: ContractCreate) -> None:
    currency = Currency(tenant_of(session, principal).currency)
    if data.salary >= SALARY_MAX:
        raise InvalidContract("Salaire trop élevé.", field="salary")
    if not Money(data.salary, currency).is_rounded:
        message = (
            "Le franc CFA n'a pas de centimes."
            if currency is Currency.XOF
            else "Un montant en euros a au plus deux décimales."
        )
        raise InvalidContract(message, field="salary")


def create_contract(session: Session, principal: Principal, data: ContractCreate) -> Contract:
    principal.require(*HR)
    employee = require_employee(session, principal, data.employee_id, lock=True)
    if not employee.is_active:
        raise InvalidInput(f"{employee.name} a quitté l'entreprise.", field="employee_id")
    _check_salary(session, principal, data)
    other = repo.overlapping_contract(
        session, principal.tenant_id, employee.id, data.start_date, data.end_date
    )
    if other is not None:
        until = f"au {other.end_date:%d/%m/%Y}" if other.end_date else "sans date de fin"
        raise ContractOverlap(
            f"{employee.name} a déjà un contrat {KIND_LABELS[other.kind]} du "
            f"{other.start_date:%d/%m/%Y} {until} sur cette période.",
            contract_id=str(other.id),
        )
    contract = Contract(
        tenant_id=principal.tenant_id, id=uuid7(), status="active", **data.model_dump()
    )
    session.add(contract)
    session.flush()
    record_change(
        session,
        principal,
        contract,
        "contract.created",
        "contract.create",
        employee_id=employee.id,
        kind=contract.kind,
    )
    return contract


def _require_contract(session: Session, principal: Principal, contract_id: UUID) -> Contract:
    contract = repo.get_contract(session, principal.tenant_id, contract_id)
    if contract is None:
        raise ContractNotFound()
    return contract


def terminate_contract(
    session: Session, principal: Principal, contract_id: UUID, data: ContractTermination
) -> Contract:
    """End a contract on ``data.end_date`` (a CDI's end, or a CDD ended early)."""
    principal.require(*HR)
    contract = _require_contract(session, principal, contract_id)
    if contract.status == "terminated":
        raise InvalidContract("Ce contrat est déjà terminé.")
    if data.end_date < contract.start_date:
        raise InvalidContract("La fin du contrat précède son début.", field="end_date")
    if contract.end_date is not None and data.end_date > contract.end_date:
        raise InvalidContract(
            f"Ce contrat finit déjà le {contract.end_date:%d/%m/%Y} : "
            "un prolongement est un nouveau contrat (avenant).",
            field="end_date",
        )
    before = row_state(contract)
    contract.end_date, contract.status = data.end_date, "terminated"
    session.flush()
    record_change(
        session, principal, contract, "contract.terminated", "contract.terminate", before=before
    )
    return contract


def get_contract(session: Session, principal: Principal, contract_id: UUID) -> Contract:
    contract = _require_contract(session, principal, contract_id)
    if not principal.has_any(*HR) and contract.employee_id != scope_of(session, principal).self_id:
        raise ContractNotFound()
    return contract


def list_contracts(
    session: Session, principal: Principal, *, employee_id: UUID | None = None
) -> list[Contract]:
    """Every contract for HR; one's own otherwise. Newest first."""
    ids = None
    if not principal.has_any(*HR):
        own = scope_of(session, principal).self_id
        ids = {own} if own else set()
    return repo.list_contracts(session, principal.tenant_id, ids=ids, employee_id=employee_id)


def expiring_contracts(
    session: Session, principal: Principal, clock: Clock, *, within_days: int = 60
) -> list[ExpiringContractOut]:
    """Active contracts ending between today and ``within_days`` from now, soonest first
    (HR and managers: a CDD to renew or a trainee leaving)."""
    principal.require(Role.HR, Role.MANAGER)
    if not 0 <= within_days <= 730:
        raise InvalidInput("La période va de 0 à 730 jours.", field="within_days")
    start = today(tenant_of(session, principal), clock)
    rows = repo.expiring_contracts(
        session, principal.tenant_id, start, start + timedelta(days=within_days)
    )
    out: list[ExpiringContractOut] = []
    for c, name in rows:
        assert c.end_date is not None  # the query keeps contracts with an end date
        out.append(
            ExpiringContractOut(
                contract_id=c.id,
                employee_id=c.employee_id,
                employee=name,
                kind=c.kind,  # type: ignore[arg-type]
                end_date=c.end_date,
                days_left=(c.end_date - start).days,
            )
        )
    return out
