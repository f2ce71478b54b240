"""The service catalogue in the back office, kept by regulators (R1).

Every write goes through market/services: creating makes a draft, editing a draft saves it,
editing a published item makes a version with an effective date and a reason, and publishing
and retiring are explicit, confirmed actions."""

import uuid

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import include, path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, View
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.views.generic import CreateView, EditView, IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import Button

from core.exceptions import ApplicationError
from core.forms import apply_application_error
from core.tabular import write_csv, write_xlsx
from core.uploads import PDF, validate_upload
from market import admin_views
from market.forms import (
    CatalogueImportForm,
    PublishForm,
    QualificationTypeAdminForm,
    RetireForm,
    ServiceItemAdminForm,
    service_error_for_form,
)
from market.models import (
    QualificationType,
    RegionalAssessment,
    RegionalAssessmentKind,
    ServiceItem,
)
from market.services import (
    catalogue_export_table,
    catalogue_import_apply,
    catalogue_import_preview,
    service_item_create,
    service_item_publish,
    service_item_retire,
    service_item_update,
)

IMPORT_CACHE_SECONDS = 60 * 60


class ServiceFormMixin:
    """Save through a service; a service's error goes back onto the form."""

    def form_valid(self, form):
        self.form = form
        try:
            self.object = self.save_instance()
        except ApplicationError as error:
            apply_application_error(form, service_error_for_form(error))
            self.produced_error_message = error.message
            return self.form_invalid(form)
        return self.save_action()


class ServiceItemCreateView(ServiceFormMixin, CreateView):
    def save_instance(self):
        return service_item_create(
            user=self.request.user,
            values=self.form.item_values(),
            requirements=self.form.requirement_specs(),
        )


class ServiceItemEditView(ServiceFormMixin, EditView):
    def save_instance(self):
        self.version = service_item_update(
            user=self.request.user,
            service_item=self.object,
            values=self.form.item_values(),
            requirements=self.form.requirement_specs(),
            effective_date=self.form.cleaned_data.get("change_effective_date"),
            reason=self.form.cleaned_data.get("change_reason", ""),
        )
        return ServiceItem.objects.get(pk=self.object.pk)

    def get_success_message(self):
        version = getattr(self, "version", None)
        if version is not None and version.applied_at is None:
            return gettext(
                "Version %(number)d of %(item)s is published as scheduled; it applies on %(date)s."
            ) % {
                "number": version.number,
                "item": self.object,
                "date": version.effective_date.isoformat(),
            }
        return super().get_success_message()

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        url_name = self.edit_url_name.rsplit(":", 1)[0]
        pk = self.object.pk
        if self.object.status == ServiceItem.Status.DRAFT:
            buttons.append(
                Button(
                    _("Publish"), url=reverse(f"{url_name}:publish", args=[pk]), icon_name="upload"
                )
            )
        if self.object.status == ServiceItem.Status.PUBLISHED:
            buttons.append(
                Button(_("Retire"), url=reverse(f"{url_name}:retire", args=[pk]), icon_name="cross")
            )
        if self.object.status != ServiceItem.Status.DRAFT:
            buttons.append(
                Button(
                    _("View public page"),
                    url=reverse("market:catalogue_detail", args=[self.object.code]),
                    icon_name="view",
                )
            )
        return buttons


class ServiceItemIndexView(IndexView):
    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        url_name = self.index_url_name.rsplit(":", 1)[0]
        buttons += [
            Button(_("Import"), url=reverse(f"{url_name}:import"), icon_name="upload"),
            Button(
                _("Export CSV"),
                url=reverse(f"{url_name}:export") + "?format=csv",
                icon_name="download",
            ),
            Button(
                _("Export Excel"),
                url=reverse(f"{url_name}:export") + "?format=xlsx",
                icon_name="download",
            ),
        ]
        return buttons


# Publish, retire, import, export ---------------------------------------------------------------


class CatalogueActionView(WagtailAdminTemplateMixin, FormView):
    """A back-office page with one form, for a user with the catalogue permission."""

    template_name = "market/admin/form_page.html"
    header_icon = "list-ul"
    permission = "market.change_serviceitem"
    viewset = None
    submit_label = _("Save")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def url(self, name, *args):
        return reverse(self.viewset.get_url_name(name), args=args)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": self.url("index"), "label": ServiceItem._meta.verbose_name_plural},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(submit_label=self.submit_label, cancel_url=self.url("index"))
        return context


class ServiceItemTransitionView(CatalogueActionView):
    status_from = ServiceItem.Status.DRAFT

    def dispatch(self, request, *args, **kwargs):
        self.item = get_object_or_404(ServiceItem, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.item)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(item=self.item, cancel_url=self.url("edit", self.item.pk))
        return context

    def form_valid(self, form):
        try:
            self.transition(form.cleaned_data["reason"])
        except ApplicationError as error:
            apply_application_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message % {"item": self.item})
        return redirect(self.url("edit", self.item.pk))


class ServiceItemPublishView(ServiceItemTransitionView):
    form_class = PublishForm
    page_title = _("Publish")
    submit_label = _("Yes, publish")
    success_message = _("%(item)s is published in the catalogue.")
    intro = _(
        "Publishing puts the item in the public catalogue from today, as a new version in the "
        "adjustment log. It needs the legal basis and a complete service guide."
    )

    def transition(self, reason):
        service_item_publish(user=self.request.user, service_item=self.item, reason=reason)


class ServiceItemRetireView(ServiceItemTransitionView):
    form_class = RetireForm
    page_title = _("Retire")
    submit_label = _("Yes, retire")
    success_message = _("%(item)s is retired from the catalogue.")
    intro = _(
        "Retiring takes the item out of the catalogue from today: it can no longer be "
        "required or bought, and its public page says so. This cannot be undone."
    )

    def transition(self, reason):
        service_item_retire(user=self.request.user, service_item=self.item, reason=reason)


class ImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    effective_date = forms.DateField(widget=forms.HiddenInput)
    reason = forms.CharField(widget=forms.HiddenInput)


class CatalogueImportView(CatalogueActionView):
    """Upload → preview with every row's errors → confirm: all rows or none."""

    form_class = CatalogueImportForm
    page_title = _("Import the catalogue")
    submit_label = _("Check the file")
    template_name = "market/admin/import.html"
    intro = _(
        "Upload a file in the export's format. Nothing is saved until you have seen the "
        "preview and confirmed it; a file with any error imports nothing."
    )

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("market.add_serviceitem"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def _cache_key(self, token):
        return f"market:catalogue-import:{self.request.user.pk}:{token}"

    def post(self, request, *args, **kwargs):
        if "token" in request.POST:
            return self.confirm(ImportConfirmForm(request.POST))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        content = upload.read()
        token = uuid.uuid4().hex
        cache.set(self._cache_key(token), (upload.name, content), IMPORT_CACHE_SECONDS)
        preview = catalogue_import_preview(
            user=self.request.user,
            upload=SimpleUploadedFile(upload.name, content),
            effective_date=form.cleaned_data["effective_date"],
        )
        confirm = ImportConfirmForm(
            initial={
                "token": token,
                "effective_date": form.cleaned_data["effective_date"],
                "reason": form.cleaned_data["reason"],
            }
        )
        return self.render_to_response(
            self.get_context_data(form=form, preview=preview, confirm_form=confirm)
        )

    def confirm(self, confirm_form):
        stored = (
            cache.get(self._cache_key(confirm_form.data.get("token", "")))
            if confirm_form.is_valid()
            else None
        )
        if stored is None:
            messages.error(self.request, gettext("The upload has expired; upload the file again."))
            return redirect(self.url("import"))
        name, content = stored
        try:
            preview = catalogue_import_apply(
                user=self.request.user,
                upload=SimpleUploadedFile(name, content),
                effective_date=confirm_form.cleaned_data["effective_date"],
                reason=confirm_form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            messages.error(self.request, error.message)
            return redirect(self.url("import"))
        cache.delete(self._cache_key(confirm_form.cleaned_data["token"]))
        messages.success(
            self.request,
            gettext("Imported: %(count)d rows changed the catalogue.")
            % {"count": len(preview.changing_rows)},
        )
        return redirect(self.url("index"))


class CatalogueExportView(View):
    viewset = None

    def get(self, request):
        try:
            header, rows = catalogue_export_table(user=request.user)
        except ApplicationError:
            raise PermissionDenied from None
        stamp = timezone.localdate().strftime("%Y%m%d")
        if request.GET.get("format") == "xlsx":
            content = write_xlsx(header, rows, title="中介服务事项清单")
            kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            name = f"catalogue-{stamp}.xlsx"
        else:
            content, kind, name = write_csv(header, rows), "text/csv", f"catalogue-{stamp}.csv"
        response = HttpResponse(content, content_type=kind)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


# Viewsets -------------------------------------------------------------------------------------


class ServiceItemViewSet(ModelViewSet):
    """The service catalogue in the back office, kept by regulators (R1)."""

    model = ServiceItem
    icon = "list-ul"
    menu_label = _("Service catalogue")
    menu_order = 100
    add_to_admin_menu = True
    index_view_class = ServiceItemIndexView
    add_view_class = ServiceItemCreateView
    edit_view_class = ServiceItemEditView
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = [
        "code",
        "name",
        "approval_department",
        "statutory_time_limit_days",
        "status",
        "version",
        "effective_date",
    ]
    list_filter = ["status", "fee_mode", "approval_department"]
    search_fields = ["code", "name"]
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("change_effective_date"),
                    FieldPanel("change_reason"),
                ],
                heading=_("This change"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("code"),
                    FieldPanel("name"),
                    FieldPanel("summary"),
                    FieldPanel("approval_department"),
                    FieldPanel("related_approval_item"),
                    FieldPanel("statutory_time_limit_days"),
                ],
                heading=_("Service item"),
            ),
            MultiFieldPanel(
                [FieldPanel("legal_basis"), FieldPanel("legal_references")],
                heading=_("Legal basis"),
            ),
            FieldPanel("requirements_text"),
            MultiFieldPanel(
                [
                    FieldPanel("fee_mode"),
                    FieldPanel("fee_basis"),
                    FieldPanel("fee_amount"),
                    FieldPanel("fee_ceiling"),
                    FieldPanel("reference_price_low"),
                    FieldPanel("reference_price_high"),
                    FieldPanel("paid_by_department"),
                ],
                heading=_("Fee standard"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("guide_materials"),
                    FieldPanel("guide_steps"),
                    FieldPanel("guide_deliverables"),
                    FieldPanel("owner_may_self_prepare"),
                    FieldPanel("regional_assessment_kind"),
                ],
                heading=_("Service guide"),
            ),
        ],
        base_form_class=ServiceItemAdminForm,
    )

    def get_urlpatterns(self):
        def view(view_class, **kwargs):
            return view_class.as_view(viewset=self, **kwargs)

        return [
            *super().get_urlpatterns(),
            path("publish/<int:pk>/", view(ServiceItemPublishView), name="publish"),
            path("retire/<int:pk>/", view(ServiceItemRetireView), name="retire"),
            path("import/", view(CatalogueImportView), name="import"),
            path("export/", view(CatalogueExportView), name="export"),
        ]


class QualificationTypeViewSet(ModelViewSet):
    """The legally required qualifications and their grades, kept by regulators (R3)."""

    model = QualificationType
    icon = "tick-inverse"
    menu_label = _("Qualification types")
    form_fields = ["code", "name", "grades", "legal_basis"]
    list_display = ["name", "code", "grades", "legal_basis"]
    search_fields = ["code", "name"]
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return QualificationTypeAdminForm


class RegionalAssessmentAdminForm(WagtailAdminModelForm):
    kinds = forms.MultipleChoiceField(
        label=_("assessment kinds covered"),
        choices=RegionalAssessmentKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = RegionalAssessment
        fields = [
            "title",
            "region",
            "kinds",
            "valid_from",
            "valid_to",
            "summary",
            "result_document",
        ]

    def clean_result_document(self):
        document = self.cleaned_data.get("result_document")
        if document and hasattr(document, "content_type"):  # a new upload
            try:
                validate_upload(document, kinds=(PDF,))
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from None
        return document

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", gettext("The end of validity cannot be before its start."))
        return cleaned


class RegionalAssessmentViewSet(ModelViewSet):
    """Regional assessments (R8), recorded by regulators: a request for a covered kind in a
    covered region is refused and pointed here."""

    model = RegionalAssessment
    icon = "site"
    menu_label = _("Regional assessments")
    list_display = ["title", "region", "valid_from", "valid_to"]
    search_fields = ["title", "region"]
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return RegionalAssessmentAdminForm


class CatalogueViewSetGroup(ModelViewSetGroup):
    menu_label = _("Service catalogue")
    menu_icon = "list-ul"
    menu_order = 100
    items = (
        ServiceItemViewSet("service_items"),
        QualificationTypeViewSet("qualification_types"),
        RegionalAssessmentViewSet("regional_assessments"),
    )


@hooks.register("register_admin_viewset")
def register_catalogue_viewsets():
    return CatalogueViewSetGroup()


objection_urls = [
    path("", admin_views.ObjectionListView.as_view(), name="list"),
    path("<int:pk>/", admin_views.ObjectionAnswerView.as_view(), name="answer"),
]


@hooks.register("register_admin_urls")
def register_objection_urls():
    return [path("objections/", include((objection_urls, "market_objections")))]


class RegulatorMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.is_regulator(request.user)


@hooks.register("register_admin_menu_item")
def register_objection_menu():
    return RegulatorMenuItem(
        _("Objections"),
        reverse_lazy("market_objections:list"),
        name="market-objections",
        icon_name="warning",
        order=160,
    )
