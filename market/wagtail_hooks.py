from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from accounts.mixins import RegulatorMenuItem
from market.admin.purchase_requests import PurchaseRequestDetailView, PurchaseRequestListView
from market.admin.views import ObjectionAnswerView, ObjectionListView
from market.admin.viewsets import RegionalAssessmentViewSet

objection_urls = [
    path("", ObjectionListView.as_view(), name="list"),
    path("<int:pk>/", ObjectionAnswerView.as_view(), name="answer"),
]

purchase_request_urls = [
    path("", PurchaseRequestListView.as_view(), name="market_purchase_requests"),
    path("<int:pk>/", PurchaseRequestDetailView.as_view(), name="market_purchase_request"),
]


@hooks.register("register_admin_viewset")
def register_regional_assessment_viewset():
    return RegionalAssessmentViewSet("regional_assessments")


@hooks.register("register_admin_urls")
def register_objection_urls():
    return [path("objections/", include((objection_urls, "market_objections")))]


@hooks.register("register_admin_menu_item")
def register_objection_menu():
    return RegulatorMenuItem(
        _("Objections"),
        reverse_lazy("market_objections:list"),
        name="market-objections",
        icon_name="warning",
        order=160,
    )


@hooks.register("register_admin_urls")
def register_purchase_request_urls():
    # Not namespaced: the regulator's workspace links to the list as "market_purchase_requests".
    return [path("purchase-requests/", include(purchase_request_urls))]


@hooks.register("register_admin_menu_item")
def register_purchase_request_menu():
    return RegulatorMenuItem(
        _("Purchase requests"),
        reverse_lazy("market_purchase_requests"),
        name="market-purchase-requests",
        icon_name="list-ul",
        order=155,
    )
