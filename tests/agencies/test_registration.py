import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Organisation, Role, User
from accounts.validators import credit_code_derive
from agencies.models import Agency, AgencyStatusEvent, Qualification
from agencies.services.qualifications import qualification_verify
from agencies.services.registration import CertificateInput, agency_register
from tests.accounts.factories import TEST_PASSWORD, OrganisationFactory, UserFactory
from tests.agencies.factories import (
    PNG_BYTES,
    AgencyFactory,
    pdf_upload,
)
from tests.catalogue.factories import (
    QualificationRequirementFactory,
    QualificationTypeFactory,
    ServiceItemFactory,
)
from tests.refusals import refused

pytestmark = pytest.mark.django_db


def _code(seed: str) -> str:
    return credit_code_derive("91511100", seed)


def _certificate(qualification_type, **overrides) -> CertificateInput:
    today = timezone.localdate()
    values = {
        "qualification_type": qualification_type,
        "grade": "甲级",
        "number": f"CERT-{qualification_type.pk}-{overrides.get('number', 'A')}",
        "issuer": "四川省生态环境厅",
        "valid_from": today - datetime.timedelta(days=100),
        "valid_to": today + datetime.timedelta(days=300),
        "scan": pdf_upload(),
    }
    values.update(overrides)
    return CertificateInput(**values)


def _register(name="成都环评咨询有限公司", *, certificates=None, **overrides):
    values = {
        "name": name,
        "credit_code": _code(name),
        "legal_representative": "李四",
        "contact_name": "王五",
        "contact_phone": "028-12345678",
        "address": "四川省成都市锦江区某路1号",
        "region": "成都市",
        "business_licence": pdf_upload("licence.pdf"),
        "certificates": certificates if certificates is not None else [],
        "username": f"admin-{abs(hash(name)) % 10**8}",
        "password": TEST_PASSWORD,
    }
    values.update(overrides)
    return agency_register(**values)


def _counts() -> tuple[int, int, int, int]:
    return (
        Organisation.objects.count(),
        Agency.objects.count(),
        User.objects.count(),
        Qualification.objects.count(),
    )


def test_r3_registration_needs_nothing_but_the_required_fields():
    environmental = QualificationTypeFactory(name="环评资质")
    item = ServiceItemFactory()
    QualificationRequirementFactory(
        service_item=item, qualification_type=environmental, minimum_grade="乙级"
    )

    # An agency from outside the district registers exactly as a local one does.
    for name, region in (("乐山环评有限公司", "乐山市"), ("成都环评有限公司", "成都市")):
        registration = _register(
            name, region=region, certificates=[_certificate(environmental, number=name)]
        )
        agency, user = registration.agency, registration.user
        assert agency.status == Agency.Status.PENDING
        assert agency.submitted_at is not None
        assert agency.review_due is not None
        assert agency.organisation.kind == Organisation.Kind.AGENCY
        assert agency.organisation.region == region
        assert agency.qualifications.count() == 1
        assert user.organisation == agency.organisation
        assert user.is_organisation_admin
        assert user.has_perm("accounts.change_organisation", agency.organisation)
        # The certificate waits for a regulator before it counts (R3: no self-certifying).
        certificate = agency.qualifications.get()
        assert certificate.status == Qualification.Status.PENDING
        assert certificate.verification_due is not None
        assert not agency.scope.filter(in_scope=True, service_item=item).exists()
        qualification_verify(
            actor=UserFactory(organisation=OrganisationFactory(kind=Role.REGULATOR)),
            qualification=certificate,
        )
        assert set(
            agency.scope.filter(in_scope=True).values_list("service_item_id", flat=True)
        ) == {item.pk}
        assert AgencyStatusEvent.objects.filter(
            agency=agency, to_status=Agency.Status.PENDING
        ).exists()


def test_r3_no_quota():
    AgencyFactory.create_batch(5)
    for number in range(30):
        _register(f"第{number}号咨询有限公司")
    assert Agency.objects.filter(status=Agency.Status.PENDING).count() == 30


def _refused(**kwargs):
    before = _counts()
    with refused("invalid") as caught:
        _register(**kwargs)
    assert _counts() == before
    return caught.value


def test_malformed_credit_code_is_refused_with_nothing_saved():
    good = _code("某机构")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    error = _refused(credit_code=bad)
    assert "credit_code" in error.extra
    error = _refused(credit_code="12345")
    assert "credit_code" in error.extra


def test_duplicate_credit_code_or_name_is_refused_with_nothing_saved():
    existing = _register("眉山测绘有限公司").agency.organisation
    error = _refused(name="另一家有限公司", credit_code=existing.credit_code)
    assert set(error.extra) == {"credit_code"}
    error = _refused(name="眉山测绘有限公司", credit_code=_code("另一家"), username="someone-else")
    assert set(error.extra) == {"name"}


def test_certificate_dates_out_of_order_are_refused_with_nothing_saved():
    qualification_type = QualificationTypeFactory()
    today = timezone.localdate()
    certificate = _certificate(
        qualification_type,
        valid_from=today + datetime.timedelta(days=10),
        valid_to=today + datetime.timedelta(days=5),
    )
    error = _refused(certificates=[_certificate(qualification_type), certificate])
    # The second certificate's row carries the error; the first is fine.
    assert error.extra["certificates"][0] == {}
    assert "valid_to" in error.extra["certificates"][1]


def test_expired_certificate_is_refused_at_registration():
    qualification_type = QualificationTypeFactory()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    certificate = _certificate(
        qualification_type, valid_from=yesterday - datetime.timedelta(days=700), valid_to=yesterday
    )
    error = _refused(certificates=[certificate])
    assert "valid_to" in error.extra["certificates"][0]


def test_grade_outside_the_qualification_types_grades_is_refused():
    qualification_type = QualificationTypeFactory(grades=["甲级", "乙级"])
    error = _refused(certificates=[_certificate(qualification_type, grade="丁级")])
    assert "grade" in error.extra["certificates"][0]


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("licence.pdf", PNG_BYTES, content_type="application/pdf"),
        SimpleUploadedFile("licence.pdf", b"just some text", content_type="application/pdf"),
        SimpleUploadedFile("licence.exe", b"MZ\x90\x00", content_type="application/pdf"),
    ],
    ids=["png-bytes-named-pdf", "text-named-pdf", "executable"],
)
def test_wrong_upload_type_is_refused_with_nothing_saved(upload):
    error = _refused(business_licence=upload)
    assert "business_licence" in error.extra


def test_oversized_upload_is_refused_with_nothing_saved(settings):
    big = pdf_upload("scan.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 1))
    qualification_type = QualificationTypeFactory()
    error = _refused(certificates=[_certificate(qualification_type, scan=big)])
    assert "scan" in error.extra["certificates"][0]


def test_missing_licence_and_weak_password_are_reported_together():
    error = _refused(business_licence=None, password="123", legal_representative=" ")
    assert {"business_licence", "password", "legal_representative"} <= set(error.extra)


def test_the_same_certificate_cannot_be_registered_twice():
    qualification_type = QualificationTypeFactory()
    _register("甲机构", certificates=[_certificate(qualification_type, number="X")])
    error = _refused(name="乙机构", certificates=[_certificate(qualification_type, number="X")])
    assert "number" in error.extra["certificates"][0]
