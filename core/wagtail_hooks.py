from django.contrib import messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic import CreateView, DeleteView, EditView
from wagtail.admin.viewsets.model import ModelViewSet

from core.exceptions import ApplicationError
from core.forms import RegionChoiceField, ServiceActionMixin
from core.models import CalendarDay, CalendarYear, Region
from core.search_admin import SearchSynonymViewSet
from core.services import calendar_year_confirm, region_add, region_delete, region_update


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


@hooks.register("register_admin_viewset")
def register_search_synonym_viewset():
    return SearchSynonymViewSet("search_synonyms")


class CalendarYearCreateView(ServiceActionMixin, CreateView):
    """Confirming a year goes through the service, which has the deadlines recomputed."""

    def act(self, data):
        self.object = calendar_year_confirm(
            actor=self.request.user, year=data["year"], source=data["source"]
        )

    def get_done_message(self):
        return gettext("The calendar of %(year)d is confirmed.") % {"year": self.object.year}


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


class RegionAdminForm(WagtailAdminModelForm):
    parent = RegionChoiceField(
        label=_("Inside"),
        required=False,
        help_text=_("The area that contains this one; empty for a district at the top."),
    )

    class Meta:
        model = Region
        fields = ["name", "kind", "code"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["parent"].initial = self.instance.get_parent()


class RegionCreateView(ServiceActionMixin, CreateView):
    def act(self, data):
        self.object = region_add(actor=self.request.user, **data)

    def get_done_message(self):
        return gettext("Region %(name)s added.") % {"name": self.object.name}


class RegionEditView(ServiceActionMixin, EditView):
    def act(self, data):
        self.object = region_update(actor=self.request.user, region=self.object, **data)

    def get_done_message(self):
        return gettext("Region %(name)s saved.") % {"name": self.object.name}


class RegionDeleteView(DeleteView):
    """Only an empty, unused area goes; the service says why another cannot."""

    def form_valid(self, form):
        try:
            region_delete(actor=self.request.user, region=self.object)
        except ApplicationError as error:
            messages.error(self.request, error.message)
            return HttpResponseRedirect(self.get_success_url())
        messages.success(
            self.request, gettext("Region %(name)s removed.") % {"name": self.object.name}
        )
        return HttpResponseRedirect(self.get_success_url())


class RegionViewSet(ModelViewSet):
    """The region tree that projects and regional assessments choose from (R8)."""

    model = Region
    icon = "site"
    menu_label = _("Regions")
    menu_order = 111
    add_to_admin_menu = True
    add_view_class = RegionCreateView
    edit_view_class = RegionEditView
    delete_view_class = RegionDeleteView
    copy_view_enabled = False
    list_display = ["tree_label", "kind", "code"]
    ordering = ["path"]
    list_per_page = 100

    def get_form_class(self, for_update=False):
        return RegionAdminForm


@hooks.register("register_admin_viewset")
def register_region_viewset():
    return RegionViewSet("regions")
