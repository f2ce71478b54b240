"""Delivery, acceptance and overdue reminders on the working-day clock (R10), tried by the
party who would gain from each rule giving way."""

import datetime
import hashlib
import io
import zipfile
import zoneinfo

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from contracts.models import Contract, ContractEvent, Deliverable
from contracts.selectors import delivery_metrics
from contracts.services.delivery import (
    contract_deliver,
    contracts_overdue_remind,
    deliverable_upload,
    delivery_accept,
    delivery_return,
)
from contracts.tasks import contracts_overdue_remind_daily
from core.exceptions import ApplicationError
from core.files import private_storage
from core.uploads import deliverable_max_bytes
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.agencies.factories import PDF_BYTES
from tests.concurrency import at_once, refusal_codes
from tests.contracts.factories import ContractFactory, MilestoneFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
Status = Contract.Status
# Tuesday 22 September 2026; the ten working days run to 13 October (tests/contracts/
# test_clock.py explains the calendar around 中秋 and 国庆).
IN_FORCE = datetime.datetime(2026, 9, 22, 10, 0, tzinfo=BEIJING)
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64


def on(month: int, dom: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2026, month, dom, hour, 0, tzinfo=BEIJING)


def _zip(*members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for member in members:
            archive.writestr(member, "<x/>")
    return buffer.getvalue()


DOCX_BYTES = _zip("word/document.xml", "word/styles.xml")
XLSX_BYTES = _zip("xl/workbook.xml", "xl/worksheets/sheet1.xml")


def upload(name: str = "评估报告.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def stored_deliverables() -> set[str]:
    try:
        return set(private_storage().listdir("contracts/deliverables")[1])
    except FileNotFoundError:
        return set()


class Deal:
    """A contract in force since IN_FORCE with one milestone, and the people around it."""

    def __init__(self) -> None:
        self.contract = ContractFactory(in_force_at=IN_FORCE)
        self.milestone = MilestoneFactory(contract=self.contract)
        self.agency_admin = UserFactory(organisation=self.contract.agency.organisation)
        self.agency_member = UserFactory(
            organisation=self.contract.agency.organisation, is_organisation_admin=False
        )
        self.owner_admin = UserFactory(organisation=self.contract.owner)
        self.owner_member = UserFactory(
            organisation=self.contract.owner, is_organisation_admin=False
        )

    def refreshed(self) -> Contract:
        self.contract.refresh_from_db()
        return self.contract

    def upload(self, **kwargs) -> Deliverable:
        return deliverable_upload(
            actor=self.agency_admin, milestone=self.milestone, upload=upload(**kwargs)
        )

    def delivered(self) -> Contract:
        self.upload()
        return contract_deliver(actor=self.agency_admin, contract=self.contract)


@pytest.fixture
def clock():
    with time_machine.travel(IN_FORCE, tick=False) as traveller:
        yield traveller


@pytest.fixture
def deal(clock):
    return Deal()


# Uploads -----------------------------------------------------------------------------------------


def test_r10_a_deliverable_keeps_its_name_size_and_digest_in_private_storage(deal):
    deliverable = deal.upload()
    assert deliverable.status == Deliverable.Status.SUBMITTED
    assert deliverable.original_name == "评估报告.pdf"
    assert deliverable.kind == "pdf"
    assert deliverable.size == len(PDF_BYTES)
    assert deliverable.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert deliverable.uploaded_by == deal.agency_admin
    # Stored under a random name, in the storage no URL points at.
    assert deliverable.file.name.startswith("contracts/deliverables/")
    assert "评估报告" not in deliverable.file.name
    assert deliverable.file.storage.exists(deliverable.file.name)
    with deliverable.file.open("rb") as stored:
        assert stored.read() == PDF_BYTES


def test_r10_a_word_document_is_recognised_by_what_is_inside(deal):
    deliverable = deal.upload(name="成果报告.DOCX", content=DOCX_BYTES)
    assert deliverable.kind == "docx"
    assert deal.upload(name="现场照片.jpg", content=JPEG_BYTES).kind == "jpg"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("报告.docx", JPEG_BYTES, id="jpeg-renamed-docx"),
        pytest.param("报告.docx", XLSX_BYTES, id="xlsx-renamed-docx"),
        pytest.param("报告.docx", _zip("content.xml"), id="other-zip-renamed-docx"),
        pytest.param(
            "报告.docx", _zip("word/document.xml", "word/vbaProject.bin"), id="docm-renamed-docx"
        ),
        pytest.param("报告.docx", b"PK\x03\x04 not really a zip", id="broken-zip"),
        pytest.param("报告.pdf", JPEG_BYTES, id="jpeg-renamed-pdf"),
        pytest.param("报告.xlsx", XLSX_BYTES, id="xlsx-not-a-deliverable-kind"),
        pytest.param("报告.exe", PDF_BYTES, id="pdf-with-another-extension"),
    ],
)
def test_r10_a_file_is_refused_unless_its_content_is_an_allowed_kind(deal, name, content):
    before = stored_deliverables()
    with refused("file_type") as caught:
        deal.upload(name=name, content=content)
    assert "upload" in caught.value.extra
    assert not Deliverable.objects.exists()
    assert stored_deliverables() == before


def test_r10_a_file_over_the_size_limit_is_refused(deal, settings):
    settings.DELIVERABLE_MAX_BYTES = len(PDF_BYTES)
    assert deal.upload().size == len(PDF_BYTES)  # exactly the limit is allowed
    before = stored_deliverables()
    with refused("file_too_large"):
        deal.upload(content=PDF_BYTES + b"\n")
    assert Deliverable.objects.count() == 1
    assert stored_deliverables() == before


def test_the_size_limit_is_fifty_megabytes_unless_configured():
    assert deliverable_max_bytes() == settings.DELIVERABLE_MAX_BYTES == 50 * 1024 * 1024


def test_r10_an_agency_cannot_upload_to_another_agencys_contract(deal):
    rival = Deal()
    for intruder in (rival.agency_admin, deal.agency_member, deal.owner_admin):
        with refused("not_agency_admin"):
            deliverable_upload(actor=intruder, milestone=deal.milestone, upload=upload())
    assert not Deliverable.objects.filter(milestone=deal.milestone).exists()


def test_r10_nothing_is_uploaded_outside_the_running_clock(deal):
    deal.delivered()
    with refused("already_delivered"):
        deal.upload()  # nothing slips into a delivery the owner is judging
    delivery_accept(actor=deal.owner_admin, contract=deal.contract)
    with refused("contract_not_running"):
        deal.upload()
    signing = Deal()
    Contract.objects.filter(pk=signing.contract.pk).update(
        status=Status.AWAITING_OWNER, in_force_at=None
    )
    with refused("contract_not_running"):
        signing.upload()


# Delivering ---------------------------------------------------------------------------------------


def test_r10_delivery_pauses_the_clock_on_the_day_it_is_made(deal, clock):
    clock.move_to(on(10, 9))
    deal.upload()
    contract = contract_deliver(actor=deal.agency_admin, contract=deal.contract)
    assert contract.status == Status.DELIVERED
    stored = deal.refreshed()
    assert stored.status == Status.DELIVERED
    assert stored.paused_since == datetime.date(2026, 10, 9)
    assert stored.status_events.filter(to_status=Status.DELIVERED, actor=deal.agency_admin)


def test_r10_an_agency_cannot_deliver_for_another_agencys_contract(deal):
    deal.upload()
    rival = Deal()
    for intruder in (rival.agency_admin, deal.agency_member, deal.owner_admin):
        with refused("not_agency_admin"):
            contract_deliver(actor=intruder, contract=deal.contract)
    assert deal.refreshed().status == Status.IN_FORCE


def test_r10_a_delivery_needs_a_new_file(deal):
    with refused("nothing_to_deliver"):
        contract_deliver(actor=deal.agency_admin, contract=deal.contract)
    deal.delivered()
    delivery_return(actor=deal.owner_admin, contract=deal.contract, reasons="缺少附图")
    # The returned files are not delivered again as if reworked.
    with refused("nothing_to_deliver"):
        contract_deliver(actor=deal.agency_admin, contract=deal.contract)


def test_r10_two_clicks_deliver_once(deal):
    deal.delivered()
    stale = Contract.objects.get(pk=deal.contract.pk)
    with refused("already_delivered"):
        contract_deliver(actor=deal.agency_admin, contract=stale)
    assert (
        ContractEvent.objects.filter(contract=deal.contract, to_status=Status.DELIVERED).count()
        == 1
    )


# The owner's answer -------------------------------------------------------------------------------


def test_r10_acceptance_fixes_the_days_used_and_the_days_held_are_the_owners(deal, clock):
    clock.move_to(on(10, 9))  # the agency's seventh working day
    deal.delivered()
    clock.move_to(on(10, 13, hour=16))  # held on the 10th (make-up Saturday), 12th and 13th
    contract = delivery_accept(actor=deal.owner_admin, contract=deal.contract)
    assert contract.status == Status.ACCEPTED
    stored = deal.refreshed()
    assert stored.used_workdays == 7
    assert stored.paused_workdays == 3
    assert stored.paused_since is None
    assert stored.accepted_at == on(10, 13, hour=16)
    deliverable = Deliverable.objects.get()
    assert deliverable.status == Deliverable.Status.ACCEPTED
    assert deliverable.answered_at == on(10, 13, hour=16)


def test_r10_an_owner_cannot_answer_another_owners_delivery(deal):
    deal.delivered()
    rival = Deal()
    for intruder in (rival.owner_admin, deal.owner_member, deal.agency_admin):
        with refused("not_owner_admin"):
            delivery_accept(actor=intruder, contract=deal.contract)
        with refused("not_owner_admin"):
            delivery_return(actor=intruder, contract=deal.contract, reasons="不合格")
    stored = deal.refreshed()
    assert stored.status == Status.DELIVERED
    assert stored.used_workdays is None


def test_r10_a_return_needs_reasons(deal):
    deal.delivered()
    for blank in ("", "   \n\t"):
        with refused("reasons_required") as caught:
            delivery_return(actor=deal.owner_admin, contract=deal.contract, reasons=blank)
        assert "reasons" in caught.value.extra
    assert deal.refreshed().status == Status.DELIVERED
    assert Deliverable.objects.get().status == Deliverable.Status.SUBMITTED


def test_r10_a_return_restarts_the_agencys_clock_after_the_owners_days(deal, clock):
    clock.move_to(on(10, 9))
    deal.delivered()
    clock.move_to(on(10, 13))
    delivery_return(actor=deal.owner_admin, contract=deal.contract, reasons="  缺少附图  ")
    stored = deal.refreshed()
    assert stored.status == Status.RETURNED
    assert stored.paused_workdays == 3
    assert stored.paused_since is None
    assert stored.status_events.last().note == "缺少附图"
    returned = Deliverable.objects.get()
    assert (returned.status, returned.answer) == (Deliverable.Status.RETURNED, "缺少附图")
    assert returned.answered_at == on(10, 13)

    # Reworked and delivered again on Friday 16th (its tenth day), accepted Tuesday 20th.
    clock.move_to(on(10, 16))
    deal.delivered()
    clock.move_to(on(10, 20))
    delivery_accept(actor=deal.owner_admin, contract=deal.contract)
    stored = deal.refreshed()
    assert stored.used_workdays == 10  # on time: the owner's five days were not the agency's
    assert stored.paused_workdays == 5
    statuses = dict(Deliverable.objects.values_list("sha256", "status").order_by("pk")[1:])
    assert list(statuses.values()) == [Deliverable.Status.ACCEPTED]
    assert Deliverable.objects.order_by("pk").first().status == Deliverable.Status.RETURNED


def test_r10_only_a_waiting_delivery_can_be_answered(deal):
    with refused("not_delivered"):
        delivery_accept(actor=deal.owner_admin, contract=deal.contract)
    deal.delivered()
    delivery_accept(actor=deal.owner_admin, contract=deal.contract)
    with refused("not_delivered"):  # a second click
        delivery_accept(actor=deal.owner_admin, contract=deal.contract)
    with refused("not_delivered"):
        delivery_return(actor=deal.owner_admin, contract=deal.contract, reasons="再看看")


# Races: every write takes the contract's row lock first -------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_r10_concurrent_clicks_deliver_once_and_the_owner_answers_once():
    deal = Deal()
    deal.upload()
    deliver = lambda: contract_deliver(actor=deal.agency_admin, contract=deal.contract)  # noqa: E731
    assert refusal_codes(at_once(deliver, deliver, deliver)) == ["already_delivered"] * 2
    assert deal.refreshed().status == Status.DELIVERED

    accept = lambda: delivery_accept(actor=deal.owner_admin, contract=deal.contract)  # noqa: E731
    reject = lambda: delivery_return(actor=deal.owner_admin, contract=deal.contract, reasons="重做")  # noqa: E731
    assert refusal_codes(at_once(accept, reject)) == ["not_delivered"]
    stored = deal.refreshed()
    deliverable = Deliverable.objects.get(milestone=deal.milestone)
    if stored.status == Status.ACCEPTED:
        assert deliverable.status == Deliverable.Status.ACCEPTED
        assert stored.used_workdays is not None
    else:
        assert stored.status == Status.RETURNED
        assert deliverable.status == Deliverable.Status.RETURNED
    assert stored.paused_since is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_r10_an_upload_racing_a_delivery_is_either_in_it_or_refused():
    deal = Deal()
    deal.upload()
    late = lambda: deal.upload(name="补充.pdf")  # noqa: E731
    deliver = lambda: contract_deliver(actor=deal.agency_admin, contract=deal.contract)  # noqa: E731
    results = at_once(late, deliver)
    assert isinstance(results[1], Contract)
    if isinstance(results[0], ApplicationError):
        assert results[0].code == "already_delivered"
        assert Deliverable.objects.filter(milestone=deal.milestone).count() == 1
    else:
        assert Deliverable.objects.filter(milestone=deal.milestone).count() == 2
    delivery_accept(actor=deal.owner_admin, contract=deal.contract)
    # Whatever got in was part of the delivery the owner accepted; nothing waits unanswered.
    assert not Deliverable.objects.filter(status=Deliverable.Status.SUBMITTED).exists()


# Overdue reminders --------------------------------------------------------------------------------


def test_r10_an_overdue_contract_reminds_both_parties_once_a_day(
    deal, clock, django_capture_on_commit_callbacks
):
    on_time = Deal()  # delivered in time: never reminded
    clock.move_to(on(10, 9))
    on_time.delivered()
    clock.move_to(on(10, 14, hour=8))  # the first working day past the limit
    outsider = UserFactory(organisation=OrganisationFactory(kind=Role.PROJECT_OWNER))

    with django_capture_on_commit_callbacks(execute=True):
        assert contracts_overdue_remind_daily.delay().get() == 1
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([deal.agency_admin.email, deal.owner_admin.email])
    assert outsider.email not in recipients
    message = mail.outbox[0]
    assert deal.contract.number in message.subject
    assert "2026-10-13" in message.body  # the last day of the limit
    assert deal.refreshed().overdue_reminded_on == datetime.date(2026, 10, 14)

    # Run again the same day (a retried task, a second beat): nothing more.
    clock.move_to(on(10, 14, hour=18))
    with django_capture_on_commit_callbacks(execute=True):
        assert contracts_overdue_remind_daily.delay().get() == 0
    assert len(mail.outbox) == 2

    # The next working day, once more.
    clock.move_to(on(10, 15, hour=8))
    with django_capture_on_commit_callbacks(execute=True):
        assert contracts_overdue_remind_daily.delay().get() == 1
    assert len(mail.outbox) == 4


def test_r10_no_reminder_while_the_owner_holds_the_delivery_or_on_a_day_off(
    deal, clock, django_capture_on_commit_callbacks
):
    clock.move_to(on(10, 17, hour=8))  # Saturday: overdue, but no working day for mail
    with django_capture_on_commit_callbacks(execute=True):
        assert contracts_overdue_remind() == []
    clock.move_to(on(10, 19, hour=8))
    deal.delivered()  # late, but now with the owner
    with django_capture_on_commit_callbacks(execute=True):
        assert contracts_overdue_remind() == []
    assert mail.outbox == []


def test_the_reminders_run_every_morning():
    entry = settings.CELERY_BEAT_SCHEDULE["contracts-overdue-reminders"]
    assert entry["task"] == contracts_overdue_remind_daily.name
    assert entry["schedule"] == crontab(hour=8, minute=30)


# Delivery record ----------------------------------------------------------------------------------


def _finished(agency, used: int, *, status=Status.ACCEPTED, statutory=20, **fields) -> Contract:
    return ContractFactory(
        agency=agency,
        status=status,
        used_workdays=used,
        statutory_time_limit_days=statutory,
        accepted_at=IN_FORCE,
        **fields,
    )


def test_r10_delivery_metrics_are_counted_in_one_query(django_assert_num_queries):
    agency = ContractFactory().agency  # one contract still running
    _finished(agency, 8)  # on time, 8/20 of the statutory limit
    _finished(agency, 12)  # late, 12/20
    _finished(agency, 10, status=Status.CLOSED, statutory=None)  # on time, no statutory limit
    ContractFactory(agency=agency, status=Status.TERMINATED)  # failed after coming into force
    ContractFactory(agency=agency, status=Status.TERMINATED, in_force_at=None)  # never started
    _finished(ContractFactory().agency, 30)  # another agency's late contract

    with django_assert_num_queries(1):
        metrics = delivery_metrics(agency=agency)
    assert (metrics.finished, metrics.on_time, metrics.terminated) == (3, 2, 1)
    assert metrics.on_time_rate == pytest.approx(2 / 3)
    assert metrics.fulfilment_rate == pytest.approx(3 / 4)
    assert metrics.average_time_ratio == pytest.approx((8 / 20 + 12 / 20) / 2)


def test_r10_delivery_metrics_of_a_departments_items():
    mine = _finished(ContractFactory().agency, 5)
    department = mine.purchase_request.service_item.approval_department
    _finished(ContractFactory().agency, 25)  # another department's item
    metrics = delivery_metrics(department=department)
    assert (metrics.finished, metrics.on_time, metrics.terminated) == (1, 1, 0)
    assert metrics.on_time_rate == metrics.fulfilment_rate == 1
    assert metrics.average_time_ratio == pytest.approx(5 / 20)


def test_delivery_metrics_of_an_agency_without_a_record():
    metrics = delivery_metrics(agency=ContractFactory().agency)
    assert metrics.finished == metrics.terminated == 0
    assert metrics.on_time_rate is metrics.fulfilment_rate is metrics.average_time_ratio is None
