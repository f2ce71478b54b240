"""The role-aware navigation: which links each kind of visitor sees."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url: str


def _public_items() -> list[NavItem]:
    return [
        NavItem(_("Home"), reverse("wagtail_serve", args=[""])),
        NavItem(_("Service catalogue"), reverse("catalogue:list")),
        NavItem(_("Agency roster"), reverse("agencies:list")),
        NavItem(_("Notices"), reverse("market:notices")),
        NavItem(_("Contracts"), reverse("contracts:list")),
        NavItem(_("Blacklist"), reverse("credit:blacklist")),
        NavItem(_("Complaints"), reverse("credit:complaint_new")),
    ]


_WORKSPACE_LABELS: dict[Role, str | Promise] = {
    Role.PROJECT_OWNER: _("My projects"),
    Role.AGENCY: _("My agency"),
    Role.REGULATOR: _("Supervision"),
    Role.APPROVAL_DEPARTMENT: _("My department's items"),
}


def navigation_for(user: User) -> list[NavItem]:
    items = _public_items()
    if not user.is_authenticated:
        return items
    role = user.role
    if role is not None:
        items.append(NavItem(_WORKSPACE_LABELS[role], reverse("cms:workspace")))
    if user.has_perm("wagtailadmin.access_admin"):
        items.append(NavItem(_("Back office"), reverse("wagtailadmin_home")))
    return items
