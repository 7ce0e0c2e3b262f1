"""The navigation each role sees. A role sees its own items and no other's."""

from dataclasses import dataclass

from django.urls import reverse

from mash.access import is_member

from .roles import AGENCY_ROLES, HUB_ROLES, REPORTING_ROLES, Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]


ALL_ROLES = frozenset(Role.values)

NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("Home", "home", ALL_ROLES),
    NavItem("My work", "work:my_work", HUB_ROLES | AGENCY_ROLES),
    NavItem("Triage queue", "contacts:queue", HUB_ROLES),
    NavItem("Enquiries", "enquiries_hub:list", HUB_ROLES),
    NavItem("Decisions", "contacts:decisions", frozenset({Role.HUB_MANAGER})),
    NavItem("Allocation", "work:allocation", frozenset({Role.HUB_MANAGER})),
    NavItem("Breaches", "breaches:list", frozenset({Role.HUB_MANAGER})),
    NavItem("Backlog", "reporting:backlog", frozenset({Role.HUB_MANAGER})),
    NavItem("People", "contacts:person_search", HUB_ROLES),
    NavItem("DA meetings", "da_meetings:index", HUB_ROLES),
    NavItem("Information requests", "enquiries_agency:queue", AGENCY_ROLES),
    NavItem("Make a referral", "contacts:marf_start", frozenset({Role.REFERRER})),
    NavItem("Your referrals", "contacts:marf_list", frozenset({Role.REFERRER})),
    NavItem("Reporting", "reporting:dashboard", REPORTING_ROLES),
    NavItem("Annex A", "reporting:annex_a", frozenset({Role.HUB_MANAGER})),
    NavItem("Users", "agencies:staff_user_list", frozenset({Role.ADMINISTRATOR})),
    NavItem("Timescales", "timescales:list", frozenset({Role.ADMINISTRATOR})),
    NavItem("Agencies", "agencies:staff_agency_list", frozenset({Role.ADMINISTRATOR})),
    NavItem("Schools", "schools:list", frozenset({Role.ADMINISTRATOR})),
    NavItem("Admin site", "admin:index", frozenset({Role.ADMINISTRATOR})),
)


def navigation_for(user, current_path: str = "") -> list[dict]:
    if not is_member(user):
        return []
    items = [
        {"label": item.label, "url": reverse(item.url_name), "current": False}
        for item in NAV_ITEMS
        if user.role in item.roles
    ]
    # The current item is the one whose address is the longest start of the path, so that
    # /reporting/backlog/ marks "Backlog" and not "Reporting" too.
    matches = [
        item
        for item in items
        if (
            current_path == item["url"]
            if item["url"] == "/"
            else current_path.startswith(item["url"])
        )
    ]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["current"] = True
    return items
