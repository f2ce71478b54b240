from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "credit"
    verbose_name = _("Credit")

    def ready(self) -> None:
        # --- sanctions: system-recorded violations and their daily tasks ---------------------
        from agencies.signals import agency_eligibility_changed
        from contracts.models import Contract
        from core.status import status_changed
        from credit import (
            receivers,
            sanction_tasks,  # noqa: F401  (registers the tasks with Celery)
        )
        from market.models import AwardDecline
        from market.signals import award_declined

        award_declined.connect(
            receivers.award_declined, sender=AwardDecline, dispatch_uid="credit.award_declined"
        )
        status_changed.connect(
            receivers.contract_status_changed,
            sender=Contract,
            dispatch_uid="credit.contract_status_changed",
        )
        agency_eligibility_changed.connect(
            receivers.agency_eligibility_changed,
            dispatch_uid="credit.agency_eligibility_changed",
        )
        # --- end sanctions -----------------------------------------------------------------

        # --- scores: recompute an agency's credit score when its inputs change ---------------
        from credit import score_receivers, score_tasks  # noqa: F401  (tasks for Celery)
        from credit.signals import credit_inputs_changed
        from market.models import PurchaseRequest

        credit_inputs_changed.connect(
            score_receivers.credit_inputs_changed, dispatch_uid="credit.scores.inputs_changed"
        )
        status_changed.connect(
            score_receivers.contract_status_changed,
            sender=Contract,
            dispatch_uid="credit.scores.contract_status_changed",
        )
        status_changed.connect(
            score_receivers.purchase_request_status_changed,
            sender=PurchaseRequest,
            dispatch_uid="credit.scores.purchase_request_status_changed",
        )
        # --- end scores --------------------------------------------------------------------
