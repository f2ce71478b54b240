from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from market.models import ServiceItem


class ServiceItemViewSet(ModelViewSet):
    """The service catalogue in the back office, kept by regulators (R1)."""

    model = ServiceItem
    icon = "list-ul"
    menu_label = _("Service catalogue")
    menu_order = 100
    add_to_admin_menu = True
    list_display = ["code", "name", "approval_department", "statutory_time_limit_days", "status"]
    list_filter = ["status", "fee_mode", "approval_department"]
    search_fields = ["code", "name"]
    form_fields = [
        "code",
        "name",
        "summary",
        "approval_department",
        "related_approval_item",
        "legal_basis",
        "statutory_time_limit_days",
        "fee_mode",
        "fee_basis",
        "regional_assessment_kind",
        "owner_may_self_prepare",
        "status",
    ]


@hooks.register("register_admin_viewset")
def register_service_item_viewset():
    return ServiceItemViewSet("service_items")
