import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail

from agencies.models import Qualification
from agencies.services.expiry import qualifications_expiry_run
from agencies.services.scope import agency_scope_recompute
from agencies.tasks import qualifications_expiry_daily
from tests.accounts.factories import UserFactory
from tests.agencies.factories import QualificationFactory
from tests.catalogue.factories import QualificationRequirementFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
D = datetime.date


def _at(day: datetime.date):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, 2, 0, tzinfo=SHANGHAI), tick=False
    )


def _certificate(valid_to: datetime.date) -> Qualification:
    qualification = QualificationFactory(valid_from=D(2024, 1, 1), valid_to=valid_to)
    UserFactory(organisation=qualification.agency.organisation, is_organisation_admin=True)
    return qualification


def _run(captured, today):
    with captured(execute=True):
        return qualifications_expiry_run(today=today)


def test_expired_certificates_are_marked_and_the_scope_shrinks(
    django_capture_on_commit_callbacks,
):
    requirement = QualificationRequirementFactory()
    qualification = QualificationFactory(
        qualification_type=requirement.qualification_type,
        valid_from=D(2025, 1, 1),
        valid_to=D(2026, 3, 31),
    )
    agency = qualification.agency
    assert requirement.service_item_id in agency_scope_recompute(
        agency=agency, today=D(2026, 3, 31)
    )

    result = _run(django_capture_on_commit_callbacks, D(2026, 4, 1))
    assert result.expired == [qualification.pk]
    qualification.refresh_from_db()
    assert qualification.expired
    assert not agency.scope.get(service_item=requirement.service_item).in_scope

    # Idempotent: a second run the same day marks nothing more.
    assert _run(django_capture_on_commit_callbacks, D(2026, 4, 1)).expired == []


def test_a_certificate_valid_through_today_is_not_expired(django_capture_on_commit_callbacks):
    qualification = _certificate(D(2026, 4, 1))
    _run(django_capture_on_commit_callbacks, D(2026, 4, 1))
    qualification.refresh_from_db()
    assert not qualification.expired


def test_notices_30_and_7_days_before_expiry_are_sent_once_each(
    django_capture_on_commit_callbacks,
):
    qualification = _certificate(D(2026, 6, 30))
    mail.outbox.clear()

    _run(django_capture_on_commit_callbacks, D(2026, 5, 30))  # 31 days left: nothing yet
    assert mail.outbox == []

    _run(django_capture_on_commit_callbacks, D(2026, 5, 31))  # 30 days left
    _run(django_capture_on_commit_callbacks, D(2026, 5, 31))  # the task ran twice
    _run(django_capture_on_commit_callbacks, D(2026, 6, 1))
    assert len(mail.outbox) == 1
    assert qualification.qualification_type.name in mail.outbox[0].subject

    _run(django_capture_on_commit_callbacks, D(2026, 6, 23))  # 7 days left
    _run(django_capture_on_commit_callbacks, D(2026, 6, 23))
    _run(django_capture_on_commit_callbacks, D(2026, 6, 24))
    assert len(mail.outbox) == 2
    qualification.refresh_from_db()
    assert qualification.expiry_notices_sent == [30, 7]


def test_a_skipped_run_still_sends_the_notice_due_but_not_a_stale_one(
    django_capture_on_commit_callbacks,
):
    qualification = _certificate(D(2026, 6, 30))
    mail.outbox.clear()
    # The task did not run between 30 May and 20 June: the 30-day notice is due late.
    assert _run(django_capture_on_commit_callbacks, D(2026, 6, 20)).notices == [
        (qualification.pk, 30)
    ]
    # Found with 5 days left and only the 30-day notice sent: the 7-day one goes out.
    assert _run(django_capture_on_commit_callbacks, D(2026, 6, 25)).notices == [
        (qualification.pk, 7)
    ]
    late = _certificate(D(2026, 7, 3))  # first seen with 3 days left: one notice, not two
    assert _run(django_capture_on_commit_callbacks, D(2026, 6, 30)).notices == [(late.pk, 7)]
    late.refresh_from_db()
    assert late.expiry_notices_sent == [30, 7]
    assert len(mail.outbox) == 3


def test_the_daily_task_is_idempotent(django_capture_on_commit_callbacks):
    expiring = _certificate(D(2026, 5, 1))
    expired = _certificate(D(2026, 3, 31))
    mail.outbox.clear()
    with _at(D(2026, 4, 1)):
        with django_capture_on_commit_callbacks(execute=True):
            qualifications_expiry_daily.apply()
        with django_capture_on_commit_callbacks(execute=True):
            qualifications_expiry_daily.apply()
    expiring.refresh_from_db()
    expired.refresh_from_db()
    assert expired.expired and not expiring.expired
    assert expiring.expiry_notices_sent == [30]
    assert len(mail.outbox) == 1
