"""Inspections (双随机、一公开, R11): only regulators record them, every problem is reported at
once and nothing half-saved, and the result is public and counts in the score."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from credit.models import CreditRecord, Inspection
from credit.services.inspections import inspection_record
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.agencies.factories import AgencyFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def regulator():
    return UserFactory(organisation=OrganisationFactory(kind=Role.REGULATOR))


def record(actor, agency, **changes):
    return inspection_record(
        **{
            "actor": actor,
            "agency": agency,
            "inspected_on": timezone.localdate(),
            "authority": actor.organisation,
            "result": Inspection.Result.PASSED,
            "findings": "执业记录完整",
            **changes,
        }
    )


def test_r11_a_regulator_records_an_inspection(regulator):
    agency = AgencyFactory()

    inspection = record(regulator, agency, result=Inspection.Result.CORRECTED)

    assert (inspection.agency, inspection.result, inspection.recorded_by) == (
        agency,
        "corrected",
        regulator,
    )


def test_r11_only_regulators_record_inspections():
    agency = AgencyFactory()
    for kind, code in (
        (Role.AGENCY, "not_regulator"),
        (Role.PROJECT_OWNER, "not_regulator"),
        (Role.APPROVAL_DEPARTMENT, "approval_department_may_not_review"),
    ):
        user = UserFactory(organisation=OrganisationFactory(kind=kind))
        with refused(code):
            record(user, agency, authority=OrganisationFactory(kind=Role.REGULATOR))
    assert not Inspection.objects.exists()


def test_r11_every_problem_is_reported_at_once_and_nothing_saved(regulator):
    with refused("inspection_invalid") as caught:
        record(
            regulator,
            AgencyFactory(),
            inspected_on=timezone.localdate() + datetime.timedelta(days=1),
            authority=OrganisationFactory(kind=Role.AGENCY),
            result="excellent",
            findings="  ",
        )

    assert set(caught.value.extra) == {"inspected_on", "authority", "result", "findings"}
    assert not Inspection.objects.exists()


def test_r11_the_back_office_records_and_lists_inspections(
    client, regulator, django_capture_on_commit_callbacks
):
    agency = AgencyFactory()
    client.force_login(regulator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("credit_inspections:new"),
            {
                "credit_code": agency.organisation.credit_code,
                "inspected_on": timezone.localdate().isoformat(),
                "authority": regulator.organisation_id,
                "result": "failed",
                "findings": "未按规定公示收费标准",
            },
        )

    assert response.status_code == 302
    assert Inspection.objects.get().result == "failed"
    listing = client.get(reverse("credit_inspections:list")).content.decode()
    assert "未按规定公示收费标准" in listing
    assert CreditRecord.objects.filter(agency=agency).exists()  # recomputed on the change


def test_r11_the_form_keeps_what_was_typed_and_shows_every_error(client, regulator):
    agency = AgencyFactory()
    client.force_login(regulator)

    response = client.post(
        reverse("credit_inspections:new"),
        {
            "credit_code": agency.organisation.credit_code,
            "inspected_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
            "authority": regulator.organisation_id,
            "result": "",
            "findings": "",
        },
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"inspected_on", "result", "findings"}
    assert not Inspection.objects.exists()


def test_r11_others_do_not_reach_the_inspection_pages(client):
    client.force_login(UserFactory(organisation=OrganisationFactory(kind=Role.AGENCY)))

    assert client.get(reverse("credit_inspections:list")).status_code in (302, 403)
    assert client.get(reverse("credit_inspections:new")).status_code in (302, 403)
