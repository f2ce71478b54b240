"""What the credit system does when the apps below it announce a change (connected in
CreditConfig.ready()). Each receiver runs after the change committed and records a
system violation at most once per event, however often the event is announced."""

from contracts.models import Contract
from credit.services import violations
from market.models import AwardDecline


def award_declined(sender, *, decline_id: int, **kwargs) -> None:
    """A selected agency gave up its award: a violation, unless an objection caused it."""
    decline = (
        AwardDecline.objects.select_related(
            "agency", "purchase_request__service_item__approval_department"
        )
        .filter(pk=decline_id)
        .first()
    )
    if decline is not None:
        violations.violation_for_declined_award(decline=decline)


def contract_status_changed(sender, *, instance, to_status, **kwargs) -> None:
    """The work is accepted: its working days are fixed, so whether it finished too late is
    known now."""
    if to_status == Contract.Status.ACCEPTED:
        contract = Contract.objects.select_related(
            "agency", "purchase_request__service_item__approval_department"
        ).get(pk=instance.pk)
        violations.violation_for_late_delivery(contract=contract)


def agency_eligibility_changed(sender, *, agency_id: int, **kwargs) -> None:
    """The agency's certificates or scope may have changed: a running contract whose item it
    no longer qualifies for, because a certificate expired, is worked on without it."""
    violations.agency_contracts_check(agency_id=agency_id)
