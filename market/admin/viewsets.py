"""The marketplace's viewsets in the back office."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet

from market.admin.forms import RegionalAssessmentAdminForm
from market.models import RegionalAssessment


class RegionalAssessmentViewSet(ModelViewSet):
    """Regional assessments (R8), recorded by regulators: a request for a covered kind in a
    covered region is refused and pointed here."""

    model = RegionalAssessment
    icon = "site"
    menu_label = _("Regional assessments")
    menu_order = 110
    add_to_admin_menu = True
    list_display = ["title", "valid_from", "valid_to"]
    search_fields = ["title"]
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return RegionalAssessmentAdminForm
