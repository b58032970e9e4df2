"""Demo data of the identity module (``superapp seed demo``), idempotent.

- The population registry: synthetic Hanoi residents (valid CCCD layouts, Vietnamese names,
  Hanoi districts), among them the demo citizen and the demo citizen's child (under 16).
- Demo accounts, one per role: a level-2 citizen with the child linked as a dependent, an
  admin, a moderator, a transit operator, a developer and agency officers for the transport,
  environment, construction and urban-order agencies.
- The provider's own OAuth clients, through ``auth.oidc.seed.seed_clients`` when installed.

Running it again changes nothing and prints the same logins.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlmodel.ext.asyncio.session import AsyncSession

from auth.accounts import repository as repo
from auth.accounts.models import RegistryPerson
from auth.accounts.service import create_account
from auth.models import DependentLink

if TYPE_CHECKING:
    from superapp.context import AppContext

log = logging.getLogger(__name__)
DEMO_PASSWORD = "HanoiDemo#2026"

# (national_id, full_name, birth_date, sex, district_code, guardians)
REGISTRY: list[tuple[str, str, date, str, str, tuple[str, ...]]] = [
    ("001188004512", "Nguyễn Thị Lan", date(1988, 3, 14), "female", "005", ()),
    ("001086003317", "Trần Văn Hùng", date(1986, 9, 2), "male", "005", ()),
    ("001215007781", "Trần Minh Khôi", date(2015, 6, 2), "male", "005", ("001188004512", "001086003317")),
    ("001318002209", "Trần Bảo Ngọc", date(2018, 11, 20), "female", "005", ("001188004512", "001086003317")),
    ("001079001243", "Lê Quang Minh", date(1979, 1, 25), "male", "001", ()),
    ("001184006671", "Phạm Thu Hà", date(1984, 7, 8), "female", "002", ()),
    ("001092005530", "Hoàng Đức Anh", date(1992, 12, 1), "male", "003", ()),
    ("001195008824", "Vũ Thị Mai", date(1995, 4, 17), "female", "004", ()),
    ("001070002195", "Đặng Văn Tuấn", date(1970, 10, 30), "male", "006", ()),
    ("001190009362", "Bùi Thị Hương", date(1990, 2, 11), "female", "007", ()),
    ("001088004476", "Đỗ Mạnh Cường", date(1988, 8, 19), "male", "008", ()),
    ("001197003358", "Ngô Phương Thảo", date(1997, 5, 5), "female", "009", ()),
    ("001065007719", "Dương Văn Long", date(1965, 3, 3), "male", "268", ()),
    ("001182001180", "Lý Thị Thanh", date(1982, 9, 9), "female", "019", ()),
    ("001201004437", "Nguyễn Hoàng Nam", date(2001, 6, 21), "male", "021", ()),
    ("001303006652", "Phan Khánh Linh", date(2003, 1, 14), "female", "017", ()),
    ("001058002281", "Trịnh Văn Bình", date(1958, 12, 24), "male", "269", ()),
    ("001161005594", "Mai Thị Hoa", date(1961, 4, 2), "female", "018", ()),
    ("036094008813", "Đinh Công Sơn", date(1994, 7, 27), "male", "020", ()),
    ("040199003367", "Hồ Ngọc Ánh", date(1999, 10, 10), "female", "019", ()),
    ("001212009945", "Lê Gia Huy", date(2012, 3, 9), "male", "001", ("001079001243",)),
]
DEMO_CITIZEN_ID = "001188004512"
DEMO_CHILD_ID = "001215007781"


@dataclass(frozen=True)
class DemoLogin:
    phone: str
    full_name: str
    roles: tuple[str, ...]
    agency_code: str | None = None
    national_id: str | None = None


DEMO_LOGINS = [
    DemoLogin("+84901000001", "Nguyễn Thị Lan", ("citizen",), national_id=DEMO_CITIZEN_ID),
    DemoLogin("+84901000002", "Quản trị viên Thành phố", ("admin",)),
    DemoLogin("+84901000003", "Kiểm duyệt viên Phản ánh", ("moderator",)),
    DemoLogin("+84901000004", "Điều hành Vận tải Hà Nội", ("transit_operator",)),
    DemoLogin("+84901000005", "Nhà phát triển Mini-app", ("developer",)),
    DemoLogin("+84901000011", "Cán bộ Sở Giao thông Vận tải", ("agency_officer",), agency_code="HN-GTVT"),
    DemoLogin("+84901000012", "Cán bộ Sở Tài nguyên và Môi trường", ("agency_officer",), agency_code="HN-TNMT"),
    DemoLogin("+84901000013", "Cán bộ Sở Xây dựng", ("agency_officer",), agency_code="HN-XD"),
    DemoLogin("+84901000014", "Cán bộ Trật tự đô thị và Chiếu sáng", ("agency_officer",), agency_code="HN-DTHT"),
]


async def seed_registry(session: AsyncSession) -> int:
    """Add the synthetic residents the registry does not hold yet; returns how many were added."""
    added = 0
    for national_id, name, born, sex, district, guardians in REGISTRY:
        if await session.get(RegistryPerson, national_id) is None:
            session.add(
                RegistryPerson(
                    national_id=national_id,
                    full_name=name,
                    birth_date=born,
                    sex=sex,
                    district_code=district,
                    guardian_national_ids=list(guardians),
                )
            )
            added += 1
    await session.flush()
    return added


async def seed_accounts(ctx: AppContext, session: AsyncSession) -> list[str]:
    registry = {row[0]: row for row in REGISTRY}
    lines = []
    for demo in DEMO_LOGINS:
        account = await repo.account_by_phone(session, demo.phone)
        if account is None:
            person = registry.get(demo.national_id) if demo.national_id else None
            account = await create_account(
                session,
                ctx.settings,
                phone=demo.phone,
                password=DEMO_PASSWORD,
                full_name=demo.full_name,
                roles=demo.roles,
                agency_code=demo.agency_code,
                national_id=demo.national_id,
                birth_date=person[2] if person else None,
                district_code=person[4] if person else None,
            )
        roles = ", ".join(account.roles)
        agency = f" [{demo.agency_code}]" if demo.agency_code else ""
        lines.append(
            f"{demo.full_name}: {demo.phone} / {DEMO_PASSWORD} ({roles}{agency}, level {account.identity_level})"
        )
    return lines


async def seed_dependent(session: AsyncSession) -> None:
    guardian = await repo.account_by_national_id(session, DEMO_CITIZEN_ID)
    child = await session.get(RegistryPerson, DEMO_CHILD_ID)
    if guardian is None or child is None or await repo.dependent_link(session, guardian.id, DEMO_CHILD_ID):
        return
    session.add(
        DependentLink(
            guardian_id=guardian.id,
            national_id=child.national_id,
            birth_date=child.birth_date,
            full_name=child.full_name,
            relationship="child",
        )
    )
    await session.flush()


async def seed(ctx: AppContext, session: AsyncSession) -> list[str]:
    """The identity module's demo data; returns the lines ``superapp seed demo`` prints."""
    await seed_registry(session)
    lines = ["Demo logins (phone / password):", *await seed_accounts(ctx, session)]
    await seed_dependent(session)
    lines.append(f"  dependent of {DEMO_LOGINS[0].phone}: Trần Minh Khôi (CCCD {DEMO_CHILD_ID})")
    try:
        from auth.oidc.seed import seed_clients
    except ImportError:
        log.info("OIDC client seeding not installed")
    else:
        lines.extend(await seed_clients(ctx, session))
    return lines
