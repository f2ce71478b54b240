"""Where people find the credit system: a complaint link on an agency's page and on a
notice, the agency's credit links in its workspace, and the regulator's credit queues with
their counts in the regulator's workspace."""

import pytest

from contracts.models import Contract
from tests.accounts.factories import UserFactory
from tests.agencies.factories import AgencyFactory
from tests.contracts.factories import ContractFactory
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
