"""Where people find the credit system: a complaint link on an agency's page and on a
notice, the agency's credit links in its workspace, and the regulator's credit queues with
their counts in the regulator's workspace."""

import datetime

import pytest
from django.utils import timezone

from agencies.models import Practitioner
from agencies.services.practitioners import practitioner_add
from contracts.models import Contract
from credit.models import Violation
from credit.services.blacklist import blacklist_add
from credit.services.violations import violation_record
from tests.accounts.factories import UserFactory
from tests.agencies.factories import AgencyFactory
from tests.contracts.factories import ContractFactory, admin_of
from tests.credit.test_complaints import complain
from tests.credit.test_ratings import GOOD, rate

pytestmark = pytest.mark.django_db


def test_r12_an_agencys_page_links_to_a_complaint_about_it(client):
    agency = AgencyFactory()
    page = client.get(f"/agencies/{agency.pk}/").content.decode()
    url = f"/credit/complaints/new/?agency={agency.pk}"
    assert f'href="{url}"' in page
    assert client.get(url).status_code == 200


def test_r11_r12_the_regulators_workspace_counts_what_waits_in_the_credit_queues(
    client, regulator_user
):
    contract = ContractFactory(status=Contract.Status.ACCEPTED, used_workdays=5)
    rate(contract, scores={**GOOD, "fees": 1}, reason="另收费用")
    complain()
    complain()
    client.force_login(regulator_user)
    page = client.get("/accounts/workspace/")
    queues = page.context["credit_queues"]
    assert (queues.poor_ratings, queues.complaints_open, queues.appeals, queues.repairs) == (
        1,
        2,
        0,
        0,
    )
    html = page.content.decode()
    assert 'href="/admin/poor-ratings/"' in html and 'href="/admin/complaints/"' in html


def test_r11_an_agencys_workspace_links_to_its_credit_and_violations(client):
    agency = AgencyFactory()
    client.force_login(UserFactory(organisation=agency.organisation))
    html = client.get("/accounts/workspace/").content.decode()
    assert f'href="/agencies/{agency.pk}/credit/"' in html
    assert 'href="/credit/violations/"' in html


def test_r11_a_barred_agency_reads_why_in_its_workspace(client, regulator_user):
    listed, joined = AgencyFactory(), AgencyFactory()
    manager = practitioner_add(
        actor=admin_of(listed.organisation),
        agency=listed,
        name="钱永福",
        id_number="510103197604123316",
        role=Practitioner.Role.SENIOR_MANAGER,
    )
    violation = violation_record(
        actor=regulator_user,
        agency=listed,
        kind=Violation.Kind.FALSE_REPORT,
        severity=Violation.Severity.GRAVE,
        facts="检测数据造假",
        evidence="比对表",
        legal_basis="彭山区行动方案附件4（十一）",
        authority=regulator_user.organisation,
        occurred_on=timezone.localdate(),
    )
    blacklist_add(
        actor=regulator_user,
        violation=violation,
        reason="出具虚假报告",
        authority=regulator_user.organisation,
        legal_basis="彭山区行动方案附件4（十一）",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=365),
        persons=[manager],
    )
    practitioner_add(
        actor=admin_of(joined.organisation),
        agency=joined,
        name="钱永福",
        id_number="510103197604123316",
        role=Practitioner.Role.SENIOR_MANAGER,
    )
    client.force_login(admin_of(joined.organisation))
    page = client.get("/accounts/workspace/")
    assert len(page.context["bar_reasons"]) == 1
    assert "钱永福" in page.content.decode() and "3316" in page.content.decode()
