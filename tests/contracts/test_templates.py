"""Model contracts (R5): templates limited to the named variables in Jinja2's sandbox, the
unfair-clause checker, and the department-writes, regulator-approves workflow — tried as the
party who gains from getting round it would try."""

import pytest

from contracts.clauses import RULES, clause_findings
from contracts.pdf import contract_html
from contracts.selectors import template_in_force
from contracts.services import (
    template_finding_answer,
    template_preview,
    template_version_decide,
    template_version_submit,
    template_version_write,
)
from contracts.templating import SAMPLE, contract_text, template_check
from tests.accounts.factories import UserFactory
from tests.catalogue.factories import ServiceItemFactory
from tests.contracts.factories import print_facts
from tests.refusals import refused

pytestmark = pytest.mark.django_db

FAIR = """合同编号：{{ contract_number }}
甲方：{{ owner }}　乙方：{{ agency }}
乙方为{{ project }}提供{{ service }}（{{ service_code }}）服务，服务费人民币{{ fee }}元，
自合同生效之日起{{ time_limit_days }}个工作日内交付成果。
成果经甲方验收合格后十个工作日内，甲方支付全部服务费。
任何一方违约的，应赔偿对方因此受到的实际损失。
{% if time_limit_days < statutory_time_limit_days %}乙方承诺的时限短于法定时限。{% endif %}
争议由项目所在地人民法院管辖。"""


@pytest.fixture
def item(approval_user):
    return ServiceItemFactory(
        approval_department=approval_user.organisation,
        fee_ceiling="150000.00",
        statutory_time_limit_days=30,
    )


def test_r5_a_fair_template_renders_with_the_sample_and_has_no_findings(item):
    text = template_preview(service_item=item, body=FAIR)
    # The sample fee is the item's own ceiling, never above it: the checker judges the text.
    assert "服务费人民币150000.00元" in text and item.name in text
    assert "乙方承诺的时限短于法定时限。" in text
    assert clause_findings(text, {"fee_ceiling": 150000, "statutory_time_limit_days": 30}) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{{ owner", "第 1 行："),
        ("{{ secret_key }}", "未知变量：secret_key。"),
        ("{{ owner.__class__ }}", "模板只能插入指定的变量"),
        ("{{ owner.upper() }}", "模板只能插入指定的变量"),
        ("{{ owner|upper }}", "模板只能插入指定的变量"),
        ("{{ owner[0] }}", "模板只能插入指定的变量"),
        ("{% include 'base.html' %}", "模板只能插入指定的变量"),
        ("{% set fee = 1 %}{{ fee }}", "模板只能插入指定的变量"),
    ],
)
def test_r5_a_template_that_reaches_beyond_its_variables_is_refused_when_saved(body, message):
    with refused("template_invalid") as caught:
        template_check(body)
    assert message in caught.value.message


def test_the_text_is_plain_and_escaped_where_it_is_printed():
    text = contract_text("甲方：{{ owner }}", {**SAMPLE, "owner": "A&B<script>x</script>"})

    # The contract says what the facts say, once: no HTML entities in the legal text ...
    assert text == "甲方：A&B<script>x</script>"
    # ... and the printed contract escapes it as any page does.
    html = contract_html(print_facts(text=text))
    assert "A&amp;B&lt;script&gt;x&lt;/script&gt;" in html
    assert "<script>" not in html


UNFAIR = [
    ("本合同签订后，乙方有权单方解除合同。", "agency_only_termination"),
    ("甲方应承担因此产生的全部损失。", "unlimited_owner_liability"),
    ("违约金不设上限。", "unlimited_owner_liability"),
    ("服务费为人民币200000元。", "fee_above_standard"),
    ("合同签订之日起五日内甲方支付全部服务费。", "payment_before_delivery"),
    ("合同期满自动续约一年。", "automatic_renewal"),
    ("甲方放弃对乙方的追偿权利。", "waiver_of_statutory_rights"),
    ("争议由乙方所在地人民法院管辖。", "jurisdiction_at_agency_seat"),
    ("乙方在45个工作日内交付成果。", "time_limit_above_statutory"),
]


@pytest.mark.parametrize(("clause", "code"), UNFAIR)
def test_r5_each_unfair_clause_is_found(clause, code):
    facts = {"fee_ceiling": 150000, "statutory_time_limit_days": 30}
    assert code in {finding["code"] for finding in clause_findings(clause, facts)}


def test_r5_every_rule_has_its_explanation_and_legal_basis_and_a_test():
    assert {rule.code for rule in RULES} == {code for _clause, code in UNFAIR}
    for rule in RULES:
        assert rule.severity in ("high", "medium") and rule.explanation and rule.legal_basis


def test_r5_termination_rights_for_both_parties_are_fair():
    text = "乙方有权解除合同。甲方有权解除合同。"
    assert clause_findings(text, {}) == []


def test_r5_the_department_writes_and_the_regulator_approves_once_findings_are_answered(
    item, approval_user, regulator_user
):
    body = FAIR + "\n甲方放弃对乙方的追偿权利。"
    version = template_version_write(
        actor=approval_user, service_item=item, body=body, signing_order="agency_first"
    )
    assert version.number == 1 and version.status == "draft"
    assert [f["code"] for f in version.findings] == ["waiver_of_statutory_rights"]
    with refused("not_submitted"):
        template_version_decide(actor=regulator_user, version=version, approved=True)
    version = template_version_submit(actor=approval_user, version=version)
    with refused("unanswered_findings"):
        template_version_decide(actor=regulator_user, version=version, approved=True)
    assert template_in_force(item) is None
    with refused("answer_required"):
        template_finding_answer(actor=approval_user, version=version, index=0, answer=" ")
    template_finding_answer(
        actor=approval_user,
        version=version,
        index=0,
        answer="仅限已由保险赔付的部分，已与法制审核确认。",
    )
    approved = template_version_decide(actor=regulator_user, version=version, approved=True)
    assert approved.status == "approved" and template_in_force(item) == approved
    # A decided version is never changed; the next text is a new version.
    with refused("already_decided"):
        template_finding_answer(actor=approval_user, version=version, index=0, answer="改")
    second = template_version_write(
        actor=regulator_user, service_item=item, body=FAIR, signing_order="owner_first"
    )
    assert second.number == 2 and template_in_force(item) == approved


def test_r5_a_refusal_needs_a_note(item, approval_user, regulator_user):
    version = template_version_write(
        actor=approval_user, service_item=item, body=FAIR, signing_order="agency_first"
    )
    version = template_version_submit(actor=approval_user, version=version)
    with refused("note_required"):
        template_version_decide(actor=regulator_user, version=version, approved=False)
    refused_version = template_version_decide(
        actor=regulator_user, version=version, approved=False, note="付款条款需细化"
    )
    assert refused_version.status == "refused" and template_in_force(item) is None


def test_r5_only_the_items_department_and_regulators_keep_its_templates(
    item, approval_user, agency_user, owner_user
):
    other_department = UserFactory(organisation=ServiceItemFactory().approval_department)
    for user in (other_department, agency_user, owner_user):
        with refused("not_template_keeper"):
            template_version_write(
                actor=user, service_item=item, body=FAIR, signing_order="agency_first"
            )


def test_r5_a_department_cannot_approve_its_own_template(item, approval_user):
    version = template_version_write(
        actor=approval_user, service_item=item, body=FAIR, signing_order="agency_first"
    )
    version = template_version_submit(actor=approval_user, version=version)
    with refused("approval_department_may_not_review"):
        template_version_decide(actor=approval_user, version=version, approved=True)


def test_r5_the_sample_stays_within_a_cheap_items_standard(approval_user):
    cheap = ServiceItemFactory(
        approval_department=approval_user.organisation,
        fee_ceiling="28000.00",
        statutory_time_limit_days=10,
    )

    version = template_version_write(
        actor=approval_user, service_item=cheap, body=FAIR, signing_order="agency_first"
    )

    assert "服务费人民币28000.00元" in template_preview(service_item=cheap, body=FAIR)
    assert version.findings == []
