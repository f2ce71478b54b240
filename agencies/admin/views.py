"""The regulators' back office for the roster (Wagtail admin): the review queue, the review
page of one agency with its status actions, and the staff-register import.

Only regulators (and platform administrators) get here. Wagtail's admin already demands
`wagtailadmin.access_admin`; these views also check the role, and the services check it
again, so an approval department never reviews, chooses or recommends an agency (R4)."""

import datetime

from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from accounts.mixins import RegulatorRequiredMixin
from agencies.admin.forms import (
    ApproveForm,
    CertificateRefuseForm,
    CertificateRegisterUploadForm,
    CertificateVerifyForm,
    ReasonForm,
    RejectForm,
    StaffRegisterUploadForm,
    TieEndForm,
    TieRecordForm,
)
from agencies.models import Affiliation, Agency, Qualification, StaffRegisterEntry
from agencies.selectors import qualifications_to_verify
from agencies.services import status as status_services
from agencies.services.affiliations import affiliation_end, affiliation_record
from agencies.services.certificate_register import (
    RegisterEntry,
    certificate_register_apply,
    certificate_register_plan,
    certificate_register_read,
)
from agencies.services.qualifications import qualification_refuse, qualification_verify
from agencies.services.review import (
    ReviewCountdown,
    agencies_for_review,
    agency_review_file,
    review_countdowns,
)
from agencies.services.staff_register import (
    StaffRegisterRow,
    staff_register_import,
    staff_register_read,
)
from catalogue.models import QualificationType
from core.exceptions import ApplicationError
from core.forms import ServiceActionMixin
from core.workdays import workdays_between

QUEUE_PAGE_SIZE = 20
STAFF_REGISTER_SESSION_KEY = "agencies:staff-register-import"
CERTIFICATE_REGISTER_SESSION_KEY = "agencies:certificate-register-import"


def _queue_breadcrumbs():
    return [
        {"url": reverse("wagtailadmin_home"), "label": _("Home")},
        {"url": reverse("agency_review:queue"), "label": _("Agency review")},
    ]


class ReviewQueueView(RegulatorRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """Pending agencies, oldest submission first, with the working days left to review them;
    the other statuses are a tab away (for suspending, reinstating or removing agencies)."""

    template_name = "agencies/review/queue.html"
    page_title = _("Agency review")
    header_icon = "group"

    def get_breadcrumbs_items(self):
        return [*_queue_breadcrumbs()[:1], {"url": "", "label": self.page_title}]

    def get_status(self) -> str:
        status = self.request.GET.get("status", Agency.Status.PENDING)
        return status if status in Agency.Status.values else Agency.Status.PENDING

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.get_status()
        page = Paginator(agencies_for_review(status=status), QUEUE_PAGE_SIZE).get_page(
            self.request.GET.get("p")
        )
        agencies = list(page.object_list)
        countdowns = review_countdowns(agencies) if status == Agency.Status.PENDING else {}
        context.update(
            status=status,
            tabs=[(value, label) for value, label in Agency.Status.choices],
            page_obj=page,
            elided_page_range=page.paginator.get_elided_page_range(page.number),
            rows=[(agency, countdowns.get(agency.pk)) for agency in agencies],
        )
        return context


class AgencyReviewView(RegulatorRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """Everything a reviewer needs about one agency, and the actions its status allows."""

    template_name = "agencies/review/agency_detail.html"
    header_icon = "group"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        try:
            self.review_file = agency_review_file(pk=kwargs["pk"])
        except Agency.DoesNotExist as exc:
            raise Http404 from exc

    def get_page_title(self):
        return str(self.review_file.agency)

    def get_breadcrumbs_items(self):
        return [*_queue_breadcrumbs(), {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agency = self.review_file.agency
        context.update(
            review=self.review_file,
            agency=agency,
            actions=[
                (name, action["label"])
                for name, action in ACTIONS.items()
                if agency.status in action["from"]
            ],
        )
        return context


ACTIONS = {
    "approve": {
        "label": _("Approve"),
        "target": Agency.Status.ACTIVE,
        "from": {Agency.Status.PENDING},
        "form": ApproveForm,
        "service": status_services.agency_approve,
        "done": _("%(agency)s is now on the roster."),
    },
    "reject": {
        "label": _("Return for correction"),
        "target": Agency.Status.REJECTED,
        "from": {Agency.Status.PENDING},
        "form": RejectForm,
        "service": status_services.agency_reject,
        "done": _("%(agency)s was returned for correction."),
    },
    "suspend": {
        "label": _("Suspend"),
        "target": Agency.Status.SUSPENDED,
        "from": {Agency.Status.ACTIVE},
        "form": ReasonForm,
        "service": status_services.agency_suspend,
        "done": _("%(agency)s is suspended."),
    },
    "reinstate": {
        "label": _("Reinstate"),
        "target": Agency.Status.ACTIVE,
        "from": {Agency.Status.SUSPENDED},
        "form": ReasonForm,
        "service": status_services.agency_reinstate,
        "done": _("%(agency)s is active again."),
    },
    "exit": {
        "label": _("Remove from the roster"),
        "target": Agency.Status.EXITED,
        "from": {Agency.Status.ACTIVE, Agency.Status.SUSPENDED},
        "form": ReasonForm,
        "service": status_services.agency_exit,
        "done": _("%(agency)s was removed from the roster."),
    },
}


class AgencyActionView(
    RegulatorRequiredMixin, ServiceActionMixin, WagtailAdminTemplateMixin, FormView
):
    """Confirm one status action on one agency, with the reason or the cited qualifications
    its service asks for."""

    template_name = "agencies/review/action.html"
    header_icon = "group"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if kwargs["action"] not in ACTIONS:
            raise Http404
        self.action = ACTIONS[kwargs["action"]]
        try:
            self.review_file = agency_review_file(pk=kwargs["pk"])
        except Agency.DoesNotExist as exc:
            raise Http404 from exc
        self.agency = self.review_file.agency

    def get_form_class(self):
        return self.action["form"]

    def get_page_title(self):
        return f"{self.action['label']}: {self.agency}"

    def get_breadcrumbs_items(self):
        return [
            *_queue_breadcrumbs(),
            {
                "url": reverse("agency_review:agency", args=[self.agency.pk]),
                "label": str(self.agency),
            },
            {"url": "", "label": self.action["label"]},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            review=self.review_file,
            agency=self.agency,
            action_label=self.action["label"],
            action_allowed=self.agency.status in self.action["from"],
            # R4 blocks activation; the reviewer sees why the button is not there.
            activation_blocked=self.action["target"] == Agency.Status.ACTIVE
            and bool(self.review_file.conflicts),
        )
        return context

    def act(self, data):
        data = {key: value for key, value in data.items() if key != "confirm"}
        if "cited_qualification_types" in data:
            data["cited_qualification_types"] = list(data["cited_qualification_types"])
        self.action["service"](agency=self.agency, actor=self.request.user, **data)

    def get_done_message(self):
        return self.action["done"] % {"agency": self.agency}

    def get_success_url(self):
        return reverse("agency_review:agency", args=[self.agency.pk])


class StaffRegisterImportView(RegulatorRequiredMixin, WagtailAdminTemplateMixin, FormView):
    """Upload the register, see what it will change, then confirm. Between the two steps only
    the hashes are kept (in the session); the ID numbers are never stored or shown."""

    template_name = "agencies/review/staff_register_import.html"
    form_class = StaffRegisterUploadForm
    page_title = _("Register of serving government staff")
    header_icon = "doc-full"

    def get_breadcrumbs_items(self):
        return [*_queue_breadcrumbs()[:1], {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("entry_count", StaffRegisterEntry.objects.count())
        return context

    def post(self, request, *args, **kwargs):
        if "confirm" in request.POST:
            return self.confirm()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            rows = staff_register_read(actor=self.request.user, upload=form.cleaned_data["file"])
        except ApplicationError as error:
            form.add_error("file", error.message)
            return self.render_to_response(
                self.get_context_data(form=form, row_errors=error.extra.get("rows", []))
            )
        replace = form.cleaned_data["replace"]
        hashes = [row.id_number_hash for row in rows]
        known = StaffRegisterEntry.objects.filter(id_number_hash__in=hashes).count()
        total = StaffRegisterEntry.objects.count()
        self.request.session[STAFF_REGISTER_SESSION_KEY] = {
            "rows": [[row.number, row.id_number_hash, row.department_name] for row in rows],
            "replace": replace,
        }
        departments: dict[str, int] = {}
        for row in rows:
            departments[row.department_name] = departments.get(row.department_name, 0) + 1
        return self.render_to_response(
            self.get_context_data(
                form=form,
                preview={
                    "rows": len(rows),
                    "new": len(rows) - known,
                    "known": known,
                    "removed": total - known if replace else 0,
                    "replace": replace,
                    "departments": sorted(departments.items()),
                },
            )
        )

    def confirm(self):
        pending = self.request.session.pop(STAFF_REGISTER_SESSION_KEY, None)
        if not pending:
            messages.error(self.request, _("Upload the register again; the preview has expired."))
            return HttpResponseRedirect(reverse("agency_review:staff_register"))
        rows = [
            StaffRegisterRow(number=number, id_number_hash=hashed, department_name=department)
            for number, hashed, department in pending["rows"]
        ]
        try:
            result = staff_register_import(
                actor=self.request.user, rows=rows, replace=pending["replace"]
            )
        except ApplicationError as error:
            messages.error(self.request, error.message)
        else:
            messages.success(
                self.request,
                _(
                    "The register was imported: %(created)d added, %(updated)d changed, "
                    "%(removed)d removed."
                )
                % {"created": result.created, "updated": result.updated, "removed": result.removed},
            )
        return HttpResponseRedirect(reverse("agency_review:staff_register"))


class TieView(RegulatorRequiredMixin, ServiceActionMixin, WagtailAdminTemplateMixin, FormView):
    """Record a tie a regulator found, or end one (R4): the agency cannot end its own."""

    template_name = "agencies/review/tie.html"
    header_icon = "group"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.agency = get_object_or_404(
            Agency.objects.select_related("organisation"), pk=kwargs["pk"]
        )

    def get_breadcrumbs_items(self):
        return [
            *_queue_breadcrumbs(),
            {
                "url": reverse("agency_review:agency", args=[self.agency.pk]),
                "label": str(self.agency),
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(agency=self.agency, **kwargs)

    def get_done_message(self):
        return self.done

    def get_success_url(self):
        return reverse("agency_review:agency", args=[self.agency.pk])


class TieRecordView(TieView):
    form_class = TieRecordForm
    page_title = _("Record a tie")
    done = _("The tie is recorded; the department's items have left the agency's scope.")

    def act(self, data):
        affiliation_record(actor=self.request.user, agency=self.agency, **data)


class TieEndView(TieView):
    form_class = TieEndForm
    page_title = _("End a tie")
    done = _("The tie has ended; it stays on the agency's public record.")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.affiliation = get_object_or_404(Affiliation, pk=kwargs["tie"], agency=self.agency)

    def get_context_data(self, **kwargs):
        return super().get_context_data(affiliation=self.affiliation, **kwargs)

    def act(self, data):
        affiliation_end(actor=self.request.user, affiliation=self.affiliation, **data)


class CertificateQueueView(RegulatorRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """Certificates agencies added or changed, waiting for a regulator: nothing counts
    towards an agency's scope until it is verified (R3)."""

    template_name = "agencies/review/certificates.html"
    page_title = _("Certificates to verify")
    header_icon = "tick-inverse"

    def get_breadcrumbs_items(self):
        return [*_queue_breadcrumbs()[:1], {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(qualifications_to_verify(), QUEUE_PAGE_SIZE).get_page(
            self.request.GET.get("p")
        )
        today = timezone.localdate()
        rows = []
        for certificate in page.object_list:
            due = certificate.verification_due
            between = workdays_between(today, due) if due else 0
            countdown = (
                ReviewCountdown(due=due, days_left=max(between, 0), days_overdue=max(-between, 0))
                if due
                else None
            )
            rows.append((certificate, countdown))
        context.update(page_obj=page, rows=rows)
        return context


class CertificateRegisterImportView(RegulatorRequiredMixin, WagtailAdminTemplateMixin, FormView):
    """Verify certificates in bulk against an issuing authority's register: upload it, see
    what it will verify, correct and refuse, then confirm (agencies/services/
    certificate_register.py)."""

    template_name = "agencies/review/certificate_register_import.html"
    form_class = CertificateRegisterUploadForm
    page_title = _("Verify against an issuing authority's register")
    header_icon = "doc-full"

    def get_breadcrumbs_items(self):
        return [
            *_queue_breadcrumbs()[:1],
            {"url": reverse("agency_review:certificates"), "label": _("Certificates to verify")},
            {"url": "", "label": self.page_title},
        ]

    def post(self, request, *args, **kwargs):
        if "confirm" in request.POST:
            return self.confirm()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            entries = certificate_register_read(
                actor=self.request.user, upload=form.cleaned_data["file"]
            )
        except ApplicationError as error:
            form.add_error("file", error.message)
            return self.render_to_response(
                self.get_context_data(form=form, row_errors=error.extra.get("rows", []))
            )
        qualification_type, source = (
            form.cleaned_data["qualification_type"],
            form.cleaned_data["source"],
        )
        self.request.session[CERTIFICATE_REGISTER_SESSION_KEY] = {
            "qualification_type": qualification_type.pk,
            "source": source,
            "entries": [
                [e.row, e.number, e.credit_code, e.grade, e.valid_to.isoformat(), e.in_force]
                for e in entries
            ],
        }
        plan = certificate_register_plan(
            qualification_type=qualification_type, entries=entries, source=source
        )
        return self.render_to_response(
            self.get_context_data(
                form=form, plan=plan, rows=len(entries), qualification_type=qualification_type
            )
        )

    def confirm(self):
        pending = self.request.session.pop(CERTIFICATE_REGISTER_SESSION_KEY, None)
        if not pending:
            messages.error(self.request, _("Upload the register again; the preview has expired."))
            return HttpResponseRedirect(reverse("agency_review:certificate_register"))
        entries = [
            RegisterEntry(
                row=row,
                number=number,
                credit_code=credit_code,
                grade=grade,
                valid_to=datetime.date.fromisoformat(valid_to),
                in_force=in_force,
            )
            for row, number, credit_code, grade, valid_to, in_force in pending["entries"]
        ]
        try:
            outcomes = certificate_register_apply(
                actor=self.request.user,
                qualification_type=get_object_or_404(
                    QualificationType, pk=pending["qualification_type"]
                ),
                entries=entries,
                source=pending["source"],
            )
        except ApplicationError as error:
            messages.error(self.request, error.message)
            return HttpResponseRedirect(reverse("agency_review:certificate_register"))
        verified = sum(outcome.verify for outcome in outcomes)
        messages.success(
            self.request,
            _("The register was applied: %(verified)d certificates match it, %(refused)d do not.")
            % {"verified": verified, "refused": len(outcomes) - verified},
        )
        return HttpResponseRedirect(reverse("agency_review:certificates"))


class CertificateActionView(
    RegulatorRequiredMixin, ServiceActionMixin, WagtailAdminTemplateMixin, FormView
):
    template_name = "agencies/review/certificate_action.html"
    header_icon = "tick-inverse"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.certificate = get_object_or_404(
            Qualification.objects.select_related("agency__organisation", "qualification_type"),
            pk=kwargs["pk"],
        )

    def get_breadcrumbs_items(self):
        return [
            *_queue_breadcrumbs()[:1],
            {"url": reverse("agency_review:certificates"), "label": _("Certificates to verify")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(certificate=self.certificate, **kwargs)

    def get_done_message(self):
        return self.done % {"certificate": self.certificate}

    def get_success_url(self):
        return reverse("agency_review:certificates")


class CertificateVerifyView(CertificateActionView):
    form_class = CertificateVerifyForm
    page_title = _("Verify the certificate")
    done = _("%(certificate)s is verified and counts towards the agency's scope.")

    def act(self, data):
        qualification_verify(actor=self.request.user, qualification=self.certificate, **data)


class CertificateRefuseView(CertificateActionView):
    form_class = CertificateRefuseForm
    page_title = _("Do not verify the certificate")
    done = _("%(certificate)s is not verified; the reason is on the agency's record.")

    def act(self, data):
        qualification_refuse(actor=self.request.user, qualification=self.certificate, **data)
