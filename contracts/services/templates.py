"""Keeping model contracts (R5): write a version, answer the checker's findings, submit, and
the regulator's approval or refusal. Only approved versions make contracts."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from catalogue.models import ServiceItem
from contracts.clauses import clause_findings
from contracts.models import ContractTemplate, ContractTemplateVersion
from contracts.templating import SAMPLE, contract_text, template_check
from core.exceptions import ApplicationError

Status = ContractTemplateVersion.Status


def _facts(service_item: ServiceItem) -> dict:
    """What the checker compares the text with: the item's own standard."""
    ceiling = (
        service_item.fee_ceiling or service_item.fee_amount or service_item.reference_price_high
    )
    return {
        "fee_ceiling": None if ceiling is None else Decimal(str(ceiling)),
        "statutory_time_limit_days": service_item.statutory_time_limit_days,
    }


def template_preview(*, service_item: ServiceItem, body: str) -> str:
    """The text with the sample facts, made the item's own: its name, code and statutory time
    limit, and a fee and committed time limit within its standard — so the checker flags
    what the text says, never the sample (a fee of 100 000 yuan is above many items' ceiling)."""
    ceiling = _facts(service_item)["fee_ceiling"]
    statutory = service_item.statutory_time_limit_days
    return contract_text(
        body,
        {
            **SAMPLE,
            "service": service_item.name,
            "service_code": service_item.code,
            "statutory_time_limit_days": statutory,
            "fee": SAMPLE["fee"] if ceiling is None else f"{ceiling:.2f}",
            "time_limit_days": min(
                SAMPLE["time_limit_days"], statutory or SAMPLE["time_limit_days"]
            ),
        },
    )


@transaction.atomic
def template_version_write(
    *, actor: User, service_item: ServiceItem, body: str, signing_order: str
) -> ContractTemplateVersion:
    """A new draft version, checked: the template must parse and use only the named variables
    ("template_invalid"); the unfair-clause checker's findings are kept with it. Raises
    ApplicationError for anyone but the item's approval department and regulators
    ("not_template_keeper")."""
    require("contracts.keep_template", actor, service_item)
    template_check(body)
    if signing_order not in ContractTemplateVersion.SigningOrder.values:
        message = _("Please choose who signs first.")
        raise ApplicationError(
            message, code="bad_signing_order", extra={"signing_order": [message]}
        )
    template, _created = ContractTemplate.objects.get_or_create(service_item=service_item)
    template = ContractTemplate.objects.select_for_update().get(pk=template.pk)
    last = template.versions.order_by("-number").first()
    return ContractTemplateVersion.objects.create(
        template=template,
        number=(last.number + 1) if last else 1,
        body=body,
        signing_order=signing_order,
        status=Status.DRAFT,
        findings=clause_findings(
            template_preview(service_item=service_item, body=body), _facts(service_item)
        ),
        written_by=actor,
    )


def _locked(version: ContractTemplateVersion) -> ContractTemplateVersion:
    return (
        ContractTemplateVersion.objects.select_for_update()
        .select_related("template__service_item")
        .get(pk=version.pk)
    )


@transaction.atomic
def template_finding_answer(
    *, actor: User, version: ContractTemplateVersion, index: int, answer: str
) -> ContractTemplateVersion:
    """Answer a finding of a version not yet decided: why the clause is fair after all, or how
    it was handled. Raises ApplicationError ("not_template_keeper", "already_decided",
    "answer_required", "no_such_finding")."""
    version = _locked(version)
    require("contracts.keep_template", actor, version.template.service_item)
    if version.status in (Status.APPROVED, Status.REFUSED):
        raise ApplicationError(_("This version has already been decided."), code="already_decided")
    if not 0 <= index < len(version.findings):
        raise ApplicationError(_("There is no such finding."), code="no_such_finding")
    if not (answer or "").strip():
        message = _("Please write the answer.")
        raise ApplicationError(message, code="answer_required", extra={"answer": [message]})
    version.findings[index]["answer"] = answer.strip()
    version.save(update_fields=["findings"])
    return version


@transaction.atomic
def template_version_submit(
    *, actor: User, version: ContractTemplateVersion
) -> ContractTemplateVersion:
    version = _locked(version)
    require("contracts.keep_template", actor, version.template.service_item)
    if version.status != Status.DRAFT:
        raise ApplicationError(_("Only a draft can be submitted."), code="not_draft")
    version.status = Status.SUBMITTED
    version.save(update_fields=["status"])
    return version


@transaction.atomic
def template_version_decide(
    *, actor: User, version: ContractTemplateVersion, approved: bool, note: str = ""
) -> ContractTemplateVersion:
    """A regulator approves or refuses a submitted version. A version with an unanswered
    high-severity finding cannot be approved ("unanswered_findings"); a refusal needs a note
    ("note_required"). Raises ApplicationError for anyone else ("not_regulator") and for a
    version not submitted ("not_submitted")."""
    require("accounts.regulate", actor, message=_("Only a regulator approves model contracts."))
    version = _locked(version)
    if version.status != Status.SUBMITTED:
        raise ApplicationError(
            _("Only a submitted version can be approved or refused."), code="not_submitted"
        )
    if approved and version.unanswered_high:
        raise ApplicationError(
            _(
                "%(count)d finding(s) of high severity are unanswered; answer each before "
                "the version can be approved."
            )
            % {"count": len(version.unanswered_high)},
            code="unanswered_findings",
        )
    if not approved and not (note or "").strip():
        message = _("A refusal needs a note saying why.")
        raise ApplicationError(message, code="note_required", extra={"note": [message]})
    version.status = Status.APPROVED if approved else Status.REFUSED
    version.decided_by, version.decided_at = actor, timezone.now()
    version.decision_note = (note or "").strip()
    version.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return version
