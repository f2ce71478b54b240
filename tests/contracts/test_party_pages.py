"""The contract's own pages under /my/contracts/: read by its parties, its approval department
and regulators only; signed from the page with the password again; the PDF served through the
permission layer; a list whose query count does not grow with the contracts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from contracts.models import ContractSignature, SigningCertificate
from tests.accounts.factories import TEST_PASSWORD, OrganisationFactory
from tests.agencies.factories import AgencyFactory
from tests.contracts.factories import admin_of, drawn_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract():
    return drawn_contract()


def detail(contract):
    return reverse("contract_party:detail", args=[contract.number])


def test_the_agency_administrator_sees_the_text_and_the_sign_form_in_its_turn(client, contract):
    client.force_login(admin_of(contract.agency.organisation))

    page = client.get(detail(contract)).content.decode()

    assert "第一条" in page and contract.owner.name in page
    assert f'action="/my/contracts/{contract.number}/sign/"' in page
    assert 'name="password"' in page
    # Reading the page issues no certificate and signs nothing: a GET never writes.
    assert not SigningCertificate.objects.exists()


def test_the_owner_waits_for_the_agency_and_sees_no_form(client, contract):
    client.force_login(admin_of(contract.owner))

    page = client.get(detail(contract)).content.decode()

    assert 'name="password"' not in page
    assert "乙方" in page  # waiting for the agency (乙方)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("another_agency", 404),
        ("another_owner", 404),
        ("other_department", 404),
        ("department", 200),
        ("regulator", 200),
        ("agency_member", 200),
    ],
)
def test_only_those_entitled_read_a_contract(client, contract, who, status):
    department = contract.purchase_request.service_item.approval_department
    user = {
        "another_agency": lambda: admin_of(AgencyFactory().organisation),
        "another_owner": lambda: admin_of(OrganisationFactory(kind=Role.PROJECT_OWNER)),
        "other_department": lambda: admin_of(OrganisationFactory(kind=Role.APPROVAL_DEPARTMENT)),
        "department": lambda: admin_of(department),
        "regulator": lambda: admin_of(OrganisationFactory(kind=Role.REGULATOR)),
        "agency_member": lambda: admin_of(
            contract.agency.organisation, is_organisation_admin=False
        ),
    }[who]()
    client.force_login(user)

    assert client.get(detail(contract)).status_code == status
    pdf = client.get(reverse("contract_party:pdf", args=[contract.number, 1]))
    assert pdf.status_code == status
    if status == 200:
        assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
        assert pdf["Cache-Control"] == "private, no-store"
        # Reading is not signing: no form for a member who is not an administrator.
        assert 'name="password"' not in client.get(detail(contract)).content.decode()


def test_a_stranger_is_sent_to_sign_in(client, contract):
    response = client.get(detail(contract))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_signing_with_mistakes_shows_every_error_and_signs_nothing(client, contract):
    client.force_login(admin_of(contract.agency.organisation))

    page = client.post(
        reverse("contract_party:sign", args=[contract.number]), {"password": "wrong"}
    ).content.decode()

    # The box left unticked and the wrong password, together.
    assert "此项必填" in page
    assert "密码不正确" in page
    assert not ContractSignature.objects.exists()

    page = client.post(
        reverse("contract_party:sign", args=[contract.number]),
        {"password": "wrong", "read": "on"},
    ).content.decode()
    assert "密码不正确" in page
    assert not ContractSignature.objects.exists()


def test_signing_from_the_page(client, contract):
    client.force_login(admin_of(contract.agency.organisation))

    response = client.post(
        reverse("contract_party:sign", args=[contract.number]),
        {"password": TEST_PASSWORD, "read": "on"},
    )

    assert response.status_code == 302 and response["Location"] == detail(contract)
    assert ContractSignature.objects.get().party == "agency"
    contract.refresh_from_db()
    assert contract.status == "awaiting_owner"


def test_signing_out_of_turn_from_the_page_does_nothing(client, contract):
    client.force_login(admin_of(contract.owner))

    response = client.post(
        reverse("contract_party:sign", args=[contract.number]),
        {"password": TEST_PASSWORD, "read": "on"},
    )

    assert response.status_code == 302
    assert not ContractSignature.objects.exists()


def test_the_list_keeps_its_query_count_as_contracts_grow(client):
    client.force_login(admin_of(OrganisationFactory(kind=Role.REGULATOR)))
    drawn_contract()
    client.get(reverse("contract_party:list"))  # the session and caches warmed

    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("contract_party:list")).status_code == 200
    for _extra in range(4):
        drawn_contract()
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("contract_party:list")).content.decode()
    assert len(many) == len(few)
    assert page.count("ZJHT-") >= 5


def test_the_owner_ends_a_contract_after_confirming_with_a_reason(client, contract):
    client.force_login(admin_of(contract.owner))
    url = reverse("contract_party:terminate", args=[contract.number])
    assert "terminate" in client.get(detail(contract)).content.decode()

    page = client.post(url, {"reason": "   "}).content.decode()
    contract.refresh_from_db()
    assert contract.status == "awaiting_agency"
    # The reason and the unticked confirmation, reported together at the top of the form.
    assert 'href="#id_reason"' in page and 'href="#id_confirm"' in page

    response = client.post(url, {"reason": "双方协商一致解除", "confirm": "on"})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert (contract.status, contract.termination_reason) == ("terminated", "双方协商一致解除")


def test_the_agency_is_not_offered_to_end_the_contract(client, contract):
    client.force_login(admin_of(contract.agency.organisation))

    assert "/terminate/" not in client.get(detail(contract)).content.decode()
    url = reverse("contract_party:terminate", args=[contract.number])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x", "confirm": "on"}).status_code == 404


def _upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_r10_delivery_from_the_page_upload_deliver_return_and_accept(client):
    from tests.agencies.factories import PDF_BYTES
    from tests.contracts.factories import signed_contract

    contract = signed_contract()
    milestone = contract.milestones.get()
    agency, owner = admin_of(contract.agency.organisation), admin_of(contract.owner)
    client.force_login(agency)

    # A JPEG renamed .docx is refused on the form, the page kept.
    page = client.post(
        reverse("contract_party:deliverable_add", args=[contract.number]),
        {
            "milestone": milestone.pk,
            "upload": _upload("报告.docx", b"\xff\xd8\xff\xe0" + b"0" * 64),
        },
    ).content.decode()
    assert 'role="alert"' in page and "Word" in page
    assert not milestone.deliverables.exists()

    response = client.post(
        reverse("contract_party:deliverable_add", args=[contract.number]),
        {"milestone": milestone.pk, "upload": _upload("环评报告.pdf", PDF_BYTES)},
    )
    assert response.status_code == 302
    assert client.post(reverse("contract_party:deliver", args=[contract.number])).status_code == 302
    contract.refresh_from_db()
    assert contract.status == "delivered"

    client.force_login(owner)
    page = client.get(detail(contract)).content.decode()
    assert "环评报告.pdf" in page
    download = client.get(
        reverse(
            "contract_party:deliverable", args=[contract.number, milestone.deliverables.get().pk]
        )
    )
    assert b"".join(download.streaming_content) == PDF_BYTES
    # Returning without reasons shows the error and returns nothing.
    page = client.post(reverse("contract_party:return", args=[contract.number]), {"reasons": ""})
    assert 'role="alert"' in page.content.decode()
    contract.refresh_from_db()
    assert contract.status == "delivered"
    client.post(reverse("contract_party:return", args=[contract.number]), {"reasons": "缺少附图"})
    contract.refresh_from_db()
    assert contract.status == "returned"

    client.force_login(agency)
    client.post(
        reverse("contract_party:deliverable_add", args=[contract.number]),
        {"milestone": milestone.pk, "upload": _upload("附图.pdf", PDF_BYTES)},
    )
    client.post(reverse("contract_party:deliver", args=[contract.number]))
    client.force_login(owner)
    client.post(reverse("contract_party:accept", args=[contract.number]), {"confirm": "on"})
    contract.refresh_from_db()
    assert contract.status == "accepted" and contract.used_workdays is not None


def test_a_deliverable_is_not_served_to_another_agency(client):
    from tests.agencies.factories import PDF_BYTES
    from tests.contracts.factories import signed_contract

    contract = signed_contract()
    client.force_login(admin_of(contract.agency.organisation))
    client.post(
        reverse("contract_party:deliverable_add", args=[contract.number]),
        {"milestone": contract.milestones.get().pk, "upload": _upload("成果.pdf", PDF_BYTES)},
    )
    url = reverse(
        "contract_party:deliverable",
        args=[contract.number, contract.milestones.get().deliverables.get().pk],
    )

    client.force_login(admin_of(AgencyFactory().organisation))
    assert client.get(url).status_code == 404


def test_r10_the_agencys_public_page_shows_its_delivery_record(client):
    from tests.contracts.factories import ContractFactory

    agency = AgencyFactory()
    # Two accepted (one within its 10 days, one over), one ended without acceptance.
    ContractFactory(agency=agency, status="accepted", used_workdays=7)
    ContractFactory(agency=agency, status="accepted", used_workdays=12)
    ContractFactory(agency=agency, status="terminated")
    ContractFactory(status="accepted", used_workdays=30)  # another agency's

    page = client.get(reverse("agencies:detail", args=[agency.pk])).content.decode()

    assert "履约率" in page
    assert "50%" in page  # on time: 1 of 2
    assert "67%" in page  # fulfilled: 2 of 3
    # (7 + 12) / 2 / 20 statutory days = 47.5%, shown rounded.
    assert "48%" in page


def test_r10_the_deliver_button_appears_once_a_file_is_uploaded(client):
    from tests.agencies.factories import PDF_BYTES
    from tests.contracts.factories import signed_contract

    contract = signed_contract()
    client.force_login(admin_of(contract.agency.organisation))
    deliver = f'action="/my/contracts/{contract.number}/deliver/"'
    assert deliver not in client.get(detail(contract)).content.decode()

    client.post(
        reverse("contract_party:deliverable_add", args=[contract.number]),
        {"milestone": contract.milestones.get().pk, "upload": _upload("成果.pdf", PDF_BYTES)},
    )

    assert deliver in client.get(detail(contract)).content.decode()
