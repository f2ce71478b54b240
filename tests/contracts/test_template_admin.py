"""Model contracts in the back office (R5): the approval department writes, previews, answers
the checker's findings and submits; the regulator approves or refuses after a confirmation;
nobody else gets in."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from contracts.models import ContractTemplate, ContractTemplateVersion
from contracts.selectors import template_in_force
from contracts.services import (
    template_finding_answer,
    template_preview,
    template_version_decide,
    template_version_submit,
    template_version_write,
)
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.catalogue.factories import ServiceItemFactory
from tests.contracts.test_templates import FAIR
from tests.refusals import refused

pytestmark = pytest.mark.django_db

Status = ContractTemplateVersion.Status
WAIVER = "甲方放弃对乙方的追偿权利。"  # a finding of high severity


@pytest.fixture
def item(approval_user):
    return ServiceItemFactory(
        approval_department=approval_user.organisation,
        fee_ceiling="150000.00",
        statutory_time_limit_days=30,
    )


def _item_url(item) -> str:
    return reverse("contract_templates:item", args=[item.pk])


def _url(name: str, version: ContractTemplateVersion) -> str:
    return reverse(
        f"contract_templates:{name}", args=[version.template.service_item_id, version.number]
    )


def _submitted(item, author, body: str = FAIR + WAIVER) -> ContractTemplateVersion:
    version = template_version_write(
        actor=author, service_item=item, body=body, signing_order="agency_first"
    )
    return template_version_submit(actor=author, version=version)


def test_r5_the_department_writes_previews_answers_submits_and_the_regulator_approves(
    client, item, approval_user, regulator_user
):
    # Given the approval department in the back office, with the menu entry and its item.
    client.force_login(approval_user)
    assert reverse("contract_templates:list") in client.get(reverse("wagtailadmin_home")).text
    listing = client.get(reverse("contract_templates:list"))
    assert [row["item"] for row in listing.context["rows"]] == [item]
    page = client.get(_item_url(item))
    assert page.status_code == 200
    assert "{{ statutory_time_limit_days }}" in page.text  # the variables beside the text

    # When it saves a text with an unknown variable, the error is at the text, kept as typed.
    typo = FAIR + "\n{{ secret_key }}"
    response = client.post(_item_url(item), {"body": typo, "signing_order": "agency_first"})
    assert response.status_code == 200
    assert any("未知变量：secret_key。" in e for e in response.context["form"].errors["body"])
    assert response.context["form"]["body"].value() == typo
    assert "secret_key" in response.text
    assert not ContractTemplate.objects.exists()

    # A preview fills the text in with the sample facts and writes nothing.
    body = FAIR + "\n" + WAIVER
    response = client.post(
        _item_url(item), {"body": body, "signing_order": "owner_first", "preview": "1"}
    )
    assert response.status_code == 200
    assert "服务费人民币150000.00元" in response.context["preview"]  # the item's own ceiling
    assert item.name in response.text
    assert response.context["form"]["signing_order"].value() == "owner_first"
    assert not ContractTemplate.objects.exists()

    # Saving keeps a draft with the checker's finding.
    response = client.post(_item_url(item), {"body": body, "signing_order": "owner_first"})
    version = ContractTemplateVersion.objects.get()
    assert response.status_code == 302 and response.url == _url("version", version)
    assert (version.number, version.status, version.written_by) == (1, "draft", approval_user)
    assert version.signing_order == "owner_first"
    page = client.get(_url("version", version))
    [finding] = page.context["findings"]
    assert finding["rule"].code == "waiver_of_statutory_rights" and finding["form"] is not None
    assert str(finding["rule"].legal_basis) in page.text

    # An empty answer is refused at its field; a real one is kept.
    response = client.post(_url("version", version), {"index": "0", "answer": " "})
    assert response.status_code == 200
    assert response.context["findings"][0]["form"].errors["answer"] == ["请填写答复。"]
    response = client.post(
        _url("version", version), {"index": "0", "answer": "依法保留甲方追偿权，此条已删除。"}
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.findings[0]["answer"] == "依法保留甲方追偿权，此条已删除。"

    response = client.post(_url("submit", version))
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == Status.SUBMITTED

    # Then the regulator finds it waiting, and approves it only once confirmed.
    client.force_login(regulator_user)
    waiting = client.get(reverse("contract_templates:list"), {"waiting": "1"})
    assert [row["item"] for row in waiting.context["rows"]] == [item]
    assert waiting.context["rows"][0]["item"].waiting_count == 1
    assert client.get(_url("approve", version)).status_code == 200
    response = client.post(_url("approve", version), {"note": ""})
    assert response.status_code == 200 and "confirm" in response.context["form"].errors
    version.refresh_from_db()
    assert version.status == Status.SUBMITTED
    response = client.post(_url("approve", version), {"note": "", "confirm": "on"})
    assert response.status_code == 302 and response.url == _url("version", version)
    version.refresh_from_db()
    assert (version.status, version.decided_by) == (Status.APPROVED, regulator_user)
    assert template_in_force(item) == version
    listing = client.get(reverse("contract_templates:list"))
    assert listing.context["rows"][0]["item"].in_force_number == 1


def test_r5_an_unanswered_high_finding_is_the_refusal_shown_on_approve(
    client, item, approval_user, regulator_user
):
    version = _submitted(item, approval_user)
    client.force_login(regulator_user)

    response = client.post(_url("approve", version), {"confirm": "on"})

    assert response.status_code == 200
    [error] = response.context["form"].non_field_errors()
    assert error == "有 1 项高严重度检查结果尚未答复；逐项答复后该版本才能批准。"
    version.refresh_from_db()
    assert version.status == Status.SUBMITTED and version.decided_by is None


def test_r5_a_refusal_needs_its_note_and_is_confirmed(client, item, approval_user, regulator_user):
    version = _submitted(item, approval_user)
    client.force_login(regulator_user)

    response = client.post(_url("refuse", version), {"note": "", "confirm": "on"})
    assert response.context["form"].errors["note"] == ["退回须附说明理由。"]
    version.refresh_from_db()
    assert version.status == Status.SUBMITTED

    client.post(_url("refuse", version), {"note": "请删除放弃追偿权条款。", "confirm": "on"})
    version.refresh_from_db()
    assert (version.status, version.decision_note) == (Status.REFUSED, "请删除放弃追偿权条款。")
    # A decided version takes no more answers, and the page offers none.
    page = client.get(_url("version", version))
    assert page.context["findings"][0]["form"] is None
    client.post(_url("version", version), {"index": "0", "answer": "迟到的答复"})
    version.refresh_from_db()
    assert version.findings[0]["answer"] == ""


def test_preview_shows_every_error_at_once_and_keeps_the_text(client, item, approval_user):
    client.force_login(approval_user)
    body = "{{ owner.__class__ }} {{ secret_key }}"

    response = client.post(_item_url(item), {"body": body, "preview": "1"})

    form = response.context["form"]
    assert response.status_code == 200 and response.context["preview"] is None
    assert len(form.errors["body"]) == 2  # what is not allowed, and the unknown variable
    assert "signing_order" in form.errors
    assert form["body"].value() == body
    assert not ContractTemplate.objects.exists()


def test_a_text_that_cannot_be_filled_in_is_a_form_error_not_a_server_error(
    client, item, approval_user
):
    # The fee is text: comparing it with a number fails only when the text is filled in.
    body = "{% if fee > 1 %}有偿服务{% endif %}"
    with refused("template_invalid"):
        template_preview(service_item=item, body=body)
    client.force_login(approval_user)

    for action in ("preview", "save"):
        response = client.post(
            _item_url(item), {"body": body, "signing_order": "agency_first", action: "1"}
        )
        assert response.status_code == 200
        assert response.context["form"].errors["body"]
    assert not ContractTemplate.objects.exists()


def test_markup_in_a_template_is_shown_never_run(client, item, approval_user):
    version = template_version_write(
        actor=approval_user,
        service_item=item,
        body="<script>alert(1)</script>{{ owner }}",
        signing_order="agency_first",
    )
    client.force_login(approval_user)

    page = client.get(_url("version", version)).text

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;眉山市彭山区示例建设有限公司" in page


def _all_urls(item, version) -> list[tuple[str, str]]:
    return [
        ("get", reverse("contract_templates:list")),
        ("get", _item_url(item)),
        ("post", _item_url(item)),
        ("get", _url("version", version)),
        ("post", _url("version", version)),
        ("post", _url("submit", version)),
        ("get", _url("approve", version)),
        ("post", _url("approve", version)),
        ("get", _url("refuse", version)),
        ("post", _url("refuse", version)),
    ]


def test_an_agency_gets_into_none_of_the_pages(client, item, approval_user, agency_user):
    version = _submitted(item, approval_user)
    client.force_login(agency_user)
    data = {"body": FAIR, "signing_order": "agency_first", "index": "0", "answer": "x"}
    data |= {"note": "x", "confirm": "on"}

    for method, url in _all_urls(item, version):
        response = getattr(client, method)(url, data if method == "post" else None)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("wagtailadmin_login")), url

    # Even let into the back office, the pages refuse an agency by its role.
    agency_user.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    assert reverse("contract_templates:list") not in client.get(reverse("wagtailadmin_home")).text
    for method, url in _all_urls(item, version):
        response = getattr(client, method)(url, data if method == "post" else None)
        assert response.status_code == 302 and response.url == reverse("wagtailadmin_home"), url
        scripted = getattr(client, method)(
            url, data if method == "post" else None, headers={"x-requested-with": "XMLHttpRequest"}
        )
        assert scripted.status_code == 403, url
    version.refresh_from_db()
    assert version.status == Status.SUBMITTED and version.findings[0]["answer"] == ""
    assert ContractTemplateVersion.objects.count() == 1


def test_r5_a_department_keeps_only_its_own_items_and_never_decides(
    client, item, approval_user, regulator_user
):
    other_department = UserFactory(organisation=OrganisationFactory(kind=Role.APPROVAL_DEPARTMENT))
    version = _submitted(item, approval_user)

    client.force_login(other_department)
    assert client.get(reverse("contract_templates:list")).context["rows"] == []
    for _method, url in _all_urls(item, version)[1:]:
        response = client.get(url, headers={"x-requested-with": "XMLHttpRequest"})
        assert response.status_code in (403, 405), url

    client.force_login(approval_user)
    # The back office holds nothing else for a department: not even the catalogue's list.
    assert client.get("/admin/service_items/").status_code in (302, 403)
    page = client.get(_url("version", version))
    assert not page.context["may_decide"]
    assert client.get(reverse("contract_templates:list")).context["waiting_total"] is None
    response = client.post(_url("approve", version), {"confirm": "on"})
    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    version.refresh_from_db()
    assert version.status == Status.SUBMITTED


def test_the_list_keeps_a_constant_number_of_queries(client, approval_user, regulator_user):
    department = approval_user.organisation

    def add_items(count: int) -> None:
        for _ in range(count):
            item = ServiceItemFactory(approval_department=department)
            approved = _submitted(item, approval_user, body=FAIR)
            template_version_decide(actor=regulator_user, version=approved, approved=True)
            version = _submitted(item, approval_user, body=FAIR + WAIVER)
            template_finding_answer(actor=approval_user, version=version, index=0, answer="已改")

    def count_queries(user, **query) -> int:
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("contract_templates:list"), query)
        assert response.status_code == 200
        assert all(row["item"].waiting_count == 1 for row in response.context["rows"])
        return len(captured.captured_queries)

    add_items(3)
    small = [count_queries(approval_user), count_queries(regulator_user, waiting="1")]
    add_items(7)
    assert [count_queries(approval_user), count_queries(regulator_user, waiting="1")] == small
