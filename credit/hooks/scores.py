"""Wagtail hooks of the credit system's scores, registered when credit/wagtail_hooks.py
imports this module: the grade on the agency's public page, and the inspections' back-office
pages."""

from django.template.loader import render_to_string
from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from agencies.views import AGENCY_PAGE_HOOK
from credit.admin import inspections as inspection_admin


@hooks.register(AGENCY_PAGE_HOOK)
def agency_credit_section(agency) -> str:
    """The current grade and score (as the agency's row holds them), and the credit page."""
    return render_to_string("credit/score/agency_section.html", {"agency": agency})


inspection_urls = [
    path("", inspection_admin.InspectionListView.as_view(), name="list"),
    path("new/", inspection_admin.InspectionRecordView.as_view(), name="new"),
]


@hooks.register("register_admin_urls")
def register_inspection_urls():
    return [path("inspections/", include((inspection_urls, "credit_inspections")))]


@hooks.register("register_admin_menu_item")
def register_inspection_menu():
    return inspection_admin.InspectionMenuItem(
        _("Inspections"),
        reverse_lazy("credit_inspections:list"),
        name="inspections",
        icon_name="doc-full",
        order=185,
    )
