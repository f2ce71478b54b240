"""The back office's model contracts (示范合同, R5): the items whose model contracts a user
keeps, one item's versions with the form that writes the next one (and previews it without
saving), one version with its unfair-clause findings and their answers, its submission, and
the regulator's confirmed approval or refusal.

An approval department keeps its own items' model contracts and regulators keep all of them
(`contracts.keep_template`); only regulators decide (`accounts.regulate`). The views ask the
same rules to decide what to show and whom to let in; the services ask again and say why not.
"""

import html
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from accounts.mixins import RegulatorRequiredMixin
from accounts.permissions import allowed
from catalogue.models import ServiceItem
from contracts.admin.forms import FindingAnswerForm, TemplateDecisionForm, TemplateVersionForm
from contracts.clauses import HIGH, RULES
from contracts.models import ContractTemplateVersion
from contracts.selectors import (
    template_item_list,
    template_version_detail,
    template_version_list,
)
from contracts.services import (
    template_finding_answer,
    template_preview,
    template_version_decide,
    template_version_submit,
    template_version_write,
)
from contracts.templating import VARIABLES
from core.exceptions import ApplicationError
from core.forms import ServiceActionMixin, apply_application_error

LIST_PAGE_SIZE = 20
Status = ContractTemplateVersion.Status
UNDECIDED = (Status.DRAFT, Status.SUBMITTED)
SEVERITY_LABELS = {HIGH: _("High"), "medium": _("Medium")}


class TemplateKeeperMenuItem(MenuItem):
    """The menu entry, shown to approval departments and regulators."""

    def is_shown(self, request):
        return allowed("contracts.keep_templates", request.user)


class TemplateKeeperRequiredMixin:
    """Approval departments and regulators only; with `item` in the URL, only the item's own
    department and regulators. Checked before anything is looked up."""

    def dispatch(self, request, *args, **kwargs):
        if not allowed("contracts.keep_templates", request.user):
            raise PermissionDenied
        if "item" in kwargs:
            self.service_item = get_object_or_404(
                ServiceItem.objects.select_related("approval_department"), pk=kwargs["item"]
            )
            if not allowed("contracts.keep_template", request.user, self.service_item):
                raise PermissionDenied
        if "number" in kwargs:
            try:
                self.version = template_version_detail(
                    service_item=self.service_item, number=kwargs["number"]
                )
            except ContractTemplateVersion.DoesNotExist as exc:
                raise Http404 from exc
        return super().dispatch(request, *args, **kwargs)


def _list_crumbs() -> list[dict[str, Any]]:
    return [
        {"url": reverse("wagtailadmin_home"), "label": _("Home")},
        {"url": reverse("contract_templates:list"), "label": _("Model contracts")},
    ]


def _item_url(service_item: ServiceItem) -> str:
    return reverse("contract_templates:item", args=[service_item.pk])


def _version_url(version: ContractTemplateVersion) -> str:
    return reverse(
        "contract_templates:version", args=[version.template.service_item_id, version.number]
    )


def _version_crumbs(version: ContractTemplateVersion) -> list[dict[str, Any]]:
    service_item = version.template.service_item
    return [
        *_list_crumbs(),
        {"url": _item_url(service_item), "label": str(service_item)},
        {"url": _version_url(version), "label": _version_label(version)},
    ]


def _version_label(version: ContractTemplateVersion) -> str:
    return _("Version %(number)s") % {"number": version.number}


def _shown_text(service_item: ServiceItem, body: str) -> tuple[str, str]:
    """The text filled in with the sample facts, as plain text, or why it cannot be.

    Jinja escapes the facts it inserts, and not the template's own text, so the result is
    turned back into plain text and escaped once, as a whole, by Django: markup typed into a
    template shows as what it is and never runs in a reviewer's browser."""
    try:
        return html.unescape(template_preview(service_item=service_item, body=body)), ""
    except ApplicationError as error:
        return "", error.message


def _findings(
    version: ContractTemplateVersion, *, answerable: bool, bound: FindingAnswerForm | None = None
) -> list[dict[str, Any]]:
    """Each finding with its rule's title, explanation and legal basis, and, while the
    version is undecided, the keeper's answer form (the bound one when it was just sent)."""
    rules = {rule.code: rule for rule in RULES}
    rows = []
    for index, finding in enumerate(version.findings):
        form = None
        if answerable:
            if bound is not None and bound.cleaned_data.get("index") == index:
                form = bound
            else:
                form = FindingAnswerForm(
                    initial={"index": index, "answer": finding["answer"]},
                    auto_id=f"id_finding{index}_%s",
                )
        rows.append(
            {
                "number": index + 1,
                "finding": finding,
                # A rule retired after the version was checked still leaves its finding.
                "rule": rules.get(finding["code"]),
                "severity": SEVERITY_LABELS.get(finding["severity"], finding["severity"]),
                "is_high": finding["severity"] == HIGH,
                "form": form,
            }
        )
    return rows


class TemplateListView(TemplateKeeperRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """The items whose model contracts the user keeps, with the version in force and the
    versions waiting; regulators can keep to the items waiting for their approval."""

    template_name = "contracts/admin/list.html"
    page_title = _("Model contracts")
    header_icon = "doc-full"

    def get_breadcrumbs_items(self):
        return [*_list_crumbs()[:1], {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        regulator = allowed("accounts.regulate", user)
        waiting_only = regulator and self.request.GET.get("waiting") == "1"
        page = Paginator(
            template_item_list(user=user, waiting_only=waiting_only), LIST_PAGE_SIZE
        ).get_page(self.request.GET.get("p"))
        context.update(
            regulator=regulator,
            waiting_only=waiting_only,
            waiting_total=(
                template_item_list(user=user, waiting_only=True).count() if regulator else None
            ),
            page_obj=page,
            elided_page_range=page.paginator.get_elided_page_range(page.number),
            rows=[
                {
                    "item": item,
                    "latest_status": Status(item.latest_status).label if item.latest_status else "",
                }
                for item in page.object_list
            ],
        )
        return context


class TemplateItemView(TemplateKeeperRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """One item's model contract: its versions, and the form that writes the next one,
    beside the variables it may use. Preview fills the text in with the sample facts and
    saves nothing; Save keeps a new draft, checked for unfair clauses."""

    template_name = "contracts/admin/item.html"
    header_icon = "doc-full"

    def get_page_title(self):
        return str(self.service_item)

    def get_page_subtitle(self):
        return _("Model contract")

    def get_breadcrumbs_items(self):
        return [*_list_crumbs(), {"url": "", "label": str(self.service_item)}]

    def get_initial_form(self, versions: list[ContractTemplateVersion]) -> TemplateVersionForm:
        # The next version usually mends the last one, so it starts from its text.
        latest = versions[0] if versions else None
        return TemplateVersionForm(
            service_item=self.service_item,
            initial={
                "body": latest.body if latest else "",
                "signing_order": latest.signing_order
                if latest
                else ContractTemplateVersion.SigningOrder.AGENCY_FIRST,
            },
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        versions = list(template_version_list(service_item=self.service_item))
        context.setdefault("form", self.get_initial_form(versions))
        context.update(
            service_item=self.service_item,
            versions=versions,
            in_force=next((v for v in versions if v.status == Status.APPROVED), None),
            variables=[(f"{{{{ {name} }}}}", label) for name, label in VARIABLES.items()],
        )
        return context

    def post(self, request, *args, **kwargs):
        form = TemplateVersionForm(request.POST, service_item=self.service_item)
        valid = form.is_valid()
        if "preview" in request.POST:
            # Writes nothing: the text is filled in while the form is checked.
            preview = html.unescape(form.preview) if form.preview is not None else None
            return self.render_to_response(self.get_context_data(form=form, preview=preview))
        if valid:
            try:
                version = template_version_write(
                    actor=request.user,
                    service_item=self.service_item,
                    body=form.cleaned_data["body"],
                    signing_order=form.cleaned_data["signing_order"],
                )
            except ApplicationError as error:
                apply_application_error(form, error)
            else:
                messages.success(
                    request,
                    _("Version %(number)d is saved as a draft.") % {"number": version.number},
                )
                return HttpResponseRedirect(_version_url(version))
        return self.render_to_response(self.get_context_data(form=form))


class TemplateVersionView(TemplateKeeperRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """One version: the text with the sample facts, the checker's findings with their
    answers, and what may be done with it now."""

    template_name = "contracts/admin/version.html"
    header_icon = "doc-full"

    def get_page_title(self):
        return str(self.service_item)

    def get_page_subtitle(self):
        return _version_label(self.version)

    def get_breadcrumbs_items(self):
        return [
            *_version_crumbs(self.version)[:-1],
            {"url": "", "label": _version_label(self.version)},
        ]

    def get_context_data(self, bound: FindingAnswerForm | None = None, **kwargs):
        context = super().get_context_data(**kwargs)
        version = self.version
        keeper = allowed("contracts.keep_template", self.request.user, self.service_item)
        answerable = keeper and version.status in UNDECIDED
        text, text_error = _shown_text(self.service_item, version.body)
        context.update(
            service_item=self.service_item,
            version=version,
            text=text,
            text_error=text_error,
            findings=_findings(version, answerable=answerable, bound=bound),
            unanswered_high=len(version.unanswered_high),
            may_submit=keeper and version.status == Status.DRAFT,
            may_decide=allowed("accounts.regulate", self.request.user)
            and version.status == Status.SUBMITTED,
        )
        return context

    def post(self, request, *args, **kwargs):
        """Answer one finding."""
        form = FindingAnswerForm(request.POST)
        form.is_valid()
        index = form.cleaned_data.get("index")
        try:
            template_finding_answer(
                actor=request.user,
                version=self.version,
                index=-1 if index is None else index,
                answer=form.cleaned_data.get("answer", ""),
            )
        except ApplicationError as error:
            if index is None or error.code in ("already_decided", "no_such_finding"):
                messages.error(request, error.message)
                return HttpResponseRedirect(_version_url(self.version))
            form.auto_id = f"id_finding{index}_%s"
            apply_application_error(form, error)
            return self.render_to_response(self.get_context_data(bound=form))
        messages.success(
            request, _("The answer to finding %(number)d is saved.") % {"number": index + 1}
        )
        return HttpResponseRedirect(f"{_version_url(self.version)}#finding-{index + 1}")


class TemplateVersionSubmitView(TemplateKeeperRequiredMixin, View):
    """Send a draft to the regulators for approval."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            template_version_submit(actor=request.user, version=self.version)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Version %(number)d is submitted for approval.")
                % {"number": self.version.number},
            )
        return HttpResponseRedirect(_version_url(self.version))


class TemplateVersionDecideView(
    RegulatorRequiredMixin,
    TemplateKeeperRequiredMixin,
    ServiceActionMixin,
    WagtailAdminTemplateMixin,
    FormView,
):
    """The regulator confirms an approval or a refusal (with its note) of a submitted
    version; a version with an unanswered finding of high severity is not approved."""

    template_name = "contracts/admin/decide.html"
    form_class = TemplateDecisionForm
    header_icon = "doc-full"
    approved = True

    def get_action_label(self):
        return _("Approve") if self.approved else _("Refuse")

    def get_page_title(self):
        return f"{self.get_action_label()}: {self.service_item} · {_version_label(self.version)}"

    def get_breadcrumbs_items(self):
        return [*_version_crumbs(self.version), {"url": "", "label": self.get_action_label()}]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "approved": self.approved}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        text, text_error = _shown_text(self.service_item, self.version.body)
        context.update(
            service_item=self.service_item,
            version=self.version,
            approved=self.approved,
            action_label=self.get_action_label(),
            decidable=self.version.status == Status.SUBMITTED,
            text=text,
            text_error=text_error,
            findings=_findings(self.version, answerable=False),
            unanswered_high=len(self.version.unanswered_high),
        )
        return context

    def act(self, data):
        template_version_decide(
            actor=self.request.user, version=self.version, approved=self.approved, note=data["note"]
        )

    def get_done_message(self):
        message = (
            _("Version %(number)d is approved.")
            if self.approved
            else _("Version %(number)d is refused; the department sees your note.")
        )
        return message % {"number": self.version.number}

    def get_success_url(self):
        return _version_url(self.version)
