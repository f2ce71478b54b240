"""An agency's credit page (public, like its roster page) and its credit report as a PDF (for
the agency's own members and regulators). Both read the latest CreditRecord and never
recompute: a GET writes nothing."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.permissions import allowed
from agencies.models import Agency
from credit.report import credit_report_pdf
from credit.score_selectors import credit_page_agency, credit_statement, history_chart


def _agency(pk: int) -> Agency:
    try:
        return credit_page_agency(pk=pk)
    except Agency.DoesNotExist:
        raise Http404 from None


def may_download_report(user, agency: Agency) -> bool:
    """The report is the agency's to hand to others, and regulators read it: the same readers
    as the agency's own documents."""
    return allowed("agencies.view_documents", user, agency)


def credit_page(request: HttpRequest, pk: int) -> HttpResponse:
    agency = _agency(pk)
    statement = credit_statement(agency=agency)
    return render(
        request,
        "credit/score/page.html",
        {
            "agency": agency,
            "statement": statement,
            "chart": history_chart(statement.history),
            "may_download": may_download_report(request.user, agency),
        },
    )


def credit_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The credit report (信用报告) as a PDF. Anyone else signed in is refused (403): the page
    itself is public, so the report's existence is no secret."""
    agency = _agency(pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not may_download_report(request.user, agency):
        raise PermissionDenied
    now = timezone.now()
    pdf = credit_report_pdf(statement=credit_statement(agency=agency), made_at=now)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"credit-report-{agency.pk}-{timezone.localdate(now):%Y%m%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
