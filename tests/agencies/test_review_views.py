import datetime
import zoneinfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.admin.views import STAFF_REGISTER_SESSION_KEY
from agencies.models import Agency, StaffRegisterEntry
from core.identity import id_number_hash
from core.workdays import is_workday
from tests.accounts.factories import UserFactory
from tests.agencies.factories import (
    AgencyFactory,
    QualificationFactory,
)
from tests.agencies.test_staff_register import PractitionerFactory, make_id_number
from tests.catalogue.factories import QualificationRequirementFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
QUEUE = "agency_review:queue"


def _pending(submitted_at: datetime.datetime, review_due: datetime.date, **kwargs) -> Agency:
    return AgencyFactory(
        status=Agency.Status.PENDING, submitted_at=submitted_at, review_due=review_due, **kwargs
    )


@pytest.fixture
def regulator_client(client, regulator_user):
    client.force_login(regulator_user)
    return client


@time_machine.travel(datetime.datetime(2026, 10, 9, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_the_review_queue_is_oldest_first_with_the_working_day_countdown(regulator_client):
    now = timezone.now()
    newest = _pending(now, datetime.date(2026, 10, 12))  # Sat 10th is a make-up day: 2 left
    oldest = _pending(now - datetime.timedelta(days=12), datetime.date(2026, 9, 30))
    due_today = _pending(now - datetime.timedelta(days=3), datetime.date(2026, 10, 9))
    AgencyFactory(status=Agency.Status.ACTIVE)

    response = regulator_client.get(reverse(QUEUE))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [agency for agency, _countdown in rows] == [oldest, due_today, newest]
    countdowns = {agency.pk: countdown for agency, countdown in rows}
    # 30 Sep was due; 8 and 9 Oct are the working days since: overdue by 2.
    assert countdowns[oldest.pk].days_overdue == 2
    assert countdowns[due_today.pk].days_left == 0
    assert not countdowns[due_today.pk].is_overdue
    assert countdowns[newest.pk].days_left == 2


def test_the_review_queue_keeps_a_constant_number_of_queries(regulator_client):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = regulator_client.get(reverse(QUEUE))
        assert response.status_code == 200
        return len(captured.captured_queries)

    today = timezone.localdate()
    for days in range(3):
        _pending(timezone.now(), today + datetime.timedelta(days=days))
    small = count_queries()
    for days in range(15):
        _pending(timezone.now(), today - datetime.timedelta(days=days))
    assert count_queries() == small


def test_other_statuses_are_a_tab_away(regulator_client):
    suspended = AgencyFactory(status=Agency.Status.SUSPENDED)
    response = regulator_client.get(reverse(QUEUE), {"status": "suspended"})
    assert [agency for agency, _countdown in response.context["rows"]] == [suspended]


def test_the_review_page_shows_masked_ids_and_the_staff_register_block(regulator_client):
    agency = _pending(timezone.now(), timezone.localdate())
    number = make_id_number(90)
    PractitionerFactory(agency=agency, name="王五", id_number=number)
    QualificationFactory(agency=agency)
    url = reverse("agency_review:agency", args=[agency.pk])

    response = regulator_client.get(url)
    content = response.content.decode()
    assert response.status_code == 200
    assert "王五" in content
    assert "*" * 14 + number[-4:] in content
    assert number not in content
    assert response.context["review"].conflicts == []
    assert reverse("agency_review:action", args=[agency.pk, "approve"]) in content
    assert [name for name, _label in response.context["actions"]] == ["approve", "reject"]

    StaffRegisterEntry.objects.create(id_number_hash=id_number_hash(number), department_name="某局")
    response = regulator_client.get(url)
    content = response.content.decode()
    assert [c.department_name for c in response.context["review"].conflicts] == ["某局"]
    assert reverse("agency_review:action", args=[agency.pk, "approve"]) not in content
    assert number not in content


def test_approve_and_reject_from_the_back_office(regulator_client, regulator_user):
    requirement = QualificationRequirementFactory()
    first = _pending(timezone.now(), timezone.localdate())
    second = _pending(timezone.now(), timezone.localdate())

    url = reverse("agency_review:action", args=[first.pk, "approve"])
    assert regulator_client.get(url).status_code == 200
    response = regulator_client.post(url, {"reason": ""})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == Agency.Status.ACTIVE

    url = reverse("agency_review:action", args=[second.pk, "reject"])
    response = regulator_client.post(url, {"reason": "没有资质"})  # nothing cited
    assert response.status_code == 200
    assert response.context["form"].errors
    second.refresh_from_db()
    assert second.status == Agency.Status.PENDING

    response = regulator_client.post(
        url, {"cited_qualification_types": [requirement.qualification_type.pk], "reason": ""}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == Agency.Status.REJECTED
    event = second.status_events.get()
    assert event.actor == regulator_user
    assert list(event.cited_qualifications.all()) == [requirement.qualification_type]

    response = regulator_client.get(reverse("agency_review:agency", args=[second.pk]))
    assert response.status_code == 200
    assert requirement.qualification_type.name in response.content.decode()
    assert (
        regulator_client.get(reverse("agency_review:action", args=[second.pk, "approve"])).context[
            "action_allowed"
        ]
        is False
    )


def test_suspend_needs_reason_and_confirmation(regulator_client):
    agency = AgencyFactory(status=Agency.Status.ACTIVE)
    url = reverse("agency_review:action", args=[agency.pk, "suspend"])
    assert regulator_client.post(url, {"reason": "抽查不合格"}).status_code == 200
    agency.refresh_from_db()
    assert agency.status == Agency.Status.ACTIVE
    response = regulator_client.post(url, {"reason": "抽查不合格", "confirm": "on"})
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.status == Agency.Status.SUSPENDED


def test_r4_approval_department_cannot_open_the_review_back_office(client, approval_user):
    agency = _pending(timezone.now(), timezone.localdate())
    active = AgencyFactory(status=Agency.Status.ACTIVE)
    client.force_login(approval_user)
    urls = [
        reverse(QUEUE),
        reverse("agency_review:agency", args=[agency.pk]),
        reverse("agency_review:staff_register"),
    ]
    for url in urls:
        assert client.get(url).status_code != 200
    client.post(reverse("agency_review:action", args=[agency.pk, "approve"]))
    client.post(
        reverse("agency_review:action", args=[active.pk, "suspend"]),
        {"reason": "x", "confirm": "on"},
    )

    # Even if the department were let into the admin, the views refuse it by role (Wagtail
    # turns the 403 into a redirect to the dashboard with a message, or a 403 for scripts).
    approval_user.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == reverse("wagtailadmin_home")
        assert client.get(url, headers={"x-requested-with": "XMLHttpRequest"}).status_code == 403
    response = client.post(reverse("agency_review:action", args=[agency.pk, "approve"]))
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
    agency.refresh_from_db()
    active.refresh_from_db()
    assert agency.status == Agency.Status.PENDING
    assert active.status == Agency.Status.ACTIVE
    assert not agency.status_events.exists()


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("register.csv", text.encode("utf-8"), "text/csv")


def test_staff_register_import_previews_then_saves_only_hashes(regulator_client):
    url = reverse("agency_review:staff_register")
    good, bad = make_id_number(101), "511403199001010000"

    response = regulator_client.post(
        url, {"file": _csv(f"身份证号,单位\n{good},甲局\n{bad},乙局\n")}
    )
    assert response.status_code == 200
    assert [error["row"] for error in response.context["row_errors"]] == [3]
    assert StaffRegisterEntry.objects.count() == 0
    assert bad not in response.content.decode()

    response = regulator_client.post(
        url, {"file": _csv(f"身份证号,单位\n{good},甲局\n"), "replace": "on"}
    )
    assert response.status_code == 200
    assert response.context["preview"]["new"] == 1
    assert good not in response.content.decode()
    assert good not in str(regulator_client.session[STAFF_REGISTER_SESSION_KEY])
    assert StaffRegisterEntry.objects.count() == 0  # nothing before confirmation

    response = regulator_client.post(url, {"confirm": "1"})
    assert response.status_code == 302
    entry = StaffRegisterEntry.objects.get()
    assert entry.id_number_hash == id_number_hash(good)
    assert entry.department_name == "甲局"


def test_the_wagtail_menu_and_calendar_are_there_for_regulators(client, regulator_user):
    client.force_login(regulator_user)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    assert reverse(QUEUE) in response.content.decode()


def test_regulators_edit_the_working_day_calendar(client):
    client.force_login(UserFactory(organisation=None, is_superuser=True))
    response = client.post(
        reverse("calendar_days:add"), {"date": "2027-02-06", "is_workday": "on", "note": "调休"}
    )
    assert response.status_code == 302
    assert is_workday(datetime.date(2027, 2, 6))
    assert client.get(reverse("calendar_days:index")).status_code == 200
