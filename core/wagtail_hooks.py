from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from core.models import CalendarDay


class CalendarDayViewSet(ModelViewSet):
    """Regulators correct the official holiday calendar here: a day entered in this table
    beats the `chinese_calendar` package, and a year the package does not know yet is entered
    here before review deadlines reach it (core/workdays.py)."""

    model = CalendarDay
    icon = "date"
    menu_label = _("Working-day calendar")
    menu_order = 320
    add_to_admin_menu = True
    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]
    form_fields = ["date", "is_workday", "note"]


@hooks.register("register_admin_viewset")
def register_calendar_day_viewset():
    return CalendarDayViewSet("calendar_days")
