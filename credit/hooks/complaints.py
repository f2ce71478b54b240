"""Wagtail hooks of the credit system's complaints, registered when credit/wagtail_hooks.py
imports this module: the regulators' complaint desk in the back office, and the links to
complain from an agency's page, a notice and a contract's page."""

from urllib.parse import urlencode

from django.urls import include, path, reverse, reverse_lazy
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from agencies.views import AGENCY_PAGE_HOOK
from contracts.party_views import CONTRACT_PAGE_HOOK
from credit.admin import complaints as views
from market.views import NOTICE_LINKS_HOOK

complaint_admin_urls = [
    path("", views.ComplaintListView.as_view(), name="list"),
    path("<int:pk>/", views.ComplaintDetailView.as_view(), name="detail"),
    path("<int:pk>/acknowledge/", views.ComplaintAcknowledgeView.as_view(), name="acknowledge"),
    path("<int:pk>/note/", views.ComplaintNoteView.as_view(), name="note"),
    path("<int:pk>/answer/", views.ComplaintAnswerView.as_view(), name="answer"),
    path("<int:pk>/evidence/", views.ComplaintEvidenceView.as_view(), name="evidence"),
]


@hooks.register("register_admin_urls")
def register_complaint_admin_urls():
    return [path("complaints/", include((complaint_admin_urls, "complaints_admin")))]


@hooks.register("register_admin_menu_item")
def register_complaint_menu():
    return views.ComplaintMenuItem(
        _("Complaints"),
        reverse_lazy("complaints_admin:list"),
        name="complaints",
        icon_name="comment",
        order=185,
    )


def _complain_url(subject: str, value) -> str:
    return f"{reverse('credit:complaint_new')}?{urlencode({subject: value})}"


@hooks.register(AGENCY_PAGE_HOOK)
def agency_complaint_link(agency) -> str:
    """Anyone may complain about an agency from its page (R12)."""
    return format_html(
        '<p><a href="{}">{}</a></p>',
        _complain_url("agency", agency.pk),
        gettext("Complain about this agency"),
    )


@hooks.register(NOTICE_LINKS_HOOK)
def notice_complaint_link(purchase_request):
    """…and about a purchase from its notice."""
    return [
        (gettext("Complain about this purchase"), _complain_url("request", purchase_request.number))
    ]


@hooks.register(CONTRACT_PAGE_HOOK)
def contract_complaint_link(request, contract) -> str:
    """…and the parties about their contract (the form checks who may name it)."""
    return format_html(
        '<p><a href="{}">{}</a></p>',
        _complain_url("contract", contract.number),
        gettext("Complain about this contract"),
    )
