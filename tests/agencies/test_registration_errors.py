"""Registration with mistakes (issue 13): one submission reports every error — the form's, the
certificates' and the service's — and keeps the uploads that passed; the next one succeeds."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.validators import credit_code_derive
from agencies.models import Agency
from core.files import private_storage
from core.kept_uploads import FOLDER
from tests.accounts.factories import TEST_PASSWORD
from tests.agencies.factories import PDF_BYTES, pdf_upload
from tests.catalogue.factories import QualificationTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_private_storage(settings):
    """An empty in-memory private storage for each test, so counting kept files is exact."""
    settings.STORAGES = {**settings.STORAGES}


URL = "/agencies/register/"
LICENCE = PDF_BYTES + b"% the licence\n"
FIRST_SCAN = PDF_BYTES + b"% the first certificate\n"


def _post_data(qualification_type, **overrides) -> dict:
    today = timezone.localdate()
    data = {
        "name": "雅安工程咨询有限公司",
        "credit_code": credit_code_derive("91511800", "雅安工程咨询"),
        "legal_representative": "孙八",
        "region": "雅安市",
        "address": "四川省雅安市雨城区某路3号",
        "contact_name": "周九",
        "contact_phone": "0835-1234567",
        "business_licence": pdf_upload("营业执照.pdf", LICENCE),
        "username": "yaan-admin",
        "display_name": "周九",
        "email": "admin@yaan.example",
        "password": TEST_PASSWORD,
        "password_again": TEST_PASSWORD,
        "certificates-TOTAL_FORMS": "3",
        "certificates-INITIAL_FORMS": "0",
        "certificates-MIN_NUM_FORMS": "0",
        "certificates-MAX_NUM_FORMS": "20",
        "certificates-0-qualification_type": str(qualification_type.pk),
        "certificates-0-grade": "乙级",
        "certificates-0-number": "YA-0001",
        "certificates-0-issuer": "四川省住房和城乡建设厅",
        "certificates-0-valid_from": (today - datetime.timedelta(days=30)).isoformat(),
        "certificates-0-valid_to": (today + datetime.timedelta(days=700)).isoformat(),
        "certificates-0-scan": pdf_upload("资质证书.pdf", FIRST_SCAN),
        "certificates-1-qualification_type": str(qualification_type.pk),
        "certificates-1-grade": "乙级",
        "certificates-1-number": "YA-0002",
        "certificates-1-issuer": "四川省住房和城乡建设厅",
        "certificates-1-valid_from": (today - datetime.timedelta(days=30)).isoformat(),
        "certificates-1-valid_to": (today + datetime.timedelta(days=700)).isoformat(),
        "certificates-1-scan": pdf_upload("第二证书.pdf"),
    }
    data.update(overrides)
    return data


def _codes(form) -> dict[str, list[str]]:
    return {
        field: [error.code for error in errors] for field, errors in form.errors.as_data().items()
    }


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}" value="([^"]+)"', page)
    assert match, name
    return match.group(1)


def _counts():
    return (Organisation.objects.count(), Agency.objects.count(), User.objects.count())


def _three_mistakes(qualification_type) -> dict:
    """A credit code with a wrong check character, a weak password, and a second certificate
    whose "PDF" is a JPEG: a form error on the certificate row, two service-level errors."""
    good = credit_code_derive("91511800", "雅安工程咨询")
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    return _post_data(
        qualification_type,
        credit_code=wrong_check,
        password="12345",
        password_again="12345",
        **{"certificates-1-scan": pdf_upload("第二证书.pdf", b"\xff\xd8\xff\xe0not a pdf")},
    )


def test_r10_one_submission_shows_every_error_keeps_the_files_and_the_second_succeeds():
    client = Client()
    qualification_type = QualificationTypeFactory(grades=["甲级", "乙级"])
    before = _counts()

    # Given three mistakes in one submission
    response = client.post(URL, _three_mistakes(qualification_type))

    # then every one is reported at once, and nothing is saved
    assert response.status_code == 200
    assert _counts() == before
    form, formset = response.context["form"], response.context["formset"]
    codes = _codes(form)
    assert codes["credit_code"] == ["credit_code_check"]
    assert {"password_too_short", "password_entirely_numeric"} <= set(codes["password"])
    assert set(codes) == {"credit_code", "password"}
    assert [error.code for error in formset.forms[1].errors.as_data()["scan"]] == ["file_type"]
    assert not formset.forms[0].errors
    page = response.content.decode()
    # the summary at the top links to each field in error
    summary = page[
        page.index('class="error-summary') : page.index("</div>", page.index("error-summary"))
    ]
    for anchor in ("#id_credit_code", "#id_password", "#id_certificates-1-scan"):
        assert f'href="{anchor}"' in summary
    assert 'aria-invalid="true"' in page
    # and the files that passed are kept; the refused one is not
    licence_token = _hidden(page, "business_licence__kept")
    scan_token = _hidden(page, "certificates-0-scan__kept")
    assert "certificates-1-scan__kept" not in page
    assert "营业执照.pdf" in page and "资质证书.pdf" in page
    assert len(private_storage().listdir(FOLDER)[1]) == 2

    # When the mistakes are fixed and the kept files are not chosen again
    fixed = _post_data(qualification_type)
    del fixed["business_licence"], fixed["certificates-0-scan"]
    fixed["business_licence__kept"] = licence_token
    fixed["certificates-0-scan__kept"] = scan_token
    response = client.post(URL, fixed)

    # then the agency is registered with the files kept from the first submission
    assert response.status_code == 302, _codes(response.context["form"])
    agency = Agency.objects.get(organisation__name="雅安工程咨询有限公司")
    with agency.business_licence.open("rb") as licence:
        assert licence.read() == LICENCE
    first = agency.qualifications.get(number="YA-0001")
    with first.scan.open("rb") as scan:
        assert scan.read() == FIRST_SCAN
    assert not agency.business_licence.name.startswith(FOLDER)
    # and the kept copies are gone
    assert private_storage().listdir(FOLDER)[1] == []


def test_the_page_states_the_rules_and_marks_required_fields(client):
    page = client.get(URL).content.decode()

    # The password rules from AUTH_PASSWORD_VALIDATORS and the code's format, before the input.
    password_help = page.index('id="id_password_helptext"')
    assert password_help < page.index('id="id_password"')
    assert "10" in page[password_help : page.index("</div>", password_help)]
    assert page.index('id="id_credit_code_helptext"') < page.index('id="id_credit_code"')
    assert 'aria-describedby="id_credit_code_helptext"' in page
    # Required fields carry the mark; optional ones do not.
    label = page[
        page.index('<label for="id_name"') : page.index("</label>", page.index('for="id_name"'))
    ]
    assert 'class="required"' in label
    label = page[
        page.index('<label for="id_email"') : page.index("</label>", page.index('for="id_email"'))
    ]
    assert 'class="required"' not in label
    # No label points at nothing.
    for target in re.findall(r'<label for="([^"]+)"', page):
        assert f'id="{target}"' in page, target


def test_a_token_from_another_session_is_refused():
    qualification_type = QualificationTypeFactory(grades=["甲级", "乙级"])
    first, second = Client(), Client()
    page = first.post(URL, _three_mistakes(qualification_type)).content.decode()
    token = _hidden(page, "business_licence__kept")

    data = _post_data(qualification_type, username="other-admin")
    del data["business_licence"]
    data["business_licence__kept"] = token
    response = second.post(URL, data)

    assert response.status_code == 200
    assert Agency.objects.count() == 0
    assert "kept_upload_not_yours" in _codes(response.context["form"])["business_licence"]


def test_a_tampered_token_or_one_moved_to_another_field_is_refused(client):
    qualification_type = QualificationTypeFactory(grades=["甲级", "乙级"])
    page = client.post(URL, _three_mistakes(qualification_type)).content.decode()
    token = _hidden(page, "business_licence__kept")

    tampered = _post_data(qualification_type)
    del tampered["business_licence"], tampered["certificates-0-scan"]
    tampered["business_licence__kept"] = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    # The licence's token on a certificate's field: signed for another field, so refused.
    tampered["certificates-0-scan__kept"] = token
    response = client.post(URL, tampered)

    assert response.status_code == 200
    assert Agency.objects.count() == 0
    assert "kept_upload_invalid" in _codes(response.context["form"])["business_licence"]
    row = response.context["formset"].forms[0]
    assert "kept_upload_invalid" in [error.code for error in row.errors.as_data()["scan"]]


def test_a_new_file_replaces_a_kept_one(client):
    qualification_type = QualificationTypeFactory(grades=["甲级", "乙级"])
    page = client.post(URL, _three_mistakes(qualification_type)).content.decode()

    data = _post_data(qualification_type)
    data["business_licence__kept"] = _hidden(page, "business_licence__kept")
    data["business_licence"] = pdf_upload("新执照.pdf", PDF_BYTES + b"% new\n")
    assert client.post(URL, data).status_code == 302

    with Agency.objects.get().business_licence.open("rb") as licence:
        assert licence.read() == PDF_BYTES + b"% new\n"
