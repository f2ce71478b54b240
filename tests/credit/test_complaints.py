"""Complaints (投诉, R12), tried as those who gain from getting round each rule would try: a
regulator who would rather not let a complaint in, or let it wait; a stranger reading
someone else's complaint or guessing a tracking key; a complainant sending nothing."""

import datetime
import inspect
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from core.workdays import add_workdays
from credit.complaint_selectors import complaint_for_tracking, complaint_queue
from credit.models import Complaint, ComplaintEvent
from credit.services import complaints as complaint_services
from credit.services.complaint_notifications import complaints_overdue_remind
from credit.services.complaints import (
    complaint_acknowledge,
    complaint_answer,
    complaint_progress_note,
    complaint_submit,
)
from tests.accounts.factories import OrganisationFactory
from tests.agencies.factories import AgencyFactory, pdf_upload
from tests.contracts.factories import ContractFactory, admin_of
from tests.refusals import refused

pytestmark = pytest.mark.django_db

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
# 30 September 2026, a working day before the National Day holiday.
BEFORE_NATIONAL_DAY = datetime.datetime(2026, 9, 30, 10, 0, tzinfo=BEIJING)
NEW = "credit:complaint_new"


def complain(actor=None, **changes):
    fields = {
        "category": Complaint.Category.FEE,
        "content": "中介机构在合同价外另收加急费五千元。",
        "name": "王五",
        "contact": "wangwu@example.test",
        **changes,
    }
    return complaint_submit(actor=actor, **fields)


def form_data(**changes):
    return {
        "category": "conduct",
        "content": "工作人员暗示需要另外付费才能按时出具报告。",
        "name": "李四",
        "contact": "13800138000",
        **changes,
    }


def writes(queries) -> list[str]:
    return [
        query["sql"]
        for query in queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


@pytest.fixture
def regulator():
    return admin_of(OrganisationFactory(kind=Role.REGULATOR))


# Accepting ------------------------------------------------------------------------------------


def test_r12_every_valid_complaint_is_accepted_on_arrival():
    for category in Complaint.Category.values:
        complaint, _ = complain(category=category)
        assert complaint.status == Complaint.Status.ACCEPTED
        assert [event.kind for event in complaint.events.all()] == [ComplaintEvent.Kind.ACCEPTED]
    assert Complaint.objects.count() == len(Complaint.Category.values)
    assert Complaint.objects.first().number.startswith("TS-")


def test_r12_there_is_no_refusal_but_bad_input():
    """100% acceptance: no status in which a complaint waits to be let in or is turned away,
    and no service that turns one away."""
    assert set(Complaint.Status.values) == {"accepted", "acknowledged", "answered"}
    services = {
        name
        for name, member in inspect.getmembers(complaint_services, inspect.isfunction)
        if name.startswith("complaint_") and member.__module__ == complaint_services.__name__
    }
    assert services == {
        "complaint_submit",
        "complaint_acknowledge",
        "complaint_progress_note",
        "complaint_answer",
    }


def test_r12_bad_input_reports_every_problem_at_once_and_saves_nothing():
    with refused("complaint_invalid") as caught:
        complain(
            category="bribery",
            content="   \n ",
            name=" ",
            contact="",
            evidence=pdf_upload("evidence.pdf", b"not a pdf"),
        )

    assert set(caught.value.extra) == {"category", "content", "name", "contact", "evidence"}
    assert Complaint.objects.count() == 0
    assert ComplaintEvent.objects.count() == 0


def test_r12_a_contact_must_reach_the_complainant():
    with refused("complaint_invalid") as caught:
        complain(contact="call me")
    assert set(caught.value.extra) == {"contact"}
    assert complain(contact="028-38888888")[0].complainant_contact == "028-38888888"


def test_r12_the_form_shows_every_error_at_once_and_keeps_what_was_typed(client):
    response = client.post(
        reverse(NEW), form_data(category="nope", content=" ", name="", contact="")
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"category", "content", "name", "contact"}
    assert form["category"].value() == "nope"
    assert Complaint.objects.count() == 0


def test_r12_due_dates_count_working_days_from_the_beijing_date():
    with time_machine.travel(BEFORE_NATIONAL_DAY, tick=False):
        complaint, _ = complain()

    day = datetime.date(2026, 9, 30)
    # The National Day holiday lies between: the next working day is after it.
    assert complaint.acknowledge_due == add_workdays(day, 1) == datetime.date(2026, 10, 8)
    assert complaint.answer_due == add_workdays(day, 5)
    assert complaint.answer_due > datetime.date(2026, 10, 8)


def test_r12_a_complaint_late_in_the_evening_counts_from_beijings_date():
    # 23:30 in Beijing is still the 30th there, though already past midnight nowhere else.
    late = datetime.datetime(2026, 9, 30, 23, 30, tzinfo=BEIJING)
    with time_machine.travel(late, tick=False):
        complaint, _ = complain()
    assert complaint.acknowledge_due == add_workdays(datetime.date(2026, 9, 30), 1)


# The public and the tracking key ------------------------------------------------------------


def test_r12_the_public_complains_and_follows_it_with_the_key_shown_once(client):
    agency = AgencyFactory()
    response = client.post(
        f"{reverse(NEW)}?agency={agency.pk}",
        {**form_data(), "evidence": pdf_upload("photo.pdf")},
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.agency == agency and complaint.complainant is None
    assert complaint.evidence.name.startswith("credit/complaints/")

    shown = client.get(response.url)
    key = shown.context["key"]
    assert key and key in shown.content.decode()
    assert key not in response.url
    # Shown once: a reload does not show it again.
    again = client.get(reverse("credit:complaint_received"))
    assert again.status_code == 302 and key not in again.url

    tracked = client.post(
        reverse("credit:complaint_track"), {"number": complaint.number, "key": key}
    )
    assert tracked.status_code == 200
    assert tracked.context["complaint"] == complaint
    assert "credit/complaints/detail.html" in [t.name for t in tracked.templates]


def test_r12_the_tracking_key_is_not_stored_in_clear():
    complaint, key = complain()

    complaint.refresh_from_db()
    assert key and len(key) >= 20
    assert complaint.tracking_key_hash and key not in complaint.tracking_key_hash
    stored = " ".join(str(value) for value in Complaint.objects.values().get().values())
    assert key not in stored


def test_r12_a_wrong_key_or_number_opens_nothing_and_says_not_which(client):
    complaint, key = complain()
    other, _ = complain()

    assert complaint_for_tracking(complaint.number, key) == complaint
    assert complaint_for_tracking(complaint.number, key[:-1] + "x") is None
    assert complaint_for_tracking(other.number, key) is None
    assert complaint_for_tracking("TS-2099-0001", key) is None
    assert complaint_for_tracking(complaint.number, "") is None

    wrong_key = client.post(
        reverse("credit:complaint_track"), {"number": complaint.number, "key": "guess"}
    )
    wrong_number = client.post(
        reverse("credit:complaint_track"), {"number": "TS-2099-0001", "key": key}
    )
    assert wrong_key.status_code == wrong_number.status_code == 200
    assert wrong_key.context["form"].errors == wrong_number.context["form"].errors
    assert "complaint" not in wrong_key.context


def test_r12_a_complaint_made_signed_in_has_no_key(owner_user):
    complaint, key = complain(owner_user)

    assert key is None and complaint.tracking_key_hash == ""
    assert complaint.complainant == owner_user
    assert complaint_for_tracking(complaint.number, "") is None


# A party's own complaints -------------------------------------------------------------------


def test_r12_a_party_complains_about_its_contract_and_only_it_sees_the_complaint(client):
    contract = ContractFactory()
    owner = admin_of(contract.owner)
    client.force_login(owner)

    form = client.get(f"{reverse(NEW)}?contract={contract.number}")
    assert form.context["form"]["name"].value() == str(owner)
    response = client.post(f"{reverse(NEW)}?contract={contract.number}", form_data())
    complaint = Complaint.objects.get()
    assert complaint.contract == contract and complaint.agency == contract.agency
    assert complaint.purchase_request == contract.purchase_request
    received = client.get(response.url)
    assert received.context["key"] is None

    mine = client.get(reverse("credit:complaints_mine"))
    assert [row[0] for row in mine.context["rows"]] == [complaint]
    detail = reverse("credit:complaint_detail", args=[complaint.number])
    assert client.get(detail).status_code == 200

    for somebody in (
        admin_of(contract.agency.organisation),
        admin_of(OrganisationFactory(kind=Role.REGULATOR)),
        admin_of(OrganisationFactory(kind=Role.PROJECT_OWNER)),
    ):
        client.force_login(somebody)
        assert client.get(detail).status_code == 404
        assert list(client.get(reverse("credit:complaints_mine")).context["rows"]) == []
    client.logout()
    assert client.get(detail).status_code == 302  # to the sign-in page


def test_r12_a_contract_is_named_only_by_those_who_may_read_it(client):
    contract = ContractFactory()
    stranger = admin_of(OrganisationFactory(kind=Role.PROJECT_OWNER))

    with refused("contract_not_visible"):
        complain(stranger, contract=contract)
    with refused("contract_not_visible"):
        complain(None, contract=contract)
    client.force_login(stranger)
    assert client.get(f"{reverse(NEW)}?contract={contract.number}").status_code == 404
    assert client.post(f"{reverse(NEW)}?contract={contract.number}", form_data()).status_code == 404
    assert Complaint.objects.count() == 0


def test_r12_the_pages_that_read_do_not_write(client, owner_user, regulator):
    complaint, _ = complain(owner_user)
    pages = [
        reverse(NEW),
        reverse("credit:complaint_track"),
        reverse("credit:complaints_mine"),
        reverse("credit:complaint_detail", args=[complaint.number]),
    ]
    client.force_login(owner_user)
    with CaptureQueriesContext(connection) as queries:
        for page in pages:
            assert client.get(page).status_code == 200
    assert writes(queries) == []

    client.force_login(regulator)
    with CaptureQueriesContext(connection) as queries:
        for page in (
            reverse("complaints_admin:list"),
            reverse("complaints_admin:detail", args=[complaint.pk]),
        ):
            assert client.get(page).status_code == 200
    assert writes(queries) == []


# Handling -------------------------------------------------------------------------------------


def test_r12_only_regulators_acknowledge_note_and_answer(owner_user, approval_user):
    complaint, _ = complain()

    for action in (
        lambda user: complaint_acknowledge(actor=user, complaint=complaint),
        lambda user: complaint_progress_note(actor=user, complaint=complaint, note="已转办"),
        lambda user: complaint_answer(
            actor=user, complaint=complaint, outcome="upheld", answer="属实"
        ),
    ):
        with refused("not_regulator"):
            action(owner_user)
        with refused("approval_department_may_not_review"):
            action(approval_user)
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.ACCEPTED
    assert complaint.events.count() == 1


def test_r12_the_regulator_acknowledges_notes_and_answers_and_the_complainant_is_told(
    regulator, django_capture_on_commit_callbacks
):
    complaint, _ = complain()

    with django_capture_on_commit_callbacks(execute=True):
        complaint_acknowledge(actor=regulator, complaint=complaint, note="由市场监管局办理")
    with refused("already_acknowledged"):
        complaint_acknowledge(actor=regulator, complaint=complaint)
    with refused("note_required"):
        complaint_progress_note(actor=regulator, complaint=complaint, note="  ")
    with django_capture_on_commit_callbacks(execute=True):
        complaint_progress_note(actor=regulator, complaint=complaint, note="已约谈该机构")
    with refused("answer_required") as caught:
        complaint_answer(actor=regulator, complaint=complaint, outcome="", answer=" ")
    assert set(caught.value.extra) == {"outcome", "answer"}
    with django_capture_on_commit_callbacks(execute=True):
        complaint_answer(
            actor=regulator, complaint=complaint, outcome="upheld", answer="经查属实，已责令退还。"
        )

    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.ANSWERED
    assert complaint.outcome == "upheld" and complaint.handled_by == regulator
    assert [event.kind for event in complaint.events.all()] == [
        "accepted",
        "acknowledged",
        "note",
        "answered",
    ]
    assert [message.to for message in mail.outbox] == [["wangwu@example.test"]] * 3
    assert complaint.number in mail.outbox[-1].subject
    assert "经查属实" in mail.outbox[-1].body


def test_r12_answering_twice_is_refused(regulator, django_capture_on_commit_callbacks):
    complaint, _ = complain()
    with django_capture_on_commit_callbacks(execute=True):
        complaint_answer(
            actor=regulator, complaint=complaint, outcome="not_upheld", answer="不属实"
        )
    # One message: the answer, which says more than the acknowledgement it implies.
    assert len(mail.outbox) == 1 and "不属实" in mail.outbox[0].body

    with refused("already_answered"):
        complaint_answer(actor=regulator, complaint=complaint, outcome="upheld", answer="改判")
    with refused("already_answered"):
        complaint_progress_note(actor=regulator, complaint=complaint, note="补充")
    with refused("already_answered"):
        complaint_acknowledge(actor=regulator, complaint=complaint)
    complaint.refresh_from_db()
    assert complaint.outcome == "not_upheld"
    # Answering first acknowledged it at the same moment.
    assert complaint.acknowledged_at == complaint.answered_at


def test_r12_a_complainant_with_a_phone_number_gets_no_mail(
    regulator, owner_user, django_capture_on_commit_callbacks
):
    public, _ = complain(contact="13800138000")
    signed_in, _ = complain(owner_user, contact="13900139000")

    with django_capture_on_commit_callbacks(execute=True):
        complaint_acknowledge(actor=regulator, complaint=public)
        complaint_acknowledge(actor=regulator, complaint=signed_in)

    assert [message.to for message in mail.outbox] == [[owner_user.email]]


def test_r12_steps_are_shown_with_whether_each_was_on_time(client, regulator):
    with time_machine.travel(BEFORE_NATIONAL_DAY, tick=False):
        complaint, key = complain()
    with time_machine.travel(datetime.datetime(2026, 10, 12, 9, 0, tzinfo=BEIJING), tick=False):
        complaint_acknowledge(actor=regulator, complaint=complaint)
        response = client.post(
            reverse("credit:complaint_track"), {"number": complaint.number, "key": key}
        )
    timing = response.context["timing"]
    assert timing["acknowledge"].state == "late"
    assert timing["answer"].state == "waiting"


# Overdue ------------------------------------------------------------------------------------


def test_r12_the_overdue_reminder_mails_regulators_the_overdue_complaints_only(regulator):
    other_regulator = admin_of(regulator.organisation)
    owner = admin_of(OrganisationFactory(kind=Role.PROJECT_OWNER))
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=BEIJING), tick=False):
        unacknowledged, _ = complain()  # acknowledge by 3 Nov, answer by 9 Nov
        unanswered, _ = complain()
        complaint_acknowledge(actor=regulator, complaint=unanswered)
        answered, _ = complain()
        complaint_answer(actor=regulator, complaint=answered, outcome="upheld", answer="已处理")
    with time_machine.travel(datetime.datetime(2026, 11, 9, 9, 0, tzinfo=BEIJING), tick=False):
        recent, _ = complain()  # acknowledge by 10 Nov, answer by 16 Nov
    mail.outbox.clear()

    today = datetime.date(2026, 11, 10)
    queue = {complaint.number: complaint for complaint in complaint_queue(today=today)}
    assert queue[unacknowledged.number].ack_overdue and queue[unacknowledged.number].answer_overdue
    assert not queue[unanswered.number].ack_overdue and queue[unanswered.number].answer_overdue
    assert not queue[recent.number].ack_overdue and not queue[recent.number].answer_overdue

    assert complaints_overdue_remind(today=today) == 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [regulator.email, other_regulator.email]
    )
    assert owner.email not in {message.to[0] for message in mail.outbox}
    body = mail.outbox[0].body
    assert unacknowledged.number in body and unanswered.number in body
    assert recent.number not in body and answered.number not in body

    # Once a day: a second run the same day sends nothing.
    assert complaints_overdue_remind(today=today) == 0
    assert len(mail.outbox) == 2


def test_r12_no_reminder_when_nothing_is_overdue(regulator):
    complain()
    assert complaints_overdue_remind(today=datetime.date(2026, 1, 5)) == 0
    assert mail.outbox == []


# The back office ------------------------------------------------------------------------------


def test_r12_the_regulators_desk_lists_handles_and_serves_the_evidence(client, regulator):
    with time_machine.travel(BEFORE_NATIONAL_DAY, tick=False):
        complaint, _ = complain(evidence=pdf_upload("evidence.pdf"))
    client.force_login(regulator)

    listing = client.get(reverse("complaints_admin:list"), {"category": "fee"})
    assert [c.number for c in listing.context["complaints"]] == [complaint.number]
    assert listing.context["complaints"][0].ack_overdue
    assert (
        list(
            client.get(reverse("complaints_admin:list"), {"category": "entry"}).context[
                "complaints"
            ]
        )
        == []
    )

    detail = client.get(reverse("complaints_admin:detail", args=[complaint.pk]))
    assert f"{reverse('violations:record')}?complaint={complaint.pk}" in detail.content.decode()
    evidence = client.get(reverse("complaints_admin:evidence", args=[complaint.pk]))
    assert evidence.status_code == 200
    assert "no-store" in evidence["Cache-Control"]

    refused_answer = client.post(
        reverse("complaints_admin:answer", args=[complaint.pk]), {"outcome": "upheld"}
    )
    assert refused_answer.status_code == 200
    assert "answer" in refused_answer.context["answer_form"].errors
    done = client.post(
        reverse("complaints_admin:answer", args=[complaint.pk]),
        {"outcome": "partly_upheld", "answer": "部分属实"},
    )
    assert done.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.ANSWERED


def test_r12_the_desk_is_for_regulators_only(client, owner_user, approval_user):
    complaint, _ = complain(evidence=pdf_upload("evidence.pdf"))
    for user in (owner_user, approval_user):
        client.force_login(user)
        for name in ("list", "detail", "evidence"):
            args = [] if name == "list" else [complaint.pk]
            response = client.get(reverse(f"complaints_admin:{name}", args=args))
            assert response.status_code in (302, 403), (user, name)
        response = client.post(
            reverse("complaints_admin:acknowledge", args=[complaint.pk]), {"note": ""}
        )
        assert response.status_code in (302, 403)
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.ACCEPTED
