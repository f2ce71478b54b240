"""Wagtail hooks of the credit system's complaints, registered when credit/wagtail_hooks.py
imports this module: the regulators' complaint desk in the back office."""

from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from credit.admin import complaints as views

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
