"""The public contract pages (R11: results are public): /contracts/ lists the contracts in
force or later, /contracts/<number>/ shows one's facts and signatures — never its text, its PDF
or anything of a contract that has not come into force — and a purchase notice links to its
contract once both parties have signed."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from contracts.models import Contract
from contracts.pdf import rmb_capital
from tests.contracts.factories import ContractFactory, drawn_contract, signed_contract

pytestmark = pytest.mark.django_db

Status = Contract.Status
LIST_URL = reverse("contracts:list")


def _detail_url(contract):
    return reverse("contracts:detail", args=[contract.number])


def _numbers(response):
    return [contract.number for contract in response.context["page"]]


def test_r11_the_list_shows_contracts_in_force_or_later_newest_first(client):
    now = timezone.now()
    shown = {
        status: ContractFactory(status=status, in_force_at=now - datetime.timedelta(days=days))
        for days, status in enumerate(
            [Status.IN_FORCE, Status.DELIVERED, Status.RETURNED, Status.ACCEPTED, Status.CLOSED]
        )
    }
    terminated = ContractFactory(
        status=Status.TERMINATED, in_force_at=now - datetime.timedelta(days=9)
    )
    # Never in force: still signing, or ended before both parties signed.
    for status in (Status.GENERATING, Status.AWAITING_AGENCY, Status.AWAITING_OWNER):
        ContractFactory(status=status, in_force_at=None)
    ContractFactory(status=Status.TERMINATED, in_force_at=None)

    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert _numbers(response) == [c.number for c in shown.values()] + [terminated.number]
    html = response.content.decode()
    assert str(Status.TERMINATED.label) in html
    assert shown[Status.IN_FORCE].agency.organisation.name in html
    assert shown[Status.IN_FORCE].purchase_request.project.name in html


def test_r11_the_list_searches_by_number_project_or_agency(client):
    wanted = ContractFactory(
        purchase_request__project__name="彭山区示例道路工程",
        agency__organisation__name="四川示例咨询有限公司",
    )
    other = ContractFactory(status=Status.ACCEPTED)

    for query in (wanted.number.lower(), "示例道路", "示例咨询"):
        assert _numbers(client.get(LIST_URL, {"q": query})) == [wanted.number]
    assert _numbers(client.get(LIST_URL, {"status": "accepted"})) == [other.number]
    # Not a public status: ignored, as if not given.
    assert set(_numbers(client.get(LIST_URL, {"status": "awaiting_agency"}))) == {
        wanted.number,
        other.number,
    }


def test_r11_the_list_runs_the_same_queries_for_2_or_12_contracts(
    client, django_assert_num_queries
):
    ContractFactory.create_batch(2)
    client.get(LIST_URL)  # sessions, translations and the like settle on the first request
    with CaptureQueriesContext(connection) as two:
        assert len(_numbers(client.get(LIST_URL))) == 2

    ContractFactory.create_batch(10)
    with django_assert_num_queries(len(two.captured_queries)):
        assert len(_numbers(client.get(LIST_URL))) == 12


def test_r11_the_public_page_shows_the_facts_and_signatures_never_the_text_or_the_pdf(client):
    contract = signed_contract(
        agency__organisation__name="四川示例工程咨询有限公司",
        project__owner__name="眉山市彭山区示例建设有限公司",
    )
    version = contract.versions.get()
    signatures = list(version.signatures.select_related("certificate"))

    response = client.get(_detail_url(contract))

    assert response.status_code == 200
    html = response.content.decode()
    # The facts.
    for fact in (
        contract.number,
        contract.purchase_request.project.name,
        contract.purchase_request.service_item.name,
        "眉山市彭山区示例建设有限公司",
        "四川示例工程咨询有限公司",
        "86000.00",
    ):
        assert fact in html
    # Who signed, when (Beijing time) and with which certificate; the signed file's digest.
    for signature in signatures:
        assert signature.certificate.serial_number in html
        assert timezone.localtime(signature.signed_at).strftime("%Y-%m-%d %H:%M:%S") in html
        assert signature.pdf_sha256 in html
    assert version.pdf_sha256 in html
    assert f"{reverse('contracts:verify')}?number={contract.number}" in html
    # Never the text: not a clause of the model contract, not the fee in capital numerals.
    assert "任何一方违约的，应赔偿对方因此受到的实际损失" not in html
    assert "第四条" not in html
    assert rmb_capital(contract.fee) not in html
    # Never the PDF.
    assert reverse("contract_party:pdf", args=[contract.number, version.number]) not in html
    assert version.pdf.name not in html
    assert ".pdf" not in html


def test_r11_a_contract_awaiting_signatures_is_not_public(client):
    contract = drawn_contract()

    assert client.get(_detail_url(contract)).status_code == 404
    assert contract.number not in client.get(LIST_URL).content.decode()
    assert _numbers(client.get(LIST_URL, {"q": contract.number})) == []
    with translation.override("en"):
        verify = client.get(reverse("contracts:verify"), {"number": contract.number})
    assert verify.context["contract"] is None
    assert "No contract in force on the platform has the number" in verify.content.decode()


def test_r11_a_contract_terminated_before_coming_into_force_is_not_public(client):
    contract = ContractFactory(status=Status.TERMINATED, in_force_at=None)

    assert client.get(_detail_url(contract)).status_code == 404


def test_an_unknown_number_is_404(client):
    assert client.get(reverse("contracts:detail", args=["ZJHT-0000-9999"])).status_code == 404


def test_r11_the_purchase_notice_links_to_its_contract_once_in_force(client):
    waiting = drawn_contract()
    notice_url = reverse("market:notice_detail", args=[waiting.purchase_request.number])
    assert reverse("contracts:detail", args=[waiting.number]) not in (
        client.get(notice_url).content.decode()
    )

    contract = ContractFactory()
    response = client.get(reverse("market:notice_detail", args=[contract.purchase_request.number]))

    assert response.status_code == 200
    assert f'href="{_detail_url(contract)}"' in response.content.decode()


def test_r11_the_notice_list_shows_each_contract_in_force_with_a_constant_query_count(client):
    in_force = ContractFactory()
    awaiting = ContractFactory(status=Contract.Status.AWAITING_AGENCY, in_force_at=None)

    def notices():
        cache.clear()  # the list's total is counted, not taken from the last view's count
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/notices/").content.decode()
        return page, len(queries)

    page, few = notices()
    assert f'href="/contracts/{in_force.number}/"' in page
    assert f"/contracts/{awaiting.number}/" not in page
    for _more in range(4):
        ContractFactory()
    page, many = notices()
    assert many == few
    assert page.count('href="/contracts/ZJHT-') == 5
