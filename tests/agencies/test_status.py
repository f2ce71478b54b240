import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from agencies.models import Agency, AgencyStatusEvent, StaffRegisterEntry
from agencies.services.status import (
    agency_approve,
    agency_exit,
    agency_reenter,
    agency_reinstate,
    agency_reject,
    agency_submit_for_review,
    agency_suspend,
)
from catalogue.models import ServiceItem
from core.identity import id_number_hash
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.agencies.factories import (
    AgencyFactory,
    QualificationFactory,
)
from tests.agencies.test_staff_register import PractitionerFactory, make_id_number
from tests.catalogue.factories import (
    QualificationRequirementFactory,
    QualificationTypeFactory,
    ServiceItemFactory,
)
from tests.refusals import refused

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def agency():
    """A new agency, as registration leaves it: pending, not yet submitted."""
    return AgencyFactory(status=Agency.Status.PENDING)


@pytest.fixture
def agency_admin(agency):
    return UserFactory(organisation=agency.organisation, is_organisation_admin=True)


@pytest.fixture
def submitted(agency, agency_admin):
    return agency_submit_for_review(agency=agency, actor=agency_admin)


def _required_type():
    requirement = QualificationRequirementFactory()
    return requirement.qualification_type


def test_submission_puts_a_new_agency_in_the_queue_with_a_first_event(agency, agency_admin):
    agency = agency_submit_for_review(agency=agency, actor=agency_admin)
    assert agency.status == Agency.Status.PENDING
    assert agency.submitted_at is not None
    event = agency.status_events.get()
    assert (event.from_status, event.to_status, event.actor) == ("", "pending", agency_admin)
    with refused("already_pending"):
        agency_submit_for_review(agency=agency, actor=agency_admin)


def test_only_the_agency_s_members_submit_it(agency, regulator_user, agency_user):
    for actor in (regulator_user, agency_user):
        with refused("not_member"):
            agency_submit_for_review(agency=agency, actor=actor)
    assert not agency.status_events.exists()


@time_machine.travel(datetime.datetime(2026, 9, 30, 16, 0, tzinfo=SHANGHAI), tick=False)
def test_review_due_is_two_working_days_across_the_national_day_holiday(agency, agency_admin):
    agency = agency_submit_for_review(agency=agency, actor=agency_admin)
    # 1–7 October are the National Day holiday: the 8th and 9th are the two working days.
    assert agency.review_due == datetime.date(2026, 10, 9)
    agency.refresh_from_db()
    assert agency.review_due == datetime.date(2026, 10, 9)


@time_machine.travel(datetime.datetime(2026, 10, 9, 9, 0, tzinfo=SHANGHAI), tick=False)
def test_review_due_counts_the_make_up_saturday(agency, agency_admin):
    agency = agency_submit_for_review(agency=agency, actor=agency_admin)
    # Saturday 10 October is worked; Sunday 11th is not: Friday + 2 = Monday 12th.
    assert agency.review_due == datetime.date(2026, 10, 12)


def test_status_map_refuses_illegal_moves(submitted, regulator_user):
    with refused("status_move_not_allowed"):
        agency_suspend(agency=submitted, actor=regulator_user, reason="违规")
    with refused("status_move_not_allowed"):
        agency_reinstate(agency=submitted, actor=regulator_user, reason="整改完成")
    with refused("status_move_not_allowed"):
        agency_exit(agency=submitted, actor=regulator_user, reason="退出")
    with refused("not_exited"):
        agency_reenter(agency=submitted, actor=submitted.organisation.members.first())
    submitted.refresh_from_db()
    assert submitted.status == Agency.Status.PENDING
    assert submitted.status_events.count() == 1


def test_a_second_approval_is_refused_as_an_illegal_move(submitted, regulator_user):
    # Both reviewers hold the same stale object; the row lock and the fresh read make the
    # second see "active" and refuse.
    stale = Agency.objects.get(pk=submitted.pk)
    agency_approve(agency=submitted, actor=regulator_user)
    with refused("status_move_not_allowed"):
        agency_approve(agency=stale, actor=regulator_user)
    with refused("status_move_not_allowed"):
        agency_reject(
            agency=stale, actor=regulator_user, cited_qualification_types=[_required_type()]
        )
    assert submitted.status_events.filter(to_status=Agency.Status.ACTIVE).count() == 1


def test_every_move_is_recorded_with_actor_and_time(agency, agency_admin, regulator_user):
    start = timezone.now()
    agency = agency_submit_for_review(agency=agency, actor=agency_admin)
    agency = agency_approve(agency=agency, actor=regulator_user)
    assert agency.activated_at is not None
    agency = agency_suspend(agency=agency, actor=regulator_user, reason="双随机抽查不合格")
    agency = agency_reinstate(agency=agency, actor=regulator_user, reason="整改完成")
    agency = agency_exit(agency=agency, actor=agency_admin, reason="自愿退出")
    agency = agency_reenter(agency=agency, actor=agency_admin)
    assert agency.status == Agency.Status.PENDING

    events = list(agency.status_events.order_by("created_at", "pk"))
    assert [(event.from_status, event.to_status) for event in events] == [
        ("", "pending"),
        ("pending", "active"),
        ("active", "suspended"),
        ("suspended", "active"),
        ("active", "exited"),
        ("exited", "pending"),
    ]
    assert [event.actor for event in events] == [agency_admin] + [regulator_user] * 3 + [
        agency_admin
    ] * 2
    assert all(event.created_at >= start for event in events)
    assert events[2].note == "双随机抽查不合格"


def test_suspension_and_exit_need_a_reason(submitted, regulator_user):
    agency = agency_approve(agency=submitted, actor=regulator_user)
    with refused("reason_required") as caught:
        agency_suspend(agency=agency, actor=regulator_user, reason="  ")
    assert "reason" in caught.value.extra
    with refused("reason_required"):
        agency_exit(agency=agency, actor=regulator_user, reason="")


def test_r3_rejection_must_cite_a_legally_required_qualification(submitted, regulator_user):
    required = _required_type()
    # A type only a draft item requires, and one no item requires, are not legal grounds.
    draft_only = QualificationRequirementFactory(
        service_item=ServiceItemFactory(status=ServiceItem.Status.DRAFT)
    ).qualification_type
    unrequired = QualificationTypeFactory()

    with refused("citation_required") as caught:
        agency_reject(
            agency=submitted, actor=regulator_user, cited_qualification_types=[], reason="不行"
        )
    assert "cited_qualification_types" in caught.value.extra
    for cited in ([unrequired], [draft_only], [required, unrequired]):
        with refused("citation_not_required_by_catalogue"):
            agency_reject(agency=submitted, actor=regulator_user, cited_qualification_types=cited)
    submitted.refresh_from_db()
    assert submitted.status == Agency.Status.PENDING

    agency = agency_reject(
        agency=submitted, actor=regulator_user, cited_qualification_types=[required]
    )
    assert agency.status == Agency.Status.REJECTED
    event = agency.status_events.get(to_status=Agency.Status.REJECTED)
    assert list(event.cited_qualifications.all()) == [required]
    assert event.actor == regulator_user
    assert event.note == ""


def test_r3_agency_can_correct_and_resubmit(submitted, agency_admin, regulator_user):
    required = _required_type()
    agency = agency_reject(
        agency=submitted,
        actor=regulator_user,
        cited_qualification_types=[required],
        reason="证书已过期",
    )
    # The agency uploads the missing certificate and submits again.
    QualificationFactory(agency=agency, qualification_type=required)
    agency = agency_submit_for_review(agency=agency, actor=agency_admin)
    assert agency.status == Agency.Status.PENDING
    assert agency.review_due is not None
    agency = agency_approve(agency=agency, actor=regulator_user)
    assert agency.status == Agency.Status.ACTIVE
    assert list(agency.status_events.values_list("to_status", flat=True).order_by("pk")) == [
        "pending",
        "rejected",
        "pending",
        "active",
    ]


def test_r3_approval_needs_no_certificate_beyond_the_law(
    submitted, regulator_user, django_capture_on_commit_callbacks
):
    # Zero threshold: nothing is required to join; the scope shows what the agency may serve.
    open_item = ServiceItemFactory()
    restricted_item = QualificationRequirementFactory().service_item
    with django_capture_on_commit_callbacks(execute=True):
        agency = agency_approve(agency=submitted, actor=regulator_user)
    assert agency.status == Agency.Status.ACTIVE
    in_scope = set(agency.scope.filter(in_scope=True).values_list("service_item_id", flat=True))
    assert open_item.pk in in_scope
    assert restricted_item.pk not in in_scope


def test_r4_staff_register_match_blocks_activation(submitted, regulator_user):
    number = make_id_number(77)
    PractitionerFactory(agency=submitted, name="李四", id_number=number)
    StaffRegisterEntry.objects.create(
        id_number_hash=id_number_hash(number), department_name="眉山市彭山区住房和城乡建设局"
    )
    with refused("staff_register_conflict") as caught:
        agency_approve(agency=submitted, actor=regulator_user)
    message = caught.value.message
    assert "李四" in message
    assert "眉山市彭山区住房和城乡建设局" in message
    assert number not in message and number not in str(caught.value.extra)
    assert number[-4:] not in message
    submitted.refresh_from_db()
    assert submitted.status == Agency.Status.PENDING
    assert submitted.status_events.count() == 1


def test_r4_staff_register_match_blocks_reinstatement(submitted, regulator_user):
    agency = agency_approve(agency=submitted, actor=regulator_user)
    agency = agency_suspend(agency=agency, actor=regulator_user, reason="核查")
    number = make_id_number(78)
    PractitionerFactory(agency=agency, id_number=number)
    StaffRegisterEntry.objects.create(id_number_hash=id_number_hash(number), department_name="局")
    with refused("staff_register_conflict"):
        agency_reinstate(agency=agency, actor=regulator_user, reason="整改完成")
    agency.practitioners.update(active=False)  # the person left the agency
    assert agency_reinstate(agency=agency, actor=regulator_user, reason="整改完成").status == (
        Agency.Status.ACTIVE
    )


def test_r4_approval_department_cannot_review_or_choose(submitted, approval_user, agency_user):
    assert approval_user.role == Role.APPROVAL_DEPARTMENT
    required = _required_type()
    for actor, code in (
        (approval_user, "approval_department_may_not_review"),
        (agency_user, "not_regulator"),
    ):
        with refused(code):
            agency_approve(agency=submitted, actor=actor)
        with refused(code):
            agency_reject(agency=submitted, actor=actor, cited_qualification_types=[required])
    active = AgencyFactory(status=Agency.Status.ACTIVE)
    for call in (agency_suspend, agency_exit):
        with refused("approval_department_may_not_review"):
            call(agency=active, actor=approval_user, reason="推荐其他机构")
    suspended = AgencyFactory(status=Agency.Status.SUSPENDED)
    with refused("approval_department_may_not_review"):
        agency_reinstate(agency=suspended, actor=approval_user, reason="我们推荐它")
    assert not AgencyStatusEvent.objects.exclude(to_status=Agency.Status.PENDING).exists()


def test_a_superuser_may_review(submitted):
    admin = UserFactory(organisation=None, is_superuser=True)
    assert agency_approve(agency=submitted, actor=admin).status == Agency.Status.ACTIVE


def test_moves_mail_the_agency_admins_and_recompute_scope_after_commit(
    submitted, regulator_user, django_capture_on_commit_callbacks
):
    UserFactory(organisation=submitted.organisation, is_organisation_admin=False)
    UserFactory(organisation=OrganisationFactory(kind=Role.AGENCY))  # another agency
    item = ServiceItemFactory()
    admins = list(submitted.organisation.members.filter(is_organisation_admin=True))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        agency_approve(agency=submitted, actor=regulator_user)
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == sorted(admin.email for admin in admins)
    assert submitted.scope.filter(service_item=item, in_scope=True).exists()


def test_a_rejection_mail_names_the_cited_qualification(
    submitted, regulator_user, django_capture_on_commit_callbacks
):
    required = _required_type()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        agency_reject(agency=submitted, actor=regulator_user, cited_qualification_types=[required])
    assert required.name in mail.outbox[0].body


def test_r3_a_rejection_cannot_cite_a_qualification_the_agency_holds_or_a_forbidden_ground(
    submitted, regulator_user
):
    # Given a surveying item that needs 测绘资质 乙级 or better, and an agency holding a valid
    # 甲级 certificate of it,
    requirement = QualificationRequirementFactory(minimum_grade="乙级")
    survey = requirement.qualification_type
    QualificationFactory(agency=submitted, qualification_type=survey, grade="甲级")
    # citing that qualification is refused: the agency meets it;
    with refused("citation_met"):
        agency_reject(
            agency=submitted,
            actor=regulator_user,
            cited_qualification_types=[survey],
            reason="非本地注册企业，且本区测绘机构数量已满",
        )
    # so is a ground R3 forbids, whatever is cited.
    other = _required_type()
    with refused("forbidden_ground"):
        agency_reject(
            agency=submitted,
            actor=regulator_user,
            cited_qualification_types=[other],
            reason="非本地注册企业，且本区测绘机构数量已满",
        )
    submitted.refresh_from_db()
    assert submitted.status == Agency.Status.PENDING
    # A certificate below the grade an item needs may be cited.
    higher = QualificationRequirementFactory(
        qualification_type=survey, minimum_grade="甲级", alternative=1
    )
    assert higher.minimum_grade == "甲级"
    QualificationFactory._meta.model.objects.filter(agency=submitted).update(grade="乙级")
    agency = agency_reject(
        agency=submitted, actor=regulator_user, cited_qualification_types=[survey]
    )
    assert agency.status == Agency.Status.REJECTED


def test_r3_a_suspension_cannot_rest_on_a_forbidden_ground(regulator_user):
    active = AgencyFactory(status=Agency.Status.ACTIVE)
    with refused("forbidden_ground"):
        agency_suspend(agency=active, actor=regulator_user, reason="本区机构名额已满，暂停")
