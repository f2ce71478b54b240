"""Wagtail hooks of the credit system's sanctions, registered when credit/wagtail_hooks.py
imports this module: the bars the roster and the marketplace ask (agencies/restrictions.py),
the blacklist banner on an agency's public page, and the regulators' back-office pages."""

from django.template.loader import render_to_string
from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from agencies.restrictions import AGENCY_BAR_REASONS_HOOK, AGENCY_BARRED_HOOK
from agencies.views import AGENCY_PAGE_HOOK
from credit.admin import sanctions as admin_views
from credit.services.blacklist import agency_bar_reasons, agency_barred_ids

hooks.register(AGENCY_BARRED_HOOK, agency_barred_ids)
hooks.register(AGENCY_BAR_REASONS_HOOK, agency_bar_reasons)


@hooks.register(AGENCY_PAGE_HOOK)
def agency_blacklist_banner(agency) -> str:
    """A banner on the agency's page while it, or someone working for it, is barred."""
    reasons = agency_bar_reasons(agency)
    if not reasons:
        return ""
    return render_to_string("credit/sanctions/agency_banner.html", {"reasons": reasons})


violation_urls = [
    path("", admin_views.ViolationListView.as_view(), name="list"),
    path("record/", admin_views.ViolationRecordView.as_view(), name="record"),
    path("<int:pk>/", admin_views.ViolationDetailView.as_view(), name="detail"),
    path("<int:pk>/evidence/", admin_views.ViolationEvidenceView.as_view(), name="evidence"),
]
repair_urls = [
    path("", admin_views.RepairListView.as_view(), name="list"),
    path("<int:pk>/", admin_views.RepairDecideView.as_view(), name="decide"),
    path("<int:pk>/evidence/", admin_views.RepairEvidenceView.as_view(), name="evidence"),
]


@hooks.register("register_admin_urls")
def register_sanction_urls():
    return [
        path("violations/", include((violation_urls, "violations"))),
        path("repairs/", include((repair_urls, "repairs"))),
    ]


@hooks.register("register_admin_menu_item")
def register_violation_menu():
    return admin_views.SanctionMenuItem(
        _("Violations"),
        reverse_lazy("violations:list"),
        name="violations",
        icon_name="warning",
        order=185,
    )


@hooks.register("register_admin_menu_item")
def register_repair_menu():
    return admin_views.SanctionMenuItem(
        _("Credit repair"),
        reverse_lazy("repairs:list"),
        name="credit-repair",
        icon_name="circle-check",
        order=186,
    )
