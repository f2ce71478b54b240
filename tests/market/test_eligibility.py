"""One eligibility rule, asked at every decision (R3, R4): invitation, quote submission and
revision, any change to the agency, and the deadline, where the quotes that count are fixed."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from agencies.models import Affiliation, StaffRegisterEntry
from agencies.services import (
    affiliation_add,
    affiliation_end,
    affiliation_record,
    agency_scope_recompute,
    practitioner_add,
)
from agencies.services.expiry import qualifications_expire
from core.identity import id_number_hash
from market.models import PurchaseRequest, Quote
from market.services.clock import purchase_requests_advance_due
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.agencies.factories import QualificationFactory
from tests.agencies.test_staff_register import make_id_number
from tests.catalogue.factories import QualificationRequirementFactory
from tests.market.scenario import NOW, Market, sweeps_after_deadline
from tests.refusals import refused

pytestmark = pytest.mark.django_db
Status = PurchaseRequest.Status


@pytest.fixture
def market():
    return Market()


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def test_r4_a_tie_declared_after_quoting_invalidates_the_quote_at_once_and_at_the_deadline(
    market, clock, django_capture_on_commit_callbacks
):
    # Given a state-funded random draw (it needs three valid quotes) with three quotes,
    purchase_request = market.published()
    for index in range(3):
        market.quote(purchase_request, index, str(90000 + index))
    mail.outbox.clear()
    # when one agency declares a tie to the department that approves the item,
    with django_capture_on_commit_callbacks(execute=True):
        affiliation_add(
            actor=market.admins[0],
            agency=market.agencies[0],
            kind=Affiliation.Kind.SUPERVISING_DEPARTMENT,
            department=market.item.approval_department,
        )
    # its quote stops counting at once, with the reason, and the agency is told;
    quote = Quote.objects.get(purchase_request=purchase_request, agency=market.agencies[0])
    assert (
        not quote.valid and "审批" in quote.invalid_reason
    ) or "approves" in quote.invalid_reason
    assert [message.to for message in mail.outbox] == [[market.admins[0].email]]
    # it cannot revise it either,
    with refused("not_eligible"):
        market.quote(purchase_request, 0, "88000")
    # and at the deadline only two quotes count: the draw fails (流标) instead of going on.
    clock.move_to(purchase_request.quote_deadline + datetime.timedelta(minutes=1))
    purchase_requests_advance_due()
    purchase_request.refresh_from_db()
    assert purchase_request.status == Status.FAILED
    assert purchase_request.quotes.filter(valid=True).count() == 2


def test_r4_a_registered_official_joining_after_approval_makes_the_agency_ineligible(
    market, clock, django_capture_on_commit_callbacks
):
    purchase_request = market.published()
    market.quote(purchase_request, 1, "90000")
    official = make_id_number(77)
    StaffRegisterEntry.objects.create(
        id_number_hash=id_number_hash(official), department_name="区住建局"
    )
    # The agency, already active, names a serving official as a senior manager:
    with django_capture_on_commit_callbacks(execute=True):
        practitioner_add(
            actor=market.admins[1],
            agency=market.agencies[1],
            name="某官员",
            id_number=official,
            role="senior_manager",
        )
    # its quote stops counting, and it can quote on nothing new.
    quote = Quote.objects.get(purchase_request=purchase_request, agency=market.agencies[1])
    assert not quote.valid
    with refused("not_eligible"):
        market.quote(market.published(), 1, "90000")
    assert market.agencies[1] not in list(
        market.published().invitations.values_list("agency", flat=True)
    )


def test_r4_the_deadline_asks_the_rule_again_even_for_a_change_nobody_announced(market, clock):
    purchase_request = market.published()
    for index in range(3):
        market.quote(purchase_request, index, str(90000 + index))
    Affiliation.objects.create(
        agency=market.agencies[2],
        kind=Affiliation.Kind.SUPERVISING_DEPARTMENT,
        department=market.item.approval_department,
    )
    # At the deadline the rule is asked again: the tie found since makes that quote invalid.
    clock.move_to(purchase_request.quote_deadline + datetime.timedelta(minutes=1))
    purchase_requests_advance_due()
    quote = Quote.objects.get(purchase_request=purchase_request, agency=market.agencies[2])
    assert not quote.valid and quote.invalid_reason


def test_r4_a_new_staff_register_match_puts_the_agency_before_the_regulator(market, client):
    official = make_id_number(78)
    StaffRegisterEntry.objects.create(
        id_number_hash=id_number_hash(official), department_name="区水利局"
    )
    practitioner_add(
        actor=market.admins[2],
        agency=market.agencies[2],
        name="某官员",
        id_number=official,
        role="senior_manager",
    )
    client.force_login(UserFactory(organisation=OrganisationFactory(kind=Role.REGULATOR)))
    page = client.get("/accounts/workspace/")
    assert list(page.context["staff_register_matches"]) == [market.agencies[2]]


def test_r4_a_quote_counts_again_when_its_agency_is_eligible_again_before_the_deadline(
    market, clock, django_capture_on_commit_callbacks
):
    purchase_request = market.published()
    for index in range(3):
        market.quote(purchase_request, index, str(90000 + index))
    regulator = UserFactory(organisation=OrganisationFactory(kind=Role.REGULATOR))
    with django_capture_on_commit_callbacks(execute=True):
        tie = affiliation_record(
            actor=regulator,
            agency=market.agencies[2],
            kind=Affiliation.Kind.SUPERVISING_DEPARTMENT,
            department=market.item.approval_department,
            finding="核查发现由审批部门主管",
        )
    quote = Quote.objects.get(purchase_request=purchase_request, agency=market.agencies[2])
    assert not quote.valid
    # The regulator finds the tie has ended before the deadline: the quote counts again,
    with django_capture_on_commit_callbacks(execute=True):
        affiliation_end(actor=regulator, affiliation=tie, reason="已完成脱钩改制")
    quote.refresh_from_db()
    assert quote.valid and quote.invalid_reason == ""
    # and at the deadline the state-funded draw has its three quotes.
    purchase_request = sweeps_after_deadline(clock, purchase_request)
    assert purchase_request.status == Status.AWARDED


def test_r3_a_certificate_expiring_after_the_quote_and_before_the_deadline_voids_the_quote(
    market, clock, django_capture_on_commit_callbacks
):
    # Given an item needing a qualification every agency holds, one certificate ending the
    # day after the quotes are made and before the deadline,
    requirement = QualificationRequirementFactory(service_item=market.item)
    for index, agency in enumerate(market.agencies):
        QualificationFactory(
            agency=agency,
            qualification_type=requirement.qualification_type,
            valid_to=NOW.date() + datetime.timedelta(days=1 if index == 0 else 400),
        )
        agency_scope_recompute(agency=agency)
    purchase_request = market.published()
    assert purchase_request.quote_deadline.date() > NOW.date() + datetime.timedelta(days=1)
    for index in range(3):
        market.quote(purchase_request, index, str(90000 + index))
    # when the day after its last day comes, the daily expiry task takes it out of the scope
    # and the quote stops counting, with the reason on the notice;
    clock.move_to(NOW + datetime.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        qualifications_expire(today=(NOW + datetime.timedelta(days=2)).date())
    quote = Quote.objects.get(purchase_request=purchase_request, agency=market.agencies[0])
    assert not quote.valid and quote.invalid_reason
    notice = Client().get(reverse("market:notice_detail", args=[purchase_request.number]))
    assert quote.invalid_reason not in notice.content.decode()  # sealed until the deadline
    # at the deadline only two quotes count, so the draw fails,
    clock.move_to(purchase_request.quote_deadline + datetime.timedelta(minutes=1))
    purchase_requests_advance_due()
    purchase_request.refresh_from_db()
    assert purchase_request.status == Status.FAILED
    # and the opened notice says why that quote did not count.
    notice = Client().get(reverse("market:notice_detail", args=[purchase_request.number]))
    assert quote.invalid_reason in notice.content.decode()
