from django.template.loader import render_to_string
from django.urls import include, path, reverse, reverse_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from agencies.views import AGENCY_PAGE_HOOK
from contracts.admin import views
from contracts.selectors import contract_public_number, contract_public_numbers, delivery_metrics
from market.views import NOTICE_LINKS_HOOK, NOTICE_LIST_LINKS_HOOK

contract_template_urls = [
    path("", views.TemplateListView.as_view(), name="list"),
    path("<int:item>/", views.TemplateItemView.as_view(), name="item"),
    path("<int:item>/<int:number>/", views.TemplateVersionView.as_view(), name="version"),
    path(
        "<int:item>/<int:number>/submit/",
        views.TemplateVersionSubmitView.as_view(),
        name="submit",
    ),
    path(
        "<int:item>/<int:number>/approve/",
        views.TemplateVersionDecideView.as_view(approved=True),
        name="approve",
    ),
    path(
        "<int:item>/<int:number>/refuse/",
        views.TemplateVersionDecideView.as_view(approved=False),
        name="refuse",
    ),
]


@hooks.register("register_admin_urls")
def register_contract_template_urls():
    return [path("model-contracts/", include((contract_template_urls, "contract_templates")))]


@hooks.register("register_admin_menu_item")
def register_contract_template_menu():
    return views.TemplateKeeperMenuItem(
        _("Model contracts"),
        reverse_lazy("contract_templates:list"),
        name="model-contracts",
        icon_name="doc-full",
        order=170,
    )


@hooks.register(NOTICE_LINKS_HOOK)
def public_contract_link(purchase_request):
    """A purchase notice links to its contract's public page once both parties have signed."""
    number = contract_public_number(purchase_request=purchase_request)
    if number is None:
        return []
    label = gettext("Contract %(number)s, signed by both parties") % {"number": number}
    return [(label, reverse("contracts:detail", args=[number]))]


@hooks.register(NOTICE_LIST_LINKS_HOOK)
def public_contract_links(purchase_requests):
    """The notice list shows the contract of each awarded notice once both have signed."""
    return {
        request_id: [
            (
                gettext("Contract %(number)s, signed by both parties") % {"number": number},
                reverse("contracts:detail", args=[number]),
            )
        ]
        for request_id, number in contract_public_numbers(purchase_requests).items()
    }


@hooks.register(AGENCY_PAGE_HOOK)
def agency_delivery_record(agency) -> str:
    """The agency's public page shows how it has delivered (R10): on time, fulfilled, and how
    fast against the statutory limits."""
    return render_to_string(
        "contracts/includes/delivery_record.html",
        {"record": delivery_metrics(agency=agency), "heading": True},
    )
