"""R3 finding 1: regulators verify certificates in bulk against an issuing authority's
register, and what the register says — another holder, no longer in force, another grade, an
earlier end of validity — takes effect everywhere the certificate counted."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from agencies.models import Qualification
from agencies.services import agency_scope_recompute
from agencies.services.certificate_register import (
    certificate_register_apply,
    certificate_register_read,
)
from market.models import PurchaseRequest, Quote
from market.services.clock import purchase_requests_advance_due
from tests.accounts.factories import UserFactory
from tests.agencies.factories import QualificationFactory
from tests.catalogue.factories import QualificationRequirementFactory, QualificationTypeFactory
from tests.market.scenario import NOW, Market
from tests.refusals import refused

pytestmark = pytest.mark.django_db
SOURCE = "四川省自然资源厅测绘资质单位名录（2026-11-01）"
HEADER = "证书编号,统一社会信用代码,资质等级,有效期至,证书状态"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _csv(*lines: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "名录.csv", "\n".join([HEADER, *lines]).encode("utf-8"), content_type="text/csv"
    )


def _line(qualification: Qualification, *, code=None, grade=None, valid_to=None, state="有效"):
    return ",".join(
        [
            qualification.number,
            code or qualification.agency.organisation.credit_code,
            grade or qualification.grade,
            (valid_to or qualification.valid_to).isoformat(),
            state,
        ]
    )


@pytest.fixture
def survey():
    return QualificationTypeFactory(name="测绘资质", grades=["甲级", "乙级"])


def _apply(regulator, survey, upload):
    entries = certificate_register_read(actor=regulator, upload=upload)
    return certificate_register_apply(
        actor=regulator, qualification_type=survey, entries=entries, source=SOURCE
    )


def test_r3_a_register_verifies_matches_and_refuses_what_it_contradicts(regulator_user, survey):
    pending = dict(qualification_type=survey, status=Qualification.Status.PENDING)
    matching = QualificationFactory(**pending)
    someone_elses = QualificationFactory(**pending)
    cancelled = QualificationFactory(**pending)
    overgraded = QualificationFactory(**pending)  # claims 甲级
    unlisted = QualificationFactory(**pending)
    upload = _csv(
        _line(matching, valid_to=NOW.date() + datetime.timedelta(days=500)),
        _line(someone_elses, code="91510000MA0000000X"),
        _line(cancelled, state="注销"),
        _line(overgraded, grade="乙级"),
        "SC-NOT-ON-PLATFORM,91510100000000000A,甲级,2028-01-01,有效",
    )

    outcomes = _apply(regulator_user, survey, upload)

    assert [outcome.verify for outcome in outcomes].count(True) == 1
    matching.refresh_from_db()
    assert matching.status == Qualification.Status.VERIFIED
    assert matching.valid_to == NOW.date() + datetime.timedelta(days=500)  # the register's
    event = matching.status_events.latest("pk")
    assert SOURCE in event.note and event.actor == regulator_user
    with translation.override(settings.LANGUAGE_CODE):
        reasons = {
            someone_elses.pk: gettext("%(source)s lists this certificate for another organisation.")
            % {"source": SOURCE},
            cancelled.pk: gettext("%(source)s lists this certificate as no longer in force.")
            % {"source": SOURCE},
            overgraded.pk: gettext("%(source)s gives the grade as %(grade)s.")
            % {"source": SOURCE, "grade": "乙级"},
        }
    for pk, reason in reasons.items():
        refused_certificate = Qualification.objects.get(pk=pk)
        assert refused_certificate.status == Qualification.Status.REFUSED
        assert refused_certificate.status_events.latest("pk").note == reason
    unlisted.refresh_from_db()
    assert unlisted.status == Qualification.Status.PENDING  # left for a regulator


def test_r3_a_verified_certificate_the_register_contradicts_stops_counting(regulator_user, survey):
    item_requirement = QualificationRequirementFactory(qualification_type=survey)
    verified = QualificationFactory(qualification_type=survey)
    assert agency_scope_recompute(agency=verified.agency) == {item_requirement.service_item_id}

    _apply(regulator_user, survey, _csv(_line(verified, state="撤销")))

    verified.refresh_from_db()
    assert verified.status == Qualification.Status.REFUSED
    moves = list(verified.status_events.order_by("pk").values_list("to_status", flat=True))
    assert moves[-2:] == ["pending", "refused"]
    assert not verified.agency.scope.filter(in_scope=True).exists()


def test_r3_a_bad_register_is_refused_whole_with_every_bad_row(regulator_user, survey):
    certificate = QualificationFactory(qualification_type=survey, status="pending")
    upload = _csv(_line(certificate), ",91510100000000000A,甲级,2028-01-01,", "X-1,,甲级,明年,")
    with refused("bad_rows") as caught:
        certificate_register_read(actor=regulator_user, upload=upload)
    assert [error["row"] for error in caught.value.extra["rows"]] == [3, 4, 4]
    certificate.refresh_from_db()
    assert certificate.status == Qualification.Status.PENDING


def test_r3_an_agency_cannot_verify_itself_with_a_register_of_its_own(survey):
    certificate = QualificationFactory(qualification_type=survey, status="pending")
    admin = UserFactory(organisation=certificate.agency.organisation)
    with refused("not_regulator"):
        certificate_register_read(actor=admin, upload=_csv(_line(certificate)))
    with refused("not_regulator"):
        certificate_register_apply(
            actor=admin, qualification_type=survey, entries=[], source=SOURCE
        )
    certificate.refresh_from_db()
    assert certificate.status == Qualification.Status.PENDING


def test_r3_regulators_preview_then_apply_a_register_in_the_back_office(
    client, regulator_user, survey
):
    certificate = QualificationFactory(qualification_type=survey, status="pending")
    client.force_login(regulator_user)
    url = reverse("agency_review:certificate_register")
    preview = client.post(
        url, {"qualification_type": survey.pk, "source": SOURCE, "file": _csv(_line(certificate))}
    )
    assert preview.status_code == 200
    assert [outcome.qualification for outcome in preview.context["plan"]] == [certificate]
    certificate.refresh_from_db()
    assert certificate.status == Qualification.Status.PENDING  # a preview changes nothing
    applied = client.post(url, {"confirm": "1"})
    assert applied.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == Qualification.Status.VERIFIED


def test_r3_a_quote_stops_counting_when_the_register_shows_its_certificate_expired(
    _clock, django_capture_on_commit_callbacks, regulator_user, survey
):
    # Given a state-funded random draw for an item needing 测绘资质, with three quotes,
    market = Market()
    QualificationRequirementFactory(service_item=market.item, qualification_type=survey)
    certificates = [
        QualificationFactory(agency=agency, qualification_type=survey) for agency in market.agencies
    ]
    for agency in market.agencies:
        agency_scope_recompute(agency=agency)
    purchase_request = market.published()
    for index in range(3):
        market.quote(purchase_request, index, str(90000 + index))
    # when the issuing authority's register shows one certificate ended yesterday,
    ended = NOW.date() - datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        _apply(regulator_user, survey, _csv(_line(certificates[0], valid_to=ended)))
    # its end of validity is corrected on the record, the quote stops counting with the
    # reason, and at the deadline the draw fails for want of three valid quotes.
    certificates[0].refresh_from_db()
    assert certificates[0].valid_to == ended and certificates[0].expired
    quote = Quote.objects.get(purchase_request=purchase_request, agency=market.agencies[0])
    assert not quote.valid
    with translation.override(settings.LANGUAGE_CODE):
        assert quote.invalid_reason == gettext(
            "The agency holds no valid qualification this service requires."
        )
    _clock.move_to(purchase_request.quote_deadline + datetime.timedelta(minutes=1))
    purchase_requests_advance_due()
    purchase_request.refresh_from_db()
    assert purchase_request.status == PurchaseRequest.Status.FAILED
