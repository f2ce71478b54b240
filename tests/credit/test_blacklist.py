"""The blacklist and market bans (R11), tried as the party who gains from getting round each
rule would try: listing for a minor matter, banning someone from another agency, a banned
manager slipping into a fresh agency, and a listing that never ends."""

import datetime
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from agencies.models import Agency, Practitioner
from agencies.services import practitioner_add
from agencies.services.status import agency_approve
from agencies.signals import agency_eligibility_changed
from credit.models import BlacklistEntry, Violation
from credit.sanction_tasks import blacklist_ended_sweep
from credit.services.blacklist import blacklist_add
from credit.services.violations import violation_record
from market.models import Quote
from market.selectors import agency_ineligibility_reasons, eligible_agencies
from tests.agencies.factories import AgencyFactory
from tests.agencies.test_staff_register import make_id_number
from tests.contracts.factories import admin_of
from tests.market.scenario import NOW, Market
from tests.refusals import refused

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 2)  # NOW, in Beijing
UNTIL = datetime.date(2027, 6, 30)
MANAGER_ID = make_id_number(512)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def market(clock):
    return Market()


def serious(regulator, agency, severity=Violation.Severity.SERIOUS):
    return violation_record(
        actor=regulator,
        agency=agency,
        kind=Violation.Kind.COLLUSION,
        severity=severity,
        facts="与另两家机构串通报价",
        evidence="三份报价文件出自同一台电脑",
        legal_basis="彭山区行动方案附件4（十一）",
        authority=regulator.organisation,
        occurred_on=TODAY - datetime.timedelta(days=10),
    )


def manager_of(agency, id_number=MANAGER_ID, role=Practitioner.Role.SENIOR_MANAGER):
    return practitioner_add(
        actor=admin_of(agency.organisation),
        agency=agency,
        name="王五",
        id_number=id_number,
        role=role,
    )


def blacklist(regulator, violation, **changes):
    values = {
        "actor": regulator,
        "violation": violation,
        "reason": "串通报价，情节严重",
        "authority": regulator.organisation,
        "legal_basis": "彭山区行动方案附件4（十一）",
        "starts_on": TODAY,
        "ends_on": UNTIL,
        "persons": [],
        **changes,
    }
    return blacklist_add(**values)


def test_r11_only_a_serious_violation_in_force_puts_an_agency_on_the_blacklist(
    clock, regulator_user
):
    agency = AgencyFactory()
    with refused("violation_not_serious"):
        blacklist(regulator_user, serious(regulator_user, agency, Violation.Severity.ORDINARY))
    violation = serious(regulator_user, agency)
    with refused("not_regulator"):
        blacklist(admin_of(agency.organisation), violation)
    Violation.objects.filter(pk=violation.pk).update(status=Violation.Status.ANNULLED)
    with refused("violation_not_serious"):
        blacklist(regulator_user, violation)
    assert not BlacklistEntry.objects.exists()


def test_r11_every_problem_with_a_listing_is_reported_at_once_and_nothing_saved(
    clock, regulator_user
):
    agency = AgencyFactory()
    stranger = manager_of(AgencyFactory())
    staff = manager_of(agency, make_id_number(513), role=Practitioner.Role.STAFF)

    with refused("invalid") as caught:
        blacklist(
            regulator_user,
            serious(regulator_user, agency),
            reason="",
            legal_basis=" ",
            ends_on=None,
            persons=[stranger, staff],
        )
    assert set(caught.value.extra) == {"reason", "legal_basis", "ends_on", "persons"}
    with refused("invalid") as caught:
        blacklist(regulator_user, serious(regulator_user, agency), ends_on=TODAY)
    assert set(caught.value.extra) == {"ends_on"}
    assert not BlacklistEntry.objects.exists()


def test_r11_a_blacklisted_agency_loses_its_open_quotes_and_may_not_quote(
    market, regulator_user, django_capture_on_commit_callbacks
):
    purchase_request = market.published()
    market.quote(purchase_request, 0, "90000")
    manager = manager_of(market.agencies[0])

    with django_capture_on_commit_callbacks(execute=True):
        entry = blacklist(
            regulator_user, serious(regulator_user, market.agencies[0]), persons=[manager]
        )

    person = entry.banned_persons.get()
    assert (person.name, person.role) == ("王五", Practitioner.Role.SENIOR_MANAGER)
    assert person.id_number_hash == manager.id_number_hash and person.id_number_last4
    quote = Quote.objects.get(purchase_request=purchase_request, agency=market.agencies[0])
    assert not quote.valid and quote.invalid_reason
    with refused("not_eligible"):
        market.quote(market.published(), 0, "90000")
    reasons = agency_ineligibility_reasons(
        agency=market.agencies[0], purchase_request=purchase_request
    )
    # The reason names the last day in force: the day before the entry's end date.
    assert any("2027-06-29" in reason for reason in reasons)


def test_r11_a_banned_manager_who_joins_another_agency_bars_it(
    market, regulator_user, django_capture_on_commit_callbacks
):
    # Given an agency blacklisted with its senior manager banned,
    listed = AgencyFactory()
    blacklist(regulator_user, serious(regulator_user, listed), persons=[manager_of(listed)])
    # when the manager turns up at an agency on the roster and at one waiting to be admitted,
    active, pending = market.agencies[1], AgencyFactory(status=Agency.Status.PENDING)
    purchase_request = market.published()
    market.quote(purchase_request, 1, "90000")
    with django_capture_on_commit_callbacks(execute=True):
        manager_of(active)
    manager_of(pending)

    # the active one's quote stops counting and it may quote on nothing,
    assert not Quote.objects.get(purchase_request=purchase_request, agency=active).valid
    with refused("not_eligible") as caught:
        market.quote(market.published(), 1, "90000")
    assert "****" in caught.value.message and listed.organisation.name in caught.value.message
    assert active not in eligible_agencies(purchase_request=purchase_request)
    assert market.agencies[2] in eligible_agencies(purchase_request=purchase_request)
    # and the pending one is not let onto the roster.
    with refused("agency_barred"):
        agency_approve(agency=pending, actor=regulator_user)


def test_r11_an_entry_ends_by_itself_on_its_end_date(market, regulator_user, clock):
    agency = market.agencies[0]
    blacklist(
        regulator_user, serious(regulator_user, agency), ends_on=TODAY + datetime.timedelta(days=5)
    )
    purchase_request = market.published()
    assert agency not in eligible_agencies(purchase_request=purchase_request)

    clock.move_to(NOW + datetime.timedelta(days=4))
    assert agency not in eligible_agencies(purchase_request=purchase_request)
    clock.move_to(NOW + datetime.timedelta(days=5))
    assert agency in eligible_agencies(purchase_request=purchase_request)


def test_r11_the_daily_sweep_announces_ended_entries_and_may_run_twice(
    clock, regulator_user, django_capture_on_commit_callbacks
):
    agency = AgencyFactory()
    employer = AgencyFactory()
    entry = blacklist(
        regulator_user,
        serious(regulator_user, agency),
        ends_on=TODAY + datetime.timedelta(days=1),
        persons=[manager_of(agency)],
    )
    manager_of(employer)
    listener = mock.Mock()
    agency_eligibility_changed.connect(listener, dispatch_uid="test-blacklist-ended")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert blacklist_ended_sweep() == []  # still current today
        clock.move_to(NOW + datetime.timedelta(days=1))
        for _ in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                assert blacklist_ended_sweep() == [entry.pk]
    finally:
        agency_eligibility_changed.disconnect(dispatch_uid="test-blacklist-ended")

    told = [call.kwargs["agency_id"] for call in listener.call_args_list]
    assert sorted(told) == sorted([agency.pk, employer.pk] * 2)


def test_r11_the_blacklist_page_names_the_agency_and_masks_the_banned_persons_ids(
    clock, regulator_user
):
    agency = AgencyFactory()
    manager = manager_of(agency)
    blacklist(
        regulator_user,
        serious(regulator_user, agency),
        ends_on=TODAY + datetime.timedelta(days=3),
        persons=[manager],
    )
    client = Client()

    html = client.get(reverse("credit:blacklist")).content.decode()
    assert agency.organisation.name in html and "王五" in html
    assert reverse("agencies:detail", args=[agency.pk]) in html
    assert f"**{MANAGER_ID[-4:]}" in html
    assert MANAGER_ID not in html and manager.id_number_hash not in html
    assert (
        agency.organisation.name
        not in client.get(reverse("credit:blacklist") + "?tab=past").content.decode()
    )
    # The agency's own page carries the banner, with the last day in force.
    page = client.get(reverse("agencies:detail", args=[agency.pk])).content.decode()
    assert "2026-11-04" in page

    # After the end date the entry moves to the past tab.
    clock.move_to(NOW + datetime.timedelta(days=3))
    assert agency.organisation.name not in client.get(reverse("credit:blacklist")).content.decode()
    past = client.get(reverse("credit:blacklist") + "?tab=past").content.decode()
    assert agency.organisation.name in past and MANAGER_ID not in past
