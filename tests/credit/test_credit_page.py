"""The agency's credit page and credit report (R11): public like its roster page, showing each
record the score was made from, in a fixed number of queries, writing nothing; the PDF report
only for the agency's own members and regulators."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from agencies.models import Agency
from credit.models import CreditRecord, Inspection
from credit.services.scoring import credit_recompute
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.agencies.factories import AgencyFactory
from tests.credit.test_scoring import NOW, _inspection, _owner, _rating, _violation
from tests.programs import run_program

pytestmark = pytest.mark.django_db


def _page(agency):
    return reverse("agency_credit:page", args=[agency.pk])


def _report(agency):
    return reverse("agency_credit:report", args=[agency.pk])


@pytest.fixture
def rated_agency():
    agency = AgencyFactory(organisation__name="四川信用示例咨询有限公司")
    _rating(agency, "owner", _owner(5, 4, 5, 4, 5))
    _rating(agency, "department", {"quality": 4, "timeliness": 4})
    _inspection(agency, Inspection.Result.CORRECTED)
    _violation(agency, severity="ordinary")
    credit_recompute(agency_ids=[agency.pk], now=NOW)
    credit_recompute(
        agency_ids=[agency.pk], now=NOW + datetime.timedelta(days=1)
    )  # unchanged: no second record
    _inspection(agency, Inspection.Result.PASSED)
    credit_recompute(agency_ids=[agency.pk], now=NOW + datetime.timedelta(days=2))
    return agency


def test_r11_the_credit_page_shows_every_input_and_the_sum(client, rated_agency):
    record = CreditRecord.objects.filter(agency=rated_agency).latest("computed_at")

    response = client.get(_page(rated_agency))

    assert response.status_code == 200
    html = response.content.decode()
    inputs = record.breakdown["inputs"]
    assert len(inputs["owner_ratings"]) == 1 and len(inputs["inspections"]) == 2
    for rating in rated_agency.ratings.select_related("contract"):
        assert rating.contract.number in html
    assert "档案齐全" in html  # the inspections' findings
    assert "《中介超市管理办法》第二十条" in html  # the violation's legal basis
    assert str(record.score) in html and record.breakdown["weighted"] in html
    assert "<svg" in html and "<polyline" in html  # two records: a chart
    assert html.count('class="credit-history"') == 1


def test_r11_the_credit_page_costs_the_same_queries_however_many_inputs(client):
    def queries(ratings: int) -> int:
        agency = AgencyFactory()
        for _ in range(ratings):
            _rating(agency, "owner", _owner(4, 4, 4, 4, 4))
            _inspection(agency, Inspection.Result.PASSED)
            _violation(agency)
        credit_recompute(agency_ids=[agency.pk], now=NOW)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_page(agency)).status_code == 200
        return len(captured)

    assert queries(1) == queries(6)


def test_r11_a_get_writes_nothing(client, rated_agency):
    with CaptureQueriesContext(connection) as captured:
        client.get(_page(rated_agency))

    writes = [q["sql"] for q in captured if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert not [sql for sql in writes if "credit_" in sql or "agencies_agency" in sql]


def test_r11_before_the_first_computation_the_page_says_so(client):
    agency = AgencyFactory()

    response = client.get(_page(agency))

    assert response.status_code == 200
    assert response.context["statement"].record is None
    assert response.context["statement"].grade == agency.credit_grade
    assert not CreditRecord.objects.exists()


def test_r11_an_agency_not_on_the_public_roster_has_no_credit_page(client):
    pending = AgencyFactory(status=Agency.Status.PENDING)

    assert client.get(_page(pending)).status_code == 404
    assert client.get(_report(pending)).status_code == 404


def test_r11_the_agency_page_shows_the_grade_and_links_the_credit_page(client):
    agency = AgencyFactory()

    html = client.get(reverse("agencies:detail", args=[agency.pk])).content.decode()

    assert _page(agency) in html


def test_r11_the_credit_report_is_a_pdf_for_the_agencys_members(client, rated_agency, tmp_path):
    client.force_login(UserFactory(organisation=rated_agency.organisation))

    page = client.get(_page(rated_agency))
    response = client.get(_report(rated_agency))

    assert _report(rated_agency) in page.content.decode()
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    text = run_program("pdftotext", str(pdf), "-").stdout
    assert "四川信用示例咨询有限公司" in text
    assert "《中介超市管理办法》" in text and "第二十条" in text  # a table cell wraps


def test_r11_regulators_read_the_credit_report(client, rated_agency):
    client.force_login(UserFactory(organisation=OrganisationFactory(kind=Role.REGULATOR)))

    assert client.get(_report(rated_agency)).content.startswith(b"%PDF")


def test_r11_no_one_else_gets_the_credit_report(client, rated_agency):
    anonymous = client.get(_report(rated_agency))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]

    for kind in (Role.AGENCY, Role.PROJECT_OWNER, Role.APPROVAL_DEPARTMENT):
        client.force_login(UserFactory(organisation=OrganisationFactory(kind=kind)))
        assert client.get(_report(rated_agency)).status_code == 403
        assert _report(rated_agency) not in client.get(_page(rated_agency)).content.decode()
