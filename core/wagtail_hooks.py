from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.generic import CreateView
from wagtail.admin.viewsets.model import ModelViewSet

from core.exceptions import ApplicationError
from core.forms import apply_application_error
from core.models import CalendarDay, CalendarYear
from core.services import calendar_year_confirm


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


class CalendarYearCreateView(CreateView):
    """Confirming a year goes through the service, which has the deadlines recomputed."""

    def save_instance(self):
        return calendar_year_confirm(
            actor=self.request.user,
            year=self.form.cleaned_data["year"],
            source=self.form.cleaned_data["source"],
        )

    def form_valid(self, form):
        self.form = form
        try:
            self.object = self.save_instance()
        except ApplicationError as error:
            apply_application_error(form, error)
            return self.form_invalid(form)
        return self.save_action()


class CalendarYearViewSet(ModelViewSet):
    """Regulators confirm that the State Council's schedule of a year is entered; until then
    that year's deadlines are provisional (暂定)."""

    model = CalendarYear
    icon = "date"
    menu_label = _("Confirmed calendar years")
    menu_order = 321
    add_to_admin_menu = True
    add_view_class = CalendarYearCreateView
    edit_view_enabled = False
    copy_view_enabled = False
    list_display = ["year", "source", "confirmed_by", "confirmed_at"]
    form_fields = ["year", "source"]


@hooks.register("register_admin_viewset")
def register_calendar_year_viewset():
    return CalendarYearViewSet("calendar_years")
