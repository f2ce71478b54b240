"""A contract from the confirmed award to both signatures (R5, R10).

Once a purchase request's award is confirmed, its contract is made from the item's approved
model contract (contract_create: the facts come from the award and the winner's opened quote,
never from a form), its PDF is rendered in the background (contract_render), and the parties
sign it in the model contract's order (contract_sign), each after entering the password again,
and the code of the authenticator app where the user has one. The second signature puts the
contract in force: the purchase request becomes contracted and the fact goes on the
transparency log.

Locks: the purchase request's row while its contract is made (one contract per award); the
contract's row, then its version's, while a rendering or a signature is stored. The slow parts
— drawing the PDF, the timestamp authority's answer — run before the locks are taken; what
they produced is stored only if the document is still the one they started from.
"""

import datetime
import hashlib
import logging
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.permissions import allowed, require
from accounts.services import user_reauthenticate
from contracts.models import (
    Contract,
    ContractSignature,
    ContractTemplateVersion,
    ContractVersion,
    Milestone,
    Party,
)
from contracts.pdf import SIGNATURE_BOXES, ContractPrint, contract_pdf
from contracts.pki import organisation_certificate
from contracts.selectors import template_in_force
from contracts.signing import pdf_sign
from contracts.templating import contract_text
from core.exceptions import ApplicationError
from core.outbox import enqueue
from core.services import next_yearly_number
from core.status import lock_for_update, status_created, status_move
from core.transparency import log_append, register_entry_kinds, utc_text
from market.models import PurchaseRequest

logger = logging.getLogger(__name__)

Status = Contract.Status
SigningOrder = ContractTemplateVersion.SigningOrder

CONTRACT_IN_FORCE = "contract"
register_entry_kinds({CONTRACT_IN_FORCE: gettext_lazy("Contract signed by both parties")})

# Whose turn it is in each signing status, and the status that waits for each party.
_TURN = {Status.AWAITING_AGENCY: Party.AGENCY, Status.AWAITING_OWNER: Party.OWNER}
_AWAITING = {party: status for status, party in _TURN.items()}
_FIRST = {SigningOrder.AGENCY_FIRST: Party.AGENCY, SigningOrder.OWNER_FIRST: Party.OWNER}
_RULE = {Party.OWNER: "contracts.act_for_owner", Party.AGENCY: "contracts.act_for_agency"}


def verify_url(number: str) -> str:
    """The public page where anyone checks a contract, printed on it as a QR code."""
    return f"{settings.SITE_URL}/verify/contract/?number={number}"


# Making the contract ----------------------------------------------------------------------------


def _facts(contract: Contract) -> dict[str, Any]:
    request = contract.purchase_request
    return {
        "contract_number": contract.number,
        "owner": contract.owner.name,
        "agency": contract.agency.organisation.name,
        "project": request.project.name,
        "service": request.service_item.name,
        "service_code": request.service_item.code,
        "fee": contract.fee,
        "time_limit_days": contract.time_limit_days,
        "statutory_time_limit_days": contract.statutory_time_limit_days or "",
    }


@transaction.atomic
def contract_create(*, purchase_request: PurchaseRequest) -> Contract:
    """The contract of a confirmed award, made once: asked again, it returns the one made.
    Version 1's text is the item's model contract in force filled in with the award's facts;
    its PDF follows in the background (contract_render).

    Raises ApplicationError: "award_not_confirmed" when the award is not (yet) confirmed,
    "no_model_contract" when the item has no approved model contract (the sweep tries again
    once the department has one)."""
    # The winner is fetched after: FOR UPDATE cannot lock the nullable side of an outer join.
    request = lock_for_update(purchase_request, "project__owner", "service_item")
    existing = Contract.objects.filter(purchase_request=request).first()
    if existing is not None:
        return existing
    if request.status != PurchaseRequest.Status.CONFIRMED or request.winner is None:
        raise ApplicationError(
            _("A contract is made only once the award is confirmed."),
            code="award_not_confirmed",
        )
    template = template_in_force(request.service_item)
    if template is None:
        raise ApplicationError(
            _("The service item has no approved model contract yet."), code="no_model_contract"
        )
    # The winner's opened quote is the offer the contract accepts (a consortium's is its
    # lead's): its amount and its committed time limit, as quoted.
    quote = request.quotes.get(agency=request.winner)
    fee = quote.opened_amount
    if fee is None:  # every quote of a confirmed award was opened; never guess an amount
        raise ApplicationError(
            _("The winner's quote has not been opened."), code="award_not_confirmed"
        )
    now = timezone.now()
    contract = Contract.objects.create(
        number=next_yearly_number(Contract.objects.all(), "ZJHT", now=now),
        purchase_request=request,
        template_version=template,
        owner=request.project.owner,
        agency=request.winner,
        fee=fee,
        time_limit_days=quote.committed_time_limit_days,
        statutory_time_limit_days=request.service_item.statutory_time_limit_days,
        signing_order=template.signing_order,
    )
    status_created(
        contract,
        note=_("Made from model contract version %(number)d.") % {"number": template.number},
    )
    version = ContractVersion.objects.create(
        contract=contract, number=1, text=contract_text(template.body, _facts(contract))
    )
    Milestone.objects.create(
        contract=contract,
        number=1,
        title=str(_("Delivery of the whole work")),
        due_workday=contract.time_limit_days,
    )
    _render_after_commit(version)
    logger.info("contract made", extra={"contract": contract.number})
    return contract


def _render_after_commit(version: ContractVersion) -> None:
    from contracts import tasks

    enqueue(tasks.contract_render, version.pk)


def contract_print(version: ContractVersion) -> ContractPrint:
    contract = version.contract
    request = contract.purchase_request
    return ContractPrint(
        number=contract.number,
        version=version.number,
        title=f"{request.service_item.name} 技术服务合同",
        owner_name=contract.owner.name,
        agency_name=contract.agency.organisation.name,
        project_name=request.project.name,
        service_name=request.service_item.name,
        fee=contract.fee,
        time_limit_days=contract.time_limit_days,
        text=version.text,
        verify_url=verify_url(contract.number),
        made_at=version.created_at,
    )


def contract_render(*, version: ContractVersion) -> ContractVersion:
    """Draw the version's PDF and store it, once: a version already drawn is returned as it
    is (the task may run twice). Version 1 drawn, the contract waits for its first signer."""
    version = ContractVersion.objects.select_related(
        "contract__owner",
        "contract__agency__organisation",
        "contract__purchase_request__project",
        "contract__purchase_request__service_item",
    ).get(pk=version.pk)
    if version.pdf_sha256:
        return version
    # Drawn from the version's own facts and creation time, so a second drawing is the same
    # document; drawn before any lock, as it takes a while.
    pdf = contract_pdf(contract_print(version))
    with transaction.atomic():
        contract = lock_for_update(version.contract)
        version = lock_for_update(version)
        if version.pdf_sha256:
            return version
        version.pdf.save(f"v{version.number}.pdf", ContentFile(pdf), save=False)
        version.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        version.rendered_at = timezone.now()
        version.save(update_fields=["pdf", "pdf_sha256", "rendered_at"])
        if version.number == 1 and contract.status == Status.GENERATING:
            status_move(contract, _AWAITING[_FIRST[SigningOrder(contract.signing_order)]])
    return version


# Signing ----------------------------------------------------------------------------------------


def signing_version(contract: Contract) -> ContractVersion | None:
    """The version waiting for signatures, if any: the newest one not yet in force."""
    return contract.versions.filter(in_force_at__isnull=True).order_by("-number").first()


def party_to_sign(contract: Contract, version: ContractVersion) -> Party | None:
    """Whose signature the version waits for: the model contract's first signer, then the
    other; None once both have signed or while the PDF is being drawn."""
    if version.is_generating or version.in_force_at is not None:
        return None
    signed = {signature.party for signature in version.signatures.all()}
    first = _FIRST[SigningOrder(contract.signing_order)]
    second = Party.OWNER if first == Party.AGENCY else Party.AGENCY
    for party in (first, second):
        if party not in signed:
            return party
    return None


def contract_sign(
    *, actor: User, contract: Contract, party: str, password: str, code: str = ""
) -> Contract:
    """`party`'s signature on the version waiting for it, by `actor` — an administrator of
    that party — after entering the password again (and the authenticator's code, where the
    actor has one). The organisation's certificate signs; the timestamp authority dates it.

    Raises ApplicationError: the party's rule refusal ("not_owner_admin", "not_agency_admin"),
    "reauthentication_failed" / "too_many_attempts", "nothing_to_sign" (no version waits),
    "not_your_turn" (the other party signs first), "already_signed", "document_changed" (the
    stored file is not the one the platform made: it is not signed, and the team is alerted),
    and pdf_sign's refusals ("timestamp_unavailable", "certificate_not_trusted", …)."""
    party = Party(party)
    # As it stands now, not as the caller read it: the first checks run before any lock.
    contract = Contract.objects.select_related("owner", "agency__organisation").get(pk=contract.pk)
    require(_RULE[party], actor, contract)
    user_reauthenticate(user=actor, password=password, code=code)
    version = signing_version(contract)
    if version is None or version.is_generating:
        raise ApplicationError(
            _("There is no version of this contract waiting for signatures."),
            code="nothing_to_sign",
        )
    _check_turn(contract, version, party)
    organisation = contract.owner if party == Party.OWNER else contract.agency.organisation
    before = _stored_pdf(version)
    certificate = organisation_certificate(organisation)
    signed = pdf_sign(
        before,
        certificate=certificate,
        field_name=f"{party}-v{version.number}",
        box=SIGNATURE_BOXES[party],
        seal_name=organisation.name,
        reason=_("%(party)s signs contract %(number)s, version %(version)d")
        % {"party": party.label, "number": contract.number, "version": version.number},
    )
    with transaction.atomic():
        contract = lock_for_update(contract, "purchase_request", "owner", "agency__organisation")
        version = lock_for_update(version)
        # Another signature, or a second click, may have been stored while this one was made.
        _check_turn(contract, version, party)
        if version.pdf_sha256 != hashlib.sha256(before).hexdigest():
            raise ApplicationError(
                _("The contract changed while you were signing; please sign again."),
                code="status_stale",
            )
        signed_sha256 = hashlib.sha256(signed).hexdigest()
        signed_names = "-".join([*_signed_parties(version), party])
        version.pdf.save(f"v{version.number}-{signed_names}.pdf", ContentFile(signed), save=False)
        version.pdf_sha256 = signed_sha256
        now = timezone.now()
        ContractSignature.objects.create(
            version=version,
            party=party,
            organisation=organisation,
            certificate=certificate,
            signed_by=actor,
            signed_at=now,
            pdf_sha256=signed_sha256,
        )
        update = ["pdf", "pdf_sha256"]
        if party_to_sign(contract, version) is None:
            version.in_force_at = now
            update.append("in_force_at")
        version.save(update_fields=update)
        if version.number == 1:
            _after_first_version_signature(contract, version, party, actor=actor, now=now)
    logger.info(
        "contract signed",
        extra={"contract": contract.number, "version": version.number, "party": party.value},
    )
    return contract


def _signed_parties(version: ContractVersion) -> list[str]:
    return [signature.party for signature in version.signatures.order_by("signed_at", "pk")]


def _check_turn(contract: Contract, version: ContractVersion, party: Party) -> None:
    if contract.status not in Contract.SIGNING_STATUSES | _AMENDABLE:
        raise ApplicationError(
            _("This contract is no longer open for signatures."), code="contract_ended"
        )
    if party in _signed_parties(version):
        raise ApplicationError(
            _("%(party)s has already signed this version.") % {"party": party.label},
            code="already_signed",
        )
    if party_to_sign(contract, version) != party:
        raise ApplicationError(
            _("It is not yet %(party)s's turn to sign: the model contract sets the order.")
            % {"party": party.label},
            code="not_your_turn",
        )


def _stored_pdf(version: ContractVersion) -> bytes:
    """The version's file, refused if it is not the one the platform made or signed last: a
    file changed on the disk is never signed."""
    with version.pdf.open("rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != version.pdf_sha256:
        logger.error(
            "contract file does not match its digest",
            extra={"contract": version.contract.number, "version": version.number},
        )
        raise ApplicationError(
            _(
                "The stored contract file is not the one the platform made, so it cannot be "
                "signed. The platform's team has been alerted."
            ),
            code="document_changed",
        )
    return data


def _after_first_version_signature(
    contract: Contract, version: ContractVersion, party: Party, *, actor: User, now
) -> None:
    if version.in_force_at is None:
        other = Party.OWNER if party == Party.AGENCY else Party.AGENCY
        status_move(
            contract,
            _AWAITING[other],
            actor=actor,
            note=_("Signed by %(party)s.") % {"party": party.label},
        )
        return
    status_move(
        contract,
        Status.IN_FORCE,
        actor=actor,
        note=_("Signed by both parties."),
        fields={"in_force_at": now},
    )
    request = lock_for_update(contract.purchase_request)
    status_move(
        request,
        PurchaseRequest.Status.CONTRACTED,
        actor=actor,
        note=_("Contract %(number)s is in force.") % {"number": contract.number},
    )
    log_append(
        kind=CONTRACT_IN_FORCE,
        subject=request.number,
        data={
            "contract": contract.number,
            "purchase_request": request.number,
            "owner": contract.owner.credit_code,
            "agency": contract.agency.organisation.credit_code,
            "fee": str(contract.fee),
            "time_limit_days": contract.time_limit_days,
            "pdf_sha256": version.pdf_sha256,
            "in_force_at": utc_text(now),
        },
    )


# The sweep --------------------------------------------------------------------------------------

# A rendering queued this long ago and still not stored is queued again (a lost task, a
# worker restarted mid-way); rendering twice stores one file.
RENDER_GRACE = datetime.timedelta(minutes=2)


def contracts_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Catch up what the signal-driven path missed: a contract for every confirmed award that
    has none (an award confirmed while the item had no model contract gets one once it has),
    and a rendering for every version left undrawn. Safe to run any number of times."""
    now = now or timezone.now()
    made = 0
    waiting = PurchaseRequest.objects.filter(
        status=PurchaseRequest.Status.CONFIRMED, contract__isnull=True
    )
    for request in waiting.only("pk"):
        try:
            contract_create(purchase_request=request)
        except ApplicationError as error:
            logger.warning(
                "contract not made", extra={"purchase_request": request.pk, "code": error.code}
            )
        else:
            made += 1
    stuck = ContractVersion.objects.filter(pdf_sha256="", created_at__lt=now - RENDER_GRACE)
    requeued = 0
    for version in stuck.only("pk"):
        _render_after_commit(version)
        requeued += 1
    return {"made": made, "requeued": requeued}


# Amendments and termination ---------------------------------------------------------------------

# The contract is running: an amendment changes its terms from here on.
_AMENDABLE = frozenset({Status.IN_FORCE, Status.DELIVERED, Status.RETURNED})


def _acts_for_a_party(actor: User, contract: Contract) -> bool:
    return any(allowed(rule, actor, contract) for rule in _RULE.values())


def can_amend(actor: User, contract: Contract) -> bool:
    """Whether the page offers an amendment (contract_amend decides, with its reasons)."""
    return _acts_for_a_party(actor, contract) and contract.status in _AMENDABLE


def can_terminate(actor: User, contract: Contract) -> bool:
    return _may_terminate(actor, contract) and contract.can_become(Status.TERMINATED)


def _may_terminate(actor: User, contract: Contract) -> bool:
    return allowed("contracts.act_for_owner", actor, contract) or allowed(
        "accounts.regulate", actor
    )


@transaction.atomic
def contract_amend(*, actor: User, contract: Contract, text: str, reason: str) -> ContractVersion:
    """A new version of a running contract with the agreed new text, to be signed by both in
    the model contract's order like the first; until both have signed, the version before it
    stands. One amendment at a time.

    Raises ApplicationError: "not_contract_party" (only the parties' administrators propose),
    "contract_not_running", "amendment_pending", "amendment_incomplete" (text or reason
    missing, with field errors), "amendment_unchanged"."""
    contract = lock_for_update(contract)
    if not _acts_for_a_party(actor, contract):
        raise ApplicationError(
            _("Only the administrators of the contract's parties may propose an amendment."),
            code="not_contract_party",
        )
    if contract.status not in _AMENDABLE:
        raise ApplicationError(
            _("Only a contract in force can be amended."), code="contract_not_running"
        )
    if contract.versions.filter(in_force_at__isnull=True).exists():
        raise ApplicationError(
            _("An amendment is already waiting for signatures."), code="amendment_pending"
        )
    text, reason = (text or "").strip(), (reason or "").strip()
    missing = {
        field: [str(_("This field is required."))]
        for field, value in (("text", text), ("reason", reason))
        if not value
    }
    if missing:
        raise ApplicationError(
            _("Give the new text and the reason for the amendment."),
            code="amendment_incomplete",
            extra=missing,
        )
    current = contract.versions.order_by("-number").first()
    if current is not None and current.text.strip() == text:
        raise ApplicationError(
            _("The text is the same as the version in force."), code="amendment_unchanged"
        )
    version = ContractVersion.objects.create(
        contract=contract,
        number=(current.number if current else 0) + 1,
        text=text,
        reason=reason,
    )
    _render_after_commit(version)
    return version


@transaction.atomic
def contract_terminate(*, actor: User, contract: Contract, reason: str) -> Contract:
    """End a contract before its work is accepted, with the reason on record: by the owner's
    administrators (for the agency's breach, or agreed with it) or by a regulator. The agency
    cannot end it alone on the platform: a right to terminate for the agency only is the
    unfair clause R5 forbids.

    Raises ApplicationError: "not_owner_admin", "reason_required", and
    "status_move_not_allowed" once the work is accepted or the contract already ended."""
    contract = lock_for_update(contract)
    if not (
        allowed("contracts.act_for_owner", actor, contract) or allowed("accounts.regulate", actor)
    ):
        raise ApplicationError(
            _("Only the project owner's administrators or a regulator may end the contract."),
            code="not_owner_admin",
        )
    reason = (reason or "").strip()
    if not reason:
        message = _("Give the reason for ending the contract: it is kept on the record.")
        raise ApplicationError(message, code="reason_required", extra={"reason": [message]})
    status_move(
        contract,
        Status.TERMINATED,
        actor=actor,
        note=reason,
        fields={"termination_reason": reason},
    )
    return contract


@transaction.atomic
def contract_close(*, actor: User, contract: Contract) -> Contract:
    """The owner closes an accepted contract once the fee is settled: nothing is left to do
    under it. Raises ApplicationError: "not_owner_admin", and "status_move_not_allowed" for a
    contract whose work is not accepted."""
    contract = lock_for_update(contract)
    require("contracts.act_for_owner", actor, contract)
    status_move(
        contract, Status.CLOSED, actor=actor, note=_("Accepted and the fee settled; closed.")
    )
    return contract
