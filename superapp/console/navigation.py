"""The console's sections and the roles that may open each one.

A section missing from a staff member's roles is neither shown in the navigation nor served
(403 page). The module APIs behind each page check the same roles again on their side.
"""

from __future__ import annotations

from dataclasses import dataclass

from superapp.console.sessions import StaffMember


@dataclass(frozen=True)
class Section:
    key: str
    path: str
    roles: frozenset[str]


SECTIONS: tuple[Section, ...] = (
    Section("moderation", "/admin/moderation", frozenset({"admin", "moderator"})),
    Section("agency", "/admin/agency", frozenset({"agency_officer"})),
    Section("stats", "/admin/stats", frozenset({"admin", "moderator"})),
    Section("miniapps", "/admin/miniapps", frozenset({"admin"})),
    Section("broadcasts", "/admin/broadcasts", frozenset({"admin"})),
    Section("transit", "/admin/transit", frozenset({"admin", "transit_operator"})),
)
BY_KEY = {s.key: s for s in SECTIONS}
STAFF_ROLES = frozenset().union(*(s.roles for s in SECTIONS))


def visible_sections(staff: StaffMember) -> list[Section]:
    return [s for s in SECTIONS if staff.has_any(s.roles)]


def may_open(staff: StaffMember, key: str) -> bool:
    return staff.has_any(BY_KEY[key].roles)
