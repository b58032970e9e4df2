"""Who may read which record (SMART App Launch v1/v2 patient scopes; guardian access).

A reader needs identity level 2 and one of the scopes ``health.read``, ``patient/*.read``,
``patient/*.rs`` (all resource types) or ``patient/{Type}.read|.rs`` (that type only). They
read the Patient linked to their own verified national ID and those of their dependents
(``DependentLink`` rows, children under 16 whose birth date matches the record); any other
record answers 404 as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.deps import CurrentAccount
from auth.models import Account, DependentLink
from miniapps.health.fhir.constants import RESOURCE_TYPES
from miniapps.health.fhir.indexing import LOCAL_TZ, national_id_of
from miniapps.health.sources import RecordSource
from superapp.errors import AppError

FULL_SCOPES = frozenset({"health.read", "patient/*.read", "patient/*.rs"})
DEPENDENT_MAX_AGE = 16


@dataclass(frozen=True)
class Reader:
    """An identity-level-2 citizen reading through a client app, limited to ``types``."""

    account: Account
    client_id: str
    types: frozenset[str]

    @property
    def full_access(self) -> bool:
        return self.types == frozenset(RESOURCE_TYPES)


@dataclass(frozen=True)
class PatientAccess:
    patient_id: str
    relationship: str  # self | dependent
    resource: dict[str, Any]


def readable_types(scopes: frozenset[str]) -> frozenset[str]:
    if scopes & FULL_SCOPES:
        return frozenset(RESOURCE_TYPES)
    types = set()
    for scope in scopes:
        if scope.startswith("patient/") and scope.endswith((".read", ".rs")):
            rtype = scope[len("patient/"):].rsplit(".", 1)[0]
            if rtype in RESOURCE_TYPES:
                types.add(rtype)
    return frozenset(types)


def insufficient_scope() -> AppError:
    return AppError(
        status=403,
        code="auth.insufficient_scope",
        headers={"WWW-Authenticate": 'Bearer realm="superapp", error="insufficient_scope", scope="health.read"'},
        required_scopes=["health.read"],
    )


async def get_reader(current: CurrentAccount) -> Reader:
    types = readable_types(current.principal.scopes)
    if not types:
        raise insufficient_scope()
    if current.account.identity_level < 2 or not current.account.national_id:
        raise AppError(status=403, code="auth.identity_level_required", required_level=2)
    return Reader(current.account, current.principal.client_id, types)


async def get_full_reader(reader: Annotated[Reader, Depends(get_reader)]) -> Reader:
    """A reader allowed every resource type (summary, shares, access log)."""
    if not reader.full_access:
        raise insufficient_scope()
    return reader


HealthReader = Annotated[Reader, Depends(get_reader)]
FullHealthReader = Annotated[Reader, Depends(get_full_reader)]


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


async def accessible_patients(session: AsyncSession, source: RecordSource, account: Account) -> list[PatientAccess]:
    """The account's own Patient first, then its dependents' (under 16, birth date matching)."""
    today = datetime.now(LOCAL_TZ).date()
    links = (await session.exec(select(DependentLink).where(DependentLink.guardian_id == account.id))).all()
    minors = {link.national_id: link for link in links if age_on(link.birth_date, today) < DEPENDENT_MAX_AGE}
    wanted = [account.national_id, *minors] if account.national_id else list(minors)
    found = await source.patients_by_national_id([n for n in wanted if n])
    own: list[PatientAccess] = []
    dependents: list[PatientAccess] = []
    for patient in found:
        nid = national_id_of(patient)
        if nid == account.national_id:
            own.append(PatientAccess(patient["id"], "self", patient))
        elif nid in minors and patient.get("birthDate") == minors[nid].birth_date.isoformat():
            dependents.append(PatientAccess(patient["id"], "dependent", patient))
    return own + sorted(dependents, key=lambda p: p.patient_id)
