from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem

from accounts.mixins import RegulatorMenuItem
from agencies.admin import views as admin_views
from agencies.selectors import service_item_qualifying_agency_count
from catalogue.views import ITEM_PAGE_HOOK

agency_review_urls = [
    path("", admin_views.ReviewQueueView.as_view(), name="queue"),
    path("<int:pk>/", admin_views.AgencyReviewView.as_view(), name="agency"),
    path("<int:pk>/<slug:action>/", admin_views.AgencyActionView.as_view(), name="action"),
    path("staff-register/", admin_views.StaffRegisterImportView.as_view(), name="staff_register"),
    path("<int:pk>/ties/record/", admin_views.TieRecordView.as_view(), name="tie_record"),
    path("certificates/", admin_views.CertificateQueueView.as_view(), name="certificates"),
    path(
        "certificates/register/",
        admin_views.CertificateRegisterImportView.as_view(),
        name="certificate_register",
    ),
    path(
        "certificates/<int:pk>/verify/",
        admin_views.CertificateVerifyView.as_view(),
        name="certificate_verify",
    ),
    path(
        "certificates/<int:pk>/refuse/",
        admin_views.CertificateRefuseView.as_view(),
        name="certificate_refuse",
    ),
    path("<int:pk>/ties/<int:tie>/end/", admin_views.TieEndView.as_view(), name="tie_end"),
]


@hooks.register("register_admin_urls")
def register_agency_review_urls():
    return [path("agency-review/", include((agency_review_urls, "agency_review")))]


@hooks.register("register_admin_menu_item")
def register_agency_review_menu():
    return SubmenuMenuItem(
        _("Agency roster"),
        Menu(
            items=[
                RegulatorMenuItem(
                    _("Review queue"),
                    reverse_lazy("agency_review:queue"),
                    name="agency-review-queue",
                    icon_name="tasks",
                    order=100,
                ),
                RegulatorMenuItem(
                    _("Certificates to verify"),
                    reverse_lazy("agency_review:certificates"),
                    name="agency-certificates",
                    icon_name="tick-inverse",
                    order=150,
                ),
                RegulatorMenuItem(
                    _("Staff register"),
                    reverse_lazy("agency_review:staff_register"),
                    name="agency-staff-register",
                    icon_name="doc-full",
                    order=200,
                ),
            ]
        ),
        name="agency-roster",
        icon_name="group",
        order=150,
    )


@hooks.register(ITEM_PAGE_HOOK)
def qualifying_agency_count(service_item):
    """The catalogue page of an item says how many active agencies may serve it now."""
    return {
        "qualifying_agency_count": service_item_qualifying_agency_count(service_item=service_item)
    }
