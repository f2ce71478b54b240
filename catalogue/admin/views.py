"""The service catalogue's back-office views, kept by regulators (R1).

Every write goes through catalogue/services: creating makes a draft, editing a draft saves it,
editing a published item makes a version with an effective date and a reason, and publishing
and retiring are explicit, confirmed actions."""

import uuid

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, View
from wagtail.admin.views.generic import CreateView, EditView, IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button

from catalogue.admin.forms import (
    CatalogueImportForm,
    PublishForm,
    RetireForm,
    service_error_for_form,
)
from catalogue.models import ServiceItem
from catalogue.services import (
    catalogue_export_table,
    catalogue_import_apply,
    catalogue_import_preview,
    service_item_create,
    service_item_publish,
    service_item_retire,
    service_item_update,
)
from core.exceptions import ApplicationError
from core.forms import apply_application_error
from core.tabular import write_csv, write_xlsx

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
                    url=reverse("catalogue:detail", args=[self.object.code]),
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

    template_name = "catalogue/admin/form_page.html"
    header_icon = "list-ul"
    permission = "catalogue.change_serviceitem"
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
    # The token is made by uuid4().hex; only that shape may reach the cache key (memcached
    # refuses keys with spaces or control characters).
    token = forms.RegexField(regex=r"\A[0-9a-f]{32}\Z", widget=forms.HiddenInput)
    effective_date = forms.DateField(widget=forms.HiddenInput)
    reason = forms.CharField(widget=forms.HiddenInput)


class CatalogueImportView(CatalogueActionView):
    """Upload → preview with every row's errors → confirm: all rows or none."""

    form_class = CatalogueImportForm
    page_title = _("Import the catalogue")
    submit_label = _("Check the file")
    template_name = "catalogue/admin/import.html"
    intro = _(
        "Upload a file in the export's format. Nothing is saved until you have seen the "
        "preview and confirmed it; a file with any error imports nothing."
    )

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("catalogue.add_serviceitem"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def _cache_key(self, token):
        return f"catalogue:import:{self.request.user.pk}:{token}"

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
            cache.get(self._cache_key(confirm_form.cleaned_data["token"]))
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
