import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.validators import credit_code_derive
from agencies.models import Agency, Qualification
from tests.accounts.factories import TEST_PASSWORD
from tests.agencies.factories import PNG_BYTES, pdf_upload
from tests.catalogue.factories import QualificationTypeFactory

pytestmark = pytest.mark.django_db


def _post_data(qualification_type, **overrides) -> dict:
    today = timezone.localdate()
    data = {
        "name": "乐山工程咨询有限公司",
        "credit_code": credit_code_derive("91511100", "乐山工程咨询").lower(),
        "legal_representative": "赵六",
        "region": "乐山市",
        "address": "四川省乐山市市中区某路2号",
        "contact_name": "钱七",
        "contact_phone": "0833-1234567",
        "business_licence": pdf_upload("licence.pdf"),
        "username": "leshan-admin",
        "display_name": "钱七",
        "email": "admin@leshan.example",
        "password": TEST_PASSWORD,
        "password_again": TEST_PASSWORD,
        "certificates-TOTAL_FORMS": "3",
        "certificates-INITIAL_FORMS": "0",
        "certificates-MIN_NUM_FORMS": "0",
        "certificates-MAX_NUM_FORMS": "20",
        "certificates-0-qualification_type": str(qualification_type.pk),
        "certificates-0-grade": "乙级",
        "certificates-0-number": "GC-0001",
        "certificates-0-issuer": "四川省住房和城乡建设厅",
        "certificates-0-valid_from": (today - datetime.timedelta(days=30)).isoformat(),
        "certificates-0-valid_to": (today + datetime.timedelta(days=700)).isoformat(),
        "certificates-0-scan": pdf_upload("cert.pdf"),
    }
    data.update(overrides)
    return data


def _counts():
    return (Organisation.objects.count(), Agency.objects.count(), User.objects.count())


def test_registration_page_links_from_the_roster_and_registers_and_signs_in(client):
    assert 'href="/agencies/register/"' in client.get("/agencies/").content.decode()
    qualification_type = QualificationTypeFactory()
    assert client.get("/agencies/register/").status_code == 200

    response = client.post("/agencies/register/", _post_data(qualification_type))

    assert response.status_code == 302
    assert response["Location"] == "/agencies/me/"
    agency = Agency.objects.get(organisation__name="乐山工程咨询有限公司")
    assert agency.status == Agency.Status.PENDING
    assert agency.organisation.credit_code == credit_code_derive("91511100", "乐山工程咨询")
    assert agency.qualifications.get().number == "GC-0001"
    assert agency.business_licence
    overview = client.get("/agencies/me/")
    assert overview.status_code == 200
    assert overview.wsgi_request.user.username == "leshan-admin"


def test_a_bad_certificate_row_is_reported_on_its_row_and_nothing_is_saved(client):
    qualification_type = QualificationTypeFactory(grades=["甲级", "乙级"])
    before = _counts()
    response = client.post(
        "/agencies/register/",
        _post_data(qualification_type, **{"certificates-0-grade": "丙级"}),
    )
    assert response.status_code == 200
    assert _counts() == before
    formset = response.context["formset"]
    assert "grade" in formset.forms[0].errors
    assert not formset.forms[1].errors


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"credit_code": "915111000000000000"}, "credit_code"),
        (
            {
                "business_licence": SimpleUploadedFile(
                    "licence.pdf", PNG_BYTES, content_type="application/pdf"
                )
            },
            "business_licence",
        ),
        ({"password_again": "something-else-9"}, "password_again"),
    ],
)
def test_bad_fields_are_reported_at_the_field_and_nothing_is_saved(client, overrides, field):
    qualification_type = QualificationTypeFactory()
    before = _counts()
    response = client.post("/agencies/register/", _post_data(qualification_type, **overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert _counts() == before
    assert Qualification.objects.count() == 0


def test_a_text_file_named_pdf_as_a_certificate_scan_is_refused_on_its_row(client):
    qualification_type = QualificationTypeFactory()
    scan = SimpleUploadedFile("cert.pdf", b"hello, not a pdf", content_type="application/pdf")
    before = _counts()
    response = client.post(
        "/agencies/register/", _post_data(qualification_type, **{"certificates-0-scan": scan})
    )
    assert response.status_code == 200
    assert "scan" in response.context["formset"].forms[0].errors
    assert _counts() == before


def test_a_forged_form_count_builds_no_more_than_twenty_certificate_rows(client):
    # Found by Hypothesis: Django's default would build a thousand empty rows (seconds of work
    # for one request); the page refuses the count instead.
    qualification_type = QualificationTypeFactory()
    before = _counts()
    response = client.post(
        "/agencies/register/",
        _post_data(qualification_type, **{"certificates-TOTAL_FORMS": "100000"}),
    )
    assert response.status_code == 200
    formset = response.context["formset"]
    assert len(formset.forms) == 20
    assert formset.non_form_errors() == ["请最多提交 20 个表单。"]
    assert _counts() == before
