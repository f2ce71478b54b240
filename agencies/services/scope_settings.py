"""What an agency commits to for each item in its computed scope: a time limit no longer than
the statutory one, and its fee policy (R3, R10). The scope itself is never set here."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from agencies.models import AgencyServiceScope
from agencies.services.profile import agency_for_update, agency_touch
from core.exceptions import ApplicationError


@transaction.atomic
def scope_settings_update(
    *,
    actor: User,
    scope: AgencyServiceScope,
    committed_time_limit_days: int | None,
    fee_policy: str = "",
) -> AgencyServiceScope:
    """Set the committed time limit (working days) and fee policy for one item in scope.

    Raises ApplicationError if the actor may not change the agency, the item is not in the
    agency's computed scope, or the time limit is under one day or over the statutory one."""
    agency = agency_for_update(actor=actor, agency=scope.agency)
    scope = AgencyServiceScope.objects.select_related("service_item").get(
        pk=scope.pk, agency=agency
    )
    if not scope.in_scope:
        raise ApplicationError(
            _("This item is outside the agency's scope; its valid qualifications decide it."),
            code="not_in_scope",
        )
    statutory = scope.service_item.statutory_time_limit_days
    if committed_time_limit_days is not None and committed_time_limit_days < 1:
        message = _("The committed time limit is at least one working day.")
        raise ApplicationError(
            message, code="bad_time_limit", extra={"committed_time_limit_days": [message]}
        )
    if committed_time_limit_days is not None and committed_time_limit_days > statutory:
        message = _(
            "The committed time limit cannot exceed the statutory %(days)d working days."
        ) % {"days": statutory}
        raise ApplicationError(
            message, code="bad_time_limit", extra={"committed_time_limit_days": [message]}
        )
    scope.committed_time_limit_days = committed_time_limit_days
    scope.fee_policy = fee_policy.strip()
    scope.save(update_fields=["committed_time_limit_days", "fee_policy", "updated_at"])
    agency_touch(agency=agency)
    return scope
